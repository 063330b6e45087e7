/* fuzz_check.h: what the fuzz targets share: a check that aborts with a
 * message (libFuzzer and the regression runner then keep the input), and a
 * scratch directory on a RAM disk when there is one. */
#ifndef BK_FUZZ_CHECK_H
#define BK_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

/* Aborts with "fuzz check failed: WHAT (file:line)" unless cond holds. */
#define FUZZ_CHECK(cond, what)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", what, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A new private directory for scratch files, under /dev/shm when it exists
 * (no disk writes while fuzzing), else $TMPDIR or /tmp. Aborts on error. */
static inline void fuzz_scratch_dir(char *out, size_t size, const char *tag)
{
    struct stat st;
    const char *base = "/dev/shm";
    if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) != 0) {
        base = getenv("TMPDIR");
        if (!base || !*base)
            base = "/tmp";
    }
    snprintf(out, size, "%s/bk-fuzz-%s-XXXXXX", base, tag);
    FUZZ_CHECK(mkdtemp(out) != NULL, "cannot make a scratch directory");
}

/* True when every message of d is non-empty and has no line break: one
 * clear line per problem. */
static inline int fuzz_diag_lines_ok(const bk_diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        if (!d->messages[i] || !d->messages[i][0] || strchr(d->messages[i], '\n'))
            return 0;
    return 1;
}

#endif
