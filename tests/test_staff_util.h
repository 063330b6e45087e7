/* test_staff_util.h: helpers shared by the staff mode tests: reading whole
 * files, a strict reader for the exported CSV (RFC 4180 with ';' and CRLF),
 * and the store's rows as plain copies. */
#ifndef BK_TEST_STAFF_UTIL_H
#define BK_TEST_STAFF_UTIL_H

#include <stddef.h>

#include "store.h"

/* The whole file at path (NUL-terminated; caller frees); its length in
 * *len. Fails the test when it cannot be read. */
char *su_slurp(const char *path, size_t *len);

#define SU_MAX_ROWS 32
#define SU_MAX_FIELDS 64

typedef struct su_csv {
    char *cell[SU_MAX_ROWS][SU_MAX_FIELDS];
    size_t n_fields[SU_MAX_ROWS];
    size_t n_rows;
} su_csv;

/* Parses CSV text (after the BOM) strictly: ';' between fields, every row
 * ends in CRLF, a field with ';', '"', CR or LF must be quoted, '"' inside
 * quotes doubled. Fails the test on anything else. Free with su_csv_free. */
void su_csv_parse(const char *s, size_t len, su_csv *t);
void su_csv_free(su_csv *t);

/* The index of header name in row 0; fails the test when absent. */
int su_csv_column(const su_csv *t, const char *name);

/* Copies of every response of the store (seq order), and the JSON of each
 * as store_response_to_json writes it. */
typedef struct su_rows {
    store_response_row r[SU_MAX_ROWS];
    char *json[SU_MAX_ROWS];
    size_t n;
} su_rows;

void su_rows_load(store *st, int64_t since_wall_ms, su_rows *d);
void su_rows_free(su_rows *d);

#endif
