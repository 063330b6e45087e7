/* store.c: opening (durability settings, integrity_check, moving a damaged
 * database aside), the life of a response, reading back, counts, meta and
 * events. Batches and purging are in store_batch.c, the schema and its
 * migrations in store_schema.c. */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "path.h"
#include "sqlite_error.h"
#include "uuid.h"

#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_TEXT_MAX (64 * 1024) /* bytes of one free-text answer */
#define STORE_LIST_MAX 1000        /* items of one list answer or flag list */
#define STORE_ID_MAX 256           /* bytes of ids, modes, languages, flags */
#define STORE_MESSAGE_MAX 2000     /* bytes of an event message */
#define STORE_EVENTS_KEPT 1000     /* older events are pruned */
#define STORE_SEQ_KEY "store.last_seq"
#define STORE_RESERVED_PREFIX "store."

static const char *const store_sql[SQ_COUNT_] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    /* The counter row keeps seq rising even after the newest responses are
     * purged; max(seq) covers a counter that was lost or never written. */
    [SQ_NEXT_SEQ] = "SELECT max(coalesce((SELECT CAST(value AS INTEGER) FROM meta"
                    " WHERE key = '" STORE_SEQ_KEY "'), 0),"
                    " coalesce((SELECT max(seq) FROM responses), 0)) + 1",
    [SQ_RESPONSE_INSERT] = "INSERT INTO responses (response_id, seq, survey_id, survey_version,"
                           " mode, status, language, area, started_ms)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, 'started', ?6, ?7, ?8)",
    [SQ_RESPONSE_STATUS] = "SELECT status FROM responses WHERE id = ?1",
    [SQ_ANSWER_UPSERT] = "INSERT INTO answers (response, question_id, value, answered_ms)"
                         " SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM responses"
                         " WHERE id = ?1 AND status = 'started')"
                         " ON CONFLICT (response, question_id) DO UPDATE"
                         " SET value = excluded.value, answered_ms = excluded.answered_ms",
    [SQ_ANSWER_DELETE] = "DELETE FROM answers WHERE response = ?1 AND question_id = ?2"
                         " AND EXISTS (SELECT 1 FROM responses WHERE id = ?1"
                         " AND status = 'started')",
    [SQ_ANSWER_HIDDEN] = "UPDATE answers SET hidden = ?3 WHERE question_id = ?2"
                         " AND response = (SELECT id FROM responses WHERE response_id = ?1)",
    [SQ_FINISH] = "UPDATE responses SET status = ?2, completed_ms = ?3, flags = ?4"
                  " WHERE id = ?1 AND status = 'started'",
    [SQ_SET_LANGUAGE] = "UPDATE responses SET language = ?2 WHERE id = ?1 AND status = 'started'",
    [SQ_SET_AREA] = "UPDATE responses SET area = ?2 WHERE id = ?1 AND status = 'started'",
    /* Abandoned: completed_at is the last sign of the resident (the newest
     * answer, else the start), not the later moment of the restart. */
    [SQ_CLOSE_ABANDONED] = "UPDATE responses SET status = 'partial', completed_ms ="
                           " coalesce((SELECT max(answered_ms) FROM answers"
                           " WHERE answers.response = responses.id), started_ms)"
                           " WHERE status = 'started'",
    [SQ_ANSWERS_OF] = "SELECT question_id, value, hidden FROM answers WHERE response = ?1"
                      " ORDER BY id",
    [SQ_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [SQ_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [SQ_META_DELETE] = "DELETE FROM meta WHERE key = ?1",
    [SQ_EVENT_ADD] = "INSERT INTO events (at_ms, kind, message) VALUES (?1, ?2, ?3)",
    [SQ_EVENT_PRUNE] = "DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?1",
    [SQ_EVENTS] = "SELECT at_ms, kind, message FROM events ORDER BY id DESC LIMIT ?1",
    [SQ_FOREACH] = "SELECT " STORE_RESPONSE_COLS " FROM responses"
                   " WHERE seq > ?1 AND started_ms >= ?2 ORDER BY seq",
    [SQ_COUNTS] = "SELECT count(*),"
                  " count(*) FILTER (WHERE started_ms >= ?1),"
                  " count(*) FILTER (WHERE status <> 'started' AND delivered = 0"
                  " AND rejected = 0),"
                  " count(*) FILTER (WHERE rejected = 1),"
                  " count(*) FILTER (WHERE delivered = 1),"
                  " count(*) FILTER (WHERE status = 'started')"
                  " FROM responses",
    [SQ_COUNT_RANGE] = "SELECT count(*) FROM responses WHERE started_ms >= ?1 AND started_ms < ?2",
    [SQ_BATCH_OPEN] = "SELECT batch_id, kiosk_id, created_ms, n_responses, first_seq, last_seq"
                      " FROM batches WHERE state = 'open' ORDER BY first_seq, rowid LIMIT 1",
    [SQ_BATCH_GET] = "SELECT state, kiosk_id, n_responses FROM batches WHERE batch_id = ?1",
    [SQ_BATCH_RESPONSES] = "SELECT " STORE_RESPONSE_COLS " FROM responses WHERE batch_id = ?1"
                           " ORDER BY seq",
    /* The partial index holds only what waits for upload, so forming a
     * batch never walks the delivered history. */
    [SQ_QUEUE] = "SELECT " STORE_RESPONSE_COLS " FROM responses INDEXED BY responses_queue"
                 " WHERE delivered = 0 AND batch_id IS NULL AND status <> 'started'"
                 " ORDER BY seq LIMIT ?1",
    [SQ_BATCH_INSERT] = "INSERT INTO batches (batch_id, kiosk_id, created_ms, n_responses,"
                        " first_seq, last_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_BATCH_ASSIGN] = "UPDATE responses SET batch_id = ?1"
                        " WHERE delivered = 0 AND batch_id IS NULL AND status <> 'started'"
                        " AND seq BETWEEN ?2 AND ?3",
    [SQ_BATCH_CLOSE] = "UPDATE batches SET state = ?2, closed_ms = ?3, message = ?4"
                       " WHERE batch_id = ?1",
    [SQ_BATCH_DELIVER_RESPONSES] = "UPDATE responses SET delivered = 1 WHERE batch_id = ?1",
    [SQ_BATCH_REJECT_RESPONSES] = "UPDATE responses SET rejected = 1 WHERE batch_id = ?1",
    [SQ_BATCH_NTH_SEQ] = "SELECT seq FROM responses WHERE batch_id = ?1 ORDER BY seq"
                         " LIMIT 1 OFFSET ?2",
    [SQ_BATCH_MOVE] = "UPDATE responses SET batch_id = ?2 WHERE batch_id = ?1"
                      " AND seq BETWEEN ?3 AND ?4",
    [SQ_PURGE_RESPONSES] = "DELETE FROM responses WHERE delivered = 1 AND rejected = 0"
                           " AND completed_ms < ?1",
    [SQ_PURGE_BATCHES] = "DELETE FROM batches WHERE state IN ('delivered', 'split')"
                         " AND coalesce(closed_ms, created_ms) < ?1"
                         " AND NOT EXISTS (SELECT 1 FROM responses"
                         " WHERE responses.batch_id = batches.batch_id)",
};

/* Accumulates bind results: the first failure wins. */
#define BIND(expr)                                                                                 \
    do {                                                                                           \
        if (rc == SQLITE_OK)                                                                       \
            rc = (expr);                                                                           \
    } while (0)

static int bind_text(sqlite3_stmt *s, int i, const char *text)
{
    if (!text)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

/* ---- helpers shared with store_batch.c ---- */

bk_err store_map_rc(int rc)
{
    return bk_err_from_sqlite(rc);
}

bk_err store_fail(store *st, int rc, const char *what)
{
    bk_err err = store_map_rc(rc);
    if (err == BK_OK)
        err = BK_ERR_IO; /* an unexpected ROW/DONE where the other was due */
    if (err == BK_ERR_FULL) {
        if (st->full_logged)
            return err;
        st->full_logged = true;
    }
    log_error("store", "%s failed: %s (%s)", what, st->db ? sqlite3_errmsg(st->db) : "no database",
              bk_err_str(err));
    return err;
}

void store_stmt_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

static int step_once(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
}

bk_err store_tx_begin(store *st)
{
    int rc = step_once(st->sq[SQ_BEGIN]);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "begin transaction");
    return BK_OK;
}

bk_err store_tx_commit(store *st)
{
    int rc = step_once(st->sq[SQ_COMMIT]);
    if (rc != SQLITE_DONE) {
        bk_err err = store_fail(st, rc, "commit");
        store_tx_rollback(st);
        return err;
    }
    st->full_logged = false;
    return BK_OK;
}

void store_tx_rollback(store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        step_once(st->sq[SQ_ROLLBACK]);
}

int64_t store_now_ms(const store *st)
{
    return clock_wall_ms(&st->clock);
}

static char *column_dup(sqlite3_stmt *s, int i, bool *oom)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (!t) {
        if (sqlite3_column_type(s, i) != SQLITE_NULL)
            *oom = true;
        return NULL;
    }
    char *copy = strdup((const char *)t);
    if (!copy)
        *oom = true;
    return copy;
}

static char *format_ms(int64_t ms, bool *oom)
{
    char buf[40];
    clock_format_rfc3339(ms, buf, sizeof buf);
    char *copy = strdup(buf);
    if (!copy)
        *oom = true;
    return copy;
}

/* Parses a JSON array of strings into a new string vector. */
static bk_err parse_flags(const char *json, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *a = json_loads(json ? json : "[]", 0, NULL);
    if (!a || !json_is_array(a)) {
        json_decref(a);
        return BK_ERR_CORRUPT;
    }
    size_t count = json_array_size(a);
    if (count == 0) {
        json_decref(a);
        return BK_OK;
    }
    char **v = calloc(count, sizeof *v);
    if (!v) {
        json_decref(a);
        return BK_ERR_NOMEM;
    }
    bk_err err = BK_OK;
    for (size_t i = 0; i < count && !err; i++) {
        const char *f = json_string_value(json_array_get(a, i));
        if (!f)
            err = BK_ERR_CORRUPT;
        else if (!(v[i] = strdup(f)))
            err = BK_ERR_NOMEM;
    }
    json_decref(a);
    if (err) {
        for (size_t i = 0; i < count; i++)
            free(v[i]);
        free(v);
        return err;
    }
    *out = v;
    *n = count;
    return BK_OK;
}

static bk_err load_answers(store *st, store_response_row *row)
{
    sqlite3_stmt *s = st->sq[SQ_ANSWERS_OF];
    int rc = sqlite3_bind_int64(s, 1, row->rowid);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "read answers");
    size_t cap = 0;
    bk_err err = BK_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (row->n_answers == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            store_answer_row *a = realloc(row->answers, ncap * sizeof *a);
            if (!a) {
                err = BK_ERR_NOMEM;
                break;
            }
            row->answers = a;
            cap = ncap;
        }
        bool oom = false;
        store_answer_row *a = &row->answers[row->n_answers];
        a->question_id = column_dup(s, 0, &oom);
        a->value_json = column_dup(s, 1, &oom);
        a->hidden = sqlite3_column_int(s, 2) != 0;
        row->n_answers++;
        if (oom || !a->question_id || !a->value_json) {
            err = oom ? BK_ERR_NOMEM : BK_ERR_CORRUPT;
            break;
        }
    }
    if (!err && rc != SQLITE_DONE)
        err = store_fail(st, rc, "read answers");
    store_stmt_done(s);
    return err;
}

bk_err store_row_load(store *st, sqlite3_stmt *s, store_response_row *row)
{
    memset(row, 0, sizeof *row);
    bool oom = false;
    row->rowid = sqlite3_column_int64(s, 0);
    row->seq = sqlite3_column_int64(s, 1);
    row->response_id = column_dup(s, 2, &oom);
    row->survey_id = column_dup(s, 3, &oom);
    row->survey_version = sqlite3_column_int(s, 4);
    row->mode = column_dup(s, 5, &oom);
    row->status = column_dup(s, 6, &oom);
    row->language = column_dup(s, 7, &oom);
    row->area = column_dup(s, 8, &oom);
    row->started_at = format_ms(sqlite3_column_int64(s, 9), &oom);
    if (sqlite3_column_type(s, 10) != SQLITE_NULL)
        row->completed_at = format_ms(sqlite3_column_int64(s, 10), &oom);
    const char *flags = (const char *)sqlite3_column_text(s, 11);
    bk_err err = parse_flags(flags, &row->flags, &row->n_flags);
    row->batch_id = column_dup(s, 12, &oom);
    row->delivered = sqlite3_column_int(s, 13) != 0;
    row->rejected = sqlite3_column_int(s, 14) != 0;
    if (!err && oom)
        err = BK_ERR_NOMEM;
    if (!err &&
        (!row->response_id || !row->survey_id || !row->mode || !row->status || !row->language))
        err = BK_ERR_CORRUPT;
    if (!err)
        err = load_answers(st, row);
    if (err)
        store_row_clear(row);
    return err;
}

/* ---- opening ---- */

static void close_db(store *st, bool keep_wal)
{
    for (int i = 0; i < SQ_COUNT_; i++) {
        sqlite3_finalize(st->sq[i]);
        st->sq[i] = NULL;
    }
    if (st->db) {
        /* A damaged database is moved aside as it is: no checkpoint into
         * it, and its -wal stays with it. */
        if (keep_wal)
            sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
        sqlite3_close_v2(st->db);
        st->db = NULL;
    }
}

/* Runs a one-row PRAGMA and copies its first column into buf. */
static int pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    buf[0] = '\0';
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(buf, size, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

static int decode_only(const store_response_row *row, void *ctx)
{
    (void)row;
    (void)ctx;
    return 0;
}

/* Opens the file, applies the durability settings, runs integrity_check,
 * migrates and prepares the statements. BK_ERR_CORRUPT (with *problem
 * filled) means the file should be moved aside. */
static bk_err open_attempt(store *st, int *from, char *problem, size_t psize)
{
    const char *step = "open";
    char buf[256];
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(st->path, &st->db, flags, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(st->db, 1);
        sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
        step = "set journal_mode=WAL";
        rc = pragma_text(st->db, "PRAGMA journal_mode = WAL", buf, sizeof buf);
        if (rc == SQLITE_OK && strcmp(buf, "wal") != 0)
            log_warn("store", "journal_mode is %s, not wal", buf);
    }
    if (rc == SQLITE_OK) {
        step = "set synchronous/foreign_keys";
        rc = store_exec_script(st->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    }
    if (rc == SQLITE_OK && store_wal_check(st, problem, psize) == BK_ERR_CORRUPT)
        return BK_ERR_CORRUPT; /* SQLite would silently drop committed answers */
    if (rc == SQLITE_OK) {
        step = "integrity_check";
        rc = pragma_text(st->db, "PRAGMA integrity_check", buf, sizeof buf);
        if (rc == SQLITE_OK && strcmp(buf, "ok") != 0) {
            for (char *p = buf; *p; p++) /* one line for the log and staff mode */
                if (*p == '\n')
                    *p = ' ';
            snprintf(problem, psize, "integrity_check: %s", buf);
            return BK_ERR_CORRUPT;
        }
    }
    if (rc != SQLITE_OK) {
        bk_err err = store_map_rc(rc);
        snprintf(problem, psize, "%s: %s", step, st->db ? sqlite3_errmsg(st->db) : "no memory");
        if (err != BK_ERR_CORRUPT)
            log_error("store", "cannot open %s: %s (%s)", st->path, problem, bk_err_str(err));
        return err;
    }
    bk_err err = store_migrate(st->db, from);
    if (err) {
        snprintf(problem, psize, "migration: %s", sqlite3_errmsg(st->db));
        return err;
    }
    if (pragma_text(st->db, "PRAGMA max_page_count", buf, sizeof buf) == SQLITE_OK)
        st->default_max_pages = atoi(buf);
    for (int i = 0; i < SQ_COUNT_; i++) {
        rc = sqlite3_prepare_v3(st->db, store_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->sq[i],
                                NULL);
        if (rc != SQLITE_OK) {
            snprintf(problem, psize, "prepare: %s", sqlite3_errmsg(st->db));
            log_error("store", "cannot prepare statement %d: %s", i, sqlite3_errmsg(st->db));
            return store_map_rc(rc);
        }
    }
    /* Every stored response read back as uploads and exports read it: a
     * flipped bit inside a value (which SQLite keeps no checksum of) that
     * breaks it is found now, before an answer is stored beside it, and
     * not by a later upload or export. */
    err = store_foreach_response(st, 0, 0, decode_only, NULL);
    if (err == BK_ERR_CORRUPT) {
        snprintf(problem, psize, "a stored response cannot be read back");
        return BK_ERR_CORRUPT;
    }
    return err;
}

static bool path_exists(const char *p)
{
    struct stat sb;
    return lstat(p, &sb) == 0;
}

/* Renames the database and its -wal and -shm to "<path>.corrupt-<UTC time>"
 * names (with "-N" when taken). Never deletes anything. */
static bk_err move_aside(store *st, char *moved, size_t msize)
{
    static const char *const suffixes[] = {"-wal", "-shm", ""};
    char stamp[32], dest[4096], src[4096], to[4096];
    time_t t = (time_t)(store_now_ms(st) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    bool found = false;
    for (int n = 1; n < 1000 && !found; n++) {
        if (n == 1)
            snprintf(dest, sizeof dest, "%s.corrupt-%s", st->path, stamp);
        else
            snprintf(dest, sizeof dest, "%s.corrupt-%s-%d", st->path, stamp, n);
        found = true;
        for (size_t i = 0; i < 3; i++) {
            snprintf(to, sizeof to, "%s%s", dest, suffixes[i]);
            if (path_exists(to))
                found = false;
        }
    }
    if (!found || strlen(dest) + 5 >= sizeof dest) {
        log_error("store", "no free name to move the damaged database %s aside", st->path);
        return BK_ERR_IO;
    }
    /* -wal and -shm first: a -wal left behind must never meet the new
     * database. */
    size_t done = 0;
    for (; done < 3; done++) {
        snprintf(src, sizeof src, "%s%s", st->path, suffixes[done]);
        snprintf(to, sizeof to, "%s%s", dest, suffixes[done]);
        if (rename(src, to) != 0 && errno != ENOENT) {
            log_error("store", "cannot move %s to %s: %s", src, to, strerror(errno));
            break;
        }
    }
    if (done < 3) {
        while (done-- > 0) { /* put back what was moved */
            snprintf(src, sizeof src, "%s%s", st->path, suffixes[done]);
            snprintf(to, sizeof to, "%s%s", dest, suffixes[done]);
            if (path_exists(to))
                rename(to, src);
        }
        return BK_ERR_IO;
    }
    (void)path_sync_dir_of(st->path);
    snprintf(moved, msize, "%s", dest);
    return BK_OK;
}

bk_err store_open(const char *path, const bk_clock *clock, store **out, store_open_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!out)
        return BK_ERR_INVALID;
    *out = NULL;
    if (!path || !*path || !clock || !clock->wall_ms)
        return BK_ERR_INVALID;
    store *st = calloc(1, sizeof *st);
    if (!st)
        return BK_ERR_NOMEM;
    st->clock = *clock;
    st->path = strdup(path);
    if (!st->path) {
        free(st);
        return BK_ERR_NOMEM;
    }
    char problem[512] = "", moved[4096] = "";
    int from = 0;
    bool recovered = false;
    bk_err err = open_attempt(st, &from, problem, sizeof problem);
    if (err == BK_ERR_CORRUPT) {
        log_error("store", "database %s is damaged (%s); moving it aside", path, problem);
        close_db(st, true);
        err = move_aside(st, moved, sizeof moved);
        if (!err) {
            recovered = true;
            log_error("store", "damaged database moved to %s; starting a new one", moved);
            char again[512] = "";
            err = open_attempt(st, &from, again, sizeof again);
            if (err)
                log_error("store", "new database %s failed too: %s", path, again);
        }
    }
    if (err) {
        store_close(st);
        return err;
    }
    if (recovered) {
        char msg[1024];
        snprintf(msg, sizeof msg, "database was damaged (%.400s); moved to %.500s", problem, moved);
        if (store_event_add(st, "corrupt", msg) != BK_OK)
            log_error("store", "could not record the corruption event");
    }
    if (info) {
        info->recovered = recovered;
        if (snprintf(info->moved_to, sizeof info->moved_to, "%s", moved) >=
            (int)sizeof info->moved_to)
            log_warn("store", "moved_to cut short: %s", moved);
        info->from_version = from;
    }
    *out = st;
    return BK_OK;
}

void store_close(store *st)
{
    if (!st)
        return;
    close_db(st, false);
    free(st->path);
    free(st);
}

void *store_sqlite_handle(store *st)
{
    return st ? st->db : NULL;
}

bk_err store_set_max_pages(store *st, int pages)
{
    if (!st)
        return BK_ERR_INVALID;
    if (pages <= 0)
        pages = st->default_max_pages;
    char sql[64], buf[32];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d", pages);
    int rc = pragma_text(st->db, sql, buf, sizeof buf);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "set max_page_count");
    return BK_OK;
}

bk_err store_set_busy_timeout(store *st, int ms)
{
    if (!st || ms < 0)
        return BK_ERR_INVALID;
    sqlite3_busy_timeout(st->db, ms);
    return BK_OK;
}

/* ---- the life of a response ---- */

static bool valid_id(const char *s)
{
    return s && *s && strlen(s) <= STORE_ID_MAX;
}

/* Reads whether response rowid exists (BK_ERR_NOT_FOUND if not) and is
 * still started. */
static bk_err response_started(store *st, int64_t rowid, bool *started)
{
    sqlite3_stmt *s = st->sq[SQ_RESPONSE_STATUS];
    int rc = sqlite3_bind_int64(s, 1, rowid);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(s, 0);
        *started = status && strcmp(status, "started") == 0;
    } else if (rc == SQLITE_DONE) {
        err = BK_ERR_NOT_FOUND;
    } else {
        err = store_fail(st, rc, "read response status");
    }
    store_stmt_done(s);
    return err;
}

/* Why did a conditional update of response rowid change nothing? */
static bk_err response_state_error(store *st, int64_t rowid)
{
    bool started = false;
    bk_err err = response_started(st, rowid, &started);
    if (err)
        return err;
    return started ? BK_OK : BK_ERR_STATE;
}

bk_err store_response_begin(store *st, const store_response_meta *meta, store_response_ref *out)
{
    if (!st || !meta || !out || !valid_id(meta->survey_id) || !meta->mode ||
        (strcmp(meta->mode, "survey") != 0 && strcmp(meta->mode, "live") != 0) ||
        !valid_id(meta->language) || (meta->area && !valid_id(meta->area)) ||
        meta->survey_version < 0)
        return BK_ERR_INVALID;
    memset(out, 0, sizeof *out);
    char id[BK_UUID_LEN + 1];
    bk_uuid_v4(id);
    int64_t now = store_now_ms(st);

    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    const char *what = "next seq";
    sqlite3_stmt *s = st->sq[SQ_NEXT_SEQ];
    int rc = sqlite3_step(s);
    int64_t seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    store_stmt_done(s);
    if (rc != SQLITE_ROW)
        goto fail;
    rc = SQLITE_OK;

    what = "insert response";
    s = st->sq[SQ_RESPONSE_INSERT];
    BIND(bind_text(s, 1, id));
    BIND(sqlite3_bind_int64(s, 2, seq));
    BIND(bind_text(s, 3, meta->survey_id));
    BIND(sqlite3_bind_int(s, 4, meta->survey_version));
    BIND(bind_text(s, 5, meta->mode));
    BIND(bind_text(s, 6, meta->language));
    BIND(bind_text(s, 7, meta->area));
    BIND(sqlite3_bind_int64(s, 8, now));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int64_t rowid = sqlite3_last_insert_rowid(st->db);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        goto fail;
    rc = SQLITE_OK;

    what = "store seq counter";
    s = st->sq[SQ_META_SET];
    BIND(bind_text(s, 1, STORE_SEQ_KEY));
    BIND(sqlite3_bind_int64(s, 2, seq));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        goto fail;

    err = store_tx_commit(st);
    if (err)
        return err;
    out->rowid = rowid;
    out->seq = seq;
    memcpy(out->response_id, id, sizeof out->response_id);
    return BK_OK;
fail:
    err = store_fail(st, rc, what);
    store_tx_rollback(st);
    return err;
}

/* Encodes v as JSON text (caller frees). */
static bk_err encode_value(const answer_value *v, char **out)
{
    *out = NULL;
    json_t *j = NULL;
    switch (v->kind) {
    case ANSWER_INT: { /* the hot path: no JSON tree needed */
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%lld", v->integer);
        *out = malloc((size_t)n + 1);
        if (!*out)
            return BK_ERR_NOMEM;
        memcpy(*out, buf, (size_t)n + 1);
        return BK_OK;
    }
    case ANSWER_TEXT:
        if (!v->text || strlen(v->text) > STORE_TEXT_MAX)
            return BK_ERR_INVALID;
        j = json_string(v->text); /* NULL for invalid UTF-8 */
        if (!j)
            return BK_ERR_INVALID;
        break;
    case ANSWER_LIST:
        if ((v->n_list > 0 && !v->list) || v->n_list > STORE_LIST_MAX)
            return BK_ERR_INVALID;
        j = json_array();
        for (size_t i = 0; j && i < v->n_list; i++) {
            if (!valid_id(v->list[i]) || json_array_append_new(j, json_string(v->list[i])) != 0) {
                json_decref(j);
                return BK_ERR_INVALID;
            }
        }
        break;
    default:
        return BK_ERR_INVALID;
    }
    if (!j)
        return BK_ERR_NOMEM;
    *out = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    return *out ? BK_OK : BK_ERR_NOMEM;
}

bk_err store_answer_set(store *st, int64_t rowid, const char *question_id, const answer_value *v)
{
    if (!st || !valid_id(question_id) || !v)
        return BK_ERR_INVALID;
    sqlite3_stmt *s;
    char *json = NULL;
    int rc = SQLITE_OK;
    if (v->kind == ANSWER_NONE) {
        s = st->sq[SQ_ANSWER_DELETE];
        BIND(sqlite3_bind_int64(s, 1, rowid));
        BIND(bind_text(s, 2, question_id));
    } else {
        bk_err err = encode_value(v, &json);
        if (err)
            return err;
        s = st->sq[SQ_ANSWER_UPSERT];
        BIND(sqlite3_bind_int64(s, 1, rowid));
        BIND(bind_text(s, 2, question_id));
        BIND(bind_text(s, 3, json));
        BIND(sqlite3_bind_int64(s, 4, store_now_ms(st)));
    }
    /* One statement in autocommit mode: its own transaction. */
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int changed = sqlite3_changes(st->db);
    bk_err err = BK_OK;
    if (rc != SQLITE_DONE)
        err = store_fail(st, rc, "store answer");
    store_stmt_done(s);
    free(json);
    if (err)
        return err;
    st->full_logged = false;
    /* Nothing changed: the response is missing or finished, or (for a
     * delete, which is then fine) the question had no answer. */
    if (changed == 0)
        err = response_state_error(st, rowid);
    return err;
}

bk_err store_answer_set_hidden(store *st, const char *response_id, const char *question_id,
                               bool hidden)
{
    if (!st || !valid_id(response_id) || !valid_id(question_id))
        return BK_ERR_INVALID;
    sqlite3_stmt *s = st->sq[SQ_ANSWER_HIDDEN];
    int rc = SQLITE_OK;
    BIND(bind_text(s, 1, response_id));
    BIND(bind_text(s, 2, question_id));
    BIND(sqlite3_bind_int(s, 3, hidden ? 1 : 0));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int changed = sqlite3_changes(st->db);
    bk_err err = rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, "hide answer");
    store_stmt_done(s);
    if (!err && changed == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}

/* Runs a "... WHERE id = ?1 AND status = 'started'" update with text ?2. */
static bk_err update_started(store *st, enum store_sq which, int64_t rowid, const char *text,
                             const char *what)
{
    sqlite3_stmt *s = st->sq[which];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_int64(s, 1, rowid));
    BIND(bind_text(s, 2, text));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int changed = sqlite3_changes(st->db);
    bk_err err = rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, what);
    store_stmt_done(s);
    if (!err && changed == 0)
        err = response_state_error(st, rowid);
    return err;
}

bk_err store_response_set_language(store *st, int64_t rowid, const char *language)
{
    if (!st || !valid_id(language))
        return BK_ERR_INVALID;
    return update_started(st, SQ_SET_LANGUAGE, rowid, language, "set language");
}

bk_err store_response_set_area(store *st, int64_t rowid, const char *area)
{
    if (!st || (area && !valid_id(area)))
        return BK_ERR_INVALID;
    return update_started(st, SQ_SET_AREA, rowid, area, "set area");
}

bk_err store_response_finish(store *st, int64_t rowid, store_status status,
                             const char *const *flags, size_t n_flags)
{
    if (!st || (status != STORE_STATUS_COMPLETE && status != STORE_STATUS_PARTIAL) ||
        (n_flags > 0 && !flags))
        return BK_ERR_INVALID;
    answer_value fv = {.kind = ANSWER_LIST, .list = flags, .n_list = n_flags};
    char *json = NULL;
    bk_err err = encode_value(&fv, &json);
    if (err)
        return err;
    sqlite3_stmt *s = st->sq[SQ_FINISH];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_int64(s, 1, rowid));
    BIND(bind_text(s, 2, status == STORE_STATUS_COMPLETE ? "complete" : "partial"));
    BIND(sqlite3_bind_int64(s, 3, store_now_ms(st)));
    BIND(bind_text(s, 4, json));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int changed = sqlite3_changes(st->db);
    err = rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, "finish response");
    store_stmt_done(s);
    free(json);
    if (!err && changed == 0)
        err = response_state_error(st, rowid);
    return err;
}

bk_err store_close_abandoned(store *st, int *n)
{
    if (n)
        *n = 0;
    if (!st)
        return BK_ERR_INVALID;
    sqlite3_stmt *s = st->sq[SQ_CLOSE_ABANDONED];
    int rc = sqlite3_step(s);
    int changed = sqlite3_changes(st->db);
    bk_err err = rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, "close abandoned responses");
    store_stmt_done(s);
    if (!err && n)
        *n = changed;
    return err;
}

/* ---- reading back ---- */

char *store_response_to_json(const store_response_row *row)
{
    if (!row)
        return NULL;
    bk_err err;
    return store_row_json(row, &err);
}

bk_err store_foreach_response(store *st, int64_t after_seq, int64_t since_wall_ms,
                              int (*fn)(const store_response_row *row, void *ctx), void *ctx)
{
    if (!st || !fn)
        return BK_ERR_INVALID;
    if (st->in_foreach)
        return BK_ERR_STATE;
    st->in_foreach = true;
    sqlite3_stmt *s = st->sq[SQ_FOREACH];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_int64(s, 1, after_seq));
    BIND(sqlite3_bind_int64(s, 2, since_wall_ms > 0 ? since_wall_ms : INT64_MIN));
    bk_err err = BK_OK;
    if (rc != SQLITE_OK)
        err = store_fail(st, rc, "read responses");
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_response_row row;
        err = store_row_load(st, s, &row);
        if (err)
            break;
        int stop = fn(&row, ctx);
        store_row_clear(&row);
        if (stop)
            break;
    }
    if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = store_fail(st, rc, "read responses");
    store_stmt_done(s);
    st->in_foreach = false;
    return err;
}

/* Local midnight, days_offset days from the day of now_ms. */
static int64_t local_day_start(int64_t now_ms, int days_offset)
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = 0;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_mday += days_offset;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

bk_err store_count(store *st, store_counts *out)
{
    if (!st || !out)
        return BK_ERR_INVALID;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = st->sq[SQ_COUNTS];
    int rc = sqlite3_bind_int64(s, 1, local_day_start(store_now_ms(st), 0));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW) {
        out->total = sqlite3_column_int64(s, 0);
        out->today = sqlite3_column_int64(s, 1);
        out->queued = sqlite3_column_int64(s, 2);
        out->rejected = sqlite3_column_int64(s, 3);
        out->delivered = sqlite3_column_int64(s, 4);
        out->started = sqlite3_column_int64(s, 5);
    } else {
        err = store_fail(st, rc, "count responses");
    }
    store_stmt_done(s);
    return err;
}

bk_err store_count_per_day(store *st, int n_days, int64_t *per_day)
{
    if (!st || !per_day || n_days <= 0 || n_days > 3660)
        return BK_ERR_INVALID;
    int64_t now = store_now_ms(st);
    sqlite3_stmt *s = st->sq[SQ_COUNT_RANGE];
    for (int i = 0; i < n_days; i++) {
        int offset = -(n_days - 1 - i);
        int rc = SQLITE_OK;
        BIND(sqlite3_bind_int64(s, 1, local_day_start(now, offset)));
        BIND(sqlite3_bind_int64(s, 2, local_day_start(now, offset + 1)));
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        if (rc != SQLITE_ROW) {
            bk_err err = store_fail(st, rc, "count per day");
            store_stmt_done(s);
            return err;
        }
        per_day[i] = sqlite3_column_int64(s, 0);
        store_stmt_done(s);
    }
    return BK_OK;
}

/* ---- meta ---- */

bk_err store_meta_get(store *st, const char *key, char **value)
{
    if (value)
        *value = NULL;
    if (!st || !valid_id(key) || !value)
        return BK_ERR_INVALID;
    sqlite3_stmt *s = st->sq[SQ_META_GET];
    int rc = bind_text(s, 1, key);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        *value = strdup(t ? (const char *)t : "");
        if (!*value)
            err = BK_ERR_NOMEM;
    } else if (rc == SQLITE_DONE) {
        err = BK_ERR_NOT_FOUND;
    } else {
        err = store_fail(st, rc, "read meta");
    }
    store_stmt_done(s);
    return err;
}

bk_err store_meta_set(store *st, const char *key, const char *value)
{
    if (!st || !valid_id(key) ||
        strncmp(key, STORE_RESERVED_PREFIX, strlen(STORE_RESERVED_PREFIX)) == 0)
        return BK_ERR_INVALID;
    sqlite3_stmt *s = st->sq[value ? SQ_META_SET : SQ_META_DELETE];
    int rc = SQLITE_OK;
    BIND(bind_text(s, 1, key));
    if (value)
        BIND(bind_text(s, 2, value));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bk_err err = rc == SQLITE_DONE ? BK_OK : store_fail(st, rc, "write meta");
    store_stmt_done(s);
    return err;
}

/* ---- events ---- */

bk_err store_event_insert(store *st, const char *kind, const char *message)
{
    char msg[STORE_MESSAGE_MAX + 1];
    snprintf(msg, sizeof msg, "%s", message ? message : "");
    size_t len = strlen(msg);
    if (len == STORE_MESSAGE_MAX) { /* cut: do not leave half a UTF-8 character */
        while (len > 0 && ((unsigned char)msg[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0 && ((unsigned char)msg[len - 1] & 0xC0) == 0xC0)
            len--;
        msg[len] = '\0';
    }
    sqlite3_stmt *s = st->sq[SQ_EVENT_ADD];
    int rc = SQLITE_OK;
    BIND(sqlite3_bind_int64(s, 1, store_now_ms(st)));
    BIND(bind_text(s, 2, kind));
    BIND(bind_text(s, 3, msg));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "add event");
    s = st->sq[SQ_EVENT_PRUNE];
    rc = sqlite3_bind_int(s, 1, STORE_EVENTS_KEPT);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "prune events");
    return BK_OK;
}

bk_err store_event_add(store *st, const char *kind, const char *message)
{
    if (!st || !valid_id(kind))
        return BK_ERR_INVALID;
    bk_err err = store_tx_begin(st);
    if (err)
        return err;
    err = store_event_insert(st, kind, message);
    if (err) {
        store_tx_rollback(st);
        return err;
    }
    return store_tx_commit(st);
}

bk_err store_foreach_event(store *st, int max,
                           int (*fn)(const char *at, const char *kind, const char *message,
                                     void *ctx),
                           void *ctx)
{
    if (!st || !fn || max < 0)
        return BK_ERR_INVALID;
    sqlite3_stmt *s = st->sq[SQ_EVENTS];
    int rc = sqlite3_bind_int(s, 1, max);
    bk_err err = rc == SQLITE_OK ? BK_OK : store_fail(st, rc, "read events");
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char at[40];
        clock_format_rfc3339(sqlite3_column_int64(s, 0), at, sizeof at);
        const char *kind = (const char *)sqlite3_column_text(s, 1);
        const char *message = (const char *)sqlite3_column_text(s, 2);
        if (fn(at, kind ? kind : "", message ? message : "", ctx))
            break;
    }
    if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = store_fail(st, rc, "read events");
    store_stmt_done(s);
    return err;
}
