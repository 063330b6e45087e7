/* storage_pg.h: what the files of the PostgreSQL backend share: the
 * bounded pool of libpq connections (each reconnected by itself when the
 * server went away), running a statement with its parameters, error
 * mapping, and running a transaction again when the server asks for it.
 * Not for use outside collector/storage/.
 *
 * Every statement is sent with PQexecParams and bound text parameters; no
 * SQL is ever built from values. Rows of a batch travel as one JSON
 * parameter that the statement unpacks with json_to_recordset. */
#ifndef BK_STORAGE_PG_H
#define BK_STORAGE_PG_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage_backend.h"
#include "storage_common.h"
#include "storage_pool.h"

/* One pooled connection; a thread that borrowed it is its only user. pg
 * is NULL until the first use and after the server dropped it. */
typedef struct pg_conn {
    PGconn *pg;
    bool fresh; /* connected by this borrow: a failure now is not a stale connection */
} pg_conn;

/* The PostgreSQL backend's handle; base first. */
typedef struct storage_pg {
    storage base;
    char *uri;     /* as configured: a libpq connection URI or string */
    char *display; /* for messages: the URI without any password */
    int busy_timeout_ms;
    bk_clock clock;
    storage_pool pool;
    pg_conn *conns;
    int n_conns;
    atomic_bool away; /* the last connection attempt failed (logged once per outage) */
} storage_pg;

/* Up to this many parameters per statement. */
#define PG_MAX_PARAMS 16

/* The text parameters of one statement ($1 is v[0]); numbers are written
 * into num[]. NULL binds SQL NULL. */
typedef struct pg_params {
    int n;
    const char *v[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][24];
} pg_params;

void pg_text(pg_params *p, const char *text);
void pg_int(pg_params *p, int64_t v);

/* Borrows a connection, waiting up to busy_timeout_ms for one to be given
 * back, and connects it when it is not connected. Returns BK_OK,
 * BK_ERR_BUSY (pool exhausted) or BK_ERR_NETWORK (the server cannot be
 * reached; logged once per outage). */
bk_err pg_get(storage_pg *st, pg_conn **out);

/* Gives c back to the pool (and wakes one waiting thread). */
void pg_put(storage_pg *st, pg_conn *c);

/* Runs sql with params p (NULL: none) on c. On success returns BK_OK and,
 * when res is not NULL, the result in *res (caller PQclear()s). On failure
 * logs what failed once, with the server's message, and returns:
 * BK_ERR_NETWORK when the connection broke (c is dropped and reconnects
 * at its next use), BK_ERR_BUSY for a lock timeout or too many
 * connections, BK_ERR_STATE for a unique violation, BK_ERR_NOT_FOUND for
 * a foreign key, BK_ERR_INVALID for NOT NULL and CHECK, BK_ERR_ABORTED
 * for a serialization failure or deadlock (run the transaction again),
 * BK_ERR_IO otherwise. Unique violations and foreign keys are not logged
 * (the caller says what they mean). */
bk_err pg_exec(pg_conn *c, const char *sql, const pg_params *p, PGresult **res, const char *what);

/* The transaction body that pg_run runs. */
typedef bk_err (*pg_tx_fn)(pg_conn *c, void *ctx);

/* Borrows a connection and runs fn inside BEGIN (with begin, e.g. "BEGIN
 * ISOLATION LEVEL REPEATABLE READ READ ONLY"; NULL: plain BEGIN) ...
 * COMMIT, rolling back when fn fails. Runs it again, up to 3 times, on a
 * serialization failure, a deadlock, or a connection found broken (a
 * server restart since the last use); fn must therefore start from
 * scratch each time (reset what it fills). Returns fn's error or the
 * transaction's. */
bk_err pg_run(storage_pg *st, const char *begin, pg_tx_fn fn, void *ctx);

/* Runs one statement outside a transaction (autocommit) on a borrowed
 * connection, as pg_exec does; when the connection is found broken as the
 * statement is sent (kept from before a server restart, so the server
 * never had it) it is sent again once on a new one. Only for reads and for
 * writes that may happen twice. */
bk_err pg_once(storage_pg *st, const char *sql, const pg_params *p, PGresult **res,
               const char *what);

/* Runs the read sql (no parameters) with pg_once and calls row(r, i, ctx)
 * for each row i of its result; row returns non-zero to stop. */
bk_err pg_each_row(storage_pg *st, const char *sql, const char *what,
                   int (*row)(const PGresult *r, int i, void *ctx), void *ctx);

/* pg_each_row with the parameters p. */
bk_err pg_each_row_params(storage_pg *st, const char *sql, const pg_params *p, const char *what,
                          int (*row)(const PGresult *r, int i, void *ctx), void *ctx);

/* The value at (row, col) as int64 (0 for NULL). */
int64_t pg_int_at(const PGresult *r, int row, int col);

/* The value at (row, col), or NULL for SQL NULL (owned by r). */
const char *pg_text_at(const PGresult *r, int row, int col);

/* Copies the value at (row, col) into buf[size] ("" for NULL), cut at a
 * character boundary when too long. */
void pg_copy_at(const PGresult *r, int row, int col, char *buf, size_t size);

/* Creates the schema or migrates it to storage_schema_version() in one
 * transaction, under an advisory lock so instances starting together
 * migrate once. A database newer than this build is refused with
 * BK_ERR_STATE. *found (when not NULL) gets the version found. Problems
 * go to diag as "DATABASE: ...". */
bk_err pg_migrate(storage_pg *st, pg_conn *c, int *found, bk_diag *diag);

/* The PostgreSQL backend's side of storage.h's calls, one file per group:
 * storage_pg_kiosk.c (kiosks, heartbeats, surveys), storage_pg_batch.c
 * (batches and reading back), storage_pg.c (the rest). */
bk_err storage_pg_kiosk_add(storage *base, const char *kiosk_id, const char *area,
                            const char *token_sha256);
bk_err storage_pg_kiosk_by_token(storage *base, const char *token_sha256, storage_kiosk *out);
bk_err storage_pg_kiosk_get(storage *base, const char *kiosk_id, storage_kiosk *out);
bk_err storage_pg_kiosk_revoke(storage *base, const char *kiosk_id);
bk_err storage_pg_kiosk_foreach(storage *base, int (*fn)(const storage_kiosk *k, void *ctx),
                                void *ctx);
bk_err storage_pg_batch_store(storage *base, const char *kiosk_id, const ingest_batch *b,
                              storage_batch_result *out);
bk_err storage_pg_survey_publish(storage *base, const char *survey_id, int version,
                                 const char *json, const char *sha, storage_target target,
                                 const char *target_id);
bk_err storage_pg_survey_get(storage *base, const char *survey_id, int version, char **json_out);
bk_err storage_pg_surveys_for_kiosk(storage *base, const char *kiosk_id, char **body_out,
                                    char etag[70]);
bk_err storage_pg_status_put(storage *base, const char *kiosk_id, const char *body, int64_t queued,
                             int64_t rejected, const char *last_error);
bk_err storage_pg_foreach_response(storage *base, const storage_filter *filter,
                                   int (*fn)(const response_row *row, void *ctx), void *ctx);
bk_err storage_pg_counts(storage *base, int (*fn)(const storage_count_row *row, void *ctx),
                         void *ctx);
bk_err storage_pg_foreach_problem(storage *base,
                                  int (*fn)(const storage_problem_row *row, void *ctx), void *ctx);
bk_err storage_pg_user_add(storage *base, const storage_user *u, const char *password_hash,
                           const char *actor);
bk_err storage_pg_user_remove(storage *base, const char *name, const char *actor);
bk_err storage_pg_user_foreach(storage *base, int (*fn)(const storage_user *u, void *ctx),
                               void *ctx);
bk_err storage_pg_login_get(storage *base, const char *name, storage_login *out);
bk_err storage_pg_login_failed(storage *base, const char *name, int lock_after,
                               int64_t lock_base_ms, int64_t *locked_until_ms);
bk_err storage_pg_login_ok(storage *base, const char *name);
bk_err storage_pg_session_add(storage *base, const char *id_sha256, const char *user,
                              const char *csrf, const char *lang, int64_t idle_ms, int64_t max_ms);
bk_err storage_pg_session_get(storage *base, const char *id_sha256, storage_session *out);
bk_err storage_pg_session_touch(storage *base, const char *id_sha256, const char *lang);
bk_err storage_pg_session_remove(storage *base, const char *id_sha256);
bk_err storage_pg_api_key_add(storage *base, const char *user, const char *key_sha256,
                              const char *label);
bk_err storage_pg_api_key_use(storage *base, const char *key_sha256, char user[INGEST_ID_MAX + 1]);
bk_err storage_pg_api_key_revoke(storage *base, const char *user, const char *key_id);
bk_err storage_pg_api_key_foreach(storage *base, const char *user,
                                  int (*fn)(const storage_api_key *k, void *ctx), void *ctx);
bk_err storage_pg_audit_add(storage *base, const char *actor, const char *action,
                            const char *subject, const char *detail);
bk_err storage_pg_audit_foreach(storage *base, int limit,
                                int (*fn)(const storage_audit_row *row, void *ctx), void *ctx);
bk_err storage_pg_dash_counts(storage *base, const storage_dash_filter *f,
                              int (*fn)(const storage_dash_count *row, void *ctx), void *ctx);
bk_err storage_pg_dash_values(storage *base, const storage_dash_filter *f,
                              const char *question_ids_json,
                              int (*fn)(const storage_dash_value *row, void *ctx), void *ctx);
bk_err storage_pg_dash_cohesion(storage *base, const storage_dash_filter *f, const char *items_json,
                                const char *reverse_json, int min_answered,
                                int (*fn)(const storage_dash_score *row, void *ctx), void *ctx);
bk_err storage_pg_dash_texts(storage *base, const storage_dash_filter *f,
                             const char *question_ids_json, const char *search, bool with_hidden,
                             int64_t offset, int limit, int64_t *total,
                             int (*fn)(const storage_dash_text *row, void *ctx), void *ctx);
bk_err storage_pg_response_area(storage *base, const char *response_id,
                                char area[INGEST_ID_MAX + 1]);
bk_err storage_pg_dash_moderate(storage *base, const char *response_id, const char *question_id,
                                bool hide, const char *reason, const char *actor);
void storage_pg_close(storage *base);
bk_err storage_pg_database_version(storage *base, int *out);
bk_err storage_pg_check(storage *base, bk_diag *diag);

#endif
