/* sync_worker.c: the background sync thread.
 *
 * It opens its own store connection, runs a pass at once, then waits on a
 * condition variable (CLOCK_MONOTONIC) until the next attempt is due, a
 * pass is asked for, or it is stopped. Stopping sets an atomic flag that the
 * transport checks during a transfer, so a hanging upload ends within
 * 100 ms; the batch stays open and goes again next time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sync_private.h"

struct sync_worker {
    sync_client *c;
    char *db_path;
    pthread_t thread;
    bool started; /* thread running (or, synchronous, store open) */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    bool now_requested;
    int64_t due_mono; /* synchronous mode: when a pass may run */
};

/* Waits until ms have passed, the worker is stopped, or (when wake_on_request)
 * a pass is asked for. Called with w->mu held. Real time: the injected clock
 * only decides what is due. */
static void wait_locked(sync_worker *w, int64_t ms, bool wake_on_request)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(ms / 1000);
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (!atomic_load(&w->c->stop) && !(wake_on_request && w->now_requested)) {
        int rc = pthread_cond_timedwait(&w->cv, &w->mu, &deadline);
        if (rc == ETIMEDOUT)
            break;
    }
}

/* The in-pass wait (retries within a pass): stop cuts it short. */
static int worker_sleep(void *ctx, int64_t ms)
{
    sync_worker *w = ctx;
    pthread_mutex_lock(&w->mu);
    wait_locked(w, ms, false);
    pthread_mutex_unlock(&w->mu);
    return atomic_load(&w->c->stop) ? 1 : 0;
}

static void set_next_attempt(sync_client *c, int64_t in_ms)
{
    pthread_mutex_lock(&c->mu);
    c->status.next_attempt_wall_ms = clock_wall_ms(&c->opt.clock) + in_ms;
    pthread_mutex_unlock(&c->mu);
    sync_client_publish(c);
}

/* Opens the store (retrying slowly until it works or we are stopped). */
static bool worker_open_store(sync_worker *w)
{
    sync_client *c = w->c;
    for (;;) {
        bk_err e = sync_client_open_store(c, w->db_path);
        if (e == BK_OK)
            break;
        log_error("sync", "%s: cannot open the database: %s", w->db_path, bk_err_str(e));
        pthread_mutex_lock(&c->mu);
        c->status.error = SYNC_ERROR_STORE;
        sync_set_text(c->status.detail, sizeof c->status.detail, "%s: %s", w->db_path,
                      bk_err_str(e));
        pthread_mutex_unlock(&c->mu);
        set_next_attempt(c, c->opt.backoff_base_ms);
        pthread_mutex_lock(&w->mu);
        wait_locked(w, c->opt.backoff_base_ms, false);
        pthread_mutex_unlock(&w->mu);
        if (atomic_load(&c->stop))
            return false;
    }
    sync_surveys_load_installed(c);
    sync_client_refresh_counts(c);
    sync_client_publish(c);
    return true;
}

static void *worker_main(void *arg)
{
    sync_worker *w = arg;
    sync_client *c = w->c;
    if (!worker_open_store(w))
        return NULL;
    int64_t due = clock_mono_ms(&c->opt.clock); /* the first pass at once */
    for (;;) {
        pthread_mutex_lock(&w->mu);
        for (;;) {
            if (atomic_load(&c->stop) || w->now_requested)
                break;
            int64_t left = due - clock_mono_ms(&c->opt.clock);
            if (left <= 0)
                break;
            wait_locked(w, left, true);
        }
        w->now_requested = false;
        pthread_mutex_unlock(&w->mu);
        if (atomic_load(&c->stop))
            break;
        int64_t now = clock_mono_ms(&c->opt.clock);
        if (c->not_before_mono > now) {
            /* The server asked us to wait (Retry-After): even a request for
               a pass now waits for that. */
            due = c->not_before_mono;
            set_next_attempt(c, due - now);
            continue;
        }
        sync_pass_result r;
        sync_client_pass(c, &r);
        if (r.aborted || atomic_load(&c->stop))
            break;
        due = clock_mono_ms(&c->opt.clock) + r.retry_in_ms;
        set_next_attempt(c, r.retry_in_ms);
    }
    store_close(c->st);
    c->st = NULL;
    pthread_mutex_lock(&c->mu);
    c->status.in_progress = false;
    c->status.next_attempt_wall_ms = 0;
    pthread_mutex_unlock(&c->mu);
    sync_client_publish(c);
    return NULL;
}

bk_err sync_worker_create(const bk_config *cfg, const char *db_path, const sync_options *opt,
                          sync_worker **out, bk_diag *diag)
{
    return sync_worker_create_with(cfg, db_path, opt, NULL, out, diag);
}

bk_err sync_worker_create_with(const bk_config *cfg, const char *db_path, const sync_options *opt,
                               const sync_transport *tr, sync_worker **out, bk_diag *diag)
{
    *out = NULL;
    sync_worker *w = calloc(1, sizeof *w);
    if (!w)
        return BK_ERR_NOMEM;
    w->db_path = strdup(db_path);
    if (!w->db_path) {
        free(w);
        return BK_ERR_NOMEM;
    }
    pthread_condattr_t ca;
    bool cv_ok = pthread_condattr_init(&ca) == 0;
    cv_ok = cv_ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&w->cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!cv_ok || pthread_mutex_init(&w->mu, NULL) != 0) {
        if (cv_ok)
            pthread_cond_destroy(&w->cv);
        free(w->db_path);
        free(w);
        return BK_ERR_NOMEM;
    }
    bk_err e = sync_client_create(cfg, opt, tr, &w->c, diag);
    if (e != BK_OK) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w->db_path);
        free(w);
        return e;
    }
    w->c->wait_fn = worker_sleep;
    w->c->wait_ctx = w;
    *out = w;
    return BK_OK;
}

bk_err sync_worker_start(sync_worker *w)
{
    if (w->started || atomic_load(&w->c->stop))
        return BK_ERR_STATE;
    if (w->c->opt.synchronous) {
        bk_err e = sync_client_open_store(w->c, w->db_path);
        if (e != BK_OK)
            return e;
        sync_surveys_load_installed(w->c);
        sync_client_refresh_counts(w->c);
        w->due_mono = clock_mono_ms(&w->c->opt.clock);
        w->started = true;
        return BK_OK;
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
        return BK_ERR_NOMEM;
    w->started = true;
    return BK_OK;
}

void sync_worker_request_now(sync_worker *w)
{
    if (!w)
        return;
    if (w->c->opt.synchronous) {
        sync_client *c = w->c;
        if (!w->started || atomic_load(&c->stop))
            return;
        int64_t now = clock_mono_ms(&c->opt.clock);
        if (c->not_before_mono > now) {
            set_next_attempt(c, c->not_before_mono - now);
            return;
        }
        sync_pass_result r;
        sync_client_pass(c, &r);
        set_next_attempt(c, r.retry_in_ms);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->now_requested = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void sync_worker_status(sync_worker *w, sync_status *out)
{
    pthread_mutex_lock(&w->c->mu);
    *out = w->c->status;
    pthread_mutex_unlock(&w->c->mu);
}

void sync_worker_set_shown_survey(sync_worker *w, const char *id, int version)
{
    char *copy = id ? strdup(id) : NULL;
    pthread_mutex_lock(&w->c->mu);
    free(w->c->shown_id);
    w->c->shown_id = copy;
    w->c->shown_version = version;
    pthread_mutex_unlock(&w->c->mu);
}

void sync_worker_stop(sync_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->c->stop, true);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    sync_http_wakeup(w->c->http); /* a transfer in progress ends now */
    if (!w->started)
        return;
    if (w->c->opt.synchronous) {
        store_close(w->c->st);
        w->c->st = NULL;
    } else {
        pthread_join(w->thread, NULL);
    }
    w->started = false;
}

void sync_worker_destroy(sync_worker *w)
{
    if (!w)
        return;
    sync_worker_stop(w);
    sync_client_destroy(w->c);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->db_path);
    free(w);
}
