/* config.c: reads and validates the kiosk's INI configuration with libinih.
 *
 * libinih does the key = value parsing (inline comments, whitespace). It is
 * fed through our own reader, which hands it one physical line per call, so
 * the reader's line counter is the line inih is handling when it calls the
 * handler. The reader also does what inih cannot report precisely: section
 * headers (known, unknown, unclosed), lines without "=", over-long lines,
 * invalid UTF-8. It strips leading whitespace, so an indented line is never
 * taken as a continuation of the previous value. Parsing always goes on to
 * the end; every problem is then added to the diag as "FILE:LINE: problem",
 * in line order. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define CONFIG_ID_MAX 64              /* characters in an id (kiosk, survey, area) */
#define CONFIG_TOKEN_MAX 4096         /* bytes in a token file */
#define CONFIG_MSG_MAX 1024           /* one problem's text */
#define CONFIG_FILE_MAX (1024 * 1024) /* bytes in a configuration file */
#define CONFIG_SIZE_MIN 320           /* display width/height when not 0 */
#define CONFIG_SIZE_MAX 8192

#define ID_RULE "1 to 64 characters from a-z, 0-9, _ and -"

typedef enum cfg_section {
    SEC_NONE,   /* before the first header */
    SEC_IGNORE, /* inside an unknown or broken section (already reported) */
    SEC_KIOSK,
    SEC_DISPLAY,
    SEC_STORAGE,
    SEC_SURVEY,
    SEC_SYNC,
    SEC_STAFF,
    SEC_AREAS,
    SEC_COUNT
} cfg_section;

static const char *const section_names[SEC_COUNT] = {
    [SEC_KIOSK] = "kiosk",   [SEC_DISPLAY] = "display", [SEC_STORAGE] = "storage",
    [SEC_SURVEY] = "survey", [SEC_SYNC] = "sync",       [SEC_STAFF] = "staff",
    [SEC_AREAS] = "areas",
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

typedef struct key_spec {
    cfg_section section;
    const char *name;
    key_kind kind;
    bool required;
    int min, max, def; /* K_INT and K_SIZE */
} key_spec;

static const key_spec key_specs[KEY_COUNT] = {
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

/* One problem, kept so the report can be sorted by line. */
typedef struct cfg_problem {
    int line;
    size_t seq; /* order found, for a stable sort */
    char *msg;  /* owned */
} cfg_problem;

/* State of one config_load: the reader's position and what was seen where. */
typedef struct cfg_parser {
    bk_config *cfg;
    bk_diag *diag;
    const char *path; /* as given, for messages */
    FILE *file;
    char *raw; /* the current physical line (getline buffer) */
    size_t raw_cap;
    int lineno;                  /* the line inih is handling now */
    cfg_section section;         /* the section that line belongs to */
    int section_line[SEC_COUNT]; /* first header of each section, 0 = absent */
    int key_line[KEY_COUNT];     /* line of each key, 0 = absent */
    int area_line[CONFIG_MAX_AREAS];
    int translation_line[CONFIG_MAX_AREAS][CONFIG_MAX_LANGUAGES];
    bool too_many_areas; /* reported once */
    bool nomem;
    int read_errno;        /* nonzero when reading the file failed */
    cfg_problem *problems; /* kept until the end, then sorted by line */
    size_t n_problems, cap_problems;
    size_t errors; /* problems found by this load (also those not kept) */
} cfg_parser;

static void problem(cfg_parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a problem at line; flush_problems() hands them to the diag. */
static void problem(cfg_parser *p, int line, const char *fmt, ...)
{
    char msg[CONFIG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->errors++;
    if (p->n_problems == BK_DIAG_MAX)
        return; /* counted as dropped when flushed */
    if (p->n_problems == p->cap_problems) {
        size_t cap = p->cap_problems ? p->cap_problems * 2 : 16;
        cfg_problem *grown = realloc(p->problems, cap * sizeof *grown);
        if (!grown) {
            p->nomem = true;
            return;
        }
        p->problems = grown;
        p->cap_problems = cap;
    }
    char *copy = strdup(msg);
    if (!copy) {
        p->nomem = true;
        return;
    }
    p->problems[p->n_problems] = (cfg_problem){line, p->n_problems, copy};
    p->n_problems++;
}

static int problem_cmp(const void *a, const void *b)
{
    const cfg_problem *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Adds the problems to diag as "FILE:LINE: problem", in line order, and
 * frees them. */
static void flush_problems(cfg_parser *p)
{
    if (p->n_problems)
        qsort(p->problems, p->n_problems, sizeof *p->problems, problem_cmp);
    for (size_t i = 0; i < p->n_problems; i++) {
        diag_add(p->diag, "%s:%d: %s", p->path, p->problems[i].line, p->problems[i].msg);
        free(p->problems[i].msg);
    }
    p->diag->dropped += p->errors - p->n_problems;
    free(p->problems);
    p->problems = NULL;
    p->n_problems = p->cap_problems = 0;
}

/* ---- small syntax helpers ---------------------------------------------- */

static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static bool is_space(char c)
{
    return isspace((unsigned char)c) != 0;
}

/* An id: 1..64 of a-z 0-9 _ - (the rule of survey ids, survey.c). */
static bool id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CONFIG_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* A language code as in survey definitions: 2 or 3 lowercase letters,
 * optionally "-" and 2..8 lowercase letters or digits ("nl", "pap", "pt-br"). */
static bool lang_valid_n(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return false;
    if (i == n)
        return true;
    if (s[i] != '-' || n - i - 1 < 2 || n - i - 1 > 8)
        return false;
    for (i++; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static bool lang_valid(const char *s)
{
    return lang_valid_n(s, strlen(s));
}

/* A whole decimal number without sign tricks or trailing text. */
static bool parse_int(const char *s, long *out)
{
    const char *d = s[0] == '-' ? s + 1 : s;
    if (!*d)
        return false;
    for (const char *q = d; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* inih's rule: an inline comment starts with ';' preceded by whitespace.
 * Returns the first of chars (or the comment start, or the end) in s. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
    bool was_space = false;
    while (*s && !strchr(chars, *s) && !(was_space && strchr(INI_INLINE_COMMENT_PREFIXES, *s))) {
        was_space = is_space(*s);
        s++;
    }
    return s;
}

static char *store_string(cfg_parser *p, char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy) {
        p->nomem = true;
        return NULL;
    }
    free(*field);
    *field = copy;
    return copy;
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
        problem(p, line, "languages must list at least one language code, such as \"nl, en\"");
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
            problem(p, line, "languages has an empty entry (check the commas)");
            goto fail;
        }
        if (!lang_valid_n(s, len)) {
            problem(p, line,
                    "languages must be language codes such as \"nl, en\"; \"%.*s\" is not one "
                    "(use two or three lowercase letters, such as nl)",
                    (int)len, s);
            goto fail;
        }
        for (size_t i = 0; i < c->kiosk.n_languages; i++) {
            if (strlen(c->kiosk.languages[i]) == len &&
                memcmp(c->kiosk.languages[i], s, len) == 0) {
                problem(p, line, "languages lists \"%.*s\" twice", (int)len, s);
                goto fail;
            }
        }
        if (c->kiosk.n_languages == CONFIG_MAX_LANGUAGES) {
            problem(p, line, "languages lists more than %d languages", CONFIG_MAX_LANGUAGES);
            goto fail;
        }
        char *code = strndup(s, len);
        if (!code) {
            p->nomem = true;
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

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "1"};
    static const char *const no[] = {"false", "no", "0"};
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool is_loopback_host(const char *host, bool bracketed)
{
    if (bracketed) {
        struct in6_addr a6;
        return inet_pton(AF_INET6, host, &a6) == 1 &&
               memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
    }
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
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
        problem(p, line,
                "base_url must start with https:// (or http:// for a test receiver on this "
                "computer), not \"%s\"",
                v);
        return;
    }
    for (const char *q = v; *q; q++) {
        if (is_space(*q) || (unsigned char)*q < 0x20 || *q == 0x7f) {
            problem(p, line, "base_url must not contain spaces or control characters");
            return;
        }
        if (*q == '?' || *q == '#') {
            problem(p, line, "base_url must not contain \"?\" or \"#\"");
            return;
        }
    }
    size_t alen = strcspn(rest, "/");
    if (memchr(rest, '@', alen)) {
        problem(p, line,
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
            problem(p, line, "base_url has an unclosed \"[\" in its host");
            return;
        }
        bracketed = true;
        hlen = (size_t)(close - rest - 1);
        if (hlen >= sizeof host) {
            problem(p, line, "base_url has a host name that is too long");
            return;
        }
        memcpy(host, rest + 1, hlen);
        host[hlen] = '\0';
        const char *after = close + 1;
        if (after < rest + alen) {
            if (*after != ':') {
                problem(p, line, "base_url has unexpected text after \"]\"");
                return;
            }
            port = after + 1;
        }
    } else {
        const char *colon = memchr(rest, ':', alen);
        hlen = colon ? (size_t)(colon - rest) : alen;
        if (hlen >= sizeof host) {
            problem(p, line, "base_url has a host name that is too long");
            return;
        }
        memcpy(host, rest, hlen);
        host[hlen] = '\0';
        for (size_t i = 0; i < hlen; i++) {
            char c = host[i];
            if (!(isalnum((unsigned char)c) || c == '-' || c == '.')) {
                problem(p, line, "base_url has an invalid host name \"%s\"", host);
                return;
            }
        }
        if (colon)
            port = colon + 1;
    }
    if (hlen == 0) {
        problem(p, line, "base_url has no host name");
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
            problem(p, line, "base_url has an invalid port \"%.*s\"", (int)plen, port);
            return;
        }
    }
    if (!https && !is_loopback_host(host, bracketed)) {
        problem(p, line,
                "base_url uses http:// for \"%s\", which is not this computer; use https:// "
                "(plain http is only allowed for 127.0.0.1, ::1 or localhost)",
                host);
        return;
    }
    char *url = store_string(p, &p->cfg->sync.base_url, v);
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
        problem(p, line,
                "pin_hash must be a libsodium password hash starting with \"$argon2id$\" (see "
                "docs/configuration.md)");
        return;
    }
    store_string(p, &p->cfg->staff.pin_hash, v);
}

/* Checks and stores the value of a known key. */
static void set_value(cfg_parser *p, cfg_key k, int line, const char *v)
{
    const key_spec *ks = &key_specs[k];
    bk_config *c = p->cfg;
    long n = 0;
    bool b;
    switch (ks->kind) {
    case K_ID:
        if (!*v)
            problem(p, line, "%s must not be empty", ks->name);
        else if (!id_valid(v))
            problem(p, line, "%s \"%s\" is not valid: use %s", ks->name, v, ID_RULE);
        else
            store_string(p, string_field(c, k), v);
        return;
    case K_AREA_REF:
        if (!*v)
            return; /* the resident is asked */
        if (!id_valid(v))
            problem(p, line, "%s must be empty or an area id, not \"%s\"", ks->name, v);
        else
            store_string(p, string_field(c, k), v);
        return;
    case K_TEXT:
        if (*v)
            store_string(p, &c->kiosk.name, v);
        return;
    case K_PATH:
        if (*v)
            store_string(p, string_field(c, k), v);
        else if (ks->required)
            problem(p, line, "%s must not be empty", ks->name);
        return;
    case K_LANGS:
        parse_languages(p, line, v);
        return;
    case K_LANG:
        if (!*v)
            return; /* the first of languages */
        if (!lang_valid(v))
            problem(p, line, "%s must be a language code such as \"nl\", not \"%s\"", ks->name, v);
        else
            store_string(p, string_field(c, k), v);
        return;
    case K_INT:
        if (!*v)
            problem(p, line,
                    "%s is empty; give a whole number from %d to %d, or remove the line for the "
                    "default (%d)",
                    ks->name, ks->min, ks->max, ks->def);
        else if (!parse_int(v, &n) || n < ks->min || n > ks->max)
            problem(p, line, "%s must be a whole number from %d to %d, not \"%s\"", ks->name,
                    ks->min, ks->max, v);
        else
            *int_field(c, k) = (int)n;
        return;
    case K_SIZE:
        if (!*v)
            *int_field(c, k) = 0;
        else if (!parse_int(v, &n) || (n != 0 && (n < ks->min || n > ks->max)))
            problem(p, line, "%s must be empty, 0 (%s) or a whole number from %d to %d, not \"%s\"",
                    ks->name, k == KEY_DISPLAY_DPI ? "ask the display" : "the display's own size",
                    ks->min, ks->max, v);
        else
            *int_field(c, k) = (int)n;
        return;
    case K_BOOL:
        if (parse_bool(v, &b))
            c->display.fullscreen = b;
        else
            problem(p, line, "%s must be true or false (or yes/no, 1/0), not \"%s\"", ks->name, v);
        return;
    case K_MODE:
        if (strcasecmp(v, "survey") == 0)
            c->kiosk.mode = CONFIG_MODE_SURVEY;
        else if (strcasecmp(v, "live") == 0)
            c->kiosk.mode = CONFIG_MODE_LIVE;
        else
            problem(p, line, "%s must be survey or live, not \"%s\"", ks->name, v);
        return;
    case K_PRESENTER:
        if (strcasecmp(v, "auto") == 0)
            c->display.presenter = CONFIG_PRESENTER_AUTO;
        else if (strcasecmp(v, "off") == 0)
            c->display.presenter = CONFIG_PRESENTER_OFF;
        else if (strcasecmp(v, "on") == 0)
            c->display.presenter = CONFIG_PRESENTER_ON;
        else
            problem(p, line, "%s must be auto, off or on, not \"%s\"", ks->name, v);
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
    for (size_t i = 0; i < c->n_areas; i++)
        if (strlen(c->areas[i].id) == len && memcmp(c->areas[i].id, id, len) == 0)
            return (int)i;
    return -1;
}

/* A line of [areas]: `id = Name` or `id.lang = Name`. */
static void set_area(cfg_parser *p, int line, const char *name, const char *v)
{
    bk_config *c = p->cfg;
    const char *dot = strchr(name, '.');
    if (dot) {
        size_t idlen = (size_t)(dot - name);
        const char *lang = dot + 1;
        if (!lang_valid(lang)) {
            problem(p, line, "\"%s\": the part after \".\" must be a language code such as \"en\"",
                    name);
            return;
        }
        int a = find_area(c, name, idlen);
        if (a < 0) {
            problem(p, line, "translation \"%s\" for area \"%.*s\", which is not declared above",
                    name, (int)idlen, name);
            return;
        }
        config_area *area = &c->areas[a];
        for (size_t i = 0; i < area->n_translations; i++) {
            if (strcmp(area->lang[i], lang) == 0) {
                problem(p, line, "duplicate key \"%s\" in [areas] (first on line %d)", name,
                        p->translation_line[a][i]);
                return;
            }
        }
        if (!*v) {
            problem(p, line, "\"%s\" has no name", name);
            return;
        }
        if (area->n_translations == CONFIG_MAX_LANGUAGES) {
            problem(p, line, "area \"%s\" has more than %d translations", area->id,
                    CONFIG_MAX_LANGUAGES);
            return;
        }
        size_t t = area->n_translations;
        area->lang[t] = strdup(lang);
        area->name_in[t] = strdup(v);
        if (!area->lang[t] || !area->name_in[t]) {
            free(area->lang[t]);
            free(area->name_in[t]);
            area->lang[t] = area->name_in[t] = NULL;
            p->nomem = true;
            return;
        }
        p->translation_line[a][t] = line;
        area->n_translations++;
        return;
    }
    if (!id_valid(name)) {
        problem(p, line, "area id \"%s\" is not valid: use %s", name, ID_RULE);
        return;
    }
    int prev = find_area(c, name, strlen(name));
    if (prev >= 0) {
        problem(p, line, "duplicate key \"%s\" in [areas] (first on line %d)", name,
                p->area_line[prev]);
        return;
    }
    if (!*v) {
        problem(p, line, "area \"%s\" has no name", name);
        return;
    }
    if (c->n_areas == CONFIG_MAX_AREAS) {
        if (!p->too_many_areas)
            problem(p, line, "too many areas (at most %d)", CONFIG_MAX_AREAS);
        p->too_many_areas = true;
        return;
    }
    config_area *area = &c->areas[c->n_areas];
    area->id = strdup(name);
    area->name = strdup(v);
    if (!area->id || !area->name) {
        free(area->id);
        free(area->name);
        area->id = area->name = NULL;
        p->nomem = true;
        return;
    }
    p->area_line[c->n_areas] = line;
    c->n_areas++;
}

/* ---- libinih callbacks --------------------------------------------------- */

static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
    cfg_parser *p = user;
    int line = p->lineno;
    (void)section; /* the reader tracks sections itself, untruncated */
    if (p->nomem || p->section == SEC_IGNORE)
        return 1;
    if (!*name) {
        problem(p, line, "missing key name before \"=\"");
        return 1;
    }
    if (p->section == SEC_NONE) {
        problem(p, line, "key \"%s\" is outside any section; put it under a [section] header",
                name);
        return 1;
    }
    if (p->section == SEC_AREAS) {
        set_area(p, line, name, value);
        return 1;
    }
    for (int k = 0; k < KEY_COUNT; k++) {
        if (key_specs[k].section != p->section || strcmp(key_specs[k].name, name) != 0)
            continue;
        if (p->key_line[k]) {
            problem(p, line, "duplicate key \"%s\" in [%s] (first on line %d)", name,
                    section_names[p->section], p->key_line[k]);
        } else {
            p->key_line[k] = line;
            set_value(p, (cfg_key)k, line, value);
        }
        return 1;
    }
    problem(p, line, "unknown key \"%s\" in [%s]", name, section_names[p->section]);
    return 1;
}

/* A "[name]" line (s trimmed, starting with '['). An unclosed header of a
 * known section still opens it, so its keys are checked as usual. */
static void section_header(cfg_parser *p, char *s)
{
    int line = p->lineno;
    const char *end = find_chars_or_comment(s + 1, "]");
    bool closed = *end == ']';
    const char *name = s + 1;
    while (name < end && is_space(*name))
        name++;
    size_t len = (size_t)(end - name);
    while (len && is_space(name[len - 1]))
        len--;
    if (!closed) {
        problem(p, line, "missing \"]\" at the end of the section header");
    } else {
        const char *after = end + 1;
        while (is_space(*after))
            after++;
        if (*after && !strchr(INI_START_COMMENT_PREFIXES, *after))
            problem(p, line, "unexpected text after \"[%.*s]\"", (int)len, name);
    }
    for (int sec = SEC_KIOSK; sec < SEC_COUNT; sec++) {
        if (strlen(section_names[sec]) == len && memcmp(section_names[sec], name, len) == 0) {
            if (p->section_line[sec])
                problem(p, line, "section [%s] appears twice (first on line %d)",
                        section_names[sec], p->section_line[sec]);
            else
                p->section_line[sec] = line;
            p->section = (cfg_section)sec;
            return;
        }
    }
    if (closed)
        problem(p, line, "unknown section [%.*s]", (int)len, name);
    p->section = SEC_IGNORE;
}

/* inih's reader: one physical line per call, trimmed; comments, section
 * headers and broken lines are handled here and reach inih as blank lines
 * (or, for headers, as themselves when they fit). */
static char *cfg_reader(char *buf, int num, void *stream)
{
    cfg_parser *p = stream;
    if (p->nomem)
        return NULL;
    errno = 0;
    ssize_t got = getline(&p->raw, &p->raw_cap, p->file);
    if (got < 0) {
        if (ferror(p->file))
            p->read_errno = errno ? errno : EIO;
        if (errno == ENOMEM)
            p->nomem = true;
        return NULL;
    }
    p->lineno++;
    buf[0] = '\0';
    char *s = p->raw;
    size_t len = (size_t)got;
    if (memchr(s, '\0', len)) {
        problem(p, p->lineno, "line contains a NUL byte (is this a text file?)");
        return buf;
    }
    if (p->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3; /* UTF-8 byte order mark, as Windows editors write it */
        len -= 3;
    }
    if (!utf8_valid((const unsigned char *)s, len)) {
        problem(p, p->lineno, "line is not valid UTF-8; save the file as UTF-8");
        return buf;
    }
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        s[--len] = '\0';
    if (len == 0 || strchr(INI_START_COMMENT_PREFIXES, *s))
        return buf;
    if (*s == '[') {
        section_header(p, s);
        if (len + 2 <= (size_t)num)
            memcpy(buf, s, len + 1);
        return buf;
    }
    if (len + 2 > (size_t)num) {
        problem(p, p->lineno, "line is too long (at most %d characters)", num - 2);
        return buf;
    }
    const char *sep = find_chars_or_comment(s, "=:");
    if (*sep != '=' && *sep != ':') {
        problem(p, p->lineno, "expected \"key = value\" or \"[section]\"");
        return buf;
    }
    memcpy(buf, s, len + 1);
    return buf;
}

/* ---- after the last line: cross-checks and defaults -------------------- */

static bool has_language(const bk_config *c, const char *lang)
{
    for (size_t i = 0; i < c->kiosk.n_languages; i++)
        if (strcmp(c->kiosk.languages[i], lang) == 0)
            return true;
    return false;
}

static void report_missing(cfg_parser *p)
{
    int eof_line = p->lineno > 0 ? p->lineno : 1;
    for (int sec = SEC_KIOSK; sec < SEC_COUNT; sec++) {
        char missing[256] = "";
        size_t n_missing = 0;
        for (int k = 0; k < KEY_COUNT; k++) {
            if ((int)key_specs[k].section != sec || !key_specs[k].required || p->key_line[k])
                continue;
            if (p->section_line[sec]) {
                problem(p, p->section_line[sec], "[%s] is missing the required key \"%s\"",
                        section_names[sec], key_specs[k].name);
            } else {
                size_t used = strlen(missing);
                snprintf(missing + used, sizeof missing - used, "%s%s", n_missing ? ", " : "",
                         key_specs[k].name);
                n_missing++;
            }
        }
        if (n_missing)
            problem(p, eof_line, "section [%s] is missing (it must set %s)", section_names[sec],
                    missing);
    }
}

static void finish(cfg_parser *p)
{
    bk_config *c = p->cfg;
    report_missing(p);
    if (c->kiosk.n_languages > 0) {
        char list[CONFIG_MAX_LANGUAGES * 14] = ""; /* "nl, en" */
        for (size_t i = 0; i < c->kiosk.n_languages; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", c->kiosk.languages[i]);
        }
        if (c->kiosk.default_language && !has_language(c, c->kiosk.default_language))
            problem(p, p->key_line[KEY_KIOSK_DEFAULT_LANGUAGE],
                    "default_language \"%s\" is not one of languages (%s)",
                    c->kiosk.default_language, list);
        for (size_t a = 0; a < c->n_areas; a++)
            for (size_t t = 0; t < c->areas[a].n_translations; t++)
                if (!has_language(c, c->areas[a].lang[t]))
                    problem(p, p->translation_line[a][t],
                            "translation \"%s.%s\": \"%s\" is not one of languages (%s)",
                            c->areas[a].id, c->areas[a].lang[t], c->areas[a].lang[t], list);
        if (!c->kiosk.default_language)
            store_string(p, &c->kiosk.default_language, c->kiosk.languages[0]);
    }
    if (c->kiosk.area && find_area(c, c->kiosk.area, strlen(c->kiosk.area)) < 0)
        problem(p, p->key_line[KEY_KIOSK_AREA], "area \"%s\" is not one of the ids in [areas]",
                c->kiosk.area);
    if (c->sync.base_url && !c->sync.token_file)
        problem(p, p->key_line[KEY_SYNC_BASE_URL],
                "base_url is set but token_file is not (the kiosk needs a token to upload)");
    if (c->sync.client_cert && !c->sync.client_key)
        problem(p, p->key_line[KEY_SYNC_CLIENT_CERT],
                "client_cert is set but client_key is not (a client certificate needs both)");
    if (c->sync.client_key && !c->sync.client_cert)
        problem(p, p->key_line[KEY_SYNC_CLIENT_KEY],
                "client_key is set but client_cert is not (a client certificate needs both)");
    if (!c->kiosk.name && c->kiosk.id)
        store_string(p, &c->kiosk.name, c->kiosk.id);
}

/* ---- public -------------------------------------------------------------- */

static void set_defaults(bk_config *c)
{
    c->kiosk.idle_timeout_s = key_specs[KEY_KIOSK_IDLE_TIMEOUT].def;
    c->kiosk.mode = CONFIG_MODE_SURVEY;
    c->display.fullscreen = true;
    c->display.presenter = CONFIG_PRESENTER_AUTO;
    c->storage.retention_days = key_specs[KEY_STORAGE_RETENTION].def;
    c->sync.interval_s = key_specs[KEY_SYNC_INTERVAL].def;
    c->sync.batch_max = key_specs[KEY_SYNC_BATCH_MAX].def;
}

bk_err config_load(const char *path, bk_config *out, bk_diag *diag)
{
    bk_diag local = {0};
    bk_err rc = BK_OK;
    memset(out, 0, sizeof *out);
    if (!diag)
        diag = &local;
    cfg_parser *p = calloc(1, sizeof *p);
    if (!p)
        return BK_ERR_NOMEM;
    p->cfg = out;
    p->diag = diag;
    p->path = path;
    p->file = fopen(path, "r");
    if (!p->file) {
        diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
        rc = BK_ERR_IO;
        goto done;
    }
    struct stat st;
    if (fstat(fileno(p->file), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > CONFIG_FILE_MAX) {
        diag_add(diag, "%s: the file is larger than %d bytes; is it the right file?", path,
                 CONFIG_FILE_MAX);
        rc = BK_ERR_INVALID;
        goto done;
    }
    out->path = strdup(path);
    if (!out->path) {
        rc = BK_ERR_NOMEM;
        goto done;
    }
    set_defaults(out);
    int r = ini_parse_stream(cfg_reader, p, cfg_handler, p);
    if (r == -2)
        p->nomem = true;
    if (p->nomem) {
        rc = BK_ERR_NOMEM;
    } else if (p->read_errno) {
        diag_add(diag, "%s: cannot read: %s", path, strerror(p->read_errno));
        rc = BK_ERR_IO;
    } else {
        finish(p);
        if (p->nomem)
            rc = BK_ERR_NOMEM;
        else if (p->errors)
            rc = BK_ERR_INVALID;
    }
done:
    flush_problems(p);
    if (p->file)
        fclose(p->file);
    free(p->raw);
    free(p);
    if (rc != BK_OK)
        config_free(out);
    diag_clear(&local);
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
    for (size_t a = 0; a < cfg->n_areas; a++) {
        config_area *area = &cfg->areas[a];
        free(area->id);
        free(area->name);
        for (size_t t = 0; t < area->n_translations; t++) {
            free(area->lang[t]);
            free(area->name_in[t]);
        }
    }
    memset(cfg, 0, sizeof *cfg);
}

char *config_resolve_path(const bk_config *cfg, const char *path)
{
    if (!path || !*path)
        return NULL;
    const char *slash = cfg && cfg->path ? strrchr(cfg->path, '/') : NULL;
    if (path[0] == '/' || !slash)
        return strdup(path);
    int dirlen = (int)(slash - cfg->path);
    size_t size = (size_t)dirlen + 1 + strlen(path) + 1;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%.*s/%s", dirlen, cfg->path, path);
    return out;
}

const char *config_area_name(const bk_config *cfg, const char *id, const char *lang)
{
    if (!cfg || !id)
        return NULL;
    int a = find_area(cfg, id, strlen(id));
    if (a < 0)
        return NULL;
    const config_area *area = &cfg->areas[a];
    if (lang)
        for (size_t t = 0; t < area->n_translations; t++)
            if (strcmp(area->lang[t], lang) == 0)
                return area->name_in[t];
    return area->name;
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
