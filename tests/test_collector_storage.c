/* test_collector_storage.c: the collector's storage, on either backend
 * (tests/test_db_util.h: SQLite, or PostgreSQL with BK_TEST_PG): exactly-
 * once batches, conflicts, quarantine, atomicity, a locked database and an
 * exhausted pool, threads, surveys and their ETag, kiosks, heartbeats,
 * reading back, reopening, migrations, and (PostgreSQL) a server restart
 * between calls. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ingest.h"
#include "storage.h"
#include "test_db_util.h"
#include "test_store_util.h"

#define TOKEN_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define TOKEN_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define TOKEN_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

typedef struct fixture {
    char *dir;
    char *path;
    bk_virtual_clock vc;
    storage *st;
} fixture;

static storage *open_storage(fixture *f, int pool_size, int busy_timeout_ms)
{
    storage_options opt = {.database = f->path,
                           .busy_timeout_ms = busy_timeout_ms,
                           .pool_size = pool_size,
                           .clock = clock_virtual(&f->vc)};
    bk_diag diag = {0};
    storage *st = NULL;
    bk_err err = storage_open(&opt, &st, &diag);
    if (err != BK_OK)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_int_equal(err, BK_OK);
    assert_non_null(st);
    return st;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = tu_tmpdir();
    f->path = tdb_new(f->dir, "collector.db");
    f->vc.wall_ms = TU_T0_MS;
    f->st = open_storage(f, 2, 2000);
    assert_int_equal(storage_kiosk_add(f->st, "k1", "noord", TOKEN_A), BK_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    storage_close(f->st);
    tdb_drop(f->path);
    free(f->path);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

static char *dup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

/* Response number n: id and seq from n, two answers (q1 = n + answer_bias,
 * q2 = "bus"), body and its hash from those and variant. */
static void make_response(ingest_response *r, int n, const char *variant, int answer_bias)
{
    memset(r, 0, sizeof *r);
    snprintf(r->response_id, sizeof r->response_id, "00000000-0000-4000-8000-%012d", n);
    r->seq = n;
    r->survey_id = dup("buurt");
    r->survey_version = 1;
    r->mode = dup("survey");
    r->status = dup("complete");
    r->language = dup("nl");
    char at[32];
    r->started_ms = TU_T0_MS + (int64_t)n * 1000;
    r->started_at = dup(clock_format_rfc3339(r->started_ms, at, sizeof at));
    r->completed_ms = r->started_ms + 500;
    r->completed_at = dup(clock_format_rfc3339(r->completed_ms, at, sizeof at));
    r->n_flags = 1;
    r->flags = calloc(1, sizeof *r->flags);
    assert_non_null(r->flags);
    r->flags[0] = dup("test");
    r->n_answers = 2;
    r->answers = calloc(2, sizeof *r->answers);
    assert_non_null(r->answers);
    char value[24];
    snprintf(value, sizeof value, "%d", n + answer_bias);
    r->answers[0].question_id = dup("q1");
    r->answers[0].value_json = dup(value);
    r->answers[1].question_id = dup("q2");
    r->answers[1].value_json = dup("\"bus\"");
    char body[256];
    snprintf(body, sizeof body, "{\"response_id\":\"%s\",\"q1\":%s,\"variant\":\"%s\"}",
             r->response_id, value, variant);
    r->body = dup(body);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(r->body_sha256, sizeof r->body_sha256, h, sizeof h);
}

/* Batch number batch_no from kiosk with responses first .. first + count - 1. */
static void make_batch(ingest_batch *b, int batch_no, const char *kiosk, int first, int count,
                       const char *variant, int answer_bias)
{
    memset(b, 0, sizeof *b);
    snprintf(b->batch_id, sizeof b->batch_id, "10000000-0000-4000-8000-%012d", batch_no);
    snprintf(b->kiosk_id, sizeof b->kiosk_id, "%s", kiosk);
    snprintf(b->created_at, sizeof b->created_at, "2026-11-29T10:00:00.000Z");
    b->responses = calloc((size_t)count, sizeof *b->responses);
    assert_non_null(b->responses);
    b->n_responses = (size_t)count;
    for (int i = 0; i < count; i++)
        make_response(&b->responses[i], first + i, variant, answer_bias);
}

static storage_batch_result store_batch_k1(storage *st, int batch_no, int first, int count,
                                           const char *variant, int answer_bias)
{
    ingest_batch b;
    make_batch(&b, batch_no, "k1", first, count, variant, answer_bias);
    storage_batch_result res;
    assert_int_equal(storage_batch_store(st, "k1", &b, &res), BK_OK);
    ingest_batch_clear(&b);
    return res;
}

/* ---- collecting rows ---- */

typedef struct collected {
    int n;
    char ids[64][40];
    int64_t q1[64];
    char batch[64][40];
    char area[64][INGEST_ID_MAX + 1];
    int stop_after; /* > 0: stop after this many */
} collected;

static int collect(const response_row *row, void *ctx)
{
    collected *c = ctx;
    if (c->n < 64) {
        snprintf(c->ids[c->n], sizeof c->ids[0], "%s", row->response_id);
        snprintf(c->batch[c->n], sizeof c->batch[0], "%s", row->batch_id ? row->batch_id : "");
        snprintf(c->area[c->n], sizeof c->area[0], "%s", row->area ? row->area : "");
        c->q1[c->n] = row->n_answers ? atoll(row->answers[0].value_json) : -1;
    }
    c->n++;
    return c->stop_after > 0 && c->n >= c->stop_after;
}

static collected responses(storage *st, const char *area, int64_t since, bool quarantined)
{
    collected c = {0};
    storage_filter filter = {.area = area, .since_ms = since, .with_quarantined = quarantined};
    assert_int_equal(storage_foreach_response(st, &filter, collect, &c), BK_OK);
    return c;
}

static int count_total(const storage_count_row *row, void *ctx)
{
    storage_count_row *sum = ctx;
    sum->responses += row->responses;
    sum->quarantined += row->quarantined;
    sum->conflicts += row->conflicts;
    return 0;
}

static storage_count_row totals(storage *st)
{
    storage_count_row sum = {0};
    assert_int_equal(storage_counts(st, count_total, &sum), BK_OK);
    return sum;
}

typedef struct problems {
    int n_quarantine, n_conflict;
    char last_body[256];
    char last_reason[128];
    char last_batch[40];
} problems;

static int collect_problem(const storage_problem_row *row, void *ctx)
{
    problems *p = ctx;
    if (strcmp(row->kind, "conflict") == 0) {
        p->n_conflict++;
        assert_null(row->reason);
    } else {
        assert_string_equal(row->kind, "quarantine");
        p->n_quarantine++;
        snprintf(p->last_reason, sizeof p->last_reason, "%s", row->reason);
    }
    snprintf(p->last_body, sizeof p->last_body, "%s", row->body);
    snprintf(p->last_batch, sizeof p->last_batch, "%s", row->batch_id);
    return 0;
}

/* ---- batches ---- */

static void test_exactly_once(void **state)
{
    fixture *f = *state;
    storage_batch_result res = store_batch_k1(f->st, 1, 1, 3, "a", 0);
    assert_int_equal(res.accepted, 3);
    assert_int_equal(res.duplicates, 0);
    assert_false(res.repeated);

    res = store_batch_k1(f->st, 1, 1, 3, "a", 0); /* the same batch again */
    assert_int_equal(res.accepted, 0);
    assert_int_equal(res.duplicates, 3);
    assert_int_equal(res.conflicts, 0);
    assert_true(res.repeated);

    res = store_batch_k1(f->st, 2, 2, 3, "a", 0); /* a new batch overlapping the first */
    assert_int_equal(res.accepted, 1);
    assert_int_equal(res.duplicates, 2);
    assert_false(res.repeated);

    collected c = responses(f->st, NULL, 0, false);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.batch[0], "10000000-0000-4000-8000-000000000001");
    assert_string_equal(c.batch[1], "10000000-0000-4000-8000-000000000001");
    assert_string_equal(c.batch[3], "10000000-0000-4000-8000-000000000002");
    assert_int_equal(totals(f->st).responses, 4);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM answers"), 8);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM batches"), 2);
    /* The first storing's counts are the batch's record. */
    assert_int_equal(tdb_int(f->path, "SELECT accepted FROM batches WHERE batch_id ="
                                      " '10000000-0000-4000-8000-000000000001'"),
                     3);
}

/* Responses in a batch in any order of their ids (a kiosk's are random
 * UUIDs), one of them twice: every new one stored with all its answers,
 * the second copy a duplicate. */
static void test_unsorted_ids(void **state)
{
    fixture *f = *state;
    ingest_batch b;
    make_batch(&b, 1, "k1", 1, 6, "a", 0);
    /* ids 5, 4, 3, 2, 1, then 3 again */
    for (int i = 0; i < 2; i++) {
        ingest_response tmp = b.responses[i];
        b.responses[i] = b.responses[4 - i];
        b.responses[4 - i] = tmp;
    }
    ingest_response_clear(&b.responses[5]);
    make_response(&b.responses[5], 3, "a", 0);
    storage_batch_result res;
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    ingest_batch_clear(&b);
    assert_int_equal(res.accepted, 5);
    assert_int_equal(res.duplicates, 1);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM answers"), 10);
    assert_int_equal(tdb_int(f->path, "SELECT count(DISTINCT response_id) FROM answers"), 5);
    collected c = responses(f->st, NULL, 0, false);
    assert_int_equal(c.n, 5);
}

static void test_conflict(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_batch_k1(f->st, 1, 1, 2, "a", 0).accepted, 2);

    storage_batch_result res = store_batch_k1(f->st, 2, 1, 1, "b", 100); /* other body, same id */
    assert_int_equal(res.accepted, 0);
    assert_int_equal(res.conflicts, 1);
    assert_int_equal(res.duplicates, 0);

    res = store_batch_k1(f->st, 3, 1, 1, "b", 100); /* that conflicting version again */
    assert_int_equal(res.conflicts, 0);
    assert_int_equal(res.duplicates, 1);

    res = store_batch_k1(f->st, 4, 1, 1, "c", 200); /* a third version */
    assert_int_equal(res.conflicts, 1);

    /* The first version is unchanged and the only one read back. */
    collected c = responses(f->st, NULL, 0, true);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ids[0], "00000000-0000-4000-8000-000000000001");
    assert_int_equal(c.q1[0], 1);
    assert_string_equal(c.batch[0], "10000000-0000-4000-8000-000000000001");

    problems p = {0};
    assert_int_equal(storage_foreach_problem(f->st, collect_problem, &p), BK_OK);
    assert_int_equal(p.n_conflict, 2);
    assert_int_equal(p.n_quarantine, 0);
    assert_non_null(strstr(p.last_body, "\"variant\":\"c\""));
    assert_string_equal(p.last_batch, "10000000-0000-4000-8000-000000000004");

    storage_count_row t = totals(f->st);
    assert_int_equal(t.responses, 2);
    assert_int_equal(t.conflicts, 2);
}

static void test_quarantine(void **state)
{
    fixture *f = *state;
    ingest_batch b;
    make_batch(&b, 1, "k1", 1, 3, "a", 0);
    b.responses[1].quarantine = dup("q9: no such question");
    storage_batch_result res;
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    assert_int_equal(res.accepted, 3);
    assert_int_equal(res.quarantined, 1);

    /* Sent again: a duplicate like any other. */
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    assert_int_equal(res.duplicates, 3);
    assert_int_equal(res.quarantined, 0);
    ingest_batch_clear(&b);

    storage_count_row t = totals(f->st);
    assert_int_equal(t.responses, 2);
    assert_int_equal(t.quarantined, 1);
    collected c = responses(f->st, NULL, 0, false);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ids[1], "00000000-0000-4000-8000-000000000003");
    c = responses(f->st, NULL, 0, true);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.ids[1], "00000000-0000-4000-8000-000000000002");

    problems p = {0};
    assert_int_equal(storage_foreach_problem(f->st, collect_problem, &p), BK_OK);
    assert_int_equal(p.n_quarantine, 1);
    assert_string_equal(p.last_reason, "q9: no such question");
    assert_non_null(strstr(p.last_body, "000000000002"));
}

static void test_atomic(void **state)
{
    fixture *f = *state;
    ingest_batch b;
    make_batch(&b, 1, "k1", 1, 3, "a", 0);
    free(b.responses[1].survey_id); /* violates NOT NULL */
    b.responses[1].survey_id = NULL;
    storage_batch_result res = {.accepted = 99};
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_ERR_INVALID);
    assert_int_equal(res.accepted, 0);
    assert_int_equal(responses(f->st, NULL, 0, true).n, 0);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM answers"), 0);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM batches"), 0);

    /* A response without a hash is refused the same way. */
    b.responses[1].survey_id = dup("buurt");
    b.responses[2].body_sha256[0] = '\0';
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_ERR_INVALID);
    assert_int_equal(responses(f->st, NULL, 0, true).n, 0);

    /* Fixed, the same batch id is new: nothing of the failures was kept. */
    ingest_response_clear(&b.responses[2]);
    make_response(&b.responses[2], 3, "a", 0);
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    assert_int_equal(res.accepted, 3);
    assert_false(res.repeated);

    /* A batch from a kiosk that is not registered. */
    ingest_batch other;
    make_batch(&other, 2, "nobody", 10, 1, "a", 0);
    assert_int_equal(storage_batch_store(f->st, "nobody", &other, &res), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_batch_store(f->st, "k1", &other, &res), BK_ERR_INVALID);
    ingest_batch_clear(&other);
    ingest_batch_clear(&b);
    assert_int_equal(responses(f->st, NULL, 0, true).n, 3);
}

static void test_busy(void **state)
{
    fixture *f = *state;
    storage_close(f->st);
    f->st = open_storage(f, 2, 100);

    tdb_lock *lock = tdb_lock_writes(f->path);

    ingest_batch b;
    make_batch(&b, 1, "k1", 1, 2, "a", 0);
    storage_batch_result res;
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_ERR_BUSY);
    assert_int_equal(storage_status_put(f->st, "k1", "{}", 0, 0, NULL), BK_ERR_BUSY);
    assert_int_equal(storage_kiosk_add(f->st, "k2", NULL, TOKEN_B), BK_ERR_BUSY);
    /* Reading goes on beside a writer (WAL; PostgreSQL's MVCC). */
    storage_kiosk k;
    assert_int_equal(storage_kiosk_get(f->st, "k1", &k), BK_OK);
    assert_int_equal(responses(f->st, NULL, 0, true).n, 0);

    tdb_unlock(lock);
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    assert_int_equal(res.accepted, 2);
    ingest_batch_clear(&b);
}

typedef struct nested {
    storage *st;
    bk_err inner;
} nested;

static int call_inside(const response_row *row, void *ctx)
{
    nested *n = ctx;
    storage_kiosk other;
    n->inner = storage_kiosk_get(n->st, row->kiosk_id, &other);
    return 1;
}

static void test_pool_exhausted(void **state)
{
    fixture *f = *state;
    store_batch_k1(f->st, 1, 1, 1, "a", 0);
    storage_close(f->st);
    f->st = open_storage(f, 1, 50);
    /* The only connection is in use by the outer call, which reads the
     * responses one at a time while it calls back. */
    nested n = {.st = f->st, .inner = BK_OK};
    assert_int_equal(storage_foreach_response(f->st, NULL, call_inside, &n), BK_OK);
    assert_int_equal(n.inner, BK_ERR_BUSY);
    /* Given back afterwards. */
    storage_kiosk k;
    assert_int_equal(storage_kiosk_get(f->st, "k1", &k), BK_OK);
}

/* ---- threads ---- */

#define T_THREADS 4
#define T_BATCHES 12
#define T_PER_BATCH 8
#define T_RESPONSES 40

typedef struct worker {
    storage *st;
    int thread;
    bk_err err;
    int accepted, duplicates, conflicts, stored;
    bool seen[T_RESPONSES + 1];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int j = 0; j < T_BATCHES && w->err == BK_OK; j++) {
        ingest_batch b;
        memset(&b, 0, sizeof b);
        snprintf(b.batch_id, sizeof b.batch_id, "20000000-0000-4000-8000-%06d%06d", w->thread, j);
        snprintf(b.kiosk_id, sizeof b.kiosk_id, "k1");
        b.responses = calloc(T_PER_BATCH, sizeof *b.responses);
        if (!b.responses) {
            w->err = BK_ERR_NOMEM;
            break;
        }
        b.n_responses = T_PER_BATCH;
        int first = (w->thread * 3 + j * 5) % T_RESPONSES;
        for (int i = 0; i < T_PER_BATCH; i++) {
            int n = (first + i) % T_RESPONSES + 1;
            make_response(&b.responses[i], n, "a", 0);
            w->seen[n] = true;
        }
        storage_batch_result res;
        w->err = storage_batch_store(w->st, "k1", &b, &res);
        w->accepted += res.accepted;
        w->duplicates += res.duplicates;
        w->conflicts += res.conflicts;
        w->stored += T_PER_BATCH;
        ingest_batch_clear(&b);
    }
    return NULL;
}

static void test_threads(void **state)
{
    fixture *f = *state;
    storage_close(f->st);
    f->st = open_storage(f, 3, 20000);
    worker w[T_THREADS];
    pthread_t t[T_THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < T_THREADS; i++) {
        w[i].st = f->st;
        w[i].thread = i;
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int accepted = 0, duplicates = 0, conflicts = 0, stored = 0, distinct = 0;
    bool seen[T_RESPONSES + 1] = {false};
    for (int i = 0; i < T_THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].err, BK_OK);
        accepted += w[i].accepted;
        duplicates += w[i].duplicates;
        conflicts += w[i].conflicts;
        stored += w[i].stored;
        for (int n = 1; n <= T_RESPONSES; n++)
            seen[n] |= w[i].seen[n];
    }
    for (int n = 1; n <= T_RESPONSES; n++)
        distinct += seen[n];
    assert_true(distinct > T_PER_BATCH);
    assert_int_equal(accepted, distinct);
    assert_int_equal(duplicates, stored - distinct);
    assert_int_equal(conflicts, 0);
    assert_int_equal(responses(f->st, NULL, 0, true).n, distinct);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM answers"), 2 * distinct);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM batches"), T_THREADS * T_BATCHES);
}

/* ---- surveys ---- */

static void surveys_of(storage *st, const char *kiosk, char **body, char etag[70])
{
    assert_int_equal(storage_surveys_for_kiosk(st, kiosk, body, etag), BK_OK);
    assert_non_null(*body);
    assert_int_equal(strlen(etag), 66);
    assert_int_equal(etag[0], '"');
    assert_int_equal(etag[65], '"');
}

static void test_surveys(void **state)
{
    fixture *f = *state;
    const char *a1 = "{\"id\":\"a\",\"version\":1,\"title\":\"A\"}";
    const char *a2 = "{\"id\":\"a\",\"version\":2,\"title\":\"A2\"}";
    const char *b1 = "{\"id\":\"b\",\"version\":1,\"title\":\"B\"}";
    char *body = NULL;
    char etag[70], etag2[70];
    assert_int_equal(storage_surveys_for_kiosk(f->st, "k1", &body, etag), BK_ERR_NOT_FOUND);
    assert_null(body);
    assert_int_equal(storage_kiosk_add(f->st, "k2", "zuid", TOKEN_B), BK_OK);
    assert_int_equal(storage_kiosk_add(f->st, "k3", NULL, TOKEN_C), BK_OK);

    assert_int_equal(storage_survey_publish(f->st, "a", 1, a1, STORAGE_TARGET_ALL, NULL), BK_OK);
    surveys_of(f->st, "k1", &body, etag);
    assert_string_equal(body, "{\"surveys\":[{\"id\":\"a\",\"version\":1,\"title\":\"A\"}],"
                              "\"active\":\"a\"}");
    free(body);
    /* Stable: asked again, and after the same publication again. */
    surveys_of(f->st, "k1", &body, etag2);
    free(body);
    assert_string_equal(etag, etag2);
    assert_int_equal(storage_survey_publish(f->st, "a", 1, a1, STORAGE_TARGET_ALL, NULL), BK_OK);
    surveys_of(f->st, "k1", &body, etag2);
    free(body);
    assert_string_equal(etag, etag2);
    /* The same version with another text is refused. */
    assert_int_equal(storage_survey_publish(f->st, "a", 1, a2, STORAGE_TARGET_ALL, NULL),
                     BK_ERR_STATE);
    assert_int_equal(storage_survey_publish(f->st, "a", 2, "not json", STORAGE_TARGET_ALL, NULL),
                     BK_ERR_INVALID);
    assert_int_equal(storage_survey_publish(f->st, "a", 2, a2, STORAGE_TARGET_AREA, NULL),
                     BK_ERR_INVALID);

    /* An area's survey is active in that area only. */
    assert_int_equal(storage_survey_publish(f->st, "b", 1, b1, STORAGE_TARGET_AREA, "noord"),
                     BK_OK);
    surveys_of(f->st, "k1", &body, etag2);
    assert_string_not_equal(etag, etag2);
    assert_string_equal(body, "{\"surveys\":[{\"id\":\"a\",\"version\":1,\"title\":\"A\"},"
                              "{\"id\":\"b\",\"version\":1,\"title\":\"B\"}],\"active\":\"b\"}");
    free(body);
    surveys_of(f->st, "k2", &body, etag2);
    assert_string_equal(etag, etag2); /* nothing changed for k2 */
    free(body);

    /* A kiosk's own publication wins over its area's. */
    assert_int_equal(storage_survey_publish(f->st, "a", 2, a2, STORAGE_TARGET_KIOSK, "k1"), BK_OK);
    surveys_of(f->st, "k1", &body, etag2);
    assert_string_equal(body, "{\"surveys\":[{\"id\":\"a\",\"version\":2,\"title\":\"A2\"},"
                              "{\"id\":\"b\",\"version\":1,\"title\":\"B\"}],\"active\":\"a\"}");
    free(body);
    surveys_of(f->st, "k3", &body, etag2);
    assert_string_equal(body, "{\"surveys\":[{\"id\":\"a\",\"version\":1,\"title\":\"A\"}],"
                              "\"active\":\"a\"}");
    free(body);
    assert_int_equal(storage_surveys_for_kiosk(f->st, "nobody", &body, etag), BK_ERR_NOT_FOUND);

    char *json = NULL;
    assert_int_equal(storage_survey_get(f->st, "a", 2, &json), BK_OK);
    assert_string_equal(json, a2);
    free(json);
    assert_int_equal(storage_survey_get(f->st, "a", 3, &json), BK_ERR_NOT_FOUND);
    assert_null(json);
}

/* ---- kiosks and heartbeats ---- */

static int list_kiosk(const storage_kiosk *k, void *ctx)
{
    char *ids = ctx;
    strncat(ids, k->id, 63 - strlen(ids));
    strncat(ids, k->revoked ? "-," : ",", 63 - strlen(ids));
    return 0;
}

static void test_kiosks(void **state)
{
    fixture *f = *state;
    assert_int_equal(storage_kiosk_add(f->st, "k1", "zuid", TOKEN_B), BK_ERR_STATE);
    assert_int_equal(storage_kiosk_add(f->st, "k2", "zuid", TOKEN_A), BK_ERR_STATE);
    assert_int_equal(storage_kiosk_add(f->st, "k2", "zuid", "short"), BK_ERR_INVALID);
    assert_int_equal(storage_kiosk_add(f->st, "", NULL, TOKEN_B), BK_ERR_INVALID);
    clock_virtual_advance(&f->vc, 1000);
    assert_int_equal(storage_kiosk_add(f->st, "k0", "", TOKEN_B), BK_OK);

    storage_kiosk k;
    assert_int_equal(storage_kiosk_by_token(f->st, TOKEN_A, &k), BK_OK);
    assert_string_equal(k.id, "k1");
    assert_string_equal(k.area, "noord");
    assert_false(k.revoked);
    assert_int_equal(k.created_ms, TU_T0_MS);
    assert_int_equal(k.last_heartbeat_ms, 0);
    assert_int_equal(storage_kiosk_by_token(f->st, TOKEN_C, &k), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_kiosk_get(f->st, "k0", &k), BK_OK);
    assert_string_equal(k.area, "");
    assert_int_equal(k.created_ms, TU_T0_MS + 1000);

    assert_int_equal(storage_kiosk_revoke(f->st, "k1"), BK_OK);
    assert_int_equal(storage_kiosk_revoke(f->st, "k1"), BK_OK);
    assert_int_equal(storage_kiosk_revoke(f->st, "nobody"), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_kiosk_by_token(f->st, TOKEN_A, &k), BK_OK);
    assert_true(k.revoked);
    /* Revoked is for good: the id stays taken. */
    assert_int_equal(storage_kiosk_add(f->st, "k1", "noord", TOKEN_C), BK_ERR_STATE);

    char ids[64] = "";
    assert_int_equal(storage_kiosk_foreach(f->st, list_kiosk, ids), BK_OK);
    assert_string_equal(ids, "k0,k1-,");
}

static void test_heartbeat(void **state)
{
    fixture *f = *state;
    assert_int_equal(storage_status_put(f->st, "k1", "{\"queued\":3}", 3, 0, "TLS: expired"),
                     BK_OK);
    clock_virtual_advance(&f->vc, 60000);
    assert_int_equal(storage_status_put(f->st, "k1", "{\"queued\":1}", 1, 2, NULL), BK_OK);
    assert_int_equal(storage_status_put(f->st, "nobody", "{}", 1, 2, NULL), BK_ERR_NOT_FOUND);

    storage_kiosk k;
    assert_int_equal(storage_kiosk_get(f->st, "k1", &k), BK_OK);
    assert_int_equal(k.last_heartbeat_ms, TU_T0_MS + 60000);
    assert_int_equal(k.queued, 1);
    assert_int_equal(k.rejected, 2);
    assert_string_equal(k.last_error, "");
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM kiosk_status"), 1);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM kiosk_status_history"), 2);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM kiosk_status_history"
                                      " WHERE last_error = 'TLS: expired' AND queued = 3"),
                     1);

    /* A long error is cut at a character boundary. */
    char long_error[600];
    memset(long_error, 'x', sizeof long_error);
    memcpy(long_error + 254, "\xc3\xa9", 2); /* é across the cut */
    long_error[sizeof long_error - 1] = '\0';
    assert_int_equal(storage_status_put(f->st, "k1", "{}", 0, 0, long_error), BK_OK);
    assert_int_equal(storage_kiosk_get(f->st, "k1", &k), BK_OK);
    assert_int_equal(strlen(k.last_error), 254);
}

/* ---- reading back ---- */

static void test_foreach(void **state)
{
    fixture *f = *state;
    assert_int_equal(storage_kiosk_add(f->st, "k2", "zuid", TOKEN_B), BK_OK);
    ingest_batch b;
    make_batch(&b, 1, "k1", 1, 3, "a", 0);
    b.responses[2].area = dup("zuid");
    free(b.responses[0].completed_at);
    b.responses[0].completed_at = NULL;
    storage_batch_result res;
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    ingest_batch_clear(&b);
    make_batch(&b, 2, "k2", 10, 2, "a", 0);
    assert_int_equal(storage_batch_store(f->st, "k2", &b, &res), BK_OK);
    ingest_batch_clear(&b);

    collected c = responses(f->st, NULL, 0, false);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.ids[0], "00000000-0000-4000-8000-000000000001"); /* k1 first */
    assert_string_equal(c.ids[3], "00000000-0000-4000-8000-000000000010");
    assert_string_equal(c.area[2], "zuid");
    /* By area: the response's own, else its kiosk's. */
    c = responses(f->st, "noord", 0, false);
    assert_int_equal(c.n, 2);
    c = responses(f->st, "zuid", 0, false);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.ids[0], "00000000-0000-4000-8000-000000000003");
    c = responses(f->st, "west", 0, false);
    assert_int_equal(c.n, 0);
    /* Started at or after. */
    c = responses(f->st, NULL, TU_T0_MS + 3000, false);
    assert_int_equal(c.n, 3);
    /* fn stops it. */
    c = (collected){.stop_after = 2};
    assert_int_equal(storage_foreach_response(f->st, NULL, collect, &c), BK_OK);
    assert_int_equal(c.n, 2);
}

/* The row is the PROTOCOL.md record: check it through response_to_json. */
static int row_json(const response_row *row, void *ctx)
{
    bk_err err;
    char *json = response_to_json(row, &err);
    assert_non_null(json);
    snprintf(ctx, 1024, "%s", json);
    free(json);
    return 1;
}

static void test_row_fields(void **state)
{
    fixture *f = *state;
    ingest_batch b;
    make_batch(&b, 1, "k1", 7, 1, "a", 0);
    free(b.responses[0].answers[1].value_json);
    b.responses[0].answers[1].value_json = dup("[\"park\",\"speeltuin\"]");
    storage_batch_result res;
    assert_int_equal(storage_batch_store(f->st, "k1", &b, &res), BK_OK);
    ingest_batch_clear(&b);
    char json[1024] = "";
    assert_int_equal(storage_foreach_response(f->st, NULL, row_json, json), BK_OK);
    assert_string_equal(
        json, "{\"kiosk_id\":\"k1\",\"response_id\":\"00000000-0000-4000-8000-000000000007\","
              "\"seq\":7,\"survey_id\":\"buurt\",\"survey_version\":1,"
              "\"mode\":\"survey\",\"status\":\"complete\",\"language\":\"nl\","
              "\"area\":null,\"started_at\":\"2026-11-29T10:00:07.000Z\","
              "\"completed_at\":\"2026-11-29T10:00:07.500Z\","
              "\"flags\":[\"test\"],\"answers\":[{\"question_id\":\"q1\","
              "\"value\":7},{\"question_id\":\"q2\",\"value\":[\"park\","
              "\"speeltuin\"]}]}");
}

/* ---- opening ---- */

static void test_reopen(void **state)
{
    fixture *f = *state;
    store_batch_k1(f->st, 1, 1, 3, "a", 0);
    assert_int_equal(
        storage_survey_publish(f->st, "a", 1, "{\"id\":\"a\"}", STORAGE_TARGET_ALL, NULL), BK_OK);
    assert_int_equal(storage_status_put(f->st, "k1", "{}", 5, 0, NULL), BK_OK);
    int v = 0;
    assert_int_equal(storage_database_version(f->st, &v), BK_OK);
    assert_int_equal(v, storage_schema_version());
    assert_true(v >= 1);
    storage_close(f->st);
    f->st = NULL;
    if (!tdb_is_pg()) {
        /* A clean close checkpoints: the WAL is gone. */
        char *wal = tu_path(f->dir, "collector.db-wal");
        assert_null(fopen(wal, "r"));
        free(wal);
    }

    f->st = open_storage(f, 2, 2000);
    assert_int_equal(storage_database_version(f->st, &v), BK_OK);
    assert_int_equal(v, storage_schema_version());
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM schema_version"),
                     storage_schema_version());
    assert_int_equal(responses(f->st, NULL, 0, false).n, 3);
    storage_kiosk k;
    assert_int_equal(storage_kiosk_by_token(f->st, TOKEN_A, &k), BK_OK);
    assert_int_equal(k.queued, 5);
    char *body = NULL;
    char etag[70];
    surveys_of(f->st, "k1", &body, etag);
    free(body);
    assert_int_equal(store_batch_k1(f->st, 1, 1, 3, "a", 0).duplicates, 3);

    bk_diag diag = {0};
    assert_int_equal(storage_check(f->st, &diag), BK_OK);
    assert_int_equal(diag.count, 0);
    if (!tdb_is_pg())
        assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM pragma_journal_mode"
                                          " WHERE journal_mode = 'wal'"),
                         1);
}

static void test_newer_schema_refused(void **state)
{
    fixture *f = *state;
    storage_close(f->st);
    f->st = NULL;
    tdb_exec(f->path, "INSERT INTO schema_version VALUES (999, 0)");
    storage_options opt = {.database = f->path, .busy_timeout_ms = 100, .pool_size = 1};
    bk_diag diag = {0};
    storage *st = NULL;
    assert_int_equal(storage_open(&opt, &st, &diag), BK_ERR_STATE);
    assert_null(st);
    assert_true(diag_contains(&diag, "DATABASE: "));
    assert_true(diag_contains(&diag, "schema version 999"));
    diag_clear(&diag);

    opt.pool_size = 0;
    assert_int_equal(storage_open(&opt, &st, &diag), BK_ERR_INVALID);
    diag_clear(&diag);
    storage_close(NULL);
}

static void test_not_a_database(void **state)
{
    fixture *f = *state;
    /* A file that is not SQLite; a PostgreSQL database that does not exist. */
    char *path = tdb_broken(f->dir);
    storage_options opt = {.database = path, .busy_timeout_ms = 100, .pool_size = 1};
    bk_diag diag = {0};
    storage *st = NULL;
    bk_err err = storage_open(&opt, &st, &diag);
    assert_int_equal(err, tdb_is_pg() ? BK_ERR_NETWORK : BK_ERR_CORRUPT);
    assert_null(st);
    assert_true(diag_contains(&diag, "DATABASE: "));
    diag_clear(&diag);
    free(path);
}

/* ---- accounts ---- */

typedef struct user_list {
    int n;
    char names[8][INGEST_ID_MAX + 1];
    storage_user last;
} user_list;

static int collect_user(const storage_user *u, void *ctx)
{
    user_list *l = ctx;
    if (l->n < 8)
        snprintf(l->names[l->n], sizeof l->names[0], "%s", u->name);
    l->n++;
    l->last = *u;
    return 0;
}

static storage_user user_of(const char *name, storage_role role, const char *areas)
{
    storage_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = role;
    snprintf(u.areas, sizeof u.areas, "%s", areas);
    return u;
}

#define HASH "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"

/* Accounts: added with their hash, listed in name order, refused when
 * taken or against the role's rules, removed; each change in the audit
 * log, in the same transaction. */
static void test_users(void **state)
{
    fixture *f = *state;
    storage_user anna = user_of("anna", STORAGE_ROLE_WIJKMAKELAAR, "dorst,oosterheide-oost");
    storage_user bob = user_of("bob.de-vries@oosterhout", STORAGE_ROLE_ADMIN, "");
    storage_user cees = user_of("cees", STORAGE_ROLE_VIEWER, "");
    assert_int_equal(storage_user_add(f->st, &cees, HASH, "cli:test"), BK_OK);
    assert_int_equal(storage_user_add(f->st, &anna, HASH, "cli:test"), BK_OK);
    assert_int_equal(storage_user_add(f->st, &bob, HASH, "cli:test"), BK_OK);
    assert_int_equal(storage_user_add(f->st, &anna, HASH, "cli:test"), BK_ERR_STATE);

    storage_user bad = user_of("dirk", STORAGE_ROLE_WIJKMAKELAAR, "");
    assert_string_equal(storage_user_problem(&bad), "a wijkmakelaar needs the areas they work in");
    assert_int_equal(storage_user_add(f->st, &bad, HASH, "cli:test"), BK_ERR_INVALID);
    bad = user_of("dirk", STORAGE_ROLE_VIEWER, "dorst");
    assert_int_equal(storage_user_add(f->st, &bad, HASH, "cli:test"), BK_ERR_INVALID);
    bad = user_of("dirk jansen", STORAGE_ROLE_ADMIN, "");
    assert_int_equal(storage_user_add(f->st, &bad, HASH, "cli:test"), BK_ERR_INVALID);
    bad = user_of("dirk", STORAGE_ROLE_WIJKMAKELAAR, "dorst,,centrum");
    assert_int_equal(storage_user_add(f->st, &bad, HASH, "cli:test"), BK_ERR_INVALID);
    assert_int_equal(storage_user_add(f->st, &cees, "", "cli:test"), BK_ERR_INVALID);

    user_list l = {0};
    assert_int_equal(storage_user_foreach(f->st, collect_user, &l), BK_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.names[0], "anna");
    assert_string_equal(l.names[1], "bob.de-vries@oosterhout");
    assert_string_equal(l.names[2], "cees");
    assert_int_equal(l.last.role, STORAGE_ROLE_VIEWER);
    assert_int_equal(l.last.created_ms, TU_T0_MS);

    assert_int_equal(storage_user_remove(f->st, "bob.de-vries@oosterhout", "cli:test"), BK_OK);
    assert_int_equal(storage_user_remove(f->st, "bob.de-vries@oosterhout", "cli:test"),
                     BK_ERR_NOT_FOUND);
    memset(&l, 0, sizeof l);
    assert_int_equal(storage_user_foreach(f->st, collect_user, &l), BK_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM users WHERE password_hash = '" HASH
                                      "' AND areas = 'dorst,oosterheide-oost'"),
                     1);
    /* Three added, one removed; nothing for what was refused. */
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM audit_log"), 4);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM audit_log WHERE action = 'user remove'"
                                      " AND subject = 'bob.de-vries@oosterhout'"
                                      " AND actor = 'cli:test'"),
                     1);
}

/* A database of schema version 1 (before accounts) is migrated to the
 * current one when it is opened, its data kept. */
static void test_migrate_from_1(void **state)
{
    fixture *f = *state;
    store_batch_k1(f->st, 1, 1, 3, "a", 0);
    storage_close(f->st);
    f->st = NULL;
    /* Back to version 1: what versions 2 to 4 added is gone. */
    tdb_exec(f->path, "DROP TABLE dash_meta");
    tdb_exec(f->path, "DROP TABLE dash_scores");
    tdb_exec(f->path, "DROP TABLE dash_values");
    tdb_exec(f->path, "DROP TABLE dash_counts");
    tdb_exec(f->path, "DROP TABLE dash_questions");
    tdb_exec(f->path, "DROP INDEX responses_untallied");
    tdb_exec(f->path, "ALTER TABLE responses DROP COLUMN tallied");
    tdb_exec(f->path, "DROP TABLE moderation");
    tdb_exec(f->path, "DROP TABLE api_keys");
    tdb_exec(f->path, "DROP TABLE sessions");
    tdb_exec(f->path, "DROP INDEX responses_survey_started");
    tdb_exec(f->path, "DROP TABLE audit_log");
    tdb_exec(f->path, "DROP TABLE users");
    tdb_exec(f->path, "DELETE FROM schema_version WHERE version >= 2");
    f->st = open_storage(f, 2, 2000);
    int v = 0;
    assert_int_equal(storage_database_version(f->st, &v), BK_OK);
    assert_int_equal(v, storage_schema_version());
    assert_int_equal(tdb_int(f->path, "SELECT max(version) FROM schema_version"), 4);
    storage_user u = user_of("anna", STORAGE_ROLE_ADMIN, "");
    assert_int_equal(storage_user_add(f->st, &u, HASH, "cli:test"), BK_OK);
    assert_int_equal(responses(f->st, NULL, 0, false).n, 3);
}

/* PostgreSQL restarted between two calls: the pooled connections broke
 * while idle; the next calls reconnect by themselves and nothing is lost
 * or doubled. While the server is away, calls fail with BK_ERR_NETWORK. */
static void test_server_restart(void **state)
{
    fixture *f = *state;
    if (!tdb_is_pg())
        skip(); /* an SQLite file has no server to lose */
    assert_int_equal(store_batch_k1(f->st, 1, 1, 3, "a", 0).accepted, 3);
    storage_kiosk k;
    assert_int_equal(storage_kiosk_get(f->st, "k1", &k), BK_OK); /* both connections used */
    assert_int_equal(tdb_pg_cluster("restart"), 0);
    assert_int_equal(store_batch_k1(f->st, 2, 3, 3, "a", 0).accepted, 2);
    assert_int_equal(storage_kiosk_get(f->st, "k1", &k), BK_OK);
    assert_int_equal(storage_status_put(f->st, "k1", "{}", 1, 0, NULL), BK_OK);
    assert_int_equal(responses(f->st, NULL, 0, false).n, 5);
    assert_int_equal(totals(f->st).responses, 5);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM answers"), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsorted_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_surveys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_1, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
