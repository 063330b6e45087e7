/* sync_pass.c: one sync pass: the uploads (every status-code rule of
 * PROTOCOL.md), then the survey download, then the heartbeat. */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sync_private.h"

void sync_result_from_transport(const sync_http_response *resp, sync_pass_result *r)
{
    sync_set_text(r->detail, sizeof r->detail, "%s", resp->detail);
    r->retryable = false;
    switch (resp->err) {
    case BK_ERR_ABORTED:
        r->aborted = true;
        break;
    case BK_ERR_TLS:
        r->error = SYNC_ERROR_TLS; /* nothing was sent; retried slowly */
        break;
    case BK_ERR_INVALID:
        r->error = SYNC_ERROR_CONFIG;
        break;
    case BK_ERR_SERVER:
        r->error = SYNC_ERROR_SERVER;
        r->retryable = true;
        break;
    default:
        r->error = SYNC_ERROR_NETWORK;
        r->retryable = true;
        break;
    }
}

/* The next backoff wait; counts the attempt. */
static int64_t backoff_next(sync_client *c)
{
    int64_t ms = sync_backoff_full_jitter(c->opt.backoff_base_ms, c->opt.backoff_cap_ms, c->attempt,
                                          c->opt.random(c->opt.random_ctx));
    if (c->attempt < 62)
        c->attempt++;
    return ms;
}

void sync_result_backoff(sync_client *c, sync_pass_result *r)
{
    r->retryable = true;
    r->retry_in_ms = backoff_next(c);
}

/* The server's explanation from an error answer: "error" or "message" of a
 * JSON object, else the body's text; at most SYNC_ERROR_MESSAGE_MAX bytes,
 * control characters replaced. */
static void server_message(const sync_http_response *resp, char *out, size_t size)
{
    out[0] = '\0';
    if (!resp->body || resp->body_len == 0)
        return;
    json_error_t jerr;
    json_t *root = json_loadb(resp->body, resp->body_len, 0, &jerr);
    const char *text = NULL;
    if (json_is_object(root)) {
        const char *keys[] = {"error", "message", "detail"};
        for (size_t i = 0; i < 3 && !text; i++) {
            json_t *v = json_object_get(root, keys[i]);
            if (json_is_string(v))
                text = json_string_value(v);
        }
    }
    sync_set_text(out, size, "%.*s", SYNC_ERROR_MESSAGE_MAX, text ? text : resp->body);
    json_decref(root);
    sync_text_clean(out); /* also a multi-byte character cut at the limit */
}

/* A 200/201 counts only with the protocol's acknowledgement of this batch:
 * a captive portal or proxy answering 200 must not make us forget data. */
static bool ack_matches(const sync_http_response *resp, const char *batch_id)
{
    if (!resp->body)
        return false;
    json_error_t jerr;
    json_t *root = json_loadb(resp->body, resp->body_len, 0, &jerr);
    json_t *id = json_object_get(root, "batch_id");
    bool ok = json_is_string(id) && strcmp(json_string_value(id), batch_id) == 0;
    json_decref(root);
    return ok;
}

typedef enum upload_action { UPLOAD_NEXT, UPLOAD_RETRY, UPLOAD_STOP } upload_action;

/* Sends one batch and applies the protocol's rule for the answer. */
static upload_action upload_one(sync_client *c, const char *url, const store_batch *b,
                                sync_pass_result *r, int64_t *wait_ms, int64_t *acked)
{
    *acked = 0;
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    bk_err e = sync_gzip(b->body, b->body_len, &gz, &gz_len);
    if (e != BK_OK) {
        r->error = SYNC_ERROR_STORE;
        sync_set_text(r->detail, sizeof r->detail, "gzip: %s", bk_err_str(e));
        *wait_ms = backoff_next(c);
        return UPLOAD_RETRY;
    }
    char idem[80];
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", b->batch_id);
    sync_http_request req = {
        .method = "POST",
        .url = url,
        .token = c->token,
        .headers = {"Content-Type: application/json", "Content-Encoding: gzip", idem},
        .n_headers = 3,
        .body = gz,
        .body_len = gz_len,
        .max_response = SYNC_BATCH_RESPONSE_MAX,
    };
    sync_http_response resp;
    memset(&resp, 0, sizeof resp);
    c->tr.send(c->tr.ctx, &req, &resp);
    free(gz);

    upload_action act = UPLOAD_STOP;
    char msg[SYNC_ERROR_MESSAGE_MAX + 1];
    if (resp.err != BK_OK) {
        sync_result_from_transport(&resp, r);
        if (r->retryable) {
            *wait_ms = backoff_next(c);
            act = UPLOAD_RETRY;
        }
        goto done;
    }
    long st = resp.status;
    server_message(&resp, msg, sizeof msg);
    if (st == 200 || st == 201) {
        if (!ack_matches(&resp, b->batch_id)) {
            r->error = SYNC_ERROR_SERVER;
            sync_set_text(r->detail, sizeof r->detail,
                          "HTTP %ld without an acknowledgement of batch %s (a proxy or "
                          "login page in between?)",
                          st, b->batch_id);
            *wait_ms = backoff_next(c);
            act = UPLOAD_RETRY;
            goto done;
        }
        e = store_batch_delivered(c->st, b->batch_id);
        if (e != BK_OK) {
            /* The server has it; sending it again is harmless. */
            r->error = SYNC_ERROR_STORE;
            sync_set_text(r->detail, sizeof r->detail, "marking batch delivered: %s",
                          bk_err_str(e));
            *wait_ms = backoff_next(c);
            act = UPLOAD_RETRY;
            goto done;
        }
        *acked = (int64_t)b->n_responses;
        c->attempt = 0;
        act = UPLOAD_NEXT;
    } else if (st == 400 || st == 422) {
        char why[SYNC_ERROR_MESSAGE_MAX + 32];
        snprintf(why, sizeof why, "HTTP %ld: %s", st, msg[0] ? msg : "(no message)");
        e = store_batch_reject(c->st, b->batch_id, why);
        if (e != BK_OK) {
            r->error = SYNC_ERROR_STORE;
            sync_set_text(r->detail, sizeof r->detail, "setting batch aside: %s", bk_err_str(e));
            *wait_ms = backoff_next(c);
            act = UPLOAD_RETRY;
            goto done;
        }
        log_warn("sync", "batch %s (%zu responses) set aside: %s", b->batch_id, b->n_responses,
                 why);
        r->rejected_some = true;
        sync_set_text(r->reject_detail, sizeof r->reject_detail, "%s", why);
        c->attempt = 0;
        act = UPLOAD_NEXT;
    } else if (st == 401 || st == 403) {
        r->error = SYNC_ERROR_AUTH;
        sync_set_text(r->detail, sizeof r->detail, "HTTP %ld%s%s", st, msg[0] ? ": " : "", msg);
        act = UPLOAD_STOP;
    } else if (st == 413) {
        e = store_batch_split(c->st, b->batch_id);
        if (e == BK_ERR_STATE) {
            /* One response alone is too large for this server: keep it, set
               it aside, go on with the rest. */
            e = store_batch_reject(c->st, b->batch_id,
                                   "HTTP 413: one response alone is too large for the server");
            r->rejected_some = true;
            sync_set_text(r->reject_detail, sizeof r->reject_detail,
                          "HTTP 413: one response alone is too large for the server");
        }
        if (e != BK_OK) {
            r->error = SYNC_ERROR_STORE;
            sync_set_text(r->detail, sizeof r->detail, "splitting batch: %s", bk_err_str(e));
            *wait_ms = backoff_next(c);
            act = UPLOAD_RETRY;
            goto done;
        }
        log_info("sync", "batch %s (%zu responses) too large for the server: split", b->batch_id,
                 b->n_responses);
        c->attempt = 0;
        act = UPLOAD_NEXT;
    } else if (st == 429 || st == 503) {
        int64_t ra = 0;
        int64_t now_wall = clock_wall_ms(&c->opt.clock);
        r->error = SYNC_ERROR_SERVER;
        if (resp.retry_after[0] &&
            sync_retry_after_parse(resp.retry_after, now_wall, &ra) == BK_OK) {
            if (ra > c->opt.retry_after_max_ms)
                ra = c->opt.retry_after_max_ms;
            *wait_ms = ra;
            c->not_before_mono = clock_mono_ms(&c->opt.clock) + ra;
            sync_set_text(r->detail, sizeof r->detail, "HTTP %ld, Retry-After: %s", st,
                          resp.retry_after);
        } else {
            *wait_ms = backoff_next(c);
            sync_set_text(r->detail, sizeof r->detail, "HTTP %ld", st);
        }
        act = UPLOAD_RETRY;
    } else {
        r->error = SYNC_ERROR_SERVER;
        sync_set_text(r->detail, sizeof r->detail, "HTTP %ld%s%.200s", st, msg[0] ? ": " : "", msg);
        *wait_ms = backoff_next(c);
        act = UPLOAD_RETRY;
    }
done:
    sync_http_response_free(&resp);
    return act;
}

/* After each acknowledged batch. queued goes down by what was acked rather
 * than being counted again: counting scans every stored response, and once
 * per batch made a large backlog quadratic (bench/run.sh: 200,000 queued).
 * The pass counts again when it ends. */
static void progress_publish(sync_client *c, int64_t sent, int64_t acked)
{
    pthread_mutex_lock(&c->mu);
    c->status.queued = c->status.queued > acked ? c->status.queued - acked : 0;
    c->status.progress_sent = sent;
    if (c->status.progress_total < sent)
        c->status.progress_total = sent;
    int64_t total = c->status.progress_total;
    pthread_mutex_unlock(&c->mu);
    if (c->opt.on_progress)
        c->opt.on_progress(c->opt.progress_ctx, sent, total);
    sync_client_publish(c);
}

void sync_upload_run(sync_client *c, sync_pass_result *r)
{
    char *url = sync_client_url(c, "/v1/batches");
    if (!url) {
        r->error = SYNC_ERROR_STORE;
        sync_set_text(r->detail, sizeof r->detail, "out of memory");
        sync_result_backoff(c, r);
        return;
    }
    int failures = 0; /* in a row, in this pass */
    int64_t sent = 0;
    for (;;) {
        if (atomic_load(&c->stop)) {
            r->aborted = true;
            break;
        }
        store_batch b;
        memset(&b, 0, sizeof b);
        bk_err e =
            store_batch_next(c->st, c->set.kiosk_id, c->set.batch_max, c->opt.batch_max_bytes, &b);
        if (e == BK_ERR_NOT_FOUND) {
            /* Everything is sent (or set aside). */
            r->error = r->rejected_some ? SYNC_ERROR_REJECTED : SYNC_ERROR_NONE;
            sync_set_text(r->detail, sizeof r->detail, "%s", r->reject_detail);
            r->retryable = false;
            break;
        }
        if (e != BK_OK) {
            r->error = SYNC_ERROR_STORE;
            sync_set_text(r->detail, sizeof r->detail, "forming a batch: %s", bk_err_str(e));
            sync_result_backoff(c, r);
            break;
        }
        int64_t wait_ms = 0, acked = 0;
        upload_action act = upload_one(c, url, &b, r, &wait_ms, &acked);
        store_batch_free(&b);
        if (act == UPLOAD_NEXT) {
            failures = 0;
            r->error = SYNC_ERROR_NONE;
            if (acked > 0) {
                sent += acked;
                progress_publish(c, sent, acked);
            }
            continue;
        }
        if (act == UPLOAD_STOP) {
            r->retryable = false;
            break;
        }
        /* UPLOAD_RETRY: the same batch again, after wait_ms. */
        log_info("sync", "upload failed (%s: %s); next try in %lld ms",
                 sync_error_title(r->error, "en"), r->detail, (long long)wait_ms);
        if (failures < c->opt.max_retries_in_pass) {
            failures++;
            if (sync_client_sleep(c, wait_ms)) {
                r->aborted = true;
                break;
            }
            continue;
        }
        r->retryable = true;
        r->retry_in_ms = wait_ms;
        break;
    }
    free(url);
}

/* The uploads ended with nothing left to send: remember when (in the
 * status and, for the heartbeat after a restart, in the store). */
static void note_success(sync_client *c)
{
    sync_client_refresh_counts(c);
    int64_t now_wall = clock_wall_ms(&c->opt.clock);
    pthread_mutex_lock(&c->mu);
    bool empty = c->status.queued == 0;
    if (empty)
        c->status.last_ok_wall_ms = now_wall;
    pthread_mutex_unlock(&c->mu);
    if (!empty)
        return;
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)now_wall);
    bk_err e = store_meta_set(c->st, "sync.last_ok_ms", v);
    if (e != BK_OK)
        log_warn("sync", "storing the time of the last good sync: %s", bk_err_str(e));
}

/* Delivered responses older than [storage] retention_days go (PROTOCOL.md,
 * "Retention on the kiosk"); nothing called store_purge before, so a kiosk
 * kept every answer forever. After a good upload, at most once an hour. */
static void purge_delivered(sync_client *c)
{
    int64_t now = clock_mono_ms(&c->opt.clock);
    if (now < c->next_purge_mono)
        return;
    c->next_purge_mono = now + 3600 * 1000;
    bk_err e = store_purge(c->st, c->set.retention_days, NULL);
    if (e != BK_OK)
        log_warn("sync", "removing delivered responses older than %d days: %s",
                 c->set.retention_days, bk_err_str(e));
}

static bool is_unreachable(sync_error e)
{
    return e == SYNC_ERROR_NETWORK || e == SYNC_ERROR_TLS || e == SYNC_ERROR_CONFIG;
}

void sync_client_pass(sync_client *c, sync_pass_result *r)
{
    memset(r, 0, sizeof *r);
    bool upload_done = false;
    sync_client_refresh_counts(c);
    pthread_mutex_lock(&c->mu);
    c->status.in_progress = true;
    c->status.progress_sent = 0;
    c->status.progress_total = c->status.queued;
    c->status.next_attempt_wall_ms = 0;
    pthread_mutex_unlock(&c->mu);
    sync_client_publish(c);

    bk_diag diag = {0};
    char *token = NULL;
    if (sync_client_read_token(c, &token, &diag) != BK_OK) {
        r->error = SYNC_ERROR_CONFIG;
        sync_set_text(r->detail, sizeof r->detail, "%s",
                      diag.count ? diag.messages[0] : "cannot read the token file");
        diag_clear(&diag);
        goto finish;
    }
    diag_clear(&diag);
    c->token = token;

    sync_upload_run(c, r);
    upload_done = !r->aborted && !r->retryable &&
                  (r->error == SYNC_ERROR_NONE || r->error == SYNC_ERROR_REJECTED);
    if (upload_done) {
        note_success(c); /* before the heartbeat, which reports it */
        purge_delivered(c);
    }

    /* After a Retry-After, nothing more until it has passed. */
    bool told_to_wait = c->not_before_mono > clock_mono_ms(&c->opt.clock);
    if (!r->aborted && !told_to_wait && !is_unreachable(r->error) && r->error != SYNC_ERROR_AUTH) {
        sync_pass_result s;
        memset(&s, 0, sizeof s);
        sync_surveys_download(c, &s);
        if (s.aborted) {
            r->aborted = true;
        } else if (s.error != SYNC_ERROR_NONE && r->error == SYNC_ERROR_NONE) {
            r->error = s.error;
            sync_set_text(r->detail, sizeof r->detail, "%s", s.detail);
        }
    }
    if (!r->aborted && !told_to_wait && !is_unreachable(r->error)) {
        sync_pass_result h;
        memset(&h, 0, sizeof h);
        sync_heartbeat_send(c, r, &h);
        pthread_mutex_lock(&c->mu);
        c->status.heartbeat_ok = h.error == SYNC_ERROR_NONE && !h.aborted;
        pthread_mutex_unlock(&c->mu);
        if (h.aborted) {
            r->aborted = true;
        } else if (h.error != SYNC_ERROR_NONE) {
            log_warn("sync", "heartbeat: %s: %s", sync_error_title(h.error, "en"), h.detail);
            if (r->error == SYNC_ERROR_NONE) {
                r->error = h.error;
                sync_set_text(r->detail, sizeof r->detail, "heartbeat: %s", h.detail);
            }
        }
    }

finish:
    if (c->token) {
        memset(c->token, 0, strlen(c->token));
        free(c->token);
        c->token = NULL;
    }
    sync_client_refresh_counts(c);
    pthread_mutex_lock(&c->mu);
    r->left = c->status.queued > 0;
    pthread_mutex_unlock(&c->mu);
    if (!r->retryable) {
        bool slow = r->error == SYNC_ERROR_AUTH || r->error == SYNC_ERROR_TLS ||
                    r->error == SYNC_ERROR_CONFIG || r->error == SYNC_ERROR_STORE;
        r->retry_in_ms = slow ? c->opt.slow_retry_ms : c->set.interval_ms;
    }
    sync_text_clean(r->detail); /* one line of UTF-8 for the journal, staff and JSON */
    if (r->error != SYNC_ERROR_NONE && !r->aborted)
        log_warn("sync", "%s: %s", sync_error_title(r->error, "en"), r->detail);
    pthread_mutex_lock(&c->mu);
    c->status.in_progress = false;
    if (!r->aborted) {
        c->status.error = r->error;
        sync_set_text(c->status.detail, sizeof c->status.detail, "%s", r->detail);
    }
    pthread_mutex_unlock(&c->mu);
    sync_client_publish(c);
}

/* ---- One pass from the command line ---- */

bk_err sync_run_once(const bk_config *cfg, const char *db_path, const sync_options *opt,
                     sync_pass_outcome *out, bk_diag *diag)
{
    memset(out, 0, sizeof *out);
    sync_client *c = NULL;
    bk_err e = sync_client_create(cfg, opt, NULL, &c, diag);
    if (e != BK_OK)
        return e;
    e = sync_client_open_store(c, db_path);
    if (e != BK_OK) {
        diag_add(diag, "%s: cannot open the database: %s", db_path, bk_err_str(e));
        sync_client_destroy(c);
        return e;
    }
    sync_surveys_load_installed(c);
    sync_pass_result r;
    sync_client_pass(c, &r);
    pthread_mutex_lock(&c->mu);
    out->status = c->status;
    pthread_mutex_unlock(&c->mu);
    out->left = r.left;
    out->retry_in_ms = r.retry_in_ms;
    sync_client_destroy(c);
    return BK_OK;
}
