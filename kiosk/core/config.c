/* config.c: reads and validates the kiosk's INI configuration.
 *
 * The reading itself (libinih, one physical line at a time, section
 * headers, unknown and repeated keys, problems as "FILE:LINE: problem" in
 * line order) is core/ini_file.c's; this file holds the kiosk's sections
 * and keys as a table, and the rules of their values. Parsing always goes
 * on to the end, so every problem is reported. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "ini_areas.h"
#include "ini_file.h"

#define CONFIG_TOKEN_MAX 4096 /* bytes in a token file */
#define CONFIG_SIZE_MIN 320   /* display width/height when not 0 */
#define CONFIG_SIZE_MAX 8192

typedef enum cfg_section {
    SEC_KIOSK,
    SEC_DISPLAY,
    SEC_STORAGE,
    SEC_SURVEY,
    SEC_SYNC,
    SEC_STAFF,
    SEC_AREAS,
    SEC_COUNT
} cfg_section;

static void area_key(ini_file *ini, void *user, int section, const char *name, const char *v,
                     int line);

static const ini_section sections[SEC_COUNT] = {
    [SEC_KIOSK] = {"kiosk", NULL},     [SEC_DISPLAY] = {"display", NULL},
    [SEC_STORAGE] = {"storage", NULL}, [SEC_SURVEY] = {"survey", NULL},
    [SEC_SYNC] = {"sync", NULL},       [SEC_STAFF] = {"staff", NULL},
    [SEC_AREAS] = {"areas", area_key}, /* `id = Name`, `id.LANG = Name` */
};

typedef enum key_kind {
    K_ID,        /* required id */
    K_AREA_REF,  /* empty or an area id */
    K_TEXT,      /* free text, empty = not set */
    K_PATH,      /* a file or directory; empty = not set */
    K_LANGS,     /* comma-separated language codes */
    K_LANG,      /* one language code */
    K_INT,       /* whole number in min..max */
    K_SIZE,      /* empty, 0 or min..max */
    K_BOOL,      /* true/false/yes/no/1/0 */
    K_MODE,      /* survey/live */
    K_PRESENTER, /* auto/off/on */
    K_URL,       /* https:// or http:// on loopback; empty = no sync */
    K_PIN_HASH,  /* a libsodium crypto_pwhash_str string */
} key_kind;

typedef enum cfg_key {
    KEY_KIOSK_ID,
    KEY_KIOSK_NAME,
    KEY_KIOSK_AREA,
    KEY_KIOSK_LANGUAGES,
    KEY_KIOSK_DEFAULT_LANGUAGE,
    KEY_KIOSK_IDLE_TIMEOUT,
    KEY_KIOSK_MODE,
    KEY_DISPLAY_FULLSCREEN,
    KEY_DISPLAY_WIDTH,
    KEY_DISPLAY_HEIGHT,
    KEY_DISPLAY_DPI,
    KEY_DISPLAY_PRESENTER,
    KEY_STORAGE_DATABASE,
    KEY_STORAGE_RETENTION,
    KEY_SURVEY_DIRECTORY,
    KEY_SURVEY_ACTIVE,
    KEY_SYNC_BASE_URL,
    KEY_SYNC_TOKEN_FILE,
    KEY_SYNC_CA_FILE,
    KEY_SYNC_CLIENT_CERT,
    KEY_SYNC_CLIENT_KEY,
    KEY_SYNC_INTERVAL,
    KEY_SYNC_BATCH_MAX,
    KEY_STAFF_PIN_HASH,
    KEY_COUNT
} cfg_key;

/* section, name, kind (key_kind), required, min, max, default */
static const ini_key key_specs[KEY_COUNT] = {
    [KEY_KIOSK_ID] = {SEC_KIOSK, "id", K_ID, true, 0, 0, 0},
    [KEY_KIOSK_NAME] = {SEC_KIOSK, "name", K_TEXT, false, 0, 0, 0},
    [KEY_KIOSK_AREA] = {SEC_KIOSK, "area", K_AREA_REF, false, 0, 0, 0},
    [KEY_KIOSK_LANGUAGES] = {SEC_KIOSK, "languages", K_LANGS, true, 0, 0, 0},
    [KEY_KIOSK_DEFAULT_LANGUAGE] = {SEC_KIOSK, "default_language", K_LANG, false, 0, 0, 0},
    [KEY_KIOSK_IDLE_TIMEOUT] = {SEC_KIOSK, "idle_timeout_s", K_INT, false, 10, 3600, 60},
    [KEY_KIOSK_MODE] = {SEC_KIOSK, "mode", K_MODE, false, 0, 0, 0},
    [KEY_DISPLAY_FULLSCREEN] = {SEC_DISPLAY, "fullscreen", K_BOOL, false, 0, 0, 0},
    [KEY_DISPLAY_WIDTH] = {SEC_DISPLAY, "width", K_SIZE, false, CONFIG_SIZE_MIN, CONFIG_SIZE_MAX,
                           0},
    [KEY_DISPLAY_HEIGHT] = {SEC_DISPLAY, "height", K_SIZE, false, CONFIG_SIZE_MIN, CONFIG_SIZE_MAX,
                            0},
    [KEY_DISPLAY_DPI] = {SEC_DISPLAY, "dpi", K_SIZE, false, 50, 600, 0},
    [KEY_DISPLAY_PRESENTER] = {SEC_DISPLAY, "presenter", K_PRESENTER, false, 0, 0, 0},
    [KEY_STORAGE_DATABASE] = {SEC_STORAGE, "database", K_PATH, true, 0, 0, 0},
    [KEY_STORAGE_RETENTION] = {SEC_STORAGE, "retention_days", K_INT, false, 1, 3650, 30},
    [KEY_SURVEY_DIRECTORY] = {SEC_SURVEY, "directory", K_PATH, true, 0, 0, 0},
    [KEY_SURVEY_ACTIVE] = {SEC_SURVEY, "active", K_ID, true, 0, 0, 0},
    [KEY_SYNC_BASE_URL] = {SEC_SYNC, "base_url", K_URL, false, 0, 0, 0},
    [KEY_SYNC_TOKEN_FILE] = {SEC_SYNC, "token_file", K_PATH, false, 0, 0, 0},
    [KEY_SYNC_CA_FILE] = {SEC_SYNC, "ca_file", K_PATH, false, 0, 0, 0},
    [KEY_SYNC_CLIENT_CERT] = {SEC_SYNC, "client_cert", K_PATH, false, 0, 0, 0},
    [KEY_SYNC_CLIENT_KEY] = {SEC_SYNC, "client_key", K_PATH, false, 0, 0, 0},
    [KEY_SYNC_INTERVAL] = {SEC_SYNC, "interval_s", K_INT, false, 10, 86400, 300},
    [KEY_SYNC_BATCH_MAX] = {SEC_SYNC, "batch_max", K_INT, false, 1, 1000, 100},
    [KEY_STAFF_PIN_HASH] = {SEC_STAFF, "pin_hash", K_PIN_HASH, true, 0, 0, 0},
};

/* What one config_load keeps beside the reader's state: the [areas]
 * table it fills (each area keeps the line it was on, for messages). */
typedef struct cfg_parser {
    bk_config *cfg;
    ini_file *ini;        /* the read in progress (set by each callback) */
    ini_area_table areas; /* cfg->areas, as the [areas] reader fills it */
} cfg_parser;

static bool is_space(char c)
{
    return isspace((unsigned char)c) != 0;
}

static char **string_field(bk_config *c, cfg_key k)
{
    switch (k) {
    case KEY_KIOSK_ID:
        return &c->kiosk.id;
    case KEY_KIOSK_NAME:
        return &c->kiosk.name;
    case KEY_KIOSK_AREA:
        return &c->kiosk.area;
    case KEY_KIOSK_DEFAULT_LANGUAGE:
        return &c->kiosk.default_language;
    case KEY_STORAGE_DATABASE:
        return &c->storage.database;
    case KEY_SURVEY_DIRECTORY:
        return &c->survey.directory;
    case KEY_SURVEY_ACTIVE:
        return &c->survey.active;
    case KEY_SYNC_BASE_URL:
        return &c->sync.base_url;
    case KEY_SYNC_TOKEN_FILE:
        return &c->sync.token_file;
    case KEY_SYNC_CA_FILE:
        return &c->sync.ca_file;
    case KEY_SYNC_CLIENT_CERT:
        return &c->sync.client_cert;
    case KEY_SYNC_CLIENT_KEY:
        return &c->sync.client_key;
    case KEY_STAFF_PIN_HASH:
        return &c->staff.pin_hash;
    default:
        return NULL;
    }
}

static int *int_field(bk_config *c, cfg_key k)
{
    switch (k) {
    case KEY_KIOSK_IDLE_TIMEOUT:
        return &c->kiosk.idle_timeout_s;
    case KEY_DISPLAY_WIDTH:
        return &c->display.width;
    case KEY_DISPLAY_HEIGHT:
        return &c->display.height;
    case KEY_DISPLAY_DPI:
        return &c->display.dpi;
    case KEY_STORAGE_RETENTION:
        return &c->storage.retention_days;
    case KEY_SYNC_INTERVAL:
        return &c->sync.interval_s;
    case KEY_SYNC_BATCH_MAX:
        return &c->sync.batch_max;
    default:
        return NULL;
    }
}

/* ---- values ------------------------------------------------------------- */

static void free_languages(bk_config *c)
{
    for (size_t i = 0; i < c->kiosk.n_languages; i++) {
        free(c->kiosk.languages[i]);
        c->kiosk.languages[i] = NULL;
    }
    c->kiosk.n_languages = 0;
}

/* "nl, en": language codes separated by commas. On any problem the list is
 * left empty, so later checks against it are skipped. */
static void parse_languages(cfg_parser *p, int line, const char *v)
{
    bk_config *c = p->cfg;
    free_languages(c);
    if (!*v) {
        ini_problem(p->ini, line,
                    "languages must list at least one language code, such as \"nl, en\"");
        return;
    }
    const char *s = v;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len && is_space(*s)) {
            s++;
            len--;
        }
        while (len && is_space(s[len - 1]))
            len--;
        if (len == 0) {
            ini_problem(p->ini, line, "languages has an empty entry (check the commas)");
            goto fail;
        }
        if (!ini_lang_valid_n(s, len)) {
            ini_problem(p->ini, line,
                        "languages must be language codes such as \"nl, en\"; \"%.*s\" is not one "
                        "(use two or three lowercase letters, such as nl)",
                        (int)len, s);
            goto fail;
        }
        for (size_t i = 0; i < c->kiosk.n_languages; i++) {
            if (strlen(c->kiosk.languages[i]) == len &&
                memcmp(c->kiosk.languages[i], s, len) == 0) {
                ini_problem(p->ini, line, "languages lists \"%.*s\" twice", (int)len, s);
                goto fail;
            }
        }
        if (c->kiosk.n_languages == CONFIG_MAX_LANGUAGES) {
            ini_problem(p->ini, line, "languages lists more than %d languages",
                        CONFIG_MAX_LANGUAGES);
            goto fail;
        }
        char *code = strndup(s, len);
        if (!code) {
            ini_out_of_memory(p->ini);
            goto fail;
        }
        c->kiosk.languages[c->kiosk.n_languages++] = code;
        if (!comma)
            break;
        s = comma + 1;
    }
    return;
fail:
    free_languages(c);
}

/* Checks base_url; stores it without trailing slashes. */
static void parse_url(cfg_parser *p, int line, const char *v)
{
    if (!*v)
        return; /* no sync */
    bool https;
    const char *rest;
    if (strncasecmp(v, "https://", 8) == 0) {
        https = true;
        rest = v + 8;
    } else if (strncasecmp(v, "http://", 7) == 0) {
        https = false;
        rest = v + 7;
    } else {
        ini_problem(p->ini, line,
                    "base_url must start with https:// (or http:// for a test receiver on this "
                    "computer), not \"%s\"",
                    v);
        return;
    }
    for (const char *q = v; *q; q++) {
        if (is_space(*q) || (unsigned char)*q < 0x20 || *q == 0x7f) {
            ini_problem(p->ini, line, "base_url must not contain spaces or control characters");
            return;
        }
        if (*q == '?' || *q == '#') {
            ini_problem(p->ini, line, "base_url must not contain \"?\" or \"#\"");
            return;
        }
    }
    size_t alen = strcspn(rest, "/");
    if (memchr(rest, '@', alen)) {
        ini_problem(p->ini, line,
                    "base_url must not contain a user name or password (the token goes in "
                    "token_file)");
        return;
    }
    char host[256];
    const char *port = NULL;
    bool bracketed = false;
    size_t hlen;
    if (rest[0] == '[') {
        const char *close = memchr(rest, ']', alen);
        if (!close) {
            ini_problem(p->ini, line, "base_url has an unclosed \"[\" in its host");
            return;
        }
        bracketed = true;
        hlen = (size_t)(close - rest - 1);
        if (hlen >= sizeof host) {
            ini_problem(p->ini, line, "base_url has a host name that is too long");
            return;
        }
        memcpy(host, rest + 1, hlen);
        host[hlen] = '\0';
        const char *after = close + 1;
        if (after < rest + alen) {
            if (*after != ':') {
                ini_problem(p->ini, line, "base_url has unexpected text after \"]\"");
                return;
            }
            port = after + 1;
        }
    } else {
        const char *colon = memchr(rest, ':', alen);
        hlen = colon ? (size_t)(colon - rest) : alen;
        if (hlen >= sizeof host) {
            ini_problem(p->ini, line, "base_url has a host name that is too long");
            return;
        }
        memcpy(host, rest, hlen);
        host[hlen] = '\0';
        for (size_t i = 0; i < hlen; i++) {
            char c = host[i];
            if (!(isalnum((unsigned char)c) || c == '-' || c == '.')) {
                ini_problem(p->ini, line, "base_url has an invalid host name \"%s\"", host);
                return;
            }
        }
        if (colon)
            port = colon + 1;
    }
    if (hlen == 0) {
        ini_problem(p->ini, line, "base_url has no host name");
        return;
    }
    if (port) {
        size_t plen = (size_t)(rest + alen - port);
        long n = 0;
        bool ok = plen > 0 && plen <= 5;
        for (size_t i = 0; ok && i < plen; i++) {
            if (port[i] < '0' || port[i] > '9')
                ok = false;
            else
                n = n * 10 + (port[i] - '0');
        }
        if (!ok || n < 1 || n > 65535) {
            ini_problem(p->ini, line, "base_url has an invalid port \"%.*s\"", (int)plen, port);
            return;
        }
    }
    /* in brackets only an IPv6 address (::1), else a name or IPv4 address */
    bool loopback = (!bracketed || strchr(host, ':')) && ini_loopback_host(host);
    if (!https && !loopback) {
        ini_problem(p->ini, line,
                    "base_url uses http:// for \"%s\", which is not this computer; use https:// "
                    "(plain http is only allowed for 127.0.0.1, ::1 or localhost)",
                    host);
        return;
    }
    char *url = ini_store_string(p->ini, &p->cfg->sync.base_url, v);
    if (url) {
        size_t n = strlen(url);
        size_t path_start = (size_t)(rest - v) + alen; /* index of the first '/' */
        while (n > path_start && url[n - 1] == '/')
            url[--n] = '\0';
    }
}

static void parse_pin_hash(cfg_parser *p, int line, const char *v)
{
    /* crypto_pwhash_str_needs_rehash() reads a crypto_pwhash_STRBYTES array. */
    char buf[crypto_pwhash_STRBYTES] = {0};
    size_t n = strlen(v);
    bool ok =
        n > 0 && n < sizeof buf &&
        (strncmp(v, crypto_pwhash_argon2id_STRPREFIX, strlen(crypto_pwhash_argon2id_STRPREFIX)) ==
             0 ||
         strncmp(v, crypto_pwhash_argon2i_STRPREFIX, strlen(crypto_pwhash_argon2i_STRPREFIX)) == 0);
    if (ok) {
        memcpy(buf, v, n);
        ok = crypto_pwhash_str_needs_rehash(buf, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                            crypto_pwhash_MEMLIMIT_INTERACTIVE) != -1;
    }
    if (!ok) {
        ini_problem(p->ini, line,
                    "pin_hash must be a libsodium password hash starting with \"$argon2id$\" (see "
                    "docs/configuration.md)");
        return;
    }
    ini_store_string(p->ini, &p->cfg->staff.pin_hash, v);
}

/* Checks and stores the value of a known key (ini_spec.on_key). */
static void set_value(ini_file *ini, void *user, int key, const char *v, int line)
{
    cfg_parser *p = user;
    cfg_key k = (cfg_key)key;
    p->ini = ini;
    const ini_key *ks = &key_specs[k];
    bk_config *c = p->cfg;
    int64_t n = 0;
    bool b;
    switch (ks->kind) {
    case K_ID:
        if (!*v)
            ini_problem(p->ini, line, "%s must not be empty", ks->name);
        else if (!ini_id_valid(v))
            ini_problem(p->ini, line, "%s \"%s\" is not valid: use %s", ks->name, v, INI_ID_RULE);
        else
            ini_store_string(p->ini, string_field(c, k), v);
        return;
    case K_AREA_REF:
        if (!*v)
            return; /* the resident is asked */
        if (!ini_id_valid(v))
            ini_problem(p->ini, line, "%s must be empty or an area id, not \"%s\"", ks->name, v);
        else
            ini_store_string(p->ini, string_field(c, k), v);
        return;
    case K_TEXT:
        if (*v)
            ini_store_string(p->ini, &c->kiosk.name, v);
        return;
    case K_PATH:
        if (*v)
            ini_store_string(p->ini, string_field(c, k), v);
        else if (ks->required)
            ini_problem(p->ini, line, "%s must not be empty", ks->name);
        return;
    case K_LANGS:
        parse_languages(p, line, v);
        return;
    case K_LANG:
        if (!*v)
            return; /* the first of languages */
        if (!ini_lang_valid(v))
            ini_problem(p->ini, line, "%s must be a language code such as \"nl\", not \"%s\"",
                        ks->name, v);
        else
            ini_store_string(p->ini, string_field(c, k), v);
        return;
    case K_INT:
        if (ini_int_key(p->ini, ks, v, line, &n))
            *int_field(c, k) = (int)n;
        return;
    case K_SIZE:
        if (!*v)
            *int_field(c, k) = 0;
        else if (!ini_int_value(v, &n) || (n != 0 && (n < ks->min || n > ks->max)))
            ini_problem(p->ini, line,
                        "%s must be empty, 0 (%s) or a whole number from %d to %d, not \"%s\"",
                        ks->name,
                        k == KEY_DISPLAY_DPI ? "ask the display" : "the display's own size",
                        (int)ks->min, (int)ks->max, v);
        else
            *int_field(c, k) = (int)n;
        return;
    case K_BOOL:
        if (ini_bool_value(v, &b))
            c->display.fullscreen = b;
        else
            ini_problem(p->ini, line, "%s must be true or false (or yes/no, 1/0), not \"%s\"",
                        ks->name, v);
        return;
    case K_MODE:
        if (strcasecmp(v, "survey") == 0)
            c->kiosk.mode = CONFIG_MODE_SURVEY;
        else if (strcasecmp(v, "live") == 0)
            c->kiosk.mode = CONFIG_MODE_LIVE;
        else
            ini_problem(p->ini, line, "%s must be survey or live, not \"%s\"", ks->name, v);
        return;
    case K_PRESENTER:
        if (strcasecmp(v, "auto") == 0)
            c->display.presenter = CONFIG_PRESENTER_AUTO;
        else if (strcasecmp(v, "off") == 0)
            c->display.presenter = CONFIG_PRESENTER_OFF;
        else if (strcasecmp(v, "on") == 0)
            c->display.presenter = CONFIG_PRESENTER_ON;
        else
            ini_problem(p->ini, line, "%s must be auto, off or on, not \"%s\"", ks->name, v);
        return;
    case K_URL:
        parse_url(p, line, v);
        return;
    case K_PIN_HASH:
        parse_pin_hash(p, line, v);
        return;
    }
}

static int find_area(const bk_config *c, const char *id, size_t len)
{
    return ini_areas_find(c->areas, c->n_areas, id, len);
}

/* A line of [areas]: `id = Name` or `id.lang = Name` (core/ini_areas.h). */
static void area_key(ini_file *ini, void *user, int section, const char *name, const char *v,
                     int line)
{
    cfg_parser *p = user;
    (void)section; /* SEC_AREAS, set in p->areas by config_load */
    p->ini = ini;
    ini_areas_key(ini, &p->areas, name, v, line);
}

/* ---- after the last line: cross-checks and defaults -------------------- */

static bool has_language(const bk_config *c, const char *lang)
{
    for (size_t i = 0; i < c->kiosk.n_languages; i++)
        if (strcmp(c->kiosk.languages[i], lang) == 0)
            return true;
    return false;
}

/* After the last line (ini_spec.finish): what one key says about another. */
static void finish(ini_file *ini, void *user)
{
    cfg_parser *p = user;
    bk_config *c = p->cfg;
    p->ini = ini;
    if (c->kiosk.n_languages > 0) {
        char list[CONFIG_MAX_LANGUAGES * 14] = ""; /* "nl, en" */
        for (size_t i = 0; i < c->kiosk.n_languages; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", c->kiosk.languages[i]);
        }
        if (c->kiosk.default_language && !has_language(c, c->kiosk.default_language))
            ini_problem(p->ini, ini_key_line(p->ini, KEY_KIOSK_DEFAULT_LANGUAGE),
                        "default_language \"%s\" is not one of languages (%s)",
                        c->kiosk.default_language, list);
        for (size_t a = 0; a < c->n_areas; a++)
            for (size_t t = 0; t < c->areas[a].n_translations; t++)
                if (!has_language(c, c->areas[a].lang[t]))
                    ini_problem(p->ini, c->areas[a].translation_line[t],
                                "translation \"%s.%s\": \"%s\" is not one of languages (%s)",
                                c->areas[a].id, c->areas[a].lang[t], c->areas[a].lang[t], list);
        if (!c->kiosk.default_language)
            ini_store_string(p->ini, &c->kiosk.default_language, c->kiosk.languages[0]);
    }
    if (c->kiosk.area && find_area(c, c->kiosk.area, strlen(c->kiosk.area)) < 0)
        ini_problem(p->ini, ini_key_line(p->ini, KEY_KIOSK_AREA),
                    "area \"%s\" is not one of the ids in [areas]", c->kiosk.area);
    if (c->sync.base_url && !c->sync.token_file)
        ini_problem(p->ini, ini_key_line(p->ini, KEY_SYNC_BASE_URL),
                    "base_url is set but token_file is not (the kiosk needs a token to upload)");
    if (c->sync.client_cert && !c->sync.client_key)
        ini_problem(p->ini, ini_key_line(p->ini, KEY_SYNC_CLIENT_CERT),
                    "client_cert is set but client_key is not (a client certificate needs both)");
    if (c->sync.client_key && !c->sync.client_cert)
        ini_problem(p->ini, ini_key_line(p->ini, KEY_SYNC_CLIENT_KEY),
                    "client_key is set but client_cert is not (a client certificate needs both)");
    if (!c->kiosk.name && c->kiosk.id)
        ini_store_string(p->ini, &c->kiosk.name, c->kiosk.id);
}

/* ---- public -------------------------------------------------------------- */

static void set_defaults(bk_config *c)
{
    c->kiosk.idle_timeout_s = (int)key_specs[KEY_KIOSK_IDLE_TIMEOUT].def;
    c->kiosk.mode = CONFIG_MODE_SURVEY;
    c->display.fullscreen = true;
    c->display.presenter = CONFIG_PRESENTER_AUTO;
    c->storage.retention_days = (int)key_specs[KEY_STORAGE_RETENTION].def;
    c->sync.interval_s = (int)key_specs[KEY_SYNC_INTERVAL].def;
    c->sync.batch_max = (int)key_specs[KEY_SYNC_BATCH_MAX].def;
}

bk_err config_load(const char *path, bk_config *out, bk_diag *diag)
{
    static const ini_spec spec = {
        .sections = sections,
        .n_sections = SEC_COUNT,
        .keys = key_specs,
        .n_keys = KEY_COUNT,
        .on_key = set_value,
        .finish = finish,
    };
    memset(out, 0, sizeof *out);
    cfg_parser *p = calloc(1, sizeof *p);
    if (!p)
        return BK_ERR_NOMEM;
    p->cfg = out;
    p->areas = (ini_area_table){
        .areas = out->areas, .n = &out->n_areas, .max = CONFIG_MAX_AREAS, .section = SEC_AREAS};
    set_defaults(out);
    bk_err rc = BK_OK;
    out->path = strdup(path);
    if (!out->path)
        rc = BK_ERR_NOMEM;
    else
        rc = ini_read(path, &spec, p, diag);
    free(p);
    if (rc != BK_OK)
        config_free(out);
    return rc;
}

void config_free(bk_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->kiosk.id);
    free(cfg->kiosk.name);
    free(cfg->kiosk.area);
    for (size_t i = 0; i < cfg->kiosk.n_languages; i++)
        free(cfg->kiosk.languages[i]);
    free(cfg->kiosk.default_language);
    free(cfg->storage.database);
    free(cfg->survey.directory);
    free(cfg->survey.active);
    free(cfg->sync.base_url);
    free(cfg->sync.token_file);
    free(cfg->sync.ca_file);
    free(cfg->sync.client_cert);
    free(cfg->sync.client_key);
    free(cfg->staff.pin_hash);
    ini_areas_free(cfg->areas, cfg->n_areas);
    memset(cfg, 0, sizeof *cfg);
}

char *config_resolve_path(const bk_config *cfg, const char *path)
{
    return ini_resolve_path(cfg ? cfg->path : NULL, path);
}

const char *config_area_name(const bk_config *cfg, const char *id, const char *lang)
{
    if (!cfg || !id)
        return NULL;
    int a = find_area(cfg, id, strlen(id));
    if (a < 0)
        return NULL;
    return ini_areas_name(&cfg->areas[a], lang);
}

/* Reads at most max bytes of fd into buf; returns the count or -1. */
static ssize_t read_all(int fd, char *buf, size_t max)
{
    size_t used = 0;
    while (used < max) {
        ssize_t n = read(fd, buf + used, max - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        used += (size_t)n;
    }
    return (ssize_t)used;
}

bk_err config_read_token(const bk_config *cfg, char **token, bk_diag *diag)
{
    bk_diag local = {0};
    bk_err rc = BK_OK;
    int fd = -1;
    char buf[CONFIG_TOKEN_MAX + 1];
    *token = NULL;
    if (!diag)
        diag = &local;
    if (!cfg->sync.token_file) {
        diag_add(diag, "%s: [sync] token_file is not set", cfg->path ? cfg->path : "config");
        diag_clear(&local);
        return BK_ERR_INVALID;
    }
    char *path = config_resolve_path(cfg, cfg->sync.token_file);
    if (!path)
        return BK_ERR_NOMEM;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        diag_add(diag, "%s: cannot open the token file: %s", path, strerror(errno));
        rc = BK_ERR_IO;
        goto done;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        diag_add(diag, "%s: cannot read the token file: %s", path, strerror(errno));
        rc = BK_ERR_IO;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_add(diag, "%s: the token file is not a regular file", path);
        rc = BK_ERR_INVALID;
        goto done;
    }
    if (st.st_mode & 077) {
        diag_add(diag,
                 "%s: the token file can be read or changed by other users (mode %04o); make it "
                 "private with: chmod 600 %s",
                 path, (unsigned)(st.st_mode & 07777), path);
        rc = BK_ERR_INVALID;
        goto done;
    }
    ssize_t n = read_all(fd, buf, sizeof buf);
    if (n < 0) {
        diag_add(diag, "%s: cannot read the token file: %s", path, strerror(errno));
        rc = BK_ERR_IO;
        goto done;
    }
    if ((size_t)n > CONFIG_TOKEN_MAX) {
        diag_add(diag, "%s: the token file is larger than %d bytes", path, CONFIG_TOKEN_MAX);
        rc = BK_ERR_INVALID;
        goto done;
    }
    size_t start = 0, end = (size_t)n;
    while (start < end && is_space(buf[start]))
        start++;
    while (end > start && is_space(buf[end - 1]))
        end--;
    if (start == end) {
        diag_add(diag, "%s: the token file is empty", path);
        rc = BK_ERR_INVALID;
        goto done;
    }
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c <= 0x20 || c >= 0x7f) {
            diag_add(diag,
                     "%s: the token contains spaces, line breaks or other characters that "
                     "cannot be sent",
                     path);
            rc = BK_ERR_INVALID;
            goto done;
        }
    }
    *token = strndup(buf + start, end - start);
    if (!*token)
        rc = BK_ERR_NOMEM;
done:
    sodium_memzero(buf, sizeof buf);
    if (fd >= 0)
        close(fd);
    free(path);
    diag_clear(&local);
    return rc;
}
