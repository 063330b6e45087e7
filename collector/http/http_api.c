/* http_api.c: POST /v1/batches, GET /v1/kiosks/{id}/surveys and POST
 * /v1/kiosks/{id}/status, as docs/protocol.md describes them from the
 * server's side. Authentication, gzip, parsing, the survey check, storing,
 * and the one status code each outcome gets. */
#include "http_api.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest.h"
#include "log.h"
#include "receive.h"

#define HTTP_API_STATUS_MAX (64 * 1024) /* bytes in a heartbeat body */
#define HTTP_API_TOKEN_MAX 4096

struct http_api {
    storage *st;
    http_api_limits limits;
    bk_clock clock;
    receiver *rx;
};

http_api *http_api_create(storage *st, const http_api_limits *limits, bk_clock clock)
{
    if (sodium_init() < 0)
        return NULL;
    http_api *api = calloc(1, sizeof *api);
    if (!api)
        return NULL;
    api->st = st;
    api->limits = *limits;
    api->clock = clock;
    api->rx = receive_create(st);
    if (!api->rx) {
        free(api);
        return NULL;
    }
    return api;
}

void http_api_destroy(http_api *api)
{
    if (!api)
        return;
    receive_destroy(api->rx);
    free(api);
}

void http_reply_clear(http_reply *r)
{
    if (!r)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

void http_reply_error(http_reply *r, int status, const char *fmt, ...)
{
    char msg[INGEST_MSG_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(r->body);
    r->status = status;
    json_t *o = json_pack("{s:s}", "error", msg);
    /* The message may quote a resident's bytes: jansson escapes them, and
     * a message that is not valid UTF-8 is replaced rather than sent. */
    r->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (!r->body)
        r->body = strdup("{\"error\":\"(message not shown)\"}");
    json_decref(o);
    r->content_type = "application/json";
}

/* ---- authentication ---- */

/* The kiosk the request's bearer token belongs to. Returns 0 with *k
 * filled, or the status to answer (401, 503) with r filled. */
static int api_authenticate(http_api *api, const http_request *req, storage_kiosk *k, http_reply *r)
{
    const char *h = req->authorization;
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        http_reply_error(r, 401, "Authorization: a bearer token is required");
        r->www_authenticate = true;
        return 401;
    }
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    size_t n = strlen(token);
    while (n && token[n - 1] == ' ')
        n--;
    if (n == 0 || n > HTTP_API_TOKEN_MAX) {
        http_reply_error(r, 401, "Authorization: the token is empty or too long");
        r->www_authenticate = true;
        return 401;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)token, n);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    bk_err e = storage_kiosk_by_token(api->st, hex, k);
    if (e == BK_ERR_NOT_FOUND || (e == BK_OK && k->revoked)) {
        http_reply_error(r, 401,
                         e == BK_OK ? "Authorization: this kiosk's token is revoked"
                                    : "Authorization: unknown token");
        r->www_authenticate = true;
        return 401;
    }
    if (e != BK_OK) {
        http_reply_error(r, 503, "the store is busy; try again");
        r->retry_after_s = api->limits.retry_after_s;
        return 503;
    }
    return 0;
}

/* Answers a storage error other than NOT_FOUND. */
static void api_storage_failed(http_api *api, bk_err e, http_reply *r)
{
    if (e == BK_ERR_NOMEM)
        http_reply_error(r, 503, "the collector is out of memory; try again");
    else if (e == BK_ERR_BUSY)
        http_reply_error(r, 503, "the store is busy; try again");
    else
        http_reply_error(r, 503, "the store failed (%s); try again", bk_err_str(e));
    r->retry_after_s = api->limits.retry_after_s;
}

static bool api_is_json(const char *content_type)
{
    if (!content_type)
        return false;
    size_t n = strlen("application/json");
    if (strncasecmp(content_type, "application/json", n) != 0)
        return false;
    const char *rest = content_type + n;
    while (*rest == ' ')
        rest++;
    return *rest == '\0' || *rest == ';';
}

/* ---- POST /v1/batches ---- */

static void api_post_batch(http_api *api, const http_request *req, http_reply *r)
{
    storage_kiosk kiosk;
    if (api_authenticate(api, req, &kiosk, r))
        return;
    if (!api_is_json(req->content_type)) {
        http_reply_error(r, 415, "Content-Type: must be application/json, not \"%s\"",
                         req->content_type ? req->content_type : "(none)");
        return;
    }
    if ((int64_t)req->body_len > api->limits.max_body_bytes) {
        http_reply_error(r, 413, "the body is larger than %lld bytes",
                         (long long)api->limits.max_body_bytes);
        return;
    }
    const char *json = req->body;
    size_t json_len = req->body_len;
    char *inflated = NULL;
    const char *enc = req->content_encoding;
    if (enc && *enc && strcasecmp(enc, "identity") != 0) {
        if (strcasecmp(enc, "gzip") != 0) {
            http_reply_error(r, 415, "Content-Encoding: only gzip or identity, not \"%s\"", enc);
            return;
        }
        char msg[INGEST_MSG_MAX];
        bk_err e = ingest_gunzip((const unsigned char *)req->body, req->body_len,
                                 (size_t)api->limits.max_inflated_bytes, &inflated, &json_len, msg);
        if (e == BK_ERR_FULL) {
            http_reply_error(r, 413, "the body inflates to more than %lld bytes",
                             (long long)api->limits.max_inflated_bytes);
            return;
        }
        if (e == BK_ERR_NOMEM) {
            api_storage_failed(api, e, r);
            return;
        }
        if (e != BK_OK) {
            http_reply_error(r, 400, "%s", msg);
            return;
        }
        json = inflated;
    }

    ingest_batch b;
    char msg[INGEST_MSG_MAX];
    ingest_verdict v = ingest_batch_parse(json, json_len, api->limits.max_responses, &b, msg);
    free(inflated);
    switch (v) {
    case INGEST_OK:
        break;
    case INGEST_NOT_JSON:
        http_reply_error(r, 400, "%s", msg);
        return;
    case INGEST_INVALID:
        http_reply_error(r, 422, "%s", msg);
        return;
    case INGEST_TOO_MANY:
        http_reply_error(r, 413, "%s", msg);
        return;
    case INGEST_NO_MEMORY:
        api_storage_failed(api, BK_ERR_NOMEM, r);
        return;
    }
    if (strcmp(b.kiosk_id, kiosk.id) != 0) {
        http_reply_error(r, 403, "kiosk_id: this token belongs to kiosk \"%s\", not \"%s\"",
                         kiosk.id, b.kiosk_id);
        ingest_batch_clear(&b);
        return;
    }
    if (req->idempotency_key && *req->idempotency_key &&
        strcmp(req->idempotency_key, b.batch_id) != 0) {
        http_reply_error(r, 422, "Idempotency-Key: \"%s\" is not the batch_id \"%s\"",
                         req->idempotency_key, b.batch_id);
        ingest_batch_clear(&b);
        return;
    }

    storage_batch_result res = {0};
    bk_err e = receive_batch(api->rx, kiosk.id, &b, &res);
    if (e != BK_OK) {
        api_storage_failed(api, e, r);
        ingest_batch_clear(&b);
        return;
    }
    json_t *o = json_pack("{s:s,s:i,s:i,s:i,s:i}", "batch_id", b.batch_id, "accepted", res.accepted,
                          "duplicates", res.duplicates, "conflicts", res.conflicts, "quarantined",
                          res.quarantined);
    r->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!r->body) {
        /* Stored and committed: the kiosk must hear 200. */
        char text[128];
        snprintf(text, sizeof text, "{\"batch_id\":\"%s\",\"accepted\":%d,\"duplicates\":%d}",
                 b.batch_id, res.accepted, res.duplicates);
        r->body = strdup(text);
    }
    r->status = 200;
    r->content_type = "application/json";
    log_info("http",
             "batch %s from %s: %d accepted (%d quarantined), %d duplicates, %d conflicts%s",
             b.batch_id, kiosk.id, res.accepted, res.quarantined, res.duplicates, res.conflicts,
             res.repeated ? " (repeated batch)" : "");
    ingest_batch_clear(&b);
}

/* ---- /v1/kiosks/{id}/... ---- */

static void api_get_surveys(http_api *api, const storage_kiosk *kiosk, const http_request *req,
                            http_reply *r)
{
    char *body = NULL;
    char etag[70];
    bk_err e = storage_surveys_for_kiosk(api->st, kiosk->id, &body, etag);
    if (e == BK_ERR_NOT_FOUND) {
        http_reply_error(r, 404, "no survey is published for kiosk \"%s\"", kiosk->id);
        return;
    }
    if (e != BK_OK) {
        api_storage_failed(api, e, r);
        return;
    }
    snprintf(r->etag, sizeof r->etag, "%s", etag);
    if (req->if_none_match && strstr(req->if_none_match, etag)) {
        free(body);
        r->status = 304;
        return;
    }
    r->status = 200;
    r->body = body;
    r->content_type = "application/json";
}

/* A heartbeat's integer field, or -1 when absent or null. */
static int64_t api_status_int(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static void api_post_status(http_api *api, const storage_kiosk *kiosk, const http_request *req,
                            http_reply *r)
{
    if (!api_is_json(req->content_type)) {
        http_reply_error(r, 415, "Content-Type: must be application/json");
        return;
    }
    if (req->body_len > HTTP_API_STATUS_MAX) {
        http_reply_error(r, 413, "a heartbeat is at most %d bytes", HTTP_API_STATUS_MAX);
        return;
    }
    json_error_t jerr;
    json_t *o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        http_reply_error(r, 400, "body is not a JSON object%s%s", o ? "" : ": ",
                         o ? "" : jerr.text);
        json_decref(o);
        return;
    }
    const json_t *id = json_object_get(o, "kiosk_id");
    if (id && (!json_is_string(id) || strcmp(json_string_value(id), kiosk->id) != 0)) {
        http_reply_error(r, 403, "kiosk_id: this token belongs to kiosk \"%s\"", kiosk->id);
        json_decref(o);
        return;
    }
    const json_t *err_v = json_object_get(o, "last_error");
    if (err_v && !json_is_string(err_v) && !json_is_null(err_v)) {
        http_reply_error(r, 422, "last_error: must be a string or null");
        json_decref(o);
        return;
    }
    char *text = json_dumps(o, JSON_COMPACT);
    bk_err e = text ? storage_status_put(api->st, kiosk->id, text, api_status_int(o, "queued"),
                                         api_status_int(o, "rejected"),
                                         json_is_string(err_v) ? json_string_value(err_v) : NULL)
                    : BK_ERR_NOMEM;
    free(text);
    json_decref(o);
    if (e != BK_OK) {
        api_storage_failed(api, e, r);
        return;
    }
    r->status = 204;
}

/* "/v1/kiosks/{id}/{what}": handles surveys and status. */
static void api_kiosk_path(http_api *api, const http_request *req, http_reply *r)
{
    const char *rest = req->path + strlen("/v1/kiosks/");
    const char *slash = strchr(rest, '/');
    if (!slash || slash == rest || slash - rest > INGEST_ID_MAX) {
        http_reply_error(r, 404, "no such path: %s", req->path);
        return;
    }
    char id[INGEST_ID_MAX + 1];
    memcpy(id, rest, (size_t)(slash - rest));
    id[slash - rest] = '\0';
    const char *what = slash + 1;
    bool surveys = strcmp(what, "surveys") == 0, status = strcmp(what, "status") == 0;
    if (!surveys && !status) {
        http_reply_error(r, 404, "no such path: %s", req->path);
        return;
    }
    const char *want = surveys ? "GET" : "POST";
    if (strcmp(req->method, want) != 0 && !(surveys && strcmp(req->method, "HEAD") == 0)) {
        http_reply_error(r, 405, "%s takes %s only", req->path, want);
        r->allow = surveys ? "GET, HEAD" : "POST";
        return;
    }
    storage_kiosk kiosk;
    if (api_authenticate(api, req, &kiosk, r))
        return;
    if (strcmp(id, kiosk.id) != 0) {
        http_reply_error(r, 403, "this token belongs to another kiosk, not \"%s\"", id);
        return;
    }
    if (surveys)
        api_get_surveys(api, &kiosk, req, r);
    else
        api_post_status(api, &kiosk, req, r);
}

void http_api_handle(http_api *api, const http_request *req, http_reply *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(req->path, "/v1/batches") == 0) {
        if (strcmp(req->method, "POST") != 0) {
            http_reply_error(out, 405, "/v1/batches takes POST only");
            out->allow = "POST";
            return;
        }
        api_post_batch(api, req, out);
        return;
    }
    if (strncmp(req->path, "/v1/kiosks/", strlen("/v1/kiosks/")) == 0) {
        api_kiosk_path(api, req, out);
        return;
    }
    http_reply_error(out, 404, "no such path: %s", req->path);
}
