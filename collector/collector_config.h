/* collector_config.h: the collector's INI configuration (config/collector.ini),
 * read with core/ini_file.h the way the kiosk reads its own: unknown sections or
 * keys are errors, and every error names file and line. Every key, default
 * and rule: docs/collector.md. */
#ifndef BK_COLLECTOR_CONFIG_H
#define BK_COLLECTOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "error.h"
#include "ini_areas.h"

#define COLLECTOR_MAX_AREAS 64    /* lines of [areas] */
#define COLLECTOR_MAX_COHESION 16 /* cohesion_questions at most */

typedef struct collector_config {
    char *path; /* the file this was read from */
    struct {
        char *listen;    /* address to bind; default "127.0.0.1" */
        int port;        /* default 8443; 0 = any free port (tests) */
        char *base_path; /* default "/buurtkiosk"; starts with '/', never ends in '/' */
        char *tls_cert;  /* PEM files; both or neither; required unless listen is loopback */
        char *tls_key;
        int threads;           /* worker threads; default 4 (1..64) */
        int max_connections;   /* default 256 */
        int max_pending;       /* requests waiting for the store before 503; default 32 */
        int request_timeout_s; /* a whole request, headers to last byte; default 30 */
        int retry_after_s;     /* the Retry-After of a 503; default 5 */
    } server;
    struct {
        char *database;      /* a file path (SQLite; relative to the config file), or a
                                postgresql:// URI (PostgreSQL; no password in it) */
        int busy_timeout_ms; /* how long a write waits for a lock before 503; default 5000 */
        int pool_size;       /* database connections of `serve` at most; default threads + 1 */
    } storage;
    struct {
        int64_t max_body_bytes;     /* on the wire; default 8 MiB */
        int64_t max_inflated_bytes; /* after gzip; default 64 MiB */
        int max_responses;          /* per batch; default 2000 */
    } limits;
    struct {
        int min_group;         /* no figure for fewer responses than this; default 5 */
        int offline_after_s;   /* a kiosk without a heartbeat this long is offline; default 3600 */
        int session_idle_s;    /* a session unused this long ends; default 1800 */
        int session_max_s;     /* and one this old; default 43200 (12 hours) */
        int lock_after;        /* wrong passwords before the account locks; default 5 */
        int lock_base_s;       /* the first lock, doubled for each further one; default 30 */
        char *cohesion_survey; /* the survey whose statements make the cohesion score */
        char *cohesion_questions[COLLECTOR_MAX_COHESION]; /* their ids */
        size_t n_cohesion;
    } dashboard;
    ini_area areas[COLLECTOR_MAX_AREAS]; /* the wijken and dorpen, in file order */
    size_t n_areas;
} collector_config;

/* Reads and validates the configuration at path into *out (zeroed first).
 * Every problem goes to diag as "FILE:LINE: problem" in line order. Returns
 * BK_OK, BK_ERR_IO when the file cannot be read, BK_ERR_INVALID, or
 * BK_ERR_NOMEM; *out is freed on error. */
bk_err collector_config_load(const char *path, collector_config *out, bk_diag *diag);

/* Frees what cfg owns and zeroes it. NULL is a no-op. */
void collector_config_free(collector_config *cfg);

/* The database to open: a PostgreSQL URI as written, a file resolved as
 * collector_config_resolve does. A new string (caller frees), or NULL
 * when out of memory. */
char *collector_config_database(const collector_config *cfg);

/* The display name of area id in lang ("nl", "en"): its translation,
 * else its name, else id itself when [areas] does not list it. */
const char *collector_config_area_name(const collector_config *cfg, const char *id,
                                       const char *lang);

/* Resolves path relative to the configuration file's folder (absolute paths
 * unchanged). Returns a new string (caller frees) or NULL when out of memory
 * or path is NULL. */
char *collector_config_resolve(const collector_config *cfg, const char *path);

#endif
