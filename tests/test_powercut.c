/* test_powercut.c: the power cut, for the whole app.
 *
 * The real kiosk binary runs short replays (one resident each: start, a
 * scale answer, a text "pc-N" that names the run, "Klaar", expect-text
 * "Bedankt!") one after another on the same database, with [sync] pointed
 * at the test receiver, so at every start the sync worker uploads what the
 * runs before left (the receiver answers slowly to keep uploads in flight).
 * Most runs are killed with SIGKILL at a random moment (0 ms up to about a
 * whole run: during start-up, WAL recovery, the resident's answers, the
 * thank-you screen, an upload); the others run to the end, and exit 0 only
 * when the thank-you screen was shown.
 *
 * After every run: the database (copied as the kill left it, with its
 * -wal, so the next run still recovers the original) passes integrity_check
 * and foreign_key_check; every run whose thank-you screen was shown has its
 * response there exactly once, complete, with its two answers; no response
 * exists twice. At the end, after one clean run and `buurtkiosk sync`, the
 * receiver holds every finished response exactly once, with the same
 * content, and nothing is left to send.
 *
 * BK_POWERCUT_KILLS (default 300; 60 under ASan) sets the number of kills,
 * BK_POWERCUT_SEED repeats a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_chaos_util.h"
#include "test_sync_common.h"
#include "test_ui_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define PC_DEFAULT_KILLS 60
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PC_DEFAULT_KILLS 60
#endif
#endif
#ifndef PC_DEFAULT_KILLS
#define PC_DEFAULT_KILLS 300
#endif

#define PC_MAX_RUNS 20000

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The replay of run n: one resident who answers and reaches "Bedankt!". */
static void write_replay(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "tap-text \"Doe mee\"\n"
            "wait 2000\n"
            "tap-text \"Neutraal\"\n"
            "wait 2000\n"
            "type \"pc-%ld\"\n"
            "tap-text \"Klaar\"\n"
            "expect-text \"Bedankt!\"\n"
            "wait 3000\n",
            n);
    fclose(f);
}

typedef struct seen {
    unsigned char count;    /* responses with text pc-N */
    unsigned char complete; /* of which complete with both answers */
} seen;

/* Reads the checked copy: per run number, how many responses carry its
 * text and how many of those are complete with q1 = 3. */
static void read_copy(const char *copy, seen *runs, long max)
{
    memset(runs, 0, sizeof *runs * (size_t)max);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(copy, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    /* Killed after the file was made but before its schema was committed:
     * no responses (a response confirmed earlier would then be missing, and
     * the caller fails on that). */
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT count(*) FROM sqlite_schema"
                                        " WHERE name IN ('answers', 'responses')",
                                        -1, &s, NULL),
                     SQLITE_OK);
    int tables = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    s = NULL;
    if (tables < 2) {
        sqlite3_close(h);
        return;
    }
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT a.value, r.status,"
                                        " (SELECT value FROM answers b WHERE b.response = r.id"
                                        "  AND b.question_id = 'q1'),"
                                        " (SELECT count(*) FROM answers c WHERE c.response = r.id)"
                                        " FROM answers a JOIN responses r ON r.id = a.response"
                                        " WHERE a.question_id = 'q2'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        long n = -1;
        if (!v || sscanf(v, "\"pc-%ld\"", &n) != 1 || n < 0 || n >= max)
            fail_msg("an unexpected text answer %s", v ? v : "(null)");
        const char *status = (const char *)sqlite3_column_text(s, 1);
        const char *q1 = (const char *)sqlite3_column_text(s, 2);
        if (runs[n].count < 255)
            runs[n].count++;
        if (strcmp(status, "complete") == 0 && q1 && strcmp(q1, "3") == 0 &&
            sqlite3_column_int(s, 3) == 2)
            runs[n].complete++;
    }
    sqlite3_finalize(s);
    sqlite3_close(h);
}

static int group_setup(void **state)
{
    static ts_receiver rcv;
    ts_receiver_start(&rcv, NULL);
    *state = &rcv;
    return 0;
}

static int group_teardown(void **state)
{
    ts_receiver_stop(*state);
    return 0;
}

static void test_power_cuts(void **state)
{
    ts_receiver rcv = *(ts_receiver *)*state;
    long kills_wanted = hc_env_long("BK_POWERCUT_KILLS", PC_DEFAULT_KILLS);
    hc_rng rng = {hc_seed("BK_POWERCUT_SEED")};
    char dir[512];
    ut_tmpdir(dir, sizeof dir, "powercut");
    char db[PATH_MAX], ini[PATH_MAX], log[PATH_MAX], script[PATH_MAX], scratch[PATH_MAX];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
    snprintf(log, sizeof log, "%s/kiosk.log", dir);
    snprintf(script, sizeof script, "%s/run.replay", dir);
    snprintf(scratch, sizeof scratch, "%s/scratch", dir);
    assert_int_equal(mkdir(scratch, 0755), 0);

    /* Slow answers keep uploads in flight, so kills land during them. */
    assert_int_equal(ts_receiver_control(&rcv, "{\"fault\":\"slow\",\"slow_ms\":40}"), 200);
    char url[128], token[PATH_MAX + 8];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", rcv.port);
    snprintf(token, sizeof token, "%s/token", dir);
    ts_write_file(token, TS_TOKEN "\n", 0600);
    const char *kv[] = {"base_url", url,         "token_file", token, "interval_s",
                        "10",       "batch_max", "5",          NULL};
    hc_write_config(ini, kv);

    seen *runs = calloc(PC_MAX_RUNS, sizeof *runs);
    bool *confirmed = calloc(PC_MAX_RUNS, sizeof *confirmed);
    assert_non_null(runs);
    assert_non_null(confirmed);
    long kills = 0, completed = 0, n_runs = 0, early_exit = 0;
    int64_t run_ms_sum = 0, t0 = now_ms();
    long run_ms_n = 0;
    while (kills < kills_wanted) {
        assert_true(n_runs < PC_MAX_RUNS - 1);
        long n = n_runs++;
        write_replay(script, n);
        /* One run in eight goes to the end; it also measures how long a run
           takes, which spreads the kills over a whole run. */
        bool kill_it = n % 8 != 7;
        int64_t span = run_ms_n ? run_ms_sum / run_ms_n : 300;
        if (span < 300)
            span = 300;
        int64_t delay = kill_it ? (int64_t)hc_below(&rng, (uint64_t)span * 11 / 10 + 1) : 0;
        int64_t start = now_ms();
        const char *argv[] = {"run",    "--config", ini,        "--db", db,
                              "--size", "800x600",  "--replay", script, NULL};
        pid_t pid = hc_spawn_kiosk(argv, log);
        if (kill_it) {
            sleep_ms(delay);
            kill(pid, SIGKILL);
        }
        int rc = hc_wait(pid);
        if (rc == 128 + SIGKILL) {
            kills++;
        } else if (rc == 0) {
            confirmed[n] = true;
            completed++;
            if (kill_it) {
                early_exit++;
            } else {
                run_ms_sum += now_ms() - start;
                run_ms_n++;
            }
        } else {
            hc_print_file(log);
            fail_msg("run %ld exited with %d (the kiosk's log is above)", n, rc);
        }
        char msg[512];
        if (access(db, F_OK) != 0) {
            /* Killed before the database was made: nothing to check. */
            assert_false(confirmed[n]);
            continue;
        }
        if (!hc_integrity_ok(db, scratch, msg, sizeof msg))
            fail_msg("after run %ld (%s after %lld ms): %s", n, rc == 0 ? "finished" : "killed",
                     (long long)delay, msg);
        char copy[PATH_MAX + 16];
        snprintf(copy, sizeof copy, "%s/check.db", scratch);
        read_copy(copy, runs, n_runs);
        for (long k = 0; k < n_runs; k++) {
            if (runs[k].count > 1)
                fail_msg("after run %ld: the response of run %ld is stored %d times", n, k,
                         runs[k].count);
            if (confirmed[k] && runs[k].complete != 1)
                fail_msg("after run %ld: run %ld showed \"Bedankt!\" but its response is %s", n, k,
                         runs[k].count ? "not complete with both answers" : "missing");
        }
        if (truncate(log, 0) != 0) {
            /* the log only matters for the run that failed */
        }
    }
    int64_t kill_phase_ms = now_ms() - t0;

    /* One clean run (it also turns responses left "started" into partial),
       then one clean sync. */
    long n = n_runs++;
    write_replay(script, n);
    const char *argv[] = {"run",    "--config", ini,        "--db", db,
                          "--size", "800x600",  "--replay", script, NULL};
    int rc = hc_wait(hc_spawn_kiosk(argv, log));
    if (rc != 0)
        hc_print_file(log);
    assert_int_equal(rc, 0);
    confirmed[n] = true;
    assert_int_equal(ts_receiver_control(&rcv, "{\"fault\":\"none\"}"), 200);
    const char *sync_argv[] = {"sync", "--config", ini, "--db", db, "--retries", "5", NULL};
    rc = hc_wait(hc_spawn_kiosk(sync_argv, log));
    if (rc != 0)
        hc_print_file(log);
    assert_int_equal(rc, 0);

    json_t *dump = ts_receiver_dump(&rcv);
    ts_assert_exactly_once(db, dump);
    /* Every confirmed response is among them, once. */
    ut_db rows;
    ut_db_load(db, &rows);
    long at_receiver_confirmed = 0, partial = 0, complete = 0;
    json_t *held = json_object_get(dump, "responses");
    for (size_t i = 0; i < rows.n; i++) {
        const char *v = ut_answer_json(&rows.r[i], "q2");
        long k = -1;
        if (strcmp(rows.r[i].status, "partial") == 0)
            partial++;
        if (strcmp(rows.r[i].status, "complete") == 0)
            complete++;
        if (v && sscanf(v, "\"pc-%ld\"", &k) == 1 && k >= 0 && k < n_runs && confirmed[k] &&
            json_object_get(held, rows.r[i].response_id))
            at_receiver_confirmed++;
    }
    assert_int_equal(at_receiver_confirmed, completed + 1);
    print_message("%ld kills and %ld finished runs in %.1f s (a kill after up to %lld ms); "
                  "%zu responses stored (%ld complete, %ld of them after \"Bedankt!\" was seen; "
                  "%ld partial), all at the receiver exactly once (%lld copies sent again and "
                  "ignored)\n",
                  kills, completed, (double)kill_phase_ms / 1000.0,
                  (long long)(run_ms_n ? run_ms_sum / run_ms_n * 11 / 10 : 300), rows.n, complete,
                  completed + 1, partial, ts_dump_int(dump, "duplicates"));
    if (early_exit)
        print_message("%ld runs ended before their kill\n", early_exit);
    ut_db_free(&rows);
    json_decref(dump);
    free(runs);
    free(confirmed);
    ut_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_cuts),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
