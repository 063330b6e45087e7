/* test_chaos_net.c: the network chaos soak.
 *
 * The kiosk's own background sync worker (real thread, real libcurl, the
 * kiosk's default of one attempt per pass, backoff and Retry-After as in
 * production but with short backoff windows) uploads a seeded backlog to
 * the test receiver, which misbehaves at random on every upload: 500, 502,
 * 503, 503 with Retry-After, 429 with Retry-After in seconds and as an
 * HTTP date, the connection dropped before and after the body was stored,
 * 413 (the batch is split), a hang past the kiosk's timeout, 401 and 403
 * (10% for each group of kinds), slow answers (10%), and the rest answered
 * well. The receiver here is tests/data/hardening/chaos_receiver.py: the
 * test receiver plus a note of every Retry-After it sent and a check of
 * every later request against it.
 *
 * Pass: every response at the receiver exactly once with the kiosk's exact
 * content (the receiver ignored the copies sent again), the queue empty,
 * no batch id ever sent with other content, and not one request sooner
 * than a Retry-After allowed.
 *
 * BK_CHAOS_RESPONSES (default 1000; the long run: 10000), BK_CHAOS_SEED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_chaos_util.h"
#include "test_sync_common.h"

extern char **environ;

/* Every kind of fault the receiver knows but the two permanent refusals
 * (400 and 422 set a batch aside on purpose: test_sync_receiver), 10% per
 * group: 5xx without Retry-After; Retry-After; drop before; drop after;
 * 413; hang; 401/403 and 2 of 30 more answered well; slow. 30 slots. */
static const char *const chaos_mix =
    "[\"500\",\"502\",\"503\","
    "\"503-retry\",\"429\",\"429-date\","
    "\"drop-before-body\",\"drop-before-body\",\"drop-before-body\","
    "\"drop-after-body\",\"drop-after-body\",\"drop-after-body\","
    "\"413\",\"413\",\"413\","
    "\"hang\",\"hang\",\"hang\","
    "\"401\",\"403\",\"ok\","
    "\"slow\",\"slow\",\"slow\","
    "\"ok\",\"ok\",\"ok\",\"ok\",\"ok\",\"ok\"]";

static const char *const kinds[] = {
    "500", "502",  "503", "503-retry", "429", "429-date", "drop-before-body", "drop-after-body",
    "413", "hang", "401", "403",       "slow"};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts chaos_receiver.py (same ports and control as receiver.py). */
static void chaos_receiver_start(ts_receiver *r)
{
    const char *argv[] = {"python3", "-u",       HC_DATA "/chaos_receiver.py",
                          "--token", TS_TOKEN,   "--idle",
                          "120",     "--hang-s", "3",
                          NULL};
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    posix_spawn_file_actions_addclose(&fa, pipefd[1]);
    int rc = posix_spawnp(&r->pid, "python3", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    assert_int_equal(rc, 0);
    char line[256];
    size_t len = 0;
    while (len < sizeof line - 1) {
        struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
        assert_int_equal(poll(&p, 1, 15000), 1);
        assert_int_equal(read(pipefd[0], line + len, 1), 1);
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(pipefd[0]);
    assert_int_equal(sscanf(line, "PORT %d CONTROL %d", &r->port, &r->control), 2);
}

static int group_setup(void **state)
{
    static ts_receiver rcv;
    chaos_receiver_start(&rcv);
    *state = &rcv;
    return 0;
}

static int group_teardown(void **state)
{
    ts_receiver_stop(*state);
    return 0;
}

static void test_network_chaos(void **state)
{
    ts_receiver rcv = *(ts_receiver *)*state;
    long n = hc_env_long("BK_CHAOS_RESPONSES", 1000);
    uint64_t seed = hc_seed("BK_CHAOS_SEED");
    char dir[256], db[300];
    ts_tmpdir(dir, sizeof dir, "chaos");
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    int64_t t0 = now_ms();
    ts_seed_store(db, (int)n);
    int64_t seeded = now_ms();

    char ctl[1400];
    snprintf(ctl, sizeof ctl,
             "{\"fault\":\"mix\",\"seed\":%llu,\"retry_after\":1,\"hang_s\":3,"
             "\"slow_ms\":150,\"mix\":%s}",
             (unsigned long long)(seed % 1000000007u), chaos_mix);
    assert_int_equal(ts_receiver_control(&rcv, ctl), 200);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", rcv.port);
    bk_config cfg;
    ts_config(&cfg, dir, url, 50);

    sync_options opt = sync_options_default();
    opt.backoff_base_ms = 20; /* production: 5 s, 15 min: same rules, shorter */
    opt.backoff_cap_ms = 400;
    opt.slow_retry_ms = 200;
    opt.timeout_ms = 700; /* a hang is cut off after 0.7 s */
    opt.connect_timeout_ms = 5000;
    opt.interval_ms = 600000;
    assert_int_equal(sync_global_init(), BK_OK);
    sync_worker *w = NULL;
    bk_diag diag = {0};
    bk_err e = sync_worker_create(&cfg, db, &opt, &w, &diag);
    if (e != BK_OK)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_int_equal(e, BK_OK);
    assert_int_equal(sync_worker_start(w), BK_OK);

    long limit_s = hc_env_long("BK_CHAOS_LIMIT_S", 1200);
    sync_status st;
    int64_t last_print = now_ms();
    for (;;) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        sync_worker_status(w, &st);
        if (!st.in_progress && st.queued == 0 && st.next_attempt_wall_ms != 0 &&
            st.last_ok_wall_ms != 0)
            break;
        if (now_ms() - t0 > limit_s * 1000) {
            print_error("still %lld queued after %ld s: %s: %s\n", (long long)st.queued, limit_s,
                        sync_error_title(st.error, "en"), st.detail);
            fail();
        }
        if (now_ms() - last_print > 30000) {
            print_message("  %lld still queued after %.0f s\n", (long long)st.queued,
                          (double)(now_ms() - t0) / 1000.0);
            last_print = now_ms();
        }
    }
    int64_t done = now_ms();
    sync_worker_destroy(w);
    sync_global_cleanup();

    json_t *dump = ts_receiver_dump(&rcv);
    json_t *served = json_object_get(dump, "faults_served");
    char *faults = json_dumps(served, JSON_COMPACT | JSON_SORT_KEYS);
    print_message("%ld responses (seeded in %.1f s) delivered exactly once in %.1f s through %lld "
                  "upload requests, %lld of them faulty: %s\n",
                  n, (double)(seeded - t0) / 1000.0, (double)(done - seeded) / 1000.0,
                  ts_dump_int(dump, "batch_requests"), ts_dump_int(dump, "faults_total"), faults);
    json_t *margin = json_object_get(dump, "retry_after_min_margin_ms");
    print_message("%lld copies sent again and ignored; %lld Retry-After answers, %lld requests "
                  "after them, none too early (smallest margin %.0f ms)\n",
                  ts_dump_int(dump, "duplicates"), ts_dump_int(dump, "retry_after_served"),
                  ts_dump_int(dump, "retry_after_checked"),
                  json_is_number(margin) ? json_number_value(margin) : -1.0);
    free(faults);
    ts_assert_exactly_once(db, dump);
    /* Every kind came up (with 400 requests a kind of 1 in 30 is missed
       with a chance of about 1 in 800,000). */
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!json_object_get(served, kinds[i]) && ts_dump_int(dump, "batch_requests") >= 400)
            fail_msg("the receiver never served the fault \"%s\"", kinds[i]);
    long long violations = ts_dump_int(dump, "retry_after_violations");
    json_t *early = json_object_get(dump, "retry_after_early");
    for (size_t i = 0; i < json_array_size(early); i++)
        print_error("%s\n", json_string_value(json_array_get(early, i)));
    assert_int_equal(violations, 0);
    assert_true(ts_dump_int(dump, "retry_after_served") > 0);
    assert_true(ts_dump_int(dump, "retry_after_checked") > 0);

    json_decref(dump);
    ts_config_free(&cfg);
    ts_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network_chaos),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
