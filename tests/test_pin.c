/* test_pin.c: the staff PIN: which PINs are accepted, hashing and
 * checking (also the demo configuration's hash), the lockout after five
 * wrong PINs that doubles with each further one and stops at one hour, the
 * lockout recorded as a store event, and `buurtkiosk hash-pin`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "pin.h"
#include "store.h"

/* A hash of pin at libsodium's lowest cost, so the lockout tests run fast;
 * pin_verify reads the cost from the string. */
static void fast_hash(const char *pin, char out[PIN_HASH_MAX])
{
    assert_int_equal(crypto_pwhash_str(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN),
                     0);
}

static void test_valid_pins(void **state)
{
    (void)state;
    assert_true(pin_is_valid("1234"));
    assert_true(pin_is_valid("000000000000"));
    assert_false(pin_is_valid("123"));
    assert_false(pin_is_valid("1234567890123"));
    assert_false(pin_is_valid("12a4"));
    assert_false(pin_is_valid("1234 "));
    assert_false(pin_is_valid(""));
    assert_false(pin_is_valid(NULL));
}

static void test_hash_and_verify(void **state)
{
    (void)state;
    char h1[PIN_HASH_MAX], h2[PIN_HASH_MAX];
    assert_int_equal(pin_hash("2468", h1, sizeof h1), BK_OK);
    assert_int_equal(pin_hash("2468", h2, sizeof h2), BK_OK);
    assert_true(strncmp(h1, "$argon2id$", 10) == 0);
    assert_non_null(strstr(h1, "m=65536,t=2")); /* a slow hash, not the minimum */
    assert_string_not_equal(h1, h2);            /* salted */
    assert_true(pin_verify(h1, "2468"));
    assert_true(pin_verify(h2, "2468"));
    assert_false(pin_verify(h1, "2469"));
    assert_false(pin_verify(h1, "24680")); /* not even hashed: 5 digits, still checked */
    assert_false(pin_verify("", "2468"));
    assert_false(pin_verify(NULL, "2468"));
    assert_false(pin_verify("$argon2id$garbage", "2468"));
    assert_int_equal(pin_hash("12", h1, sizeof h1), BK_ERR_INVALID);
    assert_int_equal(pin_hash("1234", h1, 16), BK_ERR_INVALID);
}

static void test_demo_config_hash_is_1234(void **state)
{
    (void)state;
    bk_config cfg;
    assert_int_equal(config_load(BK_SOURCE_DIR "/config/buurtkiosk.ini", &cfg, NULL), BK_OK);
    assert_true(pin_verify(cfg.staff.pin_hash, "1234"));
    assert_false(pin_verify(cfg.staff.pin_hash, "4321"));
    config_free(&cfg);
}

static void test_lockout_lengths(void **state)
{
    (void)state;
    for (int i = 0; i < PIN_FREE_TRIES; i++)
        assert_int_equal(pin_lockout_ms(i), 0);
    assert_int_equal(pin_lockout_ms(5), 30000);
    assert_int_equal(pin_lockout_ms(6), 60000);
    assert_int_equal(pin_lockout_ms(7), 120000);
    assert_int_equal(pin_lockout_ms(8), 240000);
    assert_int_equal(pin_lockout_ms(11), 1920000);
    assert_int_equal(pin_lockout_ms(12), 3600000); /* 3840 s, capped at one hour */
    assert_int_equal(pin_lockout_ms(13), 3600000);
    assert_int_equal(pin_lockout_ms(1000000), 3600000);
    assert_int_equal(pin_lockout_ms(INT_MAX), 3600000);
}

static void test_guard_doubles_and_forgives(void **state)
{
    (void)state;
    char hash[PIN_HASH_MAX];
    fast_hash("1234", hash);
    pin_guard g = {0};
    int64_t now = 1000000, lock = -1;
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(pin_guard_try(&g, hash, "9999", now, NULL, &lock), PIN_WRONG);
        assert_int_equal(lock, 0);
        assert_int_equal(pin_guard_tries_left(&g), 5 - i);
        assert_int_equal(pin_guard_locked_ms(&g, now), 0);
        now += 1000;
    }
    /* The fifth wrong PIN: 30 s. */
    assert_int_equal(pin_guard_try(&g, hash, "9999", now, NULL, &lock), PIN_WRONG);
    assert_int_equal(lock, 30000);
    assert_int_equal(pin_guard_locked_ms(&g, now), 30000);
    assert_int_equal(pin_guard_tries_left(&g), 0);
    /* While locked even the right PIN is refused, unchecked and uncounted. */
    assert_int_equal(pin_guard_try(&g, hash, "1234", now + 29999, NULL, &lock), PIN_LOCKED);
    assert_int_equal(g.failures, 5);
    assert_int_equal(pin_guard_locked_ms(&g, now + 29999), 1);
    now += 30000;
    assert_int_equal(pin_guard_locked_ms(&g, now), 0);
    /* Each further wrong PIN doubles it. */
    assert_int_equal(pin_guard_try(&g, hash, "0000", now, NULL, &lock), PIN_WRONG);
    assert_int_equal(lock, 60000);
    now += 60000;
    assert_int_equal(pin_guard_try(&g, hash, "0000", now, NULL, &lock), PIN_WRONG);
    assert_int_equal(lock, 120000);
    now += 120000;
    /* The right PIN after the wait opens, and forgets the failures. */
    assert_int_equal(pin_guard_try(&g, hash, "1234", now, NULL, &lock), PIN_RIGHT);
    assert_int_equal(lock, 0);
    assert_int_equal(g.failures, 0);
    assert_int_equal(pin_guard_tries_left(&g), 5);
    assert_int_equal(pin_guard_try(&g, hash, "0000", now, NULL, &lock), PIN_WRONG);
    assert_int_equal(lock, 0);
}

static void test_guard_never_locks_for_good(void **state)
{
    (void)state;
    char hash[PIN_HASH_MAX];
    fast_hash("5678", hash);
    pin_guard g = {0};
    int64_t now = 5000, lock = 0, longest = 0;
    /* Someone keeps guessing for days: never more than an hour at a time. */
    for (int i = 0; i < 60; i++) {
        now += pin_guard_locked_ms(&g, now);
        assert_int_equal(pin_guard_try(&g, hash, "1111", now, NULL, &lock), PIN_WRONG);
        assert_true(lock <= PIN_LOCKOUT_MAX_MS);
        longest = lock > longest ? lock : longest;
    }
    assert_int_equal(longest, PIN_LOCKOUT_MAX_MS);
    assert_int_equal(pin_guard_try(&g, hash, "5678", now, NULL, &lock), PIN_LOCKED);
    now += PIN_LOCKOUT_MAX_MS;
    assert_int_equal(pin_guard_try(&g, hash, "5678", now, NULL, &lock), PIN_RIGHT);
}

typedef struct event_seen {
    int lockouts;
    char message[256];
} event_seen;

static int on_event(const char *at, const char *kind, const char *message, void *ctx)
{
    event_seen *e = ctx;
    (void)at;
    if (strcmp(kind, "staff-lockout") == 0) {
        if (!e->lockouts++)
            snprintf(e->message, sizeof e->message, "%s", message);
    }
    return 0;
}

static void test_lockout_is_recorded(void **state)
{
    (void)state;
    char dir[] = "/tmp/bk-test-pin-XXXXXX", path[PATH_MAX];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    bk_virtual_clock vc = {.mono_ms = 1000, .wall_ms = 1764000000000LL};
    bk_clock clock = clock_virtual(&vc);
    store *st = NULL;
    assert_int_equal(store_open(path, &clock, &st, NULL), BK_OK);
    char hash[PIN_HASH_MAX];
    fast_hash("1234", hash);
    pin_guard g = {0};
    for (int i = 0; i < 6; i++) {
        int64_t now = clock_mono_ms(&clock) + pin_guard_locked_ms(&g, clock_mono_ms(&clock));
        pin_guard_try(&g, hash, "4321", now, st, NULL);
        vc.mono_ms = now;
    }
    event_seen seen = {0};
    assert_int_equal(store_foreach_event(st, 10, on_event, &seen), BK_OK);
    assert_int_equal(seen.lockouts, 2); /* after the 5th and the 6th */
    assert_string_equal(seen.message, "6 wrong PINs in a row: staff mode locked for 60 s");
    store_close(st);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs `printf INPUT | buurtkiosk hash-pin`; its stdout in out. */
static int run_hash_pin(const char *input, char *out, size_t size)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "printf '%s' | '%s' hash-pin 2>/dev/null", input, BK_BINARY);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_hash_pin_command(void **state)
{
    (void)state;
    char out[512];
    assert_int_equal(run_hash_pin("97531\\n", out, sizeof out), 0);
    assert_true(strncmp(out, "pin_hash = $argon2id$", 21) == 0);
    size_t n = strlen(out);
    assert_true(n > 0 && out[n - 1] == '\n');
    out[n - 1] = '\0';
    assert_true(pin_verify(out + strlen("pin_hash = "), "97531"));

    /* The line works as it is in a configuration file. */
    char dir[] = "/tmp/bk-test-hashpin-XXXXXX", path[PATH_MAX], line[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/kiosk.ini", dir);
    FILE *in = fopen(BK_TEST_DATA "/ui/demo.ini", "r");
    FILE *cfgf = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(cfgf);
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "pin_hash", 8) == 0)
            fprintf(cfgf, "%s\n", out);
        else
            fputs(line, cfgf);
    }
    fclose(in);
    fclose(cfgf);
    bk_config cfg;
    bk_diag diag = {0};
    bk_err e = config_load(path, &cfg, &diag);
    if (e != BK_OK)
        diag_print(&diag, stderr);
    assert_int_equal(e, BK_OK);
    assert_true(pin_verify(cfg.staff.pin_hash, "97531"));
    config_free(&cfg);
    diag_clear(&diag);
    unlink(path);
    rmdir(dir);

    /* Not 4 to 12 digits: exit 1 and nothing on stdout. */
    assert_int_equal(run_hash_pin("123\\n", out, sizeof out), 1);
    assert_string_equal(out, "");
    assert_int_equal(run_hash_pin("12345678901234\\n", out, sizeof out), 1);
    assert_int_equal(run_hash_pin("12a4\\n", out, sizeof out), 1);
    assert_int_equal(run_hash_pin("", out, sizeof out), 1);
    /* Without a line end is fine. */
    assert_int_equal(run_hash_pin("0000", out, sizeof out), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_pins),
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_demo_config_hash_is_1234),
        cmocka_unit_test(test_lockout_lengths),
        cmocka_unit_test(test_guard_doubles_and_forgives),
        cmocka_unit_test(test_guard_never_locks_for_good),
        cmocka_unit_test(test_lockout_is_recorded),
        cmocka_unit_test(test_hash_pin_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
