/* storage.c: storage.h's calls, passed on to the backend that opened the
 * handle (storage_backend.h): a postgresql:// or postgres:// URI is
 * PostgreSQL, anything else an SQLite file. */
#include "storage_backend.h"

#include <string.h>

#include "log.h"
#include "storage_common.h"

bool storage_is_postgresql(const char *database)
{
    return database && (strncmp(database, "postgresql://", 13) == 0 ||
                        strncmp(database, "postgres://", 11) == 0);
}

bk_err storage_open(const storage_options *opt, storage **out, bk_diag *diag)
{
    if (opt && storage_is_postgresql(opt->database))
        return storage_pg_open(opt, out, diag);
    return storage_sqlite_open(opt, out, diag);
}

int storage_schema_version(void)
{
    return STORAGE_SCHEMA_VERSION;
}

void storage_close(storage *st)
{
    if (st)
        st->backend->close(st);
}

bk_err storage_database_version(storage *st, int *out)
{
    return st->backend->database_version(st, out);
}

bk_err storage_check(storage *st, bk_diag *diag)
{
    return st->backend->check(st, diag);
}

bk_err storage_kiosk_add(storage *st, const char *kiosk_id, const char *area,
                         const char *token_sha256)
{
    if (!storage_id_ok(kiosk_id) || (area && strlen(area) > INGEST_ID_MAX) ||
        !storage_sha256_hex_ok(token_sha256))
        return BK_ERR_INVALID;
    return st->backend->kiosk_add(st, kiosk_id, area, token_sha256);
}

bk_err storage_kiosk_by_token(storage *st, const char *token_sha256, storage_kiosk *out)
{
    memset(out, 0, sizeof *out);
    if (!token_sha256)
        return BK_ERR_INVALID;
    return st->backend->kiosk_by_token(st, token_sha256, out);
}

bk_err storage_kiosk_get(storage *st, const char *kiosk_id, storage_kiosk *out)
{
    memset(out, 0, sizeof *out);
    if (!kiosk_id)
        return BK_ERR_INVALID;
    return st->backend->kiosk_get(st, kiosk_id, out);
}

bk_err storage_kiosk_revoke(storage *st, const char *kiosk_id)
{
    if (!kiosk_id)
        return BK_ERR_INVALID;
    return st->backend->kiosk_revoke(st, kiosk_id);
}

bk_err storage_kiosk_foreach(storage *st, int (*fn)(const storage_kiosk *k, void *ctx), void *ctx)
{
    return st->backend->kiosk_foreach(st, fn, ctx);
}

bk_err storage_batch_store(storage *st, const char *kiosk_id, const ingest_batch *b,
                           storage_batch_result *out)
{
    memset(out, 0, sizeof *out);
    if (!kiosk_id || !b || strcmp(kiosk_id, b->kiosk_id) != 0)
        return BK_ERR_INVALID;
    for (size_t i = 0; i < b->n_responses; i++) {
        if (!storage_sha256_hex_ok(b->responses[i].body_sha256)) {
            log_error("storage", "batch %s: response %zu has no body hash", b->batch_id, i);
            return BK_ERR_INVALID;
        }
    }
    return st->backend->batch_store(st, kiosk_id, b, out);
}

bk_err storage_survey_publish(storage *st, const char *survey_id, int version, const char *json,
                              storage_target target, const char *target_id)
{
    char sha[65];
    bk_err err = storage_publish_check(survey_id, version, json, target, &target_id, sha);
    if (err != BK_OK)
        return err;
    return st->backend->survey_publish(st, survey_id, version, json, sha, target, target_id);
}

bk_err storage_survey_get(storage *st, const char *survey_id, int version, char **json_out)
{
    *json_out = NULL;
    if (!survey_id)
        return BK_ERR_INVALID;
    return st->backend->survey_get(st, survey_id, version, json_out);
}

bk_err storage_surveys_for_kiosk(storage *st, const char *kiosk_id, char **body_out, char etag[70])
{
    *body_out = NULL;
    etag[0] = '\0';
    if (!kiosk_id)
        return BK_ERR_INVALID;
    return st->backend->surveys_for_kiosk(st, kiosk_id, body_out, etag);
}

bk_err storage_status_put(storage *st, const char *kiosk_id, const char *body, int64_t queued,
                          int64_t rejected, const char *last_error)
{
    if (!kiosk_id || !body)
        return BK_ERR_INVALID;
    return st->backend->status_put(st, kiosk_id, body, queued, rejected, last_error);
}

bk_err storage_foreach_response(storage *st, const storage_filter *filter,
                                int (*fn)(const response_row *row, void *ctx), void *ctx)
{
    return st->backend->foreach_response(st, filter, fn, ctx);
}

bk_err storage_counts(storage *st, int (*fn)(const storage_count_row *row, void *ctx), void *ctx)
{
    return st->backend->counts(st, fn, ctx);
}

bk_err storage_foreach_problem(storage *st, int (*fn)(const storage_problem_row *row, void *ctx),
                               void *ctx)
{
    return st->backend->foreach_problem(st, fn, ctx);
}

bk_err storage_user_add(storage *st, const storage_user *u, const char *password_hash,
                        const char *actor)
{
    if (!u || storage_user_problem(u) || !password_hash || !password_hash[0] || !actor)
        return BK_ERR_INVALID;
    return st->backend->user_add(st, u, password_hash, actor);
}

bk_err storage_user_remove(storage *st, const char *name, const char *actor)
{
    if (!name || !actor)
        return BK_ERR_INVALID;
    return st->backend->user_remove(st, name, actor);
}

bk_err storage_user_foreach(storage *st, int (*fn)(const storage_user *u, void *ctx), void *ctx)
{
    return st->backend->user_foreach(st, fn, ctx);
}
