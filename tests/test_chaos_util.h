/* test_chaos_util.h: helpers shared by the hardening tests (power cut, disk
 * full, corruption, network and clock chaos, the monkey): their kiosk
 * configuration, starting the real binary without waiting for it, the
 * integrity of a database as a crash left it, and checking every stored
 * response against its survey definition. */
#ifndef BK_TEST_CHAOS_UTIL_H
#define BK_TEST_CHAOS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "store.h"
#include "survey.h"

/* The hardening test data: kiosk.ini (demo PIN 1234 at the lowest hash
 * cost) and surveys/ (stroom: two questions; alltypes: every kind). */
#define HC_DATA BK_TEST_DATA "/hardening"
#define HC_INI HC_DATA "/kiosk.ini"
#define HC_SURVEYS HC_DATA "/surveys"

/* Writes a copy of HC_INI to dst in which each "key = value" line named in
 * kv (pairs of key and value, ended by NULL) gets the new value. The survey
 * folder becomes absolute (HC_SURVEYS) unless kv sets "directory". Fails the
 * test on error. */
void hc_write_config(const char *dst, const char *const *kv);

/* Starts the kiosk binary (BK_BINARY) with argv (the arguments after the
 * binary, NULL-terminated) and the SDL drivers of the UI tests; stdout and
 * stderr go to log (appended). Returns the child's pid. */
pid_t hc_spawn_kiosk(const char *const *argv, const char *log);

/* Waits for pid; returns its exit status, or 128 + signal when killed. */
int hc_wait(pid_t pid);

/* Prints the file at path to stderr (a child's log after a failure). */
void hc_print_file(const char *path);

/* Copies db and its -wal (when present) into scratch_dir, as a crash left
 * them, and runs PRAGMA integrity_check and foreign_key_check on the copy,
 * so the next kiosk start still finds the original -wal to recover.
 * Returns true when both are clean; else the first problem is in msg. */
bool hc_integrity_ok(const char *db, const char *scratch_dir, char *msg, size_t size);

/* ---- Stored responses against their surveys ---- */

/* Every survey definition in dir (*.json, all must be valid). */
typedef struct hc_surveys {
    survey *s[16];
    size_t n;
} hc_surveys;

void hc_surveys_load(hc_surveys *out, const char *dir);
void hc_surveys_free(hc_surveys *v);

/* Checks one stored response against the survey it names (id and version
 * in v) and cfg's areas: status, mode and language; every answer belongs to
 * a question that takes one and has a value of the right kind within the
 * question's limits; a live response holds one answer (complete) or at most
 * one (partial) (scale 1-5, an option id, a list of distinct option ids
 * within max, a number within min..max, UTF-8 text within max_length); a
 * finished survey response holds no answer to a question its show_if hides,
 * and a complete one answers every required question that applies.
 * Returns true when valid; else the first problem in why. */
bool hc_response_valid(const hc_surveys *v, const bk_config *cfg, const store_response_row *row,
                       char *why, size_t size);

/* Checks every response in the store with hc_response_valid. Returns the
 * number of invalid ones (each printed) and the number checked in *n. */
size_t hc_check_all_responses(store *st, const hc_surveys *v, const bk_config *cfg, size_t *n);

/* A small fast random generator (xorshift64*), seeded by the caller. */
typedef struct hc_rng {
    uint64_t s;
} hc_rng;

uint64_t hc_rand(hc_rng *r);
/* A number in [0, n) (n > 0). */
uint64_t hc_below(hc_rng *r, uint64_t n);

/* The seed for a test: $name (e.g. BK_POWERCUT_SEED) when set, else from
 * the time; printed so a failure can be repeated. */
uint64_t hc_seed(const char *env_name);

/* An integer from the environment (sizes of the long run), else dflt. */
long hc_env_long(const char *name, long dflt);

#endif
