/* test_sync_unit.c: the sync rules with a fake transport and a virtual clock:
 * backoff bounds, Retry-After (seconds and dates), every status-code rule,
 * the request's headers and fixed batch content, survey ETags, the
 * heartbeat body, URL and token checks, and the synchronous worker. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "sync_private.h"
#include "test_sync_common.h"

/* ---- A fake server behind the transport interface ---- */

#define FAKE_MAX_REQ 512
#define FAKE_QUEUE 32

typedef struct fake_req {
    char method[8];
    char url[300];
    char headers[SYNC_HTTP_MAX_HEADERS][320];
    size_t n_headers;
    char token[128];
    char *body; /* decompressed when gzipped */
    int64_t at_mono;
    size_t n_responses; /* batches */
    char batch_id[64];
} fake_req;

typedef struct fake_reply {
    bk_err err;
    long status;
    const char *body; /* "ACK" = the protocol's acknowledgement */
    const char *retry_after;
} fake_reply;

typedef struct fake {
    fake_req reqs[FAKE_MAX_REQ];
    size_t n;
    fake_reply queue[FAKE_QUEUE]; /* answers to batch uploads, in order */
    size_t qn, qi;
    size_t split_over;   /* 413 for batches with more responses than this */
    bool always_413;     /* 413 for every batch */
    const char *surveys; /* GET surveys body; NULL = 404 */
    const char *etag;
    long heartbeat_status; /* 0 = 204 */
    bk_virtual_clock *vc;
} fake;

static char *gunzip(const void *data, size_t len)
{
    z_stream zs = {0};
    assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    size_t cap = len * 8 + 1024, out = 0;
    char *buf = malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    int rc;
    do {
        if (cap - out < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        zs.next_out = (Bytef *)buf + out;
        zs.avail_out = (uInt)(cap - out - 1);
        rc = inflate(&zs, Z_NO_FLUSH);
        out = cap - 1 - zs.avail_out;
    } while (rc == Z_OK);
    assert_int_equal(rc, Z_STREAM_END);
    inflateEnd(&zs);
    buf[out] = '\0';
    return buf;
}

static const char *req_header(const fake_req *q, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < q->n_headers; i++)
        if (strncasecmp(q->headers[i], name, n) == 0 && q->headers[i][n] == ':')
            return q->headers[i] + n + 2;
    return NULL;
}

static void reply_text(sync_http_response *resp, long status, const char *body)
{
    resp->err = BK_OK;
    resp->status = status;
    if (body) {
        resp->body = strdup(body);
        resp->body_len = strlen(body);
    }
}

static void fake_send(void *ctx, const sync_http_request *req, sync_http_response *resp)
{
    fake *f = ctx;
    memset(resp, 0, sizeof *resp);
    assert_true(f->n < FAKE_MAX_REQ);
    fake_req *q = &f->reqs[f->n++];
    memset(q, 0, sizeof *q);
    snprintf(q->method, sizeof q->method, "%s", req->method);
    snprintf(q->url, sizeof q->url, "%s", req->url);
    for (size_t i = 0; i < req->n_headers; i++)
        snprintf(q->headers[q->n_headers++], sizeof q->headers[0], "%s", req->headers[i]);
    if (req->token)
        snprintf(q->token, sizeof q->token, "%s", req->token);
    q->at_mono = f->vc ? f->vc->mono_ms : 0;
    if (req->body) {
        const char *enc = req_header(q, "Content-Encoding");
        if (enc && strcmp(enc, "gzip") == 0) {
            q->body = gunzip(req->body, req->body_len);
        } else {
            q->body = malloc(req->body_len + 1);
            memcpy(q->body, req->body, req->body_len);
            q->body[req->body_len] = '\0';
        }
    }

    if (strstr(req->url, "/v1/batches")) {
        json_error_t jerr;
        json_t *b = json_loads(q->body, 0, &jerr);
        assert_non_null(b);
        q->n_responses = json_array_size(json_object_get(b, "responses"));
        snprintf(q->batch_id, sizeof q->batch_id, "%s",
                 json_string_value(json_object_get(b, "batch_id")));
        json_decref(b);
        char ack[200];
        snprintf(ack, sizeof ack, "{\"batch_id\":\"%s\",\"accepted\":%zu,\"duplicates\":0}",
                 q->batch_id, q->n_responses);
        if (f->qi < f->qn) {
            const fake_reply *r = &f->queue[f->qi++];
            if (r->err != BK_OK) {
                resp->err = r->err;
                snprintf(resp->detail, sizeof resp->detail, "fake transport failure");
                return;
            }
            reply_text(resp, r->status, r->body && strcmp(r->body, "ACK") == 0 ? ack : r->body);
            if (r->retry_after)
                snprintf(resp->retry_after, sizeof resp->retry_after, "%s", r->retry_after);
            return;
        }
        if (f->always_413 || (f->split_over && q->n_responses > f->split_over)) {
            reply_text(resp, 413, "{\"error\":\"too large\"}");
            return;
        }
        reply_text(resp, 201, ack);
        return;
    }
    if (strstr(req->url, "/surveys")) {
        if (!f->surveys) {
            reply_text(resp, 404, NULL);
            return;
        }
        const char *inm = req_header(q, "If-None-Match");
        if (inm && f->etag && strcmp(inm, f->etag) == 0) {
            reply_text(resp, 304, NULL);
            return;
        }
        reply_text(resp, 200, f->surveys);
        if (f->etag)
            snprintf(resp->etag, sizeof resp->etag, "%s", f->etag);
        return;
    }
    if (strstr(req->url, "/status")) {
        reply_text(resp, f->heartbeat_status ? f->heartbeat_status : 204, NULL);
        return;
    }
    reply_text(resp, 404, NULL);
}

static void fake_free(fake *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->reqs[i].body);
    memset(f, 0, sizeof *f);
}

static size_t fake_count(const fake *f, const char *url_part)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += strstr(f->reqs[i].url, url_part) != NULL;
    return n;
}

/* ---- Fixture: a seeded store, a client on the fake ---- */

typedef struct unit {
    char dir[256];
    char db[300];
    bk_config cfg;
    bk_virtual_clock vc;
    fake fk;
    sync_options opt;
    sync_client *c;
    int64_t sleeps[256];
    size_t n_sleeps;
} unit;

static int sleep_virtual(void *ctx, int64_t ms)
{
    unit *u = ctx;
    if (u->n_sleeps < 256)
        u->sleeps[u->n_sleeps++] = ms;
    clock_virtual_advance(&u->vc, ms);
    return 0;
}

static uint64_t rng_max(void *ctx)
{
    (void)ctx;
    return UINT64_MAX;
}

static void unit_begin(unit *u, int n_responses, int batch_max)
{
    memset(u, 0, sizeof *u);
    ts_tmpdir(u->dir, sizeof u->dir, "unit");
    snprintf(u->db, sizeof u->db, "%s/kiosk.db", u->dir);
    if (n_responses > 0)
        ts_seed_store(u->db, n_responses);
    ts_config(&u->cfg, u->dir, "https://collector.example.nl/buurtkiosk/", batch_max);
    u->vc.mono_ms = 1000000;
    u->vc.wall_ms = 1795959912000LL; /* 2026-11-29T13:45:12Z, a whole second */
    u->fk.vc = &u->vc;
    u->opt = sync_options_default();
    u->opt.clock = clock_virtual(&u->vc);
    u->opt.sleep_ms = sleep_virtual;
    u->opt.sleep_ctx = u;
    u->opt.random = rng_max;
}

static void unit_client(unit *u)
{
    sync_transport tr = {.send = fake_send, .ctx = &u->fk};
    bk_diag diag = {0};
    bk_err e = sync_client_create(&u->cfg, &u->opt, &tr, &u->c, &diag);
    if (e != BK_OK)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_int_equal(e, BK_OK);
    assert_int_equal(sync_client_open_store(u->c, u->db), BK_OK);
}

static void unit_end(unit *u)
{
    sync_client_destroy(u->c);
    fake_free(&u->fk);
    ts_config_free(&u->cfg);
    ts_rmtree(u->dir);
}

/* ---- Backoff ---- */

static void test_backoff_full_jitter_bounds(void **state)
{
    (void)state;
    const int64_t base = 5000, cap = 900000;
    /* The window doubles from 5 s and stops at the 15-minute cap. */
    const int64_t windows[] = {5000,   10000,  20000,  40000,  80000,
                               160000, 320000, 640000, 900000, 900000};
    for (int n = 0; n < 10; n++) {
        int64_t w = windows[n];
        assert_int_equal(sync_backoff_full_jitter(base, cap, n, 0), 0);
        assert_int_equal(sync_backoff_full_jitter(base, cap, n, (uint64_t)w), w);
        assert_int_equal(sync_backoff_full_jitter(base, cap, n, (uint64_t)w + 1), 0);
    }
    assert_int_equal(sync_backoff_full_jitter(base, cap, 1000, (uint64_t)cap), cap);
    assert_int_equal(sync_backoff_full_jitter(base, cap, 62, UINT64_MAX),
                     (int64_t)(UINT64_MAX % (uint64_t)(cap + 1)));
    /* Random draws stay inside [0, window] and use all of it. */
    uint64_t x = 88172645463325252ull;
    for (int n = 0; n < 12; n++) {
        int64_t w = n < 10 ? windows[n] : cap;
        int64_t lo = w, hi = 0;
        for (int i = 0; i < 2000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            int64_t d = sync_backoff_full_jitter(base, cap, n, x);
            assert_true(d >= 0 && d <= w);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        assert_true(lo < w / 10);
        assert_true(hi > w - w / 10);
    }
}

static void test_retry_after_parse(void **state)
{
    (void)state;
    /* 2026-11-29T13:45:12.345Z */
    const int64_t now = 1795959912345LL;
    int64_t ms = -1;
    assert_int_equal(sync_retry_after_parse("120", now, &ms), BK_OK);
    assert_int_equal(ms, 120000);
    assert_int_equal(sync_retry_after_parse(" 5 ", now, &ms), BK_OK);
    assert_int_equal(ms, 5000);
    assert_int_equal(sync_retry_after_parse("0", now, &ms), BK_OK);
    assert_int_equal(ms, 0);
    assert_int_equal(sync_retry_after_parse("Sun, 29 Nov 2026 13:45:42 GMT", now, &ms), BK_OK);
    assert_int_equal(ms, 29655);
    assert_int_equal(sync_retry_after_parse("Sunday, 29-Nov-26 13:46:12 GMT", now, &ms), BK_OK);
    assert_int_equal(ms, 59655);
    assert_int_equal(sync_retry_after_parse("Sun Nov 29 13:45:22 2026", now, &ms), BK_OK);
    assert_int_equal(ms, 9655);
    assert_int_equal(sync_retry_after_parse("Sun Nov  1 13:45:22 2026", now, &ms), BK_OK);
    assert_int_equal(ms, 0); /* in the past: at once */
    assert_int_equal(sync_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", now, &ms), BK_OK);
    assert_int_equal(ms, 0);
    const char *bad[] = {"",
                         "abc",
                         "-5",
                         "1.5",
                         "5s",
                         "Sun, 06 Nov 1994 08:49:37 UTC",
                         "Sun, 31 Feb 2026 08:49:37 GMT",
                         "Sun, 06 Nov 1994 25:49:37 GMT",
                         "Sun, 6 Nov 1994 08:49:37 GMT",
                         "06 Nov 1994 08:49:37 GMT",
                         "Sun, 06 Nov 1994 08:49:37 GMT trailing"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = -1;
        assert_int_equal(sync_retry_after_parse(bad[i], now, &ms), BK_ERR_INVALID);
        assert_int_equal(ms, -1);
    }
}

/* ---- Status-code rules ---- */

/* 429 with Retry-After seconds: the computed wait is exactly it, and the
 * next request comes no sooner. */
static void test_retry_after_seconds_honoured(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 30, 10);
    u.opt.max_retries_in_pass = 3;
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 429, .body = "{}", .retry_after = "7"};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    assert_int_equal(u.n_sleeps, 1);
    assert_int_equal(u.sleeps[0], 7000);
    assert_int_equal(fake_count(&u.fk, "/v1/batches"), 4);
    assert_true(u.fk.reqs[1].at_mono - u.fk.reqs[0].at_mono >= 7000);
    /* The same batch again. */
    assert_string_equal(u.fk.reqs[0].batch_id, u.fk.reqs[1].batch_id);
    unit_end(&u);
}

/* 429 with an HTTP date, no retries in the pass: the pass ends with exactly
 * that wait, and the client will not send before it. */
static void test_retry_after_date_honoured(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 30, 10);
    u.fk.queue[u.fk.qn++] =
        (fake_reply){.status = 503, .body = "busy", .retry_after = "Sun, 29 Nov 2026 13:46:00 GMT"};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_true(r.left);
    assert_true(r.retryable);
    assert_int_equal(r.error, SYNC_ERROR_SERVER);
    assert_int_equal(r.retry_in_ms, 48000);
    assert_int_equal(u.c->not_before_mono, u.vc.mono_ms + 48000);
    assert_int_equal(u.n_sleeps, 0);
    unit_end(&u);
}

/* A huge Retry-After is capped (6 h by default), not ignored. */
static void test_retry_after_capped(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 5, 10);
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 429, .body = "", .retry_after = "99999999"};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_int_equal(r.retry_in_ms, 6LL * 3600 * 1000);
    unit_end(&u);
}

/* 5xx, timeouts and dropped connections: full-jitter backoff that grows,
 * the same batch each time, then it goes. */
static void test_backoff_on_failures(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 20, 10);
    u.opt.max_retries_in_pass = 10;
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 500, .body = "oops"};
    u.fk.queue[u.fk.qn++] = (fake_reply){.err = BK_ERR_NETWORK};
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 502, .body = ""};
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 429, .body = ""}; /* no Retry-After */
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 404, .body = "no"};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    assert_int_equal(r.error, SYNC_ERROR_NONE);
    assert_int_equal(u.n_sleeps, 5);
    int64_t window = 5000;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(u.sleeps[i], (int64_t)(UINT64_MAX % (uint64_t)(window + 1)));
        assert_true(u.sleeps[i] <= window);
        window *= 2;
    }
    for (size_t i = 1; i < 6; i++)
        assert_string_equal(u.fk.reqs[i].batch_id, u.fk.reqs[0].batch_id);
    /* Success resets the backoff. */
    assert_int_equal(u.c->attempt, 0);
    unit_end(&u);
}

/* With no retries in the pass, a failure ends it with the backoff wait. */
static void test_failure_ends_pass(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 20, 10);
    u.fk.queue[u.fk.qn++] = (fake_reply){.err = BK_ERR_NETWORK};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_true(r.left);
    assert_true(r.retryable);
    assert_int_equal(r.error, SYNC_ERROR_NETWORK);
    assert_int_equal(r.retry_in_ms, (int64_t)(UINT64_MAX % 5001));
    /* Unreachable: no survey download, no heartbeat. */
    assert_int_equal(u.fk.n, 1);
    sync_status st;
    pthread_mutex_lock(&u.c->mu);
    st = u.c->status;
    pthread_mutex_unlock(&u.c->mu);
    assert_int_equal(st.error, SYNC_ERROR_NETWORK);
    assert_int_equal(st.queued, 20);
    assert_int_equal(st.last_ok_wall_ms, 0);
    assert_string_equal(sync_error_title(st.error, "nl"), "Geen verbinding met de server");
    assert_string_equal(sync_error_title(st.error, "en"), "No connection to the server");
    unit_end(&u);
}

/* TLS failure: nothing is retried within the pass; slow retry. */
static void test_tls_failure_not_hammered(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 20, 10);
    u.opt.max_retries_in_pass = 5;
    u.fk.queue[u.fk.qn++] = (fake_reply){.err = BK_ERR_TLS};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_int_equal(r.error, SYNC_ERROR_TLS);
    assert_int_equal(u.fk.n, 1);
    assert_int_equal(r.retry_in_ms, 900000);
    assert_string_equal(sync_error_title(r.error, "nl"), "Certificaat klopt niet");
    unit_end(&u);
}

/* 401/403: keep everything, stop, retry slowly. */
static void test_auth_keeps_everything(void **state)
{
    (void)state;
    const long codes[] = {401, 403};
    for (size_t k = 0; k < 2; k++) {
        unit u;
        unit_begin(&u, 20, 10);
        u.opt.max_retries_in_pass = 5;
        u.fk.queue[u.fk.qn++] = (fake_reply){.status = codes[k], .body = "{\"error\":\"revoked\"}"};
        unit_client(&u);
        sync_pass_result r;
        sync_client_pass(u.c, &r);
        assert_int_equal(r.error, SYNC_ERROR_AUTH);
        assert_true(r.left);
        assert_int_equal(fake_count(&u.fk, "/v1/batches"), 1);
        assert_int_equal(fake_count(&u.fk, "/surveys"), 0);
        assert_int_equal(r.retry_in_ms, 900000);
        assert_non_null(strstr(r.detail, "revoked"));
        store_counts n = ts_counts(u.db);
        assert_int_equal(n.queued, 20);
        assert_int_equal(n.rejected, 0);
        unit_end(&u);
    }
}

/* 400/422: set aside with the server's message, the others go on. */
static void test_reject_goes_on(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 30, 10);
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 201, .body = "ACK"};
    u.fk.queue[u.fk.qn++] =
        (fake_reply){.status = 422, .body = "{\"error\":\"survey_version 9 unknown\"}"};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    assert_int_equal(r.error, SYNC_ERROR_REJECTED);
    assert_string_equal(r.detail, "HTTP 422: survey_version 9 unknown");
    store_counts n = ts_counts(u.db);
    assert_int_equal(n.rejected, 10);
    assert_int_equal(n.delivered, 20);
    assert_int_equal(n.queued, 0);
    assert_string_equal(sync_error_title(r.error, "nl"), "Server weigert de gegevens");
    unit_end(&u);
}

/* 413: split until it fits; a single response that never fits is set
 * aside. */
static void test_413_split(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 40, 40);
    u.fk.split_over = 6;
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    assert_int_equal(r.error, SYNC_ERROR_NONE);
    store_counts n = ts_counts(u.db);
    assert_int_equal(n.delivered, 40);
    size_t delivered = 0;
    for (size_t i = 0; i < u.fk.n; i++)
        if (strstr(u.fk.reqs[i].url, "/v1/batches") && u.fk.reqs[i].n_responses <= 6)
            delivered += u.fk.reqs[i].n_responses;
    assert_int_equal(delivered, 40);
    unit_end(&u);

    unit_begin(&u, 3, 10);
    u.fk.always_413 = true;
    unit_client(&u);
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    assert_int_equal(r.error, SYNC_ERROR_REJECTED);
    assert_non_null(strstr(r.detail, "too large"));
    n = ts_counts(u.db);
    assert_int_equal(n.rejected, 3);
    assert_int_equal(n.total, 3);
    unit_end(&u);
}

/* A 200 that is not the protocol's acknowledgement (a login page of a
 * public Wi-Fi) does not count as delivered. */
static void test_200_without_ack(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 10, 10);
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 200, .body = "<html>Log in</html>"};
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 200, .body = "{\"batch_id\":\"other\"}"};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_int_equal(r.error, SYNC_ERROR_SERVER);
    assert_true(r.left);
    sync_client_pass(u.c, &r);
    assert_int_equal(r.error, SYNC_ERROR_SERVER);
    assert_int_equal(ts_counts(u.db).queued, 10);
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    unit_end(&u);
}

/* The request: gzip, headers, token, a body that stays the same until it is
 * acknowledged. */
static void test_request_format(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 12, 5);
    u.opt.max_retries_in_pass = 2;
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 500, .body = ""};
    u.fk.queue[u.fk.qn++] = (fake_reply){.err = BK_ERR_NETWORK};
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_false(r.left);
    const fake_req *q = &u.fk.reqs[0];
    assert_string_equal(q->method, "POST");
    assert_string_equal(q->url, "https://collector.example.nl/buurtkiosk/v1/batches");
    assert_string_equal(req_header(q, "Content-Type"), "application/json");
    assert_string_equal(req_header(q, "Content-Encoding"), "gzip");
    assert_string_equal(req_header(q, "Idempotency-Key"), q->batch_id);
    assert_string_equal(q->token, TS_TOKEN);
    json_error_t jerr;
    json_t *b = json_loads(q->body, 0, &jerr);
    assert_int_equal(json_integer_value(json_object_get(b, "protocol")), 1);
    assert_string_equal(json_string_value(json_object_get(b, "kiosk_id")), TS_KIOSK);
    assert_int_equal(json_array_size(json_object_get(b, "responses")), 5);
    json_decref(b);
    /* Tried three times: byte for byte the same batch. */
    assert_string_equal(u.fk.reqs[1].body, q->body);
    assert_string_equal(u.fk.reqs[2].body, q->body);
    assert_string_not_equal(u.fk.reqs[3].batch_id, q->batch_id);
    /* Then the survey download and the heartbeat, with the token. */
    const fake_req *g = &u.fk.reqs[u.fk.n - 2];
    assert_string_equal(g->method, "GET");
    assert_string_equal(g->url,
                        "https://collector.example.nl/buurtkiosk/v1/kiosks/" TS_KIOSK "/surveys");
    const fake_req *h = &u.fk.reqs[u.fk.n - 1];
    assert_string_equal(h->url,
                        "https://collector.example.nl/buurtkiosk/v1/kiosks/" TS_KIOSK "/status");
    assert_string_equal(h->token, TS_TOKEN);
    unit_end(&u);
}

/* The heartbeat body: every field of PROTOCOL.md, the last error in it. */
static void test_heartbeat_body(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 10, 10);
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 201, .body = "ACK"};
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 500, .body = "down"};
    u.fk.heartbeat_status = 500;
    unit_client(&u);
    clock_virtual_advance(&u.vc, 42000);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    /* The heartbeat failed: reported, but it blocks nothing. */
    assert_int_equal(r.error, SYNC_ERROR_SERVER);
    assert_string_equal(r.detail, "heartbeat: HTTP 500");
    assert_false(r.left);
    assert_false(r.retryable);
    assert_int_equal(r.retry_in_ms, 300000);
    assert_false(u.c->status.heartbeat_ok);
    const fake_req *h = &u.fk.reqs[u.fk.n - 1];
    assert_non_null(strstr(h->url, "/status"));
    json_error_t jerr;
    json_t *b = json_loads(h->body, 0, &jerr);
    assert_non_null(b);
    const char *keys[] = {"kiosk_id",       "version",         "uptime_s",   "queued",
                          "rejected",       "last_sync_ok_at", "last_error", "survey_id",
                          "survey_version", "disk_free_mb"};
    for (size_t i = 0; i < 10; i++)
        assert_non_null(json_object_get(b, keys[i]));
    assert_int_equal(json_object_size(b), 10);
    assert_int_equal(json_integer_value(json_object_get(b, "uptime_s")), 42);
    assert_string_equal(json_string_value(json_object_get(b, "last_sync_ok_at")),
                        "2026-11-29T13:45:54.000Z");
    assert_string_equal(json_string_value(json_object_get(b, "survey_id")), "buurtpeiling");
    assert_true(json_is_null(json_object_get(b, "survey_version")));
    assert_true(json_is_null(json_object_get(b, "last_error")));
    json_decref(b);

    /* A failing pass: the heartbeat names the error in plain Dutch. */
    u.fk.heartbeat_status = 0;
    ts_seed_store(u.db, 3); /* the queued 500 answers their upload */
    sync_client_pass(u.c, &r);
    assert_int_equal(r.error, SYNC_ERROR_SERVER);
    h = &u.fk.reqs[u.fk.n - 1];
    b = json_loads(h->body, 0, &jerr);
    assert_string_equal(json_string_value(json_object_get(b, "last_error")),
                        "Server heeft een storing: HTTP 500: down");
    assert_int_equal(json_integer_value(json_object_get(b, "queued")), 3);
    json_decref(b);
    assert_true(u.c->status.heartbeat_ok);
    unit_end(&u);
}

/* Surveys: 200 installs (bundle, active, etag), 304 changes nothing, an
 * invalid bundle leaves the old one. */
static void test_survey_etag(void **state)
{
    (void)state;
    char p[600];
    snprintf(p, sizeof p, "%s/sync/bundle-v1.json", BK_TEST_DATA);
    char *v1 = ts_read_file(p, NULL);
    snprintf(p, sizeof p, "%s/sync/bundle-invalid.json", BK_TEST_DATA);
    char *bad = ts_read_file(p, NULL);
    assert_non_null(v1);
    assert_non_null(bad);

    unit u;
    unit_begin(&u, 0, 10);
    u.fk.surveys = v1;
    u.fk.etag = "\"v1\"";
    unit_client(&u);
    sync_pass_result r;
    sync_client_pass(u.c, &r);
    assert_int_equal(r.error, SYNC_ERROR_NONE);
    assert_int_equal(u.c->status.surveys_generation, 1);
    char *etag = NULL, *active = NULL, *bundle = NULL;
    assert_int_equal(store_meta_get(u.c->st, "surveys.etag", &etag), BK_OK);
    assert_string_equal(etag, "\"v1\"");
    assert_int_equal(store_meta_get(u.c->st, "surveys.active", &active), BK_OK);
    assert_string_equal(active, "buurtpeiling");
    assert_int_equal(store_meta_get(u.c->st, "surveys.bundle", &bundle), BK_OK);
    assert_string_equal(bundle, v1);
    free(etag);
    free(active);
    free(bundle);

    sync_client_pass(u.c, &r);
    const fake_req *g = &u.fk.reqs[u.fk.n - 2];
    assert_string_equal(req_header(g, "If-None-Match"), "\"v1\"");
    assert_int_equal(u.c->status.surveys_generation, 1);

    u.fk.surveys = bad;
    u.fk.etag = "\"bad\"";
    sync_client_pass(u.c, &r);
    assert_int_equal(r.error, SYNC_ERROR_SURVEY);
    assert_non_null(strstr(r.detail, "unknown type"));
    assert_int_equal(u.c->status.surveys_generation, 1);
    assert_int_equal(u.c->status.error, SYNC_ERROR_SURVEY);
    etag = NULL;
    assert_int_equal(store_meta_get(u.c->st, "surveys.etag", &etag), BK_OK);
    assert_string_equal(etag, "\"v1\"");
    free(etag);
    survey **sv = NULL;
    size_t n = 0;
    assert_int_equal(sync_surveys_from_store(u.c->st, &sv, &n, &active, NULL), BK_OK);
    assert_int_equal(n, 2);
    assert_string_equal(active, "buurtpeiling");
    sync_surveys_free(sv, n);
    free(active);

    /* Broken JSON, no surveys, an active id that is not there. */
    const char *broken[] = {"{\"surveys\": [", "{\"surveys\": [], \"active\": \"x\"}", "[1,2]"};
    for (size_t i = 0; i < 3; i++) {
        u.fk.surveys = broken[i];
        sync_client_pass(u.c, &r);
        assert_int_equal(r.error, SYNC_ERROR_SURVEY);
    }
    unit_end(&u);
    free(v1);
    free(bad);
}

/* ---- Checks before any connection ---- */

static void test_url_check(void **state)
{
    (void)state;
    char why[256];
    bool lo = false;
    const char *ok[] = {"https://collector.example.nl/buurtkiosk",
                        "http://127.0.0.1:8443/x",
                        "http://127.200.1.9/",
                        "http://[::1]:9/",
                        "http://localhost:80/",
                        "http://LOCALHOST/",
                        "HTTPS://example.nl"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(sync_url_check(ok[i], &lo, why, sizeof why), BK_OK);
    }
    assert_int_equal(sync_url_check("http://127.0.0.1/", &lo, why, sizeof why), BK_OK);
    assert_true(lo);
    assert_int_equal(sync_url_check("https://example.nl/", &lo, why, sizeof why), BK_OK);
    assert_false(lo);
    const char *bad[] = {"http://example.nl/",        "http://10.0.0.1/",
                         "http://128.0.0.1/",         "http://[::2]/",
                         "http://localhost.evil.nl/", "http://127.0.0.1.nip.io/",
                         "ftp://127.0.0.1/",          "file:///etc/passwd",
                         "collector.example.nl",      "http://user@192.0.2.1/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (sync_url_check(bad[i], NULL, why, sizeof why) != BK_ERR_INVALID)
            fail_msg("accepted %s", bad[i]);
    }
    assert_int_equal(sync_url_check("http://192.0.2.1/", NULL, why, sizeof why), BK_ERR_INVALID);
    assert_non_null(strstr(why, "https://"));
}

/* The curl transport refuses http:// to a remote host without connecting:
 * 192.0.2.1 (TEST-NET) would hang until the connect timeout if tried. */
static void test_http_remote_refused_without_connecting(void **state)
{
    (void)state;
    atomic_bool stop;
    atomic_init(&stop, false);
    sync_http_config hc = {
        .connect_timeout_ms = 20000, .timeout_ms = 20000, .low_speed_time_s = 30, .stop = &stop};
    sync_http *h = NULL;
    assert_int_equal(sync_http_create(&hc, &h, NULL), BK_OK);
    sync_http_request req = {.method = "POST",
                             .url = "http://192.0.2.1:80/v1/batches",
                             .token = "x",
                             .body = "{}",
                             .body_len = 2};
    sync_http_response resp;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sync_http_send(h, &req, &resp);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(resp.err, BK_ERR_INVALID);
    assert_non_null(strstr(resp.detail, "plain http://"));
    assert_true(t1.tv_sec - t0.tv_sec < 2);
    sync_http_response_free(&resp);
    sync_http_destroy(h);

    /* And the configuration is refused up front. */
    unit u;
    unit_begin(&u, 0, 10);
    free(u.cfg.sync.base_url);
    u.cfg.sync.base_url = strdup("http://collector.example.nl/buurtkiosk");
    bk_diag diag = {0};
    sync_client *c = NULL;
    assert_int_equal(sync_client_create(&u.cfg, &u.opt, NULL, &c, &diag), BK_ERR_INVALID);
    assert_null(c);
    assert_true(diag_contains(&diag, "plain http://"));
    diag_clear(&diag);
    sync_pass_outcome out;
    assert_int_equal(sync_run_once(&u.cfg, u.db, &u.opt, &out, &diag), BK_ERR_INVALID);
    diag_clear(&diag);
    unit_end(&u);
}

/* The token: refused when others may read it; never in the log. */
static void test_token_rules(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 5, 10);
    assert_int_equal(chmod(u.cfg.sync.token_file, 0644), 0);
    bk_diag diag = {0};
    sync_client *c = NULL;
    sync_transport tr = {.send = fake_send, .ctx = &u.fk};
    assert_int_equal(sync_client_create(&u.cfg, &u.opt, &tr, &c, &diag), BK_ERR_INVALID);
    assert_true(diag_contains(&diag, "chmod 600"));
    diag_clear(&diag);
    assert_int_equal(chmod(u.cfg.sync.token_file, 0600), 0);

    /* A token with a line break could add a header: refused. */
    ts_write_file(u.cfg.sync.token_file, "abc\r\nX-Evil: 1\n", 0600);
    assert_int_equal(sync_client_create(&u.cfg, &u.opt, &tr, &c, &diag), BK_ERR_INVALID);
    diag_clear(&diag);
    ts_write_file(u.cfg.sync.token_file, TS_TOKEN "\n", 0600);

    /* Capture stderr during failing passes: the token is never there. */
    char logpath[400];
    snprintf(logpath, sizeof logpath, "%s/stderr.log", u.dir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 401, .body = "bad token"};
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 500, .body = "x"};
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 422, .body = "no"};
    unit_client(&u);
    sync_pass_result r;
    for (int i = 0; i < 3; i++)
        sync_client_pass(u.c, &r);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *log = ts_read_file(logpath, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "Access refused"));
    assert_null(strstr(log, TS_TOKEN));
    free(log);
    unit_end(&u);
}

/* ---- The worker, synchronous, on the virtual clock ---- */

static void on_status(void *ctx)
{
    (*(int *)ctx)++;
}

static void test_worker_synchronous_retry_after(void **state)
{
    (void)state;
    unit u;
    unit_begin(&u, 20, 10);
    int calls = 0;
    u.opt.synchronous = true;
    u.opt.on_status = on_status;
    u.opt.status_ctx = &calls;
    u.fk.queue[u.fk.qn++] = (fake_reply){.status = 429, .body = "", .retry_after = "60"};
    sync_transport tr = {.send = fake_send, .ctx = &u.fk};
    sync_worker *w = NULL;
    bk_diag diag = {0};
    assert_int_equal(sync_worker_create_with(&u.cfg, u.db, &u.opt, &tr, &w, &diag), BK_OK);
    assert_int_equal(sync_worker_start(w), BK_OK);
    sync_status st;
    sync_worker_status(w, &st);
    assert_int_equal(st.queued, 20);

    sync_worker_request_now(w);
    assert_true(calls > 0);
    sync_worker_status(w, &st);
    assert_int_equal(st.error, SYNC_ERROR_SERVER);
    assert_false(st.in_progress);
    assert_int_equal(st.next_attempt_wall_ms, u.vc.wall_ms + 60000);
    assert_int_equal(u.fk.n, 1); /* told to wait: no survey request, no heartbeat */

    /* "Sync now" 59 s later: still too early, nothing is sent. */
    clock_virtual_advance(&u.vc, 59000);
    sync_worker_request_now(w);
    assert_int_equal(u.fk.n, 1);
    sync_worker_status(w, &st);
    assert_int_equal(st.next_attempt_wall_ms, u.vc.wall_ms + 1000);

    clock_virtual_advance(&u.vc, 1000);
    sync_worker_request_now(w);
    sync_worker_status(w, &st);
    assert_int_equal(st.error, SYNC_ERROR_NONE);
    assert_int_equal(st.queued, 0);
    assert_int_equal(st.last_ok_wall_ms, u.vc.wall_ms);
    assert_int_equal(st.next_attempt_wall_ms, u.vc.wall_ms + 300000);

    sync_worker_set_shown_survey(w, "symposium", 4);
    sync_worker_request_now(w);
    json_error_t jerr;
    json_t *hb = json_loads(u.fk.reqs[u.fk.n - 1].body, 0, &jerr);
    assert_string_equal(json_string_value(json_object_get(hb, "survey_id")), "symposium");
    assert_int_equal(json_integer_value(json_object_get(hb, "survey_version")), 4);
    json_decref(hb);

    sync_worker_stop(w);
    sync_worker_stop(w);
    sync_worker_destroy(w);
    sync_worker_destroy(NULL);
    u.c = NULL;
    unit_end(&u);
}

int main(void)
{
    assert_int_equal(sync_global_init(), BK_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_full_jitter_bounds),
        cmocka_unit_test(test_retry_after_parse),
        cmocka_unit_test(test_retry_after_seconds_honoured),
        cmocka_unit_test(test_retry_after_date_honoured),
        cmocka_unit_test(test_retry_after_capped),
        cmocka_unit_test(test_backoff_on_failures),
        cmocka_unit_test(test_failure_ends_pass),
        cmocka_unit_test(test_tls_failure_not_hammered),
        cmocka_unit_test(test_auth_keeps_everything),
        cmocka_unit_test(test_reject_goes_on),
        cmocka_unit_test(test_413_split),
        cmocka_unit_test(test_200_without_ack),
        cmocka_unit_test(test_request_format),
        cmocka_unit_test(test_heartbeat_body),
        cmocka_unit_test(test_survey_etag),
        cmocka_unit_test(test_url_check),
        cmocka_unit_test(test_http_remote_refused_without_connecting),
        cmocka_unit_test(test_token_rules),
        cmocka_unit_test(test_worker_synchronous_retry_after),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sync_global_cleanup();
    return rc;
}
