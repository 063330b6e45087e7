#include "test_store_util.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

char *tu_tmpdir(void)
{
    char *dir = strdup("/tmp/bk-store-test-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

void tu_rmdir(char *dir)
{
    if (!dir)
        return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = tu_path(dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

store *tu_open(const char *path, bk_virtual_clock *vc)
{
    bk_clock c = clock_virtual(vc);
    store *st = NULL;
    store_open_info info;
    assert_int_equal(store_open(path, &c, &st, &info), BK_OK);
    assert_non_null(st);
    return st;
}

store_response_ref tu_begin(store *st)
{
    store_response_meta meta = {.survey_id = "buurtpeiling-2026",
                                .survey_version = 3,
                                .mode = "survey",
                                .language = "nl",
                                .area = "dorst"};
    store_response_ref ref;
    assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
    return ref;
}

void tu_answer_int(store *st, int64_t rowid, const char *q, long long v)
{
    answer_value a = {.kind = ANSWER_INT, .integer = v};
    assert_int_equal(store_answer_set(st, rowid, q, &a), BK_OK);
}

void tu_answer_text(store *st, int64_t rowid, const char *q, const char *text)
{
    answer_value a = {.kind = ANSWER_TEXT, .text = text};
    assert_int_equal(store_answer_set(st, rowid, q, &a), BK_OK);
}

store_response_ref tu_complete(store *st, int n_answers)
{
    store_response_ref ref = tu_begin(st);
    for (int i = 0; i < n_answers; i++) {
        char q[16];
        snprintf(q, sizeof q, "q%d", i + 1);
        tu_answer_int(st, ref.rowid, q, i + 1);
    }
    assert_int_equal(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0), BK_OK);
    return ref;
}

typedef struct rows_ctx {
    tu_row *rows;
    size_t n, cap;
} rows_ctx;

static int collect_row(const store_response_row *row, void *ctx)
{
    rows_ctx *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->rows = realloc(c->rows, c->cap * sizeof *c->rows);
        assert_non_null(c->rows);
    }
    tu_row *r = &c->rows[c->n++];
    memset(r, 0, sizeof *r);
    r->rowid = row->rowid;
    r->seq = row->seq;
    snprintf(r->response_id, sizeof r->response_id, "%s", row->response_id);
    snprintf(r->status, sizeof r->status, "%s", row->status);
    r->json = store_response_to_json(row);
    assert_non_null(r->json);
    r->n_answers = row->n_answers;
    r->delivered = row->delivered;
    r->rejected = row->rejected;
    r->in_batch = row->batch_id != NULL;
    return 0;
}

tu_row *tu_rows(store *st, size_t *n)
{
    rows_ctx c = {0};
    assert_int_equal(store_foreach_response(st, 0, 0, collect_row, &c), BK_OK);
    *n = c.n;
    return c.rows;
}

void tu_rows_free(tu_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].json);
    free(rows);
}

int64_t tu_sql_int(store *st, const char *sql)
{
    sqlite3 *db = store_sqlite_handle(st);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

void tu_write_at(const char *path, long offset, const void *data, size_t len)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        f = fopen(path, "w+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, SEEK_SET), 0);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}
