/* http_server.h: the collector's HTTP(S) server on libmicrohttpd: the sync
 * protocol's endpoints under base_path (docs/protocol.md), with the limits,
 * authentication and status codes of docs/collector.md, and everything
 * else to the web interface when one is given. It never writes
 * SQL: everything kept goes through collector/storage/storage.h. The one
 * file that includes microhttpd.h is http_server.c. */
#ifndef BK_HTTP_SERVER_H
#define BK_HTTP_SERVER_H

#include <stdint.h>

#include "clock.h"
#include "diag.h"
#include "error.h"
#include "http_message.h"
#include "storage.h"

/* Answers a request outside base_path (the web interface, web.h). */
typedef void (*http_web_fn)(void *ctx, const http_request *req, http_reply *out);

typedef struct http_server http_server;

typedef struct http_server_options {
    const char *listen;    /* a numeric IPv4 or IPv6 address, or "localhost" */
    int port;              /* 0: any free port (see http_server_port) */
    const char *base_path; /* "/buurtkiosk": the protocol's endpoints live below it */
    const char *tls_cert;  /* PEM text (not a path); NULL for plain HTTP */
    const char *tls_key;
    int threads;
    int max_connections;
    int max_pending; /* batch uploads working at once; more get 503 */
    int request_timeout_s;
    int retry_after_s;
    int64_t max_body_bytes;
    int64_t max_inflated_bytes;
    int max_responses;
    storage *st; /* not owned; must outlive the server */
    bk_clock clock;
    http_web_fn web; /* NULL: everything outside base_path is 404 */
    void *web_ctx;   /* not owned; must outlive the server */
} http_server_options;

/* Binds and starts serving on o->threads threads. Returns BK_OK with a new
 * server in *out, or BK_ERR_IO (cannot bind: the address and the reason
 * in diag), BK_ERR_TLS (the certificate or key is refused), BK_ERR_NOMEM. */
bk_err http_server_start(const http_server_options *o, http_server **out, bk_diag *diag);

/* The port the server listens on (the real one when started with 0). */
int http_server_port(const http_server *s);

/* Stops accepting new connections, lets the requests in flight finish (at
 * most grace_ms), then stops and frees s. Every batch is stored in one
 * transaction, so a request cut off at the end stored nothing of its
 * batch. NULL is a no-op. */
void http_server_stop(http_server *s, int grace_ms);

#endif
