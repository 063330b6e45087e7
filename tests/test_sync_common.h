/* test_sync_common.h: helpers for the sync tests: a temporary directory, a
 * seeded store, the test receiver (tests/receiver/receiver.py) as a child
 * process, its control port, and comparing what it holds with the store. */
#ifndef BK_TEST_SYNC_COMMON_H
#define BK_TEST_SYNC_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "store.h"
#include "sync.h"

#define TS_TOKEN "s3cret-test-token"
#define TS_KIOSK "test-kiosk-01"

/* A fresh directory under $TMPDIR (or /tmp); path in buf. Aborts on error. */
void ts_tmpdir(char *buf, size_t size, const char *tag);

/* Removes dir and everything in it. */
void ts_rmtree(const char *dir);

/* Writes text to path with mode. Aborts on error. */
void ts_write_file(const char *path, const char *text, mode_t mode);

/* Reads a whole file (caller frees), or NULL. */
char *ts_read_file(const char *path, size_t *len);

/* Creates the store at db_path with n finished responses of every kind
 * (complete and partial, flags, int/text/list answers, unicode, null area),
 * quickly (synchronous=OFF while seeding). */
void ts_seed_store(const char *db_path, int n);

/* Copies a file. Aborts on error. */
void ts_copy_file(const char *from, const char *to);

/* ---- The receiver ---- */

typedef struct ts_receiver {
    pid_t pid;
    int port;    /* the protocol port */
    int control; /* the plain control port */
} ts_receiver;

/* Starts receiver.py with the extra arguments (NULL-terminated list) and
 * waits for its port line. Aborts the test on failure. */
void ts_receiver_start(ts_receiver *r, const char *const *args);

/* Stops it (SIGTERM, then waits). */
void ts_receiver_stop(ts_receiver *r);

/* POSTs a JSON text to /_control. Returns the HTTP status. */
int ts_receiver_control(const ts_receiver *r, const char *json);

/* GETs /_dump as a jansson object (caller decrefs); aborts on failure. */
json_t *ts_receiver_dump(const ts_receiver *r);

/* GETs /_stats (counts only, cheap) as a jansson object (caller decrefs). */
json_t *ts_receiver_stats(const ts_receiver *r);

/* An integer from the dump (0 when absent). */
long long ts_dump_int(json_t *dump, const char *key);

/* ---- Configuration ---- */

/* A configuration for base_url with the token written to dir/token (0600).
 * Strings are owned by the returned struct; free with ts_config_free. */
void ts_config(bk_config *cfg, const char *dir, const char *base_url, int batch_max);
void ts_config_free(bk_config *cfg);

/* Options for tests: tiny backoff, many retries in a pass, a sleep that
 * only records (ts_sleeps). */
sync_options ts_fast_options(void);

/* ---- Checks ---- */

/* Asserts that the receiver holds every finished response of the store at
 * db_path exactly once with every field equal to the store's own JSON, no
 * conflicts, no protocol errors, and that the kiosk's queue is empty. */
void ts_assert_exactly_once(const char *db_path, json_t *dump);

/* Store counts of the database at db_path. */
store_counts ts_counts(const char *db_path);

#endif
