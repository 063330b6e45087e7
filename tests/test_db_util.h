/* test_db_util.h: the database a collector test runs on, so that one suite
 * runs on both backends. Without BK_TEST_PG it is an SQLite file; with
 * BK_TEST_PG naming the file that tests/pg/cluster.sh wrote (the
 * throwaway cluster's socket folder), every call of tdb_new makes a fresh
 * PostgreSQL database on that cluster. Failures abort the test. */
#ifndef BK_TEST_DB_UTIL_H
#define BK_TEST_DB_UTIL_H

#include <stdbool.h>
#include <stdint.h>

/* True when the tests run on PostgreSQL. */
bool tdb_is_pg(void);

/* A new, empty database for one test: the path dir/name (SQLite), or the
 * URI of a database made for it (PostgreSQL). Caller frees; tdb_drop
 * removes a PostgreSQL database (an SQLite file goes with its folder). */
char *tdb_new(const char *dir, const char *name);
void tdb_drop(const char *db);

/* A URI (PostgreSQL) or path (SQLite) where no database can be opened:
 * a database that does not exist, or a file that is not SQLite. */
char *tdb_broken(const char *dir);

/* Runs sql on a connection of the test's own; tdb_int returns column 0
 * of its first row. The SQL must mean the same to both databases. */
void tdb_exec(const char *db, const char *sql);
int64_t tdb_int(const char *db, const char *sql);

/* Holds the write lock of the collector's tables (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: LOCK TABLE ... IN EXCLUSIVE MODE) until
 * tdb_unlock; plain reads still go on beside it. */
typedef struct tdb_lock tdb_lock;
tdb_lock *tdb_lock_writes(const char *db);
void tdb_unlock(tdb_lock *l);

/* The database's own soundness check: PRAGMA integrity_check answers "ok"
 * (SQLite), every response's batch and kiosk exist (PostgreSQL). */
bool tdb_sound(const char *db);

/* Runs tests/pg/cluster.sh COMMAND on the cluster: "restart" (fast
 * shutdown, its clients cut off, then up again), "pause" (stopped) or
 * "resume". Returns 0 on success. */
int tdb_pg_cluster(const char *command);

#endif
