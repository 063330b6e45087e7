/* storage_backend.h: what a storage backend provides, one function per
 * call of storage.h, and the handle every backend's own begins with.
 * storage.c picks the backend in storage_open and passes every call on.
 * Not for use outside collector/storage/. */
#ifndef BK_STORAGE_BACKEND_H
#define BK_STORAGE_BACKEND_H

#include "storage.h"

typedef struct storage_backend storage_backend;

/* The schema version this build writes; each backend's migrations take a
 * database up to it (storage_schema.c, storage_pg_schema.c). */
#define STORAGE_SCHEMA_VERSION 4

/* The start of every backend's handle: a backend's open makes its own
 * struct with this first and returns a pointer to it. */
struct storage {
    const storage_backend *backend;
};

/* The calls of storage.h, with the same contracts (see there). storage.c
 * has checked the arguments already (ids, hashes, the batch's kiosk, NULL
 * pointers) and zeroed the outputs; survey_publish gets the definition's
 * SHA-256 and a target_id of "" for STORAGE_TARGET_ALL. */
struct storage_backend {
    void (*close)(storage *st);
    bk_err (*database_version)(storage *st, int *out);
    bk_err (*check)(storage *st, bk_diag *diag);
    bk_err (*kiosk_add)(storage *st, const char *kiosk_id, const char *area,
                        const char *token_sha256);
    bk_err (*kiosk_by_token)(storage *st, const char *token_sha256, storage_kiosk *out);
    bk_err (*kiosk_get)(storage *st, const char *kiosk_id, storage_kiosk *out);
    bk_err (*kiosk_revoke)(storage *st, const char *kiosk_id);
    bk_err (*kiosk_foreach)(storage *st, int (*fn)(const storage_kiosk *k, void *ctx), void *ctx);
    bk_err (*batch_store)(storage *st, const char *kiosk_id, const ingest_batch *b,
                          storage_batch_result *out);
    bk_err (*survey_publish)(storage *st, const char *survey_id, int version, const char *json,
                             const char *sha, storage_target target, const char *target_id);
    bk_err (*survey_get)(storage *st, const char *survey_id, int version, char **json_out);
    bk_err (*surveys_for_kiosk)(storage *st, const char *kiosk_id, char **body_out, char etag[70]);
    bk_err (*status_put)(storage *st, const char *kiosk_id, const char *body, int64_t queued,
                         int64_t rejected, const char *last_error);
    bk_err (*foreach_response)(storage *st, const storage_filter *filter,
                               int (*fn)(const response_row *row, void *ctx), void *ctx);
    bk_err (*counts)(storage *st, int (*fn)(const storage_count_row *row, void *ctx), void *ctx);
    bk_err (*foreach_problem)(storage *st, int (*fn)(const storage_problem_row *row, void *ctx),
                              void *ctx);
    bk_err (*user_add)(storage *st, const storage_user *u, const char *password_hash,
                       const char *actor);
    bk_err (*user_remove)(storage *st, const char *name, const char *actor);
    bk_err (*user_foreach)(storage *st, int (*fn)(const storage_user *u, void *ctx), void *ctx);
    bk_err (*login_get)(storage *st, const char *name, storage_login *out);
    bk_err (*login_failed)(storage *st, const char *name, int lock_after, int64_t lock_base_ms,
                           int64_t *locked_until_ms);
    bk_err (*login_ok)(storage *st, const char *name);
    bk_err (*session_add)(storage *st, const char *id_sha256, const char *user, const char *csrf,
                          const char *lang, int64_t idle_ms, int64_t max_ms);
    bk_err (*session_get)(storage *st, const char *id_sha256, storage_session *out);
    bk_err (*session_touch)(storage *st, const char *id_sha256, const char *lang);
    bk_err (*session_remove)(storage *st, const char *id_sha256);
    bk_err (*api_key_add)(storage *st, const char *user, const char *key_sha256, const char *label);
    bk_err (*api_key_use)(storage *st, const char *key_sha256, char user[INGEST_ID_MAX + 1]);
    bk_err (*api_key_revoke)(storage *st, const char *user, const char *key_id);
    bk_err (*api_key_foreach)(storage *st, const char *user,
                              int (*fn)(const storage_api_key *k, void *ctx), void *ctx);
    bk_err (*audit_add)(storage *st, const char *actor, const char *action, const char *subject,
                        const char *detail);
    bk_err (*audit_foreach)(storage *st, int limit,
                            int (*fn)(const storage_audit_row *row, void *ctx), void *ctx);
    /* The dashboard's calls get their question ids as one JSON array of
     * strings (checked ids; storage.c makes it), and the cohesion call the
     * least number of items answered. */
    bk_err (*dash_counts)(storage *st, const storage_dash_filter *f,
                          int (*fn)(const storage_dash_count *row, void *ctx), void *ctx);
    bk_err (*dash_values)(storage *st, const storage_dash_filter *f, const char *question_ids_json,
                          int (*fn)(const storage_dash_value *row, void *ctx), void *ctx);
    bk_err (*dash_cohesion)(storage *st, const storage_dash_filter *f, const char *items_json,
                            const char *reverse_json, int min_answered,
                            int (*fn)(const storage_dash_score *row, void *ctx), void *ctx);
    bk_err (*dash_texts)(storage *st, const storage_dash_filter *f, const char *question_ids_json,
                         const char *search, bool with_hidden, int64_t offset, int limit,
                         int64_t *total, int (*fn)(const storage_dash_text *row, void *ctx),
                         void *ctx);
    bk_err (*response_area)(storage *st, const char *response_id, char area[INGEST_ID_MAX + 1]);
    bk_err (*dash_moderate)(storage *st, const char *response_id, const char *question_id,
                            bool hide, const char *reason, const char *actor);
};

/* The SQLite backend (storage_sqlite.c): opens or makes the database file
 * opt->database, as storage_open promises. */
extern const storage_backend storage_sqlite_backend;
bk_err storage_sqlite_open(const storage_options *opt, storage **out, bk_diag *diag);

/* The PostgreSQL backend (storage_pg.c): connects to opt->database, a
 * libpq connection URI, and migrates its schema. */
extern const storage_backend storage_pg_backend;
bk_err storage_pg_open(const storage_options *opt, storage **out, bk_diag *diag);

#endif
