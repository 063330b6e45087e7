/* pin.c: the staff PIN; see pin.h. */
#include "pin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

bool pin_is_valid(const char *pin)
{
    if (!pin)
        return false;
    size_t n = 0;
    for (; pin[n]; n++)
        if (pin[n] < '0' || pin[n] > '9' || n >= PIN_MAX_DIGITS)
            return false;
    return n >= PIN_MIN_DIGITS;
}

bk_err pin_hash(const char *pin, char *out, size_t size)
{
    if (!out || size < crypto_pwhash_STRBYTES || size < PIN_HASH_MAX)
        return BK_ERR_INVALID;
    out[0] = '\0';
    if (!pin_is_valid(pin))
        return BK_ERR_INVALID;
    if (sodium_init() < 0)
        return BK_ERR_NOMEM;
    /* INTERACTIVE: argon2id, 64 MiB, 2 passes: about a tenth of a second on
       a kiosk PC, a few guesses per second for anyone who copies the hash. */
    if (crypto_pwhash_str(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return BK_ERR_NOMEM;
    return BK_OK;
}

bool pin_verify(const char *hash, const char *pin)
{
    if (!hash || !hash[0] || !pin_is_valid(pin) || strlen(hash) >= crypto_pwhash_STRBYTES)
        return false;
    if (sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

int64_t pin_lockout_ms(int failures)
{
    if (failures < PIN_FREE_TRIES)
        return 0;
    int64_t ms = PIN_LOCKOUT_FIRST_MS;
    for (int i = PIN_FREE_TRIES; i < failures && ms < PIN_LOCKOUT_MAX_MS; i++)
        ms *= 2;
    return ms < PIN_LOCKOUT_MAX_MS ? ms : PIN_LOCKOUT_MAX_MS;
}

int64_t pin_guard_locked_ms(const pin_guard *g, int64_t now_ms)
{
    if (!g->locked_until || now_ms >= g->locked_until)
        return 0;
    return g->locked_until - now_ms;
}

int pin_guard_tries_left(const pin_guard *g)
{
    int left = PIN_FREE_TRIES - g->failures;
    return left > 0 ? left : 0;
}

pin_result pin_guard_try(pin_guard *g, const char *hash, const char *pin, int64_t now_ms, store *st,
                         int64_t *lockout_ms)
{
    if (lockout_ms)
        *lockout_ms = 0;
    if (pin_guard_locked_ms(g, now_ms) > 0)
        return PIN_LOCKED;
    g->locked_until = 0;
    if (pin_verify(hash, pin)) {
        if (g->failures > 0)
            log_info("staff", "right PIN after %d wrong ones", g->failures);
        g->failures = 0;
        g->last_lockout_ms = 0;
        return PIN_RIGHT;
    }
    if (g->failures < 1000000)
        g->failures++;
    int64_t ms = pin_lockout_ms(g->failures);
    if (ms > 0) {
        g->locked_until = now_ms + ms;
        g->last_lockout_ms = ms;
        if (lockout_ms)
            *lockout_ms = ms;
        char msg[128];
        snprintf(msg, sizeof msg, "%d wrong PINs in a row: staff mode locked for %lld s",
                 g->failures, (long long)(ms / 1000));
        log_warn("staff", "%s", msg);
        if (st && store_event_add(st, "staff-lockout", msg) != BK_OK)
            log_error("staff", "could not record the lockout in the database");
    } else {
        log_info("staff", "wrong PIN (%d in a row)", g->failures);
    }
    return PIN_WRONG;
}
