/* store.h: the kiosk's local SQLite store, the one owner of the schema.
 *
 * Every answer is committed in its own transaction as the resident goes, so
 * a power cut keeps what was answered. WAL, synchronous=FULL, foreign keys.
 * One store handle belongs to one thread; the sync worker opens its own.
 * Disk full and I/O errors come back as BK_ERR_FULL / BK_ERR_IO, never as a
 * crash, and leave everything already committed intact. */
#ifndef BK_STORE_H
#define BK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "error.h"
#include "response.h"

typedef struct store store;

#define STORE_UUID_LEN 36 /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */

typedef enum store_status {
    STORE_STATUS_STARTED,  /* the resident is still busy */
    STORE_STATUS_COMPLETE, /* the resident reached the thank-you screen */
    STORE_STATUS_PARTIAL,  /* abandoned (idle timeout, staff mode, restart) */
} store_status;

/* One answer's value, as in PROTOCOL.md: an integer, a string, or a list
 * of strings. The store copies what it is given. */
typedef enum answer_kind { ANSWER_NONE, ANSWER_INT, ANSWER_TEXT, ANSWER_LIST } answer_kind;
typedef struct answer_value {
    answer_kind kind;
    long long integer;       /* ANSWER_INT */
    const char *text;        /* ANSWER_TEXT (UTF-8) */
    const char *const *list; /* ANSWER_LIST: option ids */
    size_t n_list;
} answer_value;

/* What the store knows when a response starts. Strings are copied. */
typedef struct store_response_meta {
    const char *survey_id;
    int survey_version;
    const char *mode;     /* "survey" or "live" */
    const char *language; /* "nl", "en", ... */
    const char *area;     /* area id or NULL */
} store_response_meta;

typedef struct store_response_ref {
    int64_t rowid;                        /* handle for the calls below */
    int64_t seq;                          /* rises by one per response on this kiosk */
    char response_id[STORE_UUID_LEN + 1]; /* UUID v4 from the OS random source */
} store_response_ref;

/* What store_open found. */
typedef struct store_open_info {
    bool recovered;     /* the old database was damaged and moved aside */
    char moved_to[512]; /* where it went (same directory, ".corrupt-<time>") */
    int from_version;   /* user_version before migrations */
} store_open_info;

/* Opens (creating and migrating when needed) the database at path; runs
 * integrity_check, and moves a damaged database (and its -wal/-shm) aside,
 * never deleting it, starting a fresh one and recording the event.
 * clock is copied and used for every timestamp. info may be NULL.
 * Returns BK_OK and a new handle in *out (free with store_close). */
bk_err store_open(const char *path, const bk_clock *clock, store **out, store_open_info *info);

/* Closes st. NULL is a no-op. */
void store_close(store *st);

/* The schema version this code migrates to (PRAGMA user_version). */
int store_schema_version(void);

/* Starts a response: new UUID, next seq, started_at now. seq is taken
 * under BEGIN IMMEDIATE and kept in a counter row, so two connections never
 * share one and it never goes back, even after a purge. meta->mode must be
 * "survey" or "live"; BK_ERR_INVALID otherwise. */
bk_err store_response_begin(store *st, const store_response_meta *meta, store_response_ref *out);

/* Sets (inserts or replaces) the answer to question_id; ANSWER_NONE deletes
 * it (a question skipped after going back). One transaction. A changed
 * answer keeps its place; answers are listed in the order first given.
 * BK_ERR_NOT_FOUND for an unknown rowid, BK_ERR_STATE once the response is
 * finished, BK_ERR_INVALID for text that is not UTF-8. */
bk_err store_answer_set(store *st, int64_t rowid, const char *question_id, const answer_value *v);

/* Sets or clears the moderation flag of one answer (live mode: a staff
 * member hides an improper text from the results screen). Works on any
 * response, finished or not; the answer is still uploaded. BK_ERR_NOT_FOUND
 * when there is no such answer. */
bk_err store_answer_set_hidden(store *st, const char *response_id, const char *question_id,
                               bool hidden);

/* Changes the language or area of a started response (NULL area = none). */
bk_err store_response_set_language(store *st, int64_t rowid, const char *language);
bk_err store_response_set_area(store *st, int64_t rowid, const char *area);

/* Ends a response as COMPLETE or PARTIAL with its flags (e.g. "rapid",
 * "repeat", "personal-data"; n_flags may be 0), completed_at now. After this
 * the response is fixed and becomes eligible for upload. */
bk_err store_response_finish(store *st, int64_t rowid, store_status status,
                             const char *const *flags, size_t n_flags);

/* Marks every response still STARTED as PARTIAL (after a crash or restart).
 * Returns the number changed in *n (may be NULL). */
bk_err store_close_abandoned(store *st, int *n);

/* ---- Reading back (export, staff, results, tests) ---- */

/* One stored response with its answers, values as JSON text (core/response.h). */
typedef response_answer store_answer_row;
typedef response_row store_response_row;

/* Calls fn for each response with seq > after_seq (and, when since_wall_ms
 * > 0, started at or after it), in seq order; the row is valid only during
 * the call. fn returns 0 to go on, non-zero to stop. Rows are read one at a
 * time (constant memory). fn must not write to this store handle; calling
 * store_foreach_response again from fn gives BK_ERR_STATE. */
bk_err store_foreach_response(store *st, int64_t after_seq, int64_t since_wall_ms,
                              int (*fn)(const store_response_row *row, void *ctx), void *ctx);

/* Writes the PROTOCOL.md response object of row as compact JSON into a new
 * string (caller frees with free()), or NULL when out of memory or a stored
 * value is not valid JSON. The batch body uses this same function, so a
 * response reads the same in an export and in an upload. The hidden flag is
 * not part of it (hidden answers are still uploaded). */
char *store_response_to_json(const store_response_row *row);

typedef struct store_counts {
    int64_t total;    /* every response, any status */
    int64_t today;    /* started since local midnight */
    int64_t queued;   /* finished, not delivered, not rejected */
    int64_t rejected; /* set aside */
    int64_t delivered;
    int64_t started; /* still in progress */
} store_counts;

/* Counts for staff mode and the heartbeat. */
bk_err store_count(store *st, store_counts *out);

/* Responses per local calendar day for the last n_days days, oldest first:
 * per_day[n_days - 1] is today. */
bk_err store_count_per_day(store *st, int n_days, int64_t *per_day);

/* ---- Upload batches (used by the sync worker) ---- */

typedef struct store_batch {
    char batch_id[STORE_UUID_LEN + 1];
    char created_at[32];
    size_t n_responses;
    int64_t first_seq, last_seq;
    char *body; /* the full PROTOCOL.md batch body, owned; free with store_batch_free */
    size_t body_len;
} store_batch;

/* Returns the oldest open (unacknowledged, not rejected) batch, unchanged,
 * or when there is none, forms a new one from the oldest finished
 * undelivered responses in seq order: at most max_responses and, past the
 * first, at most max_bytes of body. The body is built streaming, one
 * response at a time. Returns BK_ERR_NOT_FOUND when nothing is waiting. */
bk_err store_batch_next(store *st, const char *kiosk_id, size_t max_responses, size_t max_bytes,
                        store_batch *out);

/* Frees what b owns. */
void store_batch_free(store_batch *b);

/* The server acknowledged batch_id: every response in it is delivered
 * (atomically). */
bk_err store_batch_delivered(store *st, const char *batch_id);

/* 400/422: sets the batch aside as rejected with the server's message; its
 * responses are kept and never purged. */
bk_err store_batch_reject(store *st, const char *batch_id, const char *message);

/* 413: dissolves the batch into two new batches (new ids, same responses,
 * first half and second half). A batch of one response cannot be split:
 * BK_ERR_STATE. */
bk_err store_batch_split(store *st, const char *batch_id);

/* Deletes delivered responses completed more than retention_days ago.
 * Undelivered and rejected responses are never purged. *n may be NULL. */
bk_err store_purge(store *st, int retention_days, int *n);

/* ---- Small key/value state (ETag, staff choices, last sync) ---- */

/* Returns a new string (caller frees) in *value, or BK_ERR_NOT_FOUND. */
bk_err store_meta_get(store *st, const char *key, char **value);
/* Sets or (value NULL) deletes key. */
bk_err store_meta_set(store *st, const char *key, const char *value);

/* ---- Events for staff (corruption recovered, lockouts, disk full) ---- */

bk_err store_event_add(store *st, const char *kind, const char *message);

/* Calls fn for the newest max events, newest first. */
bk_err store_foreach_event(store *st, int max,
                           int (*fn)(const char *at, const char *kind, const char *message,
                                     void *ctx),
                           void *ctx);

/* ---- Limits, for tests ---- */

/* Limits the database to pages pages (PRAGMA max_page_count, this handle
 * only), to simulate a full disk; pages <= 0 restores the default. A limit
 * below the current size becomes the current size. */
bk_err store_set_max_pages(store *st, int pages);

/* Sets how long a call waits for another connection's lock before it
 * returns BK_ERR_BUSY (default 5000 ms). */
bk_err store_set_busy_timeout(store *st, int ms);

/* The sqlite3 handle, for tests and the benchmark only. */
void *store_sqlite_handle(store *st);

#endif
