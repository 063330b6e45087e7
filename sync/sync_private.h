/* sync_private.h: the sync module's internals, shared between its files and
 * its tests. Not for the UI: use sync.h.
 *
 * HTTP hides behind sync_transport: a request is plain data, the answer is
 * plain data. sync_http.c is the one implementation over libcurl (and the
 * only file that includes curl); tests swap in a fake send function. */
#ifndef BK_SYNC_PRIVATE_H
#define BK_SYNC_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "sync.h"

/* ---- HTTP as plain data ---- */

#define SYNC_HTTP_MAX_HEADERS 8
#define SYNC_BATCH_RESPONSE_MAX (64 * 1024)      /* answer to a batch upload */
#define SYNC_SURVEY_BUNDLE_MAX (8 * 1024 * 1024) /* a downloaded survey bundle */
#define SYNC_ERROR_MESSAGE_MAX 500               /* kept of a server's 400/422 text */

typedef struct sync_http_request {
    const char *method; /* "GET" or "POST" */
    const char *url;    /* the full URL (checked by sync_url_check first) */
    const char *token;  /* sent as "Authorization: Bearer ..."; NULL = none */
    const char *headers[SYNC_HTTP_MAX_HEADERS]; /* further "Name: value" lines */
    size_t n_headers;
    const void *body; /* POST body (not copied) */
    size_t body_len;
    size_t max_response; /* a longer answer body is an error */
} sync_http_request;

typedef struct sync_http_response {
    /* BK_OK: the server answered (status is valid). Else: BK_ERR_NETWORK (no
       connection, timeout, dropped), BK_ERR_TLS (nothing was sent),
       BK_ERR_INVALID (URL refused before connecting), BK_ERR_ABORTED (stop),
       BK_ERR_NOMEM. */
    bk_err err;
    long status;
    char *body; /* owned, NUL-terminated; NULL when empty */
    size_t body_len;
    char etag[256];               /* "" when absent */
    char retry_after[128];        /* "" when absent */
    char detail[SYNC_DETAIL_MAX]; /* what went wrong, for err != BK_OK */
} sync_http_response;

/* Frees what r owns and clears it. */
void sync_http_response_free(sync_http_response *r);

typedef struct sync_transport {
    /* Sends req and fills *resp (zeroed by the caller). Never NULL. */
    void (*send)(void *ctx, const sync_http_request *req, sync_http_response *resp);
    void *ctx;
} sync_transport;

/* ---- The libcurl transport (sync_http.c) ---- */

typedef struct sync_http_config {
    const char *ca_file;     /* NULL = the system's CAs */
    const char *client_cert; /* NULL = no mutual TLS */
    const char *client_key;
    long connect_timeout_ms, timeout_ms, low_speed_time_s;
    const atomic_bool *stop; /* set -> the transfer in progress is aborted */
} sync_http_config;

typedef struct sync_http sync_http;

/* Makes one curl easy handle (and a multi handle to drive it) set up per
 * cfg (copied). Returns BK_OK and *out, BK_ERR_NOMEM, or BK_ERR_NETWORK when
 * curl refuses an option (message in diag, may be NULL). */
bk_err sync_http_create(const sync_http_config *cfg, sync_http **out, bk_diag *diag);

/* Frees h. NULL is a no-op. */
void sync_http_destroy(sync_http *h);

/* Wakes a sync_http_send waiting for the network so it sees the stop flag
 * at once. The one call that is safe from another thread. */
void sync_http_wakeup(sync_http *h);

/* The sync_transport send function of a sync_http (ctx = the sync_http). */
void sync_http_send(void *ctx, const sync_http_request *req, sync_http_response *resp);

/* Checks url before any connection: https://, or http:// only to a loopback
 * host (127.0.0.0/8, ::1, localhost). Returns BK_OK, or BK_ERR_INVALID with
 * the reason in why. *loopback (may be NULL) tells whether the host is one. */
bk_err sync_url_check(const char *url, bool *loopback, char *why, size_t why_size);

/* ---- Small helpers ---- */

/* Gzips in (gzip framing, for Content-Encoding: gzip). Returns BK_OK and a
 * new buffer in *out (caller frees), or BK_ERR_NOMEM. */
bk_err sync_gzip(const void *in, size_t len, unsigned char **out, size_t *out_len);

/* 64 random bits from the OS (getrandom). */
uint64_t sync_random_os(void *ctx);

/* Appends src to dst (size dst_size), percent-encoding everything but the
 * unreserved characters. Returns false when it does not fit. */
bool sync_url_append_escaped(char *dst, size_t dst_size, const char *src);

/* Copies a printf-formatted text into dst (always terminated). */
void sync_set_text(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Makes s, in place, one line of valid UTF-8 for staff and JSON: control
 * characters become ' ', bytes that are not valid UTF-8 (including a
 * sequence cut off at the end) become '?'. A server's text can be anything;
 * jansson refuses invalid UTF-8, which lost the heartbeat's last_error. */
void sync_text_clean(char *s);

/* ---- The client: everything a pass needs ---- */

/* What the client keeps of the configuration (strings owned). */
typedef struct sync_settings {
    char *kiosk_id;
    char *base_url; /* without a trailing '/' */
    char *config_path;
    char *token_file;                         /* resolved */
    char *ca_file, *client_cert, *client_key; /* resolved or NULL */
    char *config_survey;                      /* [survey] active, or NULL */
    int64_t interval_ms;
    size_t batch_max;
    int retention_days; /* [storage] retention_days: delivered responses kept */
    bool loopback;
} sync_settings;

typedef struct sync_client {
    sync_settings set;
    sync_options opt;
    sync_transport tr;
    sync_http *http; /* owned when tr is curl's */
    store *st;       /* owned; opened by the thread that runs passes */
    char *db_path;   /* owned; for disk_free_mb */
    atomic_bool stop;
    /* The default in-pass wait when opt.sleep_ms is NULL (the worker sets its
       own, interruptible by stop). */
    int (*wait_fn)(void *ctx, int64_t ms);
    void *wait_ctx;

    pthread_mutex_t mu; /* guards status, shown_* */
    sync_status status;
    char *shown_id;
    int shown_version;

    /* Only touched by the thread running passes. */
    int attempt;             /* consecutive retryable failures (backoff) */
    int64_t not_before_mono; /* Retry-After: no request before this */
    char *bundle_survey_id;  /* the installed bundle's active survey */
    int bundle_survey_version;
    char *token;             /* during a pass only */
    int64_t next_purge_mono; /* when old delivered responses are purged next */
} sync_client;

/* What one pass (or one phase of it) ended with. */
typedef struct sync_pass_result {
    sync_error error;
    char detail[SYNC_DETAIL_MAX];
    bool retryable;                      /* a later attempt may go better (network, 5xx, 429) */
    bool aborted;                        /* stopped on request */
    bool left;                           /* responses still waiting */
    bool rejected_some;                  /* a batch was set aside in this pass */
    char reject_detail[SYNC_DETAIL_MAX]; /* the server's reason for the last one */
    int64_t retry_in_ms;                 /* the wait before the next attempt */
} sync_pass_result;

/* Copies what it needs from cfg and checks it; tr NULL = the curl transport.
 * Problems go to diag (BK_ERR_INVALID). */
bk_err sync_client_create(const bk_config *cfg, const sync_options *opt, const sync_transport *tr,
                          sync_client **out, bk_diag *diag);

/* sync_worker_create with a transport of the caller's (tests); tr NULL =
 * curl. */
bk_err sync_worker_create_with(const bk_config *cfg, const char *db_path, const sync_options *opt,
                               const sync_transport *tr, sync_worker **out, bk_diag *diag);

/* Opens the client's own store connection (call from the thread that will
 * run passes). */
bk_err sync_client_open_store(sync_client *c, const char *db_path);

/* Reads the bearer token (config_read_token: refused when group or others
 * may read the file). Returns a new string in *token (caller wipes and
 * frees) or an error with the reason in diag. */
bk_err sync_client_read_token(sync_client *c, char **token, bk_diag *diag);

/* Frees c and closes its store. NULL is a no-op. */
void sync_client_destroy(sync_client *c);

/* Runs one pass: uploads, surveys, heartbeat. Updates the status. */
void sync_client_pass(sync_client *c, sync_pass_result *r);

/* Refreshes queued/rejected from the store and publishes. */
void sync_client_refresh_counts(sync_client *c);

/* Calls opt.on_status (outside the lock). */
void sync_client_publish(sync_client *c);

/* Waits ms inside a pass; returns non-zero when stopped. */
int sync_client_sleep(sync_client *c, int64_t ms);

/* Phases (each in its own file). token is the bearer token. */
void sync_upload_run(sync_client *c, sync_pass_result *r);
void sync_surveys_download(sync_client *c, sync_pass_result *r);
void sync_heartbeat_send(sync_client *c, const sync_pass_result *pass, sync_pass_result *r);

/* Reads the installed bundle's active survey id and version into c. */
void sync_surveys_load_installed(sync_client *c);

/* Builds base_url + path into a new string (caller frees); NULL on OOM. */
char *sync_client_url(const sync_client *c, const char *path);

/* Classifies a transport failure (resp->err != BK_OK) into r. */
void sync_result_from_transport(const sync_http_response *resp, sync_pass_result *r);

/* Sets r to a retryable failure with backoff (attempt counted). */
void sync_result_backoff(sync_client *c, sync_pass_result *r);

#endif
