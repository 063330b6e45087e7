/* test_store_recovery.c: migrations from every older schema, a database
 * newer than the code, damaged databases moved aside, and a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "test_store_util.h"

typedef struct fixture {
    char *dir;
    char *path;
    bk_virtual_clock vc;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = tu_tmpdir();
    f->path = tu_path(f->dir, "kiosk.db");
    f->vc.wall_ms = TU_T0_MS;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free(f->path);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

static bool file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Runs a whole SQL script on a raw connection to path. */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("sql failed: %s", msg ? msg : "?");
    sqlite3_close(db);
}

/* "response_id|seq|status|question_id=value;..." for every response, to
 * compare a database before and after migration. */
static char *raw_dump(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT r.response_id || '|' || r.seq || '|' || r.status"
                                        " || '|' || r.survey_id || '|' || r.mode || '|'"
                                        " || r.language || '|' || coalesce(r.area, '-') || '|'"
                                        " || r.started_ms || '|' || coalesce(r.completed_ms, '-')"
                                        " || '|' || r.flags || '|' || r.delivered || '|' ||"
                                        " coalesce((SELECT group_concat(a.question_id || '=' ||"
                                        " a.value, ';') FROM (SELECT * FROM answers a"
                                        " WHERE a.response = r.id ORDER BY a.id) a), '')"
                                        " FROM responses r ORDER BY r.seq",
                                        -1, &s, NULL),
                     SQLITE_OK);
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(s, 0);
        size_t n = strlen(line);
        while (len + n + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        memcpy(out + len, line, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

static void check_v1_data(store *st)
{
    size_t n;
    tu_row *rows = tu_rows(st, &n);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].json,
                        "{\"response_id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"seq\":1,"
                        "\"survey_id\":\"buurtpeiling-2026\",\"survey_version\":3,"
                        "\"mode\":\"survey\",\"status\":\"complete\",\"language\":\"nl\","
                        "\"area\":\"dorst\",\"started_at\":\"2026-11-18T11:06:40.000Z\","
                        "\"completed_at\":\"2026-11-18T11:09:09.492Z\",\"flags\":[],"
                        "\"answers\":[{\"question_id\":\"q1\",\"value\":4},"
                        "{\"question_id\":\"q2\",\"value\":\"bus\"}]}");
    assert_true(rows[0].delivered);
    assert_string_equal(rows[1].json,
                        "{\"response_id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"seq\":2,"
                        "\"survey_id\":\"buurtpeiling-2026\",\"survey_version\":3,"
                        "\"mode\":\"live\",\"status\":\"partial\",\"language\":\"en\","
                        "\"area\":null,\"started_at\":\"2026-11-29T10:00:00.020Z\","
                        "\"completed_at\":\"2026-11-29T10:02:29.512Z\",\"flags\":[\"rapid\"],"
                        "\"answers\":[{\"question_id\":\"q3\",\"value\":[\"park\",\"speeltuin\"]},"
                        "{\"question_id\":\"q4\",\"value\":\"Meer bankjes; \\\"echt\\\"\\nbij de "
                        "vijver \xc3\xa9\"},{\"question_id\":\"q1\",\"value\":2}]}");
    assert_false(rows[1].delivered || rows[1].rejected || rows[1].in_batch);
    assert_string_equal(rows[2].status, "started");
    assert_int_equal(rows[2].seq, 5);
    tu_rows_free(rows, n);

    /* The new columns and tables work on the old data. */
    char *v = NULL;
    assert_int_equal(store_meta_get(st, "store.last_seq", &v), BK_OK);
    assert_string_equal(v, "5");
    free(v);
    assert_int_equal(tu_sql_int(st, "SELECT count(*) FROM answers WHERE hidden = 0"), 6);
    store_batch b;
    assert_int_equal(store_batch_next(st, "k", 10, 1 << 20, &b), BK_OK);
    assert_int_equal(b.n_responses, 1);
    assert_int_equal(b.first_seq, 2);
    assert_int_equal(store_batch_delivered(st, b.batch_id), BK_OK);
    store_batch_free(&b);
    answer_value val = {.kind = ANSWER_INT, .integer = 3};
    assert_int_equal(store_answer_set(st, 3, "q2", &val), BK_OK); /* the started one goes on */
    store_response_ref r = tu_begin(st);
    assert_int_equal(r.seq, 6);
    int closed = 0;
    assert_int_equal(store_close_abandoned(st, &closed), BK_OK);
    assert_int_equal(closed, 2);
    assert_int_equal(
        store_answer_set_hidden(st, "7c9e6679-7425-40de-944b-e07fc1f90ae7", "q4", true), BK_OK);
}

static void test_migrate_from_every_older_version(void **state)
{
    fixture *f = *state;
    const int current = store_schema_version();
    for (int v = 0; v < current; v++) {
        char name[32];
        snprintf(name, sizeof name, "v%d.db", v);
        char *path = tu_path(f->dir, name);
        char *before = NULL;
        if (v == 0) {
            tu_write_at(path, 0, "", 0); /* an empty file is a version 0 database */
        } else {
            /* Every older version must have its frozen script. */
            char script[512];
            snprintf(script, sizeof script, "%s/store/v%d.sql", BK_TEST_DATA, v);
            char *sql = tu_read_file(script, NULL);
            if (!sql)
                fail_msg("missing frozen schema script %s", script);
            raw_exec(path, sql);
            free(sql);
            before = raw_dump(path);
        }
        bk_clock c = clock_virtual(&f->vc);
        store *st = NULL;
        store_open_info info;
        assert_int_equal(store_open(path, &c, &st, &info), BK_OK);
        assert_int_equal(info.from_version, v);
        assert_false(info.recovered);
        assert_int_equal(tu_sql_int(st, "PRAGMA user_version"), current);
        assert_int_equal(tu_sql_int(st, "SELECT count(*) FROM pragma_integrity_check"
                                        " WHERE integrity_check <> 'ok'"),
                         0);
        assert_int_equal(tu_sql_int(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
        store_close(st);
        if (before) { /* nothing lost or changed on the way */
            char *after = raw_dump(path);
            assert_string_equal(before, after);
            free(after);
            free(before);
        }
        st = tu_open(path, &f->vc);
        if (v == 1)
            check_v1_data(st);
        tu_complete(st, 2);
        store_close(st);
        free(path);
    }
}

static void test_migration_is_idempotent_on_reopen(void **state)
{
    fixture *f = *state;
    char script[512];
    snprintf(script, sizeof script, "%s/store/v1.sql", BK_TEST_DATA);
    char *sql = tu_read_file(script, NULL);
    assert_non_null(sql);
    raw_exec(f->path, sql);
    free(sql);
    store *st = tu_open(f->path, &f->vc);
    store_close(st);
    bk_clock c = clock_virtual(&f->vc);
    store_open_info info;
    assert_int_equal(store_open(f->path, &c, &st, &info), BK_OK);
    assert_int_equal(info.from_version, store_schema_version());
    store_close(st);
}

static void test_newer_database_refused(void **state)
{
    fixture *f = *state;
    store *st = tu_open(f->path, &f->vc);
    tu_complete(st, 1);
    store_close(st);
    raw_exec(f->path, "PRAGMA user_version = 99");
    bk_clock c = clock_virtual(&f->vc);
    store_open_info info;
    assert_int_equal(store_open(f->path, &c, &st, &info), BK_ERR_STATE);
    assert_null(st);
    assert_false(info.recovered);
    /* Left as it is: not moved aside, not changed. */
    char *moved = tu_path(f->dir, "kiosk.db.corrupt-20261129T100000");
    assert_false(file_exists(moved));
    free(moved);
    raw_exec(f->path, "PRAGMA user_version = 2");
    st = tu_open(f->path, &f->vc);
    store_counts cnt;
    assert_int_equal(store_count(st, &cnt), BK_OK);
    assert_int_equal(cnt.total, 1);
    store_close(st);
}

typedef struct event_find {
    int n;
    char message[1100];
} event_find;

static int find_corrupt(const char *at, const char *kind, const char *message, void *ctx)
{
    event_find *e = ctx;
    if (strcmp(kind, "corrupt") == 0) {
        e->n++;
        snprintf(e->message, sizeof e->message, "%s", message);
    }
    return 0;
}

/* Opens the damaged database at f->path and checks the recovery: moved
 * aside as it was (bytes equal to damaged), a fresh database that works,
 * and the event. Returns the moved path (caller frees). */
static char *expect_recovery(fixture *f, const char *damaged, size_t damaged_len,
                             const char *expect_name)
{
    bk_clock c = clock_virtual(&f->vc);
    store *st = NULL;
    store_open_info info;
    assert_int_equal(store_open(f->path, &c, &st, &info), BK_OK);
    assert_true(info.recovered);
    char *expect_path = tu_path(f->dir, expect_name);
    assert_string_equal(info.moved_to, expect_path);
    free(expect_path);
    /* Never deleted: the old file is there, unchanged. */
    size_t len = 0;
    char *moved = tu_read_file(info.moved_to, &len);
    assert_non_null(moved);
    assert_int_equal(len, damaged_len);
    assert_memory_equal(moved, damaged, len);
    free(moved);
    /* A fresh database in its place that works. */
    store_counts cnt;
    assert_int_equal(store_count(st, &cnt), BK_OK);
    assert_int_equal(cnt.total, 0);
    store_response_ref r = tu_complete(st, 3);
    assert_int_equal(r.seq, 1);
    event_find e = {0};
    assert_int_equal(store_foreach_event(st, 10, find_corrupt, &e), BK_OK);
    assert_int_equal(e.n, 1);
    assert_non_null(strstr(e.message, info.moved_to));
    store_close(st);
    /* The event stays for staff mode after a restart. */
    st = tu_open(f->path, &f->vc);
    memset(&e, 0, sizeof e);
    assert_int_equal(store_foreach_event(st, 10, find_corrupt, &e), BK_OK);
    assert_int_equal(e.n, 1);
    store_close(st);
    return strdup(info.moved_to);
}

static void fill_garbage(char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (char)(seed >> 16);
    }
}

static void test_garbage_file_moved_aside(void **state)
{
    fixture *f = *state;
    char garbage[8192];
    fill_garbage(garbage, sizeof garbage, 7);
    tu_write_at(f->path, 0, garbage, sizeof garbage);
    char *moved = expect_recovery(f, garbage, sizeof garbage, "kiosk.db.corrupt-20261129T100000");
    free(moved);

    /* Damaged again in the same second: a second, distinct name. */
    assert_int_equal(unlink(f->path), 0);
    tu_write_at(f->path, 0, garbage, sizeof garbage);
    moved = expect_recovery(f, garbage, sizeof garbage, "kiosk.db.corrupt-20261129T100000-2");
    free(moved);
    char *first = tu_path(f->dir, "kiosk.db.corrupt-20261129T100000");
    assert_true(file_exists(first));
    free(first);
}

/* Makes a real database with n complete responses and closes it. */
static void make_db(fixture *f, int n)
{
    store *st = tu_open(f->path, &f->vc);
    for (int i = 0; i < n; i++) {
        store_response_ref r = tu_begin(st);
        for (int q = 0; q < 3; q++) {
            char qid[8];
            snprintf(qid, sizeof qid, "q%d", q + 1);
            tu_answer_text(st, r.rowid, qid, "een antwoord van gemiddelde lengte, genoeg tekst");
        }
        assert_int_equal(store_response_finish(st, r.rowid, STORE_STATUS_COMPLETE, NULL, 0), BK_OK);
    }
    store_close(st);
}

static void test_damaged_header_moved_aside(void **state)
{
    fixture *f = *state;
    make_db(f, 20);
    char junk[100];
    memset(junk, 0xA5, sizeof junk);
    tu_write_at(f->path, 0, junk, sizeof junk);
    size_t len;
    char *damaged = tu_read_file(f->path, &len);
    char *moved = expect_recovery(f, damaged, len, "kiosk.db.corrupt-20261129T100000");
    free(moved);
    free(damaged);
}

static void test_damaged_middle_page_moved_aside_with_wal(void **state)
{
    fixture *f = *state;
    make_db(f, 300);
    /* A -wal with real frames next to the database, as a crash leaves it. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO events (at_ms, kind, message) VALUES (1, 'x', 'y')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char *wal_path = tu_path(f->dir, "kiosk.db-wal");
    size_t wal_len = 0;
    char *wal = tu_read_file(wal_path, &wal_len);
    assert_non_null(wal);
    assert_true(wal_len > 0);

    size_t len;
    char *db_bytes = tu_read_file(f->path, &len);
    long pages = (long)len / 4096;
    assert_true(pages > 20);
    free(db_bytes);
    char junk[4096];
    memset(junk, 0xFF, sizeof junk);
    tu_write_at(f->path, (pages / 2) * 4096, junk, sizeof junk);
    char *damaged = tu_read_file(f->path, &len);

    char *moved = expect_recovery(f, damaged, len, "kiosk.db.corrupt-20261129T100000");
    char *moved_wal = malloc(strlen(moved) + 8);
    assert_non_null(moved_wal);
    sprintf(moved_wal, "%s-wal", moved);
    size_t mlen = 0;
    char *mw = tu_read_file(moved_wal, &mlen);
    assert_non_null(mw);
    assert_int_equal(mlen, wal_len);
    assert_memory_equal(mw, wal, wal_len);
    free(mw);
    free(moved_wal);
    free(moved);
    free(damaged);
    free(wal);
    free(wal_path);
}

static void test_corruption_while_running_is_reported(void **state)
{
    fixture *f = *state;
    make_db(f, 300);
    store *st = tu_open(f->path, &f->vc);
    size_t len;
    char *bytes = tu_read_file(f->path, &len);
    free(bytes);
    long pages = (long)len / 4096;
    char junk[4096];
    memset(junk, 0xFF, sizeof junk);
    for (long p = 2; p < pages; p += 3) /* many pages, so the scan meets one */
        tu_write_at(f->path, p * 4096, junk, sizeof junk);
    sqlite3_db_release_memory(store_sqlite_handle(st)); /* forget cached pages */
    size_t n = 0;
    (void)n;
    store_counts c;
    assert_int_equal(store_count(st, &c), BK_ERR_CORRUPT);
    store_close(st);
}

/* ---- disk full ---- */

typedef struct full_ctx {
    int complete, started;
    bool bad;
    char text[2001];
} full_ctx;

static int check_full_row(const store_response_row *row, void *ctx)
{
    full_ctx *c = ctx;
    if (strcmp(row->status, "complete") == 0) {
        c->complete++;
        if (row->n_answers != 8)
            c->bad = true;
    } else {
        c->started++;
    }
    for (size_t i = 0; i < row->n_answers; i++) {
        /* value is the JSON string: the text in quotes */
        if (strlen(row->answers[i].value_json) != strlen(c->text) + 2 ||
            strncmp(row->answers[i].value_json + 1, c->text, strlen(c->text)) != 0)
            c->bad = true;
    }
    return 0;
}

static void test_disk_full(void **state)
{
    fixture *f = *state;
    store *st = tu_open(f->path, &f->vc);
    full_ctx ctx = {0};
    memset(ctx.text, 'x', 2000);
    int64_t pages = tu_sql_int(st, "PRAGMA page_count");
    assert_int_equal(store_set_max_pages(st, (int)pages + 30), BK_OK);

    int done = 0, answers_in_last = 0;
    int64_t last_seq = 0;
    bool full = false;
    const char *where = "";
    for (int i = 0; i < 1000 && !full; i++) {
        store_response_meta meta = {
            .survey_id = "s", .survey_version = 1, .mode = "survey", .language = "nl"};
        store_response_ref r;
        bk_err err = store_response_begin(st, &meta, &r);
        if (err) {
            assert_int_equal(err, BK_ERR_FULL);
            full = true;
            where = "begin";
            break;
        }
        last_seq = r.seq;
        answers_in_last = 0;
        for (int q = 0; q < 8; q++) {
            char qid[8];
            snprintf(qid, sizeof qid, "q%d", q + 1);
            answer_value v = {.kind = ANSWER_TEXT, .text = ctx.text};
            err = store_answer_set(st, r.rowid, qid, &v);
            if (err) {
                assert_int_equal(err, BK_ERR_FULL);
                full = true;
                where = "answer";
                break;
            }
            answers_in_last++;
        }
        if (full)
            break;
        err = store_response_finish(st, r.rowid, STORE_STATUS_COMPLETE, NULL, 0);
        if (err) {
            assert_int_equal(err, BK_ERR_FULL);
            full = true;
            where = "finish";
            break;
        }
        done++;
    }
    assert_true(full);
    assert_true(done > 0);
    print_message("disk full after %d responses, at %s\n", done, where);

    /* What was committed before is all there; nothing half-stored. */
    assert_int_equal(store_foreach_response(st, 0, 0, check_full_row, &ctx), BK_OK);
    assert_false(ctx.bad);
    assert_int_equal(ctx.complete, done);
    if (strcmp(where, "begin") == 0)
        assert_int_equal(ctx.started, 0);
    else
        assert_int_equal(ctx.started, 1);
    int64_t answers = tu_sql_int(st, "SELECT count(*) FROM answers");
    assert_int_equal(answers,
                     (int64_t)done * 8 + (strcmp(where, "begin") == 0 ? 0 : answers_in_last));

    /* Forming a batch needs room too; when it fails nothing is half-batched. */
    store_batch b;
    bk_err err = store_batch_next(st, "k", 1000, 1 << 24, &b);
    if (err == BK_OK) {
        store_batch_free(&b);
    } else {
        assert_int_equal(err, BK_ERR_FULL);
        assert_int_equal(
            tu_sql_int(st, "SELECT count(*) FROM responses WHERE batch_id IS NOT NULL"), 0);
        assert_int_equal(tu_sql_int(st, "SELECT count(*) FROM batches"), 0);
    }

    /* Room again: writes work, seq goes on without a gap from a failed begin. */
    assert_int_equal(store_set_max_pages(st, 0), BK_OK);
    store_response_ref r = tu_complete(st, 8);
    assert_int_equal(r.seq, last_seq + 1);
    assert_int_equal(store_close_abandoned(st, NULL), BK_OK);
    assert_int_equal(tu_sql_int(st, "SELECT count(*) FROM pragma_integrity_check"
                                    " WHERE integrity_check <> 'ok'"),
                     0);

    /* A full disk inside a multi-statement transaction (begin: response,
     * seq counter) rolls all of it back. */
    int64_t now_pages = tu_sql_int(st, "PRAGMA page_count");
    assert_int_equal(store_set_max_pages(st, (int)now_pages), BK_OK);
    int64_t before_full = r.seq;
    bk_err berr = BK_OK;
    for (int i = 0; i < 10000 && berr == BK_OK; i++) {
        store_response_meta meta = {
            .survey_id = "s", .survey_version = 1, .mode = "survey", .language = "nl"};
        store_response_ref rr;
        berr = store_response_begin(st, &meta, &rr);
        if (berr == BK_OK)
            before_full = rr.seq;
    }
    assert_int_equal(berr, BK_ERR_FULL);
    assert_int_equal(tu_sql_int(st, "SELECT max(seq) FROM responses"), before_full);
    char *counter = NULL;
    assert_int_equal(store_meta_get(st, "store.last_seq", &counter), BK_OK);
    assert_int_equal(atoll(counter), before_full);
    free(counter);
    assert_int_equal(store_set_max_pages(st, 0), BK_OK);
    r = tu_begin(st);
    assert_int_equal(r.seq, before_full + 1);
    int64_t total = tu_sql_int(st, "SELECT count(*) FROM responses");
    store_close(st);

    /* And after reopening, all of it is still there. */
    st = tu_open(f->path, &f->vc);
    store_counts c;
    assert_int_equal(store_count(st, &c), BK_OK);
    assert_int_equal(c.total, total);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_from_every_older_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_is_idempotent_on_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_file_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_header_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_middle_page_moved_aside_with_wal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_corruption_while_running_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
    };
    return cmocka_run_group_tests_name("store_recovery", tests, NULL, NULL);
}
