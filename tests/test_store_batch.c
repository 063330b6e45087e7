/* test_store_batch.c: upload batches (forming, stability, bounds, delivered,
 * rejected, split) and retention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
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

/* Parses b's body and returns the seqs of its responses as "1,2,3". */
static void body_seqs(const store_batch *b, char *out, size_t size)
{
    json_error_t e;
    json_t *root = json_loadb(b->body, b->body_len, 0, &e);
    assert_non_null(root);
    json_t *responses = json_object_get(root, "responses");
    assert_true(json_is_array(responses));
    assert_int_equal(json_array_size(responses), b->n_responses);
    out[0] = '\0';
    size_t i;
    json_t *r;
    json_array_foreach(responses, i, r)
    {
        char s[24];
        snprintf(s, sizeof s, "%s%lld", i ? "," : "",
                 (long long)json_integer_value(json_object_get(r, "seq")));
        strncat(out, s, size - strlen(out) - 1);
    }
    json_decref(root);
}

static void test_nothing_waiting(void **state)
{
    fixture *f = *state;
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k1", 10, 100000, &b), BK_ERR_NOT_FOUND);
    assert_null(b.body);
    tu_begin(f->st); /* still started: not eligible */
    assert_int_equal(store_batch_next(f->st, "k1", 10, 100000, &b), BK_ERR_NOT_FOUND);
    assert_int_equal(store_batch_next(f->st, NULL, 10, 100000, &b), BK_ERR_INVALID);
    assert_int_equal(store_batch_next(f->st, "k1", 0, 100000, &b), BK_ERR_INVALID);
    store_batch_free(NULL);
}

static void test_body_follows_protocol(void **state)
{
    fixture *f = *state;
    store_response_ref r1 = tu_complete(f->st, 2);
    store_response_ref r2 = tu_begin(f->st);
    tu_answer_text(f->st, r2.rowid, "q1", "tekst met ; en \" en\nregels");
    const char *flags[] = {"rapid"};
    assert_int_equal(store_response_finish(f->st, r2.rowid, STORE_STATUS_PARTIAL, flags, 1), BK_OK);
    clock_virtual_advance(&f->vc, 12345);
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "dorst-bibliotheek-01", 100, 1 << 20, &b), BK_OK);
    assert_true(bk_uuid_is_v4(b.batch_id));
    assert_string_equal(b.created_at, "2026-11-29T10:00:12.345Z");
    assert_int_equal(b.n_responses, 2);
    assert_int_equal(b.first_seq, 1);
    assert_int_equal(b.last_seq, 2);
    assert_int_equal(strlen(b.body), b.body_len);

    /* The exact frame, and inside it the same objects store_response_to_json
     * makes (one serializer for both). */
    size_t n;
    tu_row *rows = tu_rows(f->st, &n);
    assert_int_equal(n, 2);
    size_t cap = strlen(rows[0].json) + strlen(rows[1].json) + 256;
    char *expected = malloc(cap);
    assert_non_null(expected);
    int len = snprintf(expected, cap,
                       "{\"protocol\":1,\"batch_id\":\"%s\",\"kiosk_id\":\"dorst-bibliotheek-01\","
                       "\"created_at\":\"2026-11-29T10:00:12.345Z\",\"responses\":[%s,%s]}",
                       b.batch_id, rows[0].json, rows[1].json);
    assert_true(len > 0);
    assert_string_equal(b.body, expected);
    free(expected);
    assert_true(rows[0].in_batch && rows[1].in_batch);
    assert_string_equal(rows[0].response_id, r1.response_id);
    tu_rows_free(rows, n);

    json_error_t e;
    json_t *root = json_loads(b.body, 0, &e);
    assert_non_null(root);
    json_t *r = json_array_get(json_object_get(root, "responses"), 1);
    assert_string_equal(json_string_value(json_object_get(r, "status")), "partial");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "flags"), 0)), "rapid");
    json_t *a = json_array_get(json_object_get(r, "answers"), 0);
    assert_string_equal(json_string_value(json_object_get(a, "value")),
                        "tekst met ; en \" en\nregels");
    json_decref(root);
    store_batch_free(&b);
    assert_null(b.body);
}

static void test_open_batch_is_stable(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++)
        tu_complete(f->st, 3);
    store_batch a, b, c;
    assert_int_equal(store_batch_next(f->st, "k1", 100, 1 << 20, &a), BK_OK);
    /* Time passes, more responses arrive, the caller's limits change, even
     * the kiosk id: the open batch comes back byte for byte. */
    clock_virtual_advance(&f->vc, 3600 * 1000);
    tu_complete(f->st, 1);
    assert_int_equal(store_batch_next(f->st, "k2", 1, 10, &b), BK_OK);
    assert_string_equal(a.batch_id, b.batch_id);
    assert_string_equal(a.created_at, b.created_at);
    assert_int_equal(a.body_len, b.body_len);
    assert_memory_equal(a.body, b.body, a.body_len);
    assert_int_equal(b.n_responses, 3);
    /* Also after a restart. */
    store_close(f->st);
    f->st = tu_open(f->path, &f->vc);
    assert_int_equal(store_batch_next(f->st, "k1", 100, 1 << 20, &c), BK_OK);
    assert_string_equal(a.batch_id, c.batch_id);
    assert_int_equal(a.body_len, c.body_len);
    assert_memory_equal(a.body, c.body, a.body_len);
    assert_int_equal(c.first_seq, 1);
    assert_int_equal(c.last_seq, 3);
    store_batch_free(&a);
    store_batch_free(&b);
    store_batch_free(&c);
}

static void test_max_responses_and_order(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 10; i++)
        tu_complete(f->st, 1);
    const char *expect[] = {"1,2,3", "4,5,6", "7,8,9", "10"};
    for (int i = 0; i < 4; i++) {
        store_batch b;
        assert_int_equal(store_batch_next(f->st, "k", 3, 1 << 20, &b), BK_OK);
        char seqs[64];
        body_seqs(&b, seqs, sizeof seqs);
        assert_string_equal(seqs, expect[i]);
        assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
        store_batch_free(&b);
    }
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k", 3, 1 << 20, &b), BK_ERR_NOT_FOUND);
}

static void test_byte_bound(void **state)
{
    fixture *f = *state;
    char text[1001];
    memset(text, 'a', 1000);
    text[1000] = '\0';
    for (int i = 0; i < 12; i++) {
        store_response_ref r = tu_begin(f->st);
        tu_answer_text(f->st, r.rowid, "q1", text);
        assert_int_equal(store_response_finish(f->st, r.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                         BK_OK);
    }
    /* ~1.4 kB per response: 3500 bytes hold two. */
    int64_t next_seq = 1;
    int batches = 0;
    for (;;) {
        store_batch b;
        bk_err err = store_batch_next(f->st, "k", 100, 3500, &b);
        if (err == BK_ERR_NOT_FOUND)
            break;
        assert_int_equal(err, BK_OK);
        assert_true(b.body_len <= 3500);
        assert_int_equal(b.n_responses, 2);
        assert_int_equal(b.first_seq, next_seq);
        next_seq = b.last_seq + 1;
        assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
        store_batch_free(&b);
        batches++;
        assert_true(batches <= 12);
    }
    assert_int_equal(batches, 6);
    assert_int_equal(next_seq, 13);

    /* A bound smaller than one response still sends that one. */
    for (int i = 0; i < 2; i++) {
        store_response_ref r = tu_begin(f->st);
        tu_answer_text(f->st, r.rowid, "q1", text);
        assert_int_equal(store_response_finish(f->st, r.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                         BK_OK);
    }
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k", 100, 10, &b), BK_OK);
    assert_int_equal(b.n_responses, 1);
    assert_true(b.body_len > 1000);
    assert_int_equal(b.first_seq, 13);
    store_batch_free(&b);
}

static void test_started_is_skipped_until_finished(void **state)
{
    fixture *f = *state;
    store_response_ref slow = tu_begin(f->st); /* seq 1, still busy */
    tu_complete(f->st, 1);                     /* seq 2 */
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k", 10, 1 << 20, &b), BK_OK);
    assert_int_equal(b.n_responses, 1);
    assert_int_equal(b.first_seq, 2);
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    store_batch_free(&b);
    assert_int_equal(store_response_finish(f->st, slow.rowid, STORE_STATUS_PARTIAL, NULL, 0),
                     BK_OK);
    assert_int_equal(store_batch_next(f->st, "k", 10, 1 << 20, &b), BK_OK);
    assert_int_equal(b.n_responses, 1);
    assert_int_equal(b.first_seq, 1);
    store_batch_free(&b);
}

static void test_delivered(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 4; i++)
        tu_complete(f->st, 1);
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k", 2, 1 << 20, &b), BK_OK);
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    /* A repeated acknowledgement is harmless. */
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    assert_int_equal(store_batch_reject(f->st, b.batch_id, "late"), BK_ERR_STATE);
    assert_int_equal(store_batch_split(f->st, b.batch_id), BK_ERR_STATE);
    store_counts c;
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.delivered, 2);
    assert_int_equal(c.queued, 2);
    size_t n;
    tu_row *rows = tu_rows(f->st, &n);
    assert_true(rows[0].delivered && rows[1].delivered);
    assert_false(rows[2].delivered || rows[2].in_batch);
    tu_rows_free(rows, n);
    store_batch next;
    assert_int_equal(store_batch_next(f->st, "k", 2, 1 << 20, &next), BK_OK);
    assert_string_not_equal(next.batch_id, b.batch_id);
    assert_int_equal(next.first_seq, 3);
    store_batch_free(&next);
    store_batch_free(&b);
    assert_int_equal(store_batch_delivered(f->st, "00000000-0000-4000-8000-000000000000"),
                     BK_ERR_NOT_FOUND);
    assert_int_equal(store_batch_delivered(f->st, NULL), BK_ERR_INVALID);
}

typedef struct event_find {
    const char *kind;
    char message[512];
    int n;
} event_find;

static int find_event(const char *at, const char *kind, const char *message, void *ctx)
{
    event_find *e = ctx;
    if (strcmp(kind, e->kind) == 0) {
        if (e->n == 0)
            snprintf(e->message, sizeof e->message, "%s", message);
        e->n++;
    }
    return 0;
}

static void test_reject_and_go_on(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 7; i++)
        tu_complete(f->st, 1);
    store_batch a;
    assert_int_equal(store_batch_next(f->st, "k", 3, 1 << 20, &a), BK_OK);
    assert_int_equal(store_batch_reject(f->st, a.batch_id, "422: unknown survey_version 3"), BK_OK);
    assert_int_equal(store_batch_reject(f->st, a.batch_id, "again"), BK_OK);
    assert_int_equal(store_batch_delivered(f->st, a.batch_id), BK_ERR_STATE);

    /* The rest goes on; the rejected ones never come back. */
    char seen[64] = "";
    for (;;) {
        store_batch b;
        bk_err err = store_batch_next(f->st, "k", 3, 1 << 20, &b);
        if (err == BK_ERR_NOT_FOUND)
            break;
        assert_int_equal(err, BK_OK);
        assert_string_not_equal(b.batch_id, a.batch_id);
        char seqs[32];
        body_seqs(&b, seqs, sizeof seqs);
        strcat(seen, seqs);
        strcat(seen, ";");
        assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
        store_batch_free(&b);
    }
    assert_string_equal(seen, "4,5,6;7;");
    store_counts c;
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.rejected, 3);
    assert_int_equal(c.queued, 0);
    assert_int_equal(c.delivered, 4);
    event_find e = {.kind = "rejected"};
    assert_int_equal(store_foreach_event(f->st, 10, find_event, &e), BK_OK);
    assert_int_equal(e.n, 1);
    assert_non_null(strstr(e.message, "422: unknown survey_version 3"));
    assert_non_null(strstr(e.message, a.batch_id));
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM batches WHERE state = 'rejected'"
                                       " AND message = '422: unknown survey_version 3'"),
                     1);
    /* Never purged, however old. */
    clock_virtual_advance(&f->vc, 400 * TU_DAY_MS);
    int n = 0;
    assert_int_equal(store_purge(f->st, 30, &n), BK_OK);
    assert_int_equal(n, 4);
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.rejected, 3);
    assert_int_equal(c.total, 3);
    store_batch_free(&a);
}

static void test_split(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 5; i++)
        tu_complete(f->st, 2);
    store_batch a;
    assert_int_equal(store_batch_next(f->st, "k", 5, 1 << 20, &a), BK_OK);
    assert_int_equal(a.n_responses, 5);
    clock_virtual_advance(&f->vc, 1000);
    assert_int_equal(store_batch_split(f->st, a.batch_id), BK_OK);
    assert_int_equal(store_batch_split(f->st, a.batch_id), BK_ERR_STATE);
    assert_int_equal(store_batch_delivered(f->st, a.batch_id), BK_ERR_STATE);

    store_batch h1, h1again, h2;
    assert_int_equal(store_batch_next(f->st, "k", 5, 1 << 20, &h1), BK_OK);
    assert_string_not_equal(h1.batch_id, a.batch_id);
    assert_true(bk_uuid_is_v4(h1.batch_id));
    assert_string_equal(h1.created_at, "2026-11-29T10:00:01.000Z");
    char seqs[32];
    body_seqs(&h1, seqs, sizeof seqs);
    assert_string_equal(seqs, "1,2,3");
    /* The half is an open batch like any other: stable. */
    assert_int_equal(store_batch_next(f->st, "k", 5, 1 << 20, &h1again), BK_OK);
    assert_int_equal(h1.body_len, h1again.body_len);
    assert_memory_equal(h1.body, h1again.body, h1.body_len);
    /* The same responses, byte for byte, as in the whole. */
    char *resp = strstr(a.body, "\"responses\":[");
    char *resp1 = strstr(h1.body, "\"responses\":[");
    assert_non_null(resp);
    assert_non_null(resp1);
    assert_memory_equal(resp, resp1, strlen(resp1) - 2);
    assert_int_equal(store_batch_delivered(f->st, h1.batch_id), BK_OK);

    assert_int_equal(store_batch_next(f->st, "k", 5, 1 << 20, &h2), BK_OK);
    assert_string_not_equal(h2.batch_id, a.batch_id);
    assert_string_not_equal(h2.batch_id, h1.batch_id);
    body_seqs(&h2, seqs, sizeof seqs);
    assert_string_equal(seqs, "4,5");
    /* Split again down to one. */
    assert_int_equal(store_batch_split(f->st, h2.batch_id), BK_OK);
    store_batch q1, q2;
    assert_int_equal(store_batch_next(f->st, "k", 5, 1 << 20, &q1), BK_OK);
    assert_int_equal(q1.n_responses, 1);
    assert_int_equal(q1.first_seq, 4);
    assert_int_equal(store_batch_split(f->st, q1.batch_id), BK_ERR_STATE);
    assert_int_equal(store_batch_delivered(f->st, q1.batch_id), BK_OK);
    assert_int_equal(store_batch_next(f->st, "k", 5, 1 << 20, &q2), BK_OK);
    assert_int_equal(q2.first_seq, 5);
    assert_int_equal(store_batch_delivered(f->st, q2.batch_id), BK_OK);
    assert_int_equal(store_batch_split(f->st, "00000000-0000-4000-8000-000000000000"),
                     BK_ERR_NOT_FOUND);

    store_counts c;
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.delivered, 5);
    assert_int_equal(c.queued, 0);
    store_batch_free(&a);
    store_batch_free(&h1);
    store_batch_free(&h1again);
    store_batch_free(&h2);
    store_batch_free(&q1);
    store_batch_free(&q2);
}

static void test_purge_rules(void **state)
{
    fixture *f = *state;
    /* 40 days ago: one delivered, one only queued, one in an open batch
     * (made later), one rejected, one still started. */
    f->vc.wall_ms = TU_T0_MS - 40 * TU_DAY_MS;
    tu_complete(f->st, 3); /* seq 1: delivered */
    store_batch b;
    assert_int_equal(store_batch_next(f->st, "k", 10, 1 << 20, &b), BK_OK);
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    store_batch_free(&b);
    tu_complete(f->st, 3); /* seq 2: rejected */
    assert_int_equal(store_batch_next(f->st, "k", 10, 1 << 20, &b), BK_OK);
    assert_int_equal(store_batch_reject(f->st, b.batch_id, "400"), BK_OK);
    store_batch_free(&b);
    tu_begin(f->st);       /* seq 3: started */
    tu_complete(f->st, 3); /* seq 4: will sit in an open batch */
    assert_int_equal(store_batch_next(f->st, "k", 1, 1 << 20, &b), BK_OK);
    store_batch_free(&b);
    tu_complete(f->st, 3); /* seq 5: queued */
    /* 10 days ago: delivered (recent). */
    f->vc.wall_ms = TU_T0_MS - 10 * TU_DAY_MS;
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK); /* seq 4 */
    tu_complete(f->st, 3);                                             /* seq 6 */
    assert_int_equal(store_batch_next(f->st, "k", 10, 1 << 20, &b), BK_OK);
    assert_int_equal(b.first_seq, 5);
    assert_int_equal(b.last_seq, 6);
    assert_int_equal(store_batch_delivered(f->st, b.batch_id), BK_OK);
    store_batch_free(&b);
    f->vc.wall_ms = TU_T0_MS;

    int n = -1;
    assert_int_equal(store_purge(f->st, 30, &n), BK_OK);
    /* seq 1, 4, 5 were completed 40 days ago and are delivered. */
    assert_int_equal(n, 3);
    char buf[64] = "";
    size_t count;
    tu_row *rows = tu_rows(f->st, &count);
    for (size_t i = 0; i < count; i++) {
        char s[8];
        snprintf(s, sizeof s, "%lld,", (long long)rows[i].seq);
        strcat(buf, s);
    }
    tu_rows_free(rows, count);
    assert_string_equal(buf, "2,3,6,");
    /* Their answers went with them; nothing points nowhere. */
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM answers"), 6);
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM answers a LEFT JOIN responses r"
                                       " ON r.id = a.response WHERE r.id IS NULL"),
                     0);
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* Batches left without responses are gone; the rejected one stays. */
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM batches WHERE state = 'delivered'"),
                     2);
    assert_int_equal(tu_sql_int(f->st, "SELECT count(*) FROM batches WHERE state = 'rejected'"), 1);

    /* Retention 0: every delivered response that is finished goes. */
    assert_int_equal(store_purge(f->st, 0, &n), BK_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_purge(f->st, -1, &n), BK_ERR_INVALID);
    store_counts c;
    assert_int_equal(store_count(f->st, &c), BK_OK);
    assert_int_equal(c.total, 2);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.started, 1);
    /* seq keeps rising after the newest were purged. */
    store_response_ref r = tu_begin(f->st);
    assert_int_equal(r.seq, 7);
}

static void test_queue_uses_partial_index(void **state)
{
    fixture *f = *state;
    /* The store's queue query names the partial index (INDEXED BY), which
     * SQLite refuses to prepare unless the index can serve that WHERE: so
     * forming a batch never walks the delivered history. */
    sqlite3 *db = store_sqlite_handle(f->st);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "EXPLAIN QUERY PLAN SELECT id FROM responses"
                                        " INDEXED BY responses_queue"
                                        " WHERE delivered = 0 AND batch_id IS NULL"
                                        " AND status <> 'started' ORDER BY seq LIMIT 10",
                                        -1, &s, NULL),
                     SQLITE_OK);
    bool uses = false, sorts = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(s, 3);
        if (detail && strstr(detail, "responses_queue"))
            uses = true;
        if (detail && strstr(detail, "TEMP B-TREE"))
            sorts = true;
    }
    sqlite3_finalize(s);
    assert_true(uses);
    assert_false(sorts); /* streams in seq order, no sort of the backlog */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nothing_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_follows_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_batch_is_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_responses_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_started_is_skipped_until_finished, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_and_go_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_uses_partial_index, setup, teardown),
    };
    return cmocka_run_group_tests_name("store_batch", tests, NULL, NULL);
}
