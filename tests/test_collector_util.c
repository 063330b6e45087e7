/* test_collector_util.c: see test_collector_util.h. */
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

extern char **environ;

#define PIN_HASH                                                                                   \
    "$argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4" \
    "zMk6k"
int64_t e2e_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The servers running now: killed when the test program exits, so a test
 * that failed half-way (cmocka jumps out of it) leaves none behind. */
static pid_t e2e_live[64];
static int e2e_n_live;

static void e2e_kill_live(void)
{
    for (int i = 0; i < e2e_n_live; i++)
        kill(e2e_live[i], SIGKILL);
}

static void e2e_track(pid_t pid)
{
    static bool registered;
    if (!registered)
        registered = atexit(e2e_kill_live) == 0;
    if (e2e_n_live < (int)(sizeof e2e_live / sizeof e2e_live[0]))
        e2e_live[e2e_n_live++] = pid;
}

static void e2e_untrack(pid_t pid)
{
    for (int i = 0; i < e2e_n_live; i++) {
        if (e2e_live[i] == pid) {
            e2e_live[i] = e2e_live[--e2e_n_live];
            return;
        }
    }
}

int e2e_wait_exit(pid_t pid)
{
    e2e_untrack(pid);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs argv (argv[0] a path) with stdout to out_path and stderr to
 * err_path (either NULL: /dev/null); returns the pid. */
pid_t e2e_spawn(const char *const *argv, const char *out_path, const char *err_path)
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
int e2e_run(const e2e *t, const char *const *argv, char **out, char **err)
{
    char o[400], e[400];
    snprintf(o, sizeof o, "%s/out.txt", t->dir);
    snprintf(e, sizeof e, "%s/err.txt", t->dir);
    int rc = e2e_wait_exit(e2e_spawn(argv, o, e));
    if (out)
        assert_non_null(*out = ts_read_file(o, NULL));
    if (err)
        assert_non_null(*err = ts_read_file(e, NULL));
    return rc;
}

/* `buurtkiosk-collector ARGS... --config coll_ini`; stdout in *out. */
int e2e_collector(const e2e *t, char **out, const char *a1, const char *a2, const char *a3,
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
    int rc = e2e_run(t, argv, out, &err);
    if (rc != 0)
        print_message("collector %s: exit %d: %s\n", a1, rc, err);
    free(err);
    return rc;
}

/* Writes the collector's configuration with extra lines in [limits] and
 * [server]/[storage] overrides. */
void e2e_write_collector_ini(e2e *t, int port, const char *server_extra, const char *storage_extra,
                             const char *limits)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[server]\nlisten = 127.0.0.1\nport = %d\n%s\n"
             "[storage]\ndatabase = %s\n%s\n"
             "[limits]\n%s\n",
             port, server_extra ? server_extra : "", t->coll_db, storage_extra ? storage_extra : "",
             limits ? limits : "");
    ts_write_file(t->coll_ini, text, 0644);
}

/* Adds kiosk_id to the collector; its token (the last line of stdout) in
 * token (size 128). */
void e2e_add_kiosk(e2e *t, const char *kiosk_id, char *token)
{
    char *out = NULL;
    assert_int_equal(e2e_collector(t, &out, "kiosk", "add", kiosk_id, NULL), 0);
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        out[--n] = '\0';
    const char *last = strrchr(out, '\n');
    snprintf(token, 128, "%s", last ? last + 1 : out);
    free(out);
}

/* Makes the case's directory, the collector (kiosk test-kiosk-01 added,
 * the demo surveys published to all) and the kiosk's configuration. */
void e2e_init(e2e *t, const char *tag, const char *limits, const char *storage_extra)
{
    memset(t, 0, sizeof *t);
    ts_tmpdir(t->dir, sizeof t->dir, tag);
    snprintf(t->coll_ini, sizeof t->coll_ini, "%s/collector.ini", t->dir);
    t->coll_db = tdb_new(t->dir, "collector.db");
    snprintf(t->kiosk_ini, sizeof t->kiosk_ini, "%s/kiosk.ini", t->dir);
    snprintf(t->kiosk_db, sizeof t->kiosk_db, "%s/kiosk.db", t->dir);
    e2e_write_collector_ini(t, 0, "retry_after_s = 1\n", storage_extra, limits);
    e2e_add_kiosk(t, TS_KIOSK, t->token);
    assert_true(strlen(t->token) >= 32);
    char *out = NULL;
    assert_int_equal(e2e_collector(t, &out, "survey", "publish",
                                   BK_SOURCE_DIR "/config/surveys/symposium.json", "--all"),
                     0);
    free(out);
    assert_int_equal(e2e_collector(t, &out, "survey", "publish",
                                   BK_SOURCE_DIR "/config/surveys/buurtpeiling.json", "--all"),
                     0);
    free(out);
}

/* Writes the kiosk's configuration for the running server; the kiosk's id
 * and token are given (another kiosk's token for the 403 case). */
void e2e_write_kiosk_ini(e2e *t, const char *kiosk_id, const char *token, int batch_max)
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
bool e2e_server_start(e2e *t)
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
    e2e_track(t->server);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    char line[256] = {0};
    size_t len = 0;
    int64_t deadline = e2e_now_ms() + 20000;
    while (len < sizeof line - 1 && !strchr(line, '\n') && e2e_now_ms() < deadline) {
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
        e2e_wait_exit(t->server);
        t->server = 0;
        return false;
    }
    t->port = atoi(at + strlen(prefix));
    assert_true(t->port > 0);
    return true;
}

/* SIGTERM: the collector must stop cleanly (exit 0). */
void e2e_server_stop(e2e *t)
{
    kill(t->server, SIGTERM);
    assert_int_equal(e2e_wait_exit(t->server), 0);
    t->server = 0;
}

void e2e_done(e2e *t)
{
    if (t->server) {
        kill(t->server, SIGKILL);
        e2e_wait_exit(t->server);
    }
    tdb_drop(t->coll_db);
    free(t->coll_db);
    t->coll_db = NULL;
    ts_rmtree(t->dir);
}

/* `buurtkiosk sync` with --retries; stderr in *err. */
int e2e_kiosk_sync(e2e *t, const char *retries, char **err)
{
    const char *argv[] = {BK_BINARY, "sync", "--config", t->kiosk_ini, "--retries", retries, NULL};
    return e2e_run(t, argv, NULL, err);
}

/* Runs a replay of tests/replays on the kiosk (its database). */
void e2e_kiosk_replay(e2e *t, const char *name)
{
    char script[400];
    snprintf(script, sizeof script, BK_SOURCE_DIR "/tests/replays/%s", name);
    const char *argv[] = {BK_BINARY, "run", "--config", t->kiosk_ini, "--replay", script, NULL};
    char *err = NULL;
    int rc = e2e_run(t, argv, NULL, &err);
    if (rc != 0)
        print_message("replay %s: %s\n", name, err);
    free(err);
    assert_int_equal(rc, 0);
}

/* The collector's export (JSON Lines) as a receiver-style dump:
 * {"responses": {id: response}, "order": [id...]}, kiosk_id checked and
 * removed. Every response the collector holds when all is true, else the
 * counted ones. Aborts when a response_id appears twice. */
json_t *e2e_collector_dump(e2e *t, bool all)
{
    char path[400];
    snprintf(path, sizeof path, "%s/export.jsonl", t->dir);
    const char *argv[] = {BK_COLLECTOR, "export",    "--format",
                          "jsonl",      "--out",     path,
                          "--config",   t->coll_ini, all ? "--with-quarantined" : NULL,
                          NULL};
    assert_int_equal(e2e_run(t, argv, NULL, NULL), 0);
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

void e2e_assert_holds_store(e2e *t)
{
    json_t *dump = e2e_collector_dump(t, true);
    ts_assert_exactly_once(t->kiosk_db, dump);
    json_decref(dump);
}

/* The collector's database passes its own check (tdb_sound). */
void e2e_assert_sound(const e2e *t)
{
    assert_true(tdb_sound(t->coll_db));
}
