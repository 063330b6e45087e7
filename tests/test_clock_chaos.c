/* test_clock_chaos.c: the wall clock jumps back to 1970 and forward by
 * years in the middle of work (a kiosk without a network has no NTP, a
 * dead RTC battery starts it in 1970, a bad NTP answer sets it decades
 * ahead). Only timestamps may follow the wall clock; order, ids, timers
 * and backoff must not.
 *
 * In the app (in-process, virtual clock, the wall part jumped between and
 * during answers): seq rises by exactly one per response, every response
 * id is a fresh UUID v4, the auto-advance, idle warning and its countdown
 * and the thank-you timeout run on time, the "repeat" flag follows real
 * elapsed time (not the wall clock), and the stored timestamps are valid
 * RFC 3339 for whatever year the clock said. The responses then go through
 * sync to the test receiver, in seq order and exactly once.
 *
 * In the sync worker (its real thread, a clock whose monotonic part is
 * real and whose wall part jumps every few milliseconds between 1970, now
 * and decades ahead): every retry after a 500 comes exactly one backoff
 * window later (the jitter is fixed at its maximum), a Retry-After in
 * seconds is waited out exactly, and a Retry-After date seen with the clock
 * in 1970 (56 years away) is capped, not waited for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "test_chaos_util.h"
#include "test_sync_common.h"
#include "test_ui_util.h"

extern char **environ;

#define YEAR_MS (365LL * 24 * 3600 * 1000)

/* ---- The receiver with a request log (chaos_receiver.py) ---- */

static void receiver_start(ts_receiver *r)
{
    const char *argv[] = {
        "python3", "-u", HC_DATA "/chaos_receiver.py", "--token", TS_TOKEN, "--idle", "120", NULL};
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
    receiver_start(&rcv);
    assert_int_equal(sync_global_init(), BK_OK);
    *state = &rcv;
    return 0;
}

static int group_teardown(void **state)
{
    ts_receiver_stop(*state);
    sync_global_cleanup();
    return 0;
}

/* ---- In the app ---- */

static bool label_visible(app *a, const char *label)
{
    ut_app_layout(a);
    for (size_t i = 0; i < a->frame->n_widgets; i++)
        if (a->frame->widgets[i].label && strcmp(a->frame->widgets[i].label, label) == 0)
            return true;
    return false;
}

/* The wall clock jumps; the monotonic clock does not notice. */
static void jump(app *a, int64_t wall_ms)
{
    a->vclock.wall_ms = wall_ms;
}

typedef struct row_copy {
    int64_t seq;
    char id[64], status[16], started[40], completed[40];
    bool repeat;
} row_copy;

typedef struct rows {
    row_copy r[256];
    size_t n;
} rows;

static int copy_row(const store_response_row *row, void *ctx)
{
    rows *d = ctx;
    assert_true(d->n < 256);
    row_copy *c = &d->r[d->n++];
    c->seq = row->seq;
    snprintf(c->id, sizeof c->id, "%s", row->response_id);
    snprintf(c->status, sizeof c->status, "%s", row->status);
    snprintf(c->started, sizeof c->started, "%s", row->started_at);
    snprintf(c->completed, sizeof c->completed, "%s", row->completed_at ? row->completed_at : "");
    for (size_t i = 0; i < row->n_flags; i++)
        c->repeat = c->repeat || strcmp(row->flags[i], "repeat") == 0;
    return 0;
}

/* One resident of "stroom" at a human pace, with the wall clock set to
 * walls[0] before "Doe mee", walls[1] before the answer, walls[2] before
 * "Klaar". Returns with the thank-you screen gone. */
static void resident(app *a, const int64_t walls[3], const char *text)
{
    ut_wait(a, 400);
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
    jump(a, walls[0]);
    ut_tap_action(a, UI_ACT_START, INT32_MIN);
    assert_int_equal(a->screen, APP_SCREEN_QUESTION);
    ut_wait(a, 2000);
    jump(a, walls[1]);
    ut_tap_action(a, UI_ACT_ANSWER, 4);
    /* The auto-advance runs 300 ms later, whatever the wall clock did. */
    ut_wait(a, APP_AUTO_ADVANCE_MS - 10);
    assert_true(label_visible(a, "Mee eens"));
    jump(a, walls[2]);
    ut_wait(a, 20);
    assert_true(label_visible(a, "Klaar"));
    ut_wait(a, 2000);
    app_text_input(a, text);
    ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
    assert_int_equal(a->screen, APP_SCREEN_THANKS);
    /* The thank-you screen stays 8 s by the monotonic clock. */
    jump(a, walls[0] + 20 * YEAR_MS);
    ut_wait(a, APP_THANKS_MS - 50);
    assert_int_equal(a->screen, APP_SCREEN_THANKS);
    jump(a, 0);
    ut_wait(a, 100);
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
}

static void test_app_clock_jumps(void **state)
{
    ts_receiver *rcv = *state;
    char dir[512], ini[PATH_MAX];
    ut_tmpdir(dir, sizeof dir, "clock");
    snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
    hc_write_config(ini, NULL);
    ut_app u;
    ut_app_open(&u, ini, dir, 1280, 800);
    app *a = u.a;
    int64_t now = a->vclock.wall_ms;
    const int64_t moments[] = {
        0, 1, 86400000LL, now, now + 3 * YEAR_MS, now + 30 * YEAR_MS, now - 1000, 946684799999LL};
    size_t n_moments = sizeof moments / sizeof moments[0];
    hc_rng rng = {hc_seed("BK_CLOCK_SEED")};
    int residents = 24;
    for (int i = 0; i < residents; i++) {
        int64_t walls[3];
        for (int k = 0; k < 3; k++)
            walls[k] = moments[hc_below(&rng, n_moments)];
        char text[32];
        snprintf(text, sizeof text, "klok-%d", i);
        resident(a, walls, text);
    }
    /* "repeat" is about real time: the same answers 10 s later are a repeat
       though the wall clock went back 56 years in between; 40 s later they
       are not, though the wall clock says no time passed. */
    int64_t walls_now[3] = {now, now, now};
    resident(a, walls_now, "zelfde");
    ut_wait(a, 1000);
    int64_t walls_back[3] = {0, 1000, 2000};
    resident(a, walls_back, "zelfde");
    ut_wait(a, 40000);
    int64_t walls_still[3] = {2000, 2000, 2000};
    resident(a, walls_still, "zelfde");

    /* The idle warning and its countdown: by the monotonic clock. */
    ut_wait(a, 400);
    jump(a, now);
    ut_tap_action(a, UI_ACT_START, INT32_MIN);
    int64_t idle_ms = (int64_t)u.cfg.kiosk.idle_timeout_s * 1000;
    jump(a, now + 30 * YEAR_MS);
    ut_wait(a, idle_ms - 100);
    assert_false(label_visible(a, "Bent u er nog?"));
    jump(a, 0);
    ut_wait(a, 200);
    assert_true(label_visible(a, "Bent u er nog?"));
    jump(a, now + 5 * YEAR_MS);
    ut_wait(a, APP_IDLE_COUNTDOWN_MS - 300);
    assert_int_equal(a->screen, APP_SCREEN_QUESTION);
    jump(a, 1);
    ut_wait(a, 400);
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);

    rows *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_int_equal(store_foreach_response(a->store, 0, 0, copy_row, d), BK_OK);
    size_t total = (size_t)residents + 4;
    assert_int_equal(d->n, total);
    regex_t uuid, rfc;
    assert_int_equal(
        regcomp(&uuid, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                REG_EXTENDED | REG_NOSUB),
        0);
    assert_int_equal(regcomp(&rfc,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    for (size_t i = 0; i < d->n; i++) {
        assert_int_equal(d->r[i].seq, (int64_t)i + 1);
        if (regexec(&uuid, d->r[i].id, 0, NULL, 0) != 0)
            fail_msg("response %zu: id %s is not a UUID v4", i, d->r[i].id);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(d->r[i].id, d->r[k].id);
        assert_int_equal(regexec(&rfc, d->r[i].started, 0, NULL, 0), 0);
        assert_int_equal(regexec(&rfc, d->r[i].completed, 0, NULL, 0), 0);
        const char *want = i == total - 1 ? "partial" : "complete";
        assert_string_equal(d->r[i].status, want);
    }
    assert_false(d->r[residents].repeat);
    assert_true(d->r[residents + 1].repeat);
    assert_false(d->r[residents + 2].repeat);
    for (int i = 0; i < residents; i++)
        assert_false(d->r[i].repeat);
    regfree(&uuid);
    regfree(&rfc);

    /* Upload with the same jumping clock: in seq order, exactly once. */
    assert_int_equal(ts_receiver_control(rcv, "{\"reset\":true,\"fault\":\"none\"}"), 200);
    char url[128], db[PATH_MAX + 32];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", rcv->port);
    snprintf(db, sizeof db, "%s/app-1280x800.db", dir);
    bk_config cfg;
    ts_config(&cfg, dir, url, 4);
    sync_options opt = ts_fast_options();
    opt.clock = a->clock;
    jump(a, 0);
    sync_pass_outcome out;
    bk_diag diag = {0};
    assert_int_equal(sync_run_once(&cfg, db, &opt, &out, &diag), BK_OK);
    diag_clear(&diag);
    assert_false(out.left);
    json_t *dump = ts_receiver_dump(rcv);
    ts_assert_exactly_once(db, dump);
    json_t *order = json_object_get(dump, "order");
    for (size_t i = 0; i < json_array_size(order); i++)
        assert_string_equal(json_string_value(json_array_get(order, i)), d->r[i].id);
    print_message("%zu responses with the wall clock between 1970 and %d years ahead: seq 1..%zu, "
                  "ids unique, timers and flags on time, uploaded in order exactly once\n",
                  d->n, 30, d->n);
    json_decref(dump);
    ts_config_free(&cfg);
    free(d);
    ut_app_close(&u);
    ut_rmtree(dir);
}

/* A live vote as live mode stores it, at the app's (jumped) clock. */
static void live_vote_stored(app *a, int value)
{
    store_response_meta meta = {
        .survey_id = "stroom", .survey_version = 1, .mode = "live", .language = "nl"};
    store_response_ref ref;
    assert_int_equal(store_response_begin(a->store, &meta, &ref), BK_OK);
    answer_value v = {.kind = ANSWER_INT, .integer = value};
    assert_int_equal(store_answer_set(a->store, ref.rowid, "q1", &v), BK_OK);
    assert_int_equal(store_response_finish(a->store, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                     BK_OK);
}

/* Live mode's "count afresh" marks where counting starts. Votes after it
 * must count whatever the wall clock did: back to 1970 after the reset, or
 * a reset made while the clock was years ahead and then corrected. */
static void test_live_results_clock_jumps(void **state)
{
    (void)state;
    char dir[512], ini[PATH_MAX];
    ut_tmpdir(dir, sizeof dir, "clock-live");
    snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
    hc_write_config(ini, NULL);
    ut_app u;
    ut_app_open(&u, ini, dir, 1280, 800);
    app *a = u.a;
    int64_t now = a->vclock.wall_ms;
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_LIVE), BK_OK);
    app_go_attract(a);
    live_vote_stored(a, 2); /* an earlier evening */
    ut_wait(a, 1000);
    assert_int_equal(live_reset_results(a), BK_OK);
    assert_int_equal(live_results(a)->votes, 0);
    live_vote_stored(a, 4);
    assert_int_equal(live_results(a)->votes, 1);
    jump(a, 0);
    live_vote_stored(a, 5);
    if (live_results(a)->votes != 2)
        fail_msg("a vote with the clock set back to 1970 after \"count afresh\" is not counted "
                 "(%lld votes)",
                 (long long)live_results(a)->votes);
    jump(a, now + 30 * YEAR_MS);
    assert_int_equal(live_reset_results(a), BK_OK);
    jump(a, now);
    live_vote_stored(a, 3);
    if (live_results(a)->votes != 1)
        fail_msg("after a reset with the clock 30 years ahead, a vote once the clock was right "
                 "again is not counted (%lld votes)",
                 (long long)live_results(a)->votes);
    ut_app_close(&u);
    ut_rmtree(dir);
}

/* ---- In the sync worker ---- */

/* A system clock whose wall part jumps: real monotonic time, real wall
 * time plus an offset that another thread changes every few ms. */
typedef struct jumpy {
    _Atomic int64_t offset;
    _Atomic bool stop;
    _Atomic bool frozen; /* hold the offset still */
    hc_rng rng;
    long jumps;
} jumpy;

static int64_t jumpy_mono(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t jumpy_wall(void *ctx)
{
    jumpy *j = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&j->offset);
}

static void *jumper(void *arg)
{
    jumpy *j = arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t real = (int64_t)ts.tv_sec * 1000;
    const int64_t offsets[] = {-real, -real + 1000, 0, 3 * YEAR_MS, 30 * YEAR_MS, -YEAR_MS};
    while (!atomic_load(&j->stop)) {
        if (!atomic_load(&j->frozen)) {
            atomic_store(&j->offset, offsets[hc_below(&j->rng, 6)]);
            j->jumps++;
        }
        struct timespec d = {0, (long)(3 + hc_below(&j->rng, 20)) * 1000000L};
        nanosleep(&d, NULL);
    }
    return NULL;
}

static uint64_t max_jitter(void *ctx)
{
    return (uint64_t)(uintptr_t)ctx; /* rnd % (window + 1) == window */
}

/* The batch requests in the receiver's log: arrival times and answers. */
static size_t batch_log(json_t *dump, double *t, int *code, size_t max)
{
    json_t *log = json_object_get(dump, "request_log");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(log) && n < max; i++) {
        json_t *e = json_array_get(log, i);
        if (!strstr(json_string_value(json_object_get(e, "path")), "/v1/batches"))
            continue;
        t[n] = json_number_value(json_object_get(e, "t"));
        json_t *c = json_object_get(e, "code");
        code[n++] = json_is_integer(c) ? (int)json_integer_value(c) : 0;
    }
    return n;
}

static void wait_for_empty(sync_worker *w, const char *db, int64_t limit_ms)
{
    int64_t end = jumpy_mono(NULL) + limit_ms;
    sync_status st;
    for (;;) {
        struct timespec d = {0, 20 * 1000000L};
        nanosleep(&d, NULL);
        sync_worker_status(w, &st);
        if (!st.in_progress && st.queued == 0 && st.error == SYNC_ERROR_NONE &&
            st.next_attempt_wall_ms != 0 && ts_counts(db).queued == 0)
            return;
        if (jumpy_mono(NULL) > end)
            fail_msg("the worker did not finish within %lld ms (%s: %s)", (long long)limit_ms,
                     sync_error_title(st.error, "en"), st.detail);
    }
}

static void add_responses(const char *db, int n)
{
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(db, &clk, &st, NULL), BK_OK);
    for (int i = 0; i < n; i++) {
        store_response_meta meta = {
            .survey_id = "stroom", .survey_version = 1, .mode = "survey", .language = "nl"};
        store_response_ref ref;
        assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
        answer_value v = {.kind = ANSWER_INT, .integer = 2};
        assert_int_equal(store_answer_set(st, ref.rowid, "q1", &v), BK_OK);
        assert_int_equal(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                         BK_OK);
    }
    store_close(st);
}

/* Margin for a loaded machine (sanitizers, parallel tests). */
#define LATE_MS 2000.0

static void test_worker_clock_jumps(void **state)
{
    ts_receiver *rcv = *state;
    char dir[256], db[300], url[128];
    ts_tmpdir(dir, sizeof dir, "clock-worker");
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    ts_seed_store(db, 20);
    assert_int_equal(ts_receiver_control(rcv, "{\"reset\":true,\"fault\":\"500\",\"count\":6,"
                                              "\"every\":1}"),
                     200);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", rcv->port);
    bk_config cfg;
    ts_config(&cfg, dir, url, 5);

    jumpy *j = calloc(1, sizeof *j);
    assert_non_null(j);
    j->rng.s = hc_seed("BK_CLOCK_SEED") | 1;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, jumper, j), 0);
    const int64_t window = 400;
    sync_options opt = sync_options_default();
    opt.clock = (bk_clock){.mono_ms = jumpy_mono, .wall_ms = jumpy_wall, .ctx = j};
    opt.backoff_base_ms = window;
    opt.backoff_cap_ms = window;
    opt.random = max_jitter;
    opt.random_ctx = (void *)(uintptr_t)window;
    opt.retry_after_max_ms = 1500;
    opt.interval_ms = 3600000;
    opt.timeout_ms = 30000;
    sync_worker *w = NULL;
    bk_diag diag = {0};
    assert_int_equal(sync_worker_create(&cfg, db, &opt, &w, &diag), BK_OK);
    diag_clear(&diag);
    assert_int_equal(sync_worker_start(w), BK_OK);

    /* 1. Six 500s in a row: each retry exactly one window later. */
    wait_for_empty(w, db, 20000);
    json_t *dump = ts_receiver_dump(rcv);
    double t[64];
    int code[64];
    size_t n = batch_log(dump, t, code, 64);
    json_decref(dump);
    assert_true(n >= 7);
    for (size_t i = 1; i < 7; i++) {
        assert_int_equal(code[i - 1], 500);
        double gap = t[i] - t[i - 1];
        if (gap < (double)window || gap > (double)window + LATE_MS)
            fail_msg("retry %zu after a 500 came %.0f ms later; the backoff is %lld ms", i, gap,
                     (long long)window);
    }

    /* 2. Retry-After: 1 s, waited out exactly, the wall clock jumping. */
    assert_int_equal(ts_receiver_control(rcv, "{\"reset\":true,\"fault\":\"503-retry\","
                                              "\"count\":2,\"retry_after\":1}"),
                     200);
    add_responses(db, 5);
    sync_worker_request_now(w);
    wait_for_empty(w, db, 20000);
    dump = ts_receiver_dump(rcv);
    n = batch_log(dump, t, code, 64);
    assert_int_equal(ts_dump_int(dump, "retry_after_violations"), 0);
    json_decref(dump);
    assert_true(n >= 3);
    for (size_t i = 1; i < 3; i++) {
        assert_int_equal(code[i - 1], 503);
        double gap = t[i] - t[i - 1];
        if (gap < 1000.0 || gap > 1000.0 + LATE_MS)
            fail_msg("the request after Retry-After: 1 came %.0f ms later", gap);
    }

    /* 3. Retry-After as a date while the kiosk's clock says 1970: 56 years
       away, so the cap (1.5 s here, 6 h in production) decides. */
    atomic_store(&j->frozen, true);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    atomic_store(&j->offset, -(int64_t)ts.tv_sec * 1000 + 5000);
    assert_int_equal(ts_receiver_control(rcv, "{\"reset\":true,\"fault\":\"429-date\","
                                              "\"count\":1,\"retry_after\":1}"),
                     200);
    add_responses(db, 5);
    sync_worker_request_now(w);
    wait_for_empty(w, db, 20000);
    dump = ts_receiver_dump(rcv);
    n = batch_log(dump, t, code, 64);
    json_decref(dump);
    assert_true(n >= 2);
    assert_int_equal(code[0], 429);
    double gap = t[1] - t[0];
    if (gap < 1500.0 || gap > 1500.0 + LATE_MS)
        fail_msg("with the clock in 1970, the retry after a Retry-After date came %.0f ms later "
                 "(the cap is 1500 ms)",
                 gap);
    atomic_store(&j->stop, true);
    pthread_join(th, NULL);
    print_message("sync worker: 6 backoffs of %lld ms, Retry-After 1 s and a capped Retry-After "
                  "date all on time while the wall clock jumped %ld times\n",
                  (long long)window, j->jumps);
    sync_worker_destroy(w);
    ts_config_free(&cfg);
    free(j);
    ts_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_clock_jumps),
        cmocka_unit_test(test_live_results_clock_jumps),
        cmocka_unit_test(test_worker_clock_jumps),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
