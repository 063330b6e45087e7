/* test_db_util.c: see test_db_util.h. */
#define _GNU_SOURCE /* asprintf */
#include "test_db_util.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* BK_TEST_PG's file holds one line: the cluster's socket folder. */
static const char *pg_host(void)
{
    static char host[512];
    if (host[0])
        return host;
    const char *file = getenv("BK_TEST_PG");
    if (!file || !file[0])
        return NULL;
    FILE *f = fopen(file, "r");
    if (!f || !fgets(host, sizeof host, f)) {
        fprintf(stderr,
                "BK_TEST_PG=%s cannot be read: start the cluster with "
                "tests/pg/cluster.sh start\n",
                file);
        abort();
    }
    fclose(f);
    host[strcspn(host, "\n")] = '\0';
    return host;
}

bool tdb_is_pg(void)
{
    return pg_host() != NULL;
}

static char *pg_uri(const char *dbname)
{
    char *uri = NULL;
    if (asprintf(&uri, "postgresql:///%s?host=%s&user=postgres", dbname, pg_host()) < 0)
        abort();
    return uri;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *pg_open(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "tdb: cannot connect to %s: %s", uri, PQerrorMessage(c));
        abort();
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

static PGresult *pg_must(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        fprintf(stderr, "tdb: %s: %s", sql, PQerrorMessage(c));
        abort();
    }
    return r;
}

static void pg_admin(const char *sql)
{
    char *uri = pg_uri("postgres");
    PGconn *c = pg_open(uri);
    PQclear(pg_must(c, sql));
    PQfinish(c);
    free(uri);
}

char *tdb_new(const char *dir, const char *name)
{
    if (!tdb_is_pg()) {
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
            abort();
        return path;
    }
    static unsigned counter;
    char dbname[64], sql[128];
    snprintf(dbname, sizeof dbname, "bk_test_%ld_%u", (long)getpid(), counter++);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    pg_admin(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
    pg_admin(sql);
    return pg_uri(dbname);
}

void tdb_drop(const char *db)
{
    if (!db || !tdb_is_pg())
        return;
    const char *name = db + strlen("postgresql:///");
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)", (int)strcspn(name, "?"),
             name);
    pg_admin(sql);
}

char *tdb_broken(const char *dir)
{
    if (tdb_is_pg())
        return pg_uri("bk_test_no_such_database");
    char *path = NULL;
    if (asprintf(&path, "%s/garbage.db", dir) < 0)
        abort();
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs("this is not an SQLite database, only some text that is long enough", f);
    fclose(f);
    return path;
}

void tdb_exec(const char *db, const char *sql)
{
    if (tdb_is_pg()) {
        PGconn *c = pg_open(db);
        PQclear(pg_must(c, sql));
        PQfinish(c);
        return;
    }
    sqlite3 *s = NULL;
    char *msg = NULL;
    if (sqlite3_open(db, &s) != SQLITE_OK || sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "tdb: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(s));
        abort();
    }
    sqlite3_close(s);
}

int64_t tdb_int(const char *db, const char *sql)
{
    if (tdb_is_pg()) {
        PGconn *c = pg_open(db);
        PGresult *r = pg_must(c, sql);
        if (PQntuples(r) < 1) {
            fprintf(stderr, "tdb: %s: no row\n", sql);
            abort();
        }
        int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        PQfinish(c);
        return v;
    }
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(db, &s) != SQLITE_OK ||
        sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        fprintf(stderr, "tdb: %s: %s\n", sql, sqlite3_errmsg(s));
        abort();
    }
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

struct tdb_lock {
    sqlite3 *sq;
    PGconn *pg;
};

tdb_lock *tdb_lock_writes(const char *db)
{
    tdb_lock *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    if (tdb_is_pg()) {
        l->pg = pg_open(db);
        PQclear(pg_must(l->pg, "BEGIN"));
        PQclear(pg_must(l->pg, "LOCK TABLE kiosks, batches, responses, kiosk_status,"
                               " surveys IN EXCLUSIVE MODE"));
        return l;
    }
    if (sqlite3_open(db, &l->sq) != SQLITE_OK ||
        sqlite3_exec(l->sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        abort();
    return l;
}

void tdb_unlock(tdb_lock *l)
{
    if (!l)
        return;
    if (l->pg) {
        PQclear(pg_must(l->pg, "ROLLBACK"));
        PQfinish(l->pg);
    } else {
        sqlite3_exec(l->sq, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(l->sq);
    }
    free(l);
}

bool tdb_sound(const char *db)
{
    if (tdb_is_pg())
        return tdb_int(db, "SELECT count(*) FROM responses r WHERE NOT EXISTS"
                           " (SELECT 1 FROM batches b WHERE b.batch_id = r.batch_id)"
                           " OR NOT EXISTS (SELECT 1 FROM kiosks k WHERE k.id = r.kiosk_id)") == 0;
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_open(db, &s) == SQLITE_OK &&
              sqlite3_prepare_v2(s, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(s);
    return ok;
}

int tdb_pg_cluster(const char *command)
{
    const char *file = getenv("BK_TEST_PG");
    const char *script = getenv("BK_TEST_PG_SCRIPT");
    if (!file || !script)
        return -1;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' >/dev/null", script, command, file);
    return system(cmd) == 0 ? 0 : -1;
}
