/* storage_schema.c: the collector's schema and how each version becomes the
 * next. The version is kept in a table (schema_version, one row per applied
 * migration), not in a PRAGMA, so a PostgreSQL backend can keep the same
 * tables and the same record. Every migration runs inside the one
 * transaction that also records it: a crash leaves the old version or the
 * new one, never a mix.
 *
 * Portability: only types and constraints PostgreSQL has too (TEXT,
 * INTEGER for BIGINT, composite keys, ON CONFLICT). The integer "id" and
 * "seq" keys are SQLite rowids here and identity columns there.
 *
 * Never edit a migration that has shipped: add a new one at the end. */
#include "storage_sqlite.h"

#include "log.h"

/* migrations[i] takes a database from version i to i + 1. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE kiosks ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  area TEXT,"
    "  token_sha256 TEXT NOT NULL UNIQUE,"
    "  created_ms INTEGER NOT NULL,"
    "  revoked_ms INTEGER"
    ");"
    "CREATE TABLE batches ("
    "  batch_id TEXT PRIMARY KEY NOT NULL,"
    "  kiosk_id TEXT NOT NULL REFERENCES kiosks(id),"
    "  received_ms INTEGER NOT NULL,"
    "  n_responses INTEGER NOT NULL,"
    "  accepted INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL,"
    "  conflicts INTEGER NOT NULL,"
    "  quarantined INTEGER NOT NULL"
    ");"
    "CREATE TABLE responses ("
    "  response_id TEXT PRIMARY KEY NOT NULL,"
    "  kiosk_id TEXT NOT NULL REFERENCES kiosks(id),"
    "  batch_id TEXT NOT NULL REFERENCES batches(batch_id),"
    "  seq INTEGER NOT NULL,"
    "  survey_id TEXT NOT NULL,"
    "  survey_version INTEGER NOT NULL,"
    "  mode TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  area TEXT,"
    "  started_at TEXT NOT NULL,"
    "  started_ms INTEGER NOT NULL,"
    "  completed_at TEXT,"
    "  completed_ms INTEGER,"
    "  flags TEXT NOT NULL," /* a JSON array of strings */
    "  body TEXT NOT NULL,"  /* the canonical JSON as received */
    "  body_sha256 TEXT NOT NULL,"
    "  received_ms INTEGER NOT NULL,"
    "  quarantine_reason TEXT" /* NULL: counted */
    ");"
    "CREATE INDEX responses_kiosk_seq ON responses(kiosk_id, seq);"
    "CREATE INDEX responses_survey ON responses(survey_id, survey_version);"
    "CREATE INDEX responses_started ON responses(started_ms);"
    "CREATE INDEX responses_quarantined ON responses(received_ms)"
    "  WHERE quarantine_reason IS NOT NULL;"
    "CREATE TABLE answers ("
    "  response_id TEXT NOT NULL REFERENCES responses(response_id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL," /* order within the response */
    "  question_id TEXT NOT NULL,"
    "  value_json TEXT NOT NULL,"
    "  PRIMARY KEY (response_id, position)"
    ");"
    "CREATE INDEX answers_question ON answers(question_id);"
    "CREATE TABLE response_conflicts ("
    "  id INTEGER PRIMARY KEY,"
    "  response_id TEXT NOT NULL REFERENCES responses(response_id),"
    "  kiosk_id TEXT NOT NULL REFERENCES kiosks(id),"
    "  batch_id TEXT NOT NULL REFERENCES batches(batch_id),"
    "  body TEXT NOT NULL,"
    "  body_sha256 TEXT NOT NULL,"
    "  received_ms INTEGER NOT NULL,"
    "  UNIQUE (response_id, body_sha256)"
    ");"
    "CREATE TABLE surveys ("
    "  survey_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  definition TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  published_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (survey_id, version)"
    ");"
    /* Every publication, in order (seq); never updated. */
    "CREATE TABLE survey_targets ("
    "  seq INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'area', 'all')),"
    "  target TEXT NOT NULL," /* a kiosk id, an area id, '' for all */
    "  survey_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  published_ms INTEGER NOT NULL,"
    "  FOREIGN KEY (survey_id, version) REFERENCES surveys(survey_id, version)"
    ");"
    "CREATE INDEX survey_targets_target ON survey_targets(kind, target);"
    "CREATE TABLE kiosk_status ("
    "  kiosk_id TEXT PRIMARY KEY NOT NULL REFERENCES kiosks(id),"
    "  received_ms INTEGER NOT NULL,"
    "  queued INTEGER NOT NULL,"
    "  rejected INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  body TEXT NOT NULL"
    ");"
    "CREATE TABLE kiosk_status_history ("
    "  id INTEGER PRIMARY KEY,"
    "  kiosk_id TEXT NOT NULL REFERENCES kiosks(id),"
    "  received_ms INTEGER NOT NULL,"
    "  queued INTEGER NOT NULL,"
    "  rejected INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  body TEXT NOT NULL"
    ");"
    "CREATE INDEX kiosk_status_history_kiosk ON kiosk_status_history(kiosk_id, received_ms);",
    /* 1 -> 2: accounts of the web interface, and the audit log */
    "CREATE TABLE users ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'wijkmakelaar', 'viewer')),"
    "  areas TEXT NOT NULL,"         /* comma-separated area ids; '' for admin and viewer */
    "  password_hash TEXT NOT NULL," /* argon2id, crypto_pwhash_str */
    "  created_ms INTEGER NOT NULL"
    ");"
    /* Who did what, and when; never updated. */
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at_ms INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  detail TEXT"
    ");"
    "CREATE INDEX audit_log_at ON audit_log(at_ms);",
    /* 2 -> 3: the web interface's sessions, login locks, API keys and
     * moderation; an index for the dashboard's per-survey figures */
    "ALTER TABLE users ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN locked_until_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE sessions ("
    "  id_sha256 TEXT PRIMARY KEY NOT NULL," /* the cookie's id is never kept */
    "  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  lang TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  last_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_user ON sessions(user_name);"
    "CREATE TABLE api_keys ("
    "  key_sha256 TEXT PRIMARY KEY NOT NULL," /* the key itself is never kept */
    "  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  label TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  last_used_ms INTEGER NOT NULL DEFAULT 0,"
    "  revoked_ms INTEGER"
    ");"
    "CREATE INDEX api_keys_user ON api_keys(user_name);"
    /* An answer hidden from the dashboard: kept, never deleted. */
    "CREATE TABLE moderation ("
    "  response_id TEXT NOT NULL REFERENCES responses(response_id),"
    "  question_id TEXT NOT NULL,"
    "  hidden INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  by_user TEXT NOT NULL,"
    "  at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (response_id, question_id)"
    ");"
    "CREATE INDEX responses_survey_started ON responses(survey_id, started_ms);",
    /* 3 -> 4: the dashboard's tallies, kept up to date from the responses
     * not tallied yet (storage_dash.c), so a page reads a few thousand
     * rows instead of every answer. The question types come from the
     * published definitions: only choices, scales and numbers are tallied. */
    "ALTER TABLE responses ADD COLUMN tallied INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX responses_untallied ON responses(response_id) WHERE tallied = 0;"
    "CREATE TABLE dash_questions ("
    "  survey_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  question_id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  PRIMARY KEY (survey_id, version, question_id)"
    ");"
    "INSERT INTO dash_questions (survey_id, version, question_id, type)"
    "  SELECT s.survey_id, s.version, json_extract(q.value, '$.id'),"
    "  json_extract(q.value, '$.type') FROM surveys s, json_each(s.definition, '$.questions') q"
    "  WHERE json_extract(q.value, '$.id') IS NOT NULL AND json_extract(q.value, '$.type') IS NOT "
    "NULL"
    "  ON CONFLICT DO NOTHING;"
    "CREATE TABLE dash_counts ("
    "  area TEXT NOT NULL, survey_id TEXT NOT NULL, month TEXT NOT NULL,"
    "  survey_version INTEGER NOT NULL, language TEXT NOT NULL, status TEXT NOT NULL,"
    "  rapid INTEGER NOT NULL, repeat INTEGER NOT NULL, n INTEGER NOT NULL,"
    "  PRIMARY KEY (area, survey_id, month, survey_version, language, status, rapid, repeat)"
    ");"
    "CREATE TABLE dash_values ("
    "  area TEXT NOT NULL, survey_id TEXT NOT NULL, question_id TEXT NOT NULL,"
    "  month TEXT NOT NULL, survey_version INTEGER NOT NULL, language TEXT NOT NULL,"
    "  status TEXT NOT NULL, rapid INTEGER NOT NULL, repeat INTEGER NOT NULL,"
    "  value TEXT NOT NULL, n INTEGER NOT NULL,"
    "  PRIMARY KEY (area, survey_id, question_id, month, survey_version, language, status,"
    "  rapid, repeat, value)"
    ");"
    "CREATE TABLE dash_scores ("
    "  area TEXT NOT NULL, survey_id TEXT NOT NULL, month TEXT NOT NULL,"
    "  survey_version INTEGER NOT NULL, language TEXT NOT NULL, status TEXT NOT NULL,"
    "  rapid INTEGER NOT NULL, repeat INTEGER NOT NULL, n INTEGER NOT NULL,"
    "  score_sum REAL NOT NULL,"
    "  PRIMARY KEY (area, survey_id, month, survey_version, language, status, rapid, repeat)"
    ");"
    /* What dash_scores was counted with (the cohesion items). */
    "CREATE TABLE dash_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORAGE_SCHEMA_VERSION,
               "every schema version has its SQLite migration");

/* Runs one statement with optional integer parameters and steps it to the
 * end; *first_int (when not NULL) gets column 0 of the first row. */
static int run(sqlite3 *db, const char *sql, const int64_t *params, int n_params,
               int64_t *first_int)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    for (int i = 0; rc == SQLITE_OK && i < n_params; i++)
        rc = sqlite3_bind_int64(s, i + 1, params[i]);
    if (rc == SQLITE_OK) {
        bool first = true;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (first && first_int)
                *first_int = sqlite3_column_int64(s, 0);
            first = false;
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

bk_err storage_migrate(sqlite3 *db, const char *path, int64_t now_ms, int *found, bk_diag *diag)
{
    const int target = storage_schema_version();
    /* Under the write lock from the start, so two processes opening a new
     * database at once do not both create it. */
    int rc = run(db, "BEGIN IMMEDIATE", NULL, 0, NULL);
    if (rc != SQLITE_OK) {
        diag_add(diag, "DATABASE: %s: cannot begin the migration: %s", path, sqlite3_errmsg(db));
        log_error("storage", "%s: cannot begin the migration: %s", path, sqlite3_errmsg(db));
        return storage_map_rc(rc);
    }
    int64_t from = 0;
    rc = run(db,
             "CREATE TABLE IF NOT EXISTS schema_version ("
             "  version INTEGER PRIMARY KEY NOT NULL,"
             "  applied_ms INTEGER NOT NULL"
             ")",
             NULL, 0, NULL);
    if (rc == SQLITE_OK)
        rc = run(db, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, 0, &from);
    if (rc == SQLITE_OK && found)
        *found = (int)from;
    if (rc == SQLITE_OK && from > target) {
        run(db, "ROLLBACK", NULL, 0, NULL);
        diag_add(diag, "DATABASE: %s has schema version %lld; this program knows up to %d", path,
                 (long long)from, target);
        log_error("storage", "%s has schema version %lld; this program knows up to %d", path,
                  (long long)from, target);
        return BK_ERR_STATE;
    }
    for (int v = (int)from; rc == SQLITE_OK && v < target; v++) {
        rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
        const int64_t row[2] = {v + 1, now_ms};
        if (rc == SQLITE_OK)
            rc = run(db, "INSERT INTO schema_version (version, applied_ms) VALUES (?1, ?2)", row, 2,
                     NULL);
    }
    if (rc == SQLITE_OK)
        rc = run(db, "COMMIT", NULL, 0, NULL);
    if (rc != SQLITE_OK) {
        diag_add(diag, "DATABASE: %s: migration from schema version %lld failed: %s", path,
                 (long long)from, sqlite3_errmsg(db));
        log_error("storage", "%s: migration from schema version %lld failed: %s", path,
                  (long long)from, sqlite3_errmsg(db));
        if (!sqlite3_get_autocommit(db))
            run(db, "ROLLBACK", NULL, 0, NULL);
        return storage_map_rc(rc);
    }
    if (from != target)
        log_info("storage", "%s: schema version %lld -> %d", path, (long long)from, target);
    return BK_OK;
}
