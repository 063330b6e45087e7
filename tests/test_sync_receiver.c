/* test_sync_receiver.c: the sync pass against the test receiver over
 * loopback HTTP (real libcurl): exactly once through every fault kind and a
 * random mix of them, 400/422/401, survey download, heartbeat, speed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_sync_common.h"

#define N_RESPONSES 500

typedef struct fixture {
    char dir[256];
    char template_db[300];
    ts_receiver rcv; /* one for all tests (Python starts slowly), reset each time */
} fixture;

static int group_setup(void **state)
{
    static fixture fx;
    ts_tmpdir(fx.dir, sizeof fx.dir, "rcv");
    snprintf(fx.template_db, sizeof fx.template_db, "%s/template.db", fx.dir);
    ts_seed_store(fx.template_db, N_RESPONSES);
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

/* One scenario: a fresh copy of the seeded database, a fresh receiver. */
typedef struct scenario {
    char dir[300];
    char db[400];
    ts_receiver rcv;
    bk_config cfg;
    sync_options opt;
} scenario;

static void scenario_begin(scenario *s, const fixture *fx, const char *tag, int batch_max)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s/%s", fx->dir, tag);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", s->dir);
    assert_int_equal(system(cmd), 0);
    snprintf(s->db, sizeof s->db, "%s/kiosk.db", s->dir);
    ts_copy_file(fx->template_db, s->db);
    s->rcv = fx->rcv;
    assert_int_equal(ts_receiver_control(&s->rcv,
                                         "{\"reset\":true,\"fault\":\"none\",\"every\":1,"
                                         "\"count\":-1,\"max_responses\":0,\"surveys\":null,"
                                         "\"token\":\"" TS_TOKEN "\"}"),
                     200);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", s->rcv.port);
    ts_config(&s->cfg, s->dir, url, batch_max);
    s->opt = ts_fast_options();
}

static void scenario_end(scenario *s)
{
    ts_config_free(&s->cfg);
}

static void run_pass(scenario *s, sync_pass_outcome *out)
{
    bk_diag diag = {0};
    bk_err e = sync_run_once(&s->cfg, s->db, &s->opt, out, &diag);
    if (e != BK_OK)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_int_equal(e, BK_OK);
}

/* Runs a fault scenario and checks exactly-once delivery. */
static json_t *exactly_once(void **state, const char *tag, const char *control, long timeout_ms)
{
    scenario s;
    scenario_begin(&s, *state, tag, 50);
    assert_int_equal(ts_receiver_control(&s.rcv, control), 200);
    if (timeout_ms > 0)
        s.opt.timeout_ms = timeout_ms;
    sync_pass_outcome out;
    run_pass(&s, &out);
    if (out.status.error != SYNC_ERROR_NONE)
        print_error("%s: %s: %s\n", tag, sync_error_title(out.status.error, "en"),
                    out.status.detail);
    assert_false(out.left);
    assert_int_equal(out.status.error, SYNC_ERROR_NONE);
    assert_int_equal(out.status.queued, 0);
    assert_true(out.status.last_ok_wall_ms > 0);
    json_t *dump = ts_receiver_dump(&s.rcv);
    ts_assert_exactly_once(s.db, dump);
    assert_true(ts_dump_int(dump, "faults_total") >= 1);
    print_message("%-18s faults %lld, batch requests %lld, duplicates resent %lld\n", tag,
                  ts_dump_int(dump, "faults_total"), ts_dump_int(dump, "batch_requests"),
                  ts_dump_int(dump, "duplicates"));
    scenario_end(&s);
    return dump;
}

static void test_fault_500(void **state)
{
    json_decref(exactly_once(state, "500", "{\"fault\":\"500\",\"every\":2}", 0));
}

static void test_fault_502(void **state)
{
    json_decref(exactly_once(state, "502", "{\"fault\":\"502\",\"every\":3}", 0));
}

static void test_fault_503(void **state)
{
    json_decref(exactly_once(state, "503", "{\"fault\":\"503\",\"every\":2}", 0));
}

static void test_fault_503_retry_after(void **state)
{
    json_decref(exactly_once(state, "503-retry", "{\"fault\":\"503-retry\",\"every\":2}", 0));
}

static void test_fault_429_seconds(void **state)
{
    json_decref(exactly_once(state, "429", "{\"fault\":\"429\",\"every\":2,\"retry_after\":3}", 0));
}

static void test_fault_429_date(void **state)
{
    json_decref(exactly_once(state, "429-date",
                             "{\"fault\":\"429-date\",\"every\":2,\"retry_after\":3}", 0));
}

static void test_fault_drop_before_body(void **state)
{
    json_decref(
        exactly_once(state, "drop-before-body", "{\"fault\":\"drop-before-body\",\"every\":2}", 0));
}

/* "The server stored it but the answer never arrived": every batch is sent
 * again, and the receiver still holds each response once. */
static void test_fault_drop_after_body(void **state)
{
    json_t *dump =
        exactly_once(state, "drop-after-body", "{\"fault\":\"drop-after-body\",\"every\":2}", 0);
    assert_true(ts_dump_int(dump, "duplicates") >= 50);
    json_decref(dump);
}

static void test_fault_413_over_n(void **state)
{
    json_t *dump = exactly_once(state, "413-over-7",
                                "{\"fault\":\"none\",\"max_responses\":7,\"count\":-1}", 0);
    json_decref(dump);
}

static void test_fault_hang(void **state)
{
    json_decref(exactly_once(state, "hang", "{\"fault\":\"hang\",\"every\":5,\"hang_s\":4}", 800));
}

static void test_fault_slow(void **state)
{
    json_decref(exactly_once(state, "slow", "{\"fault\":\"slow\",\"slow_ms\":20}", 0));
}

static void test_fault_mix(void **state)
{
    json_t *dump = exactly_once(
        state, "mix",
        "{\"fault\":\"mix\",\"seed\":20261129,\"hang_s\":4,\"retry_after\":2,"
        "\"mix\":[\"ok\",\"ok\",\"ok\",\"500\",\"502\",\"503\",\"503-retry\",\"429\","
        "\"429-date\",\"drop-before-body\",\"drop-after-body\",\"413\",\"hang\",\"slow\"]}",
        800);
    json_t *served = json_object_get(dump, "faults_served");
    assert_true(json_object_size(served) >= 6);
    json_decref(dump);
}

/* 400/422: that batch is set aside with the server's message, the rest goes
 * on, nothing is deleted. */
static void reject_scenario(void **state, const char *code)
{
    scenario s;
    scenario_begin(&s, *state, code, 50);
    char ctl[128];
    snprintf(ctl, sizeof ctl, "{\"fault\":\"%s\",\"every\":3,\"count\":1}", code);
    assert_int_equal(ts_receiver_control(&s.rcv, ctl), 200);
    sync_pass_outcome out;
    run_pass(&s, &out);
    assert_false(out.left);
    assert_int_equal(out.status.error, SYNC_ERROR_REJECTED);
    assert_non_null(strstr(out.status.detail, "simulated rejection"));
    assert_int_equal(out.status.rejected, 50);
    store_counts n = ts_counts(s.db);
    assert_int_equal(n.queued, 0);
    assert_int_equal(n.rejected, 50);
    assert_int_equal(n.delivered, N_RESPONSES - 50);
    assert_int_equal(n.total, N_RESPONSES);
    json_t *dump = ts_receiver_dump(&s.rcv);
    assert_int_equal(json_object_size(json_object_get(dump, "responses")), N_RESPONSES - 50);
    assert_int_equal(ts_dump_int(dump, "duplicates"), 0);
    json_decref(dump);
    /* Set aside means set aside: the next pass does not send it again. */
    run_pass(&s, &out);
    assert_false(out.left);
    dump = ts_receiver_dump(&s.rcv);
    assert_int_equal(ts_dump_int(dump, "batch_requests"), N_RESPONSES / 50);
    json_decref(dump);
    scenario_end(&s);
}

static void test_reject_400(void **state)
{
    reject_scenario(state, "400");
}

static void test_reject_422(void **state)
{
    reject_scenario(state, "422");
}

/* 401 (and a token the server does not know): everything stays queued. */
static void test_unauthorized_keeps_everything(void **state)
{
    scenario s;
    scenario_begin(&s, *state, "401", 50);
    assert_int_equal(ts_receiver_control(&s.rcv, "{\"fault\":\"401\"}"), 200);
    sync_pass_outcome out;
    run_pass(&s, &out);
    assert_true(out.left);
    assert_int_equal(out.status.error, SYNC_ERROR_AUTH);
    assert_int_equal(out.status.queued, N_RESPONSES);
    assert_string_equal(sync_error_title(out.status.error, "nl"), "Toegang geweigerd (token)");
    /* Retried slowly (the cap), not hammered. */
    assert_int_equal(out.retry_in_ms, s.opt.backoff_cap_ms);
    json_t *dump = ts_receiver_dump(&s.rcv);
    assert_int_equal(json_object_size(json_object_get(dump, "responses")), 0);
    assert_int_equal(ts_dump_int(dump, "batch_requests"), 1); /* no retries in the pass */
    json_decref(dump);

    /* A revoked token: same outcome for every request. */
    assert_int_equal(ts_receiver_control(&s.rcv, "{\"fault\":\"none\",\"token\":\"other\"}"), 200);
    run_pass(&s, &out);
    assert_int_equal(out.status.error, SYNC_ERROR_AUTH);
    store_counts n = ts_counts(s.db);
    assert_int_equal(n.queued, N_RESPONSES);
    assert_int_equal(n.delivered, 0);

    /* The token is fixed on the server: everything goes. */
    assert_int_equal(ts_receiver_control(&s.rcv, "{\"token\":\"" TS_TOKEN "\"}"), 200);
    run_pass(&s, &out);
    assert_false(out.left);
    dump = ts_receiver_dump(&s.rcv);
    ts_assert_exactly_once(s.db, dump);
    json_decref(dump);
    scenario_end(&s);
}

static void control_surveys_file(scenario *s, const char *name)
{
    char ctl[600];
    snprintf(ctl, sizeof ctl, "{\"surveys_file\":\"%s/sync/%s\"}", BK_TEST_DATA, name);
    assert_int_equal(ts_receiver_control(&s->rcv, ctl), 200);
}

static void installed(const char *db, size_t *n, char **active, int *version)
{
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(db, &clk, &st, NULL), BK_OK);
    survey **v = NULL;
    bk_diag diag = {0};
    assert_int_equal(sync_surveys_from_store(st, &v, n, active, &diag), BK_OK);
    for (size_t i = 0; i < *n; i++)
        if (strcmp(v[i]->id, *active) == 0)
            *version = v[i]->version;
    sync_surveys_free(v, *n);
    diag_clear(&diag);
    store_close(st);
}

/* 200, then 304; an invalid download keeps the old surveys; a valid new
 * one replaces them. */
static void test_survey_download(void **state)
{
    scenario s;
    scenario_begin(&s, *state, "surveys", 100);
    /* Nothing installed yet. */
    {
        bk_clock clk = clock_system();
        store *st = NULL;
        assert_int_equal(store_open(s.db, &clk, &st, NULL), BK_OK);
        survey **v = NULL;
        size_t n = 0;
        char *active = NULL;
        assert_int_equal(sync_surveys_from_store(st, &v, &n, &active, NULL), BK_ERR_NOT_FOUND);
        store_close(st);
    }
    control_surveys_file(&s, "bundle-v1.json");
    sync_pass_outcome out;
    run_pass(&s, &out);
    assert_int_equal(out.status.error, SYNC_ERROR_NONE);
    unsigned gen1 = out.status.surveys_generation;
    assert_true(gen1 > 0);
    size_t n = 0;
    char *active = NULL;
    int version = 0;
    installed(s.db, &n, &active, &version);
    assert_int_equal(n, 2);
    assert_string_equal(active, "buurtpeiling");
    assert_int_equal(version, 1);
    free(active);

    run_pass(&s, &out);
    json_t *dump = ts_receiver_dump(&s.rcv);
    assert_int_equal(ts_dump_int(dump, "survey_requests"), 2);
    assert_int_equal(ts_dump_int(dump, "survey_not_modified"), 1);
    json_decref(dump);
    assert_int_equal(out.status.surveys_generation, 0); /* a new process: nothing new */

    control_surveys_file(&s, "bundle-invalid.json");
    run_pass(&s, &out);
    assert_int_equal(out.status.error, SYNC_ERROR_SURVEY);
    assert_string_equal(sync_error_title(out.status.error, "nl"), "Ongeldige enquête ontvangen");
    assert_non_null(strstr(out.status.detail, "slider"));
    assert_false(out.left); /* the answers went anyway */
    installed(s.db, &n, &active, &version);
    assert_string_equal(active, "buurtpeiling");
    assert_int_equal(version, 1);
    free(active);

    control_surveys_file(&s, "bundle-v2.json");
    run_pass(&s, &out);
    assert_int_equal(out.status.error, SYNC_ERROR_NONE);
    assert_true(out.status.surveys_generation > 0);
    installed(s.db, &n, &active, &version);
    assert_string_equal(active, "symposium");
    free(active);

    /* The heartbeat reports the installed active survey. */
    dump = ts_receiver_dump(&s.rcv);
    json_t *hbs = json_object_get(dump, "heartbeats");
    json_t *hb = json_array_get(hbs, json_array_size(hbs) - 1);
    assert_string_equal(json_string_value(json_object_get(hb, "survey_id")), "symposium");
    json_decref(dump);
    scenario_end(&s);
}

/* The heartbeat carries every field of PROTOCOL.md. */
static void test_heartbeat(void **state)
{
    scenario s;
    scenario_begin(&s, *state, "heartbeat", 100);
    sync_pass_outcome out;
    run_pass(&s, &out);
    assert_true(out.status.heartbeat_ok);
    json_t *dump = ts_receiver_dump(&s.rcv);
    json_t *hbs = json_object_get(dump, "heartbeats");
    assert_int_equal(json_array_size(hbs), 1);
    json_t *hb = json_array_get(hbs, 0);
    assert_string_equal(json_string_value(json_object_get(hb, "kiosk_id")), TS_KIOSK);
    assert_string_equal(json_string_value(json_object_get(hb, "version")), BK_VERSION);
    assert_int_equal(json_integer_value(json_object_get(hb, "queued")), 0);
    assert_int_equal(json_integer_value(json_object_get(hb, "rejected")), 0);
    assert_true(json_is_string(json_object_get(hb, "last_sync_ok_at")));
    assert_true(json_is_null(json_object_get(hb, "last_error")));
    assert_string_equal(json_string_value(json_object_get(hb, "survey_id")), "buurtpeiling");
    assert_true(json_integer_value(json_object_get(hb, "disk_free_mb")) > 0);
    assert_true(json_integer_value(json_object_get(hb, "uptime_s")) >= 0);
    json_decref(dump);

    /* A failing heartbeat is reported but blocks nothing. */
    scenario_end(&s);
}

/* Responses per second through the whole stack to the loopback receiver. */
static void test_throughput(void **state)
{
    fixture *fx = *state;
    scenario s;
    scenario_begin(&s, fx, "speed", 100);
    /* 4 x the template: another 1500 fresh responses. */
    ts_seed_store(s.db, 1500);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sync_pass_outcome out;
    run_pass(&s, &out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_false(out.left);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("throughput: %d responses in %.2f s = %.0f responses/s (batches of 100, "
                  "gzip, loopback)\n",
                  N_RESPONSES + 1500, secs, (N_RESPONSES + 1500) / secs);
    json_t *dump = ts_receiver_dump(&s.rcv);
    ts_assert_exactly_once(s.db, dump);
    json_decref(dump);
    scenario_end(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_500),
        cmocka_unit_test(test_fault_502),
        cmocka_unit_test(test_fault_503),
        cmocka_unit_test(test_fault_503_retry_after),
        cmocka_unit_test(test_fault_429_seconds),
        cmocka_unit_test(test_fault_429_date),
        cmocka_unit_test(test_fault_drop_before_body),
        cmocka_unit_test(test_fault_drop_after_body),
        cmocka_unit_test(test_fault_413_over_n),
        cmocka_unit_test(test_fault_hang),
        cmocka_unit_test(test_fault_slow),
        cmocka_unit_test(test_fault_mix),
        cmocka_unit_test(test_reject_400),
        cmocka_unit_test(test_reject_422),
        cmocka_unit_test(test_unauthorized_keeps_everything),
        cmocka_unit_test(test_survey_download),
        cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
