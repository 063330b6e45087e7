/* fuzz_server_reply.c: libFuzzer target for everything the kiosk does with
 * what a server answers: the status-code rules of the batch upload, the
 * acknowledgement (JSON) check, the server's error message, Retry-After,
 * the survey bundle download (ETag, validation, install) and the heartbeat.
 *
 * A whole sync pass (sync_client_pass) runs against a fake transport that
 * answers each request with the next reply of the input, over a fresh copy
 * of a small store (5 finished responses, batches of 2, a valid installed
 * bundle). The input is text:
 *
 *   [opts RETRIES PASSES]          optional first line (digits 0-9 each)
 *   STATUS                         e.g. 201; "E5" = transport error 5
 *   Retry-After: VALUE             optional header lines...
 *   ETag: VALUE
 *                                  ...up to an empty line
 *   BODY                           the rest; $BATCH = the request's batch id
 *   %%                             (a line) separates replies
 *
 * Past the last reply every request fails as "no connection". Checks after
 * the passes: no response lost or doubled; none marked delivered without a
 * matching acknowledgement, none set aside without a 400/413/422; the
 * installed bundle still validates and changed only to a bundle a 200
 * carried; the status text is one line of valid UTF-8; every heartbeat has
 * the protocol's ten keys; no Retry-After wait beyond the cap. The
 * Retry-After parser also gets every header value directly. */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "log.h"
#include "store.h"
#include "sync_private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_RESPONSES 5
#define FZ_MAX_REPLIES 64
#define FZ_KIOSK "fuzz-kiosk"

static const char fz_bundle[] =
    "{\"active\":\"mini\",\"surveys\":[{\"id\":\"mini\",\"version\":1,\"languages\":[\"nl\"],"
    "\"title\":{\"nl\":\"T\"},\"questions\":[{\"id\":\"q1\",\"type\":\"scale\",\"text\":{\"nl\":"
    "\"Q\"},\"labels\":{\"nl\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}]}]}";

/* Set up once: a scratch directory, the token, the template database. */
static char fz_dir[256];
static char fz_db[300];
static char *fz_template; /* the template database's bytes */
static size_t fz_template_len;
static bk_config fz_cfg;

typedef struct fz_reply {
    bool transport_error;
    int err;
    long status;
    char retry_after[128];
    char etag[256];
    const uint8_t *body;
    size_t body_len;
} fz_reply;

typedef struct fz_state {
    fz_reply replies[FZ_MAX_REPLIES];
    size_t n, next;
    bk_virtual_clock vc;
    bool ack_possible;    /* a batch got 200/201 naming its own batch id */
    bool reject_possible; /* a batch got 400, 413 or 422 */
    char *bundles[8];     /* bodies of 200 answers to the survey download */
    size_t n_bundles;
    bool bundle_overflow; /* more than 8 of them */
    size_t heartbeats;
} fz_state;

static void write_all(const char *path, const void *data, size_t len, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f, "cannot write a scratch file");
    FUZZ_CHECK(fwrite(data, 1, len, f) == len, "short write");
    FUZZ_CHECK(fclose(f) == 0, "fclose");
    FUZZ_CHECK(chmod(path, mode) == 0, "chmod");
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    FUZZ_CHECK(f, "cannot read a scratch file");
    FUZZ_CHECK(fseek(f, 0, SEEK_END) == 0, "fseek");
    long n = ftell(f);
    FUZZ_CHECK(n >= 0 && fseek(f, 0, SEEK_SET) == 0, "ftell");
    char *buf = malloc((size_t)n + 1);
    FUZZ_CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n, "fread");
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void remove_db_files(void)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s%s", fz_db, suffix[i]);
        unlink(p);
    }
}

static void cleanup(void)
{
    remove_db_files();
    char p[320];
    snprintf(p, sizeof p, "%s/token", fz_dir);
    unlink(p);
    rmdir(fz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_LEVEL_ERROR);
    fuzz_scratch_dir(fz_dir, sizeof fz_dir, "reply");
    atexit(cleanup);
    snprintf(fz_db, sizeof fz_db, "%s/kiosk.db", fz_dir);
    char p[320];
    snprintf(p, sizeof p, "%s/token", fz_dir);
    write_all(p, "fuzz-token\n", 11, 0600);

    memset(&fz_cfg, 0, sizeof fz_cfg);
    snprintf(p, sizeof p, "%s/buurtkiosk.ini", fz_dir);
    fz_cfg.path = strdup(p);
    fz_cfg.kiosk.id = strdup(FZ_KIOSK);
    fz_cfg.sync.base_url = strdup("http://127.0.0.1:9/buurtkiosk");
    fz_cfg.sync.token_file = strdup("token");
    fz_cfg.sync.batch_max = 2;
    fz_cfg.sync.interval_s = 300;
    fz_cfg.survey.active = strdup("mini");

    /* The template: five finished responses and an installed bundle. */
    bk_virtual_clock vc = {.mono_ms = 1000000, .wall_ms = 1795959912000LL};
    bk_clock clk = clock_virtual(&vc);
    store *st = NULL;
    FUZZ_CHECK(store_open(fz_db, &clk, &st, NULL) == BK_OK, "store_open (template)");
    for (int i = 0; i < FZ_RESPONSES; i++) {
        store_response_meta meta = {.survey_id = "mini",
                                    .survey_version = 1,
                                    .mode = "survey",
                                    .language = "nl",
                                    .area = i % 2 ? "dorst" : NULL};
        store_response_ref ref;
        FUZZ_CHECK(store_response_begin(st, &meta, &ref) == BK_OK, "begin");
        answer_value v = {.kind = ANSWER_INT, .integer = 1 + i};
        FUZZ_CHECK(store_answer_set(st, ref.rowid, "q1", &v) == BK_OK, "answer");
        FUZZ_CHECK(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0) == BK_OK,
                   "finish");
        clock_virtual_advance(&vc, 60000);
    }
    FUZZ_CHECK(store_meta_set(st, "surveys.bundle", fz_bundle) == BK_OK, "meta bundle");
    FUZZ_CHECK(store_meta_set(st, "surveys.active", "mini") == BK_OK, "meta active");
    FUZZ_CHECK(store_meta_set(st, "surveys.etag", "\"v1\"") == BK_OK, "meta etag");
    store_close(st);
    fz_template = read_all(fz_db, &fz_template_len);
    remove_db_files();
    return 0;
}

/* ---- The input ---- */

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *needle)
{
    size_t n = strlen(needle);
    if ((size_t)(end - p) < n)
        return NULL;
    const void *r = memmem(p, (size_t)(end - p), needle, n);
    return r;
}

/* Copies the header value [p, eol) into dst (at most size - 1 bytes, up to
 * a NUL), as curl hands it over. */
static void copy_value(char *dst, size_t size, const uint8_t *p, const uint8_t *eol)
{
    size_t n = (size_t)(eol - p);
    if (n > size - 1)
        n = size - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static void parse_reply(fz_reply *r, const uint8_t *p, const uint8_t *end)
{
    memset(r, 0, sizeof *r);
    const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    if (p < eol && *p == 'E') {
        r->transport_error = true;
        r->err = p + 1 < eol ? (p[1] - '0') : BK_ERR_NETWORK;
    } else {
        long st = 0;
        for (const uint8_t *q = p; q < eol && q - p < 9 && *q >= '0' && *q <= '9'; q++)
            st = st * 10 + (*q - '0');
        r->status = st;
    }
    p = eol < end ? eol + 1 : end;
    /* Header lines up to an empty line. */
    while (p < end && *p != '\n') {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > 13 && memcmp(p, "Retry-After: ", 13) == 0)
            copy_value(r->retry_after, sizeof r->retry_after, p + 13, eol);
        else if ((size_t)(eol - p) > 6 && memcmp(p, "ETag: ", 6) == 0)
            copy_value(r->etag, sizeof r->etag, p + 6, eol);
        p = eol < end ? eol + 1 : end;
    }
    if (p < end)
        p++; /* the empty line */
    r->body = p;
    r->body_len = (size_t)(end - p);
}

static void parse_input(fz_state *s, const uint8_t *data, size_t size, int *retries, int *passes)
{
    const uint8_t *p = data, *end = data + size;
    *retries = 0;
    *passes = 1;
    if (size >= 9 && memcmp(p, "opts ", 5) == 0) {
        if (p[5] >= '0' && p[5] <= '9')
            *retries = p[5] - '0';
        if (p[7] >= '1' && p[7] <= '3')
            *passes = p[7] - '0';
        const uint8_t *eol = memchr(p, '\n', size);
        p = eol ? eol + 1 : end;
    }
    while (p < end && s->n < FZ_MAX_REPLIES) {
        const uint8_t *sep = find(p, end, "\n%%\n");
        const uint8_t *stop = sep ? sep : end;
        parse_reply(&s->replies[s->n++], p, stop);
        p = sep ? sep + 4 : end;
    }
}

/* ---- The fake server ---- */

static const char *header(const sync_http_request *req, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < req->n_headers; i++)
        if (strncmp(req->headers[i], name, n) == 0 && req->headers[i][n] == ':')
            return req->headers[i] + n + 2;
    return NULL;
}

/* body with every "$BATCH" replaced by id (new buffer, NUL-terminated). */
static char *substitute(const uint8_t *body, size_t len, const char *id, size_t *out_len)
{
    size_t idlen = id ? strlen(id) : 0;
    char *out = malloc(len * (idlen > 6 ? idlen : 6) / 6 + len + 1);
    FUZZ_CHECK(out, "malloc");
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (id && len - i >= 6 && memcmp(body + i, "$BATCH", 6) == 0) {
            memcpy(out + n, id, idlen);
            n += idlen;
            i += 6;
        } else {
            out[n++] = (char)body[i++];
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

static void check_heartbeat(const sync_http_request *req)
{
    static const char *const keys[] = {
        "kiosk_id",        "version",    "uptime_s",  "queued",         "rejected",
        "last_sync_ok_at", "last_error", "survey_id", "survey_version", "disk_free_mb"};
    json_error_t jerr;
    json_t *o = json_loadb(req->body, req->body_len, 0, &jerr);
    FUZZ_CHECK(json_is_object(o), "the heartbeat body is not a JSON object");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        FUZZ_CHECK(json_object_get(o, keys[i]), "a heartbeat without one of the protocol's keys");
    json_decref(o);
}

static void fake_send(void *ctx, const sync_http_request *req, sync_http_response *resp)
{
    fz_state *s = ctx;
    memset(resp, 0, sizeof *resp);
    const char *idem = header(req, "Idempotency-Key");
    bool is_batch = strstr(req->url, "/v1/batches") != NULL;
    bool is_surveys = strstr(req->url, "/surveys") != NULL;
    if (strstr(req->url, "/status")) {
        s->heartbeats++;
        check_heartbeat(req);
    }
    if (is_batch)
        FUZZ_CHECK(idem && strlen(idem) == STORE_UUID_LEN, "a batch without its Idempotency-Key");
    if (s->next >= s->n) {
        resp->err = BK_ERR_NETWORK;
        snprintf(resp->detail, sizeof resp->detail, "no more replies");
        return;
    }
    const fz_reply *r = &s->replies[s->next++];
    if (r->transport_error) {
        /* The transport's documented failures only. */
        static const bk_err errs[] = {BK_ERR_NETWORK, BK_ERR_TLS,   BK_ERR_INVALID,
                                      BK_ERR_ABORTED, BK_ERR_NOMEM, BK_ERR_SERVER};
        resp->err = errs[(unsigned)r->err % (sizeof errs / sizeof errs[0])];
        snprintf(resp->detail, sizeof resp->detail, "fake failure %d", r->err);
        return;
    }
    size_t len = 0;
    char *body = substitute(r->body, r->body_len, is_batch ? idem : NULL, &len);
    size_t max = req->max_response ? req->max_response : SYNC_BATCH_RESPONSE_MAX;
    if (len > max) { /* as sync_http.c does */
        free(body);
        resp->err = BK_ERR_SERVER;
        snprintf(resp->detail, sizeof resp->detail, "the server's answer is too long");
        return;
    }
    resp->err = BK_OK;
    resp->status = r->status;
    snprintf(resp->retry_after, sizeof resp->retry_after, "%s", r->retry_after);
    snprintf(resp->etag, sizeof resp->etag, "%s", r->etag);
    if (len > 0) {
        resp->body = body;
        resp->body_len = len;
    } else {
        free(body);
    }
    if (is_batch && (r->status == 200 || r->status == 201) && resp->body) {
        /* PROTOCOL.md: {"batch_id": "<this batch>", ...}. */
        json_error_t jerr;
        json_t *o = json_loadb(resp->body, resp->body_len, 0, &jerr);
        json_t *id = json_object_get(o, "batch_id");
        if (json_is_string(id) && strcmp(json_string_value(id), idem) == 0)
            s->ack_possible = true;
        json_decref(o);
    }
    if (is_batch && (r->status == 400 || r->status == 413 || r->status == 422))
        s->reject_possible = true;
    if (is_surveys && r->status == 200 && resp->body) {
        if (s->n_bundles < 8)
            s->bundles[s->n_bundles++] = strdup(resp->body);
        else
            s->bundle_overflow = true;
    }
}

static int sleep_virtual(void *ctx, int64_t ms)
{
    fz_state *s = ctx;
    clock_virtual_advance(&s->vc, ms);
    return 0;
}

static uint64_t rng_fixed(void *ctx)
{
    (void)ctx;
    return 0x9E3779B97F4A7C15ull;
}

/* True when s is valid UTF-8 without control characters. */
static bool one_line_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;
    json_decref(j);
    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
        ok = *p >= 0x20 && *p != 0x7f;
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_state *s = calloc(1, sizeof *s);
    FUZZ_CHECK(s, "calloc");
    int retries, passes;
    parse_input(s, data, size, &retries, &passes);
    for (size_t i = 0; i < s->n; i++) {
        int64_t ms = 0;
        if (s->replies[i].retry_after[0] &&
            sync_retry_after_parse(s->replies[i].retry_after, 1795959912345LL, &ms) == BK_OK)
            FUZZ_CHECK(ms >= 0, "a negative Retry-After");
    }

    remove_db_files();
    write_all(fz_db, fz_template, fz_template_len, 0600);
    s->vc.mono_ms = 5000000;
    s->vc.wall_ms = 1795959912000LL;
    sync_options opt = sync_options_default();
    opt.clock = clock_virtual(&s->vc);
    opt.sleep_ms = sleep_virtual;
    opt.sleep_ctx = s;
    opt.random = rng_fixed;
    opt.max_retries_in_pass = retries;
    sync_transport tr = {.send = fake_send, .ctx = s};
    sync_client *c = NULL;
    bk_diag diag = {0};
    FUZZ_CHECK(sync_client_create(&fz_cfg, &opt, &tr, &c, &diag) == BK_OK, "sync_client_create");
    diag_clear(&diag);
    FUZZ_CHECK(sync_client_open_store(c, fz_db) == BK_OK, "open store");
    sync_surveys_load_installed(c);
    for (int i = 0; i < passes; i++) {
        sync_pass_result r;
        sync_client_pass(c, &r);
        FUZZ_CHECK(r.retry_in_ms >= 0, "a negative wait");
        FUZZ_CHECK(one_line_utf8(r.detail), "the pass's detail is not one line of UTF-8");
        int64_t ahead = c->not_before_mono - clock_mono_ms(&c->opt.clock);
        FUZZ_CHECK(ahead <= c->opt.retry_after_max_ms, "a Retry-After wait beyond the cap");
        sync_status st;
        pthread_mutex_lock(&c->mu);
        st = c->status;
        pthread_mutex_unlock(&c->mu);
        FUZZ_CHECK((int)st.error >= 0 && st.error < SYNC_ERROR_COUNT, "error category");
        FUZZ_CHECK(one_line_utf8(st.detail), "the status detail is not one line of UTF-8");
        FUZZ_CHECK(!st.in_progress, "still in progress after the pass");
        clock_virtual_advance(&s->vc, r.retry_in_ms > 0 ? r.retry_in_ms : 1);
    }

    /* Nothing lost, doubled, delivered or set aside without cause. */
    store_counts n;
    FUZZ_CHECK(store_count(c->st, &n) == BK_OK, "store_count");
    FUZZ_CHECK(n.total == FZ_RESPONSES && n.started == 0, "responses appeared or vanished");
    FUZZ_CHECK(n.delivered + n.queued + n.rejected == FZ_RESPONSES, "a response counted twice");
    if (!s->ack_possible)
        FUZZ_CHECK(n.delivered == 0, "delivered without an acknowledgement of its batch");
    if (!s->reject_possible)
        FUZZ_CHECK(n.rejected == 0, "set aside without a 400, 413 or 422");

    /* The installed surveys: still valid, and only replaced by a 200's body. */
    survey **v = NULL;
    size_t nv = 0;
    char *active = NULL;
    FUZZ_CHECK(sync_surveys_from_store(c->st, &v, &nv, &active, NULL) == BK_OK,
               "the installed bundle no longer validates");
    sync_surveys_free(v, nv);
    free(active);
    char *bundle = NULL;
    FUZZ_CHECK(store_meta_get(c->st, "surveys.bundle", &bundle) == BK_OK, "bundle gone");
    if (strcmp(bundle, fz_bundle) != 0 && !s->bundle_overflow) {
        bool from_server = false;
        for (size_t i = 0; i < s->n_bundles; i++)
            from_server = from_server || strcmp(bundle, s->bundles[i]) == 0;
        FUZZ_CHECK(from_server, "a bundle installed that no 200 answer carried");
    }
    free(bundle);

    sync_client_destroy(c);
    for (size_t i = 0; i < s->n_bundles; i++)
        free(s->bundles[i]);
    free(s);
    return 0;
}
