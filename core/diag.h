/* diag.h: a list of human-readable problems (file, line, what is wrong),
 * collected so a validator can report every problem, not only the first. */
#ifndef BK_DIAG_H
#define BK_DIAG_H

#include <stddef.h>
#include <stdio.h>

#define BK_DIAG_MAX 1000 /* further messages are counted but not kept */

typedef struct bk_diag {
    char **messages; /* owned; each owned */
    size_t count;    /* messages kept */
    size_t dropped;  /* messages past BK_DIAG_MAX */
    size_t cap;
} bk_diag;

/* Appends a printf-formatted message. Out of memory drops it silently
 * (counted in dropped). */
void diag_add(bk_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes every message, one per line, to f. */
void diag_print(const bk_diag *d, FILE *f);

/* Frees all messages; d is empty afterwards and may be reused. NULL is a no-op. */
void diag_clear(bk_diag *d);

/* Returns 1 when any message contains needle, else 0 (for tests). */
int diag_contains(const bk_diag *d, const char *needle);

#endif
