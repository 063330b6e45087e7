/* ingest_gunzip.c: inflating a gzip request body within a hard limit.
 *
 * One gzip member only: data after the end of the first member (a second
 * member or garbage) is refused. The kiosk and every HTTP client send a
 * single member; refusing the rest keeps the body's meaning unambiguous. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ingest.h"

#define GUNZIP_FIRST_STEP (64 * 1024) /* the first output buffer, at most */

static bk_err gunzip_fail(bk_err err, char msg[INGEST_MSG_MAX], const char *what,
                          const char *detail)
{
    if (detail)
        snprintf(msg, INGEST_MSG_MAX, "gzip body: %s (%s)", what, detail);
    else
        snprintf(msg, INGEST_MSG_MAX, "gzip body: %s", what);
    return err;
}

/* The next buffer size: double, but never beyond limit. */
static size_t next_cap(size_t cap, size_t limit)
{
    return cap > limit / 2 ? limit : cap * 2;
}

bk_err ingest_gunzip(const unsigned char *in, size_t n, size_t max_out, char **out, size_t *out_len,
                     char msg[INGEST_MSG_MAX])
{
    *out = NULL;
    *out_len = 0;
    msg[0] = '\0';
    if (n == 0)
        return gunzip_fail(BK_ERR_INVALID, msg, "empty", NULL);
    if (max_out >= SIZE_MAX - 1)
        max_out = SIZE_MAX - 2;
    size_t limit = max_out + 1; /* room for one byte too many, or the NUL */
    size_t cap = limit < GUNZIP_FIRST_STEP ? limit : GUNZIP_FIRST_STEP;
    char *buf = malloc(cap);
    if (!buf)
        return gunzip_fail(BK_ERR_NOMEM, msg, "out of memory", NULL);

    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int zrc = inflateInit2(&zs, 16 + MAX_WBITS);
    if (zrc != Z_OK) {
        free(buf);
        return gunzip_fail(zrc == Z_MEM_ERROR ? BK_ERR_NOMEM : BK_ERR_INVALID, msg,
                           "cannot start inflating", zs.msg);
    }
    size_t in_used = 0, used = 0;
    bk_err err = BK_OK;
    for (;;) {
        if (zs.avail_in == 0 && in_used < n) {
            size_t chunk = n - in_used < UINT_MAX ? n - in_used : UINT_MAX;
            zs.next_in = (unsigned char *)(in + in_used);
            zs.avail_in = (uInt)chunk;
            in_used += chunk;
        }
        if (used == cap) {
            if (cap == limit) {
                err = BK_ERR_FULL;
                break;
            }
            size_t ncap = next_cap(cap, limit);
            char *nb = realloc(buf, ncap);
            if (!nb) {
                err = gunzip_fail(BK_ERR_NOMEM, msg, "out of memory", NULL);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t room = cap - used < UINT_MAX ? cap - used : UINT_MAX;
        zs.next_out = (unsigned char *)buf + used;
        zs.avail_out = (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        if (zrc == Z_STREAM_END) {
            if (zs.avail_in > 0 || in_used < n)
                err = gunzip_fail(BK_ERR_INVALID, msg,
                                  "data after the end of the gzip stream (only one gzip member "
                                  "is accepted)",
                                  NULL);
            break;
        }
        if (zrc == Z_MEM_ERROR) {
            err = gunzip_fail(BK_ERR_NOMEM, msg, "out of memory", NULL);
            break;
        }
        if (zrc == Z_DATA_ERROR || zrc == Z_NEED_DICT || zrc == Z_STREAM_ERROR) {
            err = gunzip_fail(BK_ERR_INVALID, msg, "not gzip data or damaged",
                              zs.msg ? zs.msg : "no detail");
            break;
        }
        /* Z_OK or Z_BUF_ERROR: inflate stopped for lack of input or of
         * output room. No input left while output room remains: the
         * stream ends early. */
        if (zs.avail_in == 0 && in_used == n && zs.avail_out > 0) {
            err = gunzip_fail(BK_ERR_INVALID, msg, "truncated", NULL);
            break;
        }
    }
    inflateEnd(&zs);
    if (err == BK_OK && used > max_out)
        err = BK_ERR_FULL;
    if (err == BK_ERR_FULL)
        snprintf(msg, INGEST_MSG_MAX, "gzip body: inflates to more than %zu bytes", max_out);
    if (err == BK_OK && used == cap) { /* room for the NUL: used <= max_out < limit */
        char *nb = realloc(buf, used + 1);
        if (nb)
            buf = nb;
        else
            err = gunzip_fail(BK_ERR_NOMEM, msg, "out of memory", NULL);
    }
    if (err != BK_OK) {
        free(buf);
        return err;
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    return BK_OK;
}
