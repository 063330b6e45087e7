/* sync_gzip.c: gzip for upload bodies (Content-Encoding: gzip), with zlib. */
#include <stdlib.h>
#include <zlib.h>

#include "sync_private.h"

bk_err sync_gzip(const void *in, size_t len, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    z_stream zs = {0};
    /* windowBits 15 + 16: gzip framing rather than zlib's. */
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return BK_ERR_NOMEM;
    uLong bound = deflateBound(&zs, (uLong)len) + 32; /* + the gzip header and trailer */
    unsigned char *buf = malloc(bound);
    if (!buf) {
        deflateEnd(&zs);
        return BK_ERR_NOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    size_t produced = bound - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(buf);
        return BK_ERR_NOMEM;
    }
    *out = buf;
    *out_len = produced;
    return BK_OK;
}
