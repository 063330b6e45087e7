/* storage_user.c: the accounts of the web interface and the audit log, on
 * SQLite. An account change and its audit row are one transaction. */
#include "storage_sqlite.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

int storage_audit_row_add(storage_conn *c, int64_t now, const char *actor, const char *action,
                          const char *subject, const char *detail)
{
    sqlite3_stmt *s = c->sq[SQ_AUDIT_ADD];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_int64(s, 1, now));
    BIND(sqlite3_bind_text(s, 2, actor, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 4, subject, -1, SQLITE_STATIC));
    BIND(storage_bind_text(s, 5, detail));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    return rc;
}

bk_err storage_sqlite_user_add(storage *base, const storage_user *u, const char *password_hash,
                               const char *actor)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    const int64_t now = clock_wall_ms(&st->clock);
    sqlite3_stmt *s = c->sq[SQ_USER_ADD];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, storage_role_name(u->role), -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, u->areas, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 4, password_hash, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 5, now));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    char detail[1100];
    snprintf(detail, sizeof detail, "role %s%s%s", storage_role_name(u->role),
             u->areas[0] ? ", areas " : "", u->areas);
    if (rc == SQLITE_DONE)
        rc = storage_audit_row_add(c, now, actor, "user add", u->name, detail);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        err = BK_ERR_STATE; /* the name is taken: the caller says so */
    else if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "adding an account");
    if (err == BK_OK)
        err = storage_tx_commit(c);
    else
        storage_tx_rollback(c);
    return err;
}

bk_err storage_sqlite_user_remove(storage *base, const char *name, const char *actor)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_USER_REMOVE];
    int rc = sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bool removed = rc == SQLITE_DONE && sqlite3_changes(c->db) == 1;
    storage_stmt_done(s);
    if (rc == SQLITE_DONE && removed)
        rc = storage_audit_row_add(c, clock_wall_ms(&st->clock), actor, "user remove", name, NULL);
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "removing an account");
    else if (!removed)
        err = BK_ERR_NOT_FOUND;
    if (err == BK_OK)
        err = storage_tx_commit(c);
    else
        storage_tx_rollback(c);
    return err;
}

typedef struct users_ctx {
    int (*fn)(const storage_user *u, void *ctx);
    void *ctx;
} users_ctx;

static int user_row(sqlite3_stmt *s, void *arg)
{
    users_ctx *x = arg;
    storage_user u;
    memset(&u, 0, sizeof u);
    storage_col_copy(s, 0, u.name, sizeof u.name);
    storage_role_parse((const char *)sqlite3_column_text(s, 1), &u.role);
    storage_col_copy(s, 2, u.areas, sizeof u.areas);
    u.created_ms = sqlite3_column_int64(s, 3);
    return x->fn(&u, x->ctx) != 0;
}

bk_err storage_sqlite_user_foreach(storage *base, int (*fn)(const storage_user *u, void *ctx),
                                   void *ctx)
{
    users_ctx x = {fn, ctx};
    return storage_each_row((storage_sqlite *)base, SQ_USER_ALL, "listing accounts", user_row, &x);
}
