/* storage_pg_user.c: the accounts of the web interface and the audit log,
 * on PostgreSQL. An account change and its audit row are one statement,
 * so one transaction. */
#include "storage_pg.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

typedef struct user_ctx {
    storage_pg *st;
    const storage_user *u;
    const char *hash, *actor, *name;
    bool removed;
} user_ctx;

static bk_err add_tx(pg_conn *c, void *arg)
{
    user_ctx *x = arg;
    char detail[1100];
    snprintf(detail, sizeof detail, "role %s%s%s", storage_role_name(x->u->role),
             x->u->areas[0] ? ", areas " : "", x->u->areas);
    pg_params p = {0};
    pg_text(&p, x->u->name);
    pg_text(&p, storage_role_name(x->u->role));
    pg_text(&p, x->u->areas);
    pg_text(&p, x->hash);
    pg_int(&p, clock_wall_ms(&x->st->clock));
    pg_text(&p, x->actor);
    pg_text(&p, detail);
    return pg_exec(c,
                   "WITH added AS (INSERT INTO users (name, role, areas, password_hash,"
                   " created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING name)"
                   " INSERT INTO audit_log (at_ms, actor, action, subject, detail)"
                   " SELECT $5, $6, 'user add', name, $7 FROM added",
                   &p, NULL, "adding an account"); /* BK_ERR_STATE: the name is taken */
}

bk_err storage_pg_user_add(storage *base, const storage_user *u, const char *password_hash,
                           const char *actor)
{
    user_ctx x = {.st = (storage_pg *)base, .u = u, .hash = password_hash, .actor = actor};
    return pg_run(x.st, NULL, add_tx, &x);
}

static bk_err remove_tx(pg_conn *c, void *arg)
{
    user_ctx *x = arg;
    pg_params p = {0};
    pg_text(&p, x->name);
    pg_int(&p, clock_wall_ms(&x->st->clock));
    pg_text(&p, x->actor);
    PGresult *r;
    bk_err err = pg_exec(c,
                         "WITH gone AS (DELETE FROM users WHERE name = $1 RETURNING name)"
                         " INSERT INTO audit_log (at_ms, actor, action, subject)"
                         " SELECT $2, $3, 'user remove', name FROM gone RETURNING 1",
                         &p, &r, "removing an account");
    if (err != BK_OK)
        return err;
    x->removed = PQntuples(r) == 1;
    PQclear(r);
    return BK_OK;
}

bk_err storage_pg_user_remove(storage *base, const char *name, const char *actor)
{
    user_ctx x = {.st = (storage_pg *)base, .name = name, .actor = actor};
    bk_err err = pg_run(x.st, NULL, remove_tx, &x);
    return err == BK_OK && !x.removed ? BK_ERR_NOT_FOUND : err;
}

typedef struct users_ctx {
    int (*fn)(const storage_user *u, void *ctx);
    void *ctx;
} users_ctx;

static int user_row(const PGresult *r, int i, void *arg)
{
    users_ctx *x = arg;
    storage_user u;
    memset(&u, 0, sizeof u);
    pg_copy_at(r, i, 0, u.name, sizeof u.name);
    storage_role_parse(pg_text_at(r, i, 1), &u.role);
    pg_copy_at(r, i, 2, u.areas, sizeof u.areas);
    u.created_ms = pg_int_at(r, i, 3);
    return x->fn(&u, x->ctx);
}

bk_err storage_pg_user_foreach(storage *base, int (*fn)(const storage_user *u, void *ctx),
                               void *ctx)
{
    users_ctx x = {fn, ctx};
    return pg_each_row((storage_pg *)base,
                       "SELECT name, role, areas, created_ms FROM users ORDER BY name",
                       "listing accounts", user_row, &x);
}
