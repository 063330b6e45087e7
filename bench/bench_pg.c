/* bench_pg.c: the physical limit of the collector's ingest on PostgreSQL,
 * for bench/run.sh (docs/benchmarks.md).
 *
 *   bench_pg copy URI KIOSK_ID BATCHES CLIENTS [FIRST]
 *       The rows bench_ingest posts (batches of 100 responses of 8
 *       answers) loaded with COPY straight into the collector's own tables
 *       (made by storage_open: same schema, keys and indexes), one
 *       transaction per batch (the batch's row, its responses, their
 *       answers), CLIENTS connections in parallel, everything computed
 *       before the clock starts. Prints {"responses", "seconds",
 *       "responses_per_s"}.
 *   bench_pg fill URI KIOSK_ID RESPONSES
 *       Fills the database with RESPONSES responses the same way, 10,000
 *       to a transaction (setup for the export figure, not measured).
 *   bench_pg fill-dash URI RESPONSES
 *       The varied responses of bench_ingest fill-dash (the same rows,
 *       kiosks and batches), loaded the same way, then ANALYZE (setup
 *       for the dashboard figure, not measured).
 *
 * FIRST (default 0) numbers the responses, so runs do not collide. */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_rows.h"
#include "storage.h"

#define PER_BATCH 100

/* Makes the collector's schema (storage_open) and adds the kiosk. */
static void prepare(const char *uri, const char *kiosk)
{
    storage_options o = {.database = uri, .pool_size = 1, .busy_timeout_ms = 5000};
    storage *st = NULL;
    bk_diag diag = {0};
    if (storage_open(&o, &st, &diag) != BK_OK)
        bench_die(diag.count ? diag.messages[0] : "cannot open the database");
    storage_kiosk k;
    if (storage_kiosk_get(st, kiosk, &k) != BK_OK &&
        storage_kiosk_add(st, kiosk, "dorst",
                          "1111111111111111111111111111111111111111111111111111111111111111") !=
            BK_OK)
        bench_die("cannot add the kiosk");
    storage_close(st);
}

/* Appends text to buf in COPY's text format (\, tab, newline, CR escaped). */
static size_t put_field(char *buf, size_t off, const char *text)
{
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            buf[off++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        buf[off++] = c;
    }
    return off;
}

/* The COPY text of one batch's three tables. */
typedef struct batch_copy {
    char *batches, *responses, *answers;
    size_t n_batches, n_responses, n_answers;
} batch_copy;

/* The COPY text of n responses starting at number first (their batch
 * first / PER_BATCH), from kiosk: bench_make_row's rows, or with dash
 * bench_make_dash_row's (their batch first / 10,000, as bench_ingest
 * fill-dash numbers them). */
static void make_copy_of(const char *kiosk, unsigned long long first, size_t n, int dash,
                         batch_copy *out)
{
    char batch_id[37];
    if (dash)
        bench_uuid_of(0x5000000000ULL + first / 10000, batch_id);
    else
        bench_uuid_of(0x3000000000ULL + first / PER_BATCH, batch_id);
    out->batches = malloc(256);
    out->responses = malloc(n * 2600 + 1);
    out->answers = malloc(n * 8 * 260 + 1);
    bench_row *r = malloc(sizeof *r);
    if (!out->batches || !out->responses || !out->answers || !r)
        bench_die("out of memory");
    out->n_batches =
        (size_t)snprintf(out->batches, 256, "%s\t%s\t%s\t%zu\t%zu\t0\t0\t0\n", batch_id, kiosk,
                         dash ? "1798761600000" : "1796040000000", n, n);
    size_t ro = 0, ao = 0;
    for (size_t i = 0; i < n; i++) {
        if (dash)
            bench_make_dash_row(first + i, r);
        else
            bench_make_row(first + i, r);
        char head[512];
        snprintf(head, sizeof head,
                 "%s\t%s\t%s\t%lld\tbuurtpeiling\t1\tsurvey\t%s\t%s\t%s\t%s\t%lld\t%s\t%lld\t",
                 r->id, kiosk, batch_id, r->seq, r->status, r->language, r->area, r->started_at,
                 r->started_ms, r->completed_at, r->completed_ms);
        /* These columns hold no character COPY escapes: as they are. */
        memcpy(out->responses + ro, head, strlen(head));
        ro += strlen(head);
        ro = put_field(out->responses, ro, r->flags);
        out->responses[ro++] = '\t';
        ro = put_field(out->responses, ro, r->body);
        ro += (size_t)sprintf(out->responses + ro, "\t%s\t%lld\t\\N\n", r->sha,
                              dash ? r->completed_ms + 60000 : 1796040000000LL);
        for (int q = 0; q < r->n_answers; q++) {
            ao += (size_t)sprintf(out->answers + ao, "%s\t%d\t%s\t", r->id, q, r->question[q]);
            ao = put_field(out->answers, ao, r->answers[q]);
            out->answers[ao++] = '\n';
        }
    }
    out->n_responses = ro;
    out->n_answers = ao;
    free(r);
}

static void make_copy(const char *kiosk, unsigned long long first, size_t n, batch_copy *out)
{
    make_copy_of(kiosk, first, n, 0, out);
}

static void copy_into(PGconn *c, const char *sql, const char *data, size_t n)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN)
        bench_die(PQerrorMessage(c));
    PQclear(r);
    if (PQputCopyData(c, data, (int)n) != 1 || PQputCopyEnd(c, NULL) != 1)
        bench_die(PQerrorMessage(c));
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die(PQerrorMessage(c));
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die(PQerrorMessage(c));
    PQclear(r);
}

/* Loads one batch in one transaction. */
static void load(PGconn *c, const batch_copy *b)
{
    exec_ok(c, "BEGIN");
    copy_into(c,
              "COPY batches (batch_id, kiosk_id, received_ms, n_responses, accepted,"
              " duplicates, conflicts, quarantined) FROM STDIN",
              b->batches, b->n_batches);
    copy_into(c,
              "COPY responses (response_id, kiosk_id, batch_id, seq, survey_id, survey_version,"
              " mode, status, language, area, started_at, started_ms, completed_at,"
              " completed_ms, flags, body, body_sha256, received_ms, quarantine_reason)"
              " FROM STDIN",
              b->responses, b->n_responses);
    copy_into(c, "COPY answers (response_id, position, question_id, value_json) FROM STDIN",
              b->answers, b->n_answers);
    exec_ok(c, "COMMIT");
}

static void free_copy(batch_copy *b)
{
    free(b->batches);
    free(b->responses);
    free(b->answers);
}

typedef struct copy_job {
    const char *uri;
    batch_copy *batches;
    size_t n;
} copy_job;

static void *copy_client(void *arg)
{
    copy_job *j = arg;
    PGconn *c = PQconnectdb(j->uri);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die(PQerrorMessage(c));
    exec_ok(c, "SET synchronous_commit = on"); /* as the collector's own sessions */
    for (size_t i = 0; i < j->n; i++)
        load(c, &j->batches[i]);
    PQfinish(c);
    return NULL;
}

static int bench_copy(const char *uri, const char *kiosk, size_t batches, int clients,
                      unsigned long long first)
{
    prepare(uri, kiosk);
    batch_copy *b = calloc(batches, sizeof *b);
    copy_job *jobs = calloc((size_t)clients, sizeof *jobs);
    pthread_t *th = calloc((size_t)clients, sizeof *th);
    if (!b || !jobs || !th)
        bench_die("out of memory");
    for (size_t i = 0; i < batches; i++)
        make_copy(kiosk, first + i * PER_BATCH, PER_BATCH, &b[i]);
    size_t per = batches / (size_t)clients, at = 0;
    for (int i = 0; i < clients; i++) {
        size_t n = per + ((size_t)i < batches % (size_t)clients);
        jobs[i] = (copy_job){uri, b + at, n};
        at += n;
    }
    double t0 = bench_seconds();
    for (int i = 0; i < clients; i++)
        pthread_create(&th[i], NULL, copy_client, &jobs[i]);
    for (int i = 0; i < clients; i++)
        pthread_join(th[i], NULL);
    double secs = bench_seconds() - t0;
    size_t n = batches * PER_BATCH;
    printf("{\"responses\": %zu, \"seconds\": %.4f, \"responses_per_s\": %.1f}\n", n, secs,
           (double)n / secs);
    for (size_t i = 0; i < batches; i++)
        free_copy(&b[i]);
    free(b);
    free(jobs);
    free(th);
    return 0;
}

static int bench_fill(const char *uri, const char *kiosk, size_t responses)
{
    prepare(uri, kiosk);
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die(PQerrorMessage(c));
    const size_t chunk = 10000;
    for (size_t done = 0; done < responses; done += chunk) {
        size_t k = responses - done < chunk ? responses - done : chunk;
        batch_copy b;
        make_copy(kiosk, 0x100000000ULL + done, k, &b);
        load(c, &b);
        free_copy(&b);
        if ((done + k) % 100000 == 0)
            fprintf(stderr, "bench_pg: %zu of %zu\n", done + k, responses);
    }
    exec_ok(c, "ANALYZE");
    PQfinish(c);
    return 0;
}

/* The dashboard figure's rows (bench_ingest fill-dash): kiosks
 * dash-kiosk-01 to -13 without an area, 10,000 responses to a batch. */
static int bench_fill_dash(const char *uri, size_t responses)
{
    storage_options o = {.database = uri, .pool_size = 1, .busy_timeout_ms = 5000};
    storage *st = NULL;
    bk_diag diag = {0};
    if (storage_open(&o, &st, &diag) != BK_OK)
        bench_die(diag.count ? diag.messages[0] : "cannot open the database");
    for (int i = 0; i < 13; i++) {
        char id[32], token[65];
        snprintf(id, sizeof id, "dash-kiosk-%02d", i + 1);
        snprintf(token, sizeof token, "%064x", 0xda5b00 + i);
        storage_kiosk k;
        if (storage_kiosk_get(st, id, &k) != BK_OK &&
            storage_kiosk_add(st, id, NULL, token) != BK_OK)
            bench_die("cannot add a kiosk");
    }
    storage_close(st);
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die(PQerrorMessage(c));
    const size_t chunk = 10000;
    for (size_t done = 0; done < responses; done += chunk) {
        size_t k = responses - done < chunk ? responses - done : chunk;
        char kiosk[32];
        snprintf(kiosk, sizeof kiosk, "dash-kiosk-%02d", (int)((done / chunk) % 13) + 1);
        batch_copy b;
        make_copy_of(kiosk, done, k, 1, &b);
        load(c, &b);
        free_copy(&b);
        if ((done + k) % 100000 == 0)
            fprintf(stderr, "bench_pg: %zu of %zu\n", done + k, responses);
    }
    exec_ok(c, "ANALYZE");
    PQfinish(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        bench_die("libsodium");
    if (argc >= 6 && strcmp(argv[1], "copy") == 0)
        return bench_copy(argv[2], argv[3], strtoul(argv[4], NULL, 10), atoi(argv[5]),
                          argc > 6 ? strtoull(argv[6], NULL, 10) : 0);
    if (argc >= 5 && strcmp(argv[1], "fill") == 0)
        return bench_fill(argv[2], argv[3], strtoul(argv[4], NULL, 10));
    if (argc >= 4 && strcmp(argv[1], "fill-dash") == 0)
        return bench_fill_dash(argv[2], strtoul(argv[3], NULL, 10));
    fprintf(stderr, "usage: bench_pg copy URI KIOSK_ID BATCHES CLIENTS [FIRST]\n"
                    "       bench_pg fill URI KIOSK_ID RESPONSES\n"
                    "       bench_pg fill-dash URI RESPONSES\n");
    return 2;
}
