/* test_collector_e2e.c: the real kiosk against the real collector, both as
 * programs. Replays and seeded stores, `buurtkiosk sync`, then the
 * collector's own export: every response once, every value as the kiosk
 * holds it. Every status path provoked for real (revoked token, another
 * kiosk's token, a batch over the limit, a malformed batch, a busy store),
 * a USB export imported, and the collector killed with SIGKILL 100 times
 * during uploads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_collector_util.h"
#include "test_db_util.h"
#include "test_sync_common.h"

/* ---- the tests ---- */

/* Residents tap through replays, the kiosk syncs: the collector's export
 * holds every response once, every value as the kiosk stored it, and the
 * replays' responses (which fit the published survey) are counted. A
 * second sync adds nothing. */
static void test_replays_then_sync(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "replay", NULL, NULL);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    const char *replays[] = {"demo-nl.replay", "english.replay", "text-accents.replay",
                             "multi-max.replay", "skip-back.replay"};
    for (size_t i = 0; i < sizeof replays / sizeof replays[0]; i++)
        e2e_kiosk_replay(&t, replays[i]);
    /* The kiosk's own sync worker may have sent some while it ran. */
    store_counts before = ts_counts(t.kiosk_db);
    int64_t finished = before.queued + before.delivered;
    assert_true(finished >= 5);

    char *err = NULL;
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 0);
    assert_non_null(strstr(err, "nothing left to send"));
    free(err);
    e2e_assert_holds_store(&t);

    /* They fit buurtpeiling version 1: all counted, none quarantined. */
    json_t *counted = e2e_collector_dump(&t, false);
    assert_int_equal(json_array_size(json_object_get(counted, "order")), finished);
    /* demo-nl.replay's resident: the values as tapped. */
    bool found = false;
    const char *id;
    json_t *r;
    json_object_foreach(json_object_get(counted, "responses"), id, r)
    {
        json_t *answers = json_object_get(r, "answers");
        size_t i;
        json_t *a;
        json_array_foreach(answers, i, a)
        {
            json_t *v = json_object_get(a, "value");
            if (strcmp(json_string_value(json_object_get(a, "question_id")), "q8") == 0 &&
                json_is_string(v) &&
                strcmp(json_string_value(v), "Meer bankjes bij de vijver") == 0)
                found = true;
        }
    }
    assert_true(found);
    json_decref(counted);

    /* The CSV for Dutch Excel: BOM, ';', the survey's questions as columns
     * from its published definition, one row per counted response. */
    char csv_path[400];
    snprintf(csv_path, sizeof csv_path, "%s/export.csv", t.dir);
    const char *csv_argv[] = {BK_COLLECTOR, "export",   "--format", "csv", "--out",
                              csv_path,     "--config", t.coll_ini, NULL};
    char *csv_out = NULL;
    assert_int_equal(e2e_run(&t, csv_argv, &csv_out, NULL), 0);
    char written[600];
    snprintf(written, sizeof written, "%lld responses written to %s", (long long)finished,
             csv_path);
    assert_non_null(strstr(csv_out, written));
    free(csv_out);
    char *csv = ts_read_file(csv_path, NULL);
    assert_non_null(csv);
    static const char head[] = "\xEF\xBB\xBFkiosk_id;response_id;seq;survey_id;";
    assert_memory_equal(csv, head, sizeof head - 1);
    const char *header_end = strstr(csv, ";flags;q1;q2;q3;q4;q5;q6;q7;q8");
    assert_non_null(header_end);
    header_end += strlen(";flags;q1;q2;q3;q4;q5;q6;q7;q8");
    assert_true(*header_end == '\r' || *header_end == '\n');
    assert_non_null(strstr(csv, ";groen|kinderen;nee;Meer bankjes bij de vijver"));
    long lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    assert_true(lines >= finished + 1); /* texts may hold line breaks */
    free(csv);

    /* Once more: nothing new, nothing doubled. */
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 0);
    free(err);
    e2e_assert_holds_store(&t);
    char *out = NULL;
    assert_int_equal(e2e_collector(&t, &out, "status", NULL, NULL, NULL), 0);
    char expect[80];
    snprintf(expect, sizeof expect, "total: %lld responses counted, 0 quarantined, 0 conflicts",
             (long long)finished);
    assert_non_null(strstr(out, expect));
    free(out);
    e2e_server_stop(&t);
    e2e_assert_sound(&t);
    e2e_done(&t);
}

/* 700 seeded responses of every kind (unicode, lists, partial, flags, null
 * area, survey versions the collector does not hold: quarantined, kept). */
static void test_seeded_store_exactly_once(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "seeded", NULL, NULL);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 100);
    ts_seed_store(t.kiosk_db, 700);
    char *err = NULL;
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 0);
    free(err);
    e2e_assert_holds_store(&t);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* A revoked token: 401, nothing more taken, the kiosk keeps its answers
 * and says why. */
static void test_revoked_token(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "revoked", NULL, NULL);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    ts_seed_store(t.kiosk_db, 12);
    char *err = NULL;
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 0);
    free(err);
    char *out = NULL;
    assert_int_equal(e2e_collector(&t, &out, "kiosk", "revoke", TS_KIOSK, NULL), 0);
    free(out);
    ts_seed_store(t.kiosk_db, 7);
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 1);
    assert_non_null(strstr(err, "401"));
    assert_non_null(strstr(err, "7 responses not sent yet"));
    free(err);
    json_t *dump = e2e_collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 12);
    json_decref(dump);
    assert_int_equal(ts_counts(t.kiosk_db).queued, 7);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* Kiosk A configured with kiosk B's token: 403, nothing stored. */
static void test_other_kiosks_token(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "other", NULL, NULL);
    char other[128];
    e2e_add_kiosk(&t, "kiosk-b", other);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, other, 10);
    ts_seed_store(t.kiosk_db, 5);
    char *err = NULL;
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 1);
    assert_non_null(strstr(err, "403"));
    free(err);
    json_t *dump = e2e_collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 0);
    json_decref(dump);
    assert_int_equal(ts_counts(t.kiosk_db).queued, 5);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* The collector takes at most 7 responses a batch; the kiosk sends 50 at
 * a time, gets 413, splits, and in the end everything is there once. */
static void test_over_limit_split(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "split", "max_responses = 7\n", NULL);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    ts_seed_store(t.kiosk_db, 60);
    char *err = NULL;
    int rc = e2e_kiosk_sync(&t, "20", &err);
    if (rc != 0)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    free(err);
    e2e_assert_holds_store(&t);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* One response in the kiosk's store has a survey id no survey can have:
 * the collector answers 422 naming it, the kiosk sets that batch aside and
 * sends the rest; the collector holds exactly the rest. */
static void test_malformed_set_aside(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "malformed", NULL, NULL);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 5);
    ts_seed_store(t.kiosk_db, 15);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(t.kiosk_db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE responses SET survey_id = 'Not A Survey!' WHERE seq = 7",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char *err = NULL;
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 0);
    assert_non_null(strstr(err, "5 responses set aside by the server"));
    free(err);
    store_counts n = ts_counts(t.kiosk_db);
    assert_int_equal(n.rejected, 5);
    assert_int_equal(n.delivered, 10);
    json_t *dump = e2e_collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 10);
    json_decref(dump);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* Another program holds the collector's database's write lock (SQLite:
 * BEGIN IMMEDIATE; PostgreSQL: LOCK TABLE, so the collector's lock_timeout
 * ends the wait): the upload
 * gets 503 with Retry-After: 1, the kiosk waits that long (and not much
 * longer) and sends once the lock is gone. */
static void test_busy_store_retry_after(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "busy", NULL, "busy_timeout_ms = 50\n");
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    ts_seed_store(t.kiosk_db, 10);

    tdb_lock *lock = tdb_lock_writes(t.coll_db);
    char err_path[400];
    snprintf(err_path, sizeof err_path, "%s/sync.err", t.dir);
    const char *argv[] = {BK_BINARY, "sync", "--config", t.kiosk_ini, "--retries", "5", NULL};
    int64_t t0 = e2e_now_ms();
    pid_t pid = e2e_spawn(argv, NULL, err_path);
    /* Hold the lock until the kiosk has been told to wait at least once. */
    char *err = NULL;
    while (e2e_now_ms() - t0 < 15000) {
        free(err);
        err = ts_read_file(err_path, NULL);
        if (err && strstr(err, "Retry-After: 1"))
            break;
        usleep(20 * 1000);
    }
    assert_non_null(err);
    assert_non_null(strstr(err, "HTTP 503, Retry-After: 1"));
    free(err);
    int64_t told = e2e_now_ms();
    tdb_unlock(lock);
    assert_int_equal(e2e_wait_exit(pid), 0);
    int64_t waited = e2e_now_ms() - told;
    print_message("the kiosk sent %lld ms after it was told to wait 1 s\n", (long long)waited);
    /* The kiosk honoured the second it was given, and did not wait for a
     * longer backoff of its own. */
    assert_true(waited >= 900);
    assert_true(waited < 10000);
    e2e_assert_holds_store(&t);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* A kiosk's USB export (JSON Lines + SHA-256) imported, then the same
 * responses synced: duplicates, not second answers. */
static void test_import_then_sync(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "import", NULL, NULL);
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    ts_seed_store(t.kiosk_db, 40);
    char usb[400];
    snprintf(usb, sizeof usb, "%s/buurtkiosk-" TS_KIOSK "-20261203-120000.jsonl", t.dir);
    const char *exp[] = {BK_BINARY, "export", "--config", t.kiosk_ini, "--format",
                         "jsonl",   "--out",  usb,        NULL};
    char *err = NULL;
    int rc = e2e_run(&t, exp, NULL, &err);
    if (rc != 0)
        print_message("%s\n", err);
    free(err);
    assert_int_equal(rc, 0);
    char *out = NULL;
    assert_int_equal(e2e_collector(&t, &out, "import", usb, NULL, NULL), 0);
    free(out);
    json_t *dump = e2e_collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 40);
    json_decref(dump);
    /* Imported again: nothing new. */
    assert_int_equal(e2e_collector(&t, &out, "import", usb, NULL, NULL), 0);
    free(out);

    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    assert_int_equal(e2e_kiosk_sync(&t, "0", &err), 0);
    free(err);
    e2e_assert_holds_store(&t);

    /* A changed export fails its checksum and nothing of it is taken. */
    ts_seed_store(t.kiosk_db, 3);
    assert_int_equal(e2e_run(&t, exp, NULL, NULL), 0);
    FILE *f = fopen(usb, "a");
    assert_non_null(f);
    fputs("\n", f);
    fclose(f);
    assert_int_not_equal(e2e_collector(&t, &out, "import", usb, NULL, NULL), 0);
    free(out);
    dump = e2e_collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 40);
    json_decref(dump);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* TLS: the collector serves https with a certificate of the case's own CA
 * (tls_cert, tls_key); the kiosk trusts that CA (ca_file) and sends
 * everything exactly once. */
static void test_tls(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "tls", NULL, NULL);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "( set -e; cd '%s'; K='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'; "
             "openssl req -x509 $K -keyout ca.key -out ca.pem -days 30 -subj /CN=Test-CA; "
             "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext; "
             "openssl req $K -keyout server.key -out server.csr -subj /CN=localhost; "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out server.pem -days 30 -extfile san.ext; chmod 600 *.key ) >/dev/null 2>&1",
             t.dir);
    assert_int_equal(system(cmd), 0);
    e2e_write_collector_ini(
        &t, 0, "retry_after_s = 1\ntls_cert = server.pem\ntls_key = server.key\n", NULL, NULL);
    t.tls = true;
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 25);
    ts_seed_store(t.kiosk_db, 60);
    char *err = NULL;
    int rc = e2e_kiosk_sync(&t, "0", &err);
    if (rc != 0)
        print_message("%s\n", err);
    free(err);
    assert_int_equal(rc, 0);
    e2e_assert_holds_store(&t);
    e2e_server_stop(&t);
    e2e_done(&t);
}

/* SIGTERM while the kiosk uploads: the collector finishes the requests in
 * flight and exits 0; what it acknowledged is exactly what it holds, so
 * nothing is half stored and no answer was sent for a batch it dropped. */
static void test_sigterm_finishes_in_flight(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "sigterm", NULL, NULL);
    assert_true(e2e_server_start(&t));
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    ts_seed_store(t.kiosk_db, 3000);
    const char *argv[] = {BK_BINARY, "sync", "--config", t.kiosk_ini, NULL};
    pid_t pid = e2e_spawn(argv, NULL, NULL);
    /* Wait until uploads are under way, then ask the collector to stop. */
    int64_t t0 = e2e_now_ms();
    while (ts_counts(t.kiosk_db).delivered < 50 && e2e_now_ms() - t0 < 20000)
        usleep(5 * 1000);
    assert_true(ts_counts(t.kiosk_db).delivered >= 50);
    e2e_server_stop(&t); /* asserts exit status 0 */
    e2e_wait_exit(pid);
    store_counts n = ts_counts(t.kiosk_db);
    assert_true(n.queued > 0); /* it really stopped in the middle */
    json_t *dump = e2e_collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), n.delivered);
    json_decref(dump);
    e2e_assert_sound(&t);
    e2e_done(&t);
}

/* The collector killed with SIGKILL at random moments while the kiosk
 * uploads, 100 times; each time the kiosk is told nothing or an answer
 * the collector committed, and retries. In the end the collector holds
 * every response once and its database is sound. */
static void test_sigkill_during_uploads(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "sigkill", NULL, NULL);
    assert_true(e2e_server_start(&t));
    int port = t.port;
    e2e_server_stop(&t);
    char fixed[64];
    snprintf(fixed, sizeof fixed, "retry_after_s = 1\n");
    e2e_write_collector_ini(&t, port, fixed, NULL, NULL);
    e2e_write_kiosk_ini(&t, TS_KIOSK, t.token, 4);
    ts_seed_store(t.kiosk_db, 4000);

    unsigned seed = (unsigned)time(NULL);
    print_message("seed %u\n", seed);
    srand(seed);
    char err_path[400];
    snprintf(err_path, sizeof err_path, "%s/sync.err", t.dir);
    const char *argv[] = {BK_BINARY, "sync", "--config", t.kiosk_ini, NULL};
    /* A kill counts when the kiosk still had answers to send at that
     * moment; when a round sent everything, more are stored, so every
     * counted kill falls during uploads however fast the collector is. */
    int kills = 0, start_failures = 0, rounds = 0, total = 4000;
    int64_t last_delivered = 0;
    while (kills < 100) {
        assert_true(++rounds < 400);
        if (ts_counts(t.kiosk_db).queued == 0) {
            ts_seed_store(t.kiosk_db, 500);
            total += 500;
        }
        if (!e2e_server_start(&t)) {
            assert_true(++start_failures < 50);
            usleep(50 * 1000);
            continue;
        }
        assert_int_equal(t.port, port);
        pid_t pid = e2e_spawn(argv, NULL, err_path);
        usleep((useconds_t)(rand() % 100) * 1000);
        bool uploading = ts_counts(t.kiosk_db).queued > 0;
        kill(t.server, SIGKILL);
        assert_int_equal(e2e_wait_exit(t.server), 128 + SIGKILL);
        t.server = 0;
        e2e_wait_exit(pid);
        store_counts n = ts_counts(t.kiosk_db);
        assert_true(n.delivered >= last_delivered);
        last_delivered = n.delivered;
        kills += uploading;
    }
    print_message("%d kills during uploads (%d rounds); %lld of %d responses acknowledged "
                  "before the last sync\n",
                  kills, rounds, (long long)last_delivered, total);
    assert_true(e2e_server_start(&t));
    char *err = NULL;
    assert_int_equal(e2e_kiosk_sync(&t, "5", &err), 0);
    free(err);
    e2e_assert_holds_store(&t);
    e2e_server_stop(&t);
    e2e_assert_sound(&t);
    e2e_done(&t);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replays_then_sync),
        cmocka_unit_test(test_seeded_store_exactly_once),
        cmocka_unit_test(test_revoked_token),
        cmocka_unit_test(test_other_kiosks_token),
        cmocka_unit_test(test_over_limit_split),
        cmocka_unit_test(test_malformed_set_aside),
        cmocka_unit_test(test_busy_store_retry_after),
        cmocka_unit_test(test_import_then_sync),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_sigterm_finishes_in_flight),
        cmocka_unit_test(test_sigkill_during_uploads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
