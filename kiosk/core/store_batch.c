/* store_batch.c: upload batches and retention.
 *
 * A batch is a row in batches plus the responses whose batch_id points at
 * it. Its body is not stored: it is rebuilt from those responses, which are
 * fixed once finished, with the batch's own id, kiosk_id and created_at, so
 * the same batch always gives the same bytes. Bodies are built one response
 * at a time; the backlog is never read into memory as a whole. */
#include "store_internal.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "uuid.h"

#define STORE_BODY_MAX ((size_t)64 * 1024 * 1024) /* hard cap of one body */
#define STORE_RETENTION_MAX_DAYS 36500

typedef struct body_buf {
    char *data;
    size_t len, cap;
} body_buf;

static bool body_add(body_buf *b, const char *s, size_t n)
{
    if (n > STORE_BODY_MAX - b->len)
        return false;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return false;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

/* Writes '{"protocol":1,"batch_id":...,"responses":[' into b. */
static bk_err body_start(body_buf *b, const char *batch_id, const char *kiosk_id,
                         int64_t created_ms)
{
    json_t *kid = json_string(kiosk_id);
    if (!kid)
        return BK_ERR_INVALID; /* not UTF-8 */
    char *kid_json = json_dumps(kid, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(kid);
    if (!kid_json)
        return BK_ERR_NOMEM;
    char created[40];
    clock_format_rfc3339(created_ms, created, sizeof created);
    char head[160];
    snprintf(head, sizeof head, "{\"protocol\":1,\"batch_id\":\"%s\",\"kiosk_id\":", batch_id);
    bool ok = body_add(b, head, strlen(head)) && body_add(b, kid_json, strlen(kid_json));
    free(kid_json);
    snprintf(head, sizeof head, ",\"created_at\":\"%s\",\"responses\":[", created);
    ok = ok && body_add(b, head, strlen(head));
    return ok ? BK_OK : BK_ERR_NOMEM;
}

typedef struct body_span {
    size_t n;
    int64_t first_seq, last_seq;
} body_span;

/* Appends the responses s yields, one at a time, and closes the body.
 * bounded: stop before a response that would take the body past max_bytes
 * (never before the first). Resets s. */
static bk_err body_fill(store *st, sqlite3_stmt *s, body_buf *b, bool bounded, size_t max_bytes,
                        body_span *span)
{
    static const char tail[] = "]}";
    bk_err err = BK_OK;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_response_row row;
        err = store_row_load(st, s, &row);
        if (err)
            break;
        char *json = store_row_json(&row, &err);
        int64_t seq = row.seq;
        store_row_clear(&row);
        if (!json)
            break;
        size_t jl = strlen(json);
        if (bounded && span->n > 0 && b->len + 1 + jl + strlen(tail) > max_bytes) {
            free(json);
            break;
        }
        bool ok = (span->n == 0 || body_add(b, ",", 1)) && body_add(b, json, jl);
        free(json);
        if (!ok) {
            err = BK_ERR_NOMEM;
            break;
        }
        if (span->n == 0)
            span->first_seq = seq;
        span->last_seq = seq;
        span->n++;
    }
    if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = store_fail(st, rc, "read batch responses");
    store_stmt_done(s);
    if (!err && !body_add(b, tail, strlen(tail)))
        err = BK_ERR_NOMEM;
    return err;
}

/* Rebuilds the body of the open batch in the current row of SQ_BATCH_OPEN. */
static bk_err open_batch_body(store *st, store_batch *out)
{
    sqlite3_stmt *s = st->sq[SQ_BATCH_OPEN];
    const unsigned char *id = sqlite3_column_text(s, 0);
    snprintf(out->batch_id, sizeof out->batch_id, "%s", id ? (const char *)id : "");
    const unsigned char *k = sqlite3_column_text(s, 1);
    char *kiosk_id = strdup(k ? (const char *)k : "");
    int64_t created_ms = sqlite3_column_int64(s, 2);
    int64_t n = sqlite3_column_int64(s, 3);
    store_stmt_done(s);
    if (!kiosk_id)
        return BK_ERR_NOMEM;
    clock_format_rfc3339(created_ms, out->created_at, sizeof out->created_at);

    body_buf b = {0};
    body_span span = {0};
    bk_err err = body_start(&b, out->batch_id, kiosk_id, created_ms);
    free(kiosk_id);
    if (!err) {
        sqlite3_stmt *r = st->sq[SQ_BATCH_RESPONSES];
        int rc = sqlite3_bind_text(r, 1, out->batch_id, -1, SQLITE_STATIC);
        if (rc != SQLITE_OK)
            err = store_fail(st, rc, "read batch");
        else
            err = body_fill(st, r, &b, false, 0, &span);
    }
    if (!err && (int64_t)span.n != n) {
        log_error("store", "batch %s lists %lld responses but holds %zu", out->batch_id,
                  (long long)n, span.n);
        err = BK_ERR_CORRUPT;
    }
    if (err) {
        free(b.data);
        return err;
    }
    out->body = b.data;
    out->body_len = b.len;
    out->n_responses = span.n;
    out->first_seq = span.first_seq;
    out->last_seq = span.last_seq;
    return BK_OK;
}

/* Forms a new batch from the oldest finished, undelivered, unbatched
 * responses. Inside the caller's transaction. */
static bk_err new_batch(store *st, const char *kiosk_id, size_t max_responses, size_t max_bytes,
                        store_batch *out)
{
    if (max_bytes > STORE_BODY_MAX)
        max_bytes = STORE_BODY_MAX;
    int64_t created_ms = store_now_ms(st);
    bk_uuid_v4(out->batch_id);
    clock_format_rfc3339(created_ms, out->created_at, sizeof out->created_at);
    body_buf b = {0};
    body_span span = {0};
    bk_err err = body_start(&b, out->batch_id, kiosk_id, created_ms);
    if (!err) {
        sqlite3_stmt *q = st->sq[SQ_QUEUE];
        int64_t limit = max_responses > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max_responses;
        int rc = sqlite3_bind_int64(q, 1, limit);
        if (rc != SQLITE_OK)
            err = store_fail(st, rc, "read queue");
        else
            err = body_fill(st, q, &b, true, max_bytes, &span);
    }
    if (!err && span.n == 0)
        err = BK_ERR_NOT_FOUND;

    int rc = SQLITE_OK;
    if (!err) {
        sqlite3_stmt *s = st->sq[SQ_BATCH_INSERT];
        rc = sqlite3_bind_text(s, 1, out->batch_id, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(s, 3, created_ms);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(s, 4, (int64_t)span.n);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(s, 5, span.first_seq);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(s, 6, span.last_seq);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        store_stmt_done(s);
        if (rc != SQLITE_DONE)
            err = store_fail(st, rc, "insert batch");
    }
    if (!err) {
        /* Same conditions as the queue, inside the same transaction: exactly
         * the responses just written into the body. */
        sqlite3_stmt *s = st->sq[SQ_BATCH_ASSIGN];
        rc = sqlite3_bind_text(s, 1, out->batch_id, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(s, 2, span.first_seq);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(s, 3, span.last_seq);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        int changed = sqlite3_changes(st->db);
        store_stmt_done(s);
        if (rc != SQLITE_DONE)
            err = store_fail(st, rc, "assign batch");
        else if ((size_t)changed != span.n)
            err = BK_ERR_CORRUPT;
    }
    if (err) {
        free(b.data);
        return err;
    }
    out->body = b.data;
    out->body_len = b.len;
    out->n_responses = span.n;
    out->first_seq = span.first_seq;
    out->last_seq = span.last_seq;
    return BK_OK;
}

bk_err store_batch_next(store *st, const char *kiosk_id, size_t max_responses, size_t max_bytes,
                        store_batch *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !kiosk_id || !*kiosk_id || !out || max_responses == 0)
        return BK_ERR_INVALID;
    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    sqlite3_stmt *s = st->sq[SQ_BATCH_OPEN];
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        err = open_batch_body(st, out); /* resets s */
    } else {
        store_stmt_done(s);
        if (rc == SQLITE_DONE)
            err = new_batch(st, kiosk_id, max_responses, max_bytes, out);
        else
            err = store_fail(st, rc, "find open batch");
    }
    if (!err)
        err = store_tx_commit(st);
    else
        store_tx_rollback(st);
    if (err) {
        store_batch_free(out);
        memset(out, 0, sizeof *out);
    }
    return err;
}

void store_batch_free(store_batch *b)
{
    if (!b)
        return;
    free(b->body);
    b->body = NULL;
    b->body_len = 0;
}

/* Reads state and size of batch_id. BK_ERR_NOT_FOUND when unknown. */
static bk_err batch_get(store *st, const char *batch_id, char *state, size_t ssize, char *kiosk_id,
                        size_t ksize, int64_t *n)
{
    sqlite3_stmt *s = st->sq[SQ_BATCH_GET];
    int rc = sqlite3_bind_text(s, 1, batch_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(state, ssize, "%s", t ? (const char *)t : "");
        t = sqlite3_column_text(s, 1);
        if (kiosk_id)
            snprintf(kiosk_id, ksize, "%s", t ? (const char *)t : "");
        *n = sqlite3_column_int64(s, 2);
    } else if (rc == SQLITE_DONE) {
        err = BK_ERR_NOT_FOUND;
    } else {
        err = store_fail(st, rc, "read batch");
    }
    store_stmt_done(s);
    return err;
}

/* Runs one of the "... WHERE batch_id = ?1" updates. */
static bk_err batch_update(store *st, enum store_sq which, const char *batch_id, const char *what)
{
    sqlite3_stmt *s = st->sq[which];
    int rc = sqlite3_bind_text(s, 1, batch_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    store_stmt_done(s);
    return rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, what);
}

static bk_err batch_close(store *st, const char *batch_id, const char *state, const char *message)
{
    sqlite3_stmt *s = st->sq[SQ_BATCH_CLOSE];
    int rc = sqlite3_bind_text(s, 1, batch_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 3, store_now_ms(st));
    if (rc == SQLITE_OK)
        rc =
            message ? sqlite3_bind_text(s, 4, message, -1, SQLITE_STATIC) : sqlite3_bind_null(s, 4);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    store_stmt_done(s);
    return rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, "close batch");
}

bk_err store_batch_delivered(store *st, const char *batch_id)
{
    if (!st || !batch_id || !*batch_id)
        return BK_ERR_INVALID;
    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    char state[16];
    int64_t n = 0;
    err = batch_get(st, batch_id, state, sizeof state, NULL, 0, &n);
    bool again = !err && strcmp(state, "delivered") == 0; /* a repeated acknowledgement */
    if (!err && !again && strcmp(state, "open") != 0)
        err = BK_ERR_STATE;
    if (!err && !again)
        err = batch_update(st, SQ_BATCH_DELIVER_RESPONSES, batch_id, "mark delivered");
    if (!err && !again)
        err = batch_close(st, batch_id, "delivered", NULL);
    if (err) {
        store_tx_rollback(st);
        return err;
    }
    return store_tx_commit(st);
}

bk_err store_batch_reject(store *st, const char *batch_id, const char *message)
{
    if (!st || !batch_id || !*batch_id)
        return BK_ERR_INVALID;
    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    char state[16];
    int64_t n = 0;
    err = batch_get(st, batch_id, state, sizeof state, NULL, 0, &n);
    bool again = !err && strcmp(state, "rejected") == 0;
    if (!err && !again && strcmp(state, "open") != 0)
        err = BK_ERR_STATE;
    /* The server's message is kept as it came (cut to a sane size). */
    char msg[2001];
    snprintf(msg, sizeof msg, "%s", message ? message : "");
    if (!err && !again)
        err = batch_update(st, SQ_BATCH_REJECT_RESPONSES, batch_id, "mark rejected");
    if (!err && !again)
        err = batch_close(st, batch_id, "rejected", msg);
    if (!err && !again) {
        char ev[2200];
        snprintf(ev, sizeof ev, "batch %s (%lld responses) rejected by the server: %s", batch_id,
                 (long long)n, msg);
        err = store_event_insert(st, "rejected", ev);
    }
    if (err) {
        store_tx_rollback(st);
        return err;
    }
    return store_tx_commit(st);
}

/* The seq of the index-th response (0-based, seq order) of batch_id. */
static bk_err batch_nth_seq(store *st, const char *batch_id, int64_t index, int64_t *seq)
{
    sqlite3_stmt *s = st->sq[SQ_BATCH_NTH_SEQ];
    int rc = sqlite3_bind_text(s, 1, batch_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 2, index);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW)
        *seq = sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
        err = BK_ERR_CORRUPT; /* fewer responses than the batch lists */
    else
        err = store_fail(st, rc, "read batch");
    store_stmt_done(s);
    return err;
}

/* Creates batch id (kiosk_id, now) and moves the responses of old with seq
 * in [first, last] into it; they must number n. */
static bk_err batch_part(store *st, const char *old, const char *id, const char *kiosk_id,
                         int64_t n, int64_t first, int64_t last)
{
    sqlite3_stmt *s = st->sq[SQ_BATCH_INSERT];
    int rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 3, store_now_ms(st));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 4, n);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 5, first);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 6, last);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "insert batch");
    s = st->sq[SQ_BATCH_MOVE];
    rc = sqlite3_bind_text(s, 1, old, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 3, first);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 4, last);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int changed = sqlite3_changes(st->db);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "split batch");
    return changed == n ? BK_OK : BK_ERR_CORRUPT;
}

bk_err store_batch_split(store *st, const char *batch_id)
{
    if (!st || !batch_id || !*batch_id)
        return BK_ERR_INVALID;
    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    char state[16], kiosk_id[512];
    int64_t n = 0;
    err = batch_get(st, batch_id, state, sizeof state, kiosk_id, sizeof kiosk_id, &n);
    if (!err && (strcmp(state, "open") != 0 || n < 2))
        err = BK_ERR_STATE;
    int64_t k = n - n / 2; /* the first half takes the odd one */
    int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    if (!err)
        err = batch_nth_seq(st, batch_id, 0, &s0);
    if (!err)
        err = batch_nth_seq(st, batch_id, k - 1, &s1);
    if (!err)
        err = batch_nth_seq(st, batch_id, k, &s2);
    if (!err)
        err = batch_nth_seq(st, batch_id, n - 1, &s3);
    char id1[BK_UUID_LEN + 1], id2[BK_UUID_LEN + 1];
    bk_uuid_v4(id1);
    bk_uuid_v4(id2);
    if (!err)
        err = batch_part(st, batch_id, id1, kiosk_id, k, s0, s1);
    if (!err)
        err = batch_part(st, batch_id, id2, kiosk_id, n - k, s2, s3);
    if (!err) {
        char msg[120];
        snprintf(msg, sizeof msg, "split into %s and %s", id1, id2);
        err = batch_close(st, batch_id, "split", msg);
    }
    if (err) {
        store_tx_rollback(st);
        return err;
    }
    return store_tx_commit(st);
}

bk_err store_purge(store *st, int retention_days, int *n)
{
    if (n)
        *n = 0;
    if (!st || retention_days < 0 || retention_days > STORE_RETENTION_MAX_DAYS)
        return BK_ERR_INVALID;
    int64_t cutoff = store_now_ms(st) - (int64_t)retention_days * 24 * 60 * 60 * 1000;
    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    /* Answers go with their response (ON DELETE CASCADE). */
    sqlite3_stmt *s = st->sq[SQ_PURGE_RESPONSES];
    int rc = sqlite3_bind_int64(s, 1, cutoff);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int removed = sqlite3_changes(st->db);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        err = store_fail(st, rc, "purge responses");
    if (!err) {
        s = st->sq[SQ_PURGE_BATCHES];
        rc = sqlite3_bind_int64(s, 1, cutoff);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        store_stmt_done(s);
        if (rc != SQLITE_DONE)
            err = store_fail(st, rc, "purge batches");
    }
    if (!err)
        err = store_tx_commit(st);
    else
        store_tx_rollback(st);
    if (!err && n)
        *n = removed;
    if (!err && removed > 0)
        log_info("store", "purged %d delivered responses older than %d days", removed,
                 retention_days);
    return err;
}
