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

#include "test_sync_common.h"

extern char **environ;

#define PIN_HASH                                                                                   \
    "$argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4" \
    "zMk6k"

/* One case: a collector (its configuration, database, server) and one
 * kiosk (its configuration, database, token). */
typedef struct e2e {
    char dir[300];
    char coll_ini[400], coll_db[400];
    char kiosk_ini[400], kiosk_db[400];
    char token[128];
    pid_t server;
    int port;
    bool tls; /* the collector serves https with the case's own CA */
} e2e;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_exit(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs argv (argv[0] a path) with stdout to out_path and stderr to
 * err_path (either NULL: /dev/null); returns the pid. */
static pid_t spawn(const char *const *argv, const char *out_path, const char *err_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path ? err_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
    return pid;
}

/* Runs argv to its end; its stdout (caller frees) in *out when out is
 * given, its stderr in *err when err is given. Returns the exit status. */
static int run(const e2e *t, const char *const *argv, char **out, char **err)
{
    char o[400], e[400];
    snprintf(o, sizeof o, "%s/out.txt", t->dir);
    snprintf(e, sizeof e, "%s/err.txt", t->dir);
    int rc = wait_exit(spawn(argv, o, e));
    if (out)
        assert_non_null(*out = ts_read_file(o, NULL));
    if (err)
        assert_non_null(*err = ts_read_file(e, NULL));
    return rc;
}

/* `buurtkiosk-collector ARGS... --config coll_ini`; stdout in *out. */
static int collector(const e2e *t, char **out, const char *a1, const char *a2, const char *a3,
                     const char *a4)
{
    const char *argv[10] = {BK_COLLECTOR};
    size_t n = 1;
    const char *args[] = {a1, a2, a3, a4};
    for (size_t i = 0; i < 4; i++)
        if (args[i])
            argv[n++] = args[i];
    argv[n++] = "--config";
    argv[n++] = t->coll_ini;
    argv[n] = NULL;
    char *err = NULL;
    int rc = run(t, argv, out, &err);
    if (rc != 0)
        print_message("collector %s: exit %d: %s\n", a1, rc, err);
    free(err);
    return rc;
}

/* Writes the collector's configuration with extra lines in [limits] and
 * [server]/[storage] overrides. */
static void write_collector_ini(e2e *t, int port, const char *server_extra,
                                const char *storage_extra, const char *limits)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[server]\nlisten = 127.0.0.1\nport = %d\n%s\n"
             "[storage]\ndatabase = collector.db\n%s\n"
             "[limits]\n%s\n",
             port, server_extra ? server_extra : "", storage_extra ? storage_extra : "",
             limits ? limits : "");
    ts_write_file(t->coll_ini, text, 0644);
}

/* Adds kiosk_id to the collector; its token (the last line of stdout) in
 * token (size 128). */
static void add_kiosk(e2e *t, const char *kiosk_id, char *token)
{
    char *out = NULL;
    assert_int_equal(collector(t, &out, "kiosk", "add", kiosk_id, NULL), 0);
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        out[--n] = '\0';
    const char *last = strrchr(out, '\n');
    snprintf(token, 128, "%s", last ? last + 1 : out);
    free(out);
}

/* Makes the case's directory, the collector (kiosk test-kiosk-01 added,
 * the demo surveys published to all) and the kiosk's configuration. */
static void e2e_init(e2e *t, const char *tag, const char *limits, const char *storage_extra)
{
    memset(t, 0, sizeof *t);
    ts_tmpdir(t->dir, sizeof t->dir, tag);
    snprintf(t->coll_ini, sizeof t->coll_ini, "%s/collector.ini", t->dir);
    snprintf(t->coll_db, sizeof t->coll_db, "%s/collector.db", t->dir);
    snprintf(t->kiosk_ini, sizeof t->kiosk_ini, "%s/kiosk.ini", t->dir);
    snprintf(t->kiosk_db, sizeof t->kiosk_db, "%s/kiosk.db", t->dir);
    write_collector_ini(t, 0, "retry_after_s = 1\n", storage_extra, limits);
    add_kiosk(t, TS_KIOSK, t->token);
    assert_true(strlen(t->token) >= 32);
    char *out = NULL;
    assert_int_equal(collector(t, &out, "survey", "publish",
                               BK_SOURCE_DIR "/config/surveys/symposium.json", "--all"),
                     0);
    free(out);
    assert_int_equal(collector(t, &out, "survey", "publish",
                               BK_SOURCE_DIR "/config/surveys/buurtpeiling.json", "--all"),
                     0);
    free(out);
}

/* Writes the kiosk's configuration for the running server; the kiosk's id
 * and token are given (another kiosk's token for the 403 case). */
static void write_kiosk_ini(e2e *t, const char *kiosk_id, const char *token, int batch_max)
{
    /* The demo configuration's [areas], so the replays find their wijk. */
    char *demo = ts_read_file(BK_SOURCE_DIR "/config/buurtkiosk.ini", NULL);
    assert_non_null(demo);
    const char *areas = strstr(demo, "\n[areas]\n");
    char text[8192], p[500];
    snprintf(text, sizeof text,
             "[kiosk]\nid = %s\nlanguages = nl, en\n\n"
             "[storage]\ndatabase = kiosk.db\n\n"
             "[survey]\ndirectory = " BK_SOURCE_DIR "/config/surveys\nactive = buurtpeiling\n\n"
             "[sync]\nbase_url = %s://127.0.0.1:%d/buurtkiosk\ntoken_file = token\n"
             "batch_max = %d\n%s\n"
             "[staff]\npin_hash = " PIN_HASH "\n\n%s",
             kiosk_id, t->tls ? "https" : "http", t->port ? t->port : 9, batch_max,
             t->tls ? "ca_file = ca.pem\n" : "", areas ? areas : "");
    free(demo);
    ts_write_file(t->kiosk_ini, text, 0644);
    snprintf(p, sizeof p, "%s/token", t->dir);
    char line[160];
    snprintf(line, sizeof line, "%s\n", token);
    ts_write_file(p, line, 0600);
}

/* Starts `serve`, waits for its "listening on" line, and notes the port.
 * Returns false when it did not start (after SIGKILL, a port can be held
 * for a moment). */
static bool server_start(e2e *t)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char err[400];
    snprintf(err, sizeof err, "%s/serve.err", t->dir);
    const char *argv[] = {BK_COLLECTOR, "serve", "--config", t->coll_ini, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_int_equal(posix_spawn(&t->server, BK_COLLECTOR, &fa, NULL, (char *const *)argv, environ),
                     0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    char line[256] = {0};
    size_t len = 0;
    int64_t deadline = now_ms() + 20000;
    while (len < sizeof line - 1 && !strchr(line, '\n') && now_ms() < deadline) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t n = read(fds[0], line + len, sizeof line - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fds[0]);
    const char *prefix =
        t->tls ? "listening on https://127.0.0.1:" : "listening on http://127.0.0.1:";
    const char *at = strstr(line, prefix);
    if (!at) {
        kill(t->server, SIGKILL);
        wait_exit(t->server);
        t->server = 0;
        return false;
    }
    t->port = atoi(at + strlen(prefix));
    assert_true(t->port > 0);
    return true;
}

/* SIGTERM: the collector must stop cleanly (exit 0). */
static void server_stop(e2e *t)
{
    kill(t->server, SIGTERM);
    assert_int_equal(wait_exit(t->server), 0);
    t->server = 0;
}

static void e2e_done(e2e *t)
{
    if (t->server) {
        kill(t->server, SIGKILL);
        wait_exit(t->server);
    }
    ts_rmtree(t->dir);
}

/* `buurtkiosk sync` with --retries; stderr in *err. */
static int kiosk_sync(e2e *t, const char *retries, char **err)
{
    const char *argv[] = {BK_BINARY, "sync", "--config", t->kiosk_ini, "--retries", retries, NULL};
    return run(t, argv, NULL, err);
}

/* Runs a replay of tests/replays on the kiosk (its database). */
static void kiosk_replay(e2e *t, const char *name)
{
    char script[400];
    snprintf(script, sizeof script, BK_SOURCE_DIR "/tests/replays/%s", name);
    const char *argv[] = {BK_BINARY, "run", "--config", t->kiosk_ini, "--replay", script, NULL};
    char *err = NULL;
    int rc = run(t, argv, NULL, &err);
    if (rc != 0)
        print_message("replay %s: %s\n", name, err);
    free(err);
    assert_int_equal(rc, 0);
}

/* The collector's export (JSON Lines) as a receiver-style dump:
 * {"responses": {id: response}, "order": [id...]}, kiosk_id checked and
 * removed. Every response the collector holds when all is true, else the
 * counted ones. Aborts when a response_id appears twice. */
static json_t *collector_dump(e2e *t, bool all)
{
    char path[400];
    snprintf(path, sizeof path, "%s/export.jsonl", t->dir);
    const char *argv[] = {BK_COLLECTOR, "export",    "--format",
                          "jsonl",      "--out",     path,
                          "--config",   t->coll_ini, all ? "--with-quarantined" : NULL,
                          NULL};
    assert_int_equal(run(t, argv, NULL, NULL), 0);
    json_t *dump = json_object();
    json_t *responses = json_object(), *order = json_array();
    json_object_set_new(dump, "responses", responses);
    json_object_set_new(dump, "order", order);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_error_t je;
        json_t *r = json_loads(line, 0, &je);
        assert_non_null(r);
        assert_string_equal(json_string_value(json_object_get(r, "kiosk_id")), TS_KIOSK);
        json_object_del(r, "kiosk_id");
        const char *id = json_string_value(json_object_get(r, "response_id"));
        assert_non_null(id);
        assert_null(json_object_get(responses, id)); /* never twice */
        json_array_append_new(order, json_string(id));
        json_object_set_new(responses, id, r);
    }
    free(line);
    fclose(f);
    return dump;
}

static void assert_collector_holds_store(e2e *t)
{
    json_t *dump = collector_dump(t, true);
    ts_assert_exactly_once(t->kiosk_db, dump);
    json_decref(dump);
}

/* PRAGMA integrity_check of the collector's database. */
static void assert_collector_integrity(const e2e *t)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(t->coll_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

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
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    const char *replays[] = {"demo-nl.replay", "english.replay", "text-accents.replay",
                             "multi-max.replay", "skip-back.replay"};
    for (size_t i = 0; i < sizeof replays / sizeof replays[0]; i++)
        kiosk_replay(&t, replays[i]);
    /* The kiosk's own sync worker may have sent some while it ran. */
    store_counts before = ts_counts(t.kiosk_db);
    int64_t finished = before.queued + before.delivered;
    assert_true(finished >= 5);

    char *err = NULL;
    assert_int_equal(kiosk_sync(&t, "0", &err), 0);
    assert_non_null(strstr(err, "nothing left to send"));
    free(err);
    assert_collector_holds_store(&t);

    /* They fit buurtpeiling version 1: all counted, none quarantined. */
    json_t *counted = collector_dump(&t, false);
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
    assert_int_equal(run(&t, csv_argv, &csv_out, NULL), 0);
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
    assert_int_equal(kiosk_sync(&t, "0", &err), 0);
    free(err);
    assert_collector_holds_store(&t);
    char *out = NULL;
    assert_int_equal(collector(&t, &out, "status", NULL, NULL, NULL), 0);
    char expect[80];
    snprintf(expect, sizeof expect, "total: %lld responses counted, 0 quarantined, 0 conflicts",
             (long long)finished);
    assert_non_null(strstr(out, expect));
    free(out);
    server_stop(&t);
    assert_collector_integrity(&t);
    e2e_done(&t);
}

/* 700 seeded responses of every kind (unicode, lists, partial, flags, null
 * area, survey versions the collector does not hold: quarantined, kept). */
static void test_seeded_store_exactly_once(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "seeded", NULL, NULL);
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 100);
    ts_seed_store(t.kiosk_db, 700);
    char *err = NULL;
    assert_int_equal(kiosk_sync(&t, "0", &err), 0);
    free(err);
    assert_collector_holds_store(&t);
    server_stop(&t);
    e2e_done(&t);
}

/* A revoked token: 401, nothing more taken, the kiosk keeps its answers
 * and says why. */
static void test_revoked_token(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "revoked", NULL, NULL);
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    ts_seed_store(t.kiosk_db, 12);
    char *err = NULL;
    assert_int_equal(kiosk_sync(&t, "0", &err), 0);
    free(err);
    char *out = NULL;
    assert_int_equal(collector(&t, &out, "kiosk", "revoke", TS_KIOSK, NULL), 0);
    free(out);
    ts_seed_store(t.kiosk_db, 7);
    assert_int_equal(kiosk_sync(&t, "0", &err), 1);
    assert_non_null(strstr(err, "401"));
    assert_non_null(strstr(err, "7 responses not sent yet"));
    free(err);
    json_t *dump = collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 12);
    json_decref(dump);
    assert_int_equal(ts_counts(t.kiosk_db).queued, 7);
    server_stop(&t);
    e2e_done(&t);
}

/* Kiosk A configured with kiosk B's token: 403, nothing stored. */
static void test_other_kiosks_token(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "other", NULL, NULL);
    char other[128];
    add_kiosk(&t, "kiosk-b", other);
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, other, 10);
    ts_seed_store(t.kiosk_db, 5);
    char *err = NULL;
    assert_int_equal(kiosk_sync(&t, "0", &err), 1);
    assert_non_null(strstr(err, "403"));
    free(err);
    json_t *dump = collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 0);
    json_decref(dump);
    assert_int_equal(ts_counts(t.kiosk_db).queued, 5);
    server_stop(&t);
    e2e_done(&t);
}

/* The collector takes at most 7 responses a batch; the kiosk sends 50 at
 * a time, gets 413, splits, and in the end everything is there once. */
static void test_over_limit_split(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "split", "max_responses = 7\n", NULL);
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    ts_seed_store(t.kiosk_db, 60);
    char *err = NULL;
    int rc = kiosk_sync(&t, "20", &err);
    if (rc != 0)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    free(err);
    assert_collector_holds_store(&t);
    server_stop(&t);
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
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 5);
    ts_seed_store(t.kiosk_db, 15);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(t.kiosk_db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE responses SET survey_id = 'Not A Survey!' WHERE seq = 7",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char *err = NULL;
    assert_int_equal(kiosk_sync(&t, "0", &err), 0);
    assert_non_null(strstr(err, "5 responses set aside by the server"));
    free(err);
    store_counts n = ts_counts(t.kiosk_db);
    assert_int_equal(n.rejected, 5);
    assert_int_equal(n.delivered, 10);
    json_t *dump = collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 10);
    json_decref(dump);
    server_stop(&t);
    e2e_done(&t);
}

/* Another program holds the collector's database's write lock: the upload
 * gets 503 with Retry-After: 1, the kiosk waits that long (and not much
 * longer) and sends once the lock is gone. */
static void test_busy_store_retry_after(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "busy", NULL, "busy_timeout_ms = 50\n");
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    ts_seed_store(t.kiosk_db, 10);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(t.coll_db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    char err_path[400];
    snprintf(err_path, sizeof err_path, "%s/sync.err", t.dir);
    const char *argv[] = {BK_BINARY, "sync", "--config", t.kiosk_ini, "--retries", "5", NULL};
    int64_t t0 = now_ms();
    pid_t pid = spawn(argv, NULL, err_path);
    /* Hold the lock until the kiosk has been told to wait at least once. */
    char *err = NULL;
    while (now_ms() - t0 < 15000) {
        free(err);
        err = ts_read_file(err_path, NULL);
        if (err && strstr(err, "Retry-After: 1"))
            break;
        usleep(20 * 1000);
    }
    assert_non_null(err);
    assert_non_null(strstr(err, "HTTP 503, Retry-After: 1"));
    free(err);
    int64_t told = now_ms();
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(wait_exit(pid), 0);
    int64_t waited = now_ms() - told;
    print_message("the kiosk sent %lld ms after it was told to wait 1 s\n", (long long)waited);
    /* The kiosk honoured the second it was given, and did not wait for a
     * longer backoff of its own. */
    assert_true(waited >= 900);
    assert_true(waited < 10000);
    assert_collector_holds_store(&t);
    server_stop(&t);
    e2e_done(&t);
}

/* A kiosk's USB export (JSON Lines + SHA-256) imported, then the same
 * responses synced: duplicates, not second answers. */
static void test_import_then_sync(void **state)
{
    (void)state;
    e2e t;
    e2e_init(&t, "import", NULL, NULL);
    write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    ts_seed_store(t.kiosk_db, 40);
    char usb[400];
    snprintf(usb, sizeof usb, "%s/buurtkiosk-" TS_KIOSK "-20261203-120000.jsonl", t.dir);
    const char *exp[] = {BK_BINARY, "export", "--config", t.kiosk_ini, "--format",
                         "jsonl",   "--out",  usb,        NULL};
    char *err = NULL;
    int rc = run(&t, exp, NULL, &err);
    if (rc != 0)
        print_message("%s\n", err);
    free(err);
    assert_int_equal(rc, 0);
    char *out = NULL;
    assert_int_equal(collector(&t, &out, "import", usb, NULL, NULL), 0);
    free(out);
    json_t *dump = collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 40);
    json_decref(dump);
    /* Imported again: nothing new. */
    assert_int_equal(collector(&t, &out, "import", usb, NULL, NULL), 0);
    free(out);

    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 50);
    assert_int_equal(kiosk_sync(&t, "0", &err), 0);
    free(err);
    assert_collector_holds_store(&t);

    /* A changed export fails its checksum and nothing of it is taken. */
    ts_seed_store(t.kiosk_db, 3);
    assert_int_equal(run(&t, exp, NULL, NULL), 0);
    FILE *f = fopen(usb, "a");
    assert_non_null(f);
    fputs("\n", f);
    fclose(f);
    assert_int_not_equal(collector(&t, &out, "import", usb, NULL, NULL), 0);
    free(out);
    dump = collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), 40);
    json_decref(dump);
    server_stop(&t);
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
    write_collector_ini(&t, 0, "retry_after_s = 1\ntls_cert = server.pem\ntls_key = server.key\n",
                        NULL, NULL);
    t.tls = true;
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 25);
    ts_seed_store(t.kiosk_db, 60);
    char *err = NULL;
    int rc = kiosk_sync(&t, "0", &err);
    if (rc != 0)
        print_message("%s\n", err);
    free(err);
    assert_int_equal(rc, 0);
    assert_collector_holds_store(&t);
    server_stop(&t);
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
    assert_true(server_start(&t));
    write_kiosk_ini(&t, TS_KIOSK, t.token, 10);
    ts_seed_store(t.kiosk_db, 3000);
    const char *argv[] = {BK_BINARY, "sync", "--config", t.kiosk_ini, NULL};
    pid_t pid = spawn(argv, NULL, NULL);
    /* Wait until uploads are under way, then ask the collector to stop. */
    int64_t t0 = now_ms();
    while (ts_counts(t.kiosk_db).delivered < 50 && now_ms() - t0 < 20000)
        usleep(5 * 1000);
    assert_true(ts_counts(t.kiosk_db).delivered >= 50);
    server_stop(&t); /* asserts exit status 0 */
    wait_exit(pid);
    store_counts n = ts_counts(t.kiosk_db);
    assert_true(n.queued > 0); /* it really stopped in the middle */
    json_t *dump = collector_dump(&t, true);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), n.delivered);
    json_decref(dump);
    assert_collector_integrity(&t);
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
    assert_true(server_start(&t));
    int port = t.port;
    server_stop(&t);
    char fixed[64];
    snprintf(fixed, sizeof fixed, "retry_after_s = 1\n");
    write_collector_ini(&t, port, fixed, NULL, NULL);
    write_kiosk_ini(&t, TS_KIOSK, t.token, 4);
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
        if (!server_start(&t)) {
            assert_true(++start_failures < 50);
            usleep(50 * 1000);
            continue;
        }
        assert_int_equal(t.port, port);
        pid_t pid = spawn(argv, NULL, err_path);
        usleep((useconds_t)(rand() % 100) * 1000);
        bool uploading = ts_counts(t.kiosk_db).queued > 0;
        kill(t.server, SIGKILL);
        assert_int_equal(wait_exit(t.server), 128 + SIGKILL);
        t.server = 0;
        wait_exit(pid);
        store_counts n = ts_counts(t.kiosk_db);
        assert_true(n.delivered >= last_delivered);
        last_delivered = n.delivered;
        kills += uploading;
    }
    print_message("%d kills during uploads (%d rounds); %lld of %d responses acknowledged "
                  "before the last sync\n",
                  kills, rounds, (long long)last_delivered, total);
    assert_true(server_start(&t));
    char *err = NULL;
    assert_int_equal(kiosk_sync(&t, "5", &err), 0);
    free(err);
    assert_collector_holds_store(&t);
    server_stop(&t);
    assert_collector_integrity(&t);
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
