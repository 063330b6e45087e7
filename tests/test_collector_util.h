/* test_collector_util.h: the real collector and the real kiosk as
 * programs, for the collector's end-to-end tests (test_collector_e2e.c,
 * test_collector_instances.c): a case's folder, the collector's
 * configuration and database (tests/test_db_util.h: SQLite or
 * PostgreSQL), starting and stopping `serve`, the kiosk's configuration,
 * syncing, and what the collector holds afterwards. Failures abort the
 * test (cmocka). */
#ifndef BK_TEST_COLLECTOR_UTIL_H
#define BK_TEST_COLLECTOR_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One case: a collector (its configuration, database, server) and one
 * kiosk (its configuration, database, token). */
typedef struct e2e {
    char dir[300];
    char coll_ini[400];
    char *coll_db; /* tests/test_db_util.h: an SQLite file or a PostgreSQL URI */
    char kiosk_ini[400], kiosk_db[400];
    char token[128];
    pid_t server;
    int port;
    bool tls; /* the collector serves https with the case's own CA */
} e2e;

int64_t e2e_now_ms(void);

int e2e_wait_exit(pid_t pid);

/* Runs argv (argv[0] a path) with stdout to out_path and stderr to
 * err_path (either NULL: /dev/null); returns the pid. */
pid_t e2e_spawn(const char *const *argv, const char *out_path, const char *err_path);

/* Runs argv to its end; its stdout (caller frees) in *out when out is
 * given, its stderr in *err when err is given. Returns the exit status. */
int e2e_run(const e2e *t, const char *const *argv, char **out, char **err);

/* `buurtkiosk-collector ARGS... --config coll_ini`; stdout in *out. */
int e2e_collector(const e2e *t, char **out, const char *a1, const char *a2, const char *a3,
                  const char *a4);

/* Writes the collector's configuration with extra lines in [limits] and
 * [server]/[storage] overrides. */
void e2e_write_collector_ini(e2e *t, int port, const char *server_extra, const char *storage_extra,
                             const char *limits);

/* Adds kiosk_id to the collector; its token (the last line of stdout) in
 * token (size 128). */
void e2e_add_kiosk(e2e *t, const char *kiosk_id, char *token);

/* Makes the case's directory, the collector (kiosk test-kiosk-01 added,
 * the demo surveys published to all) and the kiosk's configuration. */
void e2e_init(e2e *t, const char *tag, const char *limits, const char *storage_extra);

/* Writes the kiosk's configuration for the running server; the kiosk's id
 * and token are given (another kiosk's token for the 403 case). */
void e2e_write_kiosk_ini(e2e *t, const char *kiosk_id, const char *token, int batch_max);

/* Starts `serve`, waits for its "listening on" line, and notes the port.
 * Returns false when it did not start (after SIGKILL, a port can be held
 * for a moment). */
bool e2e_server_start(e2e *t);

/* SIGTERM: the collector must stop cleanly (exit 0). */
void e2e_server_stop(e2e *t);

void e2e_done(e2e *t);

/* `buurtkiosk sync` with --retries; stderr in *err. */
int e2e_kiosk_sync(e2e *t, const char *retries, char **err);

/* Runs a replay of tests/replays on the kiosk (its database). */
void e2e_kiosk_replay(e2e *t, const char *name);

/* The collector's export (JSON Lines) as a receiver-style dump:
 * {"responses": {id: response}, "order": [id...]}, kiosk_id checked and
 * removed. Every response the collector holds when all is true, else the
 * counted ones. Aborts when a response_id appears twice. */
json_t *e2e_collector_dump(e2e *t, bool all);

void e2e_assert_holds_store(e2e *t);

/* The collector's database passes its own check (tdb_sound). */
void e2e_assert_sound(const e2e *t);

#endif
