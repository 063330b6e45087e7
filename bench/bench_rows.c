/* bench_rows.c: see bench_rows.h. */
#define _GNU_SOURCE /* program_invocation_short_name */
#include "bench_rows.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void bench_uuid_of(unsigned long long n, char out[37])
{
    snprintf(out, 37, "%08llx-%04llx-4%03llx-8%03llx-%012llx", (n >> 32) & 0xffffffffULL,
             (n >> 16) & 0xffffULL, n & 0xfffULL, (n >> 4) & 0xfffULL, n & 0xffffffffffffULL);
}

const char *const bench_question[8] = {"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"};

void bench_make_row(unsigned long long n, bench_row *r)
{
    bench_uuid_of(0x1000000000ULL + n, r->id);
    r->seq = (long long)n + 1;
    int v = (int)(n % 5) + 1;
    snprintf(r->answers[0], sizeof r->answers[0], "%d", v);
    snprintf(r->answers[1], sizeof r->answers[1], "%d", (v % 5) + 1);
    snprintf(r->answers[2], sizeof r->answers[2], "%d", ((v + 1) % 5) + 1);
    snprintf(r->answers[3], sizeof r->answers[3], "%d", ((v + 2) % 5) + 1);
    snprintf(r->answers[4], sizeof r->answers[4], "%d", ((v + 3) % 5) + 1);
    snprintf(r->answers[5], sizeof r->answers[5], "[\"groen\",\"kinderen\"]");
    snprintf(r->answers[6], sizeof r->answers[6], "\"%s\"", n % 2 ? "ja" : "nee");
    snprintf(r->answers[7], sizeof r->answers[7],
             "\"Meer bankjes bij de vijver en een speeltuin voor de kinderen, nummer %llu\"", n);
    char answers[1024];
    size_t off = 0;
    for (int i = 0; i < 8; i++)
        off += (size_t)snprintf(answers + off, sizeof answers - off,
                                "%s{\"question_id\":\"%s\",\"value\":%s}", i ? "," : "",
                                bench_question[i], r->answers[i]);
    snprintf(r->body, sizeof r->body,
             "{\"response_id\":\"%s\",\"seq\":%lld,\"survey_id\":\"buurtpeiling\","
             "\"survey_version\":1,\"mode\":\"survey\",\"status\":\"complete\","
             "\"language\":\"nl\",\"area\":\"dorst\",\"started_at\":\"2026-11-29T10:02:11.020Z\","
             "\"completed_at\":\"2026-11-29T10:04:40.512Z\",\"flags\":[],\"answers\":[%s]}",
             r->id, r->seq, answers);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)r->body, strlen(r->body));
    sodium_bin2hex(r->sha, sizeof r->sha, h, sizeof h);
}

double bench_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_die(const char *what)
{
    fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
    exit(1);
}

size_t bench_discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
