/* storage.c: storage.h's calls, passed on to the backend that opened the
 * handle (storage_backend.h): a postgresql:// or postgres:// URI is
 * PostgreSQL, anything else an SQLite file. */
#include "storage_backend.h"

#include <stdio.h>
#include <stdlib.h>
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

bk_err storage_login_get(storage *st, const char *name, storage_login *out)
{
    memset(out, 0, sizeof *out);
    if (!storage_id_ok(name))
        return BK_ERR_NOT_FOUND; /* no account can have such a name */
    return st->backend->login_get(st, name, out);
}

bk_err storage_login_failed(storage *st, const char *name, int lock_after, int64_t lock_base_ms,
                            int64_t *locked_until_ms)
{
    *locked_until_ms = 0;
    if (!storage_id_ok(name))
        return BK_ERR_NOT_FOUND;
    return st->backend->login_failed(st, name, lock_after, lock_base_ms, locked_until_ms);
}

bk_err storage_login_ok(storage *st, const char *name)
{
    if (!storage_id_ok(name))
        return BK_ERR_INVALID;
    return st->backend->login_ok(st, name);
}

bk_err storage_session_add(storage *st, const char *id_sha256, const char *user, const char *csrf,
                           const char *lang, int64_t idle_ms, int64_t max_ms)
{
    if (!storage_sha256_hex_ok(id_sha256) || !storage_id_ok(user) || !csrf || !lang)
        return BK_ERR_INVALID;
    return st->backend->session_add(st, id_sha256, user, csrf, lang, idle_ms, max_ms);
}

bk_err storage_session_get(storage *st, const char *id_sha256, storage_session *out)
{
    memset(out, 0, sizeof *out);
    if (!storage_sha256_hex_ok(id_sha256))
        return BK_ERR_NOT_FOUND;
    return st->backend->session_get(st, id_sha256, out);
}

bk_err storage_session_touch(storage *st, const char *id_sha256, const char *lang)
{
    if (!storage_sha256_hex_ok(id_sha256))
        return BK_ERR_INVALID;
    return st->backend->session_touch(st, id_sha256, lang);
}

bk_err storage_session_remove(storage *st, const char *id_sha256)
{
    if (!storage_sha256_hex_ok(id_sha256))
        return BK_OK; /* no such session can exist */
    return st->backend->session_remove(st, id_sha256);
}

bk_err storage_api_key_add(storage *st, const char *user, const char *key_sha256, const char *label)
{
    if (!storage_id_ok(user) || !storage_sha256_hex_ok(key_sha256) || !label || strlen(label) > 100)
        return BK_ERR_INVALID;
    return st->backend->api_key_add(st, user, key_sha256, label);
}

bk_err storage_api_key_use(storage *st, const char *key_sha256, char user[INGEST_ID_MAX + 1])
{
    user[0] = '\0';
    if (!storage_sha256_hex_ok(key_sha256))
        return BK_ERR_NOT_FOUND;
    return st->backend->api_key_use(st, key_sha256, user);
}

bk_err storage_api_key_revoke(storage *st, const char *user, const char *key_id)
{
    if (!storage_id_ok(user) || !key_id || strlen(key_id) != 16)
        return BK_ERR_NOT_FOUND;
    return st->backend->api_key_revoke(st, user, key_id);
}

bk_err storage_api_key_foreach(storage *st, const char *user,
                               int (*fn)(const storage_api_key *k, void *ctx), void *ctx)
{
    if (!storage_id_ok(user))
        return BK_ERR_INVALID;
    return st->backend->api_key_foreach(st, user, fn, ctx);
}

bk_err storage_audit_add(storage *st, const char *actor, const char *action, const char *subject,
                         const char *detail)
{
    if (!actor || !action || !subject)
        return BK_ERR_INVALID;
    return st->backend->audit_add(st, actor, action, subject, detail);
}

bk_err storage_audit_foreach(storage *st, int limit,
                             int (*fn)(const storage_audit_row *row, void *ctx), void *ctx)
{
    return st->backend->audit_foreach(st, limit > 0 ? limit : 100, fn, ctx);
}

/* The ids as a JSON array of strings (new string, caller frees); NULL
 * when one is not an id (*err BK_ERR_INVALID) or out of memory. Ids hold
 * no character that JSON would escape (checked). */
static char *storage_ids_json(const char *const *ids, size_t n, bk_err *err)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++) {
        bool plain = storage_id_ok(ids[i]);
        for (const unsigned char *c = (const unsigned char *)ids[i]; plain && *c; c++)
            plain = *c >= 0x20 && *c != '"' && *c != '\\';
        if (!plain) {
            *err = BK_ERR_INVALID;
            return NULL;
        }
        len += strlen(ids[i]) + 3;
    }
    char *out = malloc(len);
    if (!out) {
        *err = BK_ERR_NOMEM;
        return NULL;
    }
    char *p = out;
    *p++ = '[';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s\"%s\"", i ? "," : "", ids[i]);
    *p++ = ']';
    *p = '\0';
    return out;
}

bk_err storage_dash_counts(storage *st, const storage_dash_filter *f,
                           int (*fn)(const storage_dash_count *row, void *ctx), void *ctx)
{
    if (!f)
        return BK_ERR_INVALID;
    return st->backend->dash_counts(st, f, fn, ctx);
}

bk_err storage_dash_values(storage *st, const storage_dash_filter *f,
                           const char *const *question_ids, size_t n_questions,
                           int (*fn)(const storage_dash_value *row, void *ctx), void *ctx)
{
    if (!f)
        return BK_ERR_INVALID;
    if (n_questions == 0)
        return BK_OK;
    bk_err err = BK_OK;
    char *ids = storage_ids_json(question_ids, n_questions, &err);
    if (!ids)
        return err;
    err = st->backend->dash_values(st, f, ids, fn, ctx);
    free(ids);
    return err;
}

bk_err storage_dash_cohesion(storage *st, const storage_dash_filter *f, const char *const *items,
                             const bool *reverse, size_t n_items,
                             int (*fn)(const storage_dash_score *row, void *ctx), void *ctx)
{
    if (!f || !storage_id_ok(f->survey_id))
        return BK_ERR_INVALID;
    if (n_items == 0)
        return BK_OK;
    const char **rev = malloc(n_items * sizeof *rev);
    if (!rev)
        return BK_ERR_NOMEM;
    size_t n_rev = 0;
    for (size_t i = 0; i < n_items; i++)
        if (reverse[i])
            rev[n_rev++] = items[i];
    bk_err err = BK_OK;
    char *items_json = storage_ids_json(items, n_items, &err);
    char *rev_json = items_json ? storage_ids_json(rev, n_rev, &err) : NULL;
    if (rev_json)
        err = st->backend->dash_cohesion(st, f, items_json, rev_json, (int)((n_items + 1) / 2), fn,
                                         ctx);
    free(rev_json);
    free(items_json);
    free(rev);
    return err;
}

bk_err storage_dash_texts(storage *st, const storage_dash_filter *f,
                          const char *const *question_ids, size_t n_questions, const char *search,
                          bool with_hidden, int64_t offset, int limit, int64_t *total,
                          int (*fn)(const storage_dash_text *row, void *ctx), void *ctx)
{
    *total = 0;
    if (!f || offset < 0 || limit < 0)
        return BK_ERR_INVALID;
    if (n_questions == 0)
        return BK_OK;
    bk_err err = BK_OK;
    char *ids = storage_ids_json(question_ids, n_questions, &err);
    if (!ids)
        return err;
    err = st->backend->dash_texts(st, f, ids, search, with_hidden, offset, limit, total, fn, ctx);
    free(ids);
    return err;
}

bk_err storage_response_area(storage *st, const char *response_id, char area[INGEST_ID_MAX + 1])
{
    area[0] = '\0';
    if (!storage_id_ok(response_id))
        return BK_ERR_NOT_FOUND;
    return st->backend->response_area(st, response_id, area);
}

bk_err storage_dash_moderate(storage *st, const char *response_id, const char *question_id,
                             bool hide, const char *reason, const char *actor)
{
    if (!storage_id_ok(response_id) || !storage_id_ok(question_id) || !reason || !actor)
        return BK_ERR_INVALID;
    return st->backend->dash_moderate(st, response_id, question_id, hide, reason, actor);
}
