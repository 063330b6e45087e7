#include "clock.h"

#include <stdio.h>
#include <time.h>

static int64_t clock_read(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t system_mono_ms(void *ctx)
{
    (void)ctx;
    return clock_read(CLOCK_MONOTONIC);
}

static int64_t system_wall_ms(void *ctx)
{
    (void)ctx;
    return clock_read(CLOCK_REALTIME);
}

bk_clock clock_system(void)
{
    return (bk_clock){.mono_ms = system_mono_ms, .wall_ms = system_wall_ms, .ctx = NULL};
}

static int64_t virtual_mono_ms(void *ctx)
{
    return ((bk_virtual_clock *)ctx)->mono_ms;
}

static int64_t virtual_wall_ms(void *ctx)
{
    return ((bk_virtual_clock *)ctx)->wall_ms;
}

bk_clock clock_virtual(bk_virtual_clock *vc)
{
    return (bk_clock){.mono_ms = virtual_mono_ms, .wall_ms = virtual_wall_ms, .ctx = vc};
}

void clock_virtual_advance(bk_virtual_clock *vc, int64_t ms)
{
    if (ms < 0)
        return;
    vc->mono_ms += ms;
    vc->wall_ms += ms;
}

char *clock_format_rfc3339(int64_t wall_ms, char *buf, size_t size)
{
    time_t secs = (time_t)(wall_ms / 1000);
    int ms = (int)(wall_ms % 1000);
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}
