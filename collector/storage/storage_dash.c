/* storage_dash.c: what the web interface keeps and reads, on SQLite: the
 * login's lock, sessions, API keys, the audit log, and the wijkdashboard's
 * figures (counted by SQLite with GROUP BY over the responses and their
 * answers; nothing is loaded row by row). */
#include "storage_sqlite.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

/* ---- helpers ---- */

/* Binds the dashboard filter to ?1..?9 (DASH_WHERE in storage_sqlite.c). */
static int bind_dash(sqlite3_stmt *s, const storage_dash_filter *f)
{
    int rc = SQLITE_OK;
    BIND(storage_bind_text(s, 1, f->area));
    BIND(storage_bind_text(s, 2, f->survey_id));
    BIND(sqlite3_bind_int(s, 3, f->survey_version));
    BIND(storage_bind_text(s, 4, f->language));
    BIND(storage_bind_text(s, 5, f->status));
    BIND(storage_bind_text(s, 6, f->from_month));
    BIND(storage_bind_text(s, 7, f->to_month));
    BIND(sqlite3_bind_int(s, 8, f->with_rapid ? 1 : 0));
    BIND(sqlite3_bind_int(s, 9, f->with_repeat ? 1 : 0));
    return rc;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return t ? t : "";
}

/* Runs one write statement (bound by the caller) to its end inside a
 * write transaction of its own, with an audit row when action is set.
 * *changes gets the rows it changed. */
static bk_err write_one(storage_sqlite *st, storage_conn *c, sqlite3_stmt *s, int rc,
                        const char *what, const char *actor, const char *action,
                        const char *subject, const char *detail, int *changes)
{
    bk_err err = BK_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (changes)
        *changes = rc == SQLITE_DONE ? sqlite3_changes(c->db) : 0;
    storage_stmt_done(s);
    if (rc == SQLITE_DONE && action && (!changes || *changes > 0))
        rc = storage_audit_row_add(c, clock_wall_ms(&st->clock), actor, action, subject, detail);
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, what);
    if (err == BK_OK)
        err = storage_tx_commit(c);
    else
        storage_tx_rollback(c);
    return err;
}

/* ---- the login ---- */

typedef struct login_ctx {
    storage_login *out;
    const char *name;
    bool found;
} login_ctx;

static int login_bind(sqlite3_stmt *s, void *arg)
{
    return sqlite3_bind_text(s, 1, ((login_ctx *)arg)->name, -1, SQLITE_STATIC);
}

static int login_row(sqlite3_stmt *s, void *arg)
{
    login_ctx *x = arg;
    storage_login *o = x->out;
    storage_col_copy(s, 0, o->user.name, sizeof o->user.name);
    storage_role_parse(col_text(s, 1), &o->user.role);
    storage_col_copy(s, 2, o->user.areas, sizeof o->user.areas);
    o->user.created_ms = sqlite3_column_int64(s, 3);
    storage_col_copy(s, 4, o->password_hash, sizeof o->password_hash);
    o->failures = sqlite3_column_int(s, 5);
    o->locked_until_ms = sqlite3_column_int64(s, 6);
    x->found = true;
    return 1;
}

bk_err storage_sqlite_login_get(storage *base, const char *name, storage_login *out)
{
    login_ctx x = {out, name, false};
    bk_err err = storage_each_row_bound((storage_sqlite *)base, SQ_LOGIN_GET, "reading an account",
                                        login_bind, login_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_sqlite_login_failed(storage *base, const char *name, int lock_after,
                                   int64_t lock_base_ms, int64_t *locked_until_ms)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_LOGIN_FAILED];
    int rc = sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int failures = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    bool found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    if (rc != SQLITE_DONE) {
        err = storage_fail(c, rc, "counting a wrong password");
        storage_tx_rollback(c);
        return err;
    }
    if (!found) {
        storage_tx_rollback(c);
        return BK_ERR_NOT_FOUND;
    }
    const int64_t until =
        storage_login_lock_until(clock_wall_ms(&st->clock), failures, lock_after, lock_base_ms);
    *locked_until_ms = until;
    s = c->sq[SQ_LOGIN_LOCK];
    rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 2, until));
    return write_one(st, c, s, rc, "locking an account", NULL, NULL, NULL, NULL, NULL);
}

bk_err storage_sqlite_login_ok(storage *base, const char *name)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_LOGIN_OK];
    int rc = sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    return write_one(st, c, s, rc, "clearing a lock", NULL, NULL, NULL, NULL, NULL);
}

/* ---- sessions ---- */

bk_err storage_sqlite_session_add(storage *base, const char *id_sha256, const char *user,
                                  const char *csrf, const char *lang, int64_t idle_ms,
                                  int64_t max_ms)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    const int64_t now = clock_wall_ms(&st->clock);
    sqlite3_stmt *s = c->sq[SQ_SESSION_PRUNE];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_int64(s, 1, now - idle_ms));
    BIND(sqlite3_bind_int64(s, 2, now - max_ms));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    if (rc != SQLITE_DONE) {
        err = storage_fail(c, rc, "removing old sessions");
        storage_tx_rollback(c);
        return err;
    }
    s = c->sq[SQ_SESSION_ADD];
    rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, id_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, user, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, csrf, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 4, lang, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 5, now));
    return write_one(st, c, s, rc, "adding a session", NULL, NULL, NULL, NULL, NULL);
}

typedef struct session_ctx {
    const char *id;
    storage_session *out;
    bool found;
} session_ctx;

static int session_bind(sqlite3_stmt *s, void *arg)
{
    return sqlite3_bind_text(s, 1, ((session_ctx *)arg)->id, -1, SQLITE_STATIC);
}

static int session_row(sqlite3_stmt *s, void *arg)
{
    session_ctx *x = arg;
    storage_col_copy(s, 0, x->out->user, sizeof x->out->user);
    storage_col_copy(s, 1, x->out->csrf, sizeof x->out->csrf);
    storage_col_copy(s, 2, x->out->lang, sizeof x->out->lang);
    x->out->created_ms = sqlite3_column_int64(s, 3);
    x->out->last_ms = sqlite3_column_int64(s, 4);
    x->found = true;
    return 1;
}

bk_err storage_sqlite_session_get(storage *base, const char *id_sha256, storage_session *out)
{
    session_ctx x = {id_sha256, out, false};
    bk_err err = storage_each_row_bound((storage_sqlite *)base, SQ_SESSION_GET, "reading a session",
                                        session_bind, session_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_sqlite_session_touch(storage *base, const char *id_sha256, const char *lang)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_SESSION_TOUCH];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, id_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 2, clock_wall_ms(&st->clock)));
    BIND(storage_bind_text(s, 3, lang));
    return write_one(st, c, s, rc, "using a session", NULL, NULL, NULL, NULL, NULL);
}

bk_err storage_sqlite_session_remove(storage *base, const char *id_sha256)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_SESSION_REMOVE];
    int rc = sqlite3_bind_text(s, 1, id_sha256, -1, SQLITE_STATIC);
    return write_one(st, c, s, rc, "ending a session", NULL, NULL, NULL, NULL, NULL);
}

/* ---- API keys ---- */

bk_err storage_sqlite_api_key_add(storage *base, const char *user, const char *key_sha256,
                                  const char *label)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_KEY_ADD];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, key_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, user, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, label, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 4, clock_wall_ms(&st->clock)));
    char id[17];
    snprintf(id, sizeof id, "%.16s", key_sha256);
    return write_one(st, c, s, rc, "adding an API key", user, "key add", id, label, NULL);
}

bk_err storage_sqlite_api_key_use(storage *base, const char *key_sha256,
                                  char user[INGEST_ID_MAX + 1])
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_KEY_USE];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, key_sha256, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 2, clock_wall_ms(&st->clock)));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bool found = rc == SQLITE_ROW;
    if (found) {
        storage_col_copy(s, 0, user, INGEST_ID_MAX + 1);
        rc = sqlite3_step(s);
    }
    storage_stmt_done(s);
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, "using an API key");
    if (err == BK_OK)
        err = storage_tx_commit(c);
    else
        storage_tx_rollback(c);
    if (err == BK_OK && !found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_sqlite_api_key_revoke(storage *base, const char *user, const char *key_id)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_KEY_REVOKE];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, key_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 3, clock_wall_ms(&st->clock)));
    int changed = 0;
    err =
        write_one(st, c, s, rc, "revoking an API key", user, "key revoke", key_id, NULL, &changed);
    if (err == BK_OK && changed == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}

typedef struct keys_ctx {
    const char *user;
    int (*fn)(const storage_api_key *k, void *ctx);
    void *ctx;
} keys_ctx;

static int keys_bind(sqlite3_stmt *s, void *arg)
{
    return sqlite3_bind_text(s, 1, ((keys_ctx *)arg)->user, -1, SQLITE_STATIC);
}

static int keys_row(sqlite3_stmt *s, void *arg)
{
    keys_ctx *x = arg;
    storage_api_key k;
    memset(&k, 0, sizeof k);
    storage_col_copy(s, 0, k.id, sizeof k.id);
    storage_col_copy(s, 1, k.label, sizeof k.label);
    k.created_ms = sqlite3_column_int64(s, 2);
    k.last_used_ms = sqlite3_column_int64(s, 3);
    return x->fn(&k, x->ctx) != 0;
}

bk_err storage_sqlite_api_key_foreach(storage *base, const char *user,
                                      int (*fn)(const storage_api_key *k, void *ctx), void *ctx)
{
    keys_ctx x = {user, fn, ctx};
    return storage_each_row_bound((storage_sqlite *)base, SQ_KEY_ALL, "listing API keys", keys_bind,
                                  keys_row, &x);
}

/* ---- the audit log ---- */

bk_err storage_sqlite_audit_add(storage *base, const char *actor, const char *action,
                                const char *subject, const char *detail)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    int rc = storage_audit_row_add(c, clock_wall_ms(&st->clock), actor, action, subject, detail);
    if (rc != SQLITE_DONE) {
        err = storage_fail(c, rc, "writing the audit log");
        storage_tx_rollback(c);
        return err;
    }
    return storage_tx_commit(c);
}

typedef struct audit_ctx {
    int limit;
    int (*fn)(const storage_audit_row *row, void *ctx);
    void *ctx;
} audit_ctx;

static int audit_bind(sqlite3_stmt *s, void *arg)
{
    return sqlite3_bind_int(s, 1, ((audit_ctx *)arg)->limit);
}

static int audit_row(sqlite3_stmt *s, void *arg)
{
    audit_ctx *x = arg;
    storage_audit_row row = {
        .at_ms = sqlite3_column_int64(s, 0),
        .actor = col_text(s, 1),
        .action = col_text(s, 2),
        .subject = col_text(s, 3),
        .detail = (const char *)sqlite3_column_text(s, 4),
    };
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_sqlite_audit_foreach(storage *base, int limit,
                                    int (*fn)(const storage_audit_row *row, void *ctx), void *ctx)
{
    audit_ctx x = {limit, fn, ctx};
    return storage_each_row_bound((storage_sqlite *)base, SQ_AUDIT_ALL, "reading the audit log",
                                  audit_bind, audit_row, &x);
}

/* ---- the tallies ---- */

#define DASH_TALLY_STEP 20000 /* responses tallied per write transaction */

static int dash_flag_row(sqlite3_stmt *s, void *arg)
{
    (void)s;
    *(bool *)arg = true;
    return 1;
}

/* Runs the statement which, bound already (rc is the binding's result),
 * to its end; *changes (may be NULL) gets the rows it changed. */
static int dash_step(storage_conn *c, sqlite3_stmt *s, int rc, int *changes)
{
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (changes)
        *changes = rc == SQLITE_DONE ? sqlite3_changes(c->db) : 0;
    storage_stmt_done(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Adds the responses not tallied yet to the tallies, DASH_TALLY_STEP at
 * a time, each step one write transaction: the step's responses are
 * taken into temp.dash_new, counted into dash_counts, dash_values and
 * (by dash_meta's items) dash_scores, and marked tallied. A reader sees
 * the tallies before or after a step, never half of one. */
static bk_err dash_catch_up(storage_sqlite *st)
{
    for (;;) {
        bool pending = false;
        bk_err err = storage_each_row(st, SQ_TALLY_PENDING, "looking for responses to tally",
                                      dash_flag_row, &pending);
        if (err != BK_OK || !pending)
            return err;
        storage_conn *c;
        err = storage_write_begin(st, &c);
        if (err != BK_OK)
            return err;
        int taken = 0;
        int rc = dash_step(c, c->sq[SQ_TALLY_CLEAR], SQLITE_OK, NULL);
        if (rc == SQLITE_OK)
            rc = dash_step(c, c->sq[SQ_TALLY_TAKE],
                           sqlite3_bind_int(c->sq[SQ_TALLY_TAKE], 1, DASH_TALLY_STEP), &taken);
        const enum storage_sq steps[] = {SQ_TALLY_COUNTS, SQ_TALLY_VALUES, SQ_TALLY_SCORES_NEW,
                                         SQ_TALLY_MARK, SQ_TALLY_CLEAR};
        for (size_t i = 0; rc == SQLITE_OK && i < sizeof steps / sizeof steps[0]; i++)
            rc = dash_step(c, c->sq[steps[i]], SQLITE_OK, NULL);
        if (rc != SQLITE_OK) {
            err = storage_fail(c, rc, "tallying responses");
            storage_tx_rollback(c);
            return err;
        }
        err = storage_tx_commit(c);
        if (err != BK_OK || taken < DASH_TALLY_STEP)
            return err;
    }
}

typedef struct dash_meta {
    char survey[INGEST_ID_MAX + 1], min[16];
    char *items, *reverse;
    bool oom;
} dash_meta;

static int dash_meta_row(sqlite3_stmt *s, void *arg)
{
    dash_meta *m = arg;
    storage_col_copy(s, 0, m->survey, sizeof m->survey);
    m->items = storage_col_dup(s, 1, &m->oom);
    m->reverse = storage_col_dup(s, 2, &m->oom);
    storage_col_copy(s, 3, m->min, sizeof m->min);
    return 1;
}

/* Makes dash_scores hold the score by these items: when dash_meta says it
 * was counted with others, it is counted again from every tallied
 * response, in one write transaction. */
static bk_err dash_scores_for(storage_sqlite *st, const char *survey_id, const char *items_json,
                              const char *reverse_json, int min_answered)
{
    dash_meta m = {0};
    bk_err err =
        storage_each_row(st, SQ_TALLY_META_GET, "reading the tallies' items", dash_meta_row, &m);
    char min[16];
    snprintf(min, sizeof min, "%d", min_answered);
    bool same = err == BK_OK && !m.oom && m.items && m.reverse &&
                strcmp(m.survey, survey_id) == 0 && strcmp(m.items, items_json) == 0 &&
                strcmp(m.reverse, reverse_json) == 0 && strcmp(m.min, min) == 0;
    free(m.items);
    free(m.reverse);
    if (err != BK_OK || same)
        return err;
    if (m.oom)
        return BK_ERR_NOMEM;
    storage_conn *c;
    err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    const char *const meta[4][2] = {{"cohesion_survey", survey_id},
                                    {"cohesion_items", items_json},
                                    {"cohesion_reverse", reverse_json},
                                    {"cohesion_min", min}};
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < 4; i++) {
        sqlite3_stmt *s = c->sq[SQ_TALLY_META_SET];
        int b = sqlite3_bind_text(s, 1, meta[i][0], -1, SQLITE_STATIC);
        if (b == SQLITE_OK)
            b = sqlite3_bind_text(s, 2, meta[i][1], -1, SQLITE_STATIC);
        rc = dash_step(c, s, b, NULL);
    }
    if (rc == SQLITE_OK)
        rc = dash_step(c, c->sq[SQ_TALLY_SCORES_CLEAR], SQLITE_OK, NULL);
    if (rc == SQLITE_OK)
        rc = dash_step(c, c->sq[SQ_TALLY_SCORES_ALL], SQLITE_OK, NULL);
    if (rc != SQLITE_OK) {
        err = storage_fail(c, rc, "counting the cohesion scores");
        storage_tx_rollback(c);
        return err;
    }
    log_info("storage", "the cohesion scores counted again for survey %s", survey_id);
    return storage_tx_commit(c);
}

/* ---- the dashboard's figures ---- */

typedef struct dash_ctx {
    const storage_dash_filter *f;
    const char *json1, *json2, *search; /* ?10, ?11 (or search) */
    int int12;                          /* ?12 */
    int64_t limit, offset;              /* ?13, ?14 */
    int64_t *total;
    int (*counts)(const storage_dash_count *row, void *ctx);
    int (*values)(const storage_dash_value *row, void *ctx);
    int (*cohesion)(const storage_dash_score *row, void *ctx);
    int (*texts)(const storage_dash_text *row, void *ctx);
    void *ctx;
} dash_ctx;

static int dash_bind(sqlite3_stmt *s, void *arg)
{
    dash_ctx *x = arg;
    int rc = bind_dash(s, x->f);
    if (x->json1)
        BIND(sqlite3_bind_text(s, 10, x->json1, -1, SQLITE_STATIC));
    if (x->json2)
        BIND(sqlite3_bind_text(s, 11, x->json2, -1, SQLITE_STATIC));
    if (x->texts) {
        BIND(storage_bind_text(s, 11, x->search && x->search[0] ? x->search : NULL));
        BIND(sqlite3_bind_int64(s, 13, x->limit));
        BIND(sqlite3_bind_int64(s, 14, x->offset));
    }
    if (x->texts)
        BIND(sqlite3_bind_int(s, 12, x->int12));
    return rc;
}

static int counts_row(sqlite3_stmt *s, void *arg)
{
    dash_ctx *x = arg;
    storage_dash_count row = {
        .area = col_text(s, 0),
        .month = col_text(s, 1),
        .survey_id = col_text(s, 2),
        .survey_version = sqlite3_column_int(s, 3),
        .language = col_text(s, 4),
        .status = col_text(s, 5),
        .rapid = sqlite3_column_int(s, 6) != 0,
        .repeat = sqlite3_column_int(s, 7) != 0,
        .n = sqlite3_column_int64(s, 8),
    };
    return x->counts(&row, x->ctx) != 0;
}

bk_err storage_sqlite_dash_counts(storage *base, const storage_dash_filter *f,
                                  int (*fn)(const storage_dash_count *row, void *ctx), void *ctx)
{
    /* The flags are in the rows, not in the filter. */
    storage_dash_filter all = *f;
    all.with_rapid = all.with_repeat = true;
    dash_ctx x = {.f = &all, .counts = fn, .ctx = ctx};
    bk_err err = dash_catch_up((storage_sqlite *)base);
    if (err != BK_OK)
        return err;
    return storage_each_row_bound((storage_sqlite *)base, SQ_DASH_COUNTS, "counting responses",
                                  dash_bind, counts_row, &x);
}

static int values_row(sqlite3_stmt *s, void *arg)
{
    dash_ctx *x = arg;
    storage_dash_value row = {
        .question_id = col_text(s, 0),
        .month = col_text(s, 1),
        .value = col_text(s, 2),
        .n = sqlite3_column_int64(s, 3),
    };
    return x->values(&row, x->ctx) != 0;
}

bk_err storage_sqlite_dash_values(storage *base, const storage_dash_filter *f,
                                  const char *question_ids_json,
                                  int (*fn)(const storage_dash_value *row, void *ctx), void *ctx)
{
    dash_ctx x = {.f = f, .json1 = question_ids_json, .values = fn, .ctx = ctx};
    bk_err err = dash_catch_up((storage_sqlite *)base);
    if (err != BK_OK)
        return err;
    return storage_each_row_bound((storage_sqlite *)base, SQ_DASH_VALUES, "counting answers",
                                  dash_bind, values_row, &x);
}

static int cohesion_row(sqlite3_stmt *s, void *arg)
{
    dash_ctx *x = arg;
    storage_dash_score row = {
        .area = col_text(s, 0),
        .month = col_text(s, 1),
        .respondents = sqlite3_column_int64(s, 2),
        .score_sum = sqlite3_column_double(s, 3),
    };
    return x->cohesion(&row, x->ctx) != 0;
}

bk_err storage_sqlite_dash_cohesion(storage *base, const storage_dash_filter *f,
                                    const char *items_json, const char *reverse_json,
                                    int min_answered,
                                    int (*fn)(const storage_dash_score *row, void *ctx), void *ctx)
{
    dash_ctx x = {.f = f, .cohesion = fn, .ctx = ctx};
    bk_err err = dash_catch_up((storage_sqlite *)base);
    if (err == BK_OK)
        err = dash_scores_for((storage_sqlite *)base, f->survey_id, items_json, reverse_json,
                              min_answered);
    if (err != BK_OK)
        return err;
    return storage_each_row_bound((storage_sqlite *)base, SQ_DASH_COHESION,
                                  "computing the cohesion score", dash_bind, cohesion_row, &x);
}

static int texts_row(sqlite3_stmt *s, void *arg)
{
    dash_ctx *x = arg;
    bool hidden = sqlite3_column_int(s, 7) != 0;
    storage_dash_text row = {
        .response_id = col_text(s, 0),
        .question_id = col_text(s, 1),
        .text = col_text(s, 2),
        .started_at = col_text(s, 3),
        .language = col_text(s, 4),
        .kiosk_id = col_text(s, 5),
        .personal = sqlite3_column_int(s, 6) != 0,
        .hidden = hidden,
        .hidden_reason = hidden ? col_text(s, 8) : NULL,
        .hidden_by = hidden ? col_text(s, 9) : NULL,
    };
    *x->total = sqlite3_column_int64(s, 10);
    return x->texts(&row, x->ctx) != 0;
}

bk_err storage_sqlite_dash_texts(storage *base, const storage_dash_filter *f,
                                 const char *question_ids_json, const char *search,
                                 bool with_hidden, int64_t offset, int limit, int64_t *total,
                                 int (*fn)(const storage_dash_text *row, void *ctx), void *ctx)
{
    dash_ctx x = {.f = f,
                  .json1 = question_ids_json,
                  .search = search,
                  .int12 = with_hidden ? 1 : 0,
                  .limit = limit,
                  .offset = offset,
                  .total = total,
                  .texts = fn,
                  .ctx = ctx};
    return storage_each_row_bound((storage_sqlite *)base, SQ_DASH_TEXTS, "listing ideas", dash_bind,
                                  texts_row, &x);
}

typedef struct area_ctx {
    const char *response_id;
    char *area;
    bool found;
} area_ctx;

static int area_bind(sqlite3_stmt *s, void *arg)
{
    return sqlite3_bind_text(s, 1, ((area_ctx *)arg)->response_id, -1, SQLITE_STATIC);
}

static int area_row(sqlite3_stmt *s, void *arg)
{
    area_ctx *x = arg;
    storage_col_copy(s, 0, x->area, INGEST_ID_MAX + 1);
    x->found = true;
    return 1;
}

bk_err storage_sqlite_response_area(storage *base, const char *response_id,
                                    char area[INGEST_ID_MAX + 1])
{
    area_ctx x = {response_id, area, false};
    bk_err err = storage_each_row_bound((storage_sqlite *)base, SQ_RESPONSE_AREA,
                                        "reading a response's area", area_bind, area_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_sqlite_dash_moderate(storage *base, const char *response_id, const char *question_id,
                                    bool hide, const char *reason, const char *actor)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_MODERATE];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, response_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, question_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int(s, 3, hide ? 1 : 0));
    BIND(sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 5, actor, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 6, clock_wall_ms(&st->clock)));
    char subject[2 * INGEST_ID_MAX + 2];
    snprintf(subject, sizeof subject, "%s/%s", response_id, question_id);
    int changed = 0;
    err = write_one(st, c, s, rc, "moderating an answer", actor,
                    hide ? "moderate hide" : "moderate show", subject, reason, &changed);
    if (err == BK_OK && changed == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}
