/* storage_survey.c: survey definitions, where they are published, and the
 * body a kiosk downloads (with its ETag). */
#include "storage_sqlite.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Stores the definition (or checks that the held one is the same text). */
static bk_err survey_insert(storage_conn *c, const char *survey_id, int version, const char *json,
                            const char *sha, int64_t now)
{
    sqlite3_stmt *s = c->sq[SQ_SURVEY_INSERT];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, survey_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int(s, 2, version));
    BIND(sqlite3_bind_text(s, 3, json, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 4, sha, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, 5, now));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bool inserted = rc == SQLITE_DONE && sqlite3_changes(c->db) == 1;
    storage_stmt_done(s);
    if (rc != SQLITE_DONE)
        return storage_fail(c, rc, "storing a survey");
    if (inserted) {
        /* Its questions' types, for the dashboard's tallies. */
        s = c->sq[SQ_SURVEY_QUESTIONS];
        rc = SQLITE_OK;
        BIND(sqlite3_bind_text(s, 1, survey_id, -1, SQLITE_STATIC));
        BIND(sqlite3_bind_int(s, 2, version));
        BIND(sqlite3_bind_text(s, 3, json, -1, SQLITE_STATIC));
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        storage_stmt_done(s);
        return rc == SQLITE_DONE ? BK_OK : storage_fail(c, rc, "noting a survey's questions");
    }
    s = c->sq[SQ_SURVEY_HASH];
    rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, survey_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int(s, 2, version));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc != SQLITE_ROW) {
        err = storage_fail(c, rc, "reading a survey");
    } else {
        const char *held = (const char *)sqlite3_column_text(s, 0);
        if (!held || strcmp(held, sha) != 0)
            err = BK_ERR_STATE; /* same version, other text: the caller says so */
    }
    storage_stmt_done(s);
    return err;
}

static bk_err target_insert(storage_conn *c, storage_target target, const char *target_id,
                            const char *survey_id, int version, int64_t now)
{
    sqlite3_stmt *s = c->sq[SQ_TARGET_INSERT];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, storage_target_kind(target), -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 2, target_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_text(s, 3, survey_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int(s, 4, version));
    BIND(sqlite3_bind_int64(s, 5, now));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    storage_stmt_done(s);
    return rc == SQLITE_DONE ? BK_OK : storage_fail(c, rc, "publishing a survey");
}

bk_err storage_sqlite_survey_publish(storage *base, const char *survey_id, int version,
                                     const char *json, const char *sha, storage_target target,
                                     const char *target_id)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_write_begin(st, &c);
    if (err == BK_OK) {
        const int64_t now = clock_wall_ms(&st->clock);
        err = survey_insert(c, survey_id, version, json, sha, now);
        if (err == BK_OK)
            err = target_insert(c, target, target_id, survey_id, version, now);
        if (err == BK_OK)
            err = storage_tx_commit(c);
        else
            storage_tx_rollback(c);
    }
    if (err == BK_OK)
        log_info("storage", "survey %s version %d published to %s%s%s", survey_id, version,
                 storage_target_kind(target), target_id[0] ? " " : "", target_id);
    return err;
}

bk_err storage_sqlite_survey_get(storage *base, const char *survey_id, int version, char **json_out)
{
    storage_sqlite *st = (storage_sqlite *)base;
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    sqlite3_stmt *s = c->sq[SQ_SURVEY_GET];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_text(s, 1, survey_id, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int(s, 2, version));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        bool oom = false;
        *json_out = storage_col_dup(s, 0, &oom);
        if (!*json_out)
            err = BK_ERR_NOMEM;
    } else if (rc == SQLITE_DONE) {
        err = BK_ERR_NOT_FOUND;
    } else {
        err = storage_fail(c, rc, "reading a survey");
    }
    storage_stmt_done(s);
    storage_conn_put(st, c);
    return err;
}

/* The area of kiosk_id into area[] ("" when none); BK_ERR_NOT_FOUND when
 * there is no such kiosk. */
static bk_err kiosk_area(storage_conn *c, const char *kiosk_id, char area[INGEST_ID_MAX + 1])
{
    sqlite3_stmt *s = c->sq[SQ_KIOSK_AREA];
    int rc = sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW)
        storage_col_copy(s, 0, area, INGEST_ID_MAX + 1);
    else if (rc == SQLITE_DONE)
        err = BK_ERR_NOT_FOUND;
    else
        err = storage_fail(c, rc, "reading a kiosk's area");
    storage_stmt_done(s);
    return err;
}

/* Binds the kiosk and its area (NULL when none) to a TARGETS_OF_KIOSK query. */
static int bind_kiosk(sqlite3_stmt *s, const char *kiosk_id, const char *area)
{
    int rc = sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC);
    BIND(storage_bind_text(s, 2, area[0] ? area : NULL));
    return rc;
}

/* Appends each definition reaching the kiosk to surveys (sorted by id). */
static bk_err load_surveys(storage_conn *c, const char *kiosk_id, const char *area, json_t *surveys)
{
    sqlite3_stmt *s = c->sq[SQ_SURVEYS_FOR];
    bk_err err = BK_OK;
    int rc = bind_kiosk(s, kiosk_id, area);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 1);
        json_t *def = text ? json_loads(text, 0, NULL) : NULL;
        if (!def) {
            log_error("storage", "stored definition of survey %s is not JSON",
                      (const char *)sqlite3_column_text(s, 0));
            err = BK_ERR_CORRUPT;
            break;
        }
        if (json_array_append_new(surveys, def) != 0) {
            err = BK_ERR_NOMEM;
            break;
        }
        rc = SQLITE_OK;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = storage_fail(c, rc, "reading surveys");
    storage_stmt_done(s);
    return err;
}

/* The id of the active survey for the kiosk into active[]. */
static bk_err load_active(storage_conn *c, const char *kiosk_id, const char *area,
                          char active[INGEST_ID_MAX + 1])
{
    sqlite3_stmt *s = c->sq[SQ_SURVEY_ACTIVE];
    int rc = bind_kiosk(s, kiosk_id, area);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW)
        storage_col_copy(s, 0, active, INGEST_ID_MAX + 1);
    else
        err = storage_fail(c, rc, "reading the active survey");
    storage_stmt_done(s);
    return err;
}

/* Reads, in one snapshot, what reaches the kiosk into surveys and active. */
static bk_err read_for_kiosk(storage_sqlite *st, const char *kiosk_id, json_t *surveys,
                             char active[INGEST_ID_MAX + 1])
{
    storage_conn *c;
    bk_err err = storage_conn_get(st, &c);
    if (err != BK_OK)
        return err;
    err = storage_tx_read(c);
    char area[INGEST_ID_MAX + 1] = "";
    if (err == BK_OK)
        err = kiosk_area(c, kiosk_id, area);
    if (err == BK_OK)
        err = load_surveys(c, kiosk_id, area, surveys);
    if (err == BK_OK && json_array_size(surveys) == 0)
        err = BK_ERR_NOT_FOUND;
    if (err == BK_OK)
        err = load_active(c, kiosk_id, area, active);
    storage_tx_rollback(c); /* a read transaction: nothing to keep */
    storage_conn_put(st, c);
    return err;
}

bk_err storage_sqlite_surveys_for_kiosk(storage *base, const char *kiosk_id, char **body_out,
                                        char etag[70])
{
    storage_sqlite *st = (storage_sqlite *)base;
    json_t *surveys = json_array();
    if (!surveys)
        return BK_ERR_NOMEM;
    char active[INGEST_ID_MAX + 1] = "";
    bk_err err = read_for_kiosk(st, kiosk_id, surveys, active);
    if (err != BK_OK) {
        json_decref(surveys);
        return err;
    }
    return storage_surveys_body(surveys, active, body_out, etag);
}
