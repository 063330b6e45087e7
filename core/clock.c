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

/* Reads exactly n decimal digits at *p into *v and moves *p past them. */
static int parse_digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

static int leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bk_err clock_parse_rfc3339(const char *text, int64_t *wall_ms)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!text || !wall_ms)
        return BK_ERR_INVALID;
    const char *p = text;
    int y, mo, d, h, mi, s, ms = 0;
    if (!parse_digits(&p, 4, &y) || *p++ != '-' || !parse_digits(&p, 2, &mo) || *p++ != '-' ||
        !parse_digits(&p, 2, &d) || *p++ != 'T' || !parse_digits(&p, 2, &h) || *p++ != ':' ||
        !parse_digits(&p, 2, &mi) || *p++ != ':' || !parse_digits(&p, 2, &s))
        return BK_ERR_INVALID;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59)
        return BK_ERR_INVALID;
    if (d > mdays[mo - 1] + (mo == 2 && leap_year(y)))
        return BK_ERR_INVALID;
    if (*p == '.') {
        p++;
        int n = 0;
        for (; p[n] >= '0' && p[n] <= '9'; n++)
            if (n < 3)
                ms = ms * 10 + (p[n] - '0');
        if (n < 1 || n > 9)
            return BK_ERR_INVALID;
        for (int k = n; k < 3; k++)
            ms *= 10;
        p += n;
    }
    int offset_min = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!parse_digits(&p, 2, &oh) || *p++ != ':' || !parse_digits(&p, 2, &om) || oh > 23 ||
            om > 59)
            return BK_ERR_INVALID;
        offset_min = sign * (oh * 60 + om);
    } else {
        return BK_ERR_INVALID;
    }
    if (*p != '\0')
        return BK_ERR_INVALID;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    secs -= (int64_t)offset_min * 60;
    *wall_ms = secs * 1000 + ms;
    return BK_OK;
}
