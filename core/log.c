#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one process-wide setting besides the app context: the log threshold,
 * atomic so the sync thread may read it. -1 means "not yet read from BK_LOG". */
static atomic_int log_threshold = -1;

void log_set_level(log_level level)
{
    atomic_store(&log_threshold, (int)level);
}

static int log_current_threshold(void)
{
    int t = atomic_load(&log_threshold);
    if (t >= 0)
        return t;
    const char *env = getenv("BK_LOG");
    t = LOG_LEVEL_INFO;
    if (env && strcmp(env, "debug") == 0)
        t = LOG_LEVEL_DEBUG;
    else if (env && strcmp(env, "warn") == 0)
        t = LOG_LEVEL_WARN;
    else if (env && strcmp(env, "error") == 0)
        t = LOG_LEVEL_ERROR;
    atomic_store(&log_threshold, t);
    return t;
}

void log_write(log_level level, const char *module, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    static const char *const prefixes[] = {"<7>", "<6>", "<4>", "<3>"};
    if ((int)level < log_current_threshold())
        return;
    /* Under systemd, stderr is the journal: a "<N>" prefix carries the level. */
    const char *prefix = getenv("JOURNAL_STREAM") ? prefixes[level] : "";
    char line[1024];
    int n = snprintf(line, sizeof line, "%s%s %s: ", prefix, names[level], module);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
