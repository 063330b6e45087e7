/* test_staff_util.c: see test_staff_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_staff_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *su_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void su_csv_parse(const char *s, size_t len, su_csv *t)
{
    memset(t, 0, sizeof *t);
    size_t i = 0;
    while (i < len) {
        assert_true(t->n_rows < SU_MAX_ROWS);
        size_t r = t->n_rows++;
        for (;;) {
            char *field = malloc(len + 1);
            assert_non_null(field);
            size_t n = 0;
            if (s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len)
                        fail_msg("row %zu: a quoted field never ends", r + 1);
                    if (s[i] == '"' && i + 1 < len && s[i + 1] == '"') {
                        field[n++] = '"';
                        i += 2;
                    } else if (s[i] == '"') {
                        i++;
                        break;
                    } else {
                        field[n++] = s[i++];
                    }
                }
            } else {
                while (i < len && s[i] != ';' && s[i] != '\r' && s[i] != '\n') {
                    if (s[i] == '"')
                        fail_msg("row %zu: a quote in an unquoted field", r + 1);
                    field[n++] = s[i++];
                }
            }
            field[n] = '\0';
            assert_true(t->n_fields[r] < SU_MAX_FIELDS);
            t->cell[r][t->n_fields[r]++] = field;
            if (i < len && s[i] == ';') {
                i++;
                continue;
            }
            if (!(i + 1 < len && s[i] == '\r' && s[i + 1] == '\n'))
                fail_msg("row %zu does not end in CRLF", r + 1);
            i += 2;
            break;
        }
    }
}

void su_csv_free(su_csv *t)
{
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_fields[r]; c++)
            free(t->cell[r][c]);
    memset(t, 0, sizeof *t);
}

int su_csv_column(const su_csv *t, const char *name)
{
    for (size_t c = 0; t->n_rows && c < t->n_fields[0]; c++)
        if (strcmp(t->cell[0][c], name) == 0)
            return (int)c;
    fail_msg("the CSV has no column %s", name);
    return -1;
}

static char *su_dup(const char *s)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    assert_non_null(c);
    return c;
}

static int su_copy_row(const store_response_row *row, void *ctx)
{
    su_rows *d = ctx;
    assert_true(d->n < SU_MAX_ROWS);
    store_response_row *c = &d->r[d->n];
    d->json[d->n++] = store_response_to_json(row);
    memset(c, 0, sizeof *c);
    c->rowid = row->rowid;
    c->seq = row->seq;
    c->response_id = su_dup(row->response_id);
    c->survey_id = su_dup(row->survey_id);
    c->mode = su_dup(row->mode);
    c->status = su_dup(row->status);
    c->language = su_dup(row->language);
    c->area = su_dup(row->area);
    c->started_at = su_dup(row->started_at);
    c->completed_at = su_dup(row->completed_at);
    c->survey_version = row->survey_version;
    c->delivered = row->delivered;
    c->rejected = row->rejected;
    c->n_flags = row->n_flags;
    c->flags = calloc(row->n_flags + 1, sizeof *c->flags);
    assert_non_null(c->flags);
    for (size_t i = 0; i < row->n_flags; i++)
        c->flags[i] = su_dup(row->flags[i]);
    c->n_answers = row->n_answers;
    c->answers = calloc(row->n_answers + 1, sizeof *c->answers);
    assert_non_null(c->answers);
    for (size_t i = 0; i < row->n_answers; i++) {
        c->answers[i].question_id = su_dup(row->answers[i].question_id);
        c->answers[i].value_json = su_dup(row->answers[i].value_json);
    }
    return 0;
}

void su_rows_load(store *st, int64_t since_wall_ms, su_rows *d)
{
    memset(d, 0, sizeof *d);
    assert_int_equal(store_foreach_response(st, 0, since_wall_ms, su_copy_row, d), BK_OK);
}

void su_rows_free(su_rows *d)
{
    for (size_t k = 0; k < d->n; k++) {
        store_response_row *c = &d->r[k];
        free(c->response_id);
        free(c->survey_id);
        free(c->mode);
        free(c->status);
        free(c->language);
        free(c->area);
        free(c->started_at);
        free(c->completed_at);
        for (size_t i = 0; i < c->n_flags; i++)
            free(c->flags[i]);
        free(c->flags);
        for (size_t i = 0; i < c->n_answers; i++) {
            free(c->answers[i].question_id);
            free(c->answers[i].value_json);
        }
        free(c->answers);
        free(d->json[k]);
    }
    memset(d, 0, sizeof *d);
}
