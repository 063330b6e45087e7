/* test_store_util.h: helpers shared by the store tests (temporary folders,
 * a virtual clock, making responses, reading rows back). */
#ifndef BK_TEST_STORE_UTIL_H
#define BK_TEST_STORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "store.h"

/* 2026-11-29T10:00:00.000Z */
#define TU_T0_MS INT64_C(1795946400000)
#define TU_DAY_MS (INT64_C(24) * 60 * 60 * 1000)

/* A new empty folder under /tmp (caller frees; remove with tu_rmdir). */
char *tu_tmpdir(void);

/* Removes every file in dir and dir itself, then frees dir. */
void tu_rmdir(char *dir);

/* dir + "/" + name, in a new string (caller frees). */
char *tu_path(const char *dir, const char *name);

/* Opens path with the virtual clock vc; fails the test on error. */
store *tu_open(const char *path, bk_virtual_clock *vc);

/* Begins a response with survey "buurtpeiling-2026" v3, mode survey, nl,
 * area "dorst"; fails the test on error. */
store_response_ref tu_begin(store *st);

/* Stores an integer / text answer; fails the test on error. */
void tu_answer_int(store *st, int64_t rowid, const char *q, long long v);
void tu_answer_text(store *st, int64_t rowid, const char *q, const char *text);

/* Begins, answers n_answers questions (q1.. with integers), finishes
 * complete. Returns the ref. */
store_response_ref tu_complete(store *st, int n_answers);

/* A copy of one row, with its JSON (from store_response_to_json). */
typedef struct tu_row {
    int64_t rowid, seq;
    char response_id[40];
    char status[16];
    char *json;
    size_t n_answers;
    bool delivered, rejected, in_batch;
} tu_row;

/* Reads every response (seq order) into a new array; *n gets the count.
 * Free with tu_rows_free. */
tu_row *tu_rows(store *st, size_t *n);
void tu_rows_free(tu_row *rows, size_t n);

/* Runs a one-value SQL query on the store's handle and returns column 0 as
 * an integer (fails the test on error). */
int64_t tu_sql_int(store *st, const char *sql);

/* Reads a whole file into a new buffer (caller frees); *len gets the size.
 * NULL when it cannot be read. */
char *tu_read_file(const char *path, size_t *len);

/* Writes len bytes at offset of an existing file (or creates it). */
void tu_write_at(const char *path, long offset, const void *data, size_t len);

#endif
