/* sync_surveys.c: downloading survey definitions (GET
 * /v1/kiosks/{id}/surveys with If-None-Match), validating every definition
 * with the same validator as `buurtkiosk check` before anything is replaced,
 * and reading the installed bundle back for the UI.
 *
 * Store meta keys: "surveys.bundle" (the raw JSON text as downloaded),
 * "surveys.active" (the id to show), "surveys.etag". They are written in
 * that order, so a crash in between only causes a new download. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sync_private.h"

#define META_BUNDLE "surveys.bundle"
#define META_ACTIVE "surveys.active"
#define META_ETAG "surveys.etag"

void sync_surveys_free(survey **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        survey_free(v[i]);
    free(v);
}

/* Parses and fully validates a bundle. On BK_OK, *out holds *n surveys
 * (caller frees with sync_surveys_free) and *active the bundle's "active"
 * (caller frees). On BK_ERR_INVALID every problem is in diag. */
static bk_err bundle_validate(const char *text, size_t len, survey ***out, size_t *n, char **active,
                              bk_diag *diag)
{
    *out = NULL;
    *n = 0;
    *active = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        sync_text_clean(jerr.text); /* the quoted input may hold a line break */
        diag_add(diag, "download:%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return BK_ERR_INVALID;
    }
    bk_err rc = BK_ERR_INVALID;
    survey **v = NULL;
    size_t count = 0;
    json_t *list = json_object_get(root, "surveys");
    json_t *act = json_object_get(root, "active");
    if (!json_is_object(root)) {
        diag_add(diag, "download: the answer is not a JSON object");
        goto done;
    }
    if (!json_is_array(list) || json_array_size(list) == 0) {
        diag_add(diag, "download: \"surveys\" must be a non-empty list of survey definitions");
        goto done;
    }
    if (!json_is_string(act)) {
        diag_add(diag, "download: \"active\" must be the id of one of the surveys");
        goto done;
    }
    size_t total = json_array_size(list);
    v = calloc(total, sizeof *v);
    if (!v) {
        rc = BK_ERR_NOMEM;
        goto done;
    }
    bool ok = true;
    for (size_t i = 0; i < total; i++) {
        char name[48];
        snprintf(name, sizeof name, "download: surveys[%zu]", i);
        survey *s = survey_from_json(json_array_get(list, i), name, diag);
        if (!s) {
            ok = false;
            continue;
        }
        for (size_t j = 0; j < count; j++) {
            if (strcmp(v[j]->id, s->id) == 0) {
                diag_add(diag, "%s: survey id \"%s\" appears twice", name, s->id);
                ok = false;
            }
        }
        v[count++] = s;
    }
    if (!ok)
        goto done;
    const char *active_id = json_string_value(act);
    bool found = false;
    for (size_t j = 0; j < count; j++)
        found = found || strcmp(v[j]->id, active_id) == 0;
    if (!found) {
        diag_add(diag, "download: \"active\" is \"%s\", which is not one of the surveys",
                 active_id);
        goto done;
    }
    *active = strdup(active_id);
    if (!*active) {
        rc = BK_ERR_NOMEM;
        goto done;
    }
    *out = v;
    *n = count;
    v = NULL;
    count = 0;
    rc = BK_OK;
done:
    sync_surveys_free(v, count);
    json_decref(root);
    return rc;
}

bk_err sync_surveys_from_store(store *st, survey ***out, size_t *n, char **active, bk_diag *diag)
{
    *out = NULL;
    *n = 0;
    *active = NULL;
    char *bundle = NULL;
    bk_err e = store_meta_get(st, META_BUNDLE, &bundle);
    if (e != BK_OK)
        return e;
    bk_diag local = {0};
    e = bundle_validate(bundle, strlen(bundle), out, n, active, diag ? diag : &local);
    diag_clear(&local);
    free(bundle);
    if (e != BK_OK)
        return e;
    /* "surveys.active" is written right after the bundle; prefer it when it
       names a survey of this bundle. */
    char *meta_active = NULL;
    if (store_meta_get(st, META_ACTIVE, &meta_active) == BK_OK && meta_active) {
        for (size_t i = 0; i < *n; i++) {
            if (strcmp((*out)[i]->id, meta_active) == 0) {
                free(*active);
                *active = meta_active;
                meta_active = NULL;
                break;
            }
        }
    }
    free(meta_active);
    return BK_OK;
}

void sync_surveys_load_installed(sync_client *c)
{
    survey **v = NULL;
    size_t n = 0;
    char *active = NULL;
    if (sync_surveys_from_store(c->st, &v, &n, &active, NULL) != BK_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i]->id, active) == 0) {
            free(c->bundle_survey_id);
            c->bundle_survey_id = active;
            c->bundle_survey_version = v[i]->version;
            active = NULL;
            break;
        }
    }
    free(active);
    sync_surveys_free(v, n);
}

/* Installs a validated bundle: bundle, then active, then ETag. Returns
 * whether anything changed for the UI. */
static bk_err bundle_install(sync_client *c, const char *text, const char *active, const char *etag,
                             bool *changed)
{
    *changed = false;
    char *old = NULL;
    char *old_active = NULL;
    bool same = store_meta_get(c->st, META_BUNDLE, &old) == BK_OK && old &&
                strcmp(old, text) == 0 &&
                store_meta_get(c->st, META_ACTIVE, &old_active) == BK_OK && old_active &&
                strcmp(old_active, active) == 0;
    free(old);
    free(old_active);
    bk_err e = BK_OK;
    if (!same) {
        e = store_meta_set(c->st, META_BUNDLE, text);
        if (e == BK_OK)
            e = store_meta_set(c->st, META_ACTIVE, active);
        if (e != BK_OK)
            return e;
        *changed = true;
    }
    return store_meta_set(c->st, META_ETAG, etag[0] ? etag : NULL);
}

void sync_surveys_download(sync_client *c, sync_pass_result *r)
{
    char path[512] = "/v1/kiosks/";
    if (!sync_url_append_escaped(path, sizeof path, c->set.kiosk_id) ||
        strlen(path) + strlen("/surveys") + 1 > sizeof path) {
        r->error = SYNC_ERROR_CONFIG;
        sync_set_text(r->detail, sizeof r->detail, "kiosk id too long for a URL");
        return;
    }
    strcat(path, "/surveys");
    char *url = sync_client_url(c, path);
    if (!url) {
        r->error = SYNC_ERROR_STORE;
        sync_set_text(r->detail, sizeof r->detail, "out of memory");
        return;
    }
    /* Only ask "has it changed?" when we still hold what the ETag names. */
    char *etag = NULL, *bundle = NULL;
    char inm[300];
    sync_http_request req = {
        .method = "GET",
        .url = url,
        .token = c->token,
        .max_response = SYNC_SURVEY_BUNDLE_MAX,
    };
    if (store_meta_get(c->st, META_BUNDLE, &bundle) == BK_OK &&
        store_meta_get(c->st, META_ETAG, &etag) == BK_OK && etag && strlen(etag) < 256 &&
        !strpbrk(etag, "\r\n")) {
        snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
        req.headers[req.n_headers++] = inm;
    }
    free(etag);
    free(bundle);

    sync_http_response resp;
    memset(&resp, 0, sizeof resp);
    c->tr.send(c->tr.ctx, &req, &resp);
    free(url);
    if (resp.err != BK_OK) {
        sync_result_from_transport(&resp, r);
        goto done;
    }
    if (resp.status == 304)
        goto done;
    if (resp.status == 404) {
        log_debug("sync", "the server offers no surveys for this kiosk (HTTP 404)");
        goto done;
    }
    if (resp.status == 401 || resp.status == 403) {
        r->error = SYNC_ERROR_AUTH;
        sync_set_text(r->detail, sizeof r->detail, "surveys: HTTP %ld", resp.status);
        goto done;
    }
    if (resp.status != 200) {
        r->error = SYNC_ERROR_SERVER;
        sync_set_text(r->detail, sizeof r->detail, "surveys: HTTP %ld", resp.status);
        goto done;
    }
    if (!resp.body || strlen(resp.body) != resp.body_len) {
        r->error = SYNC_ERROR_SURVEY;
        sync_set_text(r->detail, sizeof r->detail, "download: empty answer or NUL bytes");
        goto done;
    }
    bk_diag diag = {0};
    survey **v = NULL;
    size_t n = 0;
    char *active = NULL;
    bk_err e = bundle_validate(resp.body, resp.body_len, &v, &n, &active, &diag);
    if (e != BK_OK) {
        /* The definitions in use stay. */
        r->error = e == BK_ERR_NOMEM ? SYNC_ERROR_STORE : SYNC_ERROR_SURVEY;
        sync_set_text(r->detail, sizeof r->detail, "%s",
                      diag.count ? diag.messages[0] : bk_err_str(e));
        for (size_t i = 0; i < diag.count && i < 10; i++)
            log_warn("sync", "invalid survey download: %s", diag.messages[i]);
        diag_clear(&diag);
        goto done;
    }
    diag_clear(&diag);
    int version = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i]->id, active) == 0)
            version = v[i]->version;
    sync_surveys_free(v, n);
    bool changed = false;
    e = bundle_install(c, resp.body, active, resp.etag, &changed);
    if (e != BK_OK) {
        r->error = SYNC_ERROR_STORE;
        sync_set_text(r->detail, sizeof r->detail, "storing the surveys: %s", bk_err_str(e));
        free(active);
        goto done;
    }
    if (changed) {
        log_info("sync", "new survey definitions installed (active: %s version %d)", active,
                 version);
        free(c->bundle_survey_id);
        c->bundle_survey_id = active;
        active = NULL;
        c->bundle_survey_version = version;
        pthread_mutex_lock(&c->mu);
        c->status.surveys_generation++;
        pthread_mutex_unlock(&c->mu);
        sync_client_publish(c);
    }
    free(active);
done:
    sync_http_response_free(&resp);
}
