/* bench_store.c: storing one completed response through the store (begin,
 * area, one answer per question, finish: what the kiosk commits for one
 * resident) against a bare SQLite insert of one row in one transaction with
 * the store's pragmas (WAL, synchronous=FULL, foreign_keys). The two are
 * interleaved so both see the same disk and the same noise. Writes the
 * microseconds of each, one per line.
 *
 * usage: bench_store --survey FILE --dir DIR --n N --out-store FILE
 *                    --out-bare FILE [--warmup N] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

/* A row the size of one response object. */
static const char bench_row[] =
    "{\"response_id\":\"3f0c2a4e-8d7b-4c1e-9a6f-2b5d7e8f9a0b\",\"seq\":1,"
    "\"survey_id\":\"buurtpeiling\",\"survey_version\":1,\"mode\":\"survey\","
    "\"status\":\"complete\",\"language\":\"nl\",\"area\":\"dorst\","
    "\"started_at\":\"2025-01-01T10:00:00.000Z\",\"completed_at\":\"2025-01-01T10:01:30.000Z\","
    "\"flags\":[],\"answers\":[{\"question_id\":\"q1\",\"value\":4},"
    "{\"question_id\":\"q2\",\"value\":3},{\"question_id\":\"q3\",\"value\":2},"
    "{\"question_id\":\"q4\",\"value\":4},{\"question_id\":\"q5\",\"value\":4},"
    "{\"question_id\":\"q6\",\"value\":[\"feest\"]},{\"question_id\":\"q7\",\"value\":\"ja\"},"
    "{\"question_id\":\"q8\",\"value\":\"Een bankje bij de bushalte\"}]}";

static void sql_check(sqlite3 *db, int rc, int want, const char *what)
{
    if (rc == want)
        return;
    fprintf(stderr, "bench_store: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    sql_check(db, sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, sql);
}

int main(int argc, char **argv)
{
    const char *survey_path = NULL, *dir = NULL, *out_store = NULL, *out_bare = NULL;
    long n = 0, warmup = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--survey") == 0)
            survey_path = argv[i + 1];
        else if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--n") == 0)
            n = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--warmup") == 0)
            warmup = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--out-store") == 0)
            out_store = argv[i + 1];
        else if (strcmp(argv[i], "--out-bare") == 0)
            out_bare = argv[i + 1];
    }
    if (!survey_path || !dir || !out_store || !out_bare || n <= 0 || warmup < 0) {
        fprintf(stderr, "usage: bench_store --survey FILE --dir DIR --n N --out-store FILE "
                        "--out-bare FILE [--warmup N]\n");
        return 2;
    }
    bk_diag diag = {0};
    survey *s = survey_load_file(survey_path, &diag);
    if (!s) {
        diag_print(&diag, stderr);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/store.db", dir);
    bk_clock clock = clock_system();
    store *st = NULL;
    bench_check(store_open(path, &clock, &st, NULL), "store_open");

    snprintf(path, sizeof path, "%s/bare.db", dir);
    sqlite3 *db = NULL;
    sql_check(db, sqlite3_open(path, &db), SQLITE_OK, "open bare database");
    exec(db, "PRAGMA journal_mode = WAL");
    exec(db, "PRAGMA synchronous = FULL");
    exec(db, "PRAGMA foreign_keys = ON");
    exec(db, "CREATE TABLE IF NOT EXISTS responses (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    sqlite3_stmt *begin, *insert, *commit;
    sql_check(db, sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL), SQLITE_OK, "begin");
    sql_check(db,
              sqlite3_prepare_v2(db, "INSERT INTO responses (body) VALUES (?1)", -1, &insert, NULL),
              SQLITE_OK, "insert");
    sql_check(db, sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), SQLITE_OK, "commit");

    FILE *fs = fopen(out_store, "w"), *fb = fopen(out_bare, "w");
    if (!fs || !fb) {
        fprintf(stderr, "bench_store: cannot write the output files\n");
        return 1;
    }
    for (long i = 0; i < warmup + n; i++) {
        double t0 = bench_now_us();
        bench_store_response(st, s, (uint64_t)i);
        double t1 = bench_now_us();
        sql_check(db, sqlite3_step(begin), SQLITE_DONE, "BEGIN");
        sqlite3_reset(begin);
        sqlite3_bind_text(insert, 1, bench_row, -1, SQLITE_STATIC);
        sql_check(db, sqlite3_step(insert), SQLITE_DONE, "INSERT");
        sqlite3_reset(insert);
        sql_check(db, sqlite3_step(commit), SQLITE_DONE, "COMMIT");
        sqlite3_reset(commit);
        double t2 = bench_now_us();
        if (i >= warmup) {
            fprintf(fs, "%.1f\n", t1 - t0);
            fprintf(fb, "%.1f\n", t2 - t1);
        }
    }
    fclose(fs);
    fclose(fb);
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    store_close(st);
    survey_free(s);
    diag_clear(&diag);
    return 0;
}
