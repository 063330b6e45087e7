/* store_internal.h: what store.c, store_schema.c and store_batch.c share.
 * Not for use outside the store module. */
#ifndef BK_STORE_INTERNAL_H
#define BK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* The prepared statements, made once at open and reused (sqlite3_reset). */
enum store_sq {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_NEXT_SEQ,
    SQ_RESPONSE_INSERT,
    SQ_RESPONSE_STATUS,
    SQ_ANSWER_UPSERT,
    SQ_ANSWER_DELETE,
    SQ_ANSWER_HIDDEN,
    SQ_FINISH,
    SQ_SET_LANGUAGE,
    SQ_SET_AREA,
    SQ_CLOSE_ABANDONED,
    SQ_ANSWERS_OF,
    SQ_META_GET,
    SQ_META_SET,
    SQ_META_DELETE,
    SQ_EVENT_ADD,
    SQ_EVENT_PRUNE,
    SQ_EVENTS,
    SQ_FOREACH,
    SQ_COUNTS,
    SQ_COUNT_RANGE,
    SQ_BATCH_OPEN,
    SQ_BATCH_GET,
    SQ_BATCH_RESPONSES,
    SQ_QUEUE,
    SQ_BATCH_INSERT,
    SQ_BATCH_ASSIGN,
    SQ_BATCH_CLOSE,
    SQ_BATCH_DELIVER_RESPONSES,
    SQ_BATCH_REJECT_RESPONSES,
    SQ_BATCH_NTH_SEQ,
    SQ_BATCH_MOVE,
    SQ_PURGE_RESPONSES,
    SQ_PURGE_BATCHES,
    SQ_COUNT_
};

struct store {
    sqlite3 *db;
    bk_clock clock;
    char *path;
    int default_max_pages; /* PRAGMA max_page_count at open */
    bool full_logged;      /* "disk full" logged since the last good write */
    bool in_foreach;       /* store_foreach_response is running */
    sqlite3_stmt *sq[SQ_COUNT_];
};

/* The columns every response query selects, in this order (store_row_load). */
#define STORE_RESPONSE_COLS                                                                        \
    "id, seq, response_id, survey_id, survey_version, mode, status, language, area, "              \
    "started_ms, completed_ms, flags, batch_id, delivered, rejected"

/* Checks st's -wal (store_wal.c) under the write lock before integrity_check:
 * BK_ERR_CORRUPT (with problem filled) when transactions committed after a
 * damaged frame or header would be silently dropped by SQLite's recovery;
 * BK_OK otherwise, also when the lock is busy (another connection, which
 * opened first, is writing). */
bk_err store_wal_check(store *st, char *problem, size_t psize);

/* Maps an SQLite result code to a bk_err (BK_OK for OK/ROW/DONE). */
bk_err store_map_rc(int rc);

/* Maps rc and logs the failure of what once, with SQLite's message (never
 * bound values). Disk full is logged once until a write succeeds again. */
bk_err store_fail(store *st, int rc, const char *what);

/* Resets s and clears its bindings, ready for the next use. */
void store_stmt_done(sqlite3_stmt *s);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback only when a transaction is
 * still open: SQLite may already have rolled back after FULL or IOERR). */
bk_err store_tx_begin(store *st);
bk_err store_tx_commit(store *st);
void store_tx_rollback(store *st);

/* Wall-clock now from the injected clock. */
int64_t store_now_ms(const store *st);

/* Fills row from the current row of s (STORE_RESPONSE_COLS) and loads its
 * answers. On error row is cleared. */
bk_err store_row_load(store *st, sqlite3_stmt *s, store_response_row *row);

/* store_row_clear and store_row_json are core/response.h's. */
#define store_row_clear response_row_clear
#define store_row_json response_to_json

/* Adds an event inside the caller's transaction (or autocommit). */
bk_err store_event_insert(store *st, const char *kind, const char *message);

/* Runs every statement of sql (no parameters), for schema scripts. */
int store_exec_script(sqlite3 *db, const char *sql);

/* Brings the database to store_schema_version(), one transaction per step.
 * *from gets the user_version found. BK_ERR_STATE when the file is newer
 * than this code. */
bk_err store_migrate(sqlite3 *db, int *from);

#endif
