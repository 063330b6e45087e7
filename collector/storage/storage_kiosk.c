/* storage_kiosk.c: kiosks, their tokens and their heartbeats (the latest in
 * kiosk_status, every one in kiosk_status_history). */
#include "storage_sqlite.h"

#include <string.h>

#include "log.h"

/* Reads a row of KIOSK_SELECT (storage_sqlite.c) into *k. */
static void kiosk_from_row(sqlite3_stmt *s, storage_kiosk *k)
{
    memset(k, 0, sizeof *k);
    storage_col_copy(s, 0, k->id, sizeof k->id);
    storage_col_copy(s, 1, k->area, sizeof k->area);
    k->revoked = sqlite3_column_int(s, 2) != 0;
    k->created_ms = sqlite3_column_int64(s, 3);
    k->last_heartbeat_ms = sqlite3_column_int64(s, 4);
    k->queued = sqlite3_column_int64(s, 5);
    k->rejected = sqlite3_column_int64(s, 6);
    storage_col_copy(s, 7, k->last_error, sizeof k->last_error);
    if ((size_t)sqlite3_column_bytes(s, 8) < sizeof k->status_body) /* else "": never cut JSON */
        storage_col_copy(s, 8, k->status_body, sizeof k->status_body);
}

bk_err storage_sqlite_kiosk_add(storage *base, const char *kiosk_id, const char *area,
                                const char *token_sha256)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_KIOSK_ADD];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC));
    BIND(storage_bind_text(s, 2, area && area[0] ? area : NULL));
    BIND(sqlite3_bind_text(s, 3, token_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 4, clock_wall_ms(&st->clock)));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        err = BK_ERR_STATE; /* the id or the token is taken: the caller says so */
    else if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "adding a kiosk");
    storage_stmt_done(s);
    storage_conn_put(st, c);
    return err;
}

/* Runs SQ_KIOSK_BY_TOKEN or SQ_KIOSK_GET with key and reads the kiosk. */
static bk_err kiosk_lookup(storage_sqlite *st, enum storage_sq which, const char *key,
                           storage_kiosk *out)
{
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[which];
    int rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        kiosk_from_row(s, out);
    else if (rc == SQLITE_DONE)
        err = BK_ERR_NOT_FOUND;
    else
        err = storage_fail(c, rc, "reading a kiosk");
    storage_stmt_done(s);
    storage_conn_put(st, c);
    return err;
}

bk_err storage_sqlite_kiosk_by_token(storage *base, const char *token_sha256, storage_kiosk *out)
{
    storage_sqlite *st = (storage_sqlite *)base;
    return kiosk_lookup(st, SQ_KIOSK_BY_TOKEN, token_sha256, out);
}

bk_err storage_sqlite_kiosk_get(storage *base, const char *kiosk_id, storage_kiosk *out)
{
    storage_sqlite *st = (storage_sqlite *)base;
    return kiosk_lookup(st, SQ_KIOSK_GET, kiosk_id, out);
}

bk_err storage_sqlite_kiosk_revoke(storage *base, const char *kiosk_id)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_KIOSK_REVOKE];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 2, clock_wall_ms(&st->clock)));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "revoking a kiosk");
    else if (sqlite3_changes(c->db) == 0)
        err = BK_ERR_NOT_FOUND;
    else
        log_info("storage", "kiosk %s revoked", kiosk_id);
    storage_stmt_done(s);
    storage_conn_put(st, c);
    return err;
}

typedef struct kiosks_ctx {
    int (*fn)(const storage_kiosk *k, void *ctx);
    void *ctx;
} kiosks_ctx;

static int kiosk_row(sqlite3_stmt *s, void *arg)
{
    kiosks_ctx *x = arg;
    storage_kiosk k;
    kiosk_from_row(s, &k);
    return x->fn(&k, x->ctx) != 0;
}

bk_err storage_sqlite_kiosk_foreach(storage *base, int (*fn)(const storage_kiosk *k, void *ctx),
                                    void *ctx)
{
    kiosks_ctx x = {fn, ctx};
    return storage_each_row((storage_sqlite *)base, SQ_KIOSK_ALL, "listing kiosks", kiosk_row, &x);
}

/* Binds a heartbeat to SQ_STATUS_PUT or SQ_STATUS_HISTORY and steps it. */
static int status_row(sqlite3_stmt *s, const char *kiosk_id, int64_t now, const char *body,
                      int64_t queued, int64_t rejected, const char *last_error)
{
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 2, now));
    BIND(sqlite3_bind_int64(s, 3, queued));
    BIND(sqlite3_bind_int64(s, 4, rejected));
    BIND(storage_bind_text(s, 5, last_error));
    BIND(sqlite3_bind_text(s, 6, body, -1, SQLITE_STATIC));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    return rc;
}

bk_err storage_sqlite_status_put(storage *base, const char *kiosk_id, const char *body,
                                 int64_t queued, int64_t rejected, const char *last_error)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err == BK_OK) {
        const int64_t now = clock_wall_ms(&st->clock);
        int rc =
            status_row(c->sq[SQ_STATUS_PUT], kiosk_id, now, body, queued, rejected, last_error);
        if (rc == SQLITE_DONE)
            rc = status_row(c->sq[SQ_STATUS_HISTORY], kiosk_id, now, body, queued, rejected,
                            last_error);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            err = BK_ERR_NOT_FOUND; /* no such kiosk */
        else if (rc != SQLITE_DONE)
            err = storage_fail(c, rc, "storing a heartbeat");
        if (err == BK_OK)
            err = storage_tx_commit(c);
        else
            storage_tx_rollback(c);
    }
    return err;
}
