/* sync.h: the sync module's whole public interface (PROTOCOL.md, client side).
 *
 * One background worker thread uploads finished responses in batches,
 * downloads survey definitions and sends a heartbeat. It owns its own store
 * connection and its own curl handle. The UI thread only signals it
 * (sync_worker_request_now) and reads a status snapshot (sync_worker_status);
 * it never waits on the network. Status changes are announced through
 * on_status, called from the worker thread (the UI turns it into an event).
 *
 * Nothing here includes curl or SDL. */
#ifndef BK_SYNC_H
#define BK_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "diag.h"
#include "error.h"
#include "store.h"
#include "survey.h"

/* ---- Process-wide setup ---- */

/* Initialises libcurl (curl_global_init) and ignores SIGPIPE. Call once from
 * main before any thread starts. Returns BK_OK or BK_ERR_NETWORK. */
bk_err sync_global_init(void);

/* Releases what sync_global_init set up. Call once at exit, after every
 * worker has been destroyed. */
void sync_global_cleanup(void);

/* ---- Error categories (shown to staff) ---- */

typedef enum sync_error {
    SYNC_ERROR_NONE,
    SYNC_ERROR_NETWORK,  /* "Geen verbinding met de server" */
    SYNC_ERROR_TLS,      /* "Certificaat klopt niet" */
    SYNC_ERROR_AUTH,     /* "Toegang geweigerd (token)" */
    SYNC_ERROR_REJECTED, /* "Server weigert de gegevens" */
    SYNC_ERROR_SERVER,   /* "Server heeft een storing" */
    SYNC_ERROR_SURVEY,   /* "Ongeldige enquête ontvangen" */
    SYNC_ERROR_CONFIG,   /* "Instellingen voor verzenden kloppen niet" */
    SYNC_ERROR_STORE,    /* "Opslag van de kiosk geeft een fout" */
    SYNC_ERROR_COUNT
} sync_error;

/* The plain-language title of e for staff, in Dutch when lang is "nl" (or
 * NULL), else in English. Never NULL; static storage. */
const char *sync_error_title(sync_error e, const char *lang);

/* ---- Status snapshot ---- */

#define SYNC_DETAIL_MAX 256

typedef struct sync_status {
    int64_t queued;               /* finished responses waiting to be sent */
    int64_t rejected;             /* responses set aside after 400/422 */
    int64_t last_ok_wall_ms;      /* last pass that left nothing to send; 0 = never */
    sync_error error;             /* the last pass's problem; NONE when it went well */
    char detail[SYNC_DETAIL_MAX]; /* technical text for the error (English), e.g.
                                     "HTTP 503" or curl's message; "" when none */
    bool in_progress;             /* a pass is running */
    int64_t progress_sent;        /* responses acknowledged in this pass... */
    int64_t progress_total;       /* ...out of those queued when it started */
    int64_t next_attempt_wall_ms; /* when the worker will try next; 0 = not planned */
    unsigned surveys_generation;  /* changes whenever new surveys were installed */
    bool heartbeat_ok;            /* the last heartbeat was answered with 204 */
} sync_status;

/* ---- Options (defaults from sync_options_default) ---- */

typedef struct sync_options {
    bk_clock clock;             /* mono_ms NULL = clock_system(); copied */
    int64_t backoff_base_ms;    /* 5000: the first backoff window */
    int64_t backoff_cap_ms;     /* 900000 (15 minutes): the largest window */
    int64_t slow_retry_ms;      /* 0 = backoff_cap_ms: wait after 401/403, TLS or
                                   configuration errors */
    int64_t retry_after_max_ms; /* 21600000 (6 h): longest Retry-After honoured */
    int64_t interval_ms;        /* 0 = [sync] interval_s: wait after a good pass */
    long connect_timeout_ms;    /* 15000 */
    long timeout_ms;            /* 120000: cap on one whole request */
    long low_speed_time_s;      /* 30: abort below 1 byte/s for this long */
    size_t batch_max_bytes;     /* 1 MiB: a batch body grows at most this far */
    int max_retries_in_pass;    /* 0: a retryable error ends the pass (the worker
                                   then waits; the CLI exits 1). N > 0: wait and
                                   retry the same batch up to N times in a pass. */
    bool synchronous;           /* worker: no thread; sync_worker_request_now runs
                                   one pass in the calling thread (tests) */
    /* Randomness for the jitter: returns 64 random bits. NULL = the OS's. */
    uint64_t (*random)(void *ctx);
    void *random_ctx;
    /* Waits ms milliseconds inside a pass (retries); returns non-zero when the
       wait was cut short by a stop. NULL = a real wait that stop interrupts.
       Tests pass one that advances a virtual clock. */
    int (*sleep_ms)(void *ctx, int64_t ms);
    void *sleep_ctx;
    /* Called (from the worker's thread) after every status change. Must not
       block; may call sync_worker_status. */
    void (*on_status)(void *ctx);
    void *status_ctx;
    /* Progress for the CLI: called after each batch is acknowledged. */
    void (*on_progress)(void *ctx, int64_t sent, int64_t total);
    void *progress_ctx;
    int64_t process_start_mono_ms; /* for uptime_s in the heartbeat; 0 = now */
} sync_options;

/* The defaults listed above. */
sync_options sync_options_default(void);

/* ---- One pass in the calling thread (the `buurtkiosk sync` command) ---- */

/* Outcome of sync_run_once. */
typedef struct sync_pass_outcome {
    sync_status status;  /* the status after the pass */
    bool left;           /* something is still waiting to be sent */
    int64_t retry_in_ms; /* when the worker would try again */
} sync_pass_outcome;

/* Runs one sync pass: uploads until nothing is left or an error stops it,
 * then the survey download, then the heartbeat. Opens its own store
 * connection on db_path. cfg is only read during the call. Configuration
 * problems (no base_url, plain http to a remote host, unreadable token or
 * certificate) go to diag and return BK_ERR_INVALID. Other problems are in
 * out->status.error and return BK_OK. */
bk_err sync_run_once(const bk_config *cfg, const char *db_path, const sync_options *opt,
                     sync_pass_outcome *out, bk_diag *diag);

/* ---- The background worker ---- */

typedef struct sync_worker sync_worker;

/* Creates a worker for cfg (copied: cfg may be freed afterwards) that will
 * open db_path itself. Checks the configuration (base_url, token file,
 * certificate files) and reports problems in diag (BK_ERR_INVALID).
 * Returns BK_OK and *out (free with sync_worker_destroy). */
bk_err sync_worker_create(const bk_config *cfg, const char *db_path, const sync_options *opt,
                          sync_worker **out, bk_diag *diag);

/* Starts the thread; the first pass runs at once. BK_ERR_STATE when already
 * started; BK_ERR_NOMEM when the thread cannot be made. */
bk_err sync_worker_start(sync_worker *w);

/* Asks for a pass now (staff button, a response just finished). Returns
 * immediately. A pending Retry-After is still honoured. */
void sync_worker_request_now(sync_worker *w);

/* Copies the current status into *out. Never blocks on the network. */
void sync_worker_status(sync_worker *w, sync_status *out);

/* Tells the worker which survey the kiosk shows (for the heartbeat).
 * id is copied; NULL clears it (then the installed bundle's active one, or
 * the configuration's, is reported). */
void sync_worker_set_shown_survey(sync_worker *w, const char *id, int version);

/* Stops the worker: a transfer in progress is aborted, nothing is lost (the
 * batch stays open and is sent again later). Returns when the thread has
 * ended. Safe to call more than once, or when never started. */
void sync_worker_stop(sync_worker *w);

/* Stops (if needed) and frees w. NULL is a no-op. */
void sync_worker_destroy(sync_worker *w);

/* ---- Downloaded surveys (for the UI) ---- */

/* Loads the survey definitions installed by the last good download from
 * st (store meta "surveys.bundle"), validating each again. Returns BK_OK
 * with *out (an array of *n surveys; free with sync_surveys_free) and
 * *active (the id to show; caller frees); BK_ERR_NOT_FOUND when nothing was
 * ever downloaded; BK_ERR_INVALID (problems in diag, may be NULL) when the
 * stored bundle does not validate. Nothing is returned on error. */
bk_err sync_surveys_from_store(store *st, survey ***out, size_t *n, char **active, bk_diag *diag);

/* Frees an array from sync_surveys_from_store. NULL is a no-op. */
void sync_surveys_free(survey **v, size_t n);

/* ---- Pieces exposed for tests and the CLI ---- */

/* Full-jitter backoff: a random wait in [0, min(cap_ms, base_ms * 2^attempt)]
 * (attempt 0 for the first retry). rnd supplies 64 random bits. */
int64_t sync_backoff_full_jitter(int64_t base_ms, int64_t cap_ms, int attempt, uint64_t rnd);

/* Parses a Retry-After header value: delta-seconds or an HTTP-date (IMF
 * fixdate, RFC 850 or asctime form). now_wall_ms is the kiosk's wall clock.
 * Returns BK_OK and the wait in *out_ms (0 for a date in the past), or
 * BK_ERR_INVALID for anything else. */
bk_err sync_retry_after_parse(const char *value, int64_t now_wall_ms, int64_t *out_ms);

#endif
