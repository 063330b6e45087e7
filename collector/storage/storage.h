/* storage.h: everything the collector keeps, behind one interface. The
 * HTTP layer and the command line call only this; no SQL outside
 * collector/storage/. Two backends sit behind the same calls: SQLite
 * (storage_sqlite.c: one file, WAL, synchronous=FULL) and PostgreSQL
 * (storage_pg.c, through libpq: several instances on one database).
 *
 * Threading: one storage handle is shared by every thread. It keeps a
 * bounded pool of connections inside; each call borrows one for its
 * duration. All state lives in the database, so two processes on one
 * database (two instances on one PostgreSQL) agree.
 *
 * Errors: BK_ERR_BUSY when the database stayed locked past the busy
 * timeout or the pool is exhausted (the caller answers 503),
 * BK_ERR_NETWORK when the database server cannot be reached (503 too; the
 * backend reconnects by itself at the next call), BK_ERR_IO or
 * BK_ERR_CORRUPT for database failures (logged once here, with the
 * database's message), BK_ERR_NOMEM. */
#ifndef BK_STORAGE_H
#define BK_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "diag.h"
#include "error.h"
#include "ingest.h"
#include "response.h"

typedef struct storage storage;

typedef struct storage_options {
    const char *database; /* a file path: SQLite; a postgresql:// URI: PostgreSQL */
    int busy_timeout_ms;  /* wait for a lock or a free connection this long, then BK_ERR_BUSY */
    int pool_size;        /* connections at most (>= 1); SQLite adds its one writer */
    bk_clock clock;       /* for received_at and other stamps */
    int *schema_found;    /* when not NULL: gets the schema version found before migrating */
} storage_options;

/* True when database names a PostgreSQL database (a postgresql:// or
 * postgres:// URI) rather than an SQLite file. */
bool storage_is_postgresql(const char *database);

/* Opens (creating when missing) the database and migrates its schema to
 * the current version. Returns BK_OK with a new handle in *out (close with
 * storage_close), or an error with the problem in diag ("DATABASE: ..."). */
bk_err storage_open(const storage_options *opt, storage **out, bk_diag *diag);

/* Closes every connection (a clean WAL checkpoint for SQLite). NULL is a
 * no-op. No call may be running. */
void storage_close(storage *st);

/* The schema version this build writes, and the one the database holds. */
int storage_schema_version(void);
bk_err storage_database_version(storage *st, int *out);

/* "ok" checks: PRAGMA integrity_check for SQLite; for PostgreSQL that
 * the server answers, the schema version and that every response's batch
 * is stored (its pages are PostgreSQL's own to check: pg_amcheck). Returns BK_OK when the
 * database is sound, BK_ERR_CORRUPT with the first problem in diag. */
bk_err storage_check(storage *st, bk_diag *diag);

/* ---- kiosks and tokens ---- */

typedef struct storage_kiosk {
    char id[INGEST_ID_MAX + 1];
    char area[INGEST_ID_MAX + 1]; /* "" when none */
    bool revoked;
    int64_t created_ms;
    /* From the latest heartbeat; last_heartbeat_ms 0 when none came. */
    int64_t last_heartbeat_ms;
    int64_t queued, rejected;
    char last_error[256];
} storage_kiosk;

/* Adds a kiosk with the SHA-256 (lower-case hex) of its token. Returns
 * BK_ERR_STATE when the id exists (revoked or not). */
bk_err storage_kiosk_add(storage *st, const char *kiosk_id, const char *area,
                         const char *token_sha256);

/* The kiosk whose token has this SHA-256. BK_ERR_NOT_FOUND when none;
 * a revoked kiosk is returned with revoked set. */
bk_err storage_kiosk_by_token(storage *st, const char *token_sha256, storage_kiosk *out);

/* The kiosk with this id, or BK_ERR_NOT_FOUND. */
bk_err storage_kiosk_get(storage *st, const char *kiosk_id, storage_kiosk *out);

/* Revokes the kiosk's token for good. BK_ERR_NOT_FOUND when no such kiosk. */
bk_err storage_kiosk_revoke(storage *st, const char *kiosk_id);

/* Calls fn for every kiosk in id order; fn returns non-zero to stop. */
bk_err storage_kiosk_foreach(storage *st, int (*fn)(const storage_kiosk *k, void *ctx), void *ctx);

/* ---- batches ---- */

typedef struct storage_batch_result {
    int accepted;    /* new responses stored (quarantined ones included) */
    int duplicates;  /* response_id already held with the same body */
    int conflicts;   /* response_id already held with another body: kept beside it */
    int quarantined; /* of accepted: did not fit their survey definition */
    bool repeated;   /* this batch_id was stored before */
} storage_batch_result;

/* Stores batch b from kiosk kiosk_id (already authenticated; b->kiosk_id
 * equals it) in one transaction, and returns only after it has committed
 * (synchronous=FULL): a new response is inserted; a response_id already
 * held with the same body counts as a duplicate; with another body it is a
 * conflict, stored beside the first version, nothing overwritten. Uses the
 * database's unique constraints (INSERT ... ON CONFLICT), never a read
 * followed by an insert. Quarantined responses (r->quarantine set) are
 * stored with their reason and never counted. On any error nothing of the
 * batch is stored. */
bk_err storage_batch_store(storage *st, const char *kiosk_id, const ingest_batch *b,
                           storage_batch_result *out);

/* ---- surveys ---- */

typedef enum storage_target {
    STORAGE_TARGET_KIOSK,
    STORAGE_TARGET_AREA,
    STORAGE_TARGET_ALL
} storage_target;

/* Stores the definition text json (already validated; id and version as
 * given) and makes it the active survey for the target (target_id: a kiosk
 * id, an area id, or NULL for all). The same id and version published
 * again with the same text only changes the target; with another text it
 * is refused with BK_ERR_STATE (the version must go up, because responses
 * name the version they answered). */
bk_err storage_survey_publish(storage *st, const char *survey_id, int version, const char *json,
                              storage_target target, const char *target_id);

/* The stored definition text of survey_id at version (new string, caller
 * frees), or BK_ERR_NOT_FOUND. */
bk_err storage_survey_get(storage *st, const char *survey_id, int version, char **json_out);

/* The surveys published for this kiosk (by its id, its area, or all),
 * each at its latest published version, as the PROTOCOL.md body
 * {"surveys": [...], "active": "..."}: the active one is the latest
 * published to the kiosk itself, else to its area, else to all. *body_out
 * is a new string (caller frees) and etag a quoted strong ETag of it
 * ("\"<sha256 hex>\""). BK_ERR_NOT_FOUND when nothing is published for it. */
bk_err storage_surveys_for_kiosk(storage *st, const char *kiosk_id, char **body_out, char etag[70]);

/* ---- heartbeats ---- */

/* Keeps a heartbeat: body is the JSON as received (already checked to be a
 * JSON object); queued, rejected and last_error are read from it by the
 * caller (last_error may be NULL). Kept as the latest and in the history. */
bk_err storage_status_put(storage *st, const char *kiosk_id, const char *body, int64_t queued,
                          int64_t rejected, const char *last_error);

/* ---- reading back ---- */

typedef struct storage_filter {
    const char *area; /* NULL: every area; else the response's area, or its kiosk's when null */
    int64_t since_ms; /* > 0: only responses started at or after */
    bool with_quarantined; /* false: counted responses only */
} storage_filter;

/* Calls fn for every stored response (first versions; conflicts apart)
 * matching filter, ordered by kiosk and seq, one row at a time (constant
 * memory); the row is valid only during the call. row->batch_id is the
 * batch it came in. fn returns non-zero to stop. */
bk_err storage_foreach_response(storage *st, const storage_filter *filter,
                                int (*fn)(const response_row *row, void *ctx), void *ctx);

/* One line of `status`: counts per survey, area and kiosk. */
typedef struct storage_count_row {
    char survey_id[INGEST_ID_MAX + 1];
    int survey_version;
    char area[INGEST_ID_MAX + 1]; /* "" when none */
    char kiosk_id[INGEST_ID_MAX + 1];
    int64_t responses; /* counted (not quarantined) */
    int64_t quarantined;
    int64_t conflicts;
} storage_count_row;

/* Calls fn for each (survey, version, area, kiosk) group, sorted. */
bk_err storage_counts(storage *st, int (*fn)(const storage_count_row *row, void *ctx), void *ctx);

/* One quarantined response or conflict, for admins. */
typedef struct storage_problem_row {
    const char *kind; /* "quarantine" or "conflict" */
    const char *response_id, *kiosk_id, *batch_id;
    const char *reason; /* quarantine reason; NULL for a conflict */
    const char *body;   /* the response as received */
    int64_t received_ms;
} storage_problem_row;

/* Calls fn for every quarantined response and every conflicting version. */
bk_err storage_foreach_problem(storage *st, int (*fn)(const storage_problem_row *row, void *ctx),
                               void *ctx);

/* ---- accounts of the web interface ---- */

typedef enum storage_role {
    STORAGE_ROLE_ADMIN,        /* everything, and manages kiosks, surveys and users */
    STORAGE_ROLE_WIJKMAKELAAR, /* only their areas */
    STORAGE_ROLE_VIEWER,       /* everything, changes nothing */
} storage_role;

/* "admin", "wijkmakelaar" or "viewer"; "?" when out of range. */
const char *storage_role_name(storage_role role);

/* The role named s into *out; false when s names none. */
bool storage_role_parse(const char *s, storage_role *out);

typedef struct storage_user {
    char name[INGEST_ID_MAX + 1];
    storage_role role;
    char areas[1024]; /* a wijkmakelaar's area ids, comma-separated; "" for the others */
    int64_t created_ms;
} storage_user;

/* Adds an account with the password's hash (an argon2id string from
 * crypto_pwhash_str; never the password) and records it in the audit log
 * as done by actor, in one transaction. BK_ERR_INVALID for a bad name or
 * areas, or areas missing for a wijkmakelaar (given for another role);
 * BK_ERR_STATE when the name exists. */
bk_err storage_user_add(storage *st, const storage_user *u, const char *password_hash,
                        const char *actor);

/* Removes the account and records it in the audit log, in one
 * transaction. BK_ERR_NOT_FOUND when there is no such account. */
bk_err storage_user_remove(storage *st, const char *name, const char *actor);

/* Calls fn for every account in name order; fn returns non-zero to stop. */
bk_err storage_user_foreach(storage *st, int (*fn)(const storage_user *u, void *ctx), void *ctx);

/* Checks an account before it is stored (storage_user_add's rules): a
 * name of 1 to INGEST_ID_MAX letters, digits and ".-_@", a known role,
 * areas (ids, comma-separated, no empty one) only and always for a
 * wijkmakelaar. Returns NULL when fine, else why (static text). */
const char *storage_user_problem(const storage_user *u);

#endif
