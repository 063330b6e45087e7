/* test_sync_common.c: see test_sync_common.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_sync_common.h"

extern char **environ;

void ts_tmpdir(char *buf, size_t size, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(buf, size, "%s/bk-sync-%s-XXXXXX", base, tag);
    assert_non_null(mkdtemp(buf));
}

void ts_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            ts_rmtree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

void ts_write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

char *ts_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

void ts_copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *data = ts_read_file(from, &len);
    assert_non_null(data);
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    free(data);
}

void ts_seed_store(const char *db_path, int n)
{
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(db_path, &clk, &st, NULL), BK_OK);
    assert_int_equal(
        sqlite3_exec(store_sqlite_handle(st), "PRAGMA synchronous=OFF", NULL, NULL, NULL),
        SQLITE_OK);
    for (int i = 0; i < n; i++) {
        store_response_meta meta = {
            .survey_id = i % 11 == 0 ? "symposium" : "buurtpeiling",
            .survey_version = 1 + i % 3,
            .mode = i % 7 == 0 ? "live" : "survey",
            .language = i % 4 == 0 ? "en" : "nl",
            .area = i % 3 == 0 ? NULL : "dorst",
        };
        store_response_ref ref;
        assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
        answer_value v1 = {.kind = ANSWER_INT, .integer = 1 + i % 5};
        assert_int_equal(store_answer_set(st, ref.rowid, "q1", &v1), BK_OK);
        if (i % 2 == 0) {
            char text[160];
            snprintf(text, sizeof text,
                     "Meer bankjes bij de vijver \xE2\x80\x94 \"%d\" \xC3\xA9\xC3\xA9n\nregel 2 "
                     "\\ \xF0\x9F\x98\x80",
                     i);
            answer_value v2 = {.kind = ANSWER_TEXT, .text = text};
            assert_int_equal(store_answer_set(st, ref.rowid, "q2", &v2), BK_OK);
        }
        if (i % 3 != 1) {
            const char *const opts[] = {"park", "speeltuin", "bus"};
            answer_value v3 = {.kind = ANSWER_LIST, .list = opts, .n_list = (size_t)(i % 4)};
            assert_int_equal(store_answer_set(st, ref.rowid, "q3", &v3), BK_OK);
        }
        const char *const flags[] = {"rapid", "repeat"};
        size_t nf = i % 6 == 0 ? 2 : i % 3 == 0 ? 1 : 0;
        store_status status = i % 5 == 4 ? STORE_STATUS_PARTIAL : STORE_STATUS_COMPLETE;
        assert_int_equal(store_response_finish(st, ref.rowid, status, flags, nf), BK_OK);
    }
    store_close(st);
}

/* ---- The receiver ---- */

void ts_receiver_start(ts_receiver *r, const char *const *args)
{
    char script[1024];
    snprintf(script, sizeof script, "%s/tests/receiver/receiver.py", BK_SOURCE_DIR);
    const char *argv[64];
    size_t n = 0;
    argv[n++] = "python3";
    argv[n++] = "-u";
    argv[n++] = script;
    argv[n++] = "--token";
    argv[n++] = TS_TOKEN;
    argv[n++] = "--idle";
    argv[n++] = "120";
    for (size_t i = 0; args && args[i] && n < 62; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

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
        int pr = poll(&p, 1, 15000);
        assert_true(pr == 1); /* the receiver did not start in time */
        ssize_t got = read(pipefd[0], line + len, 1);
        assert_true(got == 1);
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(pipefd[0]);
    assert_int_equal(sscanf(line, "PORT %d CONTROL %d", &r->port, &r->control), 2);
}

void ts_receiver_stop(ts_receiver *r)
{
    if (r->pid <= 0)
        return;
    kill(r->pid, SIGTERM);
    int status;
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
    }
    r->pid = 0;
}

/* One HTTP/1.1 request with Connection: close to the control port. Returns
 * the status and the body (caller frees) in *body. */
static int control_request(const ts_receiver *r, const char *method, const char *path,
                           const char *body, char **resp_body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->control)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    size_t blen = body ? strlen(body) : 0;
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                      method, path, blen);
    assert_int_equal(write(fd, head, (size_t)hl), hl);
    if (blen)
        assert_int_equal(write(fd, body, blen), (ssize_t)blen);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    int status = 0;
    assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &status), 1);
    char *sep = strstr(buf, "\r\n\r\n");
    if (resp_body)
        *resp_body = strdup(sep ? sep + 4 : "");
    free(buf);
    return status;
}

int ts_receiver_control(const ts_receiver *r, const char *json)
{
    return control_request(r, "POST", "/_control", json, NULL);
}

json_t *ts_receiver_dump(const ts_receiver *r)
{
    char *body = NULL;
    assert_int_equal(control_request(r, "GET", "/_dump", NULL, &body), 200);
    json_error_t err;
    json_t *j = json_loads(body, 0, &err);
    free(body);
    assert_non_null(j);
    return j;
}

json_t *ts_receiver_stats(const ts_receiver *r)
{
    char *body = NULL;
    assert_int_equal(control_request(r, "GET", "/_stats", NULL, &body), 200);
    json_error_t err;
    json_t *j = json_loads(body, 0, &err);
    free(body);
    assert_non_null(j);
    return j;
}

long long ts_dump_int(json_t *dump, const char *key)
{
    return (long long)json_integer_value(json_object_get(dump, key));
}

/* ---- Configuration ---- */

void ts_config(bk_config *cfg, const char *dir, const char *base_url, int batch_max)
{
    memset(cfg, 0, sizeof *cfg);
    char p[1024];
    snprintf(p, sizeof p, "%s/buurtkiosk.ini", dir);
    cfg->path = strdup(p);
    snprintf(p, sizeof p, "%s/token", dir);
    ts_write_file(p, TS_TOKEN "\n", 0600);
    cfg->sync.token_file = strdup(p);
    cfg->kiosk.id = strdup(TS_KIOSK);
    cfg->sync.base_url = strdup(base_url);
    cfg->sync.batch_max = batch_max;
    cfg->sync.interval_s = 300;
    cfg->survey.active = strdup("buurtpeiling");
}

void ts_config_free(bk_config *cfg)
{
    free(cfg->path);
    free(cfg->sync.token_file);
    free(cfg->kiosk.id);
    free(cfg->sync.base_url);
    free(cfg->sync.ca_file);
    free(cfg->sync.client_cert);
    free(cfg->sync.client_key);
    free(cfg->survey.active);
    memset(cfg, 0, sizeof *cfg);
}

static int sleep_none(void *ctx, int64_t ms)
{
    (void)ctx;
    (void)ms;
    return 0;
}

sync_options ts_fast_options(void)
{
    sync_options o = sync_options_default();
    o.backoff_base_ms = 1;
    o.backoff_cap_ms = 10;
    o.max_retries_in_pass = 1000;
    o.sleep_ms = sleep_none;
    /* Generous: a loaded test machine (sanitizers, parallel tests) must not
       turn into timeouts; tests that want a timeout set their own. */
    o.timeout_ms = 60000;
    o.connect_timeout_ms = 30000;
    return o;
}

/* ---- Checks ---- */

typedef struct collect_ctx {
    json_t *dump_responses;
    size_t n;
    size_t missing, different;
} collect_ctx;

static int compare_row(const store_response_row *row, void *vctx)
{
    collect_ctx *c = vctx;
    if (!row->completed_at)
        return 0; /* still started: not uploaded */
    c->n++;
    char *text = store_response_to_json(row);
    assert_non_null(text);
    json_error_t err;
    json_t *mine = json_loads(text, 0, &err);
    assert_non_null(mine);
    json_t *theirs = json_object_get(c->dump_responses, row->response_id);
    if (!theirs) {
        if (c->missing++ < 3)
            print_error("missing at the receiver: %s\n", text);
    } else if (!json_equal(mine, theirs)) {
        if (c->different++ < 3) {
            char *t = json_dumps(theirs, JSON_COMPACT | JSON_SORT_KEYS);
            print_error("different:\n kiosk:    %s\n receiver: %s\n", text, t);
            free(t);
        }
    }
    json_decref(mine);
    free(text);
    return 0;
}

store_counts ts_counts(const char *db_path)
{
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(db_path, &clk, &st, NULL), BK_OK);
    store_counts n;
    assert_int_equal(store_count(st, &n), BK_OK);
    store_close(st);
    return n;
}

void ts_assert_exactly_once(const char *db_path, json_t *dump)
{
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(db_path, &clk, &st, NULL), BK_OK);
    collect_ctx c = {.dump_responses = json_object_get(dump, "responses")};
    assert_int_equal(store_foreach_response(st, 0, 0, compare_row, &c), BK_OK);
    store_counts n;
    assert_int_equal(store_count(st, &n), BK_OK);
    store_close(st);
    assert_int_equal(c.missing, 0);
    assert_int_equal(c.different, 0);
    /* Nothing at the receiver that the kiosk does not have, none twice. */
    assert_int_equal(json_object_size(c.dump_responses), c.n);
    assert_int_equal(json_array_size(json_object_get(dump, "order")), c.n);
    assert_int_equal(json_array_size(json_object_get(dump, "conflicts")), 0);
    assert_int_equal(ts_dump_int(dump, "batch_conflicts"), 0);
    json_t *errors = json_object_get(dump, "errors");
    if (json_array_size(errors) > 0) {
        char *t = json_dumps(errors, 0);
        print_error("receiver saw protocol errors: %s\n", t);
        free(t);
    }
    assert_int_equal(json_array_size(errors), 0);
    assert_int_equal(n.queued, 0);
    assert_int_equal(n.rejected, 0);
    assert_int_equal(n.delivered, (int64_t)c.n);
}
