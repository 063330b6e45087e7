/* storage_sqlite.c: the SQLite backend's frame: opening (durability
 * settings, the schema migration), the pool of connections, every prepared
 * statement, error mapping, transactions, the version and the integrity
 * check. Kiosks and heartbeats are in storage_kiosk.c, batches and reading
 * responses back in storage_batch.c, surveys in storage_survey.c, the
 * schema in storage_schema.c.
 *
 * Every statement is prepared once per connection with bound parameters;
 * no SQL is ever built from values. */
#include "storage_sqlite.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sqlite_error.h"

/* The kiosk columns read by storage_kiosk.c (kiosk_from_row). */
#define KIOSK_SELECT                                                                               \
    "SELECT k.id, k.area, k.revoked_ms IS NOT NULL, k.created_ms,"                                 \
    " coalesce(s.received_ms, 0), coalesce(s.queued, 0), coalesce(s.rejected, 0), s.last_error,"   \
    " s.body FROM kiosks k LEFT JOIN kiosk_status s ON s.kiosk_id = k.id"

/* The dashboard's responses (storage.h): ?1 area, ?2 survey, ?3 version
 * (0: any), ?4 language, ?5 status, ?6 and ?7 the months (inclusive; NULL
 * open), ?8 and ?9 whether rapid and repeat ones count. TALLY_WHERE is the
 * same over a tally table t. */
#define DASH_AREA "coalesce(r.area, k.area, '')"
#define DASH_RAPID "r.flags LIKE '%\"rapid\"%'"
#define DASH_REPEAT "r.flags LIKE '%\"repeat\"%'"
#define DASH_FROM " FROM responses r LEFT JOIN kiosks k ON k.id = r.kiosk_id"
#define DASH_WHERE                                                                                 \
    " WHERE r.quarantine_reason IS NULL AND (?1 IS NULL OR " DASH_AREA " = ?1)"                    \
    " AND (?2 IS NULL OR r.survey_id = ?2) AND (?3 = 0 OR r.survey_version = ?3)"                  \
    " AND (?4 IS NULL OR r.language = ?4) AND (?5 IS NULL OR r.status = ?5)"                       \
    " AND (?6 IS NULL OR substr(r.started_at, 1, 7) >= ?6)"                                        \
    " AND (?7 IS NULL OR substr(r.started_at, 1, 7) <= ?7)"                                        \
    " AND (?8 <> 0 OR NOT " DASH_RAPID ") AND (?9 <> 0 OR NOT " DASH_REPEAT ")"

#define TALLY_WHERE                                                                                \
    " WHERE (?1 IS NULL OR t.area = ?1) AND (?2 IS NULL OR t.survey_id = ?2)"                      \
    " AND (?3 = 0 OR t.survey_version = ?3) AND (?4 IS NULL OR t.language = ?4)"                   \
    " AND (?5 IS NULL OR t.status = ?5) AND (?6 IS NULL OR t.month >= ?6)"                         \
    " AND (?7 IS NULL OR t.month <= ?7) AND (?8 <> 0 OR t.rapid = 0) AND (?9 <> 0 OR t.repeat = "  \
    "0)"
/* A tally row's key from a response r (and its kiosk k). */
#define TALLY_KEY                                                                                  \
    DASH_AREA " AS area, r.survey_id, substr(r.started_at, 1, 7) AS month, r.survey_version,"      \
              " r.language, r.status, " DASH_RAPID " AS rapid, " DASH_REPEAT " AS repeat"
#define TALLY_COLS "area, survey_id, month, survey_version, language, status, rapid, repeat"
/* The cohesion score of each response of src (a FROM clause giving r and
 * k), by dash_meta's items, grouped into dash_scores. */
#define TALLY_SCORES(src)                                                                          \
    "INSERT INTO dash_scores (" TALLY_COLS ", n, score_sum) SELECT " TALLY_COLS ", count(*),"      \
    " sum(score) FROM (SELECT " TALLY_KEY ", (avg(CASE WHEN a.question_id IN (SELECT value FROM"   \
    " json_each((SELECT value FROM dash_meta WHERE key = 'cohesion_reverse')))"                    \
    " THEN 6 - CAST(a.value_json AS INTEGER) ELSE CAST(a.value_json AS INTEGER) END) - 1) * 2.5"   \
    " AS score FROM " src " CROSS JOIN answers a ON a.response_id = r.response_id"                 \
    " WHERE r.quarantine_reason IS NULL AND r.survey_id ="                                         \
    " (SELECT value FROM dash_meta WHERE key = 'cohesion_survey') AND a.question_id IN"            \
    " (SELECT value FROM json_each((SELECT value FROM dash_meta WHERE key = 'cohesion_items')))"   \
    " AND json_type(a.value_json) = 'integer' AND CAST(a.value_json AS INTEGER) BETWEEN 1 AND 5"   \
    " GROUP BY r.response_id, 1, 2, 3, 4, 5, 6, 7, 8 HAVING count(*) >="                           \
    " (SELECT CAST(value AS INTEGER) FROM dash_meta WHERE key = 'cohesion_min'))"                  \
    " WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ON CONFLICT (" TALLY_COLS ") DO UPDATE SET"       \
    " n = n + excluded.n, score_sum = score_sum + excluded.score_sum"
#define TALLY_NEW_SRC                                                                              \
    "temp.dash_new d CROSS JOIN responses r ON r.response_id = d.response_id"                      \
    " LEFT JOIN kiosks k ON k.id = r.kiosk_id"

/* The targets that reach kiosk ?1 in area ?2 (NULL: none). */
#define TARGETS_OF_KIOSK                                                                           \
    " (kind = 'kiosk' AND target = ?1) OR (kind = 'area' AND target = ?2) OR kind = 'all'"

static const char *const storage_sql[SQ_COUNT_] = {
    [SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [SQ_BEGIN_READ] = "BEGIN",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [SQ_KIOSK_ADD] = "INSERT INTO kiosks (id, area, token_sha256, created_ms)"
                     " VALUES (?1, ?2, ?3, ?4)",
    [SQ_KIOSK_BY_TOKEN] = KIOSK_SELECT " WHERE k.token_sha256 = ?1",
    [SQ_KIOSK_GET] = KIOSK_SELECT " WHERE k.id = ?1",
    [SQ_KIOSK_REVOKE] = "UPDATE kiosks SET revoked_ms = coalesce(revoked_ms, ?2) WHERE id = ?1",
    [SQ_KIOSK_ALL] = KIOSK_SELECT " ORDER BY k.id",
    [SQ_KIOSK_AREA] = "SELECT area FROM kiosks WHERE id = ?1",
    [SQ_BATCH_INSERT] = "INSERT INTO batches (batch_id, kiosk_id, received_ms, n_responses,"
                        " accepted, duplicates, conflicts, quarantined)"
                        " VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 0) ON CONFLICT (batch_id) DO NOTHING",
    [SQ_BATCH_COUNTS] = "UPDATE batches SET accepted = ?2, duplicates = ?3, conflicts = ?4,"
                        " quarantined = ?5 WHERE batch_id = ?1",
    [SQ_RESPONSE_INSERT] = "INSERT INTO responses (response_id, kiosk_id, batch_id, seq,"
                           " survey_id, survey_version, mode, status, language, area,"
                           " started_at, started_ms, completed_at, completed_ms, flags, body,"
                           " body_sha256, received_ms, quarantine_reason)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, ?18, ?19) ON CONFLICT (response_id) DO NOTHING",
    [SQ_RESPONSE_HASH] = "SELECT body_sha256 FROM responses WHERE response_id = ?1",
    [SQ_ANSWER_INSERT] = "INSERT INTO answers (response_id, position, question_id, value_json)"
                         " VALUES (?1, ?2, ?3, ?4)",
    [SQ_CONFLICT_INSERT] = "INSERT INTO response_conflicts (response_id, kiosk_id, batch_id,"
                           " body, body_sha256, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                           " ON CONFLICT (response_id, body_sha256) DO NOTHING",
    [SQ_SURVEY_INSERT] = "INSERT INTO surveys (survey_id, version, definition, sha256,"
                         " published_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
                         " ON CONFLICT (survey_id, version) DO NOTHING",
    [SQ_SURVEY_HASH] = "SELECT sha256 FROM surveys WHERE survey_id = ?1 AND version = ?2",
    [SQ_TARGET_INSERT] = "INSERT INTO survey_targets (kind, target, survey_id, version,"
                         " published_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_SURVEY_GET] = "SELECT definition FROM surveys WHERE survey_id = ?1 AND version = ?2",
    /* Each survey reaching the kiosk at the highest version that reaches it. */
    [SQ_SURVEYS_FOR] = "SELECT s.survey_id, s.definition FROM surveys s JOIN"
                       " (SELECT survey_id, max(version) AS version FROM survey_targets"
                       " WHERE" TARGETS_OF_KIOSK " GROUP BY survey_id) t"
                       " ON t.survey_id = s.survey_id AND t.version = s.version"
                       " ORDER BY s.survey_id",
    /* The latest publication to the kiosk, else to its area, else to all. */
    [SQ_SURVEY_ACTIVE] = "SELECT survey_id FROM survey_targets WHERE" TARGETS_OF_KIOSK
                         " ORDER BY CASE kind WHEN 'kiosk' THEN 0 WHEN 'area' THEN 1 ELSE 2 END,"
                         " seq DESC LIMIT 1",
    [SQ_STATUS_PUT] = "INSERT INTO kiosk_status (kiosk_id, received_ms, queued, rejected,"
                      " last_error, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                      " ON CONFLICT (kiosk_id) DO UPDATE SET received_ms = excluded.received_ms,"
                      " queued = excluded.queued, rejected = excluded.rejected,"
                      " last_error = excluded.last_error, body = excluded.body",
    [SQ_STATUS_HISTORY] = "INSERT INTO kiosk_status_history (kiosk_id, received_ms, queued,"
                          " rejected, last_error, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* Columns in the order storage_batch.c reads them. */
    [SQ_FOREACH] =
        "SELECT r.rowid, r.seq, r.response_id, r.survey_id, r.survey_version, r.mode,"
        " r.status, r.language, r.area, r.started_at, r.completed_at, r.flags,"
        " r.batch_id, r.kiosk_id FROM responses r LEFT JOIN kiosks k ON k.id = r.kiosk_id"
        " WHERE (?1 IS NULL OR coalesce(r.area, k.area) = ?1)"
        " AND r.started_ms >= ?2 AND r.started_ms < ?4"
        " AND (?3 <> 0 OR r.quarantine_reason IS NULL)"
        " ORDER BY r.kiosk_id, r.seq, r.response_id",
    [SQ_ANSWERS_OF] = "SELECT a.question_id, a.value_json, coalesce(m.hidden, 0) FROM answers a"
                      " LEFT JOIN moderation m ON m.response_id = a.response_id"
                      " AND m.question_id = a.question_id WHERE a.response_id = ?1"
                      " ORDER BY a.position",
    [SQ_COUNTS] = "SELECT r.survey_id, r.survey_version, coalesce(r.area, k.area, ''),"
                  " r.kiosk_id,"
                  " sum(CASE WHEN r.quarantine_reason IS NULL THEN 1 ELSE 0 END),"
                  " sum(CASE WHEN r.quarantine_reason IS NULL THEN 0 ELSE 1 END),"
                  " sum((SELECT count(*) FROM response_conflicts c"
                  " WHERE c.response_id = r.response_id))"
                  " FROM responses r LEFT JOIN kiosks k ON k.id = r.kiosk_id"
                  " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
    [SQ_PROBLEMS] = "SELECT 'quarantine', response_id, kiosk_id, batch_id, quarantine_reason,"
                    " body, received_ms FROM responses WHERE quarantine_reason IS NOT NULL"
                    " UNION ALL SELECT 'conflict', response_id, kiosk_id, batch_id, NULL, body,"
                    " received_ms FROM response_conflicts ORDER BY 7, 2, 1",
    [SQ_INTEGRITY] = "PRAGMA integrity_check",
    [SQ_FOREIGN_KEYS] = "PRAGMA foreign_key_check",
    [SQ_USER_ADD] = "INSERT INTO users (name, role, areas, password_hash, created_ms)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_USER_REMOVE] = "DELETE FROM users WHERE name = ?1",
    [SQ_USER_ALL] = "SELECT name, role, areas, created_ms FROM users ORDER BY name",
    [SQ_AUDIT_ADD] = "INSERT INTO audit_log (at_ms, actor, action, subject, detail)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_AUDIT_ALL] = "SELECT at_ms, actor, action, subject, detail FROM audit_log"
                     " ORDER BY id DESC LIMIT ?1",
    [SQ_LOGIN_GET] = "SELECT name, role, areas, created_ms, password_hash, failures,"
                     " locked_until_ms FROM users WHERE name = ?1",
    [SQ_LOGIN_FAILED] = "UPDATE users SET failures = failures + 1 WHERE name = ?1"
                        " RETURNING failures",
    [SQ_LOGIN_LOCK] = "UPDATE users SET locked_until_ms = ?2 WHERE name = ?1",
    [SQ_LOGIN_OK] = "UPDATE users SET failures = 0, locked_until_ms = 0 WHERE name = ?1",
    [SQ_SESSION_PRUNE] = "DELETE FROM sessions WHERE last_ms < ?1 OR created_ms < ?2",
    [SQ_SESSION_ADD] = "INSERT INTO sessions (id_sha256, user_name, csrf, lang, created_ms,"
                       " last_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    [SQ_SESSION_GET] = "SELECT user_name, csrf, lang, created_ms, last_ms FROM sessions"
                       " WHERE id_sha256 = ?1",
    [SQ_SESSION_TOUCH] = "UPDATE sessions SET last_ms = ?2, lang = coalesce(?3, lang)"
                         " WHERE id_sha256 = ?1",
    [SQ_SESSION_REMOVE] = "DELETE FROM sessions WHERE id_sha256 = ?1",
    [SQ_KEY_ADD] = "INSERT INTO api_keys (key_sha256, user_name, label, created_ms)"
                   " VALUES (?1, ?2, ?3, ?4)",
    [SQ_KEY_USE] = "UPDATE api_keys SET last_used_ms = ?2 WHERE key_sha256 = ?1"
                   " AND revoked_ms IS NULL RETURNING user_name",
    [SQ_KEY_REVOKE] = "UPDATE api_keys SET revoked_ms = ?3 WHERE user_name = ?1"
                      " AND substr(key_sha256, 1, 16) = ?2 AND revoked_ms IS NULL",
    [SQ_KEY_ALL] = "SELECT substr(key_sha256, 1, 16), label, created_ms, last_used_ms"
                   " FROM api_keys WHERE user_name = ?1 AND revoked_ms IS NULL"
                   " ORDER BY created_ms DESC, key_sha256",
    [SQ_DASH_COUNTS] = "SELECT t.area, t.month, t.survey_id, t.survey_version, t.language,"
                       " t.status, t.rapid, t.repeat, sum(t.n) FROM dash_counts t" TALLY_WHERE
                       " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
    [SQ_DASH_VALUES] =
        "SELECT t.question_id, t.month, t.value, sum(t.n) FROM dash_values t" TALLY_WHERE
        " AND t.question_id IN (SELECT value FROM json_each(?10))"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    [SQ_DASH_COHESION] =
        "SELECT t.area, t.month, sum(t.n), sum(t.score_sum) FROM dash_scores t" TALLY_WHERE
        " GROUP BY 1, 2 ORDER BY 1, 2",
    [SQ_TALLY_PENDING] = "SELECT 1 FROM responses WHERE tallied = 0 LIMIT 1",
    [SQ_TALLY_CLEAR] = "DELETE FROM temp.dash_new",
    [SQ_TALLY_TAKE] = "INSERT INTO temp.dash_new SELECT response_id FROM responses"
                      " WHERE tallied = 0 LIMIT ?1",
    [SQ_TALLY_COUNTS] = "INSERT INTO dash_counts (" TALLY_COLS ", n) SELECT " TALLY_KEY
                        ", count(*) FROM " TALLY_NEW_SRC " WHERE r.quarantine_reason IS NULL"
                        " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ON CONFLICT (" TALLY_COLS
                        ") DO UPDATE SET n = n + excluded.n",
    /* An answer with several choices is one value per choice (json_each). */
    [SQ_TALLY_VALUES] =
        "INSERT INTO dash_values (" TALLY_COLS ", question_id, value, n) SELECT " TALLY_KEY
        ", a.question_id, CAST(e.value AS TEXT), count(*) FROM " TALLY_NEW_SRC
        " CROSS JOIN answers a ON a.response_id = r.response_id JOIN dash_questions q"
        " ON q.survey_id = r.survey_id AND q.version = r.survey_version"
        " AND q.question_id = a.question_id, json_each(CASE WHEN json_type(a.value_json) ="
        " 'array' THEN a.value_json ELSE json_array(json(a.value_json)) END) e"
        " WHERE r.quarantine_reason IS NULL"
        " AND q.type IN ('scale', 'smiley', 'choice', 'multi', 'number')"
        " AND e.type IN ('integer', 'real', 'text') GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
        " ON CONFLICT (" TALLY_COLS ", question_id, value) DO UPDATE SET n = n + excluded.n",
    [SQ_TALLY_SCORES_NEW] = TALLY_SCORES(TALLY_NEW_SRC),
    [SQ_TALLY_MARK] = "UPDATE responses SET tallied = 1 WHERE response_id IN"
                      " (SELECT response_id FROM temp.dash_new)",
    [SQ_TALLY_META_GET] = "SELECT (SELECT value FROM dash_meta WHERE key = 'cohesion_survey'),"
                          " (SELECT value FROM dash_meta WHERE key = 'cohesion_items'),"
                          " (SELECT value FROM dash_meta WHERE key = 'cohesion_reverse'),"
                          " (SELECT value FROM dash_meta WHERE key = 'cohesion_min')",
    [SQ_TALLY_META_SET] = "INSERT INTO dash_meta (key, value) VALUES (?1, ?2)"
                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [SQ_TALLY_SCORES_CLEAR] = "DELETE FROM dash_scores",
    [SQ_TALLY_SCORES_ALL] = TALLY_SCORES("(SELECT * FROM responses WHERE tallied = 1) r"
                                         " LEFT JOIN kiosks k ON k.id = r.kiosk_id"),
    [SQ_SURVEY_QUESTIONS] =
        "INSERT INTO dash_questions (survey_id, version, question_id, type)"
        " SELECT ?1, ?2, json_extract(q.value, '$.id'), json_extract(q.value, '$.type')"
        " FROM json_each(?3, '$.questions') q WHERE json_extract(q.value, '$.id') IS NOT NULL"
        " AND json_extract(q.value, '$.type') IS NOT NULL ON CONFLICT DO NOTHING",
    [SQ_DASH_TEXTS] =
        "SELECT r.response_id, a.question_id, json_extract(a.value_json, '$'), r.started_at,"
        " r.language, r.kiosk_id, r.flags LIKE '%\"personal-data\"%', coalesce(m.hidden, 0),"
        " m.reason, m.by_user, count(*) OVER ()" DASH_FROM
        " JOIN answers a ON a.response_id = r.response_id LEFT JOIN moderation m"
        " ON m.response_id = a.response_id AND m.question_id = a.question_id" DASH_WHERE
        " AND a.question_id IN (SELECT value FROM json_each(?10))"
        " AND json_type(a.value_json) = 'text'"
        " AND (?11 IS NULL OR instr(lower(json_extract(a.value_json, '$')), lower(?11)) > 0)"
        " AND (?12 <> 0 OR coalesce(m.hidden, 0) = 0)"
        " ORDER BY r.started_ms DESC, r.response_id, a.position LIMIT ?13 OFFSET ?14",
    [SQ_RESPONSE_AREA] = "SELECT " DASH_AREA " FROM responses r LEFT JOIN kiosks k"
                         " ON k.id = r.kiosk_id WHERE r.response_id = ?1",
    [SQ_MODERATE] =
        "INSERT INTO moderation (response_id, question_id, hidden, reason, by_user,"
        " at_ms) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM answers"
        " WHERE response_id = ?1 AND question_id = ?2)"
        " ON CONFLICT (response_id, question_id) DO UPDATE SET hidden = excluded.hidden,"
        " reason = excluded.reason, by_user = excluded.by_user, at_ms = excluded.at_ms",
};

/* ---- helpers shared by the backend's files ---- */

bk_err storage_map_rc(int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return BK_ERR_NOT_FOUND;
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_CHECK:
        return BK_ERR_INVALID;
    default:
        break;
    }
    return bk_err_from_sqlite(rc);
}

bk_err storage_fail(storage_conn *c, int rc, const char *what)
{
    bk_err err = storage_map_rc(rc);
    if (err == BK_OK)
        err = BK_ERR_IO; /* a ROW where DONE was due, or the other way round */
    if (err == BK_ERR_BUSY)
        log_warn("storage", "%s: database busy: %s", what, sqlite3_errmsg(c->db));
    else
        log_error("storage", "%s failed: %s (%s)", what, sqlite3_errmsg(c->db), bk_err_str(err));
    return err;
}

void storage_stmt_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Steps a statement without results once and resets it. */
static int step_once(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
}

static bk_err tx_run(storage_conn *c, enum storage_sq which, const char *what)
{
    int rc = step_once(c->sq[which]);
    if (rc != SQLITE_DONE)
        return storage_fail(c, rc, what);
    return BK_OK;
}

static void write_release(storage_conn *c)
{
    if (c->writing) {
        c->writing = false;
        pthread_mutex_unlock(&c->owner->write_mu);
    }
}

bk_err storage_write_begin(storage_sqlite *st, storage_conn **out)
{
    *out = NULL;
    struct timespec deadline = storage_deadline(st->busy_timeout_ms, CLOCK_REALTIME);
    if (pthread_mutex_timedlock(&st->write_mu, &deadline) != 0) {
        log_warn("storage", "another write held the database for %d ms", st->busy_timeout_ms);
        return BK_ERR_BUSY;
    }
    storage_conn *c = st->writer;
    c->writing = true;
    bk_err err = tx_run(c, SQ_BEGIN_WRITE, "begin write transaction");
    if (err != BK_OK) {
        write_release(c);
        return err;
    }
    *out = c;
    return BK_OK;
}

bk_err storage_tx_read(storage_conn *c)
{
    return tx_run(c, SQ_BEGIN_READ, "begin read transaction");
}

bk_err storage_tx_commit(storage_conn *c)
{
    bk_err err = tx_run(c, SQ_COMMIT, "commit");
    if (err != BK_OK)
        storage_tx_rollback(c);
    write_release(c);
    return err;
}

void storage_tx_rollback(storage_conn *c)
{
    /* After some errors SQLite has already rolled back by itself. */
    if (!sqlite3_get_autocommit(c->db))
        step_once(c->sq[SQ_ROLLBACK]);
    write_release(c);
}

int storage_bind_text(sqlite3_stmt *s, int i, const char *text)
{
    if (!text)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

char *storage_col_dup(sqlite3_stmt *s, int i, bool *oom)
{
    const unsigned char *text = sqlite3_column_text(s, i);
    if (!text)
        return NULL;
    char *copy = strdup((const char *)text);
    if (!copy)
        *oom = true;
    return copy;
}

void storage_col_copy(sqlite3_stmt *s, int i, char *buf, size_t size)
{
    storage_copy_text((const char *)sqlite3_column_text(s, i), buf, size);
}

/* ---- the pool ---- */

bk_err storage_conn_get(storage_sqlite *st, storage_conn **out)
{
    *out = storage_pool_get(&st->pool);
    return *out ? BK_OK : BK_ERR_BUSY;
}

void storage_conn_put(storage_sqlite *st, storage_conn *c)
{
    storage_pool_put(&st->pool, c);
}

bk_err storage_each_row(storage_sqlite *st, enum storage_sq which, const char *what,
                        int (*row)(sqlite3_stmt *s, void *ctx), void *ctx)
{
    return storage_each_row_bound(st, which, what, NULL, row, ctx);
}

bk_err storage_each_row_bound(storage_sqlite *st, enum storage_sq which, const char *what,
                              int (*bind)(sqlite3_stmt *s, void *ctx),
                              int (*row)(sqlite3_stmt *s, void *ctx), void *ctx)
{
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[which];
    int rc = bind ? bind(s, ctx) : SQLITE_OK;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(s);
        if (rc != SQLITE_ROW)
            break;
        int r = row(s, ctx);
        if (r != 0) {
            rc = r < 0 ? SQLITE_NOMEM : SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        err = storage_fail(c, rc, what);
    storage_stmt_done(s);
    storage_conn_put(st, c);
    return err;
}

/* ---- opening and closing ---- */

static void conn_close(storage_conn *c)
{
    for (int i = 0; i < SQ_COUNT_; i++) {
        sqlite3_finalize(c->sq[i]);
        c->sq[i] = NULL;
    }
    if (c->db && sqlite3_close(c->db) != SQLITE_OK)
        log_error("storage", "closing the database failed: %s", sqlite3_errmsg(c->db));
    c->db = NULL;
}

/* Runs a PRAGMA that answers one row and checks the answer when expect is
 * not NULL (journal_mode answers the mode it is in). */
static int pragma(sqlite3 *db, const char *sql, const char *expect)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && expect) {
            const char *got = (const char *)sqlite3_column_text(s, 0);
            rc = got && strcmp(got, expect) == 0 ? SQLITE_DONE : SQLITE_ERROR;
        }
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Opens one connection with the durability settings; the first one also
 * migrates the schema before the statements are prepared. */
static bk_err conn_open(storage_sqlite *st, storage_conn *c, bool migrate, bk_diag *diag)
{
    int rc = sqlite3_open_v2(
        st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    const char *step = "open";
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(c->db, 1);
        rc = sqlite3_busy_timeout(c->db, st->busy_timeout_ms);
    }
    if (rc == SQLITE_OK) {
        step = "PRAGMA journal_mode=WAL";
        rc = pragma(c->db, "PRAGMA journal_mode=WAL", "wal");
    }
    if (rc == SQLITE_OK) {
        step = "PRAGMA synchronous=FULL";
        rc = pragma(c->db, "PRAGMA synchronous=FULL", NULL);
    }
    if (rc == SQLITE_OK) {
        step = "PRAGMA foreign_keys=ON";
        rc = pragma(c->db, "PRAGMA foreign_keys=ON", NULL);
    }
    if (rc != SQLITE_OK) {
        const char *msg = c->db ? sqlite3_errmsg(c->db) : "out of memory";
        diag_add(diag, "DATABASE: %s: %s: %s", st->path, step, msg);
        log_error("storage", "%s: %s: %s", st->path, step, msg);
        return storage_map_rc(rc) == BK_OK ? BK_ERR_IO : storage_map_rc(rc);
    }
    if (migrate) {
        bk_err err =
            storage_migrate(c->db, st->path, clock_wall_ms(&st->clock), st->schema_found, diag);
        if (err != BK_OK)
            return err;
    }
    /* The responses one tally step takes (storage_dash.c): a table of this
     * connection's own, before the statements that name it are prepared. */
    rc = sqlite3_exec(c->db,
                      "CREATE TEMP TABLE IF NOT EXISTS dash_new (response_id TEXT PRIMARY KEY)",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        diag_add(diag, "DATABASE: %s: a temporary table: %s", st->path, sqlite3_errmsg(c->db));
        return storage_map_rc(rc);
    }
    for (int i = 0; i < SQ_COUNT_; i++) {
        rc = sqlite3_prepare_v3(c->db, storage_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->sq[i],
                                NULL);
        if (rc != SQLITE_OK) {
            diag_add(diag, "DATABASE: %s: preparing statement %d: %s", st->path, i,
                     sqlite3_errmsg(c->db));
            log_error("storage", "%s: preparing statement %d: %s", st->path, i,
                      sqlite3_errmsg(c->db));
            return storage_map_rc(rc);
        }
    }
    return BK_OK;
}

bk_err storage_sqlite_open(const storage_options *opt, storage **out, bk_diag *diag)
{
    *out = NULL;
    if (!opt || !opt->database || !opt->database[0] || opt->pool_size < 1 ||
        opt->busy_timeout_ms < 0) {
        diag_add(diag, "DATABASE: a file name, a pool size of at least 1 and a busy timeout of "
                       "at least 0 are needed");
        return BK_ERR_INVALID;
    }
    if (!sqlite3_threadsafe()) {
        diag_add(diag, "DATABASE: this SQLite library was built without thread support");
        return BK_ERR_STATE;
    }
    if (sodium_init() < 0) {
        diag_add(diag, "DATABASE: libsodium cannot be initialised");
        return BK_ERR_STATE;
    }
    storage_sqlite *st = calloc(1, sizeof *st);
    if (st)
        st->base.backend = &storage_sqlite_backend;
    if (!st)
        return BK_ERR_NOMEM;
    st->path = strdup(opt->database);
    /* pool_size readers, and one more connection that only writes. */
    st->conns = calloc((size_t)opt->pool_size + 1, sizeof *st->conns);
    if (!st->path || !st->conns) {
        free(st->path);
        free(st->conns);
        free(st);
        return BK_ERR_NOMEM;
    }
    st->busy_timeout_ms = opt->busy_timeout_ms;
    st->clock = opt->clock.wall_ms ? opt->clock : clock_system();
    st->schema_found = opt->schema_found;
    pthread_mutex_init(&st->write_mu, NULL);
    bk_err err = storage_pool_init(&st->pool, opt->pool_size, opt->busy_timeout_ms);
    for (int i = 0; i <= opt->pool_size && err == BK_OK; i++) {
        st->n_conns = i + 1;
        st->conns[i].owner = st;
        err = conn_open(st, &st->conns[i], i == 0, diag);
        if (i == opt->pool_size)
            st->writer = &st->conns[i];
        else
            storage_pool_put(&st->pool, &st->conns[i]);
    }
    if (err != BK_OK) {
        storage_sqlite_close(&st->base);
        return err;
    }
    *out = &st->base;
    return BK_OK;
}

void storage_sqlite_close(storage *base)
{
    storage_sqlite *st = (storage_sqlite *)base;
    if (!st)
        return;
    /* The last connection to close checkpoints the WAL into the database. */
    for (int i = 0; i < st->n_conns; i++)
        conn_close(&st->conns[i]);
    storage_pool_destroy(&st->pool);
    pthread_mutex_destroy(&st->write_mu);
    free(st->conns);
    free(st->path);
    free(st);
}

/* ---- version and check ---- */

bk_err storage_sqlite_database_version(storage *base, int *out)
{
    storage_sqlite *st = (storage_sqlite *)base;
    *out = 0;
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_SCHEMA_VERSION];
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(s, 0);
    else
        err = storage_fail(c, rc, "reading the schema version");
    storage_stmt_done(s);
    storage_conn_put(st, c);
    return err;
}

/* Steps a check PRAGMA: integrity_check answers "ok" when sound,
 * foreign_key_check answers nothing. Adds the first problem to diag. */
static bk_err run_check(storage_conn *c, enum storage_sq which, bk_diag *diag)
{
    sqlite3_stmt *s = c->sq[which];
    bk_err err = BK_OK;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && which == SQ_INTEGRITY) {
        const char *msg = (const char *)sqlite3_column_text(s, 0);
        if (!msg || strcmp(msg, "ok") != 0) {
            diag_add(diag, "DATABASE: integrity check: %s", msg ? msg : "no answer");
            err = BK_ERR_CORRUPT;
        }
    } else if (rc == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(s, 0);
        const char *parent = (const char *)sqlite3_column_text(s, 2);
        diag_add(diag, "DATABASE: foreign key check: a row of %s names a missing row of %s",
                 table ? table : "?", parent ? parent : "?");
        err = BK_ERR_CORRUPT;
    } else if (rc != SQLITE_DONE) {
        err = storage_fail(c, rc, "integrity check");
        diag_add(diag, "DATABASE: integrity check: %s", sqlite3_errmsg(c->db));
    }
    storage_stmt_done(s);
    return err;
}

bk_err storage_sqlite_check(storage *base, bk_diag *diag)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    err = run_check(c, SQ_INTEGRITY, diag);
    if (err == BK_OK)
        err = run_check(c, SQ_FOREIGN_KEYS, diag);
    if (err == BK_ERR_CORRUPT)
        log_error("storage", "%s failed its integrity check", st->path);
    storage_conn_put(st, c);
    return err;
}

const storage_backend storage_sqlite_backend = {
    .close = storage_sqlite_close,
    .database_version = storage_sqlite_database_version,
    .check = storage_sqlite_check,
    .kiosk_add = storage_sqlite_kiosk_add,
    .kiosk_by_token = storage_sqlite_kiosk_by_token,
    .kiosk_get = storage_sqlite_kiosk_get,
    .kiosk_revoke = storage_sqlite_kiosk_revoke,
    .kiosk_foreach = storage_sqlite_kiosk_foreach,
    .batch_store = storage_sqlite_batch_store,
    .survey_publish = storage_sqlite_survey_publish,
    .survey_get = storage_sqlite_survey_get,
    .surveys_for_kiosk = storage_sqlite_surveys_for_kiosk,
    .status_put = storage_sqlite_status_put,
    .foreach_response = storage_sqlite_foreach_response,
    .counts = storage_sqlite_counts,
    .foreach_problem = storage_sqlite_foreach_problem,
    .user_add = storage_sqlite_user_add,
    .user_remove = storage_sqlite_user_remove,
    .user_foreach = storage_sqlite_user_foreach,
    .login_get = storage_sqlite_login_get,
    .login_failed = storage_sqlite_login_failed,
    .login_ok = storage_sqlite_login_ok,
    .session_add = storage_sqlite_session_add,
    .session_get = storage_sqlite_session_get,
    .session_touch = storage_sqlite_session_touch,
    .session_remove = storage_sqlite_session_remove,
    .api_key_add = storage_sqlite_api_key_add,
    .api_key_use = storage_sqlite_api_key_use,
    .api_key_revoke = storage_sqlite_api_key_revoke,
    .api_key_foreach = storage_sqlite_api_key_foreach,
    .audit_add = storage_sqlite_audit_add,
    .audit_foreach = storage_sqlite_audit_foreach,
    .dash_counts = storage_sqlite_dash_counts,
    .dash_values = storage_sqlite_dash_values,
    .dash_cohesion = storage_sqlite_dash_cohesion,
    .dash_texts = storage_sqlite_dash_texts,
    .response_area = storage_sqlite_response_area,
    .dash_moderate = storage_sqlite_dash_moderate,
};
