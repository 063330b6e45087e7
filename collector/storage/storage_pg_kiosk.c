/* storage_pg_kiosk.c: kiosks, their tokens and heartbeats, and surveys
 * (definitions, where they are published, and the body a kiosk downloads)
 * on PostgreSQL. The same rules as storage_kiosk.c and storage_survey.c,
 * one statement per round trip where one statement can do it. */
#include "storage_pg.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The kiosk columns kiosk_at reads. */
#define PG_KIOSK_SELECT                                                                            \
    "SELECT k.id, k.area, k.revoked_ms IS NOT NULL, k.created_ms,"                                 \
    " coalesce(s.received_ms, 0), coalesce(s.queued, 0), coalesce(s.rejected, 0), s.last_error,"   \
    " s.body FROM kiosks k LEFT JOIN kiosk_status s ON s.kiosk_id = k.id"

/* The targets that reach kiosk $1 in area $2 (NULL: none). */
#define PG_TARGETS_OF_KIOSK                                                                        \
    " (kind = 'kiosk' AND target = $1) OR (kind = 'area' AND target = $2::text) OR kind = 'all'"

static void kiosk_at(const PGresult *r, int row, storage_kiosk *k)
{
    memset(k, 0, sizeof *k);
    pg_copy_at(r, row, 0, k->id, sizeof k->id);
    pg_copy_at(r, row, 1, k->area, sizeof k->area);
    const char *revoked = pg_text_at(r, row, 2);
    k->revoked = revoked && revoked[0] == 't';
    k->created_ms = pg_int_at(r, row, 3);
    k->last_heartbeat_ms = pg_int_at(r, row, 4);
    k->queued = pg_int_at(r, row, 5);
    k->rejected = pg_int_at(r, row, 6);
    pg_copy_at(r, row, 7, k->last_error, sizeof k->last_error);
    if ((size_t)PQgetlength(r, row, 8) < sizeof k->status_body) /* else "": never cut JSON */
        pg_copy_at(r, row, 8, k->status_body, sizeof k->status_body);
}

bk_err storage_pg_kiosk_add(storage *base, const char *kiosk_id, const char *area,
                            const char *token_sha256)
{
    storage_pg *st = (storage_pg *)base;
    pg_conn *c;
    bk_err err = pg_get(st, &c);
    if (err != BK_OK)
        return err;
    pg_params p = {0};
    pg_text(&p, kiosk_id);
    pg_text(&p, area && area[0] ? area : NULL);
    pg_text(&p, token_sha256);
    pg_int(&p, clock_wall_ms(&st->clock));
    /* Not retried: a lost answer to an insert that did happen would turn
     * into "exists" the second time. */
    err = pg_exec(c,
                  "INSERT INTO kiosks (id, area, token_sha256, created_ms) VALUES ($1, $2, $3, $4)",
                  &p, NULL, "adding a kiosk");
    pg_put(st, c);
    return err; /* BK_ERR_STATE: the id or the token is taken */
}

static bk_err kiosk_lookup(storage_pg *st, const char *where, const char *key, storage_kiosk *out)
{
    char sql[512];
    snprintf(sql, sizeof sql, "%s WHERE %s = $1", PG_KIOSK_SELECT, where);
    pg_params p = {0};
    pg_text(&p, key);
    PGresult *r;
    bk_err err = pg_once(st, sql, &p, &r, "reading a kiosk");
    if (err != BK_OK)
        return err;
    if (PQntuples(r) == 0)
        err = BK_ERR_NOT_FOUND;
    else
        kiosk_at(r, 0, out);
    PQclear(r);
    return err;
}

bk_err storage_pg_kiosk_by_token(storage *base, const char *token_sha256, storage_kiosk *out)
{
    return kiosk_lookup((storage_pg *)base, "k.token_sha256", token_sha256, out);
}

bk_err storage_pg_kiosk_get(storage *base, const char *kiosk_id, storage_kiosk *out)
{
    return kiosk_lookup((storage_pg *)base, "k.id", kiosk_id, out);
}

bk_err storage_pg_kiosk_revoke(storage *base, const char *kiosk_id)
{
    storage_pg *st = (storage_pg *)base;
    pg_params p = {0};
    pg_text(&p, kiosk_id);
    pg_int(&p, clock_wall_ms(&st->clock));
    PGresult *r;
    /* Revoking twice changes nothing: safe to send again. */
    bk_err err = pg_once(st,
                         "UPDATE kiosks SET revoked_ms = coalesce(revoked_ms, $2) WHERE id = $1"
                         " RETURNING 1",
                         &p, &r, "revoking a kiosk");
    if (err != BK_OK)
        return err;
    if (PQntuples(r) == 0)
        err = BK_ERR_NOT_FOUND;
    else
        log_info("storage", "kiosk %s revoked", kiosk_id);
    PQclear(r);
    return err;
}

typedef struct kiosks_ctx {
    int (*fn)(const storage_kiosk *k, void *ctx);
    void *ctx;
} kiosks_ctx;

static int kiosk_row(const PGresult *r, int i, void *arg)
{
    kiosks_ctx *x = arg;
    storage_kiosk k;
    kiosk_at(r, i, &k);
    return x->fn(&k, x->ctx);
}

bk_err storage_pg_kiosk_foreach(storage *base, int (*fn)(const storage_kiosk *k, void *ctx),
                                void *ctx)
{
    kiosks_ctx x = {fn, ctx};
    return pg_each_row((storage_pg *)base, PG_KIOSK_SELECT " ORDER BY k.id", "listing kiosks",
                       kiosk_row, &x);
}

bk_err storage_pg_status_put(storage *base, const char *kiosk_id, const char *body, int64_t queued,
                             int64_t rejected, const char *last_error)
{
    storage_pg *st = (storage_pg *)base;
    pg_params p = {0};
    pg_text(&p, kiosk_id);
    pg_int(&p, clock_wall_ms(&st->clock));
    pg_int(&p, queued);
    pg_int(&p, rejected);
    pg_text(&p, last_error);
    pg_text(&p, body);
    /* The latest and the history in one statement: one transaction. A
     * heartbeat sent twice is two heartbeats, which is harmless. */
    return pg_once(st,
                   "WITH latest AS (INSERT INTO kiosk_status (kiosk_id, received_ms, queued,"
                   " rejected, last_error, body) VALUES ($1, $2, $3, $4, $5, $6)"
                   " ON CONFLICT (kiosk_id) DO UPDATE SET received_ms = excluded.received_ms,"
                   " queued = excluded.queued, rejected = excluded.rejected,"
                   " last_error = excluded.last_error, body = excluded.body)"
                   " INSERT INTO kiosk_status_history (kiosk_id, received_ms, queued, rejected,"
                   " last_error, body) VALUES ($1, $2, $3, $4, $5, $6)",
                   &p, NULL, "storing a heartbeat"); /* BK_ERR_NOT_FOUND: no such kiosk */
}

/* ---- surveys ---- */

typedef struct publish_ctx {
    storage_pg *st;
    const char *survey_id, *json, *sha, *target_id;
    int version;
    storage_target target;
} publish_ctx;

static bk_err publish_tx(pg_conn *c, void *arg)
{
    publish_ctx *x = arg;
    const int64_t now = clock_wall_ms(&x->st->clock);
    pg_params p = {0};
    pg_text(&p, x->survey_id);
    pg_int(&p, x->version);
    pg_text(&p, x->json);
    pg_text(&p, x->sha);
    pg_int(&p, now);
    /* A publisher at the same moment waits here for the first, then
     * compares with what it stored. */
    PGresult *r;
    bk_err err = pg_exec(c,
                         "INSERT INTO surveys (survey_id, version, definition, sha256,"
                         " published_ms) VALUES ($1, $2, $3, $4, $5)"
                         " ON CONFLICT (survey_id, version) DO NOTHING RETURNING 1",
                         &p, &r, "storing a survey");
    if (err != BK_OK)
        return err;
    bool inserted = PQntuples(r) == 1;
    PQclear(r);
    if (inserted) {
        /* Its questions' types, for the dashboard's tallies. */
        pg_params q = {0};
        pg_text(&q, x->survey_id);
        pg_int(&q, x->version);
        pg_text(&q, x->json);
        err = pg_exec(c,
                      "INSERT INTO dash_questions (survey_id, version, question_id, type)"
                      " SELECT $1, $2, q->>'id', q->>'type' FROM"
                      " jsonb_array_elements(coalesce($3::jsonb->'questions', '[]')) q"
                      " WHERE q->>'id' IS NOT NULL AND q->>'type' IS NOT NULL"
                      " ON CONFLICT DO NOTHING",
                      &q, NULL, "noting a survey's questions");
        if (err != BK_OK)
            return err;
    } else {
        pg_params q = {0};
        pg_text(&q, x->survey_id);
        pg_int(&q, x->version);
        err = pg_exec(c, "SELECT sha256 FROM surveys WHERE survey_id = $1 AND version = $2", &q, &r,
                      "reading a survey");
        if (err != BK_OK)
            return err;
        const char *held = PQntuples(r) ? pg_text_at(r, 0, 0) : NULL;
        if (!held || strcmp(held, x->sha) != 0)
            err = BK_ERR_STATE; /* same version, other text: the caller says so */
        PQclear(r);
        if (err != BK_OK)
            return err;
    }
    pg_params t = {0};
    pg_text(&t, storage_target_kind(x->target));
    pg_text(&t, x->target_id);
    pg_text(&t, x->survey_id);
    pg_int(&t, x->version);
    pg_int(&t, now);
    return pg_exec(c,
                   "INSERT INTO survey_targets (kind, target, survey_id, version, published_ms)"
                   " VALUES ($1, $2, $3, $4, $5)",
                   &t, NULL, "publishing a survey");
}

bk_err storage_pg_survey_publish(storage *base, const char *survey_id, int version,
                                 const char *json, const char *sha, storage_target target,
                                 const char *target_id)
{
    publish_ctx x = {(storage_pg *)base, survey_id, json, sha, target_id, version, target};
    bk_err err = pg_run(x.st, NULL, publish_tx, &x);
    if (err == BK_OK)
        log_info("storage", "survey %s version %d published to %s%s%s", survey_id, version,
                 storage_target_kind(target), target_id[0] ? " " : "", target_id);
    return err;
}

bk_err storage_pg_survey_get(storage *base, const char *survey_id, int version, char **json_out)
{
    pg_params p = {0};
    pg_text(&p, survey_id);
    pg_int(&p, version);
    PGresult *r;
    bk_err err = pg_once((storage_pg *)base,
                         "SELECT definition FROM surveys WHERE survey_id = $1 AND version = $2", &p,
                         &r, "reading a survey");
    if (err != BK_OK)
        return err;
    if (PQntuples(r) == 0) {
        err = BK_ERR_NOT_FOUND;
    } else {
        *json_out = strdup(PQgetvalue(r, 0, 0));
        if (!*json_out)
            err = BK_ERR_NOMEM;
    }
    PQclear(r);
    return err;
}

typedef struct for_kiosk_ctx {
    const char *kiosk_id;
    json_t *surveys; /* filled */
    char active[INGEST_ID_MAX + 1];
} for_kiosk_ctx;

static bk_err for_kiosk_tx(pg_conn *c, void *arg)
{
    for_kiosk_ctx *x = arg;
    json_array_clear(x->surveys);
    pg_params p = {0};
    pg_text(&p, x->kiosk_id);
    PGresult *r;
    bk_err err = pg_exec(c, "SELECT area FROM kiosks WHERE id = $1", &p, &r, "reading a kiosk");
    if (err != BK_OK)
        return err;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return BK_ERR_NOT_FOUND;
    }
    char area[INGEST_ID_MAX + 1];
    pg_copy_at(r, 0, 0, area, sizeof area);
    PQclear(r);
    pg_text(&p, area[0] ? area : NULL);
    /* Each survey reaching the kiosk at the highest version that reaches it. */
    err = pg_exec(c,
                  "SELECT s.survey_id, s.definition FROM surveys s JOIN"
                  " (SELECT survey_id, max(version) AS version FROM survey_targets"
                  " WHERE" PG_TARGETS_OF_KIOSK " GROUP BY survey_id) t"
                  " ON t.survey_id = s.survey_id AND t.version = s.version ORDER BY s.survey_id",
                  &p, &r, "reading surveys");
    if (err != BK_OK)
        return err;
    for (int i = 0; err == BK_OK && i < PQntuples(r); i++) {
        json_t *def = json_loads(PQgetvalue(r, i, 1), 0, NULL);
        if (!def) {
            log_error("storage", "stored definition of survey %s is not JSON", PQgetvalue(r, i, 0));
            err = BK_ERR_CORRUPT;
        } else if (json_array_append_new(x->surveys, def) != 0) {
            err = BK_ERR_NOMEM;
        }
    }
    PQclear(r);
    if (err == BK_OK && json_array_size(x->surveys) == 0)
        err = BK_ERR_NOT_FOUND;
    if (err != BK_OK)
        return err;
    /* The latest publication to the kiosk, else to its area, else to all. */
    err = pg_exec(c,
                  "SELECT survey_id FROM survey_targets WHERE" PG_TARGETS_OF_KIOSK
                  " ORDER BY CASE kind WHEN 'kiosk' THEN 0 WHEN 'area' THEN 1 ELSE 2 END,"
                  " seq DESC LIMIT 1",
                  &p, &r, "reading the active survey");
    if (err != BK_OK)
        return err;
    pg_copy_at(r, 0, 0, x->active, sizeof x->active);
    PQclear(r);
    return BK_OK;
}

bk_err storage_pg_surveys_for_kiosk(storage *base, const char *kiosk_id, char **body_out,
                                    char etag[70])
{
    for_kiosk_ctx x = {.kiosk_id = kiosk_id, .surveys = json_array()};
    if (!x.surveys)
        return BK_ERR_NOMEM;
    bk_err err = pg_run((storage_pg *)base, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                        for_kiosk_tx, &x);
    if (err != BK_OK) {
        json_decref(x.surveys);
        return err;
    }
    return storage_surveys_body(x.surveys, x.active, body_out, etag);
}
