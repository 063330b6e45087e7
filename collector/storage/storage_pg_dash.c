/* storage_pg_dash.c: what the web interface keeps and reads, on
 * PostgreSQL: the login's lock, sessions, API keys, the audit log, and the
 * wijkdashboard's figures (the same SQL as storage_dash.c, in
 * PostgreSQL's words: jsonb instead of json_each, $n instead of ?n). */
#include "storage_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* ---- helpers ---- */

/* The dashboard's responses: $1 area, $2 survey, $3 version (0: any), $4
 * language, $5 status, $6 and $7 the months (inclusive; NULL open), $8
 * and $9 whether rapid and repeat ones count. PG_TALLY_WHERE: the same
 * over a tally table t. */
#define PG_DASH_AREA "coalesce(r.area, k.area, '')"
#define PG_DASH_RAPID "(r.flags LIKE '%\"rapid\"%')"
#define PG_DASH_REPEAT "(r.flags LIKE '%\"repeat\"%')"
#define PG_DASH_FROM " FROM responses r LEFT JOIN kiosks k ON k.id = r.kiosk_id"
#define PG_DASH_WHERE                                                                              \
    " WHERE r.quarantine_reason IS NULL AND ($1::text IS NULL OR " PG_DASH_AREA " = $1::text)"     \
    " AND ($2::text IS NULL OR r.survey_id = $2::text)"                                            \
    " AND ($3::integer = 0 OR r.survey_version = $3::integer)"                                     \
    " AND ($4::text IS NULL OR r.language = $4::text)"                                             \
    " AND ($5::text IS NULL OR r.status = $5::text)"                                               \
    " AND ($6::text IS NULL OR substr(r.started_at, 1, 7) >= $6::text)"                            \
    " AND ($7::text IS NULL OR substr(r.started_at, 1, 7) <= $7::text)"                            \
    " AND ($8::integer <> 0 OR NOT " PG_DASH_RAPID ")"                                             \
    " AND ($9::integer <> 0 OR NOT " PG_DASH_REPEAT ")"
#define PG_IN_IDS(n) " IN (SELECT jsonb_array_elements_text($" #n "::jsonb))"
#define PG_TALLY_WHERE                                                                             \
    " WHERE ($1::text IS NULL OR t.area = $1::text)"                                               \
    " AND ($2::text IS NULL OR t.survey_id = $2::text)"                                            \
    " AND ($3::integer = 0 OR t.survey_version = $3::integer)"                                     \
    " AND ($4::text IS NULL OR t.language = $4::text)"                                             \
    " AND ($5::text IS NULL OR t.status = $5::text)"                                               \
    " AND ($6::text IS NULL OR t.month >= $6::text) AND ($7::text IS NULL OR t.month <= $7::text)" \
    " AND ($8::integer <> 0 OR NOT t.rapid) AND ($9::integer <> 0 OR NOT t.repeat)"
#define PG_TALLY_COLS "area, survey_id, month, survey_version, language, status, rapid, repeat"
/* Responses as tally keys: a FROM list giving rows r (a responses row)
 * becomes rows nr with the key's columns and the response_id. */
#define PG_TALLY_KEYED(src)                                                                        \
    "SELECT coalesce(r.area, k.area, '') AS area, r.survey_id, substr(r.started_at, 1, 7) AS"      \
    " month, r.survey_version, r.language, r.status, (r.flags LIKE '%\"rapid\"%') AS rapid,"       \
    " (r.flags LIKE '%\"repeat\"%') AS repeat, r.response_id FROM " src                            \
    " LEFT JOIN kiosks k ON k.id = r.kiosk_id WHERE r.quarantine_reason IS NULL"
/* The cohesion scores of the keyed responses nr into dash_scores: $1 the
 * survey, $2 the items, $3 the reversed ones (JSON), $4 the least
 * answered. */
#define PG_TALLY_SCORES                                                                            \
    "INSERT INTO dash_scores (" PG_TALLY_COLS ", n, score_sum) SELECT " PG_TALLY_COLS              \
    ", count(*), sum(score) FROM (SELECT nr.area, nr.survey_id, nr.month, nr.survey_version,"      \
    " nr.language, nr.status, nr.rapid, nr.repeat, (avg(CASE WHEN a.question_id IN"                \
    " (SELECT jsonb_array_elements_text($3::jsonb)) THEN 6 - a.value_json::integer"                \
    " ELSE a.value_json::integer END) - 1) * 2.5 AS score FROM nr JOIN answers a"                  \
    " ON a.response_id = nr.response_id WHERE nr.survey_id = $1::text AND a.question_id IN"        \
    " (SELECT jsonb_array_elements_text($2::jsonb)) AND a.value_json ~ '^[1-5]$'"                  \
    " GROUP BY nr.response_id, 1, 2, 3, 4, 5, 6, 7, 8 HAVING count(*) >= $4::integer) x"           \
    " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"                             \
    " ON CONFLICT (" PG_TALLY_COLS ") DO UPDATE SET n = dash_scores.n + excluded.n,"               \
    " score_sum = dash_scores.score_sum + excluded.score_sum"
#define PG_TALLY_LOCK "SELECT pg_advisory_xact_lock(7346025311)" /* one tallier at a time */
#define PG_TALLY_STEP 20000
#define PG_TALLY_VACUUM_AFTER 100000 /* responses tallied in one catch-up */

static void dash_params(pg_params *p, const storage_dash_filter *f)
{
    pg_text(p, f->area);
    pg_text(p, f->survey_id);
    pg_int(p, f->survey_version);
    pg_text(p, f->language);
    pg_text(p, f->status);
    pg_text(p, f->from_month);
    pg_text(p, f->to_month);
    pg_int(p, f->with_rapid ? 1 : 0);
    pg_int(p, f->with_repeat ? 1 : 0);
}

static const char *text_at(const PGresult *r, int i, int col)
{
    const char *t = pg_text_at(r, i, col);
    return t ? t : "";
}

static bool bool_at(const PGresult *r, int i, int col)
{
    const char *t = pg_text_at(r, i, col);
    return t && (t[0] == 't' || t[0] == '1');
}

/* One statement in a transaction of its own (pg_run); *rows gets the rows
 * it returned. */
typedef struct stmt_ctx {
    const char *sql, *what;
    pg_params p;
    int rows;
} stmt_ctx;

static bk_err stmt_tx(pg_conn *c, void *arg)
{
    stmt_ctx *x = arg;
    PGresult *r;
    bk_err err = pg_exec(c, x->sql, &x->p, &r, x->what);
    if (err != BK_OK)
        return err;
    x->rows = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    PQclear(r);
    return BK_OK;
}

static bk_err stmt_run(storage_pg *st, stmt_ctx *x)
{
    return pg_run(st, NULL, stmt_tx, x);
}

/* ---- the login ---- */

typedef struct login_ctx {
    storage_login *out;
    bool found;
} login_ctx;

static int login_row(const PGresult *r, int i, void *arg)
{
    login_ctx *x = arg;
    storage_login *o = x->out;
    pg_copy_at(r, i, 0, o->user.name, sizeof o->user.name);
    storage_role_parse(text_at(r, i, 1), &o->user.role);
    pg_copy_at(r, i, 2, o->user.areas, sizeof o->user.areas);
    o->user.created_ms = pg_int_at(r, i, 3);
    pg_copy_at(r, i, 4, o->password_hash, sizeof o->password_hash);
    o->failures = (int)pg_int_at(r, i, 5);
    o->locked_until_ms = pg_int_at(r, i, 6);
    x->found = true;
    return 1;
}

bk_err storage_pg_login_get(storage *base, const char *name, storage_login *out)
{
    pg_params p = {0};
    pg_text(&p, name);
    login_ctx x = {out, false};
    bk_err err = pg_each_row_params((storage_pg *)base,
                                    "SELECT name, role, areas, created_ms, password_hash,"
                                    " failures, locked_until_ms FROM users WHERE name = $1",
                                    &p, "reading an account", login_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

typedef struct failed_ctx {
    storage_pg *st;
    const char *name;
    int lock_after;
    int64_t lock_base_ms, until;
    bool found;
} failed_ctx;

static bk_err failed_tx(pg_conn *c, void *arg)
{
    failed_ctx *x = arg;
    x->found = false;
    x->until = 0;
    pg_params p = {0};
    pg_text(&p, x->name);
    PGresult *r;
    bk_err err = pg_exec(c,
                         "UPDATE users SET failures = failures + 1 WHERE name = $1"
                         " RETURNING failures",
                         &p, &r, "counting a wrong password");
    if (err != BK_OK)
        return err;
    x->found = PQntuples(r) == 1;
    int failures = x->found ? (int)pg_int_at(r, 0, 0) : 0;
    PQclear(r);
    if (!x->found)
        return BK_OK;
    x->until = storage_login_lock_until(clock_wall_ms(&x->st->clock), failures, x->lock_after,
                                        x->lock_base_ms);
    pg_int(&p, x->until);
    return pg_exec(c, "UPDATE users SET locked_until_ms = $2 WHERE name = $1", &p, NULL,
                   "locking an account");
}

bk_err storage_pg_login_failed(storage *base, const char *name, int lock_after,
                               int64_t lock_base_ms, int64_t *locked_until_ms)
{
    failed_ctx x = {(storage_pg *)base, name, lock_after, lock_base_ms, 0, false};
    bk_err err = pg_run(x.st, NULL, failed_tx, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    if (err == BK_OK)
        *locked_until_ms = x.until;
    return err;
}

bk_err storage_pg_login_ok(storage *base, const char *name)
{
    stmt_ctx x = {.sql = "UPDATE users SET failures = 0, locked_until_ms = 0 WHERE name = $1",
                  .what = "clearing a lock"};
    pg_text(&x.p, name);
    return stmt_run((storage_pg *)base, &x);
}

/* ---- sessions ---- */

bk_err storage_pg_session_add(storage *base, const char *id_sha256, const char *user,
                              const char *csrf, const char *lang, int64_t idle_ms, int64_t max_ms)
{
    storage_pg *st = (storage_pg *)base;
    const int64_t now = clock_wall_ms(&st->clock);
    stmt_ctx x = {.sql = "WITH pruned AS (DELETE FROM sessions WHERE last_ms < $6"
                         " OR created_ms < $7) INSERT INTO sessions (id_sha256, user_name, csrf,"
                         " lang, created_ms, last_ms) VALUES ($1, $2, $3, $4, $5, $5)",
                  .what = "adding a session"};
    pg_text(&x.p, id_sha256);
    pg_text(&x.p, user);
    pg_text(&x.p, csrf);
    pg_text(&x.p, lang);
    pg_int(&x.p, now);
    pg_int(&x.p, now - idle_ms);
    pg_int(&x.p, now - max_ms);
    return stmt_run(st, &x);
}

typedef struct session_ctx {
    storage_session *out;
    bool found;
} session_ctx;

static int session_row(const PGresult *r, int i, void *arg)
{
    session_ctx *x = arg;
    pg_copy_at(r, i, 0, x->out->user, sizeof x->out->user);
    pg_copy_at(r, i, 1, x->out->csrf, sizeof x->out->csrf);
    pg_copy_at(r, i, 2, x->out->lang, sizeof x->out->lang);
    x->out->created_ms = pg_int_at(r, i, 3);
    x->out->last_ms = pg_int_at(r, i, 4);
    x->found = true;
    return 1;
}

bk_err storage_pg_session_get(storage *base, const char *id_sha256, storage_session *out)
{
    pg_params p = {0};
    pg_text(&p, id_sha256);
    session_ctx x = {out, false};
    bk_err err = pg_each_row_params((storage_pg *)base,
                                    "SELECT user_name, csrf, lang, created_ms, last_ms"
                                    " FROM sessions WHERE id_sha256 = $1",
                                    &p, "reading a session", session_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_pg_session_touch(storage *base, const char *id_sha256, const char *lang)
{
    storage_pg *st = (storage_pg *)base;
    pg_params p = {0};
    pg_text(&p, id_sha256);
    pg_int(&p, clock_wall_ms(&st->clock));
    pg_text(&p, lang);
    /* Setting the same values twice does no harm: pg_once may resend. */
    return pg_once(st,
                   "UPDATE sessions SET last_ms = $2, lang = coalesce($3::text, lang)"
                   " WHERE id_sha256 = $1",
                   &p, NULL, "using a session");
}

bk_err storage_pg_session_remove(storage *base, const char *id_sha256)
{
    pg_params p = {0};
    pg_text(&p, id_sha256);
    return pg_once((storage_pg *)base, "DELETE FROM sessions WHERE id_sha256 = $1", &p, NULL,
                   "ending a session");
}

/* ---- API keys ---- */

bk_err storage_pg_api_key_add(storage *base, const char *user, const char *key_sha256,
                              const char *label)
{
    storage_pg *st = (storage_pg *)base;
    stmt_ctx x = {.sql = "WITH added AS (INSERT INTO api_keys (key_sha256, user_name, label,"
                         " created_ms) VALUES ($1, $2, $3, $4) RETURNING key_sha256)"
                         " INSERT INTO audit_log (at_ms, actor, action, subject, detail)"
                         " SELECT $4, $2, 'key add', substr(key_sha256, 1, 16), $3 FROM added",
                  .what = "adding an API key"};
    pg_text(&x.p, key_sha256);
    pg_text(&x.p, user);
    pg_text(&x.p, label);
    pg_int(&x.p, clock_wall_ms(&st->clock));
    return stmt_run(st, &x);
}

typedef struct key_use_ctx {
    char *user;
    bool found;
} key_use_ctx;

static int key_use_row(const PGresult *r, int i, void *arg)
{
    key_use_ctx *x = arg;
    pg_copy_at(r, i, 0, x->user, INGEST_ID_MAX + 1);
    x->found = true;
    return 1;
}

bk_err storage_pg_api_key_use(storage *base, const char *key_sha256, char user[INGEST_ID_MAX + 1])
{
    storage_pg *st = (storage_pg *)base;
    pg_params p = {0};
    pg_text(&p, key_sha256);
    pg_int(&p, clock_wall_ms(&st->clock));
    key_use_ctx x = {user, false};
    bk_err err = pg_each_row_params(st,
                                    "UPDATE api_keys SET last_used_ms = $2 WHERE key_sha256 = $1"
                                    " AND revoked_ms IS NULL RETURNING user_name",
                                    &p, "using an API key", key_use_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_pg_api_key_revoke(storage *base, const char *user, const char *key_id)
{
    storage_pg *st = (storage_pg *)base;
    stmt_ctx x = {.sql = "WITH gone AS (UPDATE api_keys SET revoked_ms = $3 WHERE user_name = $1"
                         " AND substr(key_sha256, 1, 16) = $2 AND revoked_ms IS NULL"
                         " RETURNING 1) INSERT INTO audit_log (at_ms, actor, action, subject)"
                         " SELECT $3, $1, 'key revoke', $2 FROM gone LIMIT 1 RETURNING 1",
                  .what = "revoking an API key"};
    pg_text(&x.p, user);
    pg_text(&x.p, key_id);
    pg_int(&x.p, clock_wall_ms(&st->clock));
    bk_err err = stmt_run(st, &x);
    if (err == BK_OK && x.rows == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}

typedef struct keys_ctx {
    int (*fn)(const storage_api_key *k, void *ctx);
    void *ctx;
} keys_ctx;

static int keys_row(const PGresult *r, int i, void *arg)
{
    keys_ctx *x = arg;
    storage_api_key k;
    memset(&k, 0, sizeof k);
    pg_copy_at(r, i, 0, k.id, sizeof k.id);
    pg_copy_at(r, i, 1, k.label, sizeof k.label);
    k.created_ms = pg_int_at(r, i, 2);
    k.last_used_ms = pg_int_at(r, i, 3);
    return x->fn(&k, x->ctx) != 0;
}

bk_err storage_pg_api_key_foreach(storage *base, const char *user,
                                  int (*fn)(const storage_api_key *k, void *ctx), void *ctx)
{
    pg_params p = {0};
    pg_text(&p, user);
    keys_ctx x = {fn, ctx};
    return pg_each_row_params((storage_pg *)base,
                              "SELECT substr(key_sha256, 1, 16), label, created_ms, last_used_ms"
                              " FROM api_keys WHERE user_name = $1 AND revoked_ms IS NULL"
                              " ORDER BY created_ms DESC, key_sha256",
                              &p, "listing API keys", keys_row, &x);
}

/* ---- the audit log ---- */

bk_err storage_pg_audit_add(storage *base, const char *actor, const char *action,
                            const char *subject, const char *detail)
{
    storage_pg *st = (storage_pg *)base;
    stmt_ctx x = {.sql = "INSERT INTO audit_log (at_ms, actor, action, subject, detail)"
                         " VALUES ($1, $2, $3, $4, $5)",
                  .what = "writing the audit log"};
    pg_int(&x.p, clock_wall_ms(&st->clock));
    pg_text(&x.p, actor);
    pg_text(&x.p, action);
    pg_text(&x.p, subject);
    pg_text(&x.p, detail);
    return stmt_run(st, &x);
}

typedef struct audit_ctx {
    int (*fn)(const storage_audit_row *row, void *ctx);
    void *ctx;
} audit_ctx;

static int audit_row(const PGresult *r, int i, void *arg)
{
    audit_ctx *x = arg;
    storage_audit_row row = {
        .at_ms = pg_int_at(r, i, 0),
        .actor = text_at(r, i, 1),
        .action = text_at(r, i, 2),
        .subject = text_at(r, i, 3),
        .detail = pg_text_at(r, i, 4),
    };
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_pg_audit_foreach(storage *base, int limit,
                                int (*fn)(const storage_audit_row *row, void *ctx), void *ctx)
{
    pg_params p = {0};
    pg_int(&p, limit);
    audit_ctx x = {fn, ctx};
    return pg_each_row_params((storage_pg *)base,
                              "SELECT at_ms, actor, action, subject, detail FROM audit_log"
                              " ORDER BY id DESC LIMIT $1",
                              &p, "reading the audit log", audit_row, &x);
}

/* ---- the dashboard's figures ---- */

typedef struct counts_ctx {
    int (*fn)(const storage_dash_count *row, void *ctx);
    void *ctx;
} counts_ctx;

static int counts_row(const PGresult *r, int i, void *arg)
{
    counts_ctx *x = arg;
    storage_dash_count row = {
        .area = text_at(r, i, 0),
        .month = text_at(r, i, 1),
        .survey_id = text_at(r, i, 2),
        .survey_version = (int)pg_int_at(r, i, 3),
        .language = text_at(r, i, 4),
        .status = text_at(r, i, 5),
        .rapid = bool_at(r, i, 6),
        .repeat = bool_at(r, i, 7),
        .n = pg_int_at(r, i, 8),
    };
    return x->fn(&row, x->ctx) != 0;
}

/* ---- the tallies ---- */

typedef struct tally_ctx {
    storage_pg *st;
    int taken;
    /* the cohesion items the scores are counted with (dash_meta) */
    char *survey, *items, *reverse, *min;
    /* rebuilding: the items to count with instead */
    const char *new_survey, *new_items, *new_reverse;
    int new_min;
} tally_ctx;

static int tally_flag_row(const PGresult *r, int i, void *arg)
{
    (void)r;
    (void)i;
    *(bool *)arg = true;
    return 1;
}

static int tally_meta_row(const PGresult *r, int i, void *arg)
{
    tally_ctx *x = arg;
    const char *v[4] = {pg_text_at(r, i, 0), pg_text_at(r, i, 1), pg_text_at(r, i, 2),
                        pg_text_at(r, i, 3)};
    char **out[4] = {&x->survey, &x->items, &x->reverse, &x->min};
    for (int k = 0; k < 4; k++)
        *out[k] = v[k] ? strdup(v[k]) : NULL;
    return 1;
}

#define PG_TALLY_META                                                                              \
    "SELECT (SELECT value FROM dash_meta WHERE key = 'cohesion_survey'),"                          \
    " (SELECT value FROM dash_meta WHERE key = 'cohesion_items'),"                                 \
    " (SELECT value FROM dash_meta WHERE key = 'cohesion_reverse'),"                               \
    " (SELECT value FROM dash_meta WHERE key = 'cohesion_min')"

static void tally_meta_free(tally_ctx *x)
{
    free(x->survey);
    free(x->items);
    free(x->reverse);
    free(x->min);
    x->survey = x->items = x->reverse = x->min = NULL;
}

/* One step of the catch-up, in one statement under the tallier's lock:
 * up to PG_TALLY_STEP responses not tallied yet are marked and counted
 * into dash_counts, dash_values and (by dash_meta's items) dash_scores;
 * every part sees the same snapshot, so none is counted twice or lost. */
static bk_err tally_step_tx(pg_conn *c, void *arg)
{
    tally_ctx *x = arg;
    x->taken = 0;
    tally_meta_free(x);
    bk_err err = pg_exec(c, PG_TALLY_LOCK, NULL, NULL, "waiting for the tallies");
    PGresult *r;
    if (err == BK_OK)
        err = pg_exec(c, PG_TALLY_META, NULL, &r, "reading the tallies' items");
    if (err != BK_OK)
        return err;
    if (PQntuples(r) == 1)
        tally_meta_row(r, 0, x);
    PQclear(r);
    pg_params p = {0};
    pg_text(&p, x->survey);
    pg_text(&p, x->items ? x->items : "[]");
    pg_text(&p, x->reverse ? x->reverse : "[]");
    pg_int(&p, x->min ? atoi(x->min) : 1);
    pg_int(&p, PG_TALLY_STEP);
    err = pg_exec(
        c,
        "WITH new AS (UPDATE responses SET tallied = 1 WHERE response_id IN (SELECT response_id"
        " FROM responses WHERE tallied = 0 LIMIT $5) RETURNING *),"
        " nr AS (" PG_TALLY_KEYED(
            "new r") "),"
                     " c AS (INSERT INTO dash_counts (" PG_TALLY_COLS ", n) SELECT " PG_TALLY_COLS
                     ", count(*) FROM nr GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, "
                     "6, 7, 8"
                     " ON CONFLICT (" PG_TALLY_COLS ") DO UPDATE SET n = dash_counts.n + excluded.n"
                     " RETURNING 1),"
                     " v AS (INSERT INTO dash_values (" PG_TALLY_COLS ", question_id, value, n)"
                     " SELECT nr.area, nr.survey_id, nr.month, nr.survey_version, nr.language, "
                     "nr.status,"
                     " nr.rapid, nr.repeat, a.question_id, e.v, count(*) FROM nr JOIN answers a"
                     " ON a.response_id = nr.response_id JOIN dash_questions q ON q.survey_id = "
                     "nr.survey_id"
                     " AND q.version = nr.survey_version AND q.question_id = a.question_id"
                     " CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN"
                     " jsonb_typeof(a.value_json::jsonb) = 'array' THEN a.value_json::jsonb"
                     " ELSE jsonb_build_array(a.value_json::jsonb) END) AS e(v)"
                     " WHERE q.type IN ('scale', 'smiley', 'choice', 'multi', 'number') AND e.v IS "
                     "NOT NULL"
                     " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, "
                     "10"
                     " ON CONFLICT (" PG_TALLY_COLS ", question_id, value) DO UPDATE SET"
                     " n = dash_values.n + excluded.n RETURNING 1),"
                     " s AS (" PG_TALLY_SCORES " RETURNING 1)"
                     " SELECT count(*) FROM new",
        &p, &r, "tallying responses");
    if (err != BK_OK)
        return err;
    x->taken = (int)pg_int_at(r, 0, 0);
    PQclear(r);
    return BK_OK;
}

/* Adds the responses not tallied yet to the tallies, a step at a time.
 * After a large catch-up (an upgrade, an import) the responses are
 * vacuumed: the index of the untallied ones would otherwise hold every
 * marked row as a dead entry, and each page's look for new ones would
 * wade through them until autovacuum came by (seconds a page). */
static bk_err pg_dash_catch_up(storage_pg *st)
{
    tally_ctx x = {.st = st};
    bk_err err = BK_OK;
    int64_t tallied = 0;
    for (;;) {
        bool pending = false;
        err = pg_each_row(st, "SELECT 1 FROM responses WHERE tallied = 0 LIMIT 1",
                          "looking for responses to tally", tally_flag_row, &pending);
        if (err != BK_OK || !pending)
            break;
        err = pg_run(st, NULL, tally_step_tx, &x);
        tallied += x.taken;
        if (err != BK_OK || x.taken < PG_TALLY_STEP)
            break;
    }
    tally_meta_free(&x);
    if (err == BK_OK && tallied >= PG_TALLY_VACUUM_AFTER) {
        err = pg_once(st, "VACUUM (ANALYZE) responses", NULL, NULL, "vacuuming the responses");
        log_info("storage", "%lld responses tallied; the responses vacuumed", (long long)tallied);
    }
    return err;
}

/* Counts dash_scores again with other items, under the tallier's lock. */
static bk_err tally_rebuild_tx(pg_conn *c, void *arg)
{
    tally_ctx *x = arg;
    bk_err err = pg_exec(c, PG_TALLY_LOCK, NULL, NULL, "waiting for the tallies");
    pg_params p = {0};
    pg_text(&p, x->new_survey);
    pg_text(&p, x->new_items);
    pg_text(&p, x->new_reverse);
    pg_int(&p, x->new_min);
    if (err == BK_OK)
        err = pg_exec(c,
                      "INSERT INTO dash_meta (key, value) VALUES ('cohesion_survey', $1),"
                      " ('cohesion_items', $2), ('cohesion_reverse', $3),"
                      " ('cohesion_min', $4::text) ON CONFLICT (key) DO UPDATE SET"
                      " value = excluded.value",
                      &p, NULL, "noting the tallies' items");
    if (err == BK_OK)
        err = pg_exec(c, "DELETE FROM dash_scores", NULL, NULL, "counting the scores again");
    if (err == BK_OK)
        err = pg_exec(
            c, "WITH nr AS (" PG_TALLY_KEYED("responses r") " AND r.tallied = 1) " PG_TALLY_SCORES,
            &p, NULL, "counting the scores again");
    return err;
}

static bk_err pg_dash_scores_for(storage_pg *st, const char *survey_id, const char *items,
                                 const char *reverse, int min_answered)
{
    tally_ctx x = {.st = st};
    bk_err err = pg_each_row(st, PG_TALLY_META, "reading the tallies' items", tally_meta_row, &x);
    char min[16];
    snprintf(min, sizeof min, "%d", min_answered);
    bool same = err == BK_OK && x.survey && x.items && x.reverse && x.min &&
                strcmp(x.survey, survey_id) == 0 && strcmp(x.items, items) == 0 &&
                strcmp(x.reverse, reverse) == 0 && strcmp(x.min, min) == 0;
    tally_meta_free(&x);
    if (err != BK_OK || same)
        return err;
    x.new_survey = survey_id;
    x.new_items = items;
    x.new_reverse = reverse;
    x.new_min = min_answered;
    err = pg_run(st, NULL, tally_rebuild_tx, &x);
    if (err == BK_OK)
        log_info("storage", "the cohesion scores counted again for survey %s", survey_id);
    return err;
}

bk_err storage_pg_dash_counts(storage *base, const storage_dash_filter *f,
                              int (*fn)(const storage_dash_count *row, void *ctx), void *ctx)
{
    storage_dash_filter all = *f; /* the flags are in the rows, not in the filter */
    all.with_rapid = all.with_repeat = true;
    bk_err err = pg_dash_catch_up((storage_pg *)base);
    if (err != BK_OK)
        return err;
    pg_params p = {0};
    dash_params(&p, &all);
    counts_ctx x = {fn, ctx};
    return pg_each_row_params(
        (storage_pg *)base,
        "SELECT t.area, t.month, t.survey_id, t.survey_version, t.language,"
        " t.status, t.rapid, t.repeat, sum(t.n) FROM dash_counts t" PG_TALLY_WHERE
        " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
        &p, "counting responses", counts_row, &x);
}

typedef struct values_ctx {
    int (*fn)(const storage_dash_value *row, void *ctx);
    void *ctx;
} values_ctx;

static int values_row(const PGresult *r, int i, void *arg)
{
    values_ctx *x = arg;
    storage_dash_value row = {
        .question_id = text_at(r, i, 0),
        .month = text_at(r, i, 1),
        .value = text_at(r, i, 2),
        .n = pg_int_at(r, i, 3),
    };
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_pg_dash_values(storage *base, const storage_dash_filter *f,
                              const char *question_ids_json,
                              int (*fn)(const storage_dash_value *row, void *ctx), void *ctx)
{
    bk_err err = pg_dash_catch_up((storage_pg *)base);
    if (err != BK_OK)
        return err;
    pg_params p = {0};
    dash_params(&p, f);
    pg_text(&p, question_ids_json);
    values_ctx x = {fn, ctx};
    return pg_each_row_params(
        (storage_pg *)base,
        "SELECT t.question_id, t.month, t.value, sum(t.n) FROM dash_values t" PG_TALLY_WHERE
        " AND t.question_id" PG_IN_IDS(10) " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        &p, "counting answers", values_row, &x);
}

typedef struct score_ctx {
    int (*fn)(const storage_dash_score *row, void *ctx);
    void *ctx;
} score_ctx;

static int score_row(const PGresult *r, int i, void *arg)
{
    score_ctx *x = arg;
    const char *sum = pg_text_at(r, i, 3);
    storage_dash_score row = {
        .area = text_at(r, i, 0),
        .month = text_at(r, i, 1),
        .respondents = pg_int_at(r, i, 2),
        .score_sum = sum ? strtod(sum, NULL) : 0.0,
    };
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_pg_dash_cohesion(storage *base, const storage_dash_filter *f, const char *items_json,
                                const char *reverse_json, int min_answered,
                                int (*fn)(const storage_dash_score *row, void *ctx), void *ctx)
{
    storage_pg *st = (storage_pg *)base;
    bk_err err = pg_dash_catch_up(st);
    if (err == BK_OK)
        err = pg_dash_scores_for(st, f->survey_id, items_json, reverse_json, min_answered);
    if (err != BK_OK)
        return err;
    pg_params p = {0};
    dash_params(&p, f);
    score_ctx x = {fn, ctx};
    return pg_each_row_params(st,
                              "SELECT t.area, t.month, sum(t.n), sum(t.score_sum) FROM"
                              " dash_scores t" PG_TALLY_WHERE " GROUP BY 1, 2 ORDER BY 1, 2",
                              &p, "computing the cohesion score", score_row, &x);
}

typedef struct texts_ctx {
    int64_t *total;
    int (*fn)(const storage_dash_text *row, void *ctx);
    void *ctx;
} texts_ctx;

static int texts_row(const PGresult *r, int i, void *arg)
{
    texts_ctx *x = arg;
    bool hidden = bool_at(r, i, 7);
    storage_dash_text row = {
        .response_id = text_at(r, i, 0),
        .question_id = text_at(r, i, 1),
        .text = text_at(r, i, 2),
        .started_at = text_at(r, i, 3),
        .language = text_at(r, i, 4),
        .kiosk_id = text_at(r, i, 5),
        .personal = bool_at(r, i, 6),
        .hidden = hidden,
        .hidden_reason = hidden ? text_at(r, i, 8) : NULL,
        .hidden_by = hidden ? text_at(r, i, 9) : NULL,
    };
    *x->total = pg_int_at(r, i, 10);
    return x->fn(&row, x->ctx) != 0;
}

bk_err storage_pg_dash_texts(storage *base, const storage_dash_filter *f,
                             const char *question_ids_json, const char *search, bool with_hidden,
                             int64_t offset, int limit, int64_t *total,
                             int (*fn)(const storage_dash_text *row, void *ctx), void *ctx)
{
    pg_params p = {0};
    dash_params(&p, f);
    pg_text(&p, question_ids_json);
    pg_text(&p, search && search[0] ? search : NULL);
    pg_int(&p, with_hidden ? 1 : 0);
    pg_int(&p, limit);
    pg_int(&p, offset);
    texts_ctx x = {total, fn, ctx};
    return pg_each_row_params(
        (storage_pg *)base,
        "SELECT r.response_id, a.question_id, a.value_json::jsonb #>> '{}', r.started_at,"
        " r.language, r.kiosk_id, (r.flags LIKE '%\"personal-data\"%'),"
        " (coalesce(m.hidden, 0) <> 0), m.reason, m.by_user, count(*) OVER ()" PG_DASH_FROM
        " JOIN answers a ON a.response_id = r.response_id LEFT JOIN moderation m"
        " ON m.response_id = a.response_id AND m.question_id = a.question_id" PG_DASH_WHERE
        " AND a.question_id" PG_IN_IDS(
            10) " AND jsonb_typeof(a.value_json::jsonb) = 'string'"
                " AND ($11::text IS NULL OR"
                " strpos(lower(a.value_json::jsonb #>> '{}'), lower($11::text)) > 0)"
                " AND ($12::integer <> 0 OR coalesce(m.hidden, 0) = 0)"
                " ORDER BY r.started_ms DESC, r.response_id, a.position"
                " LIMIT $13::bigint OFFSET $14::bigint",
        &p, "listing ideas", texts_row, &x);
}

typedef struct area_ctx {
    char *area;
    bool found;
} area_ctx;

static int area_row(const PGresult *r, int i, void *arg)
{
    area_ctx *x = arg;
    pg_copy_at(r, i, 0, x->area, INGEST_ID_MAX + 1);
    x->found = true;
    return 1;
}

bk_err storage_pg_response_area(storage *base, const char *response_id,
                                char area[INGEST_ID_MAX + 1])
{
    pg_params p = {0};
    pg_text(&p, response_id);
    area_ctx x = {area, false};
    bk_err err = pg_each_row_params((storage_pg *)base,
                                    "SELECT " PG_DASH_AREA " FROM responses r LEFT JOIN kiosks k"
                                    " ON k.id = r.kiosk_id WHERE r.response_id = $1",
                                    &p, "reading a response's area", area_row, &x);
    if (err == BK_OK && !x.found)
        err = BK_ERR_NOT_FOUND;
    return err;
}

bk_err storage_pg_dash_moderate(storage *base, const char *response_id, const char *question_id,
                                bool hide, const char *reason, const char *actor)
{
    storage_pg *st = (storage_pg *)base;
    char subject[2 * INGEST_ID_MAX + 2];
    snprintf(subject, sizeof subject, "%s/%s", response_id, question_id);
    stmt_ctx x = {
        .sql = "WITH up AS (INSERT INTO moderation (response_id, question_id, hidden, reason,"
               " by_user, at_ms) SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM"
               " answers WHERE response_id = $1 AND question_id = $2)"
               " ON CONFLICT (response_id, question_id) DO UPDATE SET hidden = excluded.hidden,"
               " reason = excluded.reason, by_user = excluded.by_user, at_ms = excluded.at_ms"
               " RETURNING 1) INSERT INTO audit_log (at_ms, actor, action, subject, detail)"
               " SELECT $6, $5, $7, $8, $4 FROM up RETURNING 1",
        .what = "moderating an answer"};
    pg_text(&x.p, response_id);
    pg_text(&x.p, question_id);
    pg_int(&x.p, hide ? 1 : 0);
    pg_text(&x.p, reason);
    pg_text(&x.p, actor);
    pg_int(&x.p, clock_wall_ms(&st->clock));
    pg_text(&x.p, hide ? "moderate hide" : "moderate show");
    pg_text(&x.p, subject);
    bk_err err = stmt_run(st, &x);
    if (err == BK_OK && x.rows == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}
