/* test_store.c: the store's response life, reading back, counts, meta,
 * events and the durability settings. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "test_store_util.h"
#include "uuid.h"

typedef struct fixture {
    char *dir;
    char *path;
    bk_virtual_clock vc;
    store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = tu_tmpdir();
    f->path = tu_path(f->dir, "kiosk.db");
    f->vc.wall_ms = TU_T0_MS;
    f->vc.mono_ms = 1000;
    f->st = tu_open(f->path, &f->vc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    free(f->path);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_uuid_v4_format_and_unique(void **state)
{
    (void)state;
    enum { N = 2000 };
    char(*ids)[BK_UUID_LEN + 1] = calloc(N, sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        bk_uuid_v4(ids[i]);
        assert_int_equal(strlen(ids[i]), 36);
        assert_true(bk_uuid_is_v4(ids[i]));
    }
    qsort(ids, N, sizeof *ids, cmp_str);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);

    assert_true(bk_uuid_is_v4("0f8fad5b-d9cb-469f-a165-70867728950e"));
    assert_false(bk_uuid_is_v4("0F8FAD5B-D9CB-469F-A165-70867728950E")); /* upper case */
    assert_false(bk_uuid_is_v4("0f8fad5b-d9cb-169f-a165-70867728950e")); /* version 1 */
    assert_false(bk_uuid_is_v4("0f8fad5b-d9cb-469f-c165-70867728950e")); /* variant */
    assert_false(bk_uuid_is_v4("0f8fad5b-d9cb-469f-a165-70867728950"));  /* short */
    assert_false(bk_uuid_is_v4("0f8fad5bxd9cb-469f-a165-70867728950e"));
    assert_false(bk_uuid_is_v4(NULL));
}

static void test_open_settings(void **state)
{
    fixture *f = *state;
    sqlite3 *db = store_sqlite_handle(f->st);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    assert_int_equal(tu_sql_int(f->st, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(tu_sql_int(f->st, "PRAGMA foreign_keys"), 1);
    assert_int_equal(tu_sql_int(f->st, "PRAGMA busy_timeout"), 5000);
    assert_int_equal(tu_sql_int(f->st, "PRAGMA user_version"), store_schema_version());
    assert_true(store_schema_version() >= 2);

    /* A second open of the same file finds nothing to do. */
    bk_clock c = clock_virtual(&f->vc);
    store *b = NULL;
    store_open_info info;
    assert_int_equal(store_open(f->path, &c, &b, &info), BK_OK);
    assert_false(info.recovered);
    assert_int_equal(info.from_version, store_schema_version());
    assert_string_equal(info.moved_to, "");
    store_close(b);
    store_close(NULL);
}

static void test_open_fresh_info(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "new.db");
    bk_virtual_clock vc = {.wall_ms = TU_T0_MS};
    bk_clock c = clock_virtual(&vc);
    store *st = NULL;
    store_open_info info;
    assert_int_equal(store_open(path, &c, &st, &info), BK_OK);
    assert_false(info.recovered);
    assert_int_equal(info.from_version, 0);
    store_close(st);
    assert_int_equal(store_open(NULL, &c, &st, NULL), BK_ERR_INVALID);
    assert_null(st);
    assert_int_equal(store_open(path, NULL, &st, NULL), BK_ERR_INVALID);
    /* A folder that does not exist: an error, not a crash. */
    char *bad = tu_path(dir, "missing/sub/x.db");
    assert_int_equal(store_open(bad, &c, &st, &info), BK_ERR_IO);
    assert_null(st);
    assert_false(info.recovered);
    free(bad);
    free(path);
    tu_rmdir(dir);
}

static void test_seq_rises_and_ids_unique(void **state)
{
    fixture *f = *state;
    store_response_ref refs[6];
    for (int i = 0; i < 5; i++) {
        refs[i] = tu_begin(f->st);
        assert_int_equal(refs[i].seq, i + 1);
        assert_true(bk_uuid_is_v4(refs[i].response_id));
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(refs[i].response_id, refs[j].response_id);
            assert_true(refs[i].rowid != refs[j].rowid);
        }
    }
    /* Reopening continues the sequence. */
    store_close(f->st);
    f->st = tu_open(f->path, &f->vc);
    refs[5] = tu_begin(f->st);
    assert_int_equal(refs[5].seq, 6);
    char *v = NULL;
    assert_int_equal(store_meta_get(f->st, "store.last_seq", &v), BK_OK);
    assert_string_equal(v, "6");
    free(v);

    store_response_meta bad = {.survey_id = "s", .mode = "kiosk", .language = "nl"};
    store_response_ref r;
    assert_int_equal(store_response_begin(f->st, &bad, &r), BK_ERR_INVALID);
    bad.mode = "live";
    bad.language = NULL;
    assert_int_equal(store_response_begin(f->st, &bad, &r), BK_ERR_INVALID);
    bad.language = "en";
    assert_int_equal(store_response_begin(f->st, &bad, &r), BK_OK);
    assert_int_equal(r.seq, 7);
}

static void test_seq_never_goes_back_after_purge(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++)
        tu_complete(f->st, 2);
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k1", 100, 1 << 20, &b), BK_OK);
    assert_int_equal(b.n_responses, 3);
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    store_batch_free(&b);
    clock_virtual_advance(&f->vc, 31 * TU_DAY_MS);
    int n = 0;
    assert_int_equal(store_purge(f->st, 30, &n), BK_OK);
    assert_int_equal(n, 3);
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM responses"), 0);
    store_close(f->st);
    f->st = tu_open(f->path, &f->vc);
    store_response_ref r = tu_begin(f->st);
    assert_int_equal(r.seq, 4);
}

static void test_seq_two_connections_alternating(void **state)
{
    fixture *f = *state;
    store *other = tu_open(f->path, &f->vc);
    int64_t last = 0;
    for (int i = 0; i < 10; i++) {
        store_response_ref r = tu_begin(i % 2 ? other : f->st);
        assert_int_equal(r.seq, last + 1);
        last = r.seq;
    }
    store_close(other);
}

typedef struct thread_arg {
    const char *path;
    bk_virtual_clock *vc;
    int64_t seqs[100];
    int n;
    bk_err err;
} thread_arg;

static void *begin_many(void *p)
{
    thread_arg *a = p;
    bk_clock c = clock_virtual(a->vc);
    store *st = NULL;
    a->err = store_open(a->path, &c, &st, NULL);
    if (a->err)
        return NULL;
    store_response_meta meta = {
        .survey_id = "s", .survey_version = 1, .mode = "survey", .language = "nl"};
    for (a->n = 0; a->n < 100; a->n++) {
        store_response_ref r;
        a->err = store_response_begin(st, &meta, &r);
        if (a->err)
            break;
        a->seqs[a->n] = r.seq;
    }
    store_close(st);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_seq_two_threads_never_collide(void **state)
{
    fixture *f = *state;
    thread_arg a = {.path = f->path, .vc = &f->vc}, b = a;
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, begin_many, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, begin_many, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.err, BK_OK);
    assert_int_equal(b.err, BK_OK);
    int64_t all[200];
    memcpy(all, a.seqs, sizeof a.seqs);
    memcpy(all + 100, b.seqs, sizeof b.seqs);
    for (int i = 1; i < 100; i++) { /* each connection sees its own rise */
        assert_true(a.seqs[i] > a.seqs[i - 1]);
        assert_true(b.seqs[i] > b.seqs[i - 1]);
    }
    qsort(all, 200, sizeof all[0], cmp_i64);
    for (int i = 0; i < 200; i++)
        assert_int_equal(all[i], i + 1);
}

static void test_answers_upsert_and_delete(void **state)
{
    fixture *f = *state;
    store_response_ref r = tu_begin(f->st);
    tu_answer_int(f->st, r.rowid, "q1", 4);
    const char *text = "Meer bankjes; \"echt\"\nbij de vijver \xc3\xa9 \xe2\x82\xac";
    tu_answer_text(f->st, r.rowid, "q2", text);
    const char *list[] = {"park", "speeltuin"};
    answer_value lv = {.kind = ANSWER_LIST, .list = list, .n_list = 2};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q3", &lv), BK_OK);
    tu_answer_int(f->st, r.rowid, "q1", 5); /* changed: keeps its place */
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM answers"), 3);

    size_t n;
    tu_row *rows = tu_rows(f->st, &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(rows[0].json, "\"answers\":[{\"question_id\":\"q1\",\"value\":5},"
                                         "{\"question_id\":\"q2\",\"value\":\"Meer bankjes; "
                                         "\\\"echt\\\"\\nbij de vijver \xc3\xa9 \xe2\x82\xac\"},"
                                         "{\"question_id\":\"q3\",\"value\":[\"park\","
                                         "\"speeltuin\"]}]"));
    tu_rows_free(rows, n);

    /* Values are stored as JSON text. */
    sqlite3 *db = store_sqlite_handle(f->st);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM answers ORDER BY id", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "5");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0),
                        "\"Meer bankjes; \\\"echt\\\"\\nbij de vijver \xc3\xa9 \xe2\x82\xac\"");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "[\"park\",\"speeltuin\"]");
    sqlite3_finalize(s);

    /* Skipped after going back: deleted. Deleting what is not there is fine. */
    answer_value none = {.kind = ANSWER_NONE};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q2", &none), BK_OK);
    assert_int_equal(store_answer_set(f->st, r.rowid, "q9", &none), BK_OK);
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM answers WHERE question_id = 'q2'"), 0);
    /* Answered again: now last. */
    tu_answer_text(f->st, r.rowid, "q2", "bus");
    rows = tu_rows(f->st, &n);
    assert_non_null(strstr(rows[0].json, "{\"question_id\":\"q3\",\"value\":[\"park\","
                                         "\"speeltuin\"]},{\"question_id\":\"q2\",\"value\":"
                                         "\"bus\"}]"));
    tu_rows_free(rows, n);

    /* An empty list is an answer too. */
    answer_value empty = {.kind = ANSWER_LIST, .list = NULL, .n_list = 0};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q5", &empty), BK_OK);

    /* Refused input. */
    answer_value bad_utf8 = {.kind = ANSWER_TEXT, .text = "caf\xc3"};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q6", &bad_utf8), BK_ERR_INVALID);
    answer_value null_text = {.kind = ANSWER_TEXT, .text = NULL};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q6", &null_text), BK_ERR_INVALID);
    const char *bad_list[] = {"a", NULL};
    answer_value bl = {.kind = ANSWER_LIST, .list = bad_list, .n_list = 2};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q6", &bl), BK_ERR_INVALID);
    answer_value v = {.kind = ANSWER_INT, .integer = 1};
    assert_int_equal(store_answer_set(f->st, r.rowid, "", &v), BK_ERR_INVALID);
    assert_int_equal(store_answer_set(f->st, r.rowid, NULL, &v), BK_ERR_INVALID);
    assert_int_equal(store_answer_set(f->st, 424242, "q1", &v), BK_ERR_NOT_FOUND);
    assert_int_equal(store_answer_set(f->st, 424242, "q1", &none), BK_ERR_NOT_FOUND);
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM answers WHERE question_id = 'q6'"), 0);
}

static void test_finish_and_fixed_after(void **state)
{
    fixture *f = *state;
    store_response_ref r = tu_begin(f->st);
    tu_answer_int(f->st, r.rowid, "q1", 3);
    clock_virtual_advance(&f->vc, 61500);
    const char *flags[] = {"rapid", "repeat"};
    assert_int_equal(store_response_finish(f->st, r.rowid, STORE_STATUS_COMPLETE, flags, 2), BK_OK);
    size_t n;
    tu_row *rows = tu_rows(f->st, &n);
    assert_string_equal(rows[0].status, "complete");
    assert_non_null(strstr(rows[0].json, "\"completed_at\":\"2026-11-29T10:01:01.500Z\","
                                         "\"flags\":[\"rapid\",\"repeat\"]"));
    tu_rows_free(rows, n);

    answer_value v = {.kind = ANSWER_INT, .integer = 1};
    answer_value none = {.kind = ANSWER_NONE};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q2", &v), BK_ERR_STATE);
    assert_int_equal(store_answer_set(f->st, r.rowid, "q1", &none), BK_ERR_STATE);
    assert_int_equal(store_answer_set(f->st, r.rowid, "q1", &v), BK_ERR_STATE);
    assert_int_equal(store_response_finish(f->st, r.rowid, STORE_STATUS_PARTIAL, NULL, 0),
                     BK_ERR_STATE);
    assert_int_equal(store_response_set_language(f->st, r.rowid, "en"), BK_ERR_STATE);
    assert_int_equal(store_response_set_area(f->st, r.rowid, NULL), BK_ERR_STATE);
    assert_int_equal(store_response_finish(f->st, 999, STORE_STATUS_COMPLETE, NULL, 0),
                     BK_ERR_NOT_FOUND);
    store_response_ref r2 = tu_begin(f->st);
    assert_int_equal(store_response_finish(f->st, r2.rowid, STORE_STATUS_STARTED, NULL, 0),
                     BK_ERR_INVALID);
    assert_int_equal(store_response_finish(f->st, r2.rowid, STORE_STATUS_COMPLETE, NULL, 1),
                     BK_ERR_INVALID);
    assert_int_equal(tu_sql_int(f->st, "SELECT status = 'started' FROM responses WHERE seq = 2"),
                     1);
    assert_int_equal(store_response_finish(f->st, r2.rowid, STORE_STATUS_PARTIAL, NULL, 0), BK_OK);
    rows = tu_rows(f->st, &n);
    assert_string_equal(rows[1].status, "partial");
    assert_non_null(strstr(rows[1].json, "\"flags\":[]"));
    tu_rows_free(rows, n);
}

static void test_language_and_area(void **state)
{
    fixture *f = *state;
    store_response_ref r = tu_begin(f->st);
    assert_int_equal(store_response_set_language(f->st, r.rowid, "en"), BK_OK);
    assert_int_equal(store_response_set_area(f->st, r.rowid, "oosteind"), BK_OK);
    size_t n;
    tu_row *rows = tu_rows(f->st, &n);
    assert_non_null(strstr(rows[0].json, "\"language\":\"en\",\"area\":\"oosteind\""));
    tu_rows_free(rows, n);
    assert_int_equal(store_response_set_area(f->st, r.rowid, NULL), BK_OK);
    rows = tu_rows(f->st, &n);
    assert_non_null(strstr(rows[0].json, "\"area\":null"));
    assert_non_null(strstr(rows[0].json, "\"completed_at\":null"));
    tu_rows_free(rows, n);
    assert_int_equal(store_response_set_language(f->st, r.rowid, NULL), BK_ERR_INVALID);
    assert_int_equal(store_response_set_language(f->st, 77, "en"), BK_ERR_NOT_FOUND);
}

static void test_close_abandoned(void **state)
{
    fixture *f = *state;
    store_response_ref a = tu_begin(f->st); /* started at 10:00:00 */
    clock_virtual_advance(&f->vc, 5000);
    tu_answer_int(f->st, a.rowid, "q1", 1); /* last sign at 10:00:05 */
    store_response_ref b = tu_begin(f->st); /* no answers: 10:00:05 */
    tu_complete(f->st, 1);
    clock_virtual_advance(&f->vc, 3600 * 1000);
    int n = -1;
    assert_int_equal(store_close_abandoned(f->st, &n), BK_OK);
    assert_int_equal(n, 2);
    size_t count;
    tu_row *rows = tu_rows(f->st, &count);
    assert_int_equal(count, 3);
    assert_string_equal(rows[0].status, "partial");
    assert_int_equal(rows[0].rowid, a.rowid);
    assert_non_null(strstr(rows[0].json, "\"completed_at\":\"2026-11-29T10:00:05.000Z\""));
    assert_string_equal(rows[1].status, "partial");
    assert_int_equal(rows[1].rowid, b.rowid);
    assert_non_null(strstr(rows[1].json, "\"completed_at\":\"2026-11-29T10:00:05.000Z\""));
    assert_string_equal(rows[2].status, "complete");
    tu_rows_free(rows, count);
    assert_int_equal(store_close_abandoned(f->st, &n), BK_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_close_abandoned(f->st, NULL), BK_OK);
}

static void test_response_json_exact(void **state)
{
    fixture *f = *state;
    clock_virtual_advance(&f->vc, 20);
    store_response_ref r = tu_begin(f->st);
    tu_answer_int(f->st, r.rowid, "q1", 4);
    tu_answer_text(f->st, r.rowid, "q2", "bus");
    const char *list[] = {"park", "speeltuin"};
    answer_value lv = {.kind = ANSWER_LIST, .list = list, .n_list = 2};
    assert_int_equal(store_answer_set(f->st, r.rowid, "q3", &lv), BK_OK);
    tu_answer_text(f->st, r.rowid, "q4", "Meer bankjes bij de vijver.");
    clock_virtual_advance(&f->vc, 149492);
    assert_int_equal(store_response_finish(f->st, r.rowid, STORE_STATUS_COMPLETE, NULL, 0), BK_OK);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "{\"response_id\":\"%s\",\"seq\":1,\"survey_id\":\"buurtpeiling-2026\","
             "\"survey_version\":3,\"mode\":\"survey\",\"status\":\"complete\","
             "\"language\":\"nl\",\"area\":\"dorst\","
             "\"started_at\":\"2026-11-29T10:00:00.020Z\","
             "\"completed_at\":\"2026-11-29T10:02:29.512Z\",\"flags\":[],\"answers\":["
             "{\"question_id\":\"q1\",\"value\":4},{\"question_id\":\"q2\",\"value\":\"bus\"},"
             "{\"question_id\":\"q3\",\"value\":[\"park\",\"speeltuin\"]},"
             "{\"question_id\":\"q4\",\"value\":\"Meer bankjes bij de vijver.\"}]}",
             r.response_id);
    size_t n;
    tu_row *rows = tu_rows(f->st, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].json, expected);
    tu_rows_free(rows, n);
    assert_null(store_response_to_json(NULL));
}

static int count_and_stop(const store_response_row *row, void *ctx)
{
    int *n = ctx;
    (*n)++;
    return *n >= 2;
}

static int seq_list(const store_response_row *row, void *ctx)
{
    char *buf = ctx;
    char s[24];
    snprintf(s, sizeof s, "%lld,", (long long)row->seq);
    strcat(buf, s);
    return 0;
}

static int reenter(const store_response_row *row, void *ctx)
{
    store *st = ctx;
    int dummy = 0;
    assert_int_equal(store_foreach_response(st, 0, 0, count_and_stop, &dummy), BK_ERR_STATE);
    return 0;
}

static void test_foreach_filters(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 5; i++) {
        tu_begin(f->st);
        clock_virtual_advance(&f->vc, 60000);
    }
    char buf[256] = "";
    assert_int_equal(store_foreach_response(f->st, 2, 0, seq_list, buf), BK_OK);
    assert_string_equal(buf, "3,4,5,");
    buf[0] = '\0';
    assert_int_equal(store_foreach_response(f->st, 0, TU_T0_MS + 120000, seq_list, buf), BK_OK);
    assert_string_equal(buf, "3,4,5,");
    buf[0] = '\0';
    assert_int_equal(store_foreach_response(f->st, 3, TU_T0_MS + 60000, seq_list, buf), BK_OK);
    assert_string_equal(buf, "4,5,");
    int n = 0;
    assert_int_equal(store_foreach_response(f->st, 0, 0, count_and_stop, &n), BK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_foreach_response(f->st, 0, 0, reenter, f->st), BK_OK);
    assert_int_equal(store_foreach_response(f->st, 0, 0, NULL, NULL), BK_ERR_INVALID);
}

static void test_counts(void **state)
{
    fixture *f = *state;
    f->vc.wall_ms = TU_T0_MS - 3 * TU_DAY_MS;
    tu_complete(f->st, 1); /* seq 1: old, will be delivered */
    tu_complete(f->st, 1); /* seq 2: old, will be rejected */
    f->vc.wall_ms = TU_T0_MS;
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k", 1, 1 << 20, &b), BK_OK);
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    store_batch_free(&b);
    assert_int_equal(store_batch_next(f->st, "k", 1, 1 << 20, &b), BK_OK);
    assert_int_equal(store_batch_reject(f->st, b.batch_id, "422 bad"), BK_OK);
    store_batch_free(&b);
    tu_complete(f->st, 1); /* queued */
    tu_complete(f->st, 1); /* queued */
    tu_begin(f->st);       /* started */
    store_counts c;
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.total, 5);
    assert_int_equal(c.today, 3);
    assert_int_equal(c.queued, 2);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.delivered, 1);
    assert_int_equal(c.started, 1);
    assert_int_equal(store_count(f->st, NULL), BK_ERR_INVALID);
}

static void test_count_per_day_local(void **state)
{
    fixture *f = *state;
    char *old_tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1); /* the Netherlands, no tzdata needed */
    tzset();
    /* now: 2026-11-29 11:00 local (10:00Z); local midnight is 23:00Z. */
    f->vc.wall_ms = TU_T0_MS - 2 * TU_DAY_MS; /* 27 Nov */
    tu_begin(f->st);
    f->vc.wall_ms = TU_T0_MS - (11 * 60 + 30) * 60 * 1000; /* 28 Nov 22:30Z = 23:30 local */
    tu_begin(f->st);
    f->vc.wall_ms = TU_T0_MS - (10 * 60 + 30) * 60 * 1000; /* 28 Nov 23:30Z = 29 Nov 00:30 local */
    tu_complete(f->st, 1);
    f->vc.wall_ms = TU_T0_MS;
    tu_begin(f->st);
    int64_t per_day[7];
    assert_int_equal(store_count_per_day(f->st, 7, per_day), BK_OK);
    int64_t expected[7] = {0, 0, 0, 0, 1, 1, 2};
    for (int i = 0; i < 7; i++)
        assert_int_equal(per_day[i], expected[i]);
    store_counts c;
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.today, 2);
    int64_t one;
    assert_int_equal(store_count_per_day(f->st, 1, &one), BK_OK);
    assert_int_equal(one, 2);
    assert_int_equal(store_count_per_day(f->st, 0, per_day), BK_ERR_INVALID);
    if (old_tz)
        setenv("TZ", old_tz, 1);
    else
        unsetenv("TZ");
    free(old_tz);
    tzset();
}

static void test_meta(void **state)
{
    fixture *f = *state;
    char *v = (char *)"x";
    assert_int_equal(store_meta_get(f->st, "etag", &v), BK_ERR_NOT_FOUND);
    assert_null(v);
    assert_int_equal(store_meta_set(f->st, "etag", "\"abc\""), BK_OK);
    assert_int_equal(store_meta_get(f->st, "etag", &v), BK_OK);
    assert_string_equal(v, "\"abc\"");
    free(v);
    assert_int_equal(store_meta_set(f->st, "etag", "W/\"def\""), BK_OK);
    assert_int_equal(store_meta_get(f->st, "etag", &v), BK_OK);
    assert_string_equal(v, "W/\"def\"");
    free(v);
    assert_int_equal(store_meta_set(f->st, "empty", ""), BK_OK);
    assert_int_equal(store_meta_get(f->st, "empty", &v), BK_OK);
    assert_string_equal(v, "");
    free(v);
    assert_int_equal(store_meta_set(f->st, "etag", NULL), BK_OK);
    assert_int_equal(store_meta_get(f->st, "etag", &v), BK_ERR_NOT_FOUND);
    assert_int_equal(store_meta_set(f->st, "etag", NULL), BK_OK);
    /* The store's own keys cannot be written from outside. */
    assert_int_equal(store_meta_set(f->st, "store.last_seq", "1"), BK_ERR_INVALID);
    assert_int_equal(store_meta_set(f->st, "", "1"), BK_ERR_INVALID);
    assert_int_equal(store_meta_get(f->st, NULL, &v), BK_ERR_INVALID);
    /* Survives reopening. */
    assert_int_equal(store_meta_set(f->st, "staff.language", "en"), BK_OK);
    store_close(f->st);
    f->st = tu_open(f->path, &f->vc);
    assert_int_equal(store_meta_get(f->st, "staff.language", &v), BK_OK);
    assert_string_equal(v, "en");
    free(v);
}

typedef struct events_seen {
    int n;
    char first_at[40], first_kind[32], first_message[64], last_message[64];
} events_seen;

static int see_event(const char *at, const char *kind, const char *message, void *ctx)
{
    events_seen *e = ctx;
    if (e->n == 0) {
        snprintf(e->first_at, sizeof e->first_at, "%s", at);
        snprintf(e->first_kind, sizeof e->first_kind, "%s", kind);
        snprintf(e->first_message, sizeof e->first_message, "%s", message);
    }
    snprintf(e->last_message, sizeof e->last_message, "%s", message);
    e->n++;
    return 0;
}

static void test_events(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_event_add(f->st, "lockout", "staff PIN wrong 5 times"), BK_OK);
    clock_virtual_advance(&f->vc, 1000);
    assert_int_equal(store_event_add(f->st, "full", "disk full"), BK_OK);
    clock_virtual_advance(&f->vc, 1000);
    assert_int_equal(store_event_add(f->st, "sync", NULL), BK_OK);
    events_seen e = {0};
    assert_int_equal(store_foreach_event(f->st, 10, see_event, &e), BK_OK);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.first_kind, "sync");
    assert_string_equal(e.first_at, "2026-11-29T10:00:02.000Z");
    assert_string_equal(e.first_message, "");
    assert_string_equal(e.last_message, "staff PIN wrong 5 times");
    memset(&e, 0, sizeof e);
    assert_int_equal(store_foreach_event(f->st, 2, see_event, &e), BK_OK);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.last_message, "disk full");
    assert_int_equal(store_event_add(f->st, "", "x"), BK_ERR_INVALID);

    /* Only the newest 1000 are kept. */
    for (int i = 0; i < 1005; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "event %d", i);
        assert_int_equal(store_event_add(f->st, "test", msg), BK_OK);
    }
    memset(&e, 0, sizeof e);
    assert_int_equal(store_foreach_event(f->st, 5000, see_event, &e), BK_OK);
    assert_int_equal(e.n, 1000);
    assert_string_equal(e.first_message, "event 1004");
    assert_string_equal(e.last_message, "event 5");

    /* A long message is cut, never refused. */
    char *big = malloc(10000);
    assert_non_null(big);
    memset(big, 'x', 9999);
    big[9999] = '\0';
    assert_int_equal(store_event_add(f->st, "big", big), BK_OK);
    free(big);
    assert_true(tu_sql_int(f->st, "SELECT length(message) FROM events ORDER BY id DESC LIMIT 1") <=
                2000);
}

static void test_hidden_flag(void **state)
{
    fixture *f = *state;
    store_response_ref r = tu_begin(f->st);
    tu_answer_text(f->st, r.rowid, "q1", "iets ongepasts");
    tu_answer_int(f->st, r.rowid, "q2", 2);
    assert_int_equal(store_response_finish(f->st, r.rowid, STORE_STATUS_COMPLETE, NULL, 0), BK_OK);
    size_t n;
    tu_row *before = tu_rows(f->st, &n);
    assert_int_equal(store_answer_set_hidden(f->st, r.response_id, "q1", true), BK_OK);
    assert_int_equal(tu_sql_int(f->st, "SELECT hidden FROM answers WHERE question_id = 'q1'"), 1);
    assert_int_equal(tu_sql_int(f->st, "SELECT hidden FROM answers WHERE question_id = 'q2'"), 0);
    tu_row *after = tu_rows(f->st, &n);
    assert_string_equal(before[0].json, after[0].json); /* still uploaded, body unchanged */
    tu_rows_free(before, n);
    tu_rows_free(after, n);
    assert_int_equal(store_answer_set_hidden(f->st, r.response_id, "q1", false), BK_OK);
    assert_int_equal(tu_sql_int(f->st, "SELECT hidden FROM answers WHERE question_id = 'q1'"), 0);
    assert_int_equal(store_answer_set_hidden(f->st, r.response_id, "q7", true), BK_ERR_NOT_FOUND);
    assert_int_equal(
        store_answer_set_hidden(f->st, "00000000-0000-4000-8000-000000000000", "q1", true),
        BK_ERR_NOT_FOUND);
}

typedef struct hidden_seen {
    int hidden, shown;
} hidden_seen;

static int see_hidden(const store_response_row *row, void *ctx)
{
    hidden_seen *h = ctx;
    for (size_t i = 0; i < row->n_answers; i++) {
        if (row->answers[i].hidden)
            h->hidden++;
        else
            h->shown++;
    }
    return 0;
}

static void test_hidden_in_rows(void **state)
{
    fixture *f = *state;
    store_response_ref r = tu_begin(f->st);
    tu_answer_text(f->st, r.rowid, "q1", "a");
    tu_answer_text(f->st, r.rowid, "q2", "b");
    assert_int_equal(store_answer_set_hidden(f->st, r.response_id, "q2", true), BK_OK);
    hidden_seen h = {0};
    assert_int_equal(store_foreach_response(f->st, 0, 0, see_hidden, &h), BK_OK);
    assert_int_equal(h.hidden, 1);
    assert_int_equal(h.shown, 1);
}

static void test_busy_maps_to_bk_err_busy(void **state)
{
    fixture *f = *state;
    store *other = tu_open(f->path, &f->vc);
    assert_int_equal(store_set_busy_timeout(other, 20), BK_OK);
    store_response_ref r = tu_begin(other);
    sqlite3 *db = store_sqlite_handle(f->st);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    store_response_meta meta = {
        .survey_id = "s", .survey_version = 1, .mode = "survey", .language = "nl"};
    store_response_ref r2;
    assert_int_equal(store_response_begin(other, &meta, &r2), BK_ERR_BUSY);
    answer_value v = {.kind = ANSWER_INT, .integer = 1};
    assert_int_equal(store_answer_set(other, r.rowid, "q1", &v), BK_ERR_BUSY);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_answer_set(other, r.rowid, "q1", &v), BK_OK);
    assert_int_equal(store_response_begin(other, &meta, &r2), BK_OK);
    assert_int_equal(r2.seq, r.seq + 1);
    store_close(other);
}

static void test_invalid_arguments(void **state)
{
    fixture *f = *state;
    store_response_ref r;
    assert_int_equal(store_response_begin(NULL, NULL, &r), BK_ERR_INVALID);
    assert_int_equal(store_response_begin(f->st, NULL, &r), BK_ERR_INVALID);
    assert_int_equal(store_answer_set(f->st, 1, "q", NULL), BK_ERR_INVALID);
    answer_value odd = {.kind = (answer_kind)42};
    r = tu_begin(f->st);
    assert_int_equal(store_answer_set(f->st, r.rowid, "q", &odd), BK_ERR_INVALID);
    assert_int_equal(store_close_abandoned(NULL, NULL), BK_ERR_INVALID);
    assert_int_equal(store_meta_set(NULL, "a", "b"), BK_ERR_INVALID);
    assert_int_equal(store_event_add(NULL, "a", "b"), BK_ERR_INVALID);
    assert_int_equal(store_foreach_event(f->st, 1, NULL, NULL), BK_ERR_INVALID);
    assert_int_equal(store_set_max_pages(NULL, 1), BK_ERR_INVALID);
    assert_null(store_sqlite_handle(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid_v4_format_and_unique),
        cmocka_unit_test_setup_teardown(test_open_settings, setup, teardown),
        cmocka_unit_test(test_open_fresh_info),
        cmocka_unit_test_setup_teardown(test_seq_rises_and_ids_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seq_never_goes_back_after_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seq_two_connections_alternating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seq_two_threads_never_collide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers_upsert_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_and_fixed_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_language_and_area, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_abandoned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_json_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_per_day_local, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_in_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_maps_to_bk_err_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
