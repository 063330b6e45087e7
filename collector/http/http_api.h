/* http_api.h: the protocol's endpoints as plain functions of a request,
 * apart from libmicrohttpd: http_server.c turns each request into an
 * http_request and sends back the http_reply. Tests and fuzzers can call
 * it without a socket. */
#ifndef BK_HTTP_API_H
#define BK_HTTP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "http_message.h"
#include "error.h"
#include "storage.h"

typedef struct http_api_limits {
    int64_t max_body_bytes;
    int64_t max_inflated_bytes;
    int max_responses;
    int retry_after_s;
} http_api_limits;

typedef struct http_api http_api;

/* A new API over st (not owned). Returns NULL when out of memory. */
http_api *http_api_create(storage *st, const http_api_limits *limits, bk_clock clock);

/* Frees api. NULL is a no-op. */
void http_api_destroy(http_api *api);

/* Answers one request into *out (zeroed first; free with
 * http_reply_clear). Never fails: every problem becomes a status code
 * with a JSON body {"error": "..."} naming the field. */
void http_api_handle(http_api *api, const http_request *req, http_reply *out);

/* Fills r with status and a JSON body {"error": message}. */
void http_reply_error(http_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
