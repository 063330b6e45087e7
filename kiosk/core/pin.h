/* pin.h: the staff PIN. Hashing and checking with libsodium's salted, slow
 * password hash (crypto_pwhash_str, argon2id), and the lockout after wrong
 * PINs: after PIN_FREE_TRIES wrong PINs in a row staff mode is locked for
 * PIN_LOCKOUT_FIRST_MS, doubling with each further wrong PIN, never longer
 * than PIN_LOCKOUT_MAX_MS, so the public can slow staff down but never lock
 * them out for good. Pure C: the time comes from the caller (an injected
 * clock), so tests step through lockouts without waiting. */
#ifndef BK_PIN_H
#define BK_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 12
#define PIN_HASH_MAX 128 /* crypto_pwhash_STRBYTES, with the terminating NUL */

#define PIN_FREE_TRIES 5
#define PIN_LOCKOUT_FIRST_MS 30000LL
#define PIN_LOCKOUT_MAX_MS 3600000LL /* one hour */

/* True when pin is PIN_MIN_DIGITS to PIN_MAX_DIGITS ASCII digits. */
bool pin_is_valid(const char *pin);

/* Hashes pin (which must pass pin_is_valid) with a fresh random salt into
 * out (at least PIN_HASH_MAX bytes): "$argon2id$v=19$m=65536,t=2,p=1$...".
 * Calls sodium_init itself. Returns BK_OK, BK_ERR_INVALID for a PIN that is
 * not 4 to 12 digits or a buffer too small, BK_ERR_NOMEM when the hash
 * cannot get its memory. */
bk_err pin_hash(const char *pin, char *out, size_t size);

/* True when pin matches hash (a crypto_pwhash_str string). False for a
 * NULL, empty or malformed hash and for a PIN that is not 4 to 12 digits. */
bool pin_verify(const char *hash, const char *pin);

/* The lockout state of one kiosk (in memory; a restart forgets it). Zero it
 * to start. */
typedef struct pin_guard {
    int failures;         /* wrong PINs since the last right one */
    int64_t locked_until; /* monotonic ms; 0 = not locked */
    int64_t last_lockout_ms;
} pin_guard;

typedef enum pin_result {
    PIN_RIGHT,  /* the PIN is right; failures are forgotten */
    PIN_WRONG,  /* wrong; the result says whether a lockout started */
    PIN_LOCKED, /* refused unchecked: a lockout is running (does not count) */
} pin_result;

/* The lockout that the failures-th wrong PIN in a row starts: 0 below
 * PIN_FREE_TRIES, then 30 s, 60 s, 120 s, ... up to PIN_LOCKOUT_MAX_MS. */
int64_t pin_lockout_ms(int failures);

/* Milliseconds of lockout left at now_ms (0 when not locked). */
int64_t pin_guard_locked_ms(const pin_guard *g, int64_t now_ms);

/* Wrong PINs that may still be given before the next one starts a lockout
 * (0 once lockouts have begun: every further wrong PIN starts one). */
int pin_guard_tries_left(const pin_guard *g);

/* Checks pin against hash at monotonic time now_ms. While locked, returns
 * PIN_LOCKED without checking. A wrong PIN that starts a lockout sets
 * *lockout_ms (else 0; may be NULL), logs a warning, and, when st is not
 * NULL, records the store event "staff-lockout" (a failure to record is
 * logged, never fatal). */
pin_result pin_guard_try(pin_guard *g, const char *hash, const char *pin, int64_t now_ms, store *st,
                         int64_t *lockout_ms);

#endif
