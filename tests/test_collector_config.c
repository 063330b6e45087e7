/* test_collector_config.c: the collector's INI configuration
 * (collector/collector_config.c on core/ini_file.c): the demo file, the
 * defaults, and the exact message of each kind of mistake. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector_config.h"

#define DEMO BK_SOURCE_DIR "/config/collector.ini"
#define MIB (1024LL * 1024)

/* The file a test wrote its text to (removed by the fixture). */
typedef struct fixture {
    char path[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *base = getenv("TMPDIR");
    snprintf(f->path, sizeof f->path, "%s/bk-collector-config-XXXXXX",
             base && *base ? base : "/tmp");
    int fd = mkstemp(f->path);
    if (fd < 0) {
        free(f);
        return -1;
    }
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    free(f);
    return 0;
}

/* Writes text to the fixture's file and loads it. */
static bk_err load_text(fixture *f, const char *text, collector_config *cfg, bk_diag *d)
{
    FILE *out = fopen(f->path, "w");
    assert_non_null(out);
    assert_int_equal(fputs(text, out) >= 0, 1);
    assert_int_equal(fclose(out), 0);
    return collector_config_load(f->path, cfg, d);
}

static void print_diag(const bk_diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        print_error("  %s\n", d->messages[i]);
}

/* text must fail with exactly one message: "FILE:LINE: msg". */
static void expect_error(fixture *f, const char *text, int line, const char *msg)
{
    collector_config cfg;
    bk_diag d = {0};
    bk_err rc = load_text(f, text, &cfg, &d);
    char want[1024];
    snprintf(want, sizeof want, "%s:%d: %s", f->path, line, msg);
    if (rc != BK_ERR_INVALID || d.count != 1 || strcmp(d.messages[0], want) != 0) {
        print_error("text:\n%s\nwant (BK_ERR_INVALID): %s\ngot %d with %zu messages:\n", text, want,
                    (int)rc, d.count);
        print_diag(&d);
        fail();
    }
    /* freed and zeroed on error */
    assert_null(cfg.path);
    assert_null(cfg.storage.database);
    diag_clear(&d);
}

static void expect_ok(fixture *f, const char *text, collector_config *cfg)
{
    bk_diag d = {0};
    bk_err rc = load_text(f, text, cfg, &d);
    if (rc != BK_OK || d.count != 0) {
        print_error("text:\n%s\ngot %d with %zu messages:\n", text, (int)rc, d.count);
        print_diag(&d);
        fail();
    }
    diag_clear(&d);
}

static void test_demo(void **state)
{
    (void)state;
    collector_config c;
    bk_diag d = {0};
    bk_err rc = collector_config_load(DEMO, &c, &d);
    print_diag(&d);
    assert_int_equal(rc, BK_OK);
    assert_int_equal(d.count, 0);
    assert_string_equal(c.path, DEMO);
    assert_string_equal(c.server.listen, "127.0.0.1");
    assert_int_equal(c.server.port, 8443);
    assert_string_equal(c.server.base_path, "/buurtkiosk");
    assert_null(c.server.tls_cert);
    assert_null(c.server.tls_key);
    assert_int_equal(c.server.threads, 4);
    assert_int_equal(c.server.max_connections, 256);
    assert_int_equal(c.server.max_pending, 32);
    assert_int_equal(c.server.request_timeout_s, 30);
    assert_int_equal(c.server.retry_after_s, 5);
    assert_string_equal(c.storage.database, "../data/collector.db");
    assert_int_equal(c.storage.busy_timeout_ms, 5000);
    assert_int_equal(c.storage.pool_size, 5); /* threads + 1 */
    assert_int_equal(c.limits.max_body_bytes, 8 * MIB);
    assert_int_equal(c.limits.max_inflated_bytes, 64 * MIB);
    assert_int_equal(c.limits.max_responses, 2000);
    /* data/collector.db beside the kiosk's data, as run.sh expects */
    char *db = collector_config_database(&c);
    assert_string_equal(db, BK_SOURCE_DIR "/config/../data/collector.db");
    free(db);
    collector_config_free(&c);
    assert_null(c.path);
    collector_config_free(&c); /* zeroed: again is harmless */
    collector_config_free(NULL);
}

static void test_defaults(void **state)
{
    fixture *f = *state;
    collector_config c;
    expect_ok(f, "[storage]\ndatabase = x.db\n", &c);
    assert_string_equal(c.server.listen, "127.0.0.1");
    assert_int_equal(c.server.port, 8443);
    assert_string_equal(c.server.base_path, "/buurtkiosk");
    assert_null(c.server.tls_cert);
    assert_null(c.server.tls_key);
    assert_int_equal(c.server.threads, 4);
    assert_int_equal(c.server.max_connections, 256);
    assert_int_equal(c.server.max_pending, 32);
    assert_int_equal(c.server.request_timeout_s, 30);
    assert_int_equal(c.server.retry_after_s, 5);
    assert_string_equal(c.storage.database, "x.db");
    assert_int_equal(c.storage.busy_timeout_ms, 5000);
    assert_int_equal(c.limits.max_body_bytes, 8 * MIB);
    assert_int_equal(c.limits.max_inflated_bytes, 64 * MIB);
    assert_int_equal(c.limits.max_responses, 2000);
    collector_config_free(&c);
}

static void test_values(void **state)
{
    fixture *f = *state;
    collector_config c;
    expect_ok(f,
              "[server]\nlisten = 0.0.0.0\nport = 0\nbase_path = /gemeente/buurt-kiosk_2.v~1\n"
              "tls_cert = cert.pem ; the chain too\ntls_key = /etc/collector/key.pem\n"
              "threads = 64\nmax_connections = 1\nmax_pending = 1024\nrequest_timeout_s = 1\n"
              "retry_after_s = 3600\n[storage]\ndatabase = /var/lib/c.db\nbusy_timeout_ms = 0\n"
              "[limits]\nmax_body_bytes = 1048576\nmax_inflated_bytes = 2 GiB\n"
              "max_responses = 1\n",
              &c);
    assert_string_equal(c.server.listen, "0.0.0.0");
    assert_int_equal(c.server.port, 0);
    assert_string_equal(c.server.base_path, "/gemeente/buurt-kiosk_2.v~1");
    assert_string_equal(c.server.tls_cert, "cert.pem");
    assert_string_equal(c.server.tls_key, "/etc/collector/key.pem");
    assert_int_equal(c.server.threads, 64);
    assert_int_equal(c.server.max_connections, 1);
    assert_int_equal(c.server.max_pending, 1024);
    assert_int_equal(c.server.request_timeout_s, 1);
    assert_int_equal(c.server.retry_after_s, 3600);
    assert_int_equal(c.storage.busy_timeout_ms, 0);
    assert_int_equal(c.limits.max_body_bytes, MIB);
    assert_int_equal(c.limits.max_inflated_bytes, 2048 * MIB);
    assert_int_equal(c.limits.max_responses, 1);
    char *p = collector_config_resolve(&c, c.server.tls_cert);
    char want[300];
    snprintf(want, sizeof want, "%.*s/cert.pem", (int)(strrchr(f->path, '/') - f->path), f->path);
    assert_string_equal(p, want);
    free(p);
    p = collector_config_resolve(&c, c.server.tls_key);
    assert_string_equal(p, "/etc/collector/key.pem");
    free(p);
    assert_null(collector_config_resolve(&c, NULL));
    collector_config_free(&c);

    /* loopback in every spelling: plain http allowed */
    static const char *const loopback[] = {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1",
                                           "localhost"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[server]\nlisten = %s\n[storage]\ndatabase = x\n",
                 loopback[i]);
        expect_ok(f, text, &c);
        assert_string_equal(c.server.listen, loopback[i]);
        collector_config_free(&c);
    }
    /* what the HTTP layer understands: "localhost" in lower case */
    expect_ok(f, "[server]\nlisten = LocalHost\n[storage]\ndatabase = x\n", &c);
    assert_string_equal(c.server.listen, "localhost");
    collector_config_free(&c);
    /* the sizes in each spelling */
    expect_ok(f,
              "[storage]\ndatabase = x\n[limits]\nmax_body_bytes = 8MiB\n"
              "max_inflated_bytes = 65536 KiB\n",
              &c);
    assert_int_equal(c.limits.max_body_bytes, 8 * MIB);
    assert_int_equal(c.limits.max_inflated_bytes, 64 * MIB);
    collector_config_free(&c);
    /* IPv6 on all addresses with TLS */
    expect_ok(f, "[server]\nlisten = ::\ntls_cert = c\ntls_key = k\n[storage]\ndatabase = x\n", &c);
    collector_config_free(&c);
}

static void test_unknown(void **state)
{
    fixture *f = *state;
    expect_error(f, "[server]\nlisten = 127.0.0.1\nprot = 8443\n[storage]\ndatabase = x\n", 3,
                 "unknown key \"prot\" in [server]");
    /* the keys of an unknown section are not reported again */
    expect_error(f, "[storage]\ndatabase = x\n[srever]\nport = 1\nlisten = 0.0.0.0\n", 3,
                 "unknown section [srever]");
    expect_error(f, "port = 8443\n[storage]\ndatabase = x\n", 1,
                 "key \"port\" is outside any section; put it under a [section] header");
    expect_error(f, "[storage]\ndatabase = x\ndatabase = y\n", 3,
                 "duplicate key \"database\" in [storage] (first on line 2)");
    expect_error(f, "[server]\nport = 8443\n", 2,
                 "section [storage] is missing (it must set database)");
    expect_error(f, "[storage]\nbusy_timeout_ms = 10\n", 1,
                 "[storage] is missing the required key \"database\"");
    expect_error(f, "[storage]\ndatabase =\n", 2, "database must not be empty");
    expect_error(f, "[storage]\ndatabase = x\n[limits\n", 3,
                 "missing \"]\" at the end of the section header");
}

static void test_bad_numbers(void **state)
{
    fixture *f = *state;
    expect_error(f, "[server]\nport = 70000\n[storage]\ndatabase = x\n", 2,
                 "port must be a whole number from 0 to 65535, not \"70000\"");
    expect_error(f, "[server]\nport = 84a3\n[storage]\ndatabase = x\n", 2,
                 "port must be a whole number from 0 to 65535, not \"84a3\"");
    expect_error(f, "[server]\nport = -1\n[storage]\ndatabase = x\n", 2,
                 "port must be a whole number from 0 to 65535, not \"-1\"");
    expect_error(f, "[server]\nport =\n[storage]\ndatabase = x\n", 2,
                 "port is empty; give a whole number from 0 to 65535, or remove the line for the "
                 "default (8443)");
    expect_error(f, "[server]\nthreads = 0\n[storage]\ndatabase = x\n", 2,
                 "threads must be a whole number from 1 to 64, not \"0\"");
    expect_error(f, "[storage]\ndatabase = x\nbusy_timeout_ms = 600001\n", 3,
                 "busy_timeout_ms must be a whole number from 0 to 600000, not \"600001\"");
    expect_error(f, "[storage]\ndatabase = x\n[limits]\nmax_responses = 100001\n", 4,
                 "max_responses must be a whole number from 1 to 100000, not \"100001\"");
}

static void test_bad_limits(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "8MB", "8 mib", "", "1023", "2GiB", "8  MiB", "-8MiB", "8.5MiB", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256], msg[512];
        snprintf(text, sizeof text, "[storage]\ndatabase = x\n[limits]\nmax_body_bytes = %s\n",
                 bad[i]);
        snprintf(msg, sizeof msg,
                 "max_body_bytes must be a whole number of bytes from 1KiB to 1GiB, such as "
                 "8388608 or 8MiB (KiB, MiB and GiB are powers of 1024), not \"%s\"",
                 bad[i]);
        expect_error(f, text, 4, msg);
    }
    expect_error(f, "[storage]\ndatabase = x\n[limits]\nmax_inflated_bytes = 5GiB\n", 4,
                 "max_inflated_bytes must be a whole number of bytes from 1KiB to 4GiB, such as "
                 "8388608 or 8MiB (KiB, MiB and GiB are powers of 1024), not \"5GiB\"");
    expect_error(f,
                 "[storage]\ndatabase = x\n[limits]\nmax_body_bytes = 16MiB\n"
                 "max_inflated_bytes = 8MiB\n",
                 5,
                 "max_inflated_bytes (8388608) must not be smaller than max_body_bytes "
                 "(16777216): a batch that may arrive uncompressed must also fit after inflating");
    /* against the default of max_inflated_bytes: at max_body_bytes' line */
    expect_error(f, "[storage]\ndatabase = x\n[limits]\nmax_body_bytes = 1GiB\n", 4,
                 "max_inflated_bytes (67108864) must not be smaller than max_body_bytes "
                 "(1073741824): a batch that may arrive uncompressed must also fit after "
                 "inflating");
}

static void test_listen_and_tls(void **state)
{
    fixture *f = *state;
    static const char *const open_addrs[] = {"0.0.0.0", "::", "192.168.1.10", "::ffff:127.0.0.1",
                                             "128.0.0.1"};
    for (size_t i = 0; i < sizeof open_addrs / sizeof open_addrs[0]; i++) {
        char text[256], msg[512];
        snprintf(text, sizeof text, "[server]\nport = 443\nlisten = %s\n[storage]\ndatabase = x\n",
                 open_addrs[i]);
        snprintf(msg, sizeof msg,
                 "listen \"%s\" is not a loopback address, so it needs tls_cert and tls_key "
                 "(plain http is only allowed on 127.0.0.0/8, ::1 or localhost)",
                 open_addrs[i]);
        expect_error(f, text, 3, msg);
    }
    expect_error(f, "[server]\nlisten = 127.0.0.1\ntls_cert = c.pem\n[storage]\ndatabase = x\n", 3,
                 "tls_cert is set but tls_key is not (a certificate needs its key)");
    expect_error(f, "[server]\ntls_key = k.pem\n[storage]\ndatabase = x\n", 2,
                 "tls_key is set but tls_cert is not (a key needs its certificate)");
    /* half a pair on an open address: the pair is what to fix */
    expect_error(f,
                 "[server]\nlisten = 0.0.0.0\ntls_cert = c.pem\ntls_key =\n[storage]\n"
                 "database = x\n",
                 3, "tls_cert is set but tls_key is not (a certificate needs its key)");
    expect_error(f, "[server]\nlisten = collector.example.nl\n[storage]\ndatabase = x\n", 2,
                 "listen must be a numeric IPv4 or IPv6 address (such as 127.0.0.1, 0.0.0.0 or "
                 "::1) or localhost, not \"collector.example.nl\"");
    expect_error(f, "[server]\nlisten = [::1]\n[storage]\ndatabase = x\n", 2,
                 "listen: write an IPv6 address without brackets (::1, not [::1])");
    expect_error(f, "[server]\nlisten =\n[storage]\ndatabase = x\n", 2,
                 "listen must be a numeric IPv4 or IPv6 address (such as 127.0.0.1, 0.0.0.0 or "
                 "::1) or localhost, not \"\"");
}

static void test_bad_base_path(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *value, *msg;
    } cases[] = {
        {"", "base_path must not be empty; give a path such as /buurtkiosk"},
        {"buurtkiosk", "base_path must start with \"/\", such as /buurtkiosk, not \"buurtkiosk\""},
        {"/", "base_path must name a path such as /buurtkiosk, not \"/\" (the root is kept for "
              "the dashboard)"},
        {"/buurtkiosk/", "base_path must not end with \"/\", not \"/buurtkiosk/\""},
        {"/buurt kiosk", "base_path \"/buurt kiosk\" has a character that does not belong in a "
                         "URL path; use only letters, digits, \"-\", \".\", \"_\", \"~\" and "
                         "\"/\""},
        {"/buurt?x=1", "base_path \"/buurt?x=1\" has a character that does not belong in a URL "
                       "path; use only letters, digits, \"-\", \".\", \"_\", \"~\" and \"/\""},
        {"/caf\xc3\xa9", "base_path \"/caf\xc3\xa9\" has a character that does not belong in a "
                         "URL path; use only letters, digits, \"-\", \".\", \"_\", \"~\" and "
                         "\"/\""},
        {"/a//b", "base_path \"/a//b\" has an empty, \".\" or \"..\" part"},
        {"/a/../b", "base_path \"/a/../b\" has an empty, \".\" or \"..\" part"},
        {"/.", "base_path \"/.\" has an empty, \".\" or \"..\" part"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[storage]\ndatabase = x\n[server]\nbase_path = %s\n",
                 cases[i].value);
        expect_error(f, text, 4, cases[i].msg);
    }
}

static void test_several_problems_in_line_order(void **state)
{
    fixture *f = *state;
    collector_config c;
    bk_diag d = {0};
    bk_err rc = load_text(f,
                          "[server]\nlisten = 10.0.0.1\nport = x\nbogus = 1\n[limits]\n"
                          "max_responses = 0\n",
                          &c, &d);
    assert_int_equal(rc, BK_ERR_INVALID);
    char want[5][512];
    snprintf(want[0], sizeof want[0],
             "%s:2: listen \"10.0.0.1\" is not a loopback address, so it needs tls_cert and "
             "tls_key (plain http is only allowed on 127.0.0.0/8, ::1 or localhost)",
             f->path);
    snprintf(want[1], sizeof want[1],
             "%s:3: port must be a whole number from 0 to 65535, not \"x\"", f->path);
    snprintf(want[2], sizeof want[2], "%s:4: unknown key \"bogus\" in [server]", f->path);
    snprintf(want[3], sizeof want[3],
             "%s:6: max_responses must be a whole number from 1 to 100000, not \"0\"", f->path);
    snprintf(want[4], sizeof want[4], "%s:6: section [storage] is missing (it must set database)",
             f->path);
    if (d.count != 5)
        print_diag(&d);
    assert_int_equal(d.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(d.messages[i], want[i]);
    diag_clear(&d);
}

/* A postgresql:// URI selects PostgreSQL: kept as written (never resolved
 * as a file), checked by libpq's own parser, and never with a password. */
static void test_postgresql(void **state)
{
    fixture *f = *state;
    collector_config c;
    expect_ok(
        f,
        "[server]\nthreads = 8\n[storage]\n"
        "database = postgresql://collector@db.oosterhout.nl:5432/buurtkiosk?sslmode=require\n",
        &c);
    char *db = collector_config_database(&c);
    assert_string_equal(db,
                        "postgresql://collector@db.oosterhout.nl:5432/buurtkiosk?sslmode=require");
    free(db);
    assert_int_equal(c.storage.pool_size, 9);
    collector_config_free(&c);
    expect_ok(f,
              "[storage]\ndatabase = postgres:///bk?host=/run/postgresql&passfile=/etc/bk/pgpass\n"
              "pool_size = 40\n",
              &c);
    assert_int_equal(c.storage.pool_size, 40);
    collector_config_free(&c);
    expect_error(f, "[storage]\ndatabase = postgresql://collector:geheim@db/buurtkiosk\n", 2,
                 "database: the URI holds a password, which does not belong in this file; put it "
                 "in a password file (PGPASSFILE, or passfile= in the URI)");
    expect_error(f, "[storage]\ndatabase = postgresql://db/bk?password=geheim\n", 2,
                 "database: the URI holds a password, which does not belong in this file; put it "
                 "in a password file (PGPASSFILE, or passfile= in the URI)");
    expect_error(f, "[storage]\ndatabase = postgresql://db/bk?colour=blue\n", 2,
                 "database \"postgresql://db/bk?colour=blue\" is not a PostgreSQL connection URI: "
                 "invalid URI query parameter: \"colour\"");
    expect_error(f, "[storage]\ndatabase = x.db\npool_size = 0\n", 3,
                 "pool_size must be a whole number from 1 to 1000, not \"0\"");
}

/* [dashboard] and [areas]: the demo's values, the defaults, and every
 * rule with its message at its line. */
static void test_dashboard(void **state)
{
    fixture *f = *state;
    collector_config c;
    bk_diag d = {0};
    assert_int_equal(collector_config_load(DEMO, &c, &d), BK_OK);
    assert_int_equal(c.dashboard.min_group, 5);
    assert_int_equal(c.dashboard.offline_after_s, 3600);
    assert_int_equal(c.dashboard.session_idle_s, 1800);
    assert_int_equal(c.dashboard.session_max_s, 43200);
    assert_int_equal(c.dashboard.lock_after, 5);
    assert_int_equal(c.dashboard.lock_base_s, 30);
    assert_string_equal(c.dashboard.cohesion_survey, "buurtpeiling");
    assert_int_equal(c.dashboard.n_cohesion, 4);
    assert_string_equal(c.dashboard.cohesion_questions[0], "q1");
    assert_string_equal(c.dashboard.cohesion_questions[3], "q4");
    assert_int_equal(c.n_areas, 13);
    assert_string_equal(collector_config_area_name(&c, "centrum", "nl"), "Oosterhout-Centrum");
    assert_string_equal(collector_config_area_name(&c, "centrum", "en"), "Oosterhout centre");
    assert_string_equal(collector_config_area_name(&c, "dorst", "en"), "Dorst");
    assert_string_equal(collector_config_area_name(&c, "nergens", "nl"), "nergens");
    collector_config_free(&c);

    expect_ok(f, "[storage]\ndatabase = x\n", &c);
    assert_int_equal(c.dashboard.min_group, 5);
    assert_null(c.dashboard.cohesion_survey);
    assert_int_equal(c.dashboard.n_cohesion, 0);
    assert_int_equal(c.n_areas, 0);
    collector_config_free(&c);

    expect_error(f, "[storage]\ndatabase = x\n[dashboard]\ncohesion_survey = buurtpeiling\n", 4,
                 "cohesion_survey is set but cohesion_questions is not (which statements make "
                 "the score?)");
    expect_error(f, "[storage]\ndatabase = x\n[dashboard]\ncohesion_questions = q1\n", 4,
                 "cohesion_questions is set but cohesion_survey is not (which survey asks them?)");
    expect_error(f,
                 "[storage]\ndatabase = x\n[dashboard]\ncohesion_survey = b\n"
                 "cohesion_questions = q1, q/2\n",
                 5,
                 "cohesion_questions: \"q/2\" is not a question id (letters, digits, '-' and '_')");
    expect_error(
        f,
        "[storage]\ndatabase = x\n[dashboard]\ncohesion_survey = b\n"
        "cohesion_questions = q1, q-\xc3\xa9\n",
        5,
        "cohesion_questions: \"q-\xc3\xa9\" is not a question id (letters, digits, '-' and "
        "'_')");
    expect_error(f,
                 "[storage]\ndatabase = x\n[dashboard]\ncohesion_survey = b\n"
                 "cohesion_questions = ,\n",
                 5, "cohesion_questions is empty (leave the key out for no score)");
    expect_error(f, "[storage]\ndatabase = x\n[dashboard]\ncohesion_survey = een enquete\n", 4,
                 "cohesion_survey: \"een enquete\" is not a survey id (letters, digits, '-' and "
                 "'_')");
    expect_error(f,
                 "[storage]\ndatabase = x\n[dashboard]\nsession_idle_s = 3600\n"
                 "session_max_s = 600\n",
                 5, "session_max_s (600) must not be shorter than session_idle_s (3600)");
    bk_err rc = load_text(f, "[storage]\ndatabase = x\n[dashboard]\nmin_group = 0\n", &c, &d);
    assert_int_equal(rc, BK_ERR_INVALID);
    assert_true(diag_contains(&d, ":4: min_group"));
    diag_clear(&d);
    rc = load_text(f, "[storage]\ndatabase = x\n[dashboard]\nminimum_group = 5\n", &c, &d);
    assert_int_equal(rc, BK_ERR_INVALID);
    assert_true(diag_contains(&d, ":4:"));
    diag_clear(&d);
    /* [areas] is the kiosk's reader (core/ini_areas.c): its messages. */
    rc = load_text(f, "[storage]\ndatabase = x\n[areas]\ndorst = Dorst\ndorst = Dorst\n", &c, &d);
    assert_int_equal(rc, BK_ERR_INVALID);
    assert_true(diag_contains(&d, ":5:"));
    diag_clear(&d);
}

static void test_cannot_open(void **state)
{
    (void)state;
    collector_config c;
    bk_diag d = {0};
    assert_int_equal(collector_config_load("/nonexistent/collector.ini", &c, &d), BK_ERR_IO);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0],
                        "/nonexistent/collector.ini: cannot open: No such file or directory");
    assert_null(c.path);
    diag_clear(&d);
    /* diag may be NULL */
    assert_int_equal(collector_config_load("/nonexistent/collector.ini", &c, NULL), BK_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_and_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_base_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_problems_in_line_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgresql, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dashboard, setup, teardown),
        cmocka_unit_test(test_cannot_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
