/* collector_config.c: reads and validates the collector's INI
 * configuration with core/ini_file.h; see collector_config.h and
 * docs/collector.md. The reader reports the problems of the file's form
 * (sections, unknown and repeated keys, missing required keys); this file
 * holds the collector's keys and the rules of their values. */
#include "collector_config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini_file.h"
#include "storage.h"
#include "survey.h"
#include <libpq-fe.h>

#define KIB 1024LL
#define MIB (1024LL * 1024)
#define GIB (1024LL * 1024 * 1024)

typedef enum cc_section {
    SEC_SERVER,
    SEC_STORAGE,
    SEC_LIMITS,
    SEC_DASHBOARD,
    SEC_AREAS,
    SEC_COUNT
} cc_section;

/* What one collector_config_load keeps beside the reader's state. */
typedef struct cc_parser {
    collector_config *cfg;
    ini_area_table areas; /* cfg->areas, as the [areas] reader fills it */
} cc_parser;

static void area_key(ini_file *ini, void *user, int section, const char *name, const char *v,
                     int line)
{
    cc_parser *p = user;
    (void)section; /* SEC_AREAS, set in p->areas by collector_config_load */
    ini_areas_key(ini, &p->areas, name, v, line);
}

static const ini_section sections[SEC_COUNT] = {
    [SEC_SERVER] = {"server", NULL},   [SEC_STORAGE] = {"storage", NULL},
    [SEC_LIMITS] = {"limits", NULL},   [SEC_DASHBOARD] = {"dashboard", NULL},
    [SEC_AREAS] = {"areas", area_key}, /* `id = Name`, `id.LANG = Name` */
};

typedef enum cc_kind {
    K_LISTEN,    /* a numeric IPv4 or IPv6 address, or localhost */
    K_BASE_PATH, /* "/x/y": URL-safe, no trailing '/' */
    K_PATH,      /* a file; empty = not set */
    K_DATABASE,  /* an SQLite file, or a PostgreSQL connection URI without a password */
    K_INT,       /* whole number in min..max */
    K_BYTES,     /* whole number of bytes, optionally KiB/MiB/GiB, in min..max */
    K_ID,        /* a survey id */
    K_ID_LIST,   /* question ids, comma-separated */
} cc_kind;

typedef enum cc_key {
    KEY_LISTEN,
    KEY_PORT,
    KEY_BASE_PATH,
    KEY_TLS_CERT,
    KEY_TLS_KEY,
    KEY_THREADS,
    KEY_MAX_CONNECTIONS,
    KEY_MAX_PENDING,
    KEY_REQUEST_TIMEOUT,
    KEY_RETRY_AFTER,
    KEY_DATABASE,
    KEY_BUSY_TIMEOUT,
    KEY_POOL_SIZE,
    KEY_MAX_BODY,
    KEY_MAX_INFLATED,
    KEY_MAX_RESPONSES,
    KEY_MIN_GROUP,
    KEY_OFFLINE_AFTER,
    KEY_SESSION_IDLE,
    KEY_SESSION_MAX,
    KEY_LOCK_AFTER,
    KEY_LOCK_BASE,
    KEY_COHESION_SURVEY,
    KEY_COHESION_QUESTIONS,
    KEY_COUNT
} cc_key;

/* section, name, kind (cc_kind), required, min, max, default */
static const ini_key keys[KEY_COUNT] = {
    [KEY_LISTEN] = {SEC_SERVER, "listen", K_LISTEN, false, 0, 0, 0},
    [KEY_PORT] = {SEC_SERVER, "port", K_INT, false, 0, 65535, 8443},
    [KEY_BASE_PATH] = {SEC_SERVER, "base_path", K_BASE_PATH, false, 0, 0, 0},
    [KEY_TLS_CERT] = {SEC_SERVER, "tls_cert", K_PATH, false, 0, 0, 0},
    [KEY_TLS_KEY] = {SEC_SERVER, "tls_key", K_PATH, false, 0, 0, 0},
    [KEY_THREADS] = {SEC_SERVER, "threads", K_INT, false, 1, 64, 4},
    [KEY_MAX_CONNECTIONS] = {SEC_SERVER, "max_connections", K_INT, false, 1, 10000, 256},
    [KEY_MAX_PENDING] = {SEC_SERVER, "max_pending", K_INT, false, 1, 1024, 32},
    [KEY_REQUEST_TIMEOUT] = {SEC_SERVER, "request_timeout_s", K_INT, false, 1, 3600, 30},
    [KEY_RETRY_AFTER] = {SEC_SERVER, "retry_after_s", K_INT, false, 1, 3600, 5},
    [KEY_DATABASE] = {SEC_STORAGE, "database", K_DATABASE, true, 0, 0, 0},
    [KEY_BUSY_TIMEOUT] = {SEC_STORAGE, "busy_timeout_ms", K_INT, false, 0, 600000, 5000},
    /* 0 until finish(): threads + 1 when not set */
    [KEY_POOL_SIZE] = {SEC_STORAGE, "pool_size", K_INT, false, 1, 1000, 0},
    [KEY_MAX_BODY] = {SEC_LIMITS, "max_body_bytes", K_BYTES, false, KIB, GIB, 8 * MIB},
    [KEY_MAX_INFLATED] = {SEC_LIMITS, "max_inflated_bytes", K_BYTES, false, KIB, 4 * GIB, 64 * MIB},
    [KEY_MAX_RESPONSES] = {SEC_LIMITS, "max_responses", K_INT, false, 1, 100000, 2000},
    [KEY_MIN_GROUP] = {SEC_DASHBOARD, "min_group", K_INT, false, 1, 1000, 5},
    [KEY_OFFLINE_AFTER] = {SEC_DASHBOARD, "offline_after_s", K_INT, false, 60, 604800, 3600},
    [KEY_SESSION_IDLE] = {SEC_DASHBOARD, "session_idle_s", K_INT, false, 60, 86400, 1800},
    [KEY_SESSION_MAX] = {SEC_DASHBOARD, "session_max_s", K_INT, false, 300, 604800, 43200},
    [KEY_LOCK_AFTER] = {SEC_DASHBOARD, "lock_after", K_INT, false, 1, 100, 5},
    [KEY_LOCK_BASE] = {SEC_DASHBOARD, "lock_base_s", K_INT, false, 1, 3600, 30},
    [KEY_COHESION_SURVEY] = {SEC_DASHBOARD, "cohesion_survey", K_ID, false, 0, 0, 0},
    [KEY_COHESION_QUESTIONS] = {SEC_DASHBOARD, "cohesion_questions", K_ID_LIST, false, 0, 0, 0},
};

#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_BASE_PATH "/buurtkiosk"

static char **string_field(collector_config *c, cc_key k)
{
    switch (k) {
    case KEY_LISTEN:
        return &c->server.listen;
    case KEY_BASE_PATH:
        return &c->server.base_path;
    case KEY_TLS_CERT:
        return &c->server.tls_cert;
    case KEY_TLS_KEY:
        return &c->server.tls_key;
    case KEY_DATABASE:
        return &c->storage.database;
    default:
        return NULL;
    }
}

static int *int_field(collector_config *c, cc_key k)
{
    switch (k) {
    case KEY_PORT:
        return &c->server.port;
    case KEY_THREADS:
        return &c->server.threads;
    case KEY_MAX_CONNECTIONS:
        return &c->server.max_connections;
    case KEY_MAX_PENDING:
        return &c->server.max_pending;
    case KEY_REQUEST_TIMEOUT:
        return &c->server.request_timeout_s;
    case KEY_RETRY_AFTER:
        return &c->server.retry_after_s;
    case KEY_BUSY_TIMEOUT:
        return &c->storage.busy_timeout_ms;
    case KEY_POOL_SIZE:
        return &c->storage.pool_size;
    case KEY_MAX_RESPONSES:
        return &c->limits.max_responses;
    case KEY_MIN_GROUP:
        return &c->dashboard.min_group;
    case KEY_OFFLINE_AFTER:
        return &c->dashboard.offline_after_s;
    case KEY_SESSION_IDLE:
        return &c->dashboard.session_idle_s;
    case KEY_SESSION_MAX:
        return &c->dashboard.session_max_s;
    case KEY_LOCK_AFTER:
        return &c->dashboard.lock_after;
    case KEY_LOCK_BASE:
        return &c->dashboard.lock_base_s;
    default:
        return NULL;
    }
}

static int64_t *bytes_field(collector_config *c, cc_key k)
{
    return k == KEY_MAX_BODY ? &c->limits.max_body_bytes : &c->limits.max_inflated_bytes;
}

/* A size as written for a limit: "8388608", "8MiB" or "8 MiB" (KiB, MiB,
 * GiB: powers of 1024). Returns true with the bytes in *out. */
static bool parse_bytes(const char *v, int64_t *out)
{
    static const struct {
        const char *suffix;
        int64_t factor;
    } units[] = {{"KiB", KIB}, {"MiB", MIB}, {"GiB", GIB}};
    size_t digits = strspn(v, "0123456789");
    if (digits == 0 || digits > 15)
        return false; /* 15 digits times 1 GiB still fits in int64_t */
    char num[16];
    memcpy(num, v, digits);
    num[digits] = '\0';
    int64_t n = 0;
    if (!ini_int_value(num, &n))
        return false;
    const char *rest = v + digits;
    if (!*rest) {
        *out = n;
        return true;
    }
    if (*rest == ' ')
        rest++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(rest, units[i].suffix) == 0) {
            *out = n * units[i].factor;
            return true;
        }
    }
    return false;
}

/* Writes bytes as "8MiB" when it is a whole number of KiB, MiB or GiB, else
 * as a plain number. */
static void format_bytes(int64_t bytes, char *buf, size_t size)
{
    if (bytes >= GIB && bytes % GIB == 0)
        snprintf(buf, size, "%lldGiB", (long long)(bytes / GIB));
    else if (bytes >= MIB && bytes % MIB == 0)
        snprintf(buf, size, "%lldMiB", (long long)(bytes / MIB));
    else if (bytes >= KIB && bytes % KIB == 0)
        snprintf(buf, size, "%lldKiB", (long long)(bytes / KIB));
    else
        snprintf(buf, size, "%lld", (long long)bytes);
}

static void set_listen(ini_file *ini, collector_config *c, int line, const char *v)
{
    unsigned char addr[sizeof(struct in6_addr)];
    if (strcasecmp(v, "localhost") == 0) {
        ini_store_string(ini, &c->server.listen, "localhost");
        return;
    }
    if (v[0] == '[') {
        ini_problem(ini, line, "listen: write an IPv6 address without brackets (::1, not [::1])");
        return;
    }
    if (inet_pton(AF_INET, v, addr) != 1 && inet_pton(AF_INET6, v, addr) != 1) {
        ini_problem(ini, line,
                    "listen must be a numeric IPv4 or IPv6 address (such as 127.0.0.1, 0.0.0.0 or "
                    "::1) or localhost, not \"%s\"",
                    v);
        return;
    }
    ini_store_string(ini, &c->server.listen, v);
}

/* An unreserved URL character (RFC 3986) or '/'. */
static bool path_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           strchr("-._~/", ch) != NULL;
}

static void set_base_path(ini_file *ini, collector_config *c, int line, const char *v)
{
    size_t n = strlen(v);
    if (n == 0) {
        ini_problem(ini, line, "base_path must not be empty; give a path such as /buurtkiosk");
        return;
    }
    if (v[0] != '/') {
        ini_problem(ini, line, "base_path must start with \"/\", such as /buurtkiosk, not \"%s\"",
                    v);
        return;
    }
    if (n == 1) {
        ini_problem(ini, line,
                    "base_path must name a path such as /buurtkiosk, not \"/\" (the root is "
                    "kept for the dashboard)");
        return;
    }
    if (v[n - 1] == '/') {
        ini_problem(ini, line, "base_path must not end with \"/\", not \"%s\"", v);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!path_char(v[i])) {
            ini_problem(ini, line,
                        "base_path \"%s\" has a character that does not belong in a URL path; "
                        "use only letters, digits, \"-\", \".\", \"_\", \"~\" and \"/\"",
                        v);
            return;
        }
    }
    /* Every part between slashes: not empty, not "." or "..". */
    for (const char *part = v + 1;;) {
        size_t len = strcspn(part, "/");
        if (len == 0 || (len == 1 && part[0] == '.') ||
            (len == 2 && part[0] == '.' && part[1] == '.')) {
            ini_problem(ini, line, "base_path \"%s\" has an empty, \".\" or \"..\" part", v);
            return;
        }
        if (!part[len])
            break;
        part += len + 1;
    }
    ini_store_string(ini, &c->server.base_path, v);
}

/* database: a file path keeps SQLite; a postgresql:// URI must parse as
 * libpq reads it and carry no password (PGPASSFILE or passfile= do). */
static void set_database(ini_file *ini, collector_config *c, int line, const char *v)
{
    if (!*v) {
        ini_problem(ini, line, "database must not be empty");
        return;
    }
    if (storage_is_postgresql(v)) {
        char *errmsg = NULL;
        PQconninfoOption *opts = PQconninfoParse(v, &errmsg);
        if (!opts) {
            size_t n = errmsg ? strcspn(errmsg, "\n") : 0;
            ini_problem(ini, line, "database \"%s\" is not a PostgreSQL connection URI: %.*s", v,
                        (int)n, errmsg ? errmsg : "out of memory");
            PQfreemem(errmsg);
            return;
        }
        bool password = false;
        for (PQconninfoOption *o = opts; o->keyword; o++)
            password |= strcmp(o->keyword, "password") == 0 && o->val != NULL;
        PQconninfoFree(opts);
        if (password) {
            ini_problem(ini, line,
                        "database: the URI holds a password, which does not belong in this file; "
                        "put it in a password file (PGPASSFILE, or passfile= in the URI)");
            return;
        }
    }
    ini_store_string(ini, &c->storage.database, v);
}

/* cohesion_questions: question ids, comma-separated (spaces allowed). */
static void set_cohesion_questions(ini_file *ini, collector_config *c, int line, const char *v)
{
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != ',' && *end != ' ')
            end++;
        char id[SURVEY_ID_MAX + 2];
        size_t len = (size_t)(end - p);
        snprintf(id, sizeof id, "%.*s", (int)(len < sizeof id - 1 ? len : sizeof id - 1), p);
        if (len > SURVEY_ID_MAX || !survey_id_valid(id)) {
            ini_problem(ini, line,
                        "cohesion_questions: \"%.*s\" is not a question id (letters, digits, "
                        "'-' and '_')",
                        (int)len, p);
            return;
        }
        if (c->dashboard.n_cohesion == COLLECTOR_MAX_COHESION) {
            ini_problem(ini, line, "cohesion_questions: more than %d questions",
                        COLLECTOR_MAX_COHESION);
            return;
        }
        ini_store_string(ini, &c->dashboard.cohesion_questions[c->dashboard.n_cohesion++], id);
        p = end;
    }
    if (c->dashboard.n_cohesion == 0)
        ini_problem(ini, line, "cohesion_questions is empty (leave the key out for no score)");
}

/* Checks and stores the value of a known key (ini_spec.on_key). */
static void set_value(ini_file *ini, void *user, int key, const char *v, int line)
{
    collector_config *c = ((cc_parser *)user)->cfg;
    cc_key k = (cc_key)key;
    const ini_key *ks = &keys[k];
    int64_t n = 0;
    switch ((cc_kind)ks->kind) {
    case K_LISTEN:
        set_listen(ini, c, line, v);
        return;
    case K_BASE_PATH:
        set_base_path(ini, c, line, v);
        return;
    case K_DATABASE:
        set_database(ini, c, line, v);
        return;
    case K_PATH:
        if (*v)
            ini_store_string(ini, string_field(c, k), v);
        else if (ks->required)
            ini_problem(ini, line, "%s must not be empty", ks->name);
        return;
    case K_ID:
        if (survey_id_valid(v))
            ini_store_string(ini, &c->dashboard.cohesion_survey, v);
        else
            ini_problem(ini, line, "%s: \"%s\" is not a survey id (letters, digits, '-' and '_')",
                        ks->name, v);
        return;
    case K_ID_LIST:
        set_cohesion_questions(ini, c, line, v);
        return;
    case K_INT:
        if (ini_int_key(ini, ks, v, line, &n))
            *int_field(c, k) = (int)n;
        return;
    case K_BYTES:
        if (parse_bytes(v, &n) && n >= ks->min && n <= ks->max) {
            *bytes_field(c, k) = n;
        } else {
            char lo[32], hi[32];
            format_bytes(ks->min, lo, sizeof lo);
            format_bytes(ks->max, hi, sizeof hi);
            ini_problem(ini, line,
                        "%s must be a whole number of bytes from %s to %s, such as 8388608 or "
                        "8MiB (KiB, MiB and GiB are powers of 1024), not \"%s\"",
                        ks->name, lo, hi, v);
        }
        return;
    }
}

/* After the last line (ini_spec.finish): the rules between keys. */
static void finish(ini_file *ini, void *user)
{
    collector_config *c = ((cc_parser *)user)->cfg;
    const char *cert = c->server.tls_cert, *key = c->server.tls_key;
    if (cert && !key)
        ini_problem(ini, ini_key_line(ini, KEY_TLS_CERT),
                    "tls_cert is set but tls_key is not (a certificate needs its key)");
    if (key && !cert)
        ini_problem(ini, ini_key_line(ini, KEY_TLS_KEY),
                    "tls_key is set but tls_cert is not (a key needs its certificate)");
    if (!cert && !key && c->server.listen && !ini_loopback_host(c->server.listen))
        ini_problem(ini, ini_key_line(ini, KEY_LISTEN),
                    "listen \"%s\" is not a loopback address, so it needs tls_cert and tls_key "
                    "(plain http is only allowed on 127.0.0.0/8, ::1 or localhost)",
                    c->server.listen);
    if (c->limits.max_inflated_bytes < c->limits.max_body_bytes) {
        int line = ini_key_line(ini, KEY_MAX_INFLATED);
        if (!line)
            line = ini_key_line(ini, KEY_MAX_BODY);
        ini_problem(ini, line,
                    "max_inflated_bytes (%lld) must not be smaller than max_body_bytes (%lld): a "
                    "batch that may arrive uncompressed must also fit after inflating",
                    (long long)c->limits.max_inflated_bytes, (long long)c->limits.max_body_bytes);
    }
    if (c->dashboard.cohesion_survey && c->dashboard.n_cohesion == 0 &&
        !ini_key_line(ini, KEY_COHESION_QUESTIONS)) /* else its own line said why */
        ini_problem(ini, ini_key_line(ini, KEY_COHESION_SURVEY),
                    "cohesion_survey is set but cohesion_questions is not (which statements "
                    "make the score?)");
    if (!c->dashboard.cohesion_survey && c->dashboard.n_cohesion > 0)
        ini_problem(ini, ini_key_line(ini, KEY_COHESION_QUESTIONS),
                    "cohesion_questions is set but cohesion_survey is not (which survey asks "
                    "them?)");
    if (c->dashboard.session_max_s < c->dashboard.session_idle_s)
        ini_problem(ini, ini_key_line(ini, KEY_SESSION_MAX),
                    "session_max_s (%d) must not be shorter than session_idle_s (%d)",
                    c->dashboard.session_max_s, c->dashboard.session_idle_s);
    if (c->storage.pool_size == 0)
        c->storage.pool_size = c->server.threads + 1;
    if (!c->server.listen)
        ini_store_string(ini, &c->server.listen, DEFAULT_LISTEN);
    if (!c->server.base_path)
        ini_store_string(ini, &c->server.base_path, DEFAULT_BASE_PATH);
}

static void set_defaults(collector_config *c)
{
    for (int k = 0; k < KEY_COUNT; k++) {
        if (keys[k].kind == K_INT)
            *int_field(c, (cc_key)k) = (int)keys[k].def;
        else if (keys[k].kind == K_BYTES)
            *bytes_field(c, (cc_key)k) = keys[k].def;
    }
}

bk_err collector_config_load(const char *path, collector_config *out, bk_diag *diag)
{
    static const ini_spec spec = {
        .sections = sections,
        .n_sections = SEC_COUNT,
        .keys = keys,
        .n_keys = KEY_COUNT,
        .on_key = set_value,
        .finish = finish,
    };
    memset(out, 0, sizeof *out);
    if (!path)
        return BK_ERR_INVALID;
    set_defaults(out);
    cc_parser p = {.cfg = out,
                   .areas = {.areas = out->areas,
                             .n = &out->n_areas,
                             .max = COLLECTOR_MAX_AREAS,
                             .section = SEC_AREAS}};
    out->path = strdup(path);
    bk_err rc = out->path ? ini_read(path, &spec, &p, diag) : BK_ERR_NOMEM;
    if (rc != BK_OK)
        collector_config_free(out);
    return rc;
}

void collector_config_free(collector_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->server.listen);
    free(cfg->server.base_path);
    free(cfg->server.tls_cert);
    free(cfg->server.tls_key);
    free(cfg->storage.database);
    free(cfg->dashboard.cohesion_survey);
    for (size_t i = 0; i < cfg->dashboard.n_cohesion; i++)
        free(cfg->dashboard.cohesion_questions[i]);
    ini_areas_free(cfg->areas, cfg->n_areas);
    memset(cfg, 0, sizeof *cfg);
}

char *collector_config_database(const collector_config *cfg)
{
    const char *db = cfg->storage.database;
    return storage_is_postgresql(db) ? (db ? strdup(db) : NULL) : collector_config_resolve(cfg, db);
}

const char *collector_config_area_name(const collector_config *cfg, const char *id,
                                       const char *lang)
{
    int i = ini_areas_find(cfg->areas, cfg->n_areas, id, strlen(id));
    return i < 0 ? id : ini_areas_name(&cfg->areas[i], lang);
}

char *collector_config_resolve(const collector_config *cfg, const char *path)
{
    return ini_resolve_path(cfg ? cfg->path : NULL, path);
}
