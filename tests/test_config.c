/* test_config.c: the INI configuration (kiosk/core/config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define DATA BK_TEST_DATA "/config"
#define DEMO BK_SOURCE_DIR "/config/buurtkiosk.ini"

/* Fails the test with every message in d. */
static void fail_with_diag(const char *what, const bk_diag *d)
{
    print_error("%s; diag has %zu messages:\n", what, d->count);
    for (size_t i = 0; i < d->count; i++)
        print_error("  %s\n", d->messages[i]);
    fail();
}

static void load_ok(const char *path, bk_config *cfg)
{
    bk_diag d = {0};
    bk_err rc = config_load(path, cfg, &d);
    if (rc != BK_OK || d.count != 0)
        fail_with_diag(path, &d);
    diag_clear(&d);
}

static void test_demo_config(void **state)
{
    (void)state;
    bk_config c;
    load_ok(DEMO, &c);
    assert_string_equal(c.path, DEMO);
    assert_string_equal(c.kiosk.id, "demo-kiosk-01");
    assert_string_equal(c.kiosk.name, "Demo kiosk Buurtkiosk");
    assert_null(c.kiosk.area);
    assert_int_equal(c.kiosk.n_languages, 2);
    assert_string_equal(c.kiosk.languages[0], "nl");
    assert_string_equal(c.kiosk.languages[1], "en");
    assert_string_equal(c.kiosk.default_language, "nl");
    assert_int_equal(c.kiosk.idle_timeout_s, 60);
    assert_int_equal(c.kiosk.mode, CONFIG_MODE_SURVEY);
    assert_false(c.display.fullscreen);
    assert_int_equal(c.display.width, 1280);
    assert_int_equal(c.display.height, 800);
    assert_int_equal(c.display.dpi, 96);
    assert_int_equal(c.display.presenter, CONFIG_PRESENTER_AUTO);
    assert_string_equal(c.storage.database, "../data/buurtkiosk.db");
    assert_int_equal(c.storage.retention_days, 30);
    assert_string_equal(c.survey.directory, "surveys");
    assert_string_equal(c.survey.active, "buurtpeiling");
    assert_string_equal(c.sync.base_url, "http://127.0.0.1:8443/buurtkiosk");
    assert_string_equal(c.sync.token_file, "../data/token");
    assert_null(c.sync.ca_file);
    assert_null(c.sync.client_cert);
    assert_null(c.sync.client_key);
    assert_int_equal(c.sync.interval_s, 300);
    assert_int_equal(c.sync.batch_max, 100);

    /* The documented demo PIN is 1234, and the hash is a real one. */
    assert_non_null(c.staff.pin_hash);
    assert_int_equal(sodium_init() >= 0, 1);
    assert_int_equal(crypto_pwhash_str_verify(c.staff.pin_hash, "1234", 4), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(c.staff.pin_hash, "4321", 4), 0);

    /* Oosterhout's areas, in order. */
    static const char *const ids[] = {
        "centrum",     "slotjes",      "west",      "strijen",  "leijsenakkers",
        "oosterheide", "dommelbergen", "vrachelen", "den-hout", "oosteind",
        "dorst",       "buitengebied", "elders"};
    static const char *const names[] = {"Oosterhout-Centrum",
                                        "Slotjes",
                                        "West",
                                        "Strijen",
                                        "Leijsenakkers",
                                        "Oosterheide",
                                        "Dommelbergen",
                                        "Vrachelen",
                                        "Den Hout",
                                        "Oosteind",
                                        "Dorst",
                                        "Buitengebied",
                                        "Ik woon niet in Oosterhout"};
    assert_int_equal(c.n_areas, 13);
    for (size_t i = 0; i < 13; i++) {
        assert_string_equal(c.areas[i].id, ids[i]);
        assert_string_equal(c.areas[i].name, names[i]);
    }
    assert_int_equal(c.areas[0].n_translations, 1);
    assert_string_equal(c.areas[0].lang[0], "en");
    assert_string_equal(c.areas[0].name_in[0], "Oosterhout centre");
    assert_int_equal(c.areas[12].n_translations, 1);
    assert_string_equal(c.areas[12].name_in[0], "I don't live in Oosterhout");
    config_free(&c);
    assert_null(c.path);
    config_free(&c); /* freed twice: the struct is zeroed, so harmless */
}

static void test_defaults(void **state)
{
    (void)state;
    bk_config c;
    load_ok(DATA "/minimal.ini", &c);
    assert_string_equal(c.kiosk.id, "minimal");
    assert_string_equal(c.kiosk.name, "minimal"); /* no name: the id */
    assert_null(c.kiosk.area);
    assert_string_equal(c.kiosk.default_language, "en"); /* the first of languages */
    assert_int_equal(c.kiosk.idle_timeout_s, 60);
    assert_int_equal(c.kiosk.mode, CONFIG_MODE_SURVEY);
    assert_true(c.display.fullscreen);
    assert_int_equal(c.display.width, 0);
    assert_int_equal(c.display.height, 0);
    assert_int_equal(c.display.dpi, 0);
    assert_int_equal(c.display.presenter, CONFIG_PRESENTER_AUTO);
    assert_int_equal(c.storage.retention_days, 30);
    assert_null(c.sync.base_url);
    assert_null(c.sync.token_file);
    assert_int_equal(c.sync.interval_s, 300);
    assert_int_equal(c.sync.batch_max, 100);
    assert_int_equal(c.n_areas, 0);
    config_free(&c);
}

/* BOM, CRLF, indentation, inline comments, "key: value", capitals in
 * values, a long comment line, IPv6 loopback, a trailing slash. */
static void test_variants(void **state)
{
    (void)state;
    bk_config c;
    load_ok(DATA "/good-variants.ini", &c);
    assert_string_equal(c.kiosk.id, "variant-kiosk");
    assert_int_equal(c.kiosk.n_languages, 3);
    assert_string_equal(c.kiosk.languages[2], "tr");
    assert_string_equal(c.kiosk.default_language, "nl");
    assert_string_equal(c.kiosk.area, "dorst");
    assert_int_equal(c.kiosk.mode, CONFIG_MODE_LIVE);
    assert_int_equal(c.kiosk.idle_timeout_s, 120);
    assert_true(c.display.fullscreen);
    assert_int_equal(c.display.width, 0);
    assert_int_equal(c.display.dpi, 0);
    assert_int_equal(c.display.presenter, CONFIG_PRESENTER_ON);
    assert_int_equal(c.storage.retention_days, 3650);
    assert_string_equal(c.survey.directory, "/srv/buurtkiosk/surveys");
    assert_string_equal(c.survey.active, "buurtpeiling-2026");
    assert_string_equal(c.sync.base_url, "http://[::1]:8080/buurtkiosk");
    assert_string_equal(c.sync.client_key, "kiosk.key");
    assert_int_equal(c.sync.interval_s, 10);
    assert_int_equal(c.sync.batch_max, 1000);
    assert_string_equal(config_area_name(&c, "dorst", "tr"), "Dorst (köy)");
    assert_string_equal(config_area_name(&c, "elders", "tr"), "Oosterhout'ta yaşamıyorum");
    config_free(&c);
}

/* Each file under bad/ has exactly one mistake and gives exactly this message. */
static const struct {
    const char *file;
    const char *message;
} bad_cases[] = {
    {"unknown-key.ini", "unknown-key.ini:6: unknown key \"idle_timout_s\" in [kiosk]"},
    {"unknown-section.ini", "unknown-section.ini:8: unknown section [dispaly]"},
    {"duplicate-key.ini", "duplicate-key.ini:5: duplicate key \"id\" in [kiosk] (first on line 3)"},
    {"idle-timeout-range.ini",
     "idle-timeout-range.ini:6: idle_timeout_s must be a whole number from 10 to 3600, not \"5\""},
    {"retention-not-a-number.ini", "retention-not-a-number.ini:14: retention_days must be a whole "
                                   "number from 1 to 3650, not \"30 days\""},
    {"batch-max-range.ini",
     "batch-max-range.ini:22: batch_max must be a whole number from 1 to 1000, not \"5000\""},
    {"interval-range.ini",
     "interval-range.ini:22: interval_s must be a whole number from 10 to 86400, not \"5\""},
    {"dpi-range.ini", "dpi-range.ini:10: dpi must be empty, 0 (ask the display) or a whole number "
                      "from 50 to 600, not \"700\""},
    {"width-range.ini", "width-range.ini:10: width must be empty, 0 (the display's own size) or a "
                        "whole number from 320 to 8192, not \"100\""},
    {"bad-id.ini", "bad-id.ini:3: id \"Demo Kiosk\" is not valid: use 1 to 64 characters from "
                   "a-z, 0-9, _ and -"},
    {"default-language.ini",
     "default-language.ini:5: default_language \"de\" is not one of languages (nl, en)"},
    {"bad-language-code.ini", "bad-language-code.ini:4: languages must be language codes such as "
                              "\"nl, en\"; \"Engels\" is not one (use two or three lowercase "
                              "letters, such as nl)"},
    {"empty-languages.ini", "empty-languages.ini:4: languages must list at least one language "
                            "code, such as \"nl, en\""},
    {"too-many-languages.ini", "too-many-languages.ini:4: languages lists more than 8 languages"},
    {"area-not-declared.ini",
     "area-not-declared.ini:5: area \"noord\" is not one of the ids in [areas]"},
    {"translation-undeclared.ini", "translation-undeclared.ini:27: translation \"noord.en\" for "
                                   "area \"noord\", which is not declared above"},
    {"translation-language.ini", "translation-language.ini:29: translation \"dorst.de\": \"de\" "
                                 "is not one of languages (nl, en)"},
    {"duplicate-area.ini",
     "duplicate-area.ini:29: duplicate key \"centrum\" in [areas] (first on line 27)"},
    {"http-not-loopback.ini",
     "http-not-loopback.ini:20: base_url uses http:// for \"collector.example.nl\", which is not "
     "this computer; use https:// (plain http is only allowed for 127.0.0.1, ::1 or localhost)"},
    {"bad-url-scheme.ini", "bad-url-scheme.ini:20: base_url must start with https:// (or http:// "
                           "for a test receiver on this computer), not "
                           "\"ftp://collector.example.nl/buurtkiosk\""},
    {"url-with-password.ini", "url-with-password.ini:20: base_url must not contain a user name "
                              "or password (the token goes in token_file)"},
    {"url-without-token.ini", "url-without-token.ini:20: base_url is set but token_file is not "
                              "(the kiosk needs a token to upload)"},
    {"cert-without-key.ini", "cert-without-key.ini:22: client_cert is set but client_key is not "
                             "(a client certificate needs both)"},
    {"bad-mode.ini", "bad-mode.ini:6: mode must be survey or live, not \"demo\""},
    {"bad-presenter.ini", "bad-presenter.ini:10: presenter must be auto, off or on, not \"yes\""},
    {"bad-bool.ini",
     "bad-bool.ini:9: fullscreen must be true or false (or yes/no, 1/0), not \"ja\""},
    {"bad-pin-hash.ini", "bad-pin-hash.ini:24: pin_hash must be a libsodium password hash "
                         "starting with \"$argon2id$\" (see docs/configuration.md)"},
    {"missing-key.ini", "missing-key.ini:2: [kiosk] is missing the required key \"id\""},
    {"missing-section.ini",
     "missing-section.ini:29: section [staff] is missing (it must set pin_hash)"},
    {"no-equals.ini", "no-equals.ini:6: expected \"key = value\" or \"[section]\""},
    {"unclosed-section.ini",
     "unclosed-section.ini:12: missing \"]\" at the end of the section header"},
    {"key-outside-section.ini", "key-outside-section.ini:2: key \"kiosk_id\" is outside any "
                                "section; put it under a [section] header"},
    {"duplicate-section.ini",
     "duplicate-section.ini:25: section [kiosk] appears twice (first on line 2)"},
    {"long-line.ini", "long-line.ini:5: line is too long (at most 198 characters)"},
    {"not-utf8.ini", "not-utf8.ini:5: line is not valid UTF-8; save the file as UTF-8"},
};

static void test_bad_configs(void **state)
{
    (void)state;
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    assert_true(n >= 15);
    for (size_t i = 0; i < n; i++) {
        char path[512], expected[1024];
        snprintf(path, sizeof path, "%s/bad/%s", DATA, bad_cases[i].file);
        snprintf(expected, sizeof expected, "%s/bad/%s", DATA, bad_cases[i].message);
        bk_config c;
        bk_diag d = {0};
        bk_err rc = config_load(path, &c, &d);
        if (rc != BK_ERR_INVALID || d.count != 1 || strcmp(d.messages[0], expected) != 0) {
            print_error("expected: %s\n", expected);
            fail_with_diag(path, &d);
        }
        assert_null(c.path); /* freed on error */
        assert_null(c.kiosk.id);
        assert_int_equal(c.n_areas, 0);
        diag_clear(&d);
    }
}

/* Every problem is reported, in line order, after what the diag held before. */
static void test_many_problems(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "3: id \"Kiosk 1\" is not valid: use 1 to 64 characters from a-z, 0-9, _ and -",
        "5: default_language \"fr\" is not one of languages (nl, en)",
        "6: idle_timeout_s must be a whole number from 10 to 3600, not \"0\"",
        "8: unknown key \"colour\" in [kiosk]",
        "11: fullscreen must be true or false (or yes/no, 1/0), not \"maybe\"",
        "13: duplicate key \"width\" in [display] (first on line 12)",
        "16: database must not be empty",
        "18: [survey] is missing the required key \"directory\"",
        "22: base_url uses http:// for \"192.168.1.10\", which is not this computer; use https:// "
        "(plain http is only allowed for 127.0.0.1, ::1 or localhost)",
        "23: interval_s must be a whole number from 10 to 86400, not \"60s\"",
        "25: unknown section [colours]",
        "30: area id \"Centrum-Oost\" is not valid: use 1 to 64 characters from a-z, 0-9, _ and -",
        "31: translation \"west.en\" for area \"west\", which is not declared above",
        "31: section [staff] is missing (it must set pin_hash)",
    };
    size_t n = sizeof expected / sizeof expected[0];
    bk_config c;
    bk_diag d = {0};
    diag_add(&d, "an earlier message");
    assert_int_equal(config_load(DATA "/many-problems.ini", &c, &d), BK_ERR_INVALID);
    if (d.count != n + 1)
        fail_with_diag("many-problems.ini", &d);
    assert_string_equal(d.messages[0], "an earlier message");
    for (size_t i = 0; i < n; i++) {
        char want[1024];
        snprintf(want, sizeof want, "%s/many-problems.ini:%s", DATA, expected[i]);
        assert_string_equal(d.messages[i + 1], want);
    }
    diag_clear(&d);

    /* Without a diag the result is the same, just unreported. */
    assert_int_equal(config_load(DATA "/many-problems.ini", &c, NULL), BK_ERR_INVALID);
}

static void test_unreadable(void **state)
{
    (void)state;
    bk_config c;
    bk_diag d = {0};
    assert_int_equal(config_load(DATA "/does-not-exist.ini", &c, &d), BK_ERR_IO);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0],
                        DATA "/does-not-exist.ini: cannot open: No such file or directory");
    diag_clear(&d);
    assert_int_equal(config_load(DATA, &c, &d), BK_ERR_IO); /* a directory */
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0], DATA ": cannot read: Is a directory");
    diag_clear(&d);

    /* Not a configuration file: far too large. */
    char big[] = "/tmp/bk-config-big-XXXXXX";
    int fd = mkstemp(big);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (int i = 0; i < 20000; i++)
        fputs("; a comment line that is repeated until the file is over a megabyte\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(config_load(big, &c, &d), BK_ERR_INVALID);
    assert_int_equal(d.count, 1);
    assert_true(diag_contains(&d, "the file is larger than 1048576 bytes"));
    diag_clear(&d);
    unlink(big);
    config_free(NULL);
}

static void test_resolve_path(void **state)
{
    (void)state;
    bk_config c = {0};
    char p1[] = "config/buurtkiosk.ini", p2[] = "buurtkiosk.ini", p3[] = "/etc/bk/k.ini",
         p4[] = "/k.ini";
    const struct {
        char *cfg;
        const char *in, *out;
    } cases[] = {
        {p1, "../data/buurtkiosk.db", "config/../data/buurtkiosk.db"},
        {p1, "surveys", "config/surveys"},
        {p1, "/var/lib/bk/token", "/var/lib/bk/token"},
        {p2, "surveys", "surveys"},
        {p3, "surveys", "/etc/bk/surveys"},
        {p4, "token", "/token"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c.path = cases[i].cfg;
        char *r = config_resolve_path(&c, cases[i].in);
        assert_non_null(r);
        assert_string_equal(r, cases[i].out);
        free(r);
    }
    c.path = p1;
    assert_null(config_resolve_path(&c, NULL));
    assert_null(config_resolve_path(&c, ""));

    /* And from a loaded configuration. */
    load_ok(DEMO, &c);
    char *db = config_resolve_path(&c, c.storage.database);
    assert_string_equal(db, BK_SOURCE_DIR "/config/../data/buurtkiosk.db");
    free(db);
    config_free(&c);
}

static void test_area_name(void **state)
{
    (void)state;
    bk_config c;
    load_ok(DEMO, &c);
    assert_string_equal(config_area_name(&c, "elders", "nl"), "Ik woon niet in Oosterhout");
    assert_string_equal(config_area_name(&c, "elders", "en"), "I don't live in Oosterhout");
    assert_string_equal(config_area_name(&c, "centrum", "en"), "Oosterhout centre");
    assert_string_equal(config_area_name(&c, "centrum", "nl"), "Oosterhout-Centrum");
    assert_string_equal(config_area_name(&c, "den-hout", "en"), "Den Hout"); /* no translation */
    assert_string_equal(config_area_name(&c, "dorst", NULL), "Dorst");
    assert_null(config_area_name(&c, "breda", "nl"));
    assert_null(config_area_name(&c, "", "nl"));
    config_free(&c);
}

/* Reads a whole file into a new string (caller frees). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        buf[len++] = (char)ch;
    }
    fclose(f);
    assert_non_null(buf);
    buf[len] = '\0';
    return buf;
}

/* docs/configuration.md shows the demo file exactly as it is. */
static void test_docs_show_demo(void **state)
{
    (void)state;
    char *doc = slurp(BK_SOURCE_DIR "/docs/configuration.md");
    char *ini = slurp(DEMO);
    const char *start = strstr(doc, "```ini\n");
    assert_non_null(start);
    start += strlen("```ini\n");
    const char *end = strstr(start, "```");
    assert_non_null(end);
    if (strlen(ini) != (size_t)(end - start) || memcmp(ini, start, strlen(ini)) != 0)
        fail_msg("the ```ini block in docs/configuration.md differs from config/buurtkiosk.ini");
    free(doc);
    free(ini);
}

/* ---- token file ---------------------------------------------------------- */

typedef struct tmpdir {
    char dir[256];
    char ini[300];
    char token[300];
} tmpdir;

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void tmpdir_make(tmpdir *t, const char *token_file)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/bk-config-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->ini, sizeof t->ini, "%s/kiosk.ini", t->dir);
    snprintf(t->token, sizeof t->token, "%s/token", t->dir);
    char text[1024];
    snprintf(text, sizeof text,
             "[kiosk]\nid = t\nlanguages = nl\n[storage]\ndatabase = t.db\n"
             "[survey]\ndirectory = s\nactive = s\n[sync]\n"
             "base_url = http://localhost:9/x\ntoken_file = %s\n"
             "[staff]\npin_hash = "
             "$argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$"
             "OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4zMk6k\n",
             token_file);
    write_file(t->ini, text, 0644);
}

static void tmpdir_remove(tmpdir *t)
{
    unlink(t->token);
    unlink(t->ini);
    assert_int_equal(rmdir(t->dir), 0);
}

static void test_token_permissions(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t, "token"); /* relative: next to kiosk.ini */
    bk_config c;
    load_ok(t.ini, &c);
    bk_diag d = {0};
    char *token = NULL;

    /* Missing. */
    assert_int_equal(config_read_token(&c, &token, &d), BK_ERR_IO);
    assert_null(token);
    assert_int_equal(d.count, 1);
    assert_true(diag_contains(&d, t.token));
    diag_clear(&d);

    /* Readable by others, or by the group: refused, without showing the token. */
    static const mode_t open_modes[] = {0644, 0640, 0604, 0620};
    for (size_t i = 0; i < 4; i++) {
        write_file(t.token, "  s3cret-token-value\n", open_modes[i]);
        assert_int_equal(config_read_token(&c, &token, &d), BK_ERR_INVALID);
        assert_null(token);
        assert_int_equal(d.count, 1);
        char want[1024];
        snprintf(want, sizeof want,
                 "%s: the token file can be read or changed by other users (mode %04o); make it "
                 "private with: chmod 600 %s",
                 t.token, (unsigned)open_modes[i], t.token);
        assert_string_equal(d.messages[0], want);
        assert_false(diag_contains(&d, "s3cret"));
        diag_clear(&d);
    }

    /* Private: accepted, whitespace trimmed. */
    assert_int_equal(chmod(t.token, 0600), 0);
    assert_int_equal(config_read_token(&c, &token, &d), BK_OK);
    assert_int_equal(d.count, 0);
    assert_string_equal(token, "s3cret-token-value");
    free(token);
    token = NULL;
    assert_int_equal(chmod(t.token, 0400), 0);
    assert_int_equal(config_read_token(&c, &token, NULL), BK_OK);
    assert_string_equal(token, "s3cret-token-value");
    free(token);
    token = NULL;

    /* Empty, or with a space inside: refused. */
    write_file(t.token, " \n\t\n", 0600);
    assert_int_equal(config_read_token(&c, &token, &d), BK_ERR_INVALID);
    assert_true(diag_contains(&d, "the token file is empty"));
    diag_clear(&d);
    write_file(t.token, "s3cret token\n", 0600);
    assert_int_equal(config_read_token(&c, &token, &d), BK_ERR_INVALID);
    assert_true(diag_contains(&d, "the token contains spaces"));
    assert_false(diag_contains(&d, "s3cret"));
    assert_null(token);
    diag_clear(&d);

    config_free(&c);
    tmpdir_remove(&t);

    /* An absolute token_file is used as it is. */
    char abs_token[300];
    tmpdir_make(&t, "/nonexistent-dir/token");
    load_ok(t.ini, &c);
    assert_int_equal(config_read_token(&c, &token, &d), BK_ERR_IO);
    snprintf(abs_token, sizeof abs_token, "/nonexistent-dir/token: cannot open the token file");
    assert_true(diag_contains(&d, abs_token));
    diag_clear(&d);
    config_free(&c);
    tmpdir_remove(&t);

    /* No token_file at all. */
    load_ok(DATA "/minimal.ini", &c);
    assert_int_equal(config_read_token(&c, &token, &d), BK_ERR_INVALID);
    assert_true(diag_contains(&d, "token_file is not set"));
    diag_clear(&d);
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_config),       cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_variants),          cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_many_problems),     cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_resolve_path),      cmocka_unit_test(test_area_name),
        cmocka_unit_test(test_token_permissions), cmocka_unit_test(test_docs_show_demo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
