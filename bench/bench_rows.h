/* bench_rows.h: what the collector's benchmarks (bench_ingest, bench_pg,
 * bench_fleet) share: the responses they send or load (the demo survey,
 * buurtpeiling, all 8 questions answered, numbered so that runs do not
 * collide), the varied responses of the dashboard figure, and a few small
 * helpers. */
#ifndef BK_BENCH_ROWS_H
#define BK_BENCH_ROWS_H

#include <stddef.h>

/* One response: its id, seq, the PROTOCOL.md JSON (body) with its SHA-256,
 * and each answer's value as JSON; the columns of the responses table
 * that bench_make_dash_row varies (bench_make_row: every answer, dorst,
 * 2026-11-29, complete, nl, no flags), and which questions were
 * answered, in order. */
typedef struct bench_row {
    char id[37];
    long long seq;
    char body[2048];
    char sha[65];
    char answers[8][160];
    int n_answers;           /* answers[0 .. n_answers - 1] */
    const char *question[8]; /* the question id of each answer */
    const char *status;      /* complete, partial */
    const char *language;    /* nl, en */
    const char *area;        /* an id of config/collector.ini's [areas] */
    const char *flags;       /* a JSON array: [], ["rapid"], ... */
    char started_at[32], completed_at[32];
    long long started_ms, completed_ms;
} bench_row;

/* The 13 areas of config/collector.ini's [areas], in its order. */
#define BENCH_AREAS 13
extern const char *const bench_area[BENCH_AREAS];

/* The question ids q1..q8. */
extern const char *const bench_question[8];

/* A UUID-shaped id from n. */
void bench_uuid_of(unsigned long long n, char out[37]);

/* Response number n into *r. */
void bench_make_row(unsigned long long n, bench_row *r);

/* Response number n of the dashboard figure into *r, as the demo survey's
 * residents would give it (deterministic in n): one of the 13 areas (the
 * larger wijken more often), started on a day of 2026 (January to
 * December), 88% Dutch, 7% partial (the first 1 to 6 answers), 3% flagged
 * rapid and 1.5% repeat; scales 1..5 leaning per area (q1 is reversed),
 * the smiley, 1 to 3 of q6's options, ja/nee, and a free-text idea in
 * 45% of the complete ones; a complete response skips a question now and
 * then (2% each). */
void bench_make_dash_row(unsigned long long n, bench_row *r);

/* The monotonic clock in seconds. */
double bench_seconds(void);

/* Prints "PROGRAM: what" to stderr and exits 1. */
void bench_die(const char *what);

/* A curl write callback that drops the body. */
size_t bench_discard(char *p, size_t size, size_t n, void *ctx);

/* qsort's comparison of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

#endif
