/* dump_batches.c: for the curl baseline of the upload benchmark. Forms the
 * batches `buurtkiosk sync` would send from a database (a copy: every batch
 * is marked delivered as it is written), gzips each body as the sync worker
 * does (zlib level 6, gzip framing) into DIR/NNNNN.json.gz, and writes
 * DIR/curl.conf: one POST per batch with the protocol's headers, for
 * `curl --config DIR/curl.conf`. Prints "batches B responses R bytes J gzip G".
 *
 * usage: bench_batches --db FILE --out DIR --url URL --token TOKEN
 *                      --kiosk-id ID --user-agent UA [--max N] [--max-bytes B] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bench_util.h"

static unsigned char *gzip_body(const char *in, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong bound = deflateBound(&zs, (uLong)len) + 32;
    unsigned char *buf = malloc(bound);
    if (!buf) {
        deflateEnd(&zs);
        return NULL;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = bound - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(buf);
        return NULL;
    }
    return buf;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *out = NULL, *url = NULL, *token = NULL, *kiosk = NULL, *ua = NULL;
    long max = 100, max_bytes = 1024 * 1024;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--db") == 0)
            db = v;
        else if (strcmp(k, "--out") == 0)
            out = v;
        else if (strcmp(k, "--url") == 0)
            url = v;
        else if (strcmp(k, "--token") == 0)
            token = v;
        else if (strcmp(k, "--kiosk-id") == 0)
            kiosk = v;
        else if (strcmp(k, "--user-agent") == 0)
            ua = v;
        else if (strcmp(k, "--max") == 0)
            max = strtol(v, NULL, 10);
        else if (strcmp(k, "--max-bytes") == 0)
            max_bytes = strtol(v, NULL, 10);
    }
    if (!db || !out || !url || !token || !kiosk || !ua || max <= 0 || max_bytes <= 0) {
        fprintf(stderr, "usage: bench_batches --db FILE --out DIR --url URL --token TOKEN "
                        "--kiosk-id ID --user-agent UA [--max N] [--max-bytes B]\n");
        return 2;
    }
    bk_clock clock = clock_system();
    store *st = NULL;
    bench_check(store_open(db, &clock, &st, NULL), "store_open");
    char path[4096];
    snprintf(path, sizeof path, "%s/curl.conf", out);
    FILE *conf = fopen(path, "w");
    if (!conf) {
        fprintf(stderr, "bench_batches: cannot write %s\n", path);
        return 1;
    }
    long batches = 0, responses = 0;
    unsigned long long json_bytes = 0, gz_bytes = 0;
    for (;;) {
        store_batch b;
        bk_err e = store_batch_next(st, kiosk, (size_t)max, (size_t)max_bytes, &b);
        if (e == BK_ERR_NOT_FOUND)
            break;
        bench_check(e, "store_batch_next");
        size_t gz_len = 0;
        unsigned char *gz = gzip_body(b.body, b.body_len, &gz_len);
        if (!gz) {
            fprintf(stderr, "bench_batches: gzip failed\n");
            return 1;
        }
        snprintf(path, sizeof path, "%s/%05ld.json.gz", out, batches);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(gz, 1, gz_len, f) != gz_len || fclose(f) != 0) {
            fprintf(stderr, "bench_batches: cannot write %s\n", path);
            return 1;
        }
        free(gz);
        if (batches > 0)
            fprintf(conf, "next\n");
        fprintf(conf,
                "url = \"%s\"\n"
                "header = \"Authorization: Bearer %s\"\n"
                "header = \"Content-Type: application/json\"\n"
                "header = \"Content-Encoding: gzip\"\n"
                "header = \"Idempotency-Key: %s\"\n"
                "user-agent = \"%s\"\n"
                "data-binary = \"@%s\"\n"
                "output = \"/dev/null\"\n"
                "write-out = \"%%{http_code}\\n\"\n",
                url, token, b.batch_id, ua, path);
        batches++;
        responses += (long)b.n_responses;
        json_bytes += b.body_len;
        gz_bytes += gz_len;
        bench_check(store_batch_delivered(st, b.batch_id), "store_batch_delivered");
        store_batch_free(&b);
    }
    fclose(conf);
    store_close(st);
    printf("batches %ld responses %ld bytes %llu gzip %llu\n", batches, responses, json_bytes,
           gz_bytes);
    return 0;
}
