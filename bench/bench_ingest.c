/* bench_ingest.c: the collector's ingest against its physical limit, for
 * bench/run.sh (docs/benchmarks.md).
 *
 *   bench_ingest http URL TOKEN KIOSK_ID BATCHES CLIENTS [FIRST]
 *       POSTs BATCHES batches of 100 responses of 8 answers (the demo
 *       survey, every question answered) to URL over keep-alive
 *       connections, CLIENTS threads in parallel. Prints one JSON object:
 *       responses, seconds, responses_per_s, p50_ms, p99_ms, max_ms.
 *   bench_ingest direct DB KIOSK_ID BATCHES [FIRST]
 *       The same rows inserted straight into the collector's own tables
 *       (made by storage_open: same schema, indexes and pragmas, WAL,
 *       synchronous=FULL), one transaction per batch, prepared statements,
 *       everything computed before the clock starts. Prints the same JSON.
 *   bench_ingest fill DB KIOSK_ID RESPONSES
 *       Fills DB with RESPONSES responses the same way, 10,000 to a
 *       transaction (setup for the memory figure, not measured).
 *   bench_ingest fill-dash DB RESPONSES
 *       Fills DB with RESPONSES varied responses of the demo survey
 *       (bench_make_dash_row: 13 areas, 12 months, partial ones, flags),
 *       from kiosks dash-kiosk-01 to -13 (their area NULL: the responses
 *       carry it), 10,000 to a batch and a transaction (setup for the
 *       dashboard figure, not measured).
 *
 * FIRST (default 0) numbers the responses, so runs do not collide. */
#include <curl/curl.h>
#include <stdbool.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_rows.h"
#include "storage.h"

#define PER_BATCH 100

/* ---- http ---- */

typedef struct http_job {
    const char *url, *token, *kiosk;
    char **bodies; /* this client's batches */
    size_t n;
    double *lat_ms; /* one per batch */
    int failed;
} http_job;

static void *http_client(void *arg)
{
    http_job *j = arg;
    CURL *c = curl_easy_init();
    if (!c) {
        j->failed = 1;
        return NULL;
    }
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", j->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, j->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_discard);
    for (size_t i = 0; i < j->n; i++) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->bodies[i]);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(j->bodies[i]));
        double t = bench_seconds();
        CURLcode rc = curl_easy_perform(c);
        j->lat_ms[i] = (bench_seconds() - t) * 1000.0;
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200) {
            fprintf(stderr, "bench_ingest: batch answered %ld (%s)\n", status,
                    curl_easy_strerror(rc));
            j->failed = 1;
            break;
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static double pct(const double *sorted, size_t n, int p)
{
    size_t k = (size_t)((p * n + 99) / 100);
    return sorted[k ? k - 1 : 0];
}

static int bench_http(const char *url, const char *token, const char *kiosk, size_t batches,
                      int clients, unsigned long long first)
{
    char **bodies = calloc(batches, sizeof *bodies);
    double *lat = calloc(batches, sizeof *lat);
    bench_row *r = malloc(sizeof *r);
    if (!bodies || !lat || !r)
        bench_die("out of memory");
    for (size_t b = 0; b < batches; b++) {
        size_t cap = PER_BATCH * 1100 + 512, off = 0;
        char *s = malloc(cap);
        if (!s)
            bench_die("out of memory");
        char batch_id[37];
        bench_uuid_of(0x2000000000ULL + first / PER_BATCH + b, batch_id);
        off += (size_t)snprintf(s + off, cap - off,
                                "{\"protocol\":1,\"batch_id\":\"%s\",\"kiosk_id\":\"%s\","
                                "\"created_at\":\"2026-11-29T13:45:12.345Z\",\"responses\":[",
                                batch_id, kiosk);
        for (int i = 0; i < PER_BATCH; i++) {
            bench_make_row(first + b * PER_BATCH + (size_t)i, r);
            off += (size_t)snprintf(s + off, cap - off, "%s%s", i ? "," : "", r->body);
        }
        snprintf(s + off, cap - off, "]}");
        bodies[b] = s;
    }
    free(r);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    http_job *jobs = calloc((size_t)clients, sizeof *jobs);
    pthread_t *th = calloc((size_t)clients, sizeof *th);
    if (!jobs || !th)
        bench_die("out of memory");
    size_t per = batches / (size_t)clients, at = 0;
    for (int i = 0; i < clients; i++) {
        size_t n = per + ((size_t)i < batches % (size_t)clients);
        jobs[i] = (http_job){url, token, kiosk, bodies + at, n, lat + at, 0};
        at += n;
    }
    double t0 = bench_seconds();
    for (int i = 0; i < clients; i++)
        pthread_create(&th[i], NULL, http_client, &jobs[i]);
    int failed = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        failed |= jobs[i].failed;
    }
    double secs = bench_seconds() - t0;
    if (failed)
        bench_die("a batch failed");
    qsort(lat, batches, sizeof *lat, bench_cmp_double);
    size_t n = batches * PER_BATCH;
    printf("{\"responses\": %zu, \"seconds\": %.4f, \"responses_per_s\": %.1f, \"p50_ms\": %.3f, "
           "\"p99_ms\": %.3f, \"max_ms\": %.3f}\n",
           n, secs, (double)n / secs, pct(lat, batches, 50), pct(lat, batches, 99),
           lat[batches - 1]);
    for (size_t b = 0; b < batches; b++)
        free(bodies[b]);
    free(bodies);
    free(lat);
    free(jobs);
    free(th);
    curl_global_cleanup();
    return 0;
}

/* ---- direct ---- */

/* Opens (making) the collector's database at path through storage_open,
 * so the schema and pragmas are the collector's, adds the kiosk, and
 * returns a plain SQLite handle with the same pragmas. */
static sqlite3 *open_direct(const char *path, const char *kiosk)
{
    storage_options o = {.database = path, .pool_size = 1, .busy_timeout_ms = 5000};
    storage *st = NULL;
    bk_diag diag = {0};
    if (storage_open(&o, &st, &diag) != BK_OK)
        bench_die(diag.count ? diag.messages[0] : "cannot open the database");
    storage_kiosk k;
    if (storage_kiosk_get(st, kiosk, &k) != BK_OK &&
        storage_kiosk_add(st, kiosk, "dorst",
                          "0000000000000000000000000000000000000000000000000000000000000000") !=
            BK_OK)
        bench_die("cannot add the kiosk");
    storage_close(st);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        bench_die("cannot open the database again");
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                 NULL, NULL, NULL);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void step(sqlite3 *db, sqlite3_stmt *s)
{
    if (sqlite3_step(s) != SQLITE_DONE) {
        fprintf(stderr, "bench_ingest: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(s);
}

/* Inserts n rows starting at first, per_txn to a transaction. */
static double insert_rows(sqlite3 *db, const char *kiosk, unsigned long long first, size_t n,
                          size_t per_txn, bool timed)
{
    sqlite3_stmt *sb, *sr, *sa;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO batches (batch_id, kiosk_id, received_ms, n_responses,"
                           " accepted, duplicates, conflicts, quarantined)"
                           " VALUES (?1, ?2, ?3, ?4, ?4, 0, 0, 0)",
                           -1, &sb, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "INSERT INTO responses (response_id, kiosk_id, batch_id, seq, survey_id,"
            " survey_version, mode, status, language, area, started_at, started_ms,"
            " completed_at, completed_ms, flags, body, body_sha256, received_ms,"
            " quarantine_reason) VALUES (?1, ?2, ?3, ?4, 'buurtpeiling', 1, 'survey',"
            " 'complete', 'nl', 'dorst', '2026-11-29T10:02:11.020Z', 1796032931020,"
            " '2026-11-29T10:04:40.512Z', 1796033080512, '[]', ?5, ?6, ?7, NULL)",
            -1, &sr, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO answers (response_id, position, question_id, value_json)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &sa, NULL) != SQLITE_OK)
        bench_die(sqlite3_errmsg(db));
    /* Everything computed before the clock starts (timed runs). */
    size_t n_pre = timed ? n : per_txn;
    bench_row *rows = malloc(n_pre * sizeof *rows);
    if (!rows)
        bench_die("out of memory");
    double spent = 0;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < per_txn ? n - done : per_txn;
        bench_row *at = timed ? rows + done : rows;
        if (!timed || done == 0)
            for (size_t i = 0; i < (timed ? n : k); i++)
                bench_make_row(first + done + i, &at[i]);
        char batch_id[37];
        bench_uuid_of(0x3000000000ULL + (first + done) / per_txn, batch_id);
        double t = bench_seconds();
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_text(sb, 1, batch_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(sb, 2, kiosk, -1, SQLITE_STATIC);
        sqlite3_bind_int64(sb, 3, 1796040000000LL);
        sqlite3_bind_int64(sb, 4, (sqlite3_int64)k);
        step(db, sb);
        for (size_t i = 0; i < k; i++) {
            const bench_row *r = &at[i];
            sqlite3_bind_text(sr, 1, r->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 2, kiosk, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 3, batch_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sr, 4, r->seq);
            sqlite3_bind_text(sr, 5, r->body, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 6, r->sha, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sr, 7, 1796040000000LL);
            step(db, sr);
            for (int q = 0; q < 8; q++) {
                sqlite3_bind_text(sa, 1, r->id, -1, SQLITE_STATIC);
                sqlite3_bind_int(sa, 2, q);
                sqlite3_bind_text(sa, 3, bench_question[q], -1, SQLITE_STATIC);
                sqlite3_bind_text(sa, 4, r->answers[q], -1, SQLITE_STATIC);
                step(db, sa);
            }
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            bench_die(sqlite3_errmsg(db));
        spent += bench_seconds() - t;
        done += k;
        if (!timed && done % 100000 == 0)
            fprintf(stderr, "bench_ingest: %zu of %zu\n", done, n);
    }
    free(rows);
    sqlite3_finalize(sb);
    sqlite3_finalize(sr);
    sqlite3_finalize(sa);
    return spent;
}

/* ---- the dashboard figure ---- */

#define DASH_KIOSKS 13
#define DASH_CHUNK 10000

static void dash_kiosk_id(int i, char out[32])
{
    snprintf(out, 32, "dash-kiosk-%02d", i + 1);
}

/* Opens (making) the collector's database through storage_open, adds the
 * dashboard's kiosks (no area), returns a plain handle with the same
 * pragmas. */
static sqlite3 *open_dash(const char *path)
{
    storage_options o = {.database = path, .pool_size = 1, .busy_timeout_ms = 5000};
    storage *st = NULL;
    bk_diag diag = {0};
    if (storage_open(&o, &st, &diag) != BK_OK)
        bench_die(diag.count ? diag.messages[0] : "cannot open the database");
    for (int i = 0; i < DASH_KIOSKS; i++) {
        char id[32], token[65];
        dash_kiosk_id(i, id);
        snprintf(token, sizeof token, "%064x", 0xda5b00 + i);
        storage_kiosk k;
        if (storage_kiosk_get(st, id, &k) != BK_OK &&
            storage_kiosk_add(st, id, NULL, token) != BK_OK)
            bench_die("cannot add a kiosk");
    }
    storage_close(st);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        bench_die("cannot open the database again");
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                 NULL, NULL, NULL);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void fill_dash(sqlite3 *db, size_t n)
{
    sqlite3_stmt *sb, *sr, *sa;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO batches (batch_id, kiosk_id, received_ms, n_responses,"
                           " accepted, duplicates, conflicts, quarantined)"
                           " VALUES (?1, ?2, ?3, ?4, ?4, 0, 0, 0)",
                           -1, &sb, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "INSERT INTO responses (response_id, kiosk_id, batch_id, seq, survey_id,"
            " survey_version, mode, status, language, area, started_at, started_ms,"
            " completed_at, completed_ms, flags, body, body_sha256, received_ms,"
            " quarantine_reason) VALUES (?1, ?2, ?3, ?4, 'buurtpeiling', 1, 'survey',"
            " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL)",
            -1, &sr, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO answers (response_id, position, question_id, value_json)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &sa, NULL) != SQLITE_OK)
        bench_die(sqlite3_errmsg(db));
    bench_row *r = malloc(sizeof *r);
    if (!r)
        bench_die("out of memory");
    for (size_t done = 0; done < n;) {
        size_t k = n - done < DASH_CHUNK ? n - done : DASH_CHUNK;
        char batch_id[37], kiosk[32];
        bench_uuid_of(0x5000000000ULL + done / DASH_CHUNK, batch_id);
        dash_kiosk_id((int)((done / DASH_CHUNK) % DASH_KIOSKS), kiosk);
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_text(sb, 1, batch_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(sb, 2, kiosk, -1, SQLITE_STATIC);
        sqlite3_bind_int64(sb, 3, 1798761600000LL);
        sqlite3_bind_int64(sb, 4, (sqlite3_int64)k);
        step(db, sb);
        for (size_t i = 0; i < k; i++) {
            bench_make_dash_row(done + i, r);
            sqlite3_bind_text(sr, 1, r->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 2, kiosk, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 3, batch_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sr, 4, r->seq);
            sqlite3_bind_text(sr, 5, r->status, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 6, r->language, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 7, r->area, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 8, r->started_at, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sr, 9, r->started_ms);
            sqlite3_bind_text(sr, 10, r->completed_at, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sr, 11, r->completed_ms);
            sqlite3_bind_text(sr, 12, r->flags, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 13, r->body, -1, SQLITE_STATIC);
            sqlite3_bind_text(sr, 14, r->sha, -1, SQLITE_STATIC);
            sqlite3_bind_int64(sr, 15, r->completed_ms + 60000);
            step(db, sr);
            for (int q = 0; q < r->n_answers; q++) {
                sqlite3_bind_text(sa, 1, r->id, -1, SQLITE_STATIC);
                sqlite3_bind_int(sa, 2, q);
                sqlite3_bind_text(sa, 3, r->question[q], -1, SQLITE_STATIC);
                sqlite3_bind_text(sa, 4, r->answers[q], -1, SQLITE_STATIC);
                step(db, sa);
            }
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            bench_die(sqlite3_errmsg(db));
        done += k;
        if (done % 100000 == 0)
            fprintf(stderr, "bench_ingest: %zu of %zu\n", done, n);
    }
    free(r);
    sqlite3_finalize(sb);
    sqlite3_finalize(sr);
    sqlite3_finalize(sa);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        bench_die("libsodium");
    if (argc >= 7 && strcmp(argv[1], "http") == 0)
        return bench_http(argv[2], argv[3], argv[4], strtoul(argv[5], NULL, 10), atoi(argv[6]),
                          argc > 7 ? strtoull(argv[7], NULL, 10) : 0);
    if (argc >= 5 && strcmp(argv[1], "direct") == 0) {
        sqlite3 *db = open_direct(argv[2], argv[3]);
        size_t batches = strtoul(argv[4], NULL, 10);
        unsigned long long first = argc > 5 ? strtoull(argv[5], NULL, 10) : 0;
        double secs = insert_rows(db, argv[3], first, batches * PER_BATCH, PER_BATCH, true);
        sqlite3_close(db);
        size_t n = batches * PER_BATCH;
        printf("{\"responses\": %zu, \"seconds\": %.4f, \"responses_per_s\": %.1f}\n", n, secs,
               (double)n / secs);
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "fill") == 0) {
        sqlite3 *db = open_direct(argv[2], argv[3]);
        insert_rows(db, argv[3], 0x100000000ULL, strtoul(argv[4], NULL, 10), 10000, false);
        sqlite3_close(db);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "fill-dash") == 0) {
        sqlite3 *db = open_dash(argv[2]);
        fill_dash(db, strtoul(argv[3], NULL, 10));
        sqlite3_close(db);
        return 0;
    }
    fprintf(stderr, "usage: bench_ingest http URL TOKEN KIOSK_ID BATCHES CLIENTS [FIRST]\n"
                    "       bench_ingest direct DB KIOSK_ID BATCHES [FIRST]\n"
                    "       bench_ingest fill DB KIOSK_ID RESPONSES\n"
                    "       bench_ingest fill-dash DB RESPONSES\n");
    return 2;
}
