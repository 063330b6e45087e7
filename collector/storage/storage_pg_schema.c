/* storage_pg_schema.c: the collector's schema on PostgreSQL, version for
 * version the same tables, keys and constraints as storage_schema.c keeps
 * on SQLite (so the two backends answer alike), in PostgreSQL's types:
 * BIGINT for times and counts, identity columns where SQLite has rowids,
 * and COLLATE "C" on every id so that ordering is by bytes, as SQLite's
 * is, whatever locale the database was made with.
 *
 * Never edit a migration that has shipped: add a new one at the end, in
 * both files. */
#include "storage_pg.h"

#include "log.h"

/* migrations[i] takes a database from version i to i + 1. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE kiosks ("
    "  id TEXT COLLATE \"C\" PRIMARY KEY NOT NULL,"
    "  area TEXT COLLATE \"C\","
    "  token_sha256 TEXT NOT NULL UNIQUE,"
    "  created_ms BIGINT NOT NULL,"
    "  revoked_ms BIGINT"
    ");"
    "CREATE TABLE batches ("
    "  batch_id TEXT COLLATE \"C\" PRIMARY KEY NOT NULL,"
    "  kiosk_id TEXT COLLATE \"C\" NOT NULL REFERENCES kiosks(id),"
    "  received_ms BIGINT NOT NULL,"
    "  n_responses INTEGER NOT NULL,"
    "  accepted INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL,"
    "  conflicts INTEGER NOT NULL,"
    "  quarantined INTEGER NOT NULL"
    ");"
    "CREATE TABLE responses ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,"
    "  response_id TEXT COLLATE \"C\" PRIMARY KEY NOT NULL,"
    "  kiosk_id TEXT COLLATE \"C\" NOT NULL REFERENCES kiosks(id),"
    "  batch_id TEXT COLLATE \"C\" NOT NULL REFERENCES batches(batch_id),"
    "  seq BIGINT NOT NULL,"
    "  survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  survey_version INTEGER NOT NULL,"
    "  mode TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  area TEXT COLLATE \"C\","
    "  started_at TEXT NOT NULL,"
    "  started_ms BIGINT NOT NULL,"
    "  completed_at TEXT,"
    "  completed_ms BIGINT,"
    "  flags TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  body_sha256 TEXT NOT NULL,"
    "  received_ms BIGINT NOT NULL,"
    "  quarantine_reason TEXT"
    ");"
    "CREATE INDEX responses_kiosk_seq ON responses(kiosk_id, seq);"
    "CREATE INDEX responses_survey ON responses(survey_id, survey_version);"
    "CREATE INDEX responses_started ON responses(started_ms);"
    "CREATE INDEX responses_quarantined ON responses(received_ms)"
    "  WHERE quarantine_reason IS NOT NULL;"
    "CREATE TABLE answers ("
    "  response_id TEXT COLLATE \"C\" NOT NULL"
    "    REFERENCES responses(response_id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  question_id TEXT COLLATE \"C\" NOT NULL,"
    "  value_json TEXT NOT NULL,"
    "  PRIMARY KEY (response_id, position)"
    ");"
    "CREATE INDEX answers_question ON answers(question_id);"
    "CREATE TABLE response_conflicts ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  response_id TEXT COLLATE \"C\" NOT NULL REFERENCES responses(response_id),"
    "  kiosk_id TEXT COLLATE \"C\" NOT NULL REFERENCES kiosks(id),"
    "  batch_id TEXT COLLATE \"C\" NOT NULL REFERENCES batches(batch_id),"
    "  body TEXT NOT NULL,"
    "  body_sha256 TEXT NOT NULL,"
    "  received_ms BIGINT NOT NULL,"
    "  UNIQUE (response_id, body_sha256)"
    ");"
    "CREATE TABLE surveys ("
    "  survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  definition TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  published_ms BIGINT NOT NULL,"
    "  PRIMARY KEY (survey_id, version)"
    ");"
    "CREATE TABLE survey_targets ("
    "  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'area', 'all')),"
    "  target TEXT COLLATE \"C\" NOT NULL,"
    "  survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  published_ms BIGINT NOT NULL,"
    "  FOREIGN KEY (survey_id, version) REFERENCES surveys(survey_id, version)"
    ");"
    "CREATE INDEX survey_targets_target ON survey_targets(kind, target);"
    "CREATE TABLE kiosk_status ("
    "  kiosk_id TEXT COLLATE \"C\" PRIMARY KEY NOT NULL REFERENCES kiosks(id),"
    "  received_ms BIGINT NOT NULL,"
    "  queued BIGINT NOT NULL,"
    "  rejected BIGINT NOT NULL,"
    "  last_error TEXT,"
    "  body TEXT NOT NULL"
    ");"
    "CREATE TABLE kiosk_status_history ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  kiosk_id TEXT COLLATE \"C\" NOT NULL REFERENCES kiosks(id),"
    "  received_ms BIGINT NOT NULL,"
    "  queued BIGINT NOT NULL,"
    "  rejected BIGINT NOT NULL,"
    "  last_error TEXT,"
    "  body TEXT NOT NULL"
    ");"
    "CREATE INDEX kiosk_status_history_kiosk ON kiosk_status_history(kiosk_id, received_ms);",
    /* 1 -> 2: accounts of the web interface, and the audit log */
    "CREATE TABLE users ("
    "  name TEXT COLLATE \"C\" PRIMARY KEY NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'wijkmakelaar', 'viewer')),"
    "  areas TEXT COLLATE \"C\" NOT NULL,"
    "  password_hash TEXT NOT NULL,"
    "  created_ms BIGINT NOT NULL"
    ");"
    "CREATE TABLE audit_log ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  at_ms BIGINT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  detail TEXT"
    ");"
    "CREATE INDEX audit_log_at ON audit_log(at_ms);",
    /* 2 -> 3: the web interface's sessions, login locks, API keys and
     * moderation; an index for the dashboard's per-survey figures */
    "ALTER TABLE users ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN locked_until_ms BIGINT NOT NULL DEFAULT 0;"
    "CREATE TABLE sessions ("
    "  id_sha256 TEXT COLLATE \"C\" PRIMARY KEY NOT NULL,"
    "  user_name TEXT COLLATE \"C\" NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  lang TEXT NOT NULL,"
    "  created_ms BIGINT NOT NULL,"
    "  last_ms BIGINT NOT NULL"
    ");"
    "CREATE INDEX sessions_user ON sessions(user_name);"
    "CREATE TABLE api_keys ("
    "  key_sha256 TEXT COLLATE \"C\" PRIMARY KEY NOT NULL,"
    "  user_name TEXT COLLATE \"C\" NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  label TEXT NOT NULL,"
    "  created_ms BIGINT NOT NULL,"
    "  last_used_ms BIGINT NOT NULL DEFAULT 0,"
    "  revoked_ms BIGINT"
    ");"
    "CREATE INDEX api_keys_user ON api_keys(user_name);"
    "CREATE TABLE moderation ("
    "  response_id TEXT COLLATE \"C\" NOT NULL REFERENCES responses(response_id),"
    "  question_id TEXT COLLATE \"C\" NOT NULL,"
    "  hidden INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  by_user TEXT NOT NULL,"
    "  at_ms BIGINT NOT NULL,"
    "  PRIMARY KEY (response_id, question_id)"
    ");"
    "CREATE INDEX responses_survey_started ON responses(survey_id, started_ms);",
    /* 3 -> 4: the dashboard's tallies (storage_pg_dash.c) */
    "ALTER TABLE responses ADD COLUMN tallied INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX responses_untallied ON responses(response_id) WHERE tallied = 0;"
    "CREATE TABLE dash_questions ("
    "  survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  question_id TEXT COLLATE \"C\" NOT NULL,"
    "  type TEXT NOT NULL,"
    "  PRIMARY KEY (survey_id, version, question_id)"
    ");"
    "INSERT INTO dash_questions (survey_id, version, question_id, type)"
    "  SELECT s.survey_id, s.version, q->>'id', q->>'type' FROM surveys s,"
    "  jsonb_array_elements(coalesce(s.definition::jsonb->'questions', '[]')) q"
    "  WHERE q->>'id' IS NOT NULL AND q->>'type' IS NOT NULL ON CONFLICT DO NOTHING;"
    "CREATE TABLE dash_counts ("
    "  area TEXT COLLATE \"C\" NOT NULL, survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  month TEXT COLLATE \"C\" NOT NULL, survey_version INTEGER NOT NULL,"
    "  language TEXT COLLATE \"C\" NOT NULL, status TEXT COLLATE \"C\" NOT NULL,"
    "  rapid BOOLEAN NOT NULL, repeat BOOLEAN NOT NULL, n BIGINT NOT NULL,"
    "  PRIMARY KEY (area, survey_id, month, survey_version, language, status, rapid, repeat)"
    ");"
    "CREATE TABLE dash_values ("
    "  area TEXT COLLATE \"C\" NOT NULL, survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  question_id TEXT COLLATE \"C\" NOT NULL, month TEXT COLLATE \"C\" NOT NULL,"
    "  survey_version INTEGER NOT NULL, language TEXT COLLATE \"C\" NOT NULL,"
    "  status TEXT COLLATE \"C\" NOT NULL, rapid BOOLEAN NOT NULL, repeat BOOLEAN NOT NULL,"
    "  value TEXT COLLATE \"C\" NOT NULL, n BIGINT NOT NULL,"
    "  PRIMARY KEY (area, survey_id, question_id, month, survey_version, language, status,"
    "  rapid, repeat, value)"
    ");"
    "CREATE TABLE dash_scores ("
    "  area TEXT COLLATE \"C\" NOT NULL, survey_id TEXT COLLATE \"C\" NOT NULL,"
    "  month TEXT COLLATE \"C\" NOT NULL, survey_version INTEGER NOT NULL,"
    "  language TEXT COLLATE \"C\" NOT NULL, status TEXT COLLATE \"C\" NOT NULL,"
    "  rapid BOOLEAN NOT NULL, repeat BOOLEAN NOT NULL, n BIGINT NOT NULL,"
    "  score_sum DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY (area, survey_id, month, survey_version, language, status, rapid, repeat)"
    ");"
    "CREATE TABLE dash_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORAGE_SCHEMA_VERSION,
               "every schema version has its PostgreSQL migration");

/* The advisory lock every instance takes to migrate ("bkmigrat"). */
#define PG_MIGRATE_LOCK "7062656b6d696772"

typedef struct migrate_ctx {
    storage_pg *st;
    bk_diag *diag;
    int64_t from;
} migrate_ctx;

static bk_err migrate_tx(pg_conn *c, void *arg)
{
    migrate_ctx *m = arg;
    const int target = STORAGE_SCHEMA_VERSION;
    /* Instances starting at once wait here for the first to finish. */
    bk_err err = pg_exec(c, "SELECT pg_advisory_xact_lock(x'" PG_MIGRATE_LOCK "'::bigint)", NULL,
                         NULL, "locking for the migration");
    if (err == BK_OK)
        err = pg_exec(c,
                      "CREATE TABLE IF NOT EXISTS schema_version ("
                      "  version INTEGER PRIMARY KEY NOT NULL,"
                      "  applied_ms BIGINT NOT NULL)",
                      NULL, NULL, "creating schema_version");
    PGresult *r = NULL;
    if (err == BK_OK)
        err = pg_exec(c, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, &r,
                      "reading the schema version");
    if (err != BK_OK)
        return err;
    m->from = pg_int_at(r, 0, 0);
    PQclear(r);
    if (m->from > target) {
        diag_add(m->diag, "DATABASE: %s has schema version %lld; this program knows up to %d",
                 m->st->display, (long long)m->from, target);
        log_error("storage", "%s has schema version %lld; this program knows up to %d",
                  m->st->display, (long long)m->from, target);
        return BK_ERR_STATE;
    }
    for (int v = (int)m->from; err == BK_OK && v < target; v++) {
        /* Several statements: the simple query protocol (no parameters). */
        PGresult *res = PQexec(c->pg, migrations[v]);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            diag_add(m->diag, "DATABASE: %s: migration to schema version %d failed: %s",
                     m->st->display, v + 1, PQresultErrorMessage(res));
            err = BK_ERR_IO;
        }
        PQclear(res);
        pg_params p = {0};
        pg_int(&p, v + 1);
        pg_int(&p, clock_wall_ms(&m->st->clock));
        if (err == BK_OK)
            err = pg_exec(c, "INSERT INTO schema_version (version, applied_ms) VALUES ($1, $2)", &p,
                          NULL, "recording the schema version");
    }
    return err;
}

bk_err pg_migrate(storage_pg *st, pg_conn *c, int *found, bk_diag *diag)
{
    migrate_ctx m = {.st = st, .diag = diag};
    bk_err err = pg_exec(c, "BEGIN", NULL, NULL, "begin the migration");
    if (err == BK_OK)
        err = migrate_tx(c, &m);
    if (found)
        *found = (int)m.from;
    if (err == BK_OK)
        err = pg_exec(c, "COMMIT", NULL, NULL, "commit the migration");
    if (err != BK_OK) {
        if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
            pg_exec(c, "ROLLBACK", NULL, NULL, "rollback");
        if (err != BK_ERR_STATE && diag->count == 0)
            diag_add(diag, "DATABASE: %s: migration from schema version %lld failed: %s",
                     st->display, (long long)m.from, bk_err_str(err));
        return err;
    }
    if (m.from != STORAGE_SCHEMA_VERSION)
        log_info("storage", "%s: schema version %lld -> %d", st->display, (long long)m.from,
                 STORAGE_SCHEMA_VERSION);
    return BK_OK;
}
