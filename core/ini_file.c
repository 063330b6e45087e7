/* ini_file.c: the strict INI reader and the shared validators; see
 * ini_file.h.
 *
 * libinih does the key = value parsing (inline comments, whitespace). It is
 * fed through our own reader, which hands it one physical line per call, so
 * the reader's line counter is the line inih is handling when it calls the
 * handler. The reader also does what inih cannot report precisely: section
 * headers (known, unknown, unclosed), lines without "=", over-long lines,
 * invalid UTF-8. It strips leading whitespace, so an indented line is never
 * taken as a continuation of the previous value. */
#include "ini_file.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>

#define SECTION_NONE (-1)   /* before the first header */
#define SECTION_IGNORE (-2) /* inside an unknown or broken section (already reported) */

/* One problem, kept so the report can be sorted by line. */
typedef struct ini_problem_rec {
    int line;
    size_t seq; /* order found, for a stable sort */
    char *msg;  /* owned */
} ini_problem_rec;

struct ini_file {
    const ini_spec *spec;
    void *user;
    bk_diag *diag;
    const char *path; /* as given, for messages */
    FILE *file;
    char *raw; /* the current physical line (getline buffer) */
    size_t raw_cap;
    int lineno;                         /* the line inih is handling now */
    int section;                        /* the section that line belongs to, or SECTION_* */
    int section_line[INI_SECTIONS_MAX]; /* first header of each section, 0 = absent */
    int key_line[INI_KEYS_MAX];         /* line of each key, 0 = absent */
    bool nomem;
    int read_errno;            /* nonzero when reading the file failed */
    ini_problem_rec *problems; /* kept until the end, then sorted by line */
    size_t n_problems, cap_problems;
    size_t errors; /* problems found by this read (also those not kept) */
};

static void ini_vproblem(ini_file *ini, int line, const char *fmt, va_list ap)
{
    char msg[INI_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    ini->errors++;
    if (ini->n_problems == BK_DIAG_MAX)
        return; /* counted as dropped when flushed */
    if (ini->n_problems == ini->cap_problems) {
        size_t cap = ini->cap_problems ? ini->cap_problems * 2 : 16;
        ini_problem_rec *grown = realloc(ini->problems, cap * sizeof *grown);
        if (!grown) {
            ini->nomem = true;
            return;
        }
        ini->problems = grown;
        ini->cap_problems = cap;
    }
    char *copy = strdup(msg);
    if (!copy) {
        ini->nomem = true;
        return;
    }
    ini->problems[ini->n_problems] = (ini_problem_rec){line, ini->n_problems, copy};
    ini->n_problems++;
}

void ini_problem(ini_file *ini, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ini_vproblem(ini, line, fmt, ap);
    va_end(ap);
}

void ini_duplicate_key(ini_file *ini, int line, int section, const char *key, int first_line)
{
    ini_problem(ini, line, "duplicate key \"%s\" in [%s] (first on line %d)", key,
                ini->spec->sections[section].name, first_line);
}

void ini_out_of_memory(ini_file *ini)
{
    ini->nomem = true;
}

int ini_key_line(const ini_file *ini, int key)
{
    return key >= 0 && key < ini->spec->n_keys ? ini->key_line[key] : 0;
}

int ini_section_line(const ini_file *ini, int section)
{
    return section >= 0 && section < ini->spec->n_sections ? ini->section_line[section] : 0;
}

const ini_spec *ini_file_spec(const ini_file *ini)
{
    return ini->spec;
}

char *ini_store_string(ini_file *ini, char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy) {
        ini->nomem = true;
        return NULL;
    }
    free(*field);
    *field = copy;
    return copy;
}

bool ini_int_key(ini_file *ini, const ini_key *k, const char *value, int line, int64_t *out)
{
    int64_t n = 0;
    if (!*value) {
        ini_problem(ini, line,
                    "%s is empty; give a whole number from %lld to %lld, or remove the line for "
                    "the default (%lld)",
                    k->name, (long long)k->min, (long long)k->max, (long long)k->def);
        return false;
    }
    if (!ini_int_value(value, &n) || n < k->min || n > k->max) {
        ini_problem(ini, line, "%s must be a whole number from %lld to %lld, not \"%s\"", k->name,
                    (long long)k->min, (long long)k->max, value);
        return false;
    }
    *out = n;
    return true;
}

static int problem_cmp(const void *a, const void *b)
{
    const ini_problem_rec *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Adds the problems to diag as "FILE:LINE: problem", in line order, and
 * frees them. */
static void flush_problems(ini_file *ini)
{
    if (ini->n_problems)
        qsort(ini->problems, ini->n_problems, sizeof *ini->problems, problem_cmp);
    for (size_t i = 0; i < ini->n_problems; i++) {
        diag_add(ini->diag, "%s:%d: %s", ini->path, ini->problems[i].line, ini->problems[i].msg);
        free(ini->problems[i].msg);
    }
    ini->diag->dropped += ini->errors - ini->n_problems;
    free(ini->problems);
    ini->problems = NULL;
    ini->n_problems = ini->cap_problems = 0;
}

char *ini_resolve_path(const char *config_path, const char *path)
{
    if (!path || !*path)
        return NULL;
    const char *slash = config_path ? strrchr(config_path, '/') : NULL;
    if (path[0] == '/' || !slash)
        return strdup(path);
    int dirlen = (int)(slash - config_path);
    size_t size = (size_t)dirlen + 1 + strlen(path) + 1;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%.*s/%s", dirlen, config_path, path);
    return out;
}

/* ---- validators ---------------------------------------------------------- */

bool ini_utf8_valid(const unsigned char *s, size_t n)
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

bool ini_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > INI_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

bool ini_lang_valid_n(const char *s, size_t n)
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

bool ini_lang_valid(const char *s)
{
    return ini_lang_valid_n(s, strlen(s));
}

bool ini_int_value(const char *s, int64_t *out)
{
    const char *d = s[0] == '-' ? s + 1 : s;
    if (!*d)
        return false;
    for (const char *q = d; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = (int64_t)v;
    return true;
}

bool ini_bool_value(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "1"};
    static const char *const no[] = {"false", "no", "0"};
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool ini_loopback_host(const char *host)
{
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    return inet_pton(AF_INET6, host, &a6) == 1 && memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
}

/* ---- the reader ---------------------------------------------------------- */

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

static int ini_handler_cb(void *user, const char *section, const char *name, const char *value)
{
    ini_file *ini = user;
    const ini_spec *spec = ini->spec;
    int line = ini->lineno;
    (void)section; /* the reader tracks sections itself, untruncated */
    if (ini->nomem || ini->section == SECTION_IGNORE)
        return 1;
    if (!*name) {
        ini_problem(ini, line, "missing key name before \"=\"");
        return 1;
    }
    if (ini->section == SECTION_NONE) {
        ini_problem(ini, line, "key \"%s\" is outside any section; put it under a [section] header",
                    name);
        return 1;
    }
    const ini_section *sec = &spec->sections[ini->section];
    if (sec->any_key) {
        sec->any_key(ini, ini->user, ini->section, name, value, line);
        return 1;
    }
    for (int k = 0; k < spec->n_keys; k++) {
        if (spec->keys[k].section != ini->section || strcmp(spec->keys[k].name, name) != 0)
            continue;
        if (ini->key_line[k]) {
            ini_duplicate_key(ini, line, ini->section, name, ini->key_line[k]);
        } else {
            ini->key_line[k] = line;
            spec->on_key(ini, ini->user, k, value, line);
        }
        return 1;
    }
    ini_problem(ini, line, "unknown key \"%s\" in [%s]", name, sec->name);
    return 1;
}

/* A "[name]" line (s trimmed, starting with '['). An unclosed header of a
 * known section still opens it, so its keys are checked as usual. */
static void section_header(ini_file *ini, char *s)
{
    const ini_spec *spec = ini->spec;
    int line = ini->lineno;
    const char *end = find_chars_or_comment(s + 1, "]");
    bool closed = *end == ']';
    const char *name = s + 1;
    while (name < end && is_space(*name))
        name++;
    size_t len = (size_t)(end - name);
    while (len && is_space(name[len - 1]))
        len--;
    if (!closed) {
        ini_problem(ini, line, "missing \"]\" at the end of the section header");
    } else {
        const char *after = end + 1;
        while (is_space(*after))
            after++;
        if (*after && !strchr(INI_START_COMMENT_PREFIXES, *after))
            ini_problem(ini, line, "unexpected text after \"[%.*s]\"", (int)len, name);
    }
    for (int sec = 0; sec < spec->n_sections; sec++) {
        const char *sname = spec->sections[sec].name;
        if (strlen(sname) == len && memcmp(sname, name, len) == 0) {
            if (ini->section_line[sec])
                ini_problem(ini, line, "section [%s] appears twice (first on line %d)", sname,
                            ini->section_line[sec]);
            else
                ini->section_line[sec] = line;
            ini->section = sec;
            return;
        }
    }
    if (closed)
        ini_problem(ini, line, "unknown section [%.*s]", (int)len, name);
    ini->section = SECTION_IGNORE;
}

/* inih's reader: one physical line per call, trimmed; comments, section
 * headers and broken lines are handled here and reach inih as blank lines
 * (or, for headers, as themselves when they fit). */
static char *ini_line_reader(char *buf, int num, void *stream)
{
    ini_file *ini = stream;
    if (ini->nomem)
        return NULL;
    errno = 0;
    ssize_t got = getline(&ini->raw, &ini->raw_cap, ini->file);
    if (got < 0) {
        if (ferror(ini->file))
            ini->read_errno = errno ? errno : EIO;
        if (errno == ENOMEM)
            ini->nomem = true;
        return NULL;
    }
    ini->lineno++;
    buf[0] = '\0';
    char *s = ini->raw;
    size_t len = (size_t)got;
    if (memchr(s, '\0', len)) {
        ini_problem(ini, ini->lineno, "line contains a NUL byte (is this a text file?)");
        return buf;
    }
    if (ini->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3; /* UTF-8 byte order mark, as Windows editors write it */
        len -= 3;
    }
    if (!ini_utf8_valid((const unsigned char *)s, len)) {
        ini_problem(ini, ini->lineno, "line is not valid UTF-8; save the file as UTF-8");
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
        section_header(ini, s);
        if (len + 2 <= (size_t)num)
            memcpy(buf, s, len + 1);
        return buf;
    }
    if (len + 2 > (size_t)num) {
        ini_problem(ini, ini->lineno, "line is too long (at most %d characters)", num - 2);
        return buf;
    }
    const char *sep = find_chars_or_comment(s, "=:");
    if (*sep != '=' && *sep != ':') {
        ini_problem(ini, ini->lineno, "expected \"key = value\" or \"[section]\"");
        return buf;
    }
    memcpy(buf, s, len + 1);
    return buf;
}

/* Required keys that never appeared: at their section's header, or, for a
 * missing section, once at the end of the file with every key it needs. */
static void report_missing(ini_file *ini)
{
    const ini_spec *spec = ini->spec;
    int eof_line = ini->lineno > 0 ? ini->lineno : 1;
    for (int sec = 0; sec < spec->n_sections; sec++) {
        const char *sname = spec->sections[sec].name;
        char missing[256] = "";
        size_t n_missing = 0;
        for (int k = 0; k < spec->n_keys; k++) {
            if (spec->keys[k].section != sec || !spec->keys[k].required || ini->key_line[k])
                continue;
            if (ini->section_line[sec]) {
                ini_problem(ini, ini->section_line[sec], "[%s] is missing the required key \"%s\"",
                            sname, spec->keys[k].name);
            } else {
                size_t used = strlen(missing);
                snprintf(missing + used, sizeof missing - used, "%s%s", n_missing ? ", " : "",
                         spec->keys[k].name);
                n_missing++;
            }
        }
        if (n_missing)
            ini_problem(ini, eof_line, "section [%s] is missing (it must set %s)", sname, missing);
    }
}

bk_err ini_read(const char *path, const ini_spec *spec, void *user, bk_diag *diag)
{
    bk_diag local = {0};
    bk_err rc = BK_OK;
    if (!path || !spec || spec->n_sections < 0 || spec->n_sections > INI_SECTIONS_MAX ||
        spec->n_keys < 0 || spec->n_keys > INI_KEYS_MAX || (spec->n_keys && !spec->on_key))
        return BK_ERR_INVALID;
    if (!diag)
        diag = &local;
    ini_file *ini = calloc(1, sizeof *ini);
    if (!ini)
        return BK_ERR_NOMEM;
    ini->spec = spec;
    ini->user = user;
    ini->diag = diag;
    ini->path = path;
    ini->section = SECTION_NONE;
    ini->file = fopen(path, "r");
    if (!ini->file) {
        diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
        rc = BK_ERR_IO;
        goto done;
    }
    struct stat st;
    if (fstat(fileno(ini->file), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > INI_FILE_MAX) {
        diag_add(diag, "%s: the file is larger than %d bytes; is it the right file?", path,
                 INI_FILE_MAX);
        rc = BK_ERR_INVALID;
        goto done;
    }
    int r = ini_parse_stream(ini_line_reader, ini, ini_handler_cb, ini);
    if (r == -2)
        ini->nomem = true;
    if (ini->nomem) {
        rc = BK_ERR_NOMEM;
    } else if (ini->read_errno) {
        diag_add(diag, "%s: cannot read: %s", path, strerror(ini->read_errno));
        rc = BK_ERR_IO;
    } else {
        report_missing(ini);
        if (spec->finish)
            spec->finish(ini, user);
        if (ini->nomem)
            rc = BK_ERR_NOMEM;
        else if (ini->errors)
            rc = BK_ERR_INVALID;
    }
done:
    flush_problems(ini);
    if (ini->file)
        fclose(ini->file);
    free(ini->raw);
    free(ini);
    diag_clear(&local);
    return rc;
}
