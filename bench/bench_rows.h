/* bench_rows.h: what the collector's benchmarks (bench_ingest, bench_pg,
 * bench_fleet) share: the responses they send or load (the demo survey,
 * buurtpeiling, all 8 questions answered, numbered so that runs do not
 * collide) and a few small helpers. */
#ifndef BK_BENCH_ROWS_H
#define BK_BENCH_ROWS_H

#include <stddef.h>

/* One response: its id, seq, the PROTOCOL.md JSON (body) with its SHA-256,
 * and each answer's value as JSON. */
typedef struct bench_row {
    char id[37];
    long long seq;
    char body[2048];
    char sha[65];
    char answers[8][160];
} bench_row;

/* The question ids q1..q8. */
extern const char *const bench_question[8];

/* A UUID-shaped id from n. */
void bench_uuid_of(unsigned long long n, char out[37]);

/* Response number n into *r. */
void bench_make_row(unsigned long long n, bench_row *r);

/* The monotonic clock in seconds. */
double bench_seconds(void);

/* Prints "PROGRAM: what" to stderr and exits 1. */
void bench_die(const char *what);

/* A curl write callback that drops the body. */
size_t bench_discard(char *p, size_t size, size_t n, void *ctx);

/* qsort's comparison of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

#endif
