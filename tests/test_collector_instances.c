/* test_collector_instances.c: several collector instances on one
 * PostgreSQL database, and that database going away under them.
 *
 * - Two instances, the same 200 batches (neighbours sharing a response)
 *   posted to both at the same moment, 100 rounds: every batch
 *   acknowledged by both, every response stored exactly once.
 * - The database stopped: batches, heartbeats and survey downloads get 503
 *   with Retry-After (never 200); started again, the same instance takes
 *   the same batch without being restarted.
 * - PostgreSQL restarted 20 times in the middle of the real kiosk's upload
 *   loop: in the end every response once.
 *
 * These are PostgreSQL's (one SQLite file is one machine, one instance):
 * ctest runs this only as test_collector_instances_pg; without BK_TEST_PG
 * every case fails at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_collector_util.h"
#include "test_db_util.h"
#include "test_sync_common.h"

#define ROUNDS 100
#define BATCHES 200
/* Batch i holds responses 2i, 2i+1, 2i+2: it shares one with each neighbour. */
#define PER_BATCH 3
#define DISTINCT_PER_ROUND (2 * BATCHES + 1)

/* One HTTP exchange's outcome. */
typedef struct reply {
    long status;
    long retry_after;
    char body[1024];
    size_t len;
} reply;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    size_t len = size * n;
    size_t room = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, data, len < room ? len : room);
    r->len += len < room ? len : room;
    r->body[r->len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    if (strncasecmp(data, "Retry-After:", 12) == 0)
        r->retry_after = strtol(data + 12, NULL, 10);
    return size * n;
}

/* POSTs body (NULL: GET) to the instance on port at path, with token. */
static reply http(CURL *c, int port, const char *path, const char *token, const char *body)
{
    reply r = {0};
    char url[256], auth[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk%s", port, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    return r;
}

static void uuid_of(long n, char out[37])
{
    snprintf(out, 37, "%08lx-0000-4000-8000-%012lx", 0x20000000L + n, n);
}

/* Batch i of round: PER_BATCH responses that fit the demo survey. */
static char *batch_json(int round, int i)
{
    json_t *responses = json_array();
    for (int k = 0; k < PER_BATCH; k++) {
        long n = (long)round * 1000 + 2 * i + k;
        char id[37];
        uuid_of(n, id);
        json_array_append_new(
            responses,
            json_pack("{s:s, s:I, s:s, s:i, s:s, s:s, s:s, s:n, s:s, s:s, s:[], s:[{s:s, s:i}, "
                      "{s:s, s:s}]}",
                      "response_id", id, "seq", (json_int_t)n, "survey_id", "buurtpeiling",
                      "survey_version", 1, "mode", "survey", "status", "complete", "language", "nl",
                      "area", "started_at", "2026-11-29T10:02:11.020Z", "completed_at",
                      "2026-11-29T10:04:40.512Z", "flags", "answers", "question_id", "q1", "value",
                      4, "question_id", "q8", "value", "Meer bankjes"));
    }
    char batch_id[37];
    uuid_of(10000000L + (long)round * 1000 + i, batch_id);
    json_t *b =
        json_pack("{s:i, s:s, s:s, s:s, s:o}", "protocol", 1, "batch_id", batch_id, "kiosk_id",
                  TS_KIOSK, "created_at", "2026-11-29T13:45:12.345Z", "responses", responses);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    assert_non_null(text);
    return text;
}

/* One instance's client: posts every batch the moment the other does. */
typedef struct poster {
    int port;
    const char *token;
    pthread_barrier_t *together;
    char **batches; /* of the round, shared */
    long accepted, duplicates, conflicts, unavailable, failed;
} poster;

static void *post_round(void *arg)
{
    poster *p = arg;
    CURL *c = curl_easy_init();
    for (int i = 0; i < BATCHES; i++) {
        pthread_barrier_wait(p->together);
        reply r;
        for (int attempt = 0;; attempt++) {
            r = http(c, p->port, "/v1/batches", p->token, p->batches[i]);
            if (r.status != 503 || attempt == 20)
                break;
            p->unavailable++;
            usleep(100 * 1000);
        }
        json_t *o = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
        if (!o) {
            p->failed++;
            continue;
        }
        json_int_t a = json_integer_value(json_object_get(o, "accepted"));
        json_int_t d = json_integer_value(json_object_get(o, "duplicates"));
        json_int_t x = json_integer_value(json_object_get(o, "conflicts"));
        p->accepted += a;
        p->duplicates += d;
        p->conflicts += x;
        if (a + d + x != PER_BATCH)
            p->failed++;
        json_decref(o);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* The second instance: the same database, its own configuration and port. */
static void second_instance(const e2e *a, e2e *b)
{
    *b = *a;
    snprintf(b->coll_ini, sizeof b->coll_ini, "%s/collector-b.ini", a->dir);
    e2e_write_collector_ini(b, 0, "retry_after_s = 1\n", NULL, NULL);
    assert_true(e2e_server_start(b));
}

static void test_two_instances_exactly_once(void **state)
{
    (void)state;
    assert_true(tdb_is_pg());
    e2e a, b;
    e2e_init(&a, "instances", NULL, NULL);
    assert_true(e2e_server_start(&a));
    second_instance(&a, &b);
    assert_true(a.port != b.port);

    pthread_barrier_t together;
    pthread_barrier_init(&together, NULL, 2);
    char *batches[BATCHES];
    poster p[2] = {{.port = a.port, .token = a.token, .together = &together, .batches = batches},
                   {.port = b.port, .token = a.token, .together = &together, .batches = batches}};
    int64_t t0 = e2e_now_ms();
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < BATCHES; i++)
            batches[i] = batch_json(round, i);
        pthread_t th[2];
        for (int k = 0; k < 2; k++)
            assert_int_equal(pthread_create(&th[k], NULL, post_round, &p[k]), 0);
        for (int k = 0; k < 2; k++)
            pthread_join(th[k], NULL);
        for (int i = 0; i < BATCHES; i++)
            free(batches[i]);
    }
    int64_t ms = e2e_now_ms() - t0;
    pthread_barrier_destroy(&together);
    long accepted = p[0].accepted + p[1].accepted;
    print_message("%d rounds of %d batches to both instances in %lld ms: accepted %ld + %ld, "
                  "duplicates %ld + %ld, 503s %ld + %ld\n",
                  ROUNDS, BATCHES, (long long)ms, p[0].accepted, p[1].accepted, p[0].duplicates,
                  p[1].duplicates, p[0].unavailable, p[1].unavailable);
    /* Every batch acknowledged by both, in full, without a single 503. */
    assert_int_equal(p[0].failed + p[1].failed, 0);
    assert_int_equal(p[0].unavailable + p[1].unavailable, 0);
    assert_int_equal(p[0].conflicts + p[1].conflicts, 0);
    /* Each response accepted by exactly one of them, and stored once. */
    const long distinct = (long)ROUNDS * DISTINCT_PER_ROUND;
    assert_int_equal(accepted, distinct);
    assert_int_equal(p[0].duplicates + p[1].duplicates,
                     2L * ROUNDS * BATCHES * PER_BATCH - distinct);
    assert_int_equal(tdb_int(a.coll_db, "SELECT count(*) FROM responses"), distinct);
    assert_int_equal(tdb_int(a.coll_db, "SELECT count(DISTINCT response_id) FROM answers"),
                     distinct);
    assert_int_equal(tdb_int(a.coll_db, "SELECT count(*) FROM answers"), 2 * distinct);
    assert_int_equal(tdb_int(a.coll_db, "SELECT count(*) FROM batches"), (long)ROUNDS * BATCHES);
    assert_int_equal(tdb_int(a.coll_db, "SELECT count(*) FROM response_conflicts"), 0);
    /* The batch's record is the first storing's: its counts add up. */
    assert_int_equal(tdb_int(a.coll_db, "SELECT sum(accepted) FROM batches"), distinct);
    e2e_server_stop(&b);
    e2e_server_stop(&a);
    e2e_assert_sound(&a);
    e2e_done(&a);
}

/* The database stopped under a running instance: 503 with Retry-After for
 * every call that needs it, never 200; back, the same instance takes the
 * same batch, once. */
static void test_database_away(void **state)
{
    (void)state;
    assert_true(tdb_is_pg());
    e2e t;
    e2e_init(&t, "away", NULL, "busy_timeout_ms = 500\n");
    assert_true(e2e_server_start(&t));
    CURL *c = curl_easy_init();
    char *b0 = batch_json(0, 0), *b1 = batch_json(0, 1);
    assert_int_equal(http(c, t.port, "/v1/batches", t.token, b0).status, 200);

    assert_int_equal(tdb_pg_cluster("pause"), 0);
    char status_path[128], surveys_path[128];
    snprintf(status_path, sizeof status_path, "/v1/kiosks/%s/status", TS_KIOSK);
    snprintf(surveys_path, sizeof surveys_path, "/v1/kiosks/%s/surveys", TS_KIOSK);
    const char *hb = "{\"kiosk_id\":\"" TS_KIOSK "\",\"version\":\"0.1.0\",\"uptime_s\":5,"
                     "\"queued\":0,\"rejected\":0,\"last_error\":null}";
    for (int i = 0; i < 5; i++) {
        reply r = http(c, t.port, "/v1/batches", t.token, b1);
        assert_int_equal(r.status, 503);
        assert_int_equal(r.retry_after, 1);
        r = http(c, t.port, status_path, t.token, hb);
        assert_int_equal(r.status, 503);
        assert_int_equal(r.retry_after, 1);
        r = http(c, t.port, surveys_path, t.token, NULL);
        assert_int_equal(r.status, 503);
        assert_int_equal(r.retry_after, 1);
    }
    assert_int_equal(tdb_pg_cluster("resume"), 0);
    reply r = http(c, t.port, "/v1/batches", t.token, b1);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"accepted\":2")); /* the third was in b0 */
    assert_int_equal(http(c, t.port, "/v1/batches", t.token, b1).status, 200);
    assert_int_equal(http(c, t.port, status_path, t.token, hb).status, 204);
    assert_int_equal(http(c, t.port, surveys_path, t.token, NULL).status, 200);
    assert_int_equal(tdb_int(t.coll_db, "SELECT count(*) FROM responses"), 5);
    free(b0);
    free(b1);
    curl_easy_cleanup(c);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* PostgreSQL restarted at random moments while the real kiosk uploads,
 * 20 times; the kiosk is told 503 and Retry-After while it is away, waits
 * and goes on. In the end the collector holds every response once. */
static void test_database_restarts_during_uploads(void **state)
{
    (void)state;
    assert_true(tdb_is_pg());
    e2e t;
    e2e_init(&t, "pgrestart", NULL, "busy_timeout_ms = 1000\n");
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    unsigned seed = (unsigned)time(NULL);
    print_message("seed %u\n", seed);
    srand(seed);
    char err_path[400];
    snprintf(err_path, sizeof err_path, "%s/sync.err", t.dir);
    const char *argv[] = {BK_BINARY, "sync", "--config", t.kiosk_ini, "--retries", "50", NULL};
    int restarts = 0, rounds = 0, told_503 = 0, total = 0;
    while (restarts < 20) {
        assert_true(++rounds < 100);
        if (ts_counts(t.kiosk_db).queued == 0) {
            ts_seed_store(t.kiosk_db, 300);
            total += 300;
        }
        pid_t pid = e2e_spawn(argv, NULL, err_path);
        usleep((useconds_t)(rand() % 150) * 1000);
        bool uploading = ts_counts(t.kiosk_db).queued > 0;
        assert_int_equal(tdb_pg_cluster("restart"), 0);
        assert_int_equal(e2e_wait_exit(pid), 0); /* it went on until everything was sent */
        char *err = ts_read_file(err_path, NULL);
        told_503 += err && strstr(err, "HTTP 503, Retry-After: 1") != NULL;
        free(err);
        restarts += uploading;
    }
    print_message("%d restarts during uploads (%d rounds, %d of them told 503 + Retry-After); "
                  "%d responses\n",
                  restarts, rounds, told_503, total);
    assert_true(told_503 > 0);
    assert_int_equal(ts_counts(t.kiosk_db).queued, 0);
    e2e_assert_holds_store(&t);
    e2e_server_stop(&t);
    e2e_assert_sound(&t);
    e2e_done(&t);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_instances_exactly_once),
        cmocka_unit_test(test_database_away),
        cmocka_unit_test(test_database_restarts_during_uploads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
