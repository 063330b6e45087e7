/* bench_fleet.c: many kiosks at once against one collector, for
 * bench/run.sh (docs/benchmarks.md).
 *
 *   bench_fleet setup DATABASE N
 *       Adds kiosks fleet-0000 .. fleet-(N-1) to the collector's database
 *       (an SQLite file or a postgresql:// URI, through storage.h), the
 *       token of fleet-K being "fleet-token-K".
 *   bench_fleet run BASE_URL N MINUTES SECONDS_PER_MINUTE THREADS [FIRST]
 *       Every kiosk sends, each simulated minute, a batch of 2 responses
 *       (8 answers each) and, half a minute later, a heartbeat, for
 *       MINUTES simulated minutes, a simulated minute lasting
 *       SECONDS_PER_MINUTE real seconds (time compressed). The kiosks'
 *       sends are spread evenly over the minute and each one is sent at
 *       its time whatever came before (open loop, THREADS senders with
 *       keep-alive connections); a send's latency runs from the moment it
 *       was due, so a collector that falls behind shows it. Prints one
 *       JSON object: requests, errors, responses, seconds, requests_per_s,
 *       responses_per_s, p50_ms, p99_ms, max_ms.
 *
 * FIRST (default 0) numbers the responses, so runs do not collide. */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_rows.h"
#include "storage.h"

#define PER_BATCH 2

static int setup(const char *db, int n)
{
    storage_options o = {.database = db, .pool_size = 1, .busy_timeout_ms = 5000};
    storage *st = NULL;
    bk_diag diag = {0};
    if (storage_open(&o, &st, &diag) != BK_OK)
        bench_die(diag.count ? diag.messages[0] : "cannot open the database");
    static const char *const areas[] = {"dorst", "den-hout", "oosteind", "oosterheide"};
    for (int k = 0; k < n; k++) {
        char id[32], token[48], sha[65];
        snprintf(id, sizeof id, "fleet-%04d", k);
        snprintf(token, sizeof token, "fleet-token-%d", k);
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
        sodium_bin2hex(sha, sizeof sha, h, sizeof h);
        bk_err e = storage_kiosk_add(st, id, areas[k % 4], sha);
        if (e != BK_OK && e != BK_ERR_STATE)
            bench_die("cannot add a kiosk");
    }
    storage_close(st);
    return 0;
}

/* One send: a batch or a heartbeat of kiosk k, due at `due` seconds. */
typedef struct fleet_event {
    double due;
    int kiosk;
    bool heartbeat;
    char *body;
    double latency_ms;
    bool failed;
} fleet_event;

typedef struct fleet_sender {
    const char *base;
    fleet_event **events; /* this sender's, in due order */
    size_t n;
    double t0;
} fleet_sender;

static void sleep_until(double t)
{
    double now = bench_seconds();
    if (t <= now)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double target = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + (t - now);
    ts.tv_sec = (time_t)target;
    ts.tv_nsec = (long)((target - (double)ts.tv_sec) * 1e9);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void *send_all(void *arg)
{
    fleet_sender *s = arg;
    CURL *c = curl_easy_init();
    if (!c)
        bench_die("curl");
    for (size_t i = 0; i < s->n; i++) {
        fleet_event *e = s->events[i];
        sleep_until(s->t0 + e->due);
        char url[256], auth[64];
        if (e->heartbeat)
            snprintf(url, sizeof url, "%s/v1/kiosks/fleet-%04d/status", s->base, e->kiosk);
        else
            snprintf(url, sizeof url, "%s/v1/batches", s->base);
        snprintf(auth, sizeof auth, "Authorization: Bearer fleet-token-%d", e->kiosk);
        struct curl_slist *h = curl_slist_append(NULL, auth);
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, e->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(e->body));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_discard);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        CURLcode rc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        e->latency_ms = (bench_seconds() - (s->t0 + e->due)) * 1000.0;
        e->failed = rc != CURLE_OK || status != (e->heartbeat ? 204 : 200);
        if (e->failed)
            fprintf(stderr, "bench_fleet: %s of fleet-%04d answered %ld (%s)\n",
                    e->heartbeat ? "heartbeat" : "batch", e->kiosk, status, curl_easy_strerror(rc));
        curl_slist_free_all(h);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static char *batch_body(int kiosk, unsigned long long first)
{
    size_t cap = PER_BATCH * 2200 + 512, off = 0;
    char *s = malloc(cap);
    bench_row *r = malloc(sizeof *r);
    if (!s || !r)
        bench_die("out of memory");
    char batch_id[37];
    bench_uuid_of(0x4000000000ULL + first / PER_BATCH, batch_id);
    off += (size_t)snprintf(s, cap,
                            "{\"protocol\":1,\"batch_id\":\"%s\",\"kiosk_id\":\"fleet-%04d\","
                            "\"created_at\":\"2026-11-29T13:45:12.345Z\",\"responses\":[",
                            batch_id, kiosk);
    for (int i = 0; i < PER_BATCH; i++) {
        bench_make_row(first + (unsigned long long)i, r);
        off += (size_t)snprintf(s + off, cap - off, "%s%s", i ? "," : "", r->body);
    }
    snprintf(s + off, cap - off, "]}");
    free(r);
    return s;
}

static int cmp_due(const void *a, const void *b)
{
    double x = (*(fleet_event *const *)a)->due, y = (*(fleet_event *const *)b)->due;
    return x < y ? -1 : x > y;
}

static int run(const char *base, int n, int minutes, double period, int threads,
               unsigned long long first)
{
    size_t total = (size_t)n * (size_t)minutes * 2;
    fleet_event *ev = calloc(total, sizeof *ev);
    fleet_sender *senders = calloc((size_t)threads, sizeof *senders);
    if (!ev || !senders)
        bench_die("out of memory");
    size_t at = 0;
    for (int m = 0; m < minutes; m++) {
        for (int k = 0; k < n; k++) {
            double due = (m + (double)k / n) * period;
            unsigned long long num =
                first + ((unsigned long long)m * (unsigned)n + (unsigned)k) * PER_BATCH;
            ev[at++] = (fleet_event){.due = due, .kiosk = k, .body = batch_body(k, num)};
            char hb[256];
            snprintf(hb, sizeof hb,
                     "{\"kiosk_id\":\"fleet-%04d\",\"version\":\"bench\",\"uptime_s\":%d,"
                     "\"queued\":0,\"rejected\":0,\"last_error\":null}",
                     k, m * 60 + 30);
            ev[at++] = (fleet_event){
                .due = due + period / 2, .kiosk = k, .heartbeat = true, .body = strdup(hb)};
        }
    }
    for (int t = 0; t < threads; t++) {
        senders[t].base = base;
        senders[t].events = calloc(total, sizeof *senders[t].events);
        if (!senders[t].events)
            bench_die("out of memory");
    }
    for (size_t i = 0; i < total; i++) {
        fleet_sender *s = &senders[ev[i].kiosk % threads];
        s->events[s->n++] = &ev[i];
    }
    for (int t = 0; t < threads; t++)
        qsort(senders[t].events, senders[t].n, sizeof *senders[t].events, cmp_due);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    if (!th)
        bench_die("out of memory");
    double t0 = bench_seconds() + 0.2;
    for (int t = 0; t < threads; t++) {
        senders[t].t0 = t0;
        pthread_create(&th[t], NULL, send_all, &senders[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    double secs = bench_seconds() - t0;
    double *lat = calloc(total, sizeof *lat);
    if (!lat)
        bench_die("out of memory");
    size_t errors = 0;
    for (size_t i = 0; i < total; i++) {
        lat[i] = ev[i].latency_ms;
        errors += ev[i].failed;
        free(ev[i].body);
    }
    qsort(lat, total, sizeof *lat, bench_cmp_double);
    size_t p99 = (99 * total + 99) / 100;
    size_t responses = (size_t)n * (size_t)minutes * PER_BATCH;
    printf("{\"requests\": %zu, \"errors\": %zu, \"responses\": %zu, \"seconds\": %.3f, "
           "\"requests_per_s\": %.1f, \"responses_per_s\": %.1f, \"p50_ms\": %.2f, "
           "\"p99_ms\": %.2f, \"max_ms\": %.2f}\n",
           total, errors, responses, secs, (double)total / secs, (double)responses / secs,
           lat[total / 2], lat[p99 ? p99 - 1 : 0], lat[total - 1]);
    for (int t = 0; t < threads; t++)
        free(senders[t].events);
    free(senders);
    free(th);
    free(ev);
    free(lat);
    curl_global_cleanup();
    return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        bench_die("libsodium");
    if (argc == 4 && strcmp(argv[1], "setup") == 0)
        return setup(argv[2], atoi(argv[3]));
    if (argc >= 7 && strcmp(argv[1], "run") == 0)
        return run(argv[2], atoi(argv[3]), atoi(argv[4]), strtod(argv[5], NULL), atoi(argv[6]),
                   argc > 7 ? strtoull(argv[7], NULL, 10) : 0);
    fprintf(stderr, "usage: bench_fleet setup DATABASE N\n"
                    "       bench_fleet run BASE_URL N MINUTES SECONDS_PER_MINUTE THREADS "
                    "[FIRST]\n");
    return 2;
}
