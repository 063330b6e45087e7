/* store_schema.c: the one place that knows the store's schema and how each
 * version becomes the next. Migrations only go forward; each runs in its own
 * transaction together with the PRAGMA user_version that records it, so a
 * crash leaves the database at one version or the next, never in between.
 *
 * Never edit a migration that has shipped: add a new one at the end. The
 * tests keep a frozen copy of every older schema and migrate it. */
#include "store_internal.h"

#include <stdio.h>

#include "log.h"

/* migrations[i] takes a database from user_version i to i + 1. */
static const char *const migrations[] = {
    /* 0 -> 1: responses and their answers. */
    "CREATE TABLE responses ("
    "  id INTEGER PRIMARY KEY,"
    "  response_id TEXT NOT NULL UNIQUE,"
    "  seq INTEGER NOT NULL UNIQUE,"
    "  survey_id TEXT NOT NULL,"
    "  survey_version INTEGER NOT NULL,"
    "  mode TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('started', 'complete', 'partial')),"
    "  language TEXT NOT NULL,"
    "  area TEXT,"
    "  started_ms INTEGER NOT NULL,"
    "  completed_ms INTEGER,"
    "  flags TEXT NOT NULL DEFAULT '[]',"
    "  delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1))"
    ");"
    "CREATE TABLE answers ("
    "  id INTEGER PRIMARY KEY,"
    "  response INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
    "  question_id TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  answered_ms INTEGER NOT NULL,"
    "  UNIQUE (response, question_id)"
    ");",

    /* 1 -> 2: upload batches, the seq counter and key/value state, staff
     * events, and the moderation flag on answers. */
    "CREATE TABLE batches ("
    "  batch_id TEXT PRIMARY KEY NOT NULL,"
    "  kiosk_id TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'open'"
    "    CHECK (state IN ('open', 'delivered', 'rejected', 'split')),"
    "  n_responses INTEGER NOT NULL,"
    "  first_seq INTEGER NOT NULL,"
    "  last_seq INTEGER NOT NULL,"
    "  closed_ms INTEGER,"
    "  message TEXT"
    ");"
    "CREATE INDEX batches_open ON batches(first_seq) WHERE state = 'open';"
    "ALTER TABLE responses ADD COLUMN batch_id TEXT REFERENCES batches(batch_id);"
    "ALTER TABLE responses ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0"
    "  CHECK (rejected IN (0, 1));"
    "ALTER TABLE answers ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0"
    "  CHECK (hidden IN (0, 1));"
    "CREATE INDEX responses_queue ON responses(seq)"
    "  WHERE delivered = 0 AND batch_id IS NULL AND status <> 'started';"
    "CREATE INDEX responses_batch ON responses(batch_id, seq);"
    "CREATE INDEX responses_started ON responses(started_ms);"
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  at_ms INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  message TEXT NOT NULL"
    ");"
    "INSERT INTO meta (key, value)"
    "  SELECT 'store.last_seq', coalesce(max(seq), 0) FROM responses;",
};

int store_schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

int store_exec_script(sqlite3 *db, const char *sql)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(db, tail, -1, &s, &tail);
        if (rc != SQLITE_OK)
            return rc;
        if (!s) /* only whitespace or a comment was left */
            break;
        do {
            rc = sqlite3_step(s);
        } while (rc == SQLITE_ROW);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return rc;
    }
    return SQLITE_OK;
}

/* Reads PRAGMA user_version into *v. */
static int read_user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *v = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

static int set_user_version(sqlite3 *db, int v)
{
    /* PRAGMA takes no bound parameters; v is an int from this file. */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
    return store_exec_script(db, sql);
}

static void rollback_if_open(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        store_exec_script(db, "ROLLBACK");
}

bk_err store_migrate(sqlite3 *db, int *from)
{
    const int target = store_schema_version();
    bool first = true;
    for (;;) {
        /* Read and step under the write lock, so that two processes opening
         * a new database at once do not both run a migration. */
        int rc = store_exec_script(db, "BEGIN IMMEDIATE");
        if (rc != SQLITE_OK) {
            log_error("store", "migration: cannot begin: %s", sqlite3_errmsg(db));
            return store_map_rc(rc);
        }
        int v = 0;
        rc = read_user_version(db, &v);
        if (rc != SQLITE_OK)
            goto fail;
        if (first) {
            *from = v;
            first = false;
        }
        if (v > target) {
            rollback_if_open(db);
            log_error("store", "database has schema version %d, this program knows up to %d", v,
                      target);
            return BK_ERR_STATE;
        }
        if (v == target) {
            rc = store_exec_script(db, "COMMIT");
            if (rc != SQLITE_OK)
                goto fail;
            if (*from == 0 && target > 0)
                log_info("store", "new database, schema version %d", target);
            else if (*from != target)
                log_info("store", "database schema migrated from version %d to %d", *from, target);
            return BK_OK;
        }
        rc = store_exec_script(db, migrations[v]);
        if (rc != SQLITE_OK)
            goto fail;
        rc = set_user_version(db, v + 1);
        if (rc != SQLITE_OK)
            goto fail;
        rc = store_exec_script(db, "COMMIT");
        if (rc != SQLITE_OK)
            goto fail;
        continue;
    fail:
        log_error("store", "migration from schema version %d failed: %s", v, sqlite3_errmsg(db));
        rollback_if_open(db);
        return store_map_rc(rc);
    }
}
