/* clock.h: the injectable clock. Everything that needs the time asks a
 * bk_clock, so tests and replays run on a virtual clock without sleeping. */
#ifndef BK_CLOCK_H
#define BK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct bk_clock {
    /* Milliseconds on a monotonic clock (never jumps; for timeouts, backoff). */
    int64_t (*mono_ms)(void *ctx);
    /* Milliseconds since 1970-01-01 UTC (for timestamps shown or stored). */
    int64_t (*wall_ms)(void *ctx);
    void *ctx;
} bk_clock;

/* The real clocks of the OS (CLOCK_MONOTONIC, CLOCK_REALTIME). */
bk_clock clock_system(void);

/* A virtual clock for tests and replays: both clocks advance only by
 * clock_virtual_advance. The struct must outlive every bk_clock made from it. */
typedef struct bk_virtual_clock {
    int64_t mono_ms;
    int64_t wall_ms;
} bk_virtual_clock;

/* Returns a bk_clock that reads vc. */
bk_clock clock_virtual(bk_virtual_clock *vc);

/* Moves both of vc's clocks forward by ms (ms >= 0). */
void clock_virtual_advance(bk_virtual_clock *vc, int64_t ms);

static inline int64_t clock_mono_ms(const bk_clock *c)
{
    return c->mono_ms(c->ctx);
}
static inline int64_t clock_wall_ms(const bk_clock *c)
{
    return c->wall_ms(c->ctx);
}

/* Formats wall-clock ms as RFC 3339 UTC with milliseconds,
 * "2026-11-29T13:45:12.345Z", into buf (at least 25 bytes). Returns buf. */
char *clock_format_rfc3339(int64_t wall_ms, char *buf, size_t size);

/* Parses an RFC 3339 time stamp, "YYYY-MM-DDTHH:MM:SS[.f]Z" or with a
 * numeric offset "+HH:MM" / "-HH:MM" instead of Z, into milliseconds since
 * 1970-01-01 UTC. Upper-case T and Z only; 1 to 9 fraction digits (cut to
 * milliseconds); every field is range-checked (day of month in its month and
 * year, no leap second 60, years 0000..9999). The whole NUL-terminated text
 * must be the time stamp. Returns BK_OK with *wall_ms set, else
 * BK_ERR_INVALID (*wall_ms unchanged). clock_format_rfc3339's output parses
 * back to the same value. */
bk_err clock_parse_rfc3339(const char *text, int64_t *wall_ms);

#endif
