/* bench_rows.h: the responses every collector benchmark sends or loads:
 * the demo survey (buurtpeiling), all 8 questions answered, numbered so
 * that runs do not collide. */
#ifndef BK_BENCH_ROWS_H
#define BK_BENCH_ROWS_H

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

#endif
