/* bench_util.h: what the benchmark programs share: a clock, exiting on a
 * failed call, and the demo answers of one completed response. */
#ifndef BK_BENCH_UTIL_H
#define BK_BENCH_UTIL_H

#include <stdint.h>

#include "error.h"
#include "store.h"
#include "survey.h"

/* Microseconds on the monotonic clock. */
double bench_now_us(void);

/* Prints "PROGRAM: what: error" and exits 1 when err is not BK_OK. */
void bench_check(bk_err err, const char *what);

/* Stores one completed response to s the way the kiosk does: begin, the
 * area, one answer per question (every question answered), finish, each
 * its own transaction. n varies the answers. Exits on a store error. */
void bench_store_response(store *st, const survey *s, uint64_t n);

#endif
