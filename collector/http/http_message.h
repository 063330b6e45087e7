/* http_message.h: one HTTP request and its reply, apart from
 * libmicrohttpd: http_server.c fills an http_request from each request
 * and sends back the http_reply that the protocol (http_api.h) or the web
 * interface (collector/web/web.h) made. Types only, so that both build on
 * them without depending on each other or on the server. */
#ifndef BK_HTTP_MESSAGE_H
#define BK_HTTP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define HTTP_MAX_PARAMS 64 /* query arguments, cookies or form fields kept per request */

/* A name and its value (decoded); value_len counts bytes (an uploaded
 * file may hold any), and value is NUL-terminated as well. */
typedef struct http_param {
    const char *name;
    const char *value;
    size_t value_len;
} http_param;

typedef struct http_request {
    const char *method;
    const char
        *path; /* below base_path for the protocol ("/v1/batches"); the whole path for the web */
    const char *authorization;
    const char *content_type;
    const char *content_encoding;
    const char *if_none_match;
    const char *idempotency_key;
    const char *body; /* not NUL-terminated */
    size_t body_len;
    /* For the web interface: the URL's query arguments, the cookies, and
     * the fields of a form (application/x-www-form-urlencoded or
     * multipart/form-data), each decoded; and whether it came over TLS. */
    const http_param *query, *cookies, *form;
    size_t n_query, n_cookies, n_form;
    bool tls;
    const char *host; /* the Host header, or NULL */
} http_request;

typedef struct http_reply {
    int status;
    char *body;               /* owned (malloc); NULL for none */
    size_t body_len;          /* its bytes when it is binary; 0: strlen(body) */
    const char *content_type; /* static; NULL with no body */
    char etag[72];            /* "" for none */
    int retry_after_s;        /* > 0: a Retry-After header */
    const char *allow;        /* static; for 405 */
    bool www_authenticate;    /* 401: WWW-Authenticate: Bearer */
    /* The web interface's: */
    bool web;                      /* its security headers (CSP, frames refused, referrer) */
    int max_age_s;                 /* > 0: may be cached this long (static files) */
    char location[1024];           /* "" for none */
    char set_cookie[2][320];       /* "" for none */
    char content_disposition[160]; /* "" for none */
} http_reply;

/* Frees what r owns and zeroes it. NULL is a no-op. (http_api.c) */
void http_reply_clear(http_reply *r);

/* The first param called name among the n params, or NULL. */
static inline const http_param *http_param_find(const http_param *params, size_t n,
                                                const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(params[i].name, name) == 0)
            return &params[i];
    return NULL;
}

#endif
