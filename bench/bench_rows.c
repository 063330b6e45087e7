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

const char *const bench_area[BENCH_AREAS] = {
    "centrum",   "slotjes",  "west",     "strijen", "leijsenakkers", "oosterheide", "dommelbergen",
    "vrachelen", "den-hout", "oosteind", "dorst",   "buitengebied",  "elders"};

void bench_make_row(unsigned long long n, bench_row *r)
{
    bench_uuid_of(0x1000000000ULL + n, r->id);
    r->seq = (long long)n + 1;
    r->n_answers = 8;
    for (int i = 0; i < 8; i++)
        r->question[i] = bench_question[i];
    r->status = "complete";
    r->language = "nl";
    r->area = "dorst";
    r->flags = "[]";
    snprintf(r->started_at, sizeof r->started_at, "2026-11-29T10:02:11.020Z");
    snprintf(r->completed_at, sizeof r->completed_at, "2026-11-29T10:04:40.512Z");
    r->started_ms = 1796032931020LL;
    r->completed_ms = 1796033080512LL;
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

/* ---- the dashboard figure's responses ---- */

/* splitmix64: the next pseudo-random number of *state. */
static unsigned long long mix(unsigned long long *state)
{
    unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* 0 <= result < n */
static int below(unsigned long long *state, int n)
{
    return (int)(mix(state) % (unsigned long long)n);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400;
    const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* RFC 3339 UTC with milliseconds of ms since the epoch. */
static void rfc3339(long long ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

/* How many residents of each area answer (config/collector.ini's order),
 * and how each area leans on the cohesion statements (tenths of a point
 * around 3). */
static const int area_weight[BENCH_AREAS] = {10, 8, 9, 9, 8, 10, 7, 6, 4, 5, 6, 3, 2};
static const int area_lean[BENCH_AREAS] = {-3, 2, -5, 0, 4, -1, 6, 3, 8, 7, 9, 10, -2};

static const char *const dash_option[6] = {"feest",     "groen",    "helpen",
                                           "preventie", "kinderen", "anders"};
static const char *const dash_idea[10] = {"Meer bankjes bij de vijver",
                                          "Een speeltuin voor de kinderen in het park",
                                          "Vaker een buurtfeest op het plein",
                                          "Betere verlichting op het fietspad naar school",
                                          "Minder hard rijden in onze straat, graag drempels",
                                          "Meer groen en bomen in plaats van stenen",
                                          "Een ontmoetingsplek voor ouderen, met koffie",
                                          "Afvalbakken bij het schoolplein en de bushalte",
                                          "More activities for teenagers in the evening",
                                          "Een repaircafé in het buurthuis, eens per maand"};

/* A scale answer 1..5 around 3 + lean/10. */
static int scale_value(unsigned long long *state, int lean)
{
    /* Two uniform draws in -2.0 .. 2.0 make a hill around the lean. */
    int tenths = 30 + lean + below(state, 21) - 10 + below(state, 21) - 10;
    int v = (tenths + 5) / 10;
    return v < 1 ? 1 : v > 5 ? 5 : v;
}

void bench_make_dash_row(unsigned long long n, bench_row *r)
{
    unsigned long long st = n * 0x2545f4914f6cdd1dULL + 0x5eedULL;
    bench_uuid_of(0x4000000000ULL + n, r->id);
    r->seq = (long long)n + 1;

    int total = 0;
    for (int i = 0; i < BENCH_AREAS; i++)
        total += area_weight[i];
    int pick = below(&st, total), a = 0;
    while (pick >= area_weight[a])
        pick -= area_weight[a++];
    r->area = bench_area[a];
    const int lean = area_lean[a];

    /* A day of 2026, from 08:00 to 21:00 UTC. */
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int month = below(&st, 12) + 1, day = below(&st, mdays[month - 1]) + 1;
    r->started_ms =
        (days_from_civil(2026, month, day) * 86400LL + 8 * 3600 + below(&st, 13 * 3600)) * 1000LL +
        below(&st, 1000);

    r->language = below(&st, 100) < 88 ? "nl" : "en";
    const int partial = below(&st, 1000) < 70;
    r->status = partial ? "partial" : "complete";
    const int f = below(&st, 1000);
    r->flags = f < 3    ? "[\"rapid\",\"repeat\"]"
               : f < 30 ? "[\"rapid\"]"
               : f < 45 ? "[\"repeat\"]"
                        : "[]";
    const int rapid = f < 30;

    /* Which questions were answered: a partial one its first 1 to 6. */
    int given[8];
    const int upto = partial ? 1 + below(&st, 6) : 8;
    for (int q = 0; q < 8; q++)
        given[q] = q < upto && (partial || below(&st, 100) >= 2);
    if (!partial)
        given[7] = below(&st, 100) < 45;

    r->n_answers = 0;
    for (int q = 0; q < 8; q++) {
        if (!given[q])
            continue;
        char *out = r->answers[r->n_answers];
        const size_t cap = sizeof r->answers[0];
        if (q < 4) { /* the statements; q1 is negative, so reversed */
            const int v = scale_value(&st, lean);
            snprintf(out, cap, "%d", q == 0 ? 6 - v : v);
        } else if (q == 4) { /* the smiley */
            snprintf(out, cap, "%d", scale_value(&st, lean + 4));
        } else if (q == 5) { /* 1 to 3 options, in the survey's order */
            int chosen[6] = {0}, k = 1 + below(&st, 3);
            while (k > 0) {
                int o = below(&st, 6);
                if (!chosen[o]) {
                    chosen[o] = 1;
                    k--;
                }
            }
            size_t off = (size_t)snprintf(out, cap, "[");
            int first = 1;
            for (int o = 0; o < 6; o++)
                if (chosen[o]) {
                    off += (size_t)snprintf(out + off, cap - off, "%s\"%s\"", first ? "" : ",",
                                            dash_option[o]);
                    first = 0;
                }
            snprintf(out + off, cap - off, "]");
        } else if (q == 6) {
            snprintf(out, cap, "\"%s\"", below(&st, 100) < 35 ? "ja" : "nee");
        } else {
            snprintf(out, cap, "\"%s\"", dash_idea[below(&st, 10)]);
        }
        r->question[r->n_answers++] = bench_question[q];
    }

    /* Finished after 1 to 6 minutes (rapid: 8 to 25 s); a partial one
     * reset by the kiosk's idle timeout of 90 s. */
    long long took = rapid ? 8000 + below(&st, 17000) : 60000 + below(&st, 300000);
    if (partial)
        took = took / 3 + 90000;
    r->completed_ms = r->started_ms + took;
    rfc3339(r->started_ms, r->started_at);
    rfc3339(r->completed_ms, r->completed_at);

    char answers[1400];
    size_t off = 0;
    for (int i = 0; i < r->n_answers; i++)
        off += (size_t)snprintf(answers + off, sizeof answers - off,
                                "%s{\"question_id\":\"%s\",\"value\":%s}", i ? "," : "",
                                r->question[i], r->answers[i]);
    answers[off] = '\0';
    snprintf(r->body, sizeof r->body,
             "{\"response_id\":\"%s\",\"seq\":%lld,\"survey_id\":\"buurtpeiling\","
             "\"survey_version\":1,\"mode\":\"survey\",\"status\":\"%s\","
             "\"language\":\"%s\",\"area\":\"%s\",\"started_at\":\"%s\","
             "\"completed_at\":\"%s\",\"flags\":%s,\"answers\":[%s]}",
             r->id, r->seq, r->status, r->language, r->area, r->started_at, r->completed_at,
             r->flags, answers);
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
