/* test_sync_worker.c: the background worker with real threads, real curl and
 * the test receiver: it syncs at start and on request, reports through the
 * status callback from its own thread, backs off and recovers by itself, and
 * stops promptly, even in the middle of a hanging upload, losing nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_sync_common.h"

typedef struct fixture {
    char dir[256];
    ts_receiver rcv;
} fixture;

static int group_setup(void **state)
{
    static fixture fx;
    ts_tmpdir(fx.dir, sizeof fx.dir, "worker");
    ts_receiver_start(&fx.rcv, NULL);
    assert_int_equal(sync_global_init(), BK_OK);
    *state = &fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    ts_receiver_stop(&fx->rcv);
    ts_rmtree(fx->dir);
    sync_global_cleanup();
    return 0;
}

/* What the status callback saw. */
typedef struct watch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sync_worker *w;
    pthread_t ui_thread;
    int calls;
    bool from_other_thread;
    bool from_ui_thread;
    bool saw_in_progress;
    int64_t max_sent, max_total;
} watch;

static void on_status(void *ctx)
{
    watch *wt = ctx;
    sync_status st;
    sync_worker_status(wt->w, &st); /* allowed from the callback */
    pthread_mutex_lock(&wt->mu);
    wt->calls++;
    if (pthread_equal(pthread_self(), wt->ui_thread))
        wt->from_ui_thread = true;
    else
        wt->from_other_thread = true;
    if (st.in_progress)
        wt->saw_in_progress = true;
    if (st.progress_sent > wt->max_sent)
        wt->max_sent = st.progress_sent;
    if (st.progress_total > wt->max_total)
        wt->max_total = st.progress_total;
    pthread_cond_broadcast(&wt->cv);
    pthread_mutex_unlock(&wt->mu);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (for events, at most timeout_ms) until pred holds for the status. */
static bool wait_for(watch *wt, bool (*pred)(const sync_status *, void *), void *arg,
                     int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        sync_status st;
        sync_worker_status(wt->w, &st);
        if (pred(&st, arg))
            return true;
        if (now_ms() >= end)
            return false;
        pthread_mutex_lock(&wt->mu);
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 50 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wt->cv, &wt->mu, &dl);
        pthread_mutex_unlock(&wt->mu);
    }
}

static bool all_sent(const sync_status *st, void *arg)
{
    (void)arg;
    return !st->in_progress && st->queued == 0 && st->last_ok_wall_ms > 0 &&
           st->next_attempt_wall_ms > 0;
}

static bool is_in_progress(const sync_status *st, void *arg)
{
    (void)arg;
    return st->in_progress;
}

static bool has_error(const sync_status *st, void *arg)
{
    return st->error == *(sync_error *)arg && !st->in_progress;
}

typedef struct wcase {
    char dir[400];
    char db[500];
    bk_config cfg;
    sync_options opt;
    watch wt;
} wcase;

static void wcase_begin(wcase *c, fixture *fx, const char *tag, int n)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s/%s", fx->dir, tag);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", c->dir);
    assert_int_equal(system(cmd), 0);
    snprintf(c->db, sizeof c->db, "%s/kiosk.db", c->dir);
    ts_seed_store(c->db, n);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", fx->rcv.port);
    ts_config(&c->cfg, c->dir, url, 25);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"reset\":true,\"fault\":\"none\","
                                                   "\"every\":1,\"count\":-1}"),
                     200);
    c->opt = sync_options_default();
    c->opt.interval_ms = 3600 * 1000; /* only the first pass and requests */
    c->opt.backoff_base_ms = 20;
    c->opt.backoff_cap_ms = 100;
    pthread_mutex_init(&c->wt.mu, NULL);
    pthread_cond_init(&c->wt.cv, NULL);
    c->wt.ui_thread = pthread_self();
    c->opt.on_status = on_status;
    c->opt.status_ctx = &c->wt;
}

static void wcase_create(wcase *c)
{
    bk_diag diag = {0};
    bk_err e = sync_worker_create(&c->cfg, c->db, &c->opt, &c->wt.w, &diag);
    if (e != BK_OK)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_int_equal(e, BK_OK);
}

static void wcase_end(wcase *c)
{
    sync_worker_destroy(c->wt.w);
    ts_config_free(&c->cfg);
    pthread_cond_destroy(&c->wt.cv);
    pthread_mutex_destroy(&c->wt.mu);
}

/* Start, first pass at once, "sync now" for new answers, stop. */
static void test_worker_syncs_and_reports(void **state)
{
    fixture *fx = *state;
    wcase c;
    wcase_begin(&c, fx, "basic", 120);
    wcase_create(&c);
    assert_int_equal(sync_worker_start(c.wt.w), BK_OK);
    assert_int_equal(sync_worker_start(c.wt.w), BK_ERR_STATE);
    assert_true(wait_for(&c.wt, all_sent, NULL, 15000));
    pthread_mutex_lock(&c.wt.mu);
    assert_true(c.wt.calls > 0);
    assert_true(c.wt.from_other_thread);
    assert_false(c.wt.from_ui_thread);
    assert_true(c.wt.saw_in_progress);
    assert_int_equal(c.wt.max_sent, 120);
    assert_int_equal(c.wt.max_total, 120);
    pthread_mutex_unlock(&c.wt.mu);
    sync_status st;
    sync_worker_status(c.wt.w, &st);
    assert_int_equal(st.error, SYNC_ERROR_NONE);
    assert_true(st.heartbeat_ok);
    /* The next attempt is an interval away. */
    assert_true(st.next_attempt_wall_ms > st.last_ok_wall_ms + 3500 * 1000);

    /* New answers (another connection, as the UI has), then "sync now". */
    int64_t first_ok = st.last_ok_wall_ms;
    ts_seed_store(c.db, 30);
    struct timespec pause = {0, 5 * 1000000L};
    nanosleep(&pause, NULL); /* so the wall clock moves on */
    sync_worker_request_now(c.wt.w);
    bool ok = false;
    int64_t end = now_ms() + 15000;
    while (!ok && now_ms() < end) {
        assert_true(wait_for(&c.wt, all_sent, NULL, 15000));
        sync_worker_status(c.wt.w, &st);
        ok = st.last_ok_wall_ms > first_ok;
    }
    assert_true(ok);
    sync_worker_stop(c.wt.w);
    sync_worker_status(c.wt.w, &st);
    assert_int_equal(st.next_attempt_wall_ms, 0);
    json_t *dump = ts_receiver_dump(&fx->rcv);
    ts_assert_exactly_once(c.db, dump);
    json_decref(dump);
    wcase_end(&c);
}

/* The server fails three times: the worker backs off and recovers by
 * itself, without a request. */
static void test_worker_backs_off_and_recovers(void **state)
{
    fixture *fx = *state;
    wcase c;
    wcase_begin(&c, fx, "backoff", 60);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"fault\":\"503\",\"count\":3}"), 200);
    wcase_create(&c);
    assert_int_equal(sync_worker_start(c.wt.w), BK_OK);
    assert_true(wait_for(&c.wt, all_sent, NULL, 20000));
    json_t *dump = ts_receiver_dump(&fx->rcv);
    assert_int_equal(ts_dump_int(dump, "faults_total"), 3);
    ts_assert_exactly_once(c.db, dump);
    json_decref(dump);
    wcase_end(&c);
}

/* Stop during a hanging upload returns promptly (the transfer is aborted
 * through the progress callback), and the batch goes again later. */
static void test_worker_stop_during_hanging_transfer(void **state)
{
    fixture *fx = *state;
    wcase c;
    wcase_begin(&c, fx, "hang", 80);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"fault\":\"hang\",\"hang_s\":60}"), 200);
    wcase_create(&c);
    assert_int_equal(sync_worker_start(c.wt.w), BK_OK);
    assert_true(wait_for(&c.wt, is_in_progress, NULL, 15000));
    /* Wait until the upload has reached the server and hangs there. */
    int64_t end = now_ms() + 15000;
    for (;;) {
        json_t *dump = ts_receiver_dump(&fx->rcv);
        long long reqs = ts_dump_int(dump, "batch_requests");
        json_decref(dump);
        if (reqs >= 1)
            break;
        assert_true(now_ms() < end);
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    int64_t t0 = now_ms();
    sync_worker_stop(c.wt.w);
    int64_t took = now_ms() - t0;
    print_message("stop during a hanging upload took %lld ms\n", (long long)took);
    assert_true(took < 1000);
    sync_worker_destroy(c.wt.w);
    c.wt.w = NULL;

    store_counts n = ts_counts(c.db);
    assert_int_equal(n.queued, 80);
    assert_int_equal(n.delivered, 0);

    /* A new worker (the kiosk restarted) sends everything, once. */
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"fault\":\"none\"}"), 200);
    wcase_create(&c);
    assert_int_equal(sync_worker_start(c.wt.w), BK_OK);
    assert_true(wait_for(&c.wt, all_sent, NULL, 15000));
    json_t *dump = ts_receiver_dump(&fx->rcv);
    ts_assert_exactly_once(c.db, dump);
    json_decref(dump);
    wcase_end(&c);
}

/* Stop while the worker waits for its next attempt; destroy without start. */
static void test_worker_stop_while_waiting(void **state)
{
    fixture *fx = *state;
    wcase c;
    wcase_begin(&c, fx, "idle", 5);
    wcase_create(&c);
    sync_worker_destroy(c.wt.w); /* never started */
    wcase_create(&c);
    assert_int_equal(sync_worker_start(c.wt.w), BK_OK);
    assert_true(wait_for(&c.wt, all_sent, NULL, 15000));
    int64_t t0 = now_ms();
    sync_worker_stop(c.wt.w);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(sync_worker_start(c.wt.w), BK_ERR_STATE);
    wcase_end(&c);
}

/* The token revoked: "Toegang geweigerd (token)" in the status, everything
 * kept. */
static void test_worker_auth_error_in_status(void **state)
{
    fixture *fx = *state;
    wcase c;
    wcase_begin(&c, fx, "auth", 10);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"token\":\"something-else\"}"), 200);
    wcase_create(&c);
    assert_int_equal(sync_worker_start(c.wt.w), BK_OK);
    sync_error want = SYNC_ERROR_AUTH;
    assert_true(wait_for(&c.wt, has_error, &want, 15000));
    sync_status st;
    sync_worker_status(c.wt.w, &st);
    assert_string_equal(sync_error_title(st.error, "nl"), "Toegang geweigerd (token)");
    assert_int_equal(st.queued, 10);
    sync_worker_stop(c.wt.w);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"token\":\"" TS_TOKEN "\"}"), 200);
    wcase_end(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_syncs_and_reports),
        cmocka_unit_test(test_worker_backs_off_and_recovers),
        cmocka_unit_test(test_worker_stop_during_hanging_transfer),
        cmocka_unit_test(test_worker_stop_while_waiting),
        cmocka_unit_test(test_worker_auth_error_in_status),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
