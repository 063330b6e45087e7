/* storage_pg.c: the PostgreSQL backend's frame: opening (the first
 * connection migrates the schema), the bounded pool of connections and
 * their reconnection, running statements and transactions, error mapping,
 * the version and the check. Kiosks, heartbeats and surveys are in
 * storage_pg_kiosk.c, batches and reading back in storage_pg_batch.c, the
 * schema in storage_pg_schema.c.
 *
 * Nothing of what an instance knows lives in it: every call asks the
 * database, so any request can go to any instance. */
#include "storage_pg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void pg_text(pg_params *p, const char *text)
{
    if (p->n < PG_MAX_PARAMS)
        p->v[p->n++] = text;
}

void pg_int(pg_params *p, int64_t v)
{
    if (p->n < PG_MAX_PARAMS) {
        snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
        p->v[p->n] = p->num[p->n];
        p->n++;
    }
}

int64_t pg_int_at(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

const char *pg_text_at(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

void pg_copy_at(const PGresult *r, int row, int col, char *buf, size_t size)
{
    storage_copy_text(pg_text_at(r, row, col), buf, size);
}

/* ---- connections ---- */

/* Notices (e.g. "relation already exists, skipping") are not errors. */
static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The server's message without its trailing newline, for one log line. */
static const char *pg_message(PGconn *pg, char *buf, size_t size)
{
    snprintf(buf, size, "%s", pg ? PQerrorMessage(pg) : "out of memory");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    for (char *p = buf; *p; p++) {
        if (*p == '\n')
            *p = ' ';
    }
    return buf;
}

/* Opens c's connection with the session settings every call relies on:
 * commits that wait for the disk, a lock wait bounded by busy_timeout_ms,
 * UTC. Returns BK_OK or BK_ERR_NETWORK with the reason in msg. */
static bk_err pg_connect(storage_pg *st, pg_conn *c, char *msg, size_t size)
{
    /* Defaults first: what the URI says wins over them. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *values[] = {"10", "buurtkiosk-collector", st->uri, NULL};
    c->pg = PQconnectdbParams(keys, values, 1);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        pg_message(c->pg, msg, size);
        PQfinish(c->pg);
        c->pg = NULL;
        return BK_ERR_NETWORK;
    }
    PQsetNoticeProcessor(c->pg, pg_quiet, NULL);
    char set[160];
    snprintf(set, sizeof set,
             "SET synchronous_commit = on; SET lock_timeout = %d; SET TIME ZONE 'UTC'",
             st->busy_timeout_ms);
    PGresult *r = PQexec(c->pg, set);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        pg_message(c->pg, msg, size);
        PQfinish(c->pg);
        c->pg = NULL;
        return BK_ERR_NETWORK;
    }
    return BK_OK;
}

/* Notes whether the server answers, logging the change once. */
static void pg_mark(storage_pg *st, bool away, const char *why)
{
    bool changed = atomic_exchange(&st->away, away) != away;
    if (changed && away)
        log_error("storage", "%s cannot be reached: %s (answering 503 until it is back)",
                  st->display, why);
    else if (changed)
        log_info("storage", "%s is reachable again", st->display);
}

bk_err pg_get(storage_pg *st, pg_conn **out)
{
    pg_conn *c = storage_pool_get(&st->pool);
    *out = NULL;
    if (!c)
        return BK_ERR_BUSY;
    c->fresh = !c->pg;
    if (!c->pg) {
        char msg[512];
        if (pg_connect(st, c, msg, sizeof msg) != BK_OK) {
            pg_mark(st, true, msg);
            pg_put(st, c);
            return BK_ERR_NETWORK;
        }
        pg_mark(st, false, NULL);
    }
    *out = c;
    return BK_OK;
}

void pg_put(storage_pg *st, pg_conn *c)
{
    storage_pool_put(&st->pool, c);
}

/* Maps a SQLSTATE to a bk_err (see pg_exec). */
static bk_err pg_map_state(const char *state)
{
    if (!state)
        return BK_ERR_IO;
    if (strcmp(state, "23505") == 0)
        return BK_ERR_STATE;
    if (strcmp(state, "23503") == 0)
        return BK_ERR_NOT_FOUND;
    if (strcmp(state, "23502") == 0 || strcmp(state, "23514") == 0 || strncmp(state, "22", 2) == 0)
        return BK_ERR_INVALID;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return BK_ERR_ABORTED;
    if (strcmp(state, "55P03") == 0 || strcmp(state, "53300") == 0 || strcmp(state, "57014") == 0)
        return BK_ERR_BUSY;
    if (strcmp(state, "53100") == 0)
        return BK_ERR_FULL;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return BK_ERR_NETWORK; /* connection exception, admin shutdown, cannot connect now */
    if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0)
        return BK_ERR_CORRUPT;
    return BK_ERR_IO;
}

bk_err pg_exec(pg_conn *c, const char *sql, const pg_params *p, PGresult **res, const char *what)
{
    if (res)
        *res = NULL;
    if (!c->pg)
        return BK_ERR_NETWORK;
    PGresult *r = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (r && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)) {
        if (res)
            *res = r;
        else
            PQclear(r);
        return BK_OK;
    }
    bk_err err;
    char msg[512];
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        err = BK_ERR_NETWORK;
        log_warn("storage", "%s: the connection to the database broke: %s", what,
                 pg_message(c->pg, msg, sizeof msg));
        PQfinish(c->pg);
        c->pg = NULL;
    } else {
        err = r ? pg_map_state(PQresultErrorField(r, PG_DIAG_SQLSTATE)) : BK_ERR_NOMEM;
        if (err == BK_ERR_BUSY || err == BK_ERR_ABORTED)
            log_warn("storage", "%s: %s", what, pg_message(c->pg, msg, sizeof msg));
        else if (err != BK_ERR_STATE && err != BK_ERR_NOT_FOUND)
            log_error("storage", "%s failed: %s (%s)", what, pg_message(c->pg, msg, sizeof msg),
                      bk_err_str(err));
    }
    PQclear(r);
    return err;
}

/* Ends a failed transaction on a connection that still stands. */
static void pg_rollback(pg_conn *c)
{
    if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        pg_exec(c, "ROLLBACK", NULL, NULL, "rollback");
}

bk_err pg_run(storage_pg *st, const char *begin, pg_tx_fn fn, void *ctx)
{
    bk_err err = BK_OK;
    for (int attempt = 0; attempt < 4; attempt++) {
        pg_conn *c;
        err = pg_get(st, &c);
        if (err != BK_OK)
            return err;
        err = pg_exec(c, begin ? begin : "BEGIN", NULL, NULL, "begin");
        /* Broken before anything of this transaction was sent: the server
         * restarted since this connection's last use. Nothing happened. */
        bool stale = err == BK_ERR_NETWORK && !c->fresh;
        if (err == BK_OK)
            err = fn(c, ctx);
        if (err == BK_OK)
            err = pg_exec(c, "COMMIT", NULL, NULL, "commit");
        if (err != BK_OK)
            pg_rollback(c);
        pg_put(st, c);
        if (!(stale && attempt == 0) && err != BK_ERR_ABORTED)
            return err;
    }
    /* Serialization failures or deadlocks every time: busy, try later. */
    return err == BK_ERR_ABORTED ? BK_ERR_BUSY : err;
}

bk_err pg_once(storage_pg *st, const char *sql, const pg_params *p, PGresult **res,
               const char *what)
{
    bk_err err = BK_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        pg_conn *c;
        err = pg_get(st, &c);
        if (err != BK_OK)
            return err;
        bool stale_possible = !c->fresh;
        err = pg_exec(c, sql, p, res, what);
        pg_put(st, c);
        /* A connection kept from before a server restart breaks when the
         * statement is sent, before the server has it: send it again on a
         * new one. Only for reads and for writes that may happen twice. */
        if (err != BK_ERR_NETWORK || !stale_possible)
            return err;
    }
    return err;
}

bk_err pg_each_row(storage_pg *st, const char *sql, const char *what,
                   int (*row)(const PGresult *r, int i, void *ctx), void *ctx)
{
    return pg_each_row_params(st, sql, NULL, what, row, ctx);
}

bk_err pg_each_row_params(storage_pg *st, const char *sql, const pg_params *p, const char *what,
                          int (*row)(const PGresult *r, int i, void *ctx), void *ctx)
{
    PGresult *r;
    bk_err err = pg_once(st, sql, p, &r, what);
    if (err != BK_OK)
        return err;
    for (int i = 0; i < PQntuples(r); i++) {
        if (row(r, i, ctx) != 0)
            break;
    }
    PQclear(r);
    return BK_OK;
}

/* ---- opening and closing ---- */

/* "PostgreSQL database DB on HOST:PORT" from the parsed URI, without user
 * or password (a new string, or NULL). */
static char *pg_display(const PQconninfoOption *opts)
{
    const char *db = NULL, *host = NULL, *port = NULL;
    for (const PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, "dbname") == 0)
            db = o->val;
        else if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "PostgreSQL database %s on %s%s%s", db ? db : "(default)",
             host ? host : "(default host)", port ? ":" : "", port ? port : "");
    return strdup(buf);
}

bk_err storage_pg_open(const storage_options *opt, storage **out, bk_diag *diag)
{
    *out = NULL;
    if (!opt || !opt->database || opt->pool_size < 1 || opt->busy_timeout_ms < 0) {
        diag_add(diag, "DATABASE: a connection URI, a pool size of at least 1 and a busy "
                       "timeout of at least 0 are needed");
        return BK_ERR_INVALID;
    }
    char *errmsg = NULL;
    PQconninfoOption *parsed = PQconninfoParse(opt->database, &errmsg);
    if (!parsed) {
        diag_add(diag, "DATABASE: not a PostgreSQL connection URI: %s",
                 errmsg ? errmsg : "out of memory");
        PQfreemem(errmsg);
        return BK_ERR_INVALID;
    }
    char *display = pg_display(parsed);
    PQconninfoFree(parsed);
    if (!PQisthreadsafe()) {
        diag_add(diag, "DATABASE: this libpq was built without thread support");
        free(display);
        return BK_ERR_STATE;
    }
    if (sodium_init() < 0) {
        diag_add(diag, "DATABASE: libsodium cannot be initialised");
        free(display);
        return BK_ERR_STATE;
    }
    storage_pg *st = calloc(1, sizeof *st);
    if (!st) {
        free(display);
        return BK_ERR_NOMEM;
    }
    st->base.backend = &storage_pg_backend;
    st->uri = strdup(opt->database);
    st->display = display;
    st->conns = calloc((size_t)opt->pool_size, sizeof *st->conns);
    if (!st->uri || !st->display || !st->conns) {
        free(st->uri);
        free(st->display);
        free(st->conns);
        free(st);
        return BK_ERR_NOMEM;
    }
    st->n_conns = opt->pool_size;
    st->busy_timeout_ms = opt->busy_timeout_ms;
    st->clock = opt->clock.wall_ms ? opt->clock : clock_system();
    bk_err err = storage_pool_init(&st->pool, opt->pool_size, opt->busy_timeout_ms);
    if (err != BK_OK) {
        storage_pg_close(&st->base);
        return err;
    }
    for (int i = opt->pool_size - 1; i > 0; i--)
        storage_pool_put(&st->pool, &st->conns[i]);
    /* The first connection now, so a wrong URI is told at start. */
    pg_conn *c = &st->conns[0];
    char msg[512];
    err = pg_connect(st, c, msg, sizeof msg);
    if (err != BK_OK) {
        diag_add(diag, "DATABASE: %s: cannot connect: %s", st->display, msg);
    } else {
        err = pg_migrate(st, c, opt->schema_found, diag);
    }
    pg_put(st, c);
    if (err != BK_OK) {
        storage_pg_close(&st->base);
        return err;
    }
    *out = &st->base;
    return BK_OK;
}

void storage_pg_close(storage *base)
{
    storage_pg *st = (storage_pg *)base;
    if (!st)
        return;
    for (int i = 0; i < st->n_conns; i++)
        PQfinish(st->conns[i].pg);
    storage_pool_destroy(&st->pool);
    free(st->conns);
    free(st->uri);
    free(st->display);
    free(st);
}

/* ---- version and check ---- */

static bk_err version_tx(pg_conn *c, void *ctx)
{
    PGresult *r;
    bk_err err = pg_exec(c, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, &r,
                         "reading the schema version");
    if (err == BK_OK) {
        *(int *)ctx = (int)pg_int_at(r, 0, 0);
        PQclear(r);
    }
    return err;
}

bk_err storage_pg_database_version(storage *base, int *out)
{
    *out = 0;
    return pg_run((storage_pg *)base, NULL, version_tx, out);
}

/* The check: the server answers, the schema is the one this build writes,
 * and no stored row names a missing kiosk or batch (PostgreSQL enforces
 * the foreign keys itself; its own pages are checked by pg_amcheck). */
static bk_err check_tx(pg_conn *c, void *ctx)
{
    bk_diag *diag = ctx;
    int version = 0;
    bk_err err = version_tx(c, &version);
    if (err == BK_OK && version != storage_schema_version()) {
        diag_add(diag, "DATABASE: schema version %d; this program writes %d", version,
                 storage_schema_version());
        return BK_ERR_CORRUPT;
    }
    PGresult *r = NULL;
    if (err == BK_OK)
        err = pg_exec(c,
                      "SELECT count(*) FROM responses r WHERE NOT EXISTS"
                      " (SELECT 1 FROM batches b WHERE b.batch_id = r.batch_id)",
                      NULL, &r, "checking the database");
    if (err == BK_OK && pg_int_at(r, 0, 0) != 0) {
        diag_add(diag, "DATABASE: %lld responses name a batch that is not stored",
                 (long long)pg_int_at(r, 0, 0));
        err = BK_ERR_CORRUPT;
    }
    PQclear(r);
    return err;
}

bk_err storage_pg_check(storage *base, bk_diag *diag)
{
    bk_err err = pg_run((storage_pg *)base, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                        check_tx, diag);
    if (err != BK_OK && err != BK_ERR_CORRUPT)
        diag_add(diag, "DATABASE: %s: %s", ((storage_pg *)base)->display, bk_err_str(err));
    return err;
}

const storage_backend storage_pg_backend = {
    .close = storage_pg_close,
    .database_version = storage_pg_database_version,
    .check = storage_pg_check,
    .kiosk_add = storage_pg_kiosk_add,
    .kiosk_by_token = storage_pg_kiosk_by_token,
    .kiosk_get = storage_pg_kiosk_get,
    .kiosk_revoke = storage_pg_kiosk_revoke,
    .kiosk_foreach = storage_pg_kiosk_foreach,
    .batch_store = storage_pg_batch_store,
    .survey_publish = storage_pg_survey_publish,
    .survey_get = storage_pg_survey_get,
    .surveys_for_kiosk = storage_pg_surveys_for_kiosk,
    .status_put = storage_pg_status_put,
    .foreach_response = storage_pg_foreach_response,
    .counts = storage_pg_counts,
    .foreach_problem = storage_pg_foreach_problem,
    .user_add = storage_pg_user_add,
    .user_remove = storage_pg_user_remove,
    .user_foreach = storage_pg_user_foreach,
    .login_get = storage_pg_login_get,
    .login_failed = storage_pg_login_failed,
    .login_ok = storage_pg_login_ok,
    .session_add = storage_pg_session_add,
    .session_get = storage_pg_session_get,
    .session_touch = storage_pg_session_touch,
    .session_remove = storage_pg_session_remove,
    .api_key_add = storage_pg_api_key_add,
    .api_key_use = storage_pg_api_key_use,
    .api_key_revoke = storage_pg_api_key_revoke,
    .api_key_foreach = storage_pg_api_key_foreach,
    .audit_add = storage_pg_audit_add,
    .audit_foreach = storage_pg_audit_foreach,
    .dash_counts = storage_pg_dash_counts,
    .dash_values = storage_pg_dash_values,
    .dash_cohesion = storage_pg_dash_cohesion,
    .dash_texts = storage_pg_dash_texts,
    .response_area = storage_pg_response_area,
    .dash_moderate = storage_pg_dash_moderate,
};
