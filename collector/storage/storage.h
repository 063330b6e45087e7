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
    char status_body[2048]; /* the latest heartbeat as received ("" when none or longer) */
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
    int64_t until_ms; /* > 0: only responses started before */
    bool with_quarantined; /* false: counted responses only */
} storage_filter;

/* Calls fn for every stored response (first versions; conflicts apart)
 * matching filter, ordered by kiosk and seq, one row at a time (constant
 * memory); the row is valid only during the call. row->batch_id is the
 * batch it came in; an answer hidden by moderation (storage_dash_moderate)
 * has hidden set. fn returns non-zero to stop. */
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

/* An account as the login needs it. */
typedef struct storage_login {
    storage_user user;
    char password_hash[256]; /* crypto_pwhash_str's string */
    int failures;            /* wrong passwords since the last right one */
    int64_t locked_until_ms; /* wall clock; 0 when never locked */
} storage_login;

/* The account name with its hash and lock, or BK_ERR_NOT_FOUND. */
bk_err storage_login_get(storage *st, const char *name, storage_login *out);

/* Records a wrong password for name in one transaction: failures + 1, and
 * from lock_after failures on, locked until now + lock_base_ms doubled for
 * each failure past lock_after (at most a day), as the kiosk's PIN does.
 * *locked_until_ms gets the lock (0 when none). BK_ERR_NOT_FOUND when
 * there is no such account. */
bk_err storage_login_failed(storage *st, const char *name, int lock_after, int64_t lock_base_ms,
                            int64_t *locked_until_ms);

/* Clears name's failures and lock after a right password. */
bk_err storage_login_ok(storage *st, const char *name);

/* A session of the web interface. Only the SHA-256 of its id is kept. */
typedef struct storage_session {
    char user[INGEST_ID_MAX + 1];
    char csrf[65]; /* the token every form of the session carries */
    char lang[8];  /* "nl" or "en" */
    int64_t created_ms, last_ms;
} storage_session;

/* Adds a session for user; first removes every session idle since before
 * now - idle_ms or made before now - max_ms. */
bk_err storage_session_add(storage *st, const char *id_sha256, const char *user, const char *csrf,
                           const char *lang, int64_t idle_ms, int64_t max_ms);

/* The session with this id hash, or BK_ERR_NOT_FOUND (also when its
 * account was removed). */
bk_err storage_session_get(storage *st, const char *id_sha256, storage_session *out);

/* Marks the session used now, and sets its language when lang is not NULL. */
bk_err storage_session_touch(storage *st, const char *id_sha256, const char *lang);

/* Ends the session (logout). BK_OK also when there was none. */
bk_err storage_session_remove(storage *st, const char *id_sha256);

/* A personal API key, for a spreadsheet's refresh "from web". */
typedef struct storage_api_key {
    char id[17]; /* the first 16 hex digits of its hash: names it on the page */
    char label[101];
    int64_t created_ms, last_used_ms; /* last_used_ms 0: never */
} storage_api_key;

/* Adds a key (its SHA-256 only) for user, audited. */
bk_err storage_api_key_add(storage *st, const char *user, const char *key_sha256,
                           const char *label);

/* The account of the key with this hash into user (and marks it used), or
 * BK_ERR_NOT_FOUND when there is none or it was revoked. */
bk_err storage_api_key_use(storage *st, const char *key_sha256, char user[INGEST_ID_MAX + 1]);

/* Revokes user's key named key_id (storage_api_key.id), audited.
 * BK_ERR_NOT_FOUND when user has no such key. */
bk_err storage_api_key_revoke(storage *st, const char *user, const char *key_id);

/* Calls fn for each key of user that is not revoked, newest first. */
bk_err storage_api_key_foreach(storage *st, const char *user,
                               int (*fn)(const storage_api_key *k, void *ctx), void *ctx);

/* Adds a line to the audit log: actor did action to subject (detail may
 * be NULL). */
bk_err storage_audit_add(storage *st, const char *actor, const char *action, const char *subject,
                         const char *detail);

typedef struct storage_audit_row {
    int64_t at_ms;
    const char *actor, *action, *subject, *detail; /* detail may be NULL */
} storage_audit_row;

/* Calls fn for the newest limit lines of the audit log, newest first. */
bk_err storage_audit_foreach(storage *st, int limit,
                             int (*fn)(const storage_audit_row *row, void *ctx), void *ctx);

/* ---- the wijkdashboard's figures ----
 * Every figure is counted by the database over the counted responses (not
 * quarantined) into tallies per area, month, survey, version, language,
 * status and flags, kept up to date by each call before it reads (the
 * responses that came in since are added, in steps of one transaction),
 * so a page reads a few thousand tally rows, not every answer. Answers are
 * tallied for the choice, scale and number questions of the published
 * definitions (a response to a version never published is counted, its
 * answers not). A response's area is its own, else its kiosk's ("" when
 * neither); its month is the first 7 characters of started_at ("YYYY-MM",
 * as the kiosk sent it: UTC). */

typedef struct storage_dash_filter {
    const char *area;       /* NULL: every area */
    const char *survey_id;  /* NULL: every survey */
    int survey_version;     /* 0: every version */
    const char *language;   /* NULL: every language */
    const char *status;     /* NULL: complete and partial */
    const char *from_month; /* "YYYY-MM": started in it or later; NULL: open */
    const char *to_month;   /* "YYYY-MM": started in it or earlier; NULL: open */
    bool with_rapid;        /* false: responses flagged "rapid" left out */
    bool with_repeat;       /* false: responses flagged "repeat" left out */
} storage_dash_filter;

typedef struct storage_dash_count {
    const char *area, *month, *survey_id, *language, *status;
    int survey_version;
    bool rapid, repeat;
    int64_t n;
} storage_dash_count;

/* Counts the responses matching f, except for its flags (with_rapid and
 * with_repeat are not applied: the rows say which were flagged), grouped
 * by area, month, survey, version, language, status and flags, sorted. */
bk_err storage_dash_counts(storage *st, const storage_dash_filter *f,
                           int (*fn)(const storage_dash_count *row, void *ctx), void *ctx);

typedef struct storage_dash_value {
    const char *question_id;
    const char *month;
    const char *value; /* a number as text, or an option id */
    int64_t n;
} storage_dash_value;

/* How often each question of question_ids got each value, per month,
 * over the responses matching f; an answer with several choices counts
 * once for each. Sorted by question, month, value. */
bk_err storage_dash_values(storage *st, const storage_dash_filter *f,
                           const char *const *question_ids, size_t n_questions,
                           int (*fn)(const storage_dash_value *row, void *ctx), void *ctx);

typedef struct storage_dash_score {
    const char *area, *month;
    int64_t respondents; /* with a score */
    double score_sum;    /* of their scores */
} storage_dash_score;

/* The social-cohesion score (docs/dashboard.md) per area and month over
 * the responses matching f (f->survey_id required: the survey that asks
 * the items): an item's answer v (a whole number 1..5) counts as 6 - v
 * where reverse[i], else v; a respondent who answered at least half of the
 * n items (rounded up) scores (mean - 1) * 2.5, 0..10. The scores are
 * tallied with these items; other items count them again, once. */
bk_err storage_dash_cohesion(storage *st, const storage_dash_filter *f, const char *const *items,
                             const bool *reverse, size_t n_items,
                             int (*fn)(const storage_dash_score *row, void *ctx), void *ctx);

typedef struct storage_dash_text {
    const char *response_id, *question_id, *text, *started_at, *language, *kiosk_id;
    bool personal;                         /* the response is flagged "personal-data" */
    bool hidden;                           /* hidden by moderation */
    const char *hidden_reason, *hidden_by; /* NULL unless hidden */
} storage_dash_text;

/* The free-text answers to question_ids of the responses matching f,
 * newest first; search (NULL or "": all) is found anywhere in the text,
 * ignoring ASCII case; hidden ones only with with_hidden. Skips offset
 * rows and gives at most limit; *total gets how many match. */
bk_err storage_dash_texts(storage *st, const storage_dash_filter *f,
                          const char *const *question_ids, size_t n_questions, const char *search,
                          bool with_hidden, int64_t offset, int limit, int64_t *total,
                          int (*fn)(const storage_dash_text *row, void *ctx), void *ctx);

/* The area of a stored response (its own, else its kiosk's; "" for
 * none) into area, or BK_ERR_NOT_FOUND. */
bk_err storage_response_area(storage *st, const char *response_id, char area[INGEST_ID_MAX + 1]);

/* Hides (hide) or shows again an answer, with the reason, in one
 * transaction with its audit line ("moderate hide" / "moderate show" by
 * actor). Nothing is deleted. BK_ERR_NOT_FOUND when the response has no
 * answer to question_id. */
bk_err storage_dash_moderate(storage *st, const char *response_id, const char *question_id,
                             bool hide, const char *reason, const char *actor);

#endif
