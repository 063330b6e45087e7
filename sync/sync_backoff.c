/* sync_backoff.c: when to try again. Full-jitter exponential backoff, the
 * Retry-After header (delta-seconds or HTTP-date, parsed strictly), the OS
 * randomness for the jitter, and small text helpers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sync_private.h"

int64_t sync_backoff_full_jitter(int64_t base_ms, int64_t cap_ms, int attempt, uint64_t rnd)
{
    if (base_ms < 1)
        base_ms = 1;
    if (cap_ms < base_ms)
        cap_ms = base_ms;
    if (attempt < 0)
        attempt = 0;
    int64_t window = base_ms;
    for (int i = 0; i < attempt && window < cap_ms; i++)
        window *= 2; /* stops doubling at the cap: no overflow */
    if (window > cap_ms)
        window = cap_ms;
    return (int64_t)(rnd % (uint64_t)(window + 1));
}

uint64_t sync_random_os(void *ctx)
{
    (void)ctx;
    uint64_t v = 0;
    unsigned char *p = (unsigned char *)&v;
    size_t got = 0;
    while (got < sizeof v) {
        ssize_t n = getrandom(p + got, sizeof v - got, 0);
        if (n <= 0) {
            /* getrandom does not fail once the pool is ready; fall back to
               the clock rather than wait without jitter. */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            return v ^ ((uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull);
        }
        got += (size_t)n;
    }
    return v;
}

/* ---- Retry-After ---- */

static const char *const day_short[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const day_long[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Reads exactly n digits at *p. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool read_lit(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool read_name(const char **p, const char *const *names, int count, int *out)
{
    for (int i = 0; i < count; i++) {
        if (read_lit(p, names[i])) {
            *out = i;
            return true;
        }
    }
    return false;
}

static bool read_time(const char **p, struct tm *tm)
{
    return read_digits(p, 2, &tm->tm_hour) && read_lit(p, ":") && read_digits(p, 2, &tm->tm_min) &&
           read_lit(p, ":") && read_digits(p, 2, &tm->tm_sec);
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static bool parse_imf(const char *p, struct tm *tm)
{
    int wd, mon, year;
    if (!read_name(&p, day_short, 7, &wd) || !read_lit(&p, ", ") ||
        !read_digits(&p, 2, &tm->tm_mday) || !read_lit(&p, " ") ||
        !read_name(&p, months, 12, &mon) || !read_lit(&p, " ") || !read_digits(&p, 4, &year) ||
        !read_lit(&p, " ") || !read_time(&p, tm) || !read_lit(&p, " GMT"))
        return false;
    tm->tm_mon = mon;
    tm->tm_year = year - 1900;
    return *p == '\0';
}

/* "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more than 50 years in
 * the future means the past century (RFC 9110). */
static bool parse_rfc850(const char *p, struct tm *tm, int now_year)
{
    int wd, mon, yy;
    if (!read_name(&p, day_long, 7, &wd) || !read_lit(&p, ", ") ||
        !read_digits(&p, 2, &tm->tm_mday) || !read_lit(&p, "-") ||
        !read_name(&p, months, 12, &mon) || !read_lit(&p, "-") || !read_digits(&p, 2, &yy) ||
        !read_lit(&p, " ") || !read_time(&p, tm) || !read_lit(&p, " GMT"))
        return false;
    int year = now_year - now_year % 100 + yy;
    if (year > now_year + 50)
        year -= 100;
    tm->tm_mon = mon;
    tm->tm_year = year - 1900;
    return *p == '\0';
}

/* "Sun Nov  6 08:49:37 1994" */
static bool parse_asctime(const char *p, struct tm *tm)
{
    int wd, mon, year;
    if (!read_name(&p, day_short, 7, &wd) || !read_lit(&p, " ") ||
        !read_name(&p, months, 12, &mon) || !read_lit(&p, " "))
        return false;
    if (*p == ' ') {
        p++;
        if (!read_digits(&p, 1, &tm->tm_mday))
            return false;
    } else if (!read_digits(&p, 2, &tm->tm_mday)) {
        return false;
    }
    if (!read_lit(&p, " ") || !read_time(&p, tm) || !read_lit(&p, " ") ||
        !read_digits(&p, 4, &year))
        return false;
    tm->tm_mon = mon;
    tm->tm_year = year - 1900;
    return *p == '\0';
}

bk_err sync_retry_after_parse(const char *value, int64_t now_wall_ms, int64_t *out_ms)
{
    char buf[128];
    if (!value)
        return BK_ERR_INVALID;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf)
        return BK_ERR_INVALID;
    memcpy(buf, value, len);
    buf[len] = '\0';

    if (isdigit((unsigned char)buf[0])) {
        int64_t secs = 0;
        for (size_t i = 0; i < len; i++) {
            if (!isdigit((unsigned char)buf[i]))
                return BK_ERR_INVALID;
            if (secs < 1000000000000LL) /* saturate: the caller caps it anyway */
                secs = secs * 10 + (buf[i] - '0');
        }
        *out_ms = secs * 1000;
        return BK_OK;
    }

    time_t now_s = (time_t)(now_wall_ms / 1000);
    struct tm now_tm;
    gmtime_r(&now_s, &now_tm);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!parse_imf(buf, &tm)) {
        memset(&tm, 0, sizeof tm);
        if (!parse_rfc850(buf, &tm, now_tm.tm_year + 1900)) {
            memset(&tm, 0, sizeof tm);
            if (!parse_asctime(buf, &tm))
                return BK_ERR_INVALID;
        }
    }
    /* Range checks; timegm would quietly normalise 31 Feb. */
    if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return BK_ERR_INVALID;
    int mday = tm.tm_mday, mon = tm.tm_mon;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon)
        return BK_ERR_INVALID;
    int64_t diff = (int64_t)t * 1000 - now_wall_ms;
    *out_ms = diff > 0 ? diff : 0;
    return BK_OK;
}

/* ---- Text helpers ---- */

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when it is not
 * one: no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_seq_len(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi)
        return 0; /* also stops at the terminating NUL */
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

void sync_text_clean(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (p && *p) {
        size_t n = utf8_seq_len(p);
        if (n == 0) {
            *p++ = '?';
        } else if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
            *p++ = ' ';
        } else {
            p += n;
        }
    }
}

void sync_set_text(char *dst, size_t size, const char *fmt, ...)
{
    if (!dst || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    if (n < 0)
        dst[0] = '\0';
}

bool sync_url_append_escaped(char *dst, size_t dst_size, const char *src)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(dst);
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (len + need + 1 > dst_size)
            return false;
        if (plain) {
            dst[len++] = (char)*p;
        } else {
            dst[len++] = '%';
            dst[len++] = hex[*p >> 4];
            dst[len++] = hex[*p & 15];
        }
    }
    dst[len] = '\0';
    return true;
}
