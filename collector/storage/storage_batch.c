/* storage_batch.c: storing a kiosk's batch exactly once, and reading the
 * responses back (foreach, counts, problems). */
#include "storage_sqlite.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Inserts r's row; *inserted tells whether it is new (else its
 * response_id was held already). */
static bk_err insert_response(storage_conn *c, const char *kiosk_id, const char *batch_id,
                              const ingest_response *r, int64_t now, bool *inserted)
{
    *inserted = false;
    char *flags = storage_flags_json(r);
    if (!flags)
        return BK_ERR_NOMEM;
    sqlite3_stmt *s = c->sq[SQ_RESPONSE_INSERT];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, r->response_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, batch_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 4, r->seq));
    BIND(storage_bind_text(s, 5, r->survey_id));
    BIND(sqlite3_bind_int(s, 6, r->survey_version));
    BIND(storage_bind_text(s, 7, r->mode));
    BIND(storage_bind_text(s, 8, r->status));
    BIND(storage_bind_text(s, 9, r->language));
    BIND(storage_bind_text(s, 10, r->area));
    BIND(storage_bind_text(s, 11, r->started_at));
    BIND(sqlite3_bind_int64(s, 12, r->started_ms));
    BIND(storage_bind_text(s, 13, r->completed_at));
    BIND(r->completed_at ? sqlite3_bind_int64(s, 14, r->completed_ms) : sqlite3_bind_null(s, 14));
    BIND(sqlite3_bind_text(s, 15, flags, -1, SQLITE_STATIC));
    BIND(storage_bind_text(s, 16, r->body));
    BIND(sqlite3_bind_text(s, 17, r->body_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 18, now));
    BIND(storage_bind_text(s, 19, r->quarantine));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "storing a response");
    else
        *inserted = sqlite3_changes(c->db) == 1;
    storage_stmt_done(s);
    free(flags);
    return err;
}

static bk_err insert_answers(storage_conn *c, const ingest_response *r)
{
    sqlite3_stmt *s = c->sq[SQ_ANSWER_INSERT];
    for (size_t i = 0; i < r->n_answers; i++) {
        int rc = SQLITE_OK;
        BIND(sqlite3_bind_text(s, 1, r->response_id, -1, SQLITE_STATIC));
        BIND(sqlite3_bind_int64(s, 2, (int64_t)i));
        BIND(storage_bind_text(s, 3, r->answers[i].question_id));
        BIND(storage_bind_text(s, 4, r->answers[i].value_json));
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        storage_stmt_done(s);
        if (rc != SQLITE_DONE)
            return storage_fail(c, rc, "storing an answer");
    }
    return BK_OK;
}

/* r's response_id is held: a duplicate when the held body is the same,
 * else a conflict kept beside it (a duplicate again when this very version
 * was kept as a conflict before). */
static bk_err held_response(storage_conn *c, const char *kiosk_id, const char *batch_id,
                            const ingest_response *r, int64_t now, storage_batch_result *out)
{
    sqlite3_stmt *s = c->sq[SQ_RESPONSE_HASH];
    int rc = sqlite3_bind_text(s, 1, r->response_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bool same = false;
    if (rc == SQLITE_ROW) {
        const char *held = (const char *)sqlite3_column_text(s, 0);
        same = held && strcmp(held, r->body_sha256) == 0;
    }
    bk_err err = rc == SQLITE_ROW ? BK_OK : storage_fail(c, rc, "reading a held response");
    storage_stmt_done(s);
    if (err != BK_OK)
        return err;
    if (same) {
        out->duplicates++;
        return BK_OK;
    }
    s = c->sq[SQ_CONFLICT_INSERT];
    rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, r->response_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, batch_id, -1, SQLITE_STATIC));
    BIND(storage_bind_text(s, 4, r->body));
    BIND(sqlite3_bind_text(s, 5, r->body_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 6, now));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        err = storage_fail(c, rc, "storing a conflicting response");
    } else if (sqlite3_changes(c->db) == 1) {
        out->conflicts++;
        log_warn("storage", "response %s came again with another body (batch %s): kept beside",
                 r->response_id, batch_id);
    } else {
        out->duplicates++;
    }
    storage_stmt_done(s);
    return err;
}

/* Inserts the batch's row; *repeated when its batch_id was held. */
static bk_err insert_batch(storage_conn *c, const char *kiosk_id, const ingest_batch *b,
                           int64_t now, bool *repeated)
{
    sqlite3_stmt *s = c->sq[SQ_BATCH_INSERT];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, b->batch_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 3, now));
    BIND(sqlite3_bind_int64(s, 4, (int64_t)b->n_responses));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "storing a batch");
    else
        *repeated = sqlite3_changes(c->db) == 0;
    storage_stmt_done(s);
    return err;
}

static bk_err record_counts(storage_conn *c, const char *batch_id, const storage_batch_result *res)
{
    sqlite3_stmt *s = c->sq[SQ_BATCH_COUNTS];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, batch_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int(s, 2, res->accepted));
    BIND(sqlite3_bind_int(s, 3, res->duplicates));
    BIND(sqlite3_bind_int(s, 4, res->conflicts));
    BIND(sqlite3_bind_int(s, 5, res->quarantined));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    return rc == SQLITE_DONE ? BK_OK : storage_fail(c, rc, "counting a batch");
}

/* Everything of storage_batch_store inside its transaction. */
static bk_err store_in_tx(storage_conn *c, const char *kiosk_id, const ingest_batch *b, int64_t now,
                          storage_batch_result *res)
{
    bk_err err = insert_batch(c, kiosk_id, b, now, &res->repeated);
    for (size_t i = 0; err == BK_OK && i < b->n_responses; i++) {
        const ingest_response *r = &b->responses[i];
        bool inserted = false;
        err = insert_response(c, kiosk_id, b->batch_id, r, now, &inserted);
        if (err == BK_OK && inserted) {
            err = insert_answers(c, r);
            res->accepted++;
            if (r->quarantine)
                res->quarantined++;
        } else if (err == BK_OK) {
            err = held_response(c, kiosk_id, b->batch_id, r, now, res);
        }
    }
    if (err == BK_OK && !res->repeated)
        err = record_counts(c, b->batch_id, res);
    return err;
}

bk_err storage_sqlite_batch_store(storage *base, const char *kiosk_id, const ingest_batch *b,
                                  storage_batch_result *out)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    storage_batch_result res = {0};
    bk_err err = storage_write_begin(st, &c);
    if (err == BK_OK) {
        err = store_in_tx(c, kiosk_id, b, clock_wall_ms(&st->clock), &res);
        if (err == BK_OK)
            err = storage_tx_commit(c);
        else
            storage_tx_rollback(c);
    }
    if (err == BK_OK)
        *out = res;
    return err;
}

/* ---- reading back ---- */

/* Reads the answers of row (by its response_id) into it, in order. */
static bk_err row_answers(storage_conn *c, response_row *row)
{
    sqlite3_stmt *s = c->sq[SQ_ANSWERS_OF];
    size_t cap = 0;
    bool oom = false;
    int rc = sqlite3_bind_text(s, 1, row->response_id, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && !oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (row->n_answers == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            response_answer *a = realloc(row->answers, ncap * sizeof *a);
            if (!a) {
                oom = true;
                break;
            }
            row->answers = a;
            cap = ncap;
        }
        response_answer *a = &row->answers[row->n_answers++];
        memset(a, 0, sizeof *a);
        a->question_id = storage_col_dup(s, 0, &oom);
        a->value_json = storage_col_dup(s, 1, &oom);
        a->hidden = sqlite3_column_int(s, 2) != 0;
        rc = SQLITE_OK;
    }
    bk_err err = BK_OK;
    if (oom)
        err = BK_ERR_NOMEM;
    else if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "reading answers");
    storage_stmt_done(s);
    return err;
}

/* Reads the current row of SQ_FOREACH (columns in its order) into row. */
static bk_err row_read(storage_conn *c, sqlite3_stmt *s, response_row *row)
{
    bool oom = false;
    memset(row, 0, sizeof *row);
    row->rowid = sqlite3_column_int64(s, 0);
    row->seq = sqlite3_column_int64(s, 1);
    row->response_id = storage_col_dup(s, 2, &oom);
    row->survey_id = storage_col_dup(s, 3, &oom);
    row->survey_version = sqlite3_column_int(s, 4);
    row->mode = storage_col_dup(s, 5, &oom);
    row->status = storage_col_dup(s, 6, &oom);
    row->language = storage_col_dup(s, 7, &oom);
    row->area = storage_col_dup(s, 8, &oom);
    row->started_at = storage_col_dup(s, 9, &oom);
    row->completed_at = storage_col_dup(s, 10, &oom);
    row->batch_id = storage_col_dup(s, 12, &oom);
    row->kiosk_id = storage_col_dup(s, 13, &oom);
    if (oom || !row->response_id)
        return BK_ERR_NOMEM;
    bk_err err = storage_flags_parse(row, (const char *)sqlite3_column_text(s, 11));
    if (err == BK_OK)
        err = row_answers(c, row);
    return err;
}

bk_err storage_sqlite_foreach_response(storage *base, const storage_filter *filter,
                                       int (*fn)(const response_row *row, void *ctx), void *ctx)
{
    storage_sqlite *st = (storage_sqlite *)base;
    const storage_filter none = {0};
    if (!filter)
        filter = &none;
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    /* One snapshot for the responses and their answers. */
    err = storage_tx_read(c);
    if (err != BK_OK) {
        storage_conn_put(st, c);
        return err;
    }
    sqlite3_stmt *s = c->sq[SQ_FOREACH];
    int rc = SQLITE_OK;
    BIND(storage_bind_text(s, 1, filter->area));
    BIND(sqlite3_bind_int64(s, 2, filter->since_ms > 0 ? filter->since_ms : INT64_MIN));
    BIND(sqlite3_bind_int(s, 3, filter->with_quarantined ? 1 : 0));
    BIND(sqlite3_bind_int64(s, 4, filter->until_ms > 0 ? filter->until_ms : INT64_MAX));
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        response_row row;
        err = row_read(c, s, &row);
        int stop = err == BK_OK ? fn(&row, ctx) : 1;
        response_row_clear(&row);
        if (stop) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = storage_fail(c, rc, "reading responses");
    storage_stmt_done(s);
    storage_tx_rollback(c); /* a read transaction: nothing to keep */
    storage_conn_put(st, c);
    return err;
}

typedef struct counts_ctx {
    int (*fn)(const storage_count_row *row, void *ctx);
    void *ctx;
} counts_ctx;

static int count_row(sqlite3_stmt *s, void *arg)
{
    counts_ctx *x = arg;
    storage_count_row row;
    memset(&row, 0, sizeof row);
    storage_col_copy(s, 0, row.survey_id, sizeof row.survey_id);
    row.survey_version = sqlite3_column_int(s, 1);
    storage_col_copy(s, 2, row.area, sizeof row.area);
    storage_col_copy(s, 3, row.kiosk_id, sizeof row.kiosk_id);
    row.responses = sqlite3_column_int64(s, 4);
    row.quarantined = sqlite3_column_int64(s, 5);
    row.conflicts = sqlite3_column_int64(s, 6);
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_sqlite_counts(storage *base, int (*fn)(const storage_count_row *row, void *ctx),
                             void *ctx)
{
    counts_ctx x = {fn, ctx};
    return storage_each_row((storage_sqlite *)base, SQ_COUNTS, "counting responses", count_row, &x);
}

typedef struct problems_ctx {
    int (*fn)(const storage_problem_row *row, void *ctx);
    void *ctx;
} problems_ctx;

static int problem_row(sqlite3_stmt *s, void *arg)
{
    problems_ctx *x = arg;
    storage_problem_row row = {
        .kind = (const char *)sqlite3_column_text(s, 0),
        .response_id = (const char *)sqlite3_column_text(s, 1),
        .kiosk_id = (const char *)sqlite3_column_text(s, 2),
        .batch_id = (const char *)sqlite3_column_text(s, 3),
        .reason = (const char *)sqlite3_column_text(s, 4),
        .body = (const char *)sqlite3_column_text(s, 5),
        .received_ms = sqlite3_column_int64(s, 6),
    };
    if (!row.kind || !row.response_id || !row.body)
        return -1;
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_sqlite_foreach_problem(storage *base,
                                      int (*fn)(const storage_problem_row *row, void *ctx),
                                      void *ctx)
{
    problems_ctx x = {fn, ctx};
    return storage_each_row((storage_sqlite *)base, SQ_PROBLEMS, "listing problems", problem_row,
                            &x);
}
