/* gen_backlog.c: a database with N completed responses of a survey, every
 * question answered, written through the store's own API (the same rows
 * the kiosk writes). With --fast the handle runs with synchronous=OFF and a
 * 256 MiB page cache, holding its lock throughout (only the speed of writing differs, not what is
 * written). At the end the
 * WAL is checkpointed into the database file and its size is printed:
 * "responses N bytes B pages P page_size S freelist F".
 *
 * usage: bench_backlog --survey FILE --db FILE --n N [--fast] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

static long long pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

int main(int argc, char **argv)
{
    const char *survey_path = NULL, *db_path = NULL;
    long n = -1;
    int fast = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fast") == 0)
            fast = 1;
        else if (i + 1 < argc && strcmp(argv[i], "--survey") == 0)
            survey_path = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--db") == 0)
            db_path = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--n") == 0)
            n = strtol(argv[++i], NULL, 10);
    }
    if (!survey_path || !db_path || n < 0) {
        fprintf(stderr, "usage: bench_backlog --survey FILE --db FILE --n N [--fast]\n");
        return 2;
    }
    bk_diag diag = {0};
    survey *s = survey_load_file(survey_path, &diag);
    if (!s) {
        diag_print(&diag, stderr);
        return 1;
    }
    bk_clock clock = clock_system();
    store *st = NULL;
    bench_check(store_open(db_path, &clock, &st, NULL), "store_open");
    sqlite3 *db = store_sqlite_handle(st);
    if (fast && sqlite3_exec(db,
                             "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; "
                             "PRAGMA locking_mode = EXCLUSIVE",
                             NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_backlog: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    for (long i = 0; i < n; i++)
        bench_store_response(st, s, (uint64_t)i);
    if (sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_backlog: checkpoint: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    long long pages = pragma_int(db, "PRAGMA page_count");
    long long size = pragma_int(db, "PRAGMA page_size");
    long long freel = pragma_int(db, "PRAGMA freelist_count");
    printf("responses %ld bytes %lld pages %lld page_size %lld freelist %lld\n", n, pages * size,
           pages, size, freel);
    store_close(st);
    survey_free(s);
    diag_clear(&diag);
    return 0;
}
