/* fuzz_gunzip.c: libFuzzer target for the collector's gzip path
 * (collector/ingest/ingest_gunzip.c): a body with Content-Encoding: gzip.
 *
 * The input is the compressed body; the limit is taken from its first byte
 * (0 to 64 KiB in steps of 256). Checks: never more than the limit comes
 * out; what comes out is NUL-terminated; BK_ERR_FULL only when the stream
 * really inflates past the limit (zlib, without a limit, agrees); a stream
 * that zlib inflates whole within the limit is accepted with the same
 * bytes; a refusal says why in one printable line. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_check.h"
#include "ingest.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_REFERENCE_MAX (1u << 20) /* what the reference inflater keeps */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level(LOG_LEVEL_ERROR);
    return 0;
}

/* zlib without a limit (up to FZ_REFERENCE_MAX): 1 when the input is one
 * whole gzip member and nothing after it, with its size in *n_out (capped:
 * *capped set when it inflates past FZ_REFERENCE_MAX). */
static int fz_reference(const uint8_t *in, size_t n, unsigned char *out, size_t *n_out,
                        bool *capped)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return 0;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    *capped = false;
    size_t total = 0;
    int rc = Z_OK;
    unsigned char sink[4096];
    while (rc == Z_OK) {
        bool into_out = total < FZ_REFERENCE_MAX;
        z.next_out = into_out ? out + total : sink;
        z.avail_out = into_out ? (uInt)(FZ_REFERENCE_MAX - total) : sizeof sink;
        uInt before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);
        total += before - z.avail_out;
        if (rc == Z_BUF_ERROR || (rc == Z_OK && before == z.avail_out && z.avail_in == 0))
            break;
    }
    int whole = rc == Z_STREAM_END && z.avail_in == 0;
    inflateEnd(&z);
    if (total > FZ_REFERENCE_MAX) {
        *capped = true;
        total = FZ_REFERENCE_MAX;
    }
    *n_out = total;
    return whole;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max_out = (size_t)data[0] * 256;
    const uint8_t *in = data + 1;
    size_t n = size - 1;

    char *out = NULL;
    size_t out_len = 0;
    char msg[INGEST_MSG_MAX] = "";
    bk_err err = ingest_gunzip(in, n, max_out, &out, &out_len, msg);

    static unsigned char ref[FZ_REFERENCE_MAX];
    size_t ref_len = 0;
    bool capped = false;
    int whole = fz_reference(in, n, ref, &ref_len, &capped);

    if (err == BK_OK) {
        FUZZ_CHECK(out && out_len <= max_out && out[out_len] == '\0', "within the limit");
        FUZZ_CHECK(whole && !capped && ref_len == out_len && memcmp(ref, out, out_len) == 0,
                   "accepted: zlib inflates the same bytes");
    } else {
        FUZZ_CHECK(out == NULL, "nothing handed out on error");
        if (err == BK_ERR_FULL)
            FUZZ_CHECK(capped || ref_len > max_out, "BK_ERR_FULL only past the limit");
        else if (err == BK_ERR_INVALID) {
            FUZZ_CHECK(!(whole && !capped && ref_len <= max_out),
                       "a whole stream within the limit is accepted");
            FUZZ_CHECK(msg[0] != '\0', "a refusal says why");
            for (const char *p = msg; *p; p++)
                FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                           "printable message");
        }
    }
    free(out);
    return 0;
}
