/* http_server.c: libmicrohttpd underneath http_api.c. The only file that
 * includes microhttpd.h: it binds (TLS through GnuTLS when a certificate is
 * given), collects each request's body within the limits, turns it into an
 * http_request, and sends the http_reply through one respond function. */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "http_api.h"
#include "log.h"

#define HTTP_HEADER_POOL (32 * 1024) /* bytes for one connection's headers */

struct http_server {
    struct MHD_Daemon *daemon;
    http_api *api;
    char *base_path;
    size_t base_len;
    int port;
    int max_pending;
    int request_timeout_s;
    int retry_after_s;
    int64_t max_body_bytes;
    bk_clock clock;
    http_web_fn web;
    void *web_ctx;
    bool tls;
    atomic_int pending;   /* uploads being handled */
    atomic_int in_flight; /* requests begun and not completed */
    atomic_bool draining; /* stopping: new requests get 503 */
};

/* One request's state between the access handler's calls. */
typedef struct http_conn {
    int64_t started_ms;
    char *body;
    size_t len, cap;
    bool counted_pending;
    bool refused; /* a reply is queued, or the rest of the body is dropped */
    /* Refused in the middle of the body: libmicrohttpd takes a reply only
     * once the request is in, so it waits here until then. */
    int late_status;
    char late_msg[96];
    bool web; /* outside base_path: for the web interface */
} http_conn;

static const char *http_header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* The decoded query arguments, cookies or form fields of one request. */
typedef struct http_params {
    http_param p[HTTP_MAX_PARAMS];
    size_t n;
    bool oom;
} http_params;

static void http_params_free(http_params *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free((char *)ps->p[i].name);
        free((char *)ps->p[i].value);
    }
    ps->n = 0;
}

/* Appends data to the param called name: a new one unless append is set
 * and the last one has that name (a file's next piece). */
static void http_params_add(http_params *ps, const char *name, const char *data, size_t size,
                            bool append)
{
    if (!name)
        return;
    http_param *last = ps->n ? &ps->p[ps->n - 1] : NULL;
    if (!(append && last && strcmp(last->name, name) == 0)) {
        if (ps->n == HTTP_MAX_PARAMS)
            return; /* more are dropped: no form of ours has that many */
        last = &ps->p[ps->n];
        last->name = strdup(name);
        last->value = calloc(1, 1);
        last->value_len = 0;
        if (!last->name || !last->value) {
            free((char *)last->name);
            free((char *)last->value);
            ps->oom = true;
            return;
        }
        ps->n++;
    }
    char *grown = realloc((char *)last->value, last->value_len + size + 1);
    if (!grown) {
        ps->oom = true;
        return;
    }
    memcpy(grown + last->value_len, data ? data : "", size);
    last->value_len += size;
    grown[last->value_len] = '\0';
    last->value = grown;
}

static enum MHD_Result http_collect_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
    (void)kind;
    http_params_add(cls, key, value, value ? strlen(value) : 0, false);
    return MHD_YES;
}

static enum MHD_Result http_collect_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *filename, const char *content_type,
                                          const char *transfer_encoding, const char *data,
                                          uint64_t off, size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    http_params_add(cls, key, data, size, off > 0);
    return MHD_YES;
}

/* Answers a request for the web interface: its query, cookies and form
 * decoded (libmicrohttpd's own parsers: MHD_PostProcessor for
 * urlencoded and multipart bodies). */
static void http_web_request(http_server *s, struct MHD_Connection *conn, http_conn *c,
                             http_request *req, http_reply *r)
{
    http_params *q = calloc(3, sizeof *q);
    if (!q) {
        http_reply_error(r, 503, "out of memory");
        return;
    }
    http_params *cookies = &q[1], *form = &q[2];
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_collect_value, q);
    MHD_get_connection_values(conn, MHD_COOKIE_KIND, http_collect_value, cookies);
    if (c->len > 0 && strcmp(req->method, "POST") == 0) {
        struct MHD_PostProcessor *pp =
            MHD_create_post_processor(conn, 64 * 1024, http_collect_field, form);
        if (pp) {
            if (MHD_post_process(pp, c->body, c->len) != MHD_YES)
                form->oom = form->oom || form->n == 0;
            MHD_destroy_post_processor(pp);
        }
    }
    if (q->oom || cookies->oom || form->oom) {
        http_reply_error(r, 400, "the request's query, cookies or form cannot be read");
    } else {
        req->query = q->p;
        req->n_query = q->n;
        req->cookies = cookies->p;
        req->n_cookies = cookies->n;
        req->form = form->p;
        req->n_form = form->n;
        req->tls = s->tls;
        req->host = http_header(conn, MHD_HTTP_HEADER_HOST);
        s->web(s->web_ctx, req, r);
    }
    for (int i = 0; i < 3; i++)
        http_params_free(&q[i]);
    free(q);
}

/* Sends reply r on conn: the one place a status code and its headers are
 * written. */
static enum MHD_Result http_respond(struct MHD_Connection *conn, const http_reply *r,
                                    bool close_after)
{
    size_t len = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, r->body ? r->body : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->etag[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->www_authenticate)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"buurtkiosk\"");
    if (r->retry_after_s > 0) {
        char secs[24];
        snprintf(secs, sizeof secs, "%d", r->retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    if (close_after)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->max_age_s > 0) {
        char cache[48];
        snprintf(cache, sizeof cache, "private, max-age=%d", r->max_age_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    } else {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (r->web) {
        /* No inline script or style, nothing from elsewhere, no frames:
         * a resident's text can never run, nor the page be framed. */
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self'; connect-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    }
    if (r->location[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    for (int i = 0; i < 2; i++)
        if (r->set_cookie[i][0])
            MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie[i]);
    if (r->content_disposition[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->content_disposition);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result http_respond_error(struct MHD_Connection *conn, int status,
                                          int retry_after_s, const char *msg)
{
    http_reply r = {0};
    http_reply_error(&r, status, "%s", msg);
    r.retry_after_s = retry_after_s;
    enum MHD_Result ret = http_respond(conn, &r, false);
    http_reply_clear(&r);
    return ret;
}

static enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_size, void **con_cls)
{
    http_server *s = cls;
    http_conn *c = *con_cls;
    if (!c) {
        /* Headers are in; the body (if any) follows in later calls. */
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        c->started_ms = clock_mono_ms(&s->clock);
        *con_cls = c;
        atomic_fetch_add(&s->in_flight, 1);
        /* Counted first, then checked: http_server_stop sets draining and
         * then waits for in_flight, so a request is either waited for or
         * refused here, never dropped half way. */
        if (atomic_load(&s->draining)) {
            c->refused = true;
            http_reply r = {0};
            http_reply_error(&r, 503, "the collector is stopping; try again");
            r.retry_after_s = s->retry_after_s;
            enum MHD_Result ret = http_respond(conn, &r, true);
            http_reply_clear(&r);
            return ret;
        }
        if (strncmp(url, s->base_path, s->base_len) != 0 ||
            (url[s->base_len] != '/' && url[s->base_len] != '\0'))
            c->web = s->web != NULL;
        if (!c->web && (strncmp(url, s->base_path, s->base_len) != 0 ||
                        (url[s->base_len] != '/' && url[s->base_len] != '\0'))) {
            c->refused = true;
            return http_respond_error(conn, 404, 0,
                                      "no such path (the protocol lives under the "
                                      "base path)");
        }
        const char *cl = http_header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            errno = 0;
            long long n = strtoll(cl, &end, 10);
            if (errno || !end || *end || n < 0) {
                c->refused = true;
                return http_respond_error(conn, 400, 0, "Content-Length: not a number");
            }
            if (n > s->max_body_bytes) {
                c->refused = true;
                char msg[96];
                snprintf(msg, sizeof msg, "the body is larger than %lld bytes",
                         (long long)s->max_body_bytes);
                return http_respond_error(conn, 413, 0, msg);
            }
        }
        if (strcmp(method, "POST") == 0) {
            if (atomic_fetch_add(&s->pending, 1) >= s->max_pending) {
                atomic_fetch_sub(&s->pending, 1);
                c->refused = true;
                return http_respond_error(conn, 503, s->retry_after_s,
                                          "too many uploads at once; try again");
            }
            c->counted_pending = true;
        }
        return MHD_YES;
    }
    if (c->refused) {
        if (*upload_size) {
            *upload_size = 0; /* the rest is dropped, never kept */
            return MHD_YES;
        }
        if (c->late_status)
            return http_respond_error(conn, c->late_status, 0, c->late_msg);
        return MHD_YES;
    }
    if (*upload_size) {
        int64_t elapsed = clock_mono_ms(&s->clock) - c->started_ms;
        if (elapsed > (int64_t)s->request_timeout_s * 1000) {
            /* A client that dribbles its body (slowloris) is cut off: no
             * reply can be queued in the middle of a body, so the
             * connection is closed. */
            log_info("http", "a request took longer than %d s to arrive: connection closed",
                     s->request_timeout_s);
            return MHD_NO;
        }
        if ((int64_t)(c->len + *upload_size) > s->max_body_bytes) {
            c->refused = true;
            *upload_size = 0;
            free(c->body);
            c->body = NULL;
            c->len = c->cap = 0;
            c->late_status = 413;
            snprintf(c->late_msg, sizeof c->late_msg, "the body is larger than %lld bytes",
                     (long long)s->max_body_bytes);
            return MHD_YES;
        }
        if (c->len + *upload_size > c->cap) {
            size_t cap = c->cap ? c->cap : 16 * 1024;
            while (cap < c->len + *upload_size)
                cap *= 2;
            if ((int64_t)cap > s->max_body_bytes)
                cap = (size_t)s->max_body_bytes;
            char *grown = realloc(c->body, cap);
            if (!grown) {
                log_error("http", "out of memory for a body of %zu bytes: connection closed", cap);
                return MHD_NO;
            }
            c->body = grown;
            c->cap = cap;
        }
        memcpy(c->body + c->len, upload_data, *upload_size);
        c->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    /* The whole request is in. */
    http_request req = {
        .method = method,
        .path = c->web ? url : url + s->base_len,
        .authorization = http_header(conn, MHD_HTTP_HEADER_AUTHORIZATION),
        .content_type = http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE),
        .content_encoding = http_header(conn, MHD_HTTP_HEADER_CONTENT_ENCODING),
        .if_none_match = http_header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH),
        .idempotency_key = http_header(conn, "Idempotency-Key"),
        .body = c->body ? c->body : "",
        .body_len = c->len,
    };
    http_reply r;
    if (c->web) {
        memset(&r, 0, sizeof r);
        http_web_request(s, conn, c, &req, &r);
    } else {
        http_api_handle(s->api, &req, &r);
    }
    /* HEAD: the same headers, no body. */
    if (strcmp(method, "HEAD") == 0) {
        free(r.body);
        r.body = NULL;
    }
    /* Stopping: this reply is the connection's last, so a keep-alive
     * client comes back to another instance or after the restart. */
    enum MHD_Result ret = http_respond(conn, &r, atomic_load(&s->draining));
    http_reply_clear(&r);
    (void)version;
    return ret;
}

static void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    http_conn *c = *con_cls;
    (void)conn;
    (void)toe;
    if (!c)
        return;
    if (c->counted_pending)
        atomic_fetch_sub(&s->pending, 1);
    free(c->body);
    free(c);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static void http_on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http", "libmicrohttpd: %s", msg);
}

bk_err http_server_start(const http_server_options *o, http_server **out, bk_diag *diag)
{
    *out = NULL;
    http_server *s = calloc(1, sizeof *s);
    if (!s || !(s->base_path = strdup(o->base_path))) {
        free(s);
        return BK_ERR_NOMEM;
    }
    s->base_len = strlen(s->base_path);
    s->max_pending = o->max_pending;
    s->request_timeout_s = o->request_timeout_s;
    s->retry_after_s = o->retry_after_s;
    s->max_body_bytes = o->max_body_bytes;
    s->clock = o->clock;
    s->web = o->web;
    s->web_ctx = o->web_ctx;
    s->tls = o->tls_cert != NULL;
    http_api_limits limits = {
        .max_body_bytes = o->max_body_bytes,
        .max_inflated_bytes = o->max_inflated_bytes,
        .max_responses = o->max_responses,
        .retry_after_s = o->retry_after_s,
    };
    s->api = http_api_create(o->st, &limits, o->clock);
    if (!s->api) {
        free(s->base_path);
        free(s);
        return BK_ERR_NOMEM;
    }

    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    const char *host = strcmp(o->listen, "localhost") == 0 ? "127.0.0.1" : o->listen;
    /* ITC: MHD_quiesce_daemon needs it with a thread pool. */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)o->port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)o->port);
        flags |= MHD_USE_IPv6;
    } else {
        diag_add(diag, "listen: \"%s\" is not a numeric IPv4 or IPv6 address", o->listen);
        http_api_destroy(s->api);
        free(s->base_path);
        free(s);
        return BK_ERR_INVALID;
    }
    if (o->tls_cert)
        flags |= MHD_USE_TLS;
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;

    struct MHD_OptionItem opts[16];
    size_t n = 0;
    /* The logger first, so that libmicrohttpd prints nothing of its own. */
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)http_on_mhd_error, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &addr};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, o->request_timeout_s, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_HEADER_POOL, NULL};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_on_completed, s};
    if (o->tls_cert) {
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->daemon = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, http_on_request, s,
                                 MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!s->daemon) {
        int err = errno;
        diag_add(diag, "cannot listen on %s port %d%s%s", o->listen, o->port,
                 o->tls_cert ? " with TLS (is the certificate and key PEM, and do they match?)"
                             : "",
                 err ? ": " : "");
        if (err)
            diag_add(diag, "%s", strerror(err));
        http_api_destroy(s->api);
        free(s->base_path);
        free(s);
        return o->tls_cert ? BK_ERR_TLS : BK_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : o->port;
    *out = s;
    return BK_OK;
}

int http_server_port(const http_server *s)
{
    return s->port;
}

void http_server_stop(http_server *s, int grace_ms)
{
    if (!s)
        return;
    atomic_store(&s->draining, true);
    MHD_quiesce_daemon(s->daemon);
    /* Requests already begun finish (each batch is one transaction). */
    struct timespec step = {0, 10 * 1000 * 1000};
    for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10)
        nanosleep(&step, NULL);
    if (atomic_load(&s->in_flight) > 0)
        log_warn("http", "stopping with %d requests unfinished (their batches are not stored)",
                 atomic_load(&s->in_flight));
    MHD_stop_daemon(s->daemon);
    http_api_destroy(s->api);
    free(s->base_path);
    free(s);
}
