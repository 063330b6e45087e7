/* sync_http.c: the sync transport over libcurl. The only file that includes
 * curl.
 *
 * One easy handle, reused for every request (so the connection is kept
 * alive), driven by a multi handle so that a stop request is noticed within
 * 100 ms: the loop checks the stop flag between polls, and curl's
 * XFERINFOFUNCTION checks it during a transfer. Certificate checks are always
 * on; there is no option to turn them off. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sync_private.h"

#define SYNC_USER_AGENT "buurtkiosk/" BK_VERSION

struct sync_http {
    CURL *easy;
    CURLM *multi;
    sync_http_config cfg;
    char *ca_file, *client_cert, *client_key;
    char errbuf[CURL_ERROR_SIZE];
    /* The answer being received. */
    sync_http_response *cur;
    size_t cur_cap;
    size_t max_response;
    bool too_large;
};

bk_err sync_global_init(void)
{
    /* A write to a socket the server closed must be an error, not a signal
       that ends the kiosk (CURLOPT_NOSIGNAL leaves SIGPIPE to us). */
    signal(SIGPIPE, SIG_IGN);
    /* curl counts calls; each needs one sync_global_cleanup. */
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        log_error("sync", "curl_global_init: %s", curl_easy_strerror(rc));
        return BK_ERR_NETWORK;
    }
    return BK_OK;
}

void sync_global_cleanup(void)
{
    curl_global_cleanup();
}

void sync_http_response_free(sync_http_response *r)
{
    if (!r)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- URL check (before any connection) ---- */

static bool host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    char buf[64];
    size_t len = strlen(host);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof buf) {
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        host = buf;
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* Parses url into a new CURLU (caller frees with curl_url_cleanup) after
 * checking it, or returns NULL with the reason in why. */
static CURLU *url_parse_checked(const char *url, bool *loopback, char *why, size_t why_size)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    if (!u) {
        sync_set_text(why, why_size, "out of memory");
        return NULL;
    }
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        sync_set_text(why, why_size, "base_url is not a valid URL (%s)", curl_url_strerror(uc));
        goto fail;
    }
    uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (uc != CURLUE_OK) {
        sync_set_text(why, why_size, "base_url has no host (%s)", curl_url_strerror(uc));
        goto fail;
    }
    bool lo = host_is_loopback(host);
    if (loopback)
        *loopback = lo;
    if (strcasecmp(scheme, "https") == 0) {
        /* fine */
    } else if (strcasecmp(scheme, "http") == 0) {
        if (!lo) {
            sync_set_text(why, why_size,
                          "plain http:// is only allowed to this computer itself (127.0.0.1, "
                          "::1, localhost), not to %s: use https://",
                          host);
            goto fail;
        }
    } else {
        sync_set_text(why, why_size, "base_url must start with https:// (not %s://)", scheme);
        goto fail;
    }
    curl_free(scheme);
    curl_free(host);
    return u;
fail:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return NULL;
}

bk_err sync_url_check(const char *url, bool *loopback, char *why, size_t why_size)
{
    CURLU *u = url_parse_checked(url, loopback, why, why_size);
    if (!u)
        return BK_ERR_INVALID;
    curl_url_cleanup(u);
    return BK_OK;
}

/* ---- Callbacks ---- */

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    sync_http *h = ctx;
    size_t n = size * nmemb;
    sync_http_response *r = h->cur;
    if (r->body_len + n > h->max_response) {
        h->too_large = true;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (r->body_len + n + 1 > h->cur_cap) {
        size_t cap = h->cur_cap ? h->cur_cap : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b)
            return 0;
        r->body = b;
        h->cur_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static int on_xferinfo(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const sync_http *h = ctx;
    return h->cfg.stop && atomic_load(h->cfg.stop) ? 1 : 0;
}

/* ---- Setup ---- */

#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        CURLcode setopt_rc = curl_easy_setopt(h->easy, opt, val);                                  \
        if (setopt_rc != CURLE_OK) {                                                               \
            if (diag)                                                                              \
                diag_add(diag, "curl option %s: %s", #opt, curl_easy_strerror(setopt_rc));         \
            log_error("sync", "curl option %s: %s", #opt, curl_easy_strerror(setopt_rc));          \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

bk_err sync_http_create(const sync_http_config *cfg, sync_http **out, bk_diag *diag)
{
    *out = NULL;
    sync_http *h = calloc(1, sizeof *h);
    if (!h)
        return BK_ERR_NOMEM;
    h->cfg = *cfg;
    h->ca_file = dup_or_null(cfg->ca_file);
    h->client_cert = dup_or_null(cfg->client_cert);
    h->client_key = dup_or_null(cfg->client_key);
    h->easy = curl_easy_init();
    h->multi = curl_multi_init();
    if ((cfg->ca_file && !h->ca_file) || (cfg->client_cert && !h->client_cert) ||
        (cfg->client_key && !h->client_key) || !h->easy || !h->multi) {
        sync_http_destroy(h);
        return BK_ERR_NOMEM;
    }
    SETOPT(CURLOPT_ERRORBUFFER, h->errbuf);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SETOPT(CURLOPT_LOW_SPEED_TIME, cfg->low_speed_time_s);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_TCP_KEEPIDLE, 60L);
    SETOPT(CURLOPT_TCP_KEEPINTVL, 30L);
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->ca_file)
        SETOPT(CURLOPT_CAINFO, h->ca_file);
    if (h->client_cert)
        SETOPT(CURLOPT_SSLCERT, h->client_cert);
    if (h->client_key)
        SETOPT(CURLOPT_SSLKEY, h->client_key);
    SETOPT(CURLOPT_USERAGENT, SYNC_USER_AGENT);
    SETOPT(CURLOPT_WRITEFUNCTION, on_write);
    SETOPT(CURLOPT_WRITEDATA, h);
    SETOPT(CURLOPT_NOPROGRESS, 0L);
    SETOPT(CURLOPT_XFERINFOFUNCTION, on_xferinfo);
    SETOPT(CURLOPT_XFERINFODATA, h);
    *out = h;
    return BK_OK;
fail:
    sync_http_destroy(h);
    return BK_ERR_NETWORK;
}

void sync_http_destroy(sync_http *h)
{
    if (!h)
        return;
    if (h->easy)
        curl_easy_cleanup(h->easy);
    if (h->multi)
        curl_multi_cleanup(h->multi);
    free(h->ca_file);
    free(h->client_cert);
    free(h->client_key);
    free(h);
}

void sync_http_wakeup(sync_http *h)
{
    if (!h)
        return;
    CURLMcode mc = curl_multi_wakeup(h->multi);
    if (mc != CURLM_OK)
        log_warn("sync", "curl_multi_wakeup: %s", curl_multi_strerror(mc));
}

/* ---- One request ---- */

static bool is_tls_error(CURLcode rc, const char *errbuf)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return true;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        /* TLS 1.3: a server refusing the client certificate says so in an
           alert after the handshake. */
        return strstr(errbuf, "alert") && strstr(errbuf, "SSL");
    default:
        return false;
    }
}

static void header_value(CURL *easy, const char *name, char *dst, size_t size)
{
    struct curl_header *hd = NULL;
    dst[0] = '\0';
    if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK && hd && hd->value)
        sync_set_text(dst, size, "%s", hd->value);
}

/* Overwrites the Authorization line before the list is freed. */
static void headers_free(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l; l = l->next)
        if (l->data)
            memset(l->data, 0, strlen(l->data));
    curl_slist_free_all(list);
}

static struct curl_slist *headers_build(const sync_http_request *req, bool *oom)
{
    struct curl_slist *list = NULL, *next;
    *oom = false;
    /* No "Expect: 100-continue" round trip before a body. */
    const char *fixed[] = {"Expect:", "Accept: application/json"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        next = curl_slist_append(list, fixed[i]);
        if (!next)
            goto oom;
        list = next;
    }
    for (size_t i = 0; i < req->n_headers && i < SYNC_HTTP_MAX_HEADERS; i++) {
        next = curl_slist_append(list, req->headers[i]);
        if (!next)
            goto oom;
        list = next;
    }
    if (req->token) {
        size_t len = strlen("Authorization: Bearer ") + strlen(req->token) + 1;
        char *line = malloc(len);
        if (!line)
            goto oom;
        snprintf(line, len, "Authorization: Bearer %s", req->token);
        next = curl_slist_append(list, line);
        memset(line, 0, len);
        free(line);
        if (!next)
            goto oom;
        list = next;
    }
    return list;
oom:
    headers_free(list);
    *oom = true;
    return NULL;
}

#define REQOPT(opt, val)                                                                           \
    do {                                                                                           \
        CURLcode reqopt_rc = curl_easy_setopt(h->easy, opt, val);                                  \
        if (reqopt_rc != CURLE_OK) {                                                               \
            resp->err = BK_ERR_NETWORK;                                                            \
            sync_set_text(resp->detail, sizeof resp->detail, "curl option %s: %s", #opt,           \
                          curl_easy_strerror(reqopt_rc));                                          \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

void sync_http_send(void *ctx, const sync_http_request *req, sync_http_response *resp)
{
    sync_http *h = ctx;
    struct curl_slist *headers = NULL;
    bool added = false;
    bool loopback = false;
    memset(resp, 0, sizeof *resp);
    h->errbuf[0] = '\0';
    h->cur = resp;
    h->cur_cap = 0;
    h->max_response = req->max_response ? req->max_response : SYNC_BATCH_RESPONSE_MAX;
    h->too_large = false;

    /* Checked before any connection: https, or http only on loopback. */
    CURLU *u = url_parse_checked(req->url, &loopback, resp->detail, sizeof resp->detail);
    if (!u) {
        resp->err = BK_ERR_INVALID;
        goto done;
    }
    bool oom = false;
    headers = headers_build(req, &oom);
    if (oom) {
        resp->err = BK_ERR_NOMEM;
        sync_set_text(resp->detail, sizeof resp->detail, "out of memory");
        goto done;
    }
    REQOPT(CURLOPT_CURLU, u);
    /* Loopback never goes through a proxy; elsewhere the environment's
       https_proxy / no_proxy apply as libcurl reads them. */
    REQOPT(CURLOPT_NOPROXY, loopback ? "*" : NULL);
    REQOPT(CURLOPT_HTTPHEADER, headers);
    if (strcmp(req->method, "POST") == 0) {
        REQOPT(CURLOPT_POST, 1L);
        REQOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        REQOPT(CURLOPT_POSTFIELDS, req->body ? req->body : "");
    } else {
        REQOPT(CURLOPT_HTTPGET, 1L);
    }

    CURLMcode mc = curl_multi_add_handle(h->multi, h->easy);
    if (mc != CURLM_OK) {
        resp->err = BK_ERR_NETWORK;
        sync_set_text(resp->detail, sizeof resp->detail, "curl_multi_add_handle: %s",
                      curl_multi_strerror(mc));
        goto done;
    }
    added = true;
    int running = 1;
    bool stopped = false;
    while (running) {
        mc = curl_multi_perform(h->multi, &running);
        if (mc != CURLM_OK || !running)
            break;
        if (h->cfg.stop && atomic_load(h->cfg.stop)) {
            stopped = true;
            break;
        }
        mc = curl_multi_poll(h->multi, NULL, 0, 100, NULL);
        if (mc != CURLM_OK)
            break;
    }
    if (stopped) {
        resp->err = BK_ERR_ABORTED;
        sync_set_text(resp->detail, sizeof resp->detail, "stopped");
        goto done;
    }
    if (mc != CURLM_OK) {
        resp->err = BK_ERR_NETWORK;
        sync_set_text(resp->detail, sizeof resp->detail, "curl multi: %s", curl_multi_strerror(mc));
        goto done;
    }
    CURLcode rc = CURLE_OK;
    bool got = false;
    int left = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->easy) {
            rc = msg->data.result;
            got = true;
        }
    }
    if (!got) {
        resp->err = BK_ERR_NETWORK;
        sync_set_text(resp->detail, sizeof resp->detail, "transfer ended without a result");
        goto done;
    }
    if (rc != CURLE_OK) {
        if (rc == CURLE_ABORTED_BY_CALLBACK)
            resp->err = BK_ERR_ABORTED;
        else if (rc == CURLE_WRITE_ERROR && h->too_large)
            resp->err = BK_ERR_SERVER;
        else if (rc == CURLE_OUT_OF_MEMORY)
            resp->err = BK_ERR_NOMEM;
        else if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
            resp->err = BK_ERR_INVALID;
        else if (is_tls_error(rc, h->errbuf))
            resp->err = BK_ERR_TLS;
        else
            resp->err = BK_ERR_NETWORK;
        if (h->too_large)
            sync_set_text(resp->detail, sizeof resp->detail,
                          "the server's answer is longer than %zu bytes", h->max_response);
        else if (h->errbuf[0])
            sync_set_text(resp->detail, sizeof resp->detail, "%s (%s)", curl_easy_strerror(rc),
                          h->errbuf);
        else
            sync_set_text(resp->detail, sizeof resp->detail, "%s", curl_easy_strerror(rc));
        goto done;
    }
    long code = 0;
    rc = curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        resp->err = BK_ERR_NETWORK;
        sync_set_text(resp->detail, sizeof resp->detail, "CURLINFO_RESPONSE_CODE: %s",
                      curl_easy_strerror(rc));
        goto done;
    }
    resp->status = code;
    header_value(h->easy, "ETag", resp->etag, sizeof resp->etag);
    header_value(h->easy, "Retry-After", resp->retry_after, sizeof resp->retry_after);
    resp->err = BK_OK;

done:
    if (added) {
        mc = curl_multi_remove_handle(h->multi, h->easy);
        if (mc != CURLM_OK)
            log_warn("sync", "curl_multi_remove_handle: %s", curl_multi_strerror(mc));
    }
    /* Leave no pointers to this call's data in the handle. */
    CURLcode crc = curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, NULL);
    if (crc == CURLE_OK)
        crc = curl_easy_setopt(h->easy, CURLOPT_CURLU, NULL);
    if (crc == CURLE_OK)
        crc = curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, NULL);
    if (crc != CURLE_OK)
        log_warn("sync", "curl reset after request: %s", curl_easy_strerror(crc));
    headers_free(headers);
    if (u)
        curl_url_cleanup(u);
    if (resp->err != BK_OK) {
        free(resp->body);
        resp->body = NULL;
        resp->body_len = 0;
    }
    h->cur = NULL;
}
