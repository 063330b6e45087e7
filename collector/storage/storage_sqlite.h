/* storage_sqlite.h: what the files of the SQLite backend share (the
 * connection pool, the prepared statements, error mapping, transactions).
 * Not for use outside collector/storage/. */
#ifndef BK_STORAGE_SQLITE_H
#define BK_STORAGE_SQLITE_H

#include <pthread.h>
#include <sqlite3.h>

#include "storage_backend.h"
#include "storage_common.h"
#include "storage_pool.h"

/* The prepared statements of one connection, made once when it opens. */
enum storage_sq {
    SQ_BEGIN_WRITE,
    SQ_BEGIN_READ,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SCHEMA_VERSION,
    SQ_KIOSK_ADD,
    SQ_KIOSK_BY_TOKEN,
    SQ_KIOSK_GET,
    SQ_KIOSK_REVOKE,
    SQ_KIOSK_ALL,
    SQ_KIOSK_AREA,
    SQ_BATCH_INSERT,
    SQ_BATCH_COUNTS,
    SQ_RESPONSE_INSERT,
    SQ_RESPONSE_HASH,
    SQ_ANSWER_INSERT,
    SQ_CONFLICT_INSERT,
    SQ_SURVEY_INSERT,
    SQ_SURVEY_HASH,
    SQ_TARGET_INSERT,
    SQ_SURVEY_GET,
    SQ_SURVEYS_FOR,
    SQ_SURVEY_ACTIVE,
    SQ_STATUS_PUT,
    SQ_STATUS_HISTORY,
    SQ_FOREACH,
    SQ_ANSWERS_OF,
    SQ_COUNTS,
    SQ_PROBLEMS,
    SQ_INTEGRITY,
    SQ_FOREIGN_KEYS,
    SQ_USER_ADD,
    SQ_USER_REMOVE,
    SQ_USER_ALL,
    SQ_AUDIT_ADD,
    SQ_AUDIT_ALL,
    SQ_LOGIN_GET,
    SQ_LOGIN_FAILED,
    SQ_LOGIN_LOCK,
    SQ_LOGIN_OK,
    SQ_SESSION_PRUNE,
    SQ_SESSION_ADD,
    SQ_SESSION_GET,
    SQ_SESSION_TOUCH,
    SQ_SESSION_REMOVE,
    SQ_KEY_ADD,
    SQ_KEY_USE,
    SQ_KEY_REVOKE,
    SQ_KEY_ALL,
    SQ_DASH_COUNTS,
    SQ_DASH_VALUES,
    SQ_DASH_COHESION,
    SQ_DASH_TEXTS,
    SQ_RESPONSE_AREA,
    SQ_MODERATE,
    SQ_TALLY_PENDING,
    SQ_TALLY_CLEAR,
    SQ_TALLY_TAKE,
    SQ_TALLY_COUNTS,
    SQ_TALLY_VALUES,
    SQ_TALLY_SCORES_NEW,
    SQ_TALLY_MARK,
    SQ_TALLY_META_GET,
    SQ_TALLY_META_SET,
    SQ_TALLY_SCORES_CLEAR,
    SQ_TALLY_SCORES_ALL,
    SQ_SURVEY_QUESTIONS,
    SQ_COUNT_
};

/* One pooled connection; a thread that borrowed it is its only user. */
typedef struct storage_conn {
    sqlite3 *db;
    sqlite3_stmt *sq[SQ_COUNT_];
    struct storage_sqlite *owner;
    bool writing; /* holds owner->write_mu (a write transaction is open) */
} storage_conn;

/* The SQLite backend's handle; base first, so the storage * that
 * storage.c hands around is this. */
typedef struct storage_sqlite {
    storage base;
    char *path;
    int busy_timeout_ms;
    bk_clock clock;
    int *schema_found; /* storage_options.schema_found, during open */
    storage_pool pool; /* the readers */
    /* One writer at a time within this process: SQLite takes one anyway,
     * and a writer queued here is woken the moment the last one commits,
     * where SQLite's busy handler would sleep and poll. */
    pthread_mutex_t write_mu;
    storage_conn *conns;  /* pool_size readers and the writer, opened by storage_open */
    storage_conn *writer; /* conns[pool_size]: every write goes through it */
    int n_conns;
} storage_sqlite;

/* Accumulates bind results into a local int rc: the first failure wins. */
#define BIND(expr)                                                                                 \
    do {                                                                                           \
        if (rc == SQLITE_OK)                                                                       \
            rc = (expr);                                                                           \
    } while (0)

/* Borrows a connection and calls row(s, ctx) for each row of the
 * statement which (no parameters); row returns 0 to go on, 1 to stop, -1
 * when it ran out of memory. Failures are logged as what. Returns BK_OK,
 * BK_ERR_BUSY (no connection came free) or the statement's error. */
bk_err storage_each_row(storage_sqlite *st, enum storage_sq which, const char *what,
                        int (*row)(sqlite3_stmt *s, void *ctx), void *ctx);

/* storage_each_row with parameters: bind(s, ctx) binds them first and
 * returns SQLITE_OK or the first failure. */
bk_err storage_each_row_bound(storage_sqlite *st, enum storage_sq which, const char *what,
                              int (*bind)(sqlite3_stmt *s, void *ctx),
                              int (*row)(sqlite3_stmt *s, void *ctx), void *ctx);

/* Borrows a connection, waiting up to busy_timeout_ms for one to be given
 * back. Returns BK_OK or BK_ERR_BUSY (logged). */
bk_err storage_conn_get(storage_sqlite *st, storage_conn **out);

/* Gives c back to the pool (and wakes one waiting thread). */
void storage_conn_put(storage_sqlite *st, storage_conn *c);

/* Maps an SQLite result code (extended codes on) to a bk_err: BUSY and
 * LOCKED to BK_ERR_BUSY, a foreign key to BK_ERR_NOT_FOUND, NOT NULL and
 * CHECK to BK_ERR_INVALID, UNIQUE to BK_ERR_STATE, ... */
bk_err storage_map_rc(int rc);

/* Logs the failure of what on c once, with the database's message, and
 * returns its bk_err (BK_ERR_IO for an unexpected ROW or DONE). */
bk_err storage_fail(storage_conn *c, int rc, const char *what);

/* Resets s and clears its bindings, so the next call starts clean. */
void storage_stmt_done(sqlite3_stmt *s);

/* Opens a write transaction (BEGIN IMMEDIATE) on the one connection that
 * writes, after waiting up to busy_timeout_ms for the write in progress
 * to end; *out is that connection until storage_tx_commit or
 * storage_tx_rollback (never given back with storage_conn_put). A single
 * writer keeps its page cache warm, where a pool of writers would each
 * reread the pages another one changed. BK_ERR_BUSY (logged) on timeout. */
bk_err storage_write_begin(storage_sqlite *st, storage_conn **out);

/* A read transaction on c: one snapshot. Errors are logged. */
bk_err storage_tx_read(storage_conn *c);
bk_err storage_tx_commit(storage_conn *c);
void storage_tx_rollback(storage_conn *c);

/* Adds the audit row of an action inside the write transaction on c
 * (detail may be NULL). Returns SQLITE_DONE or the failure. */
int storage_audit_row_add(storage_conn *c, int64_t now, const char *actor, const char *action,
                          const char *subject, const char *detail);

/* Binds text (NULL binds SQL NULL); the text must outlive the step. */
int storage_bind_text(sqlite3_stmt *s, int i, const char *text);

/* Column i as a new string (NULL for SQL NULL); sets *oom when the copy
 * fails. */
char *storage_col_dup(sqlite3_stmt *s, int i, bool *oom);

/* Copies column i into buf[size] ("" for NULL), cut at a character
 * boundary when too long. */
void storage_col_copy(sqlite3_stmt *s, int i, char *buf, size_t size);

/* Creates the schema or migrates it to storage_schema_version() in one
 * transaction. A database newer than this build is refused with
 * BK_ERR_STATE. *found (when not NULL) gets the version found. Problems
 * go to diag as "DATABASE: ...". */
bk_err storage_migrate(sqlite3 *db, const char *path, int64_t now_ms, int *found, bk_diag *diag);

/* The SQLite backend's side of storage.h's calls (storage_sqlite_backend
 * lists them), one file per group: storage_kiosk.c, storage_batch.c,
 * storage_survey.c, storage_sqlite.c. */
bk_err storage_sqlite_kiosk_add(storage *base, const char *kiosk_id, const char *area,
                                const char *token_sha256);
bk_err storage_sqlite_kiosk_by_token(storage *base, const char *token_sha256, storage_kiosk *out);
bk_err storage_sqlite_kiosk_get(storage *base, const char *kiosk_id, storage_kiosk *out);
bk_err storage_sqlite_kiosk_revoke(storage *base, const char *kiosk_id);
bk_err storage_sqlite_kiosk_foreach(storage *base, int (*fn)(const storage_kiosk *k, void *ctx),
                                    void *ctx);
bk_err storage_sqlite_batch_store(storage *base, const char *kiosk_id, const ingest_batch *b,
                                  storage_batch_result *out);
bk_err storage_sqlite_survey_publish(storage *base, const char *survey_id, int version,
                                     const char *json, const char *sha, storage_target target,
                                     const char *target_id);
bk_err storage_sqlite_survey_get(storage *base, const char *survey_id, int version,
                                 char **json_out);
bk_err storage_sqlite_surveys_for_kiosk(storage *base, const char *kiosk_id, char **body_out,
                                        char etag[70]);
bk_err storage_sqlite_status_put(storage *base, const char *kiosk_id, const char *body,
                                 int64_t queued, int64_t rejected, const char *last_error);
bk_err storage_sqlite_foreach_response(storage *base, const storage_filter *filter,
                                       int (*fn)(const response_row *row, void *ctx), void *ctx);
bk_err storage_sqlite_counts(storage *base, int (*fn)(const storage_count_row *row, void *ctx),
                             void *ctx);
bk_err storage_sqlite_foreach_problem(storage *base,
                                      int (*fn)(const storage_problem_row *row, void *ctx),
                                      void *ctx);
bk_err storage_sqlite_user_add(storage *base, const storage_user *u, const char *password_hash,
                               const char *actor);
bk_err storage_sqlite_user_remove(storage *base, const char *name, const char *actor);
bk_err storage_sqlite_user_foreach(storage *base, int (*fn)(const storage_user *u, void *ctx),
                                   void *ctx);
bk_err storage_sqlite_login_get(storage *base, const char *name, storage_login *out);
bk_err storage_sqlite_login_failed(storage *base, const char *name, int lock_after,
                                   int64_t lock_base_ms, int64_t *locked_until_ms);
bk_err storage_sqlite_login_ok(storage *base, const char *name);
bk_err storage_sqlite_session_add(storage *base, const char *id_sha256, const char *user,
                                  const char *csrf, const char *lang, int64_t idle_ms,
                                  int64_t max_ms);
bk_err storage_sqlite_session_get(storage *base, const char *id_sha256, storage_session *out);
bk_err storage_sqlite_session_touch(storage *base, const char *id_sha256, const char *lang);
bk_err storage_sqlite_session_remove(storage *base, const char *id_sha256);
bk_err storage_sqlite_api_key_add(storage *base, const char *user, const char *key_sha256,
                                  const char *label);
bk_err storage_sqlite_api_key_use(storage *base, const char *key_sha256,
                                  char user[INGEST_ID_MAX + 1]);
bk_err storage_sqlite_api_key_revoke(storage *base, const char *user, const char *key_id);
bk_err storage_sqlite_api_key_foreach(storage *base, const char *user,
                                      int (*fn)(const storage_api_key *k, void *ctx), void *ctx);
bk_err storage_sqlite_audit_add(storage *base, const char *actor, const char *action,
                                const char *subject, const char *detail);
bk_err storage_sqlite_audit_foreach(storage *base, int limit,
                                    int (*fn)(const storage_audit_row *row, void *ctx), void *ctx);
bk_err storage_sqlite_dash_counts(storage *base, const storage_dash_filter *f,
                                  int (*fn)(const storage_dash_count *row, void *ctx), void *ctx);
bk_err storage_sqlite_dash_values(storage *base, const storage_dash_filter *f,
                                  const char *question_ids_json,
                                  int (*fn)(const storage_dash_value *row, void *ctx), void *ctx);
bk_err storage_sqlite_dash_cohesion(storage *base, const storage_dash_filter *f,
                                    const char *items_json, const char *reverse_json,
                                    int min_answered,
                                    int (*fn)(const storage_dash_score *row, void *ctx), void *ctx);
bk_err storage_sqlite_dash_texts(storage *base, const storage_dash_filter *f,
                                 const char *question_ids_json, const char *search,
                                 bool with_hidden, int64_t offset, int limit, int64_t *total,
                                 int (*fn)(const storage_dash_text *row, void *ctx), void *ctx);
bk_err storage_sqlite_response_area(storage *base, const char *response_id,
                                    char area[INGEST_ID_MAX + 1]);
bk_err storage_sqlite_dash_moderate(storage *base, const char *response_id, const char *question_id,
                                    bool hide, const char *reason, const char *actor);
void storage_sqlite_close(storage *base);
bk_err storage_sqlite_database_version(storage *base, int *out);
bk_err storage_sqlite_check(storage *base, bk_diag *diag);

#endif
