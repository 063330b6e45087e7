/* storage_common.c: what every backend does the same way (see
 * storage_common.h). */
#include "storage_common.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "survey.h"

void storage_sha256_hex(const char *text, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

bool storage_id_ok(const char *s)
{
    return s && s[0] && strlen(s) <= INGEST_ID_MAX;
}

bool storage_sha256_hex_ok(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    }
    return true;
}

char *storage_flags_json(const ingest_response *r)
{
    json_t *a = json_array();
    int bad = !a;
    for (size_t i = 0; !bad && i < r->n_flags; i++)
        bad = json_array_append_new(a, json_string(r->flags[i]));
    char *text = bad ? NULL : json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

bk_err storage_flags_parse(response_row *row, const char *text)
{
    if (text && strcmp(text, "[]") == 0)
        return BK_OK; /* most responses: no flags, nothing to parse */
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(a)) {
        json_decref(a);
        log_error("storage", "response %s: stored flags are not a JSON array", row->response_id);
        return BK_ERR_CORRUPT;
    }
    bk_err err = BK_OK;
    size_t n = json_array_size(a);
    row->flags = n ? calloc(n, sizeof *row->flags) : NULL;
    if (n && !row->flags)
        err = BK_ERR_NOMEM;
    for (size_t i = 0; err == BK_OK && i < n; i++) {
        const char *flag = json_string_value(json_array_get(a, i));
        row->flags[i] = flag ? strdup(flag) : NULL;
        if (!row->flags[i])
            err = flag ? BK_ERR_NOMEM : BK_ERR_CORRUPT;
        else
            row->n_flags = i + 1;
    }
    json_decref(a);
    return err;
}

const char *storage_target_kind(storage_target target)
{
    static const char *const kinds[] = {
        [STORAGE_TARGET_KIOSK] = "kiosk",
        [STORAGE_TARGET_AREA] = "area",
        [STORAGE_TARGET_ALL] = "all",
    };
    return target >= STORAGE_TARGET_KIOSK && target <= STORAGE_TARGET_ALL ? kinds[target] : "?";
}

bk_err storage_publish_check(const char *survey_id, int version, const char *json,
                             storage_target target, const char **target_id, char sha[65])
{
    if (!storage_id_ok(survey_id) || version < 1 || !json || target < STORAGE_TARGET_KIOSK ||
        target > STORAGE_TARGET_ALL)
        return BK_ERR_INVALID;
    if (target == STORAGE_TARGET_ALL)
        *target_id = "";
    else if (!storage_id_ok(*target_id))
        return BK_ERR_INVALID;
    /* Stored text must load when a kiosk asks for it. */
    json_t *parsed = json_loads(json, 0, NULL);
    bool is_object = json_is_object(parsed);
    json_decref(parsed);
    if (!is_object)
        return BK_ERR_INVALID;
    storage_sha256_hex(json, strlen(json), sha);
    return BK_OK;
}

bk_err storage_surveys_body(json_t *surveys, const char *active, char **body_out, char etag[70])
{
    *body_out = NULL;
    /* Keys in the order written here and in each stored definition, so the
     * same publications always give the same bytes and the same ETag. */
    json_t *o = json_object();
    int bad = !o;
    if (o)
        bad |= json_object_set_new(o, "surveys", surveys);
    else
        json_decref(surveys);
    bad |= json_object_set_new(o, "active", json_string(active));
    char *body = bad ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!body)
        return BK_ERR_NOMEM;
    char sha[65];
    storage_sha256_hex(body, strlen(body), sha);
    snprintf(etag, 70, "\"%s\"", sha);
    *body_out = body;
    return BK_OK;
}

const char *storage_role_name(storage_role role)
{
    switch (role) {
    case STORAGE_ROLE_ADMIN:
        return "admin";
    case STORAGE_ROLE_WIJKMAKELAAR:
        return "wijkmakelaar";
    case STORAGE_ROLE_VIEWER:
        return "viewer";
    }
    return "?";
}

bool storage_role_parse(const char *s, storage_role *out)
{
    for (int r = STORAGE_ROLE_ADMIN; s && r <= STORAGE_ROLE_VIEWER; r++) {
        if (strcmp(s, storage_role_name((storage_role)r)) == 0) {
            *out = (storage_role)r;
            return true;
        }
    }
    return false;
}

const char *storage_user_problem(const storage_user *u)
{
    size_t n = strlen(u->name);
    if (n == 0 || n > INGEST_ID_MAX)
        return "a name needs 1 to 64 characters";
    for (const char *p = u->name; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || strchr(".-_@", *p);
        if (!ok)
            return "a name has only letters, digits and . - _ @";
    }
    if (u->role < STORAGE_ROLE_ADMIN || u->role > STORAGE_ROLE_VIEWER)
        return "unknown role";
    if (u->role != STORAGE_ROLE_WIJKMAKELAAR)
        return u->areas[0] ? "only a wijkmakelaar has areas (admins and viewers see every area)"
                           : NULL;
    if (!u->areas[0])
        return "a wijkmakelaar needs the areas they work in";
    for (const char *p = u->areas;;) {
        size_t len = strcspn(p, ",");
        char id[INGEST_ID_MAX + 2];
        if (len == 0 || len > INGEST_ID_MAX)
            return "an area id is empty or longer than 64 characters";
        memcpy(id, p, len);
        id[len] = '\0';
        if (!survey_id_valid(id))
            return "an area id has only a-z, 0-9, _ and -";
        if (!p[len])
            break;
        p += len + 1;
    }
    return NULL;
}

int64_t storage_login_lock_until(int64_t now, int failures, int lock_after, int64_t base_ms)
{
    if (lock_after <= 0 || failures < lock_after)
        return 0;
    const int64_t day = 24LL * 3600 * 1000;
    int64_t wait = base_ms > 0 ? base_ms : 1000;
    for (int i = lock_after; i < failures && wait < day; i++)
        wait *= 2;
    return now + (wait < day ? wait : day);
}
