/* survey.c: loading and complete validation of survey definitions
 * (docs/survey-format.md), and the survey catalogue.
 *
 * The validator walks the JSON once, builds the survey while it checks, and
 * reports every problem it finds as "FILE: WHERE: WHAT". Any problem means
 * the half-built survey is freed and NULL returned. */
#include "survey.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SURVEY_MIN_OPTIONS 2
#define SURVEY_SHOW_IF_MAX 100 /* values in one show_if "in" list */
#define SURVEY_DIR_MAX_FILES 1000
#define MSG_MAX 1024
#define WHERE_MAX 128
#define QUOTE_MAX 60 /* bytes of a user string shown in a message */

static const char *const qtype_names[] = {
    [SURVEY_Q_SCALE] = "scale", [SURVEY_Q_SMILEY] = "smiley", [SURVEY_Q_CHOICE] = "choice",
    [SURVEY_Q_MULTI] = "multi", [SURVEY_Q_NUMBER] = "number", [SURVEY_Q_TEXT] = "text",
    [SURVEY_Q_INFO] = "info",   [SURVEY_Q_AREA] = "area",
};
#define N_QTYPES (sizeof qtype_names / sizeof qtype_names[0])
#define TYPE_BIT(t) (1u << (t))
#define ALL_TYPES ((1u << N_QTYPES) - 1)

/* The keys a question may have, and the types that use each. */
typedef struct key_spec {
    const char *name;
    unsigned types;
} key_spec;

static const key_spec question_keys[] = {
    {"id", ALL_TYPES},
    {"type", ALL_TYPES},
    {"text", ALL_TYPES},
    {"help", ALL_TYPES},
    {"required", ALL_TYPES},
    {"show_if", ALL_TYPES},
    {"labels", TYPE_BIT(SURVEY_Q_SCALE) | TYPE_BIT(SURVEY_Q_SMILEY)},
    {"reverse", TYPE_BIT(SURVEY_Q_SCALE)},
    {"options", TYPE_BIT(SURVEY_Q_CHOICE) | TYPE_BIT(SURVEY_Q_MULTI)},
    {"max", TYPE_BIT(SURVEY_Q_MULTI) | TYPE_BIT(SURVEY_Q_NUMBER)},
    {"min", TYPE_BIT(SURVEY_Q_NUMBER)},
    {"max_length", TYPE_BIT(SURVEY_Q_TEXT)},
};
#define N_QUESTION_KEYS (sizeof question_keys / sizeof question_keys[0])

static const char *const survey_keys[] = {"id", "version", "languages", "title", "questions"};
static const char *const option_keys[] = {"id", "label"};
static const char *const show_if_keys[] = {"question", "in"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Small helpers */

/* A user string made safe for a message: in double quotes, quotes and
 * backslashes escaped, control characters shown as '?', cut with "...". */
typedef struct quoted {
    char s[QUOTE_MAX + 8];
} quoted;

static quoted q(const char *str)
{
    quoted b;
    size_t o = 0;
    b.s[o++] = '"';
    const unsigned char *p = (const unsigned char *)str;
    while (*p) {
        char tmp[4];
        size_t n = 0, adv = 1;
        if (*p == '"' || *p == '\\') {
            tmp[n++] = '\\';
            tmp[n++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            tmp[n++] = '?';
        } else {
            adv = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
            while (n < adv && p[n]) {
                tmp[n] = (char)p[n];
                n++;
            }
            adv = n; /* a sequence cut short by the end of the string */
        }
        if (o - 1 + n > QUOTE_MAX) {
            memcpy(b.s + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(b.s + o, tmp, n);
        o += n;
        p += adv;
    }
    b.s[o++] = '"';
    b.s[o] = '\0';
    return b;
}

/* Number of code points in a UTF-8 string. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* ids: 1..SURVEY_ID_MAX characters of a-z 0-9 _ - */
static bool valid_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    }
    return n >= 1 && n <= SURVEY_ID_MAX;
}

static bool all_lower_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* Language codes: 2 or 3 lowercase letters, optionally "-" and 2..8 lowercase
 * letters or digits ("nl", "en", "pap", "pt-br"). */
static bool valid_language(const char *s)
{
    size_t n = 0;
    while (s[n] >= 'a' && s[n] <= 'z')
        n++;
    if (n < 2 || n > 3)
        return false;
    if (s[n] == '\0')
        return true;
    if (s[n] != '-')
        return false;
    const char *rest = s + n + 1;
    size_t m = strlen(rest);
    return m >= 2 && m <= 8 && all_lower_alnum(rest, m);
}

bool survey_id_valid(const char *s)
{
    return s && valid_id(s);
}

bool survey_language_valid(const char *s)
{
    return s && valid_language(s);
}

/* Edit distance with transpositions (optimal string alignment), ignoring
 * case; words longer than 32 bytes count as far away. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return SIZE_MAX;
    size_t d[33][33];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 &&
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* The candidate closest to word when it is close enough to be a typo of it:
 * at most one edit per three letters (at least one). NULL otherwise. */
static const char *suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        size_t allowed = strlen(cands[i]) / 3;
        if (allowed < 1)
            allowed = 1;
        if (d <= allowed && d < best_d) {
            best = cands[i];
            best_d = d;
        }
    }
    return best;
}

/* " (did you mean "x"?)" or "" into buf. */
static const char *did_you_mean(char *buf, size_t size, const char *word, const char *const *cands,
                                size_t n)
{
    const char *s = suggest(word, cands, n);
    if (s)
        snprintf(buf, size, " (did you mean %s?)", q(s).s);
    else
        buf[0] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Validation context */

/* What the validator knows about each question, for show_if checks. */
typedef struct question_info {
    const char *id; /* the id as written (owned by the JSON), or NULL */
    bool type_ok;   /* type known */
    bool values_ok; /* options (choice/multi) or min/max (number) are valid */
} question_info;

typedef struct vctx {
    const char *file; /* the name at the start of every message */
    bk_diag *diag;    /* may be NULL */
    size_t errors;
    bool oom;
    survey *s;
    bool langs_ok; /* "languages" is valid: texts can be checked against it */
    question_info *qinfo;
    size_t n_qinfo;
} vctx;

static void verr(vctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verr(vctx *c, const char *where, const char *fmt, ...)
{
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->errors++;
    if (!c->diag)
        return;
    if (where && where[0])
        diag_add(c->diag, "%s: %s: %s", c->file, where, msg);
    else
        diag_add(c->diag, "%s: %s", c->file, msg);
}

/* Records that memory ran out (reported once); the survey is then invalid. */
static void voom(vctx *c)
{
    if (c->oom) {
        c->errors++;
        return;
    }
    c->oom = true;
    verr(c, NULL, "out of memory");
}

static char *vstrdup(vctx *c, const char *s)
{
    char *d = strdup(s);
    if (!d)
        voom(c);
    return d;
}

/* An example language object for messages: {"nl": "...", "en": "..."}. */
static const char *example_texts(vctx *c, char *buf, size_t size)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, size - o, "{");
    if (c->langs_ok && c->s->n_languages > 0) {
        for (size_t i = 0; i < c->s->n_languages && i < 2 && o < size; i++)
            o += (size_t)snprintf(buf + o, size - o, "%s\"%s\": \"...\"", i ? ", " : "",
                                  c->s->languages[i]);
    } else {
        o += (size_t)snprintf(buf + o, size - o, "\"nl\": \"...\", \"en\": \"...\"");
    }
    if (o < size)
        snprintf(buf + o, size - o, "}");
    return buf;
}

/* Index of key among the survey's languages, or -1 (also when the languages
 * themselves are invalid). */
static int lang_index(vctx *c, const char *key)
{
    if (!c->langs_ok)
        return -1;
    return survey_language_index(c->s, key);
}

/* Checks a per-language text object such as "title" or an option's "label"
 * and copies the texts into out. subj names it in "SUBJ has no "en" NOUN";
 * keydesc in "KEYDESC must be an object". */
static void check_texts(vctx *c, const char *where, const char *subj, const char *keydesc,
                        const char *noun, json_t *v, survey_text *out, size_t max_chars)
{
    char ex[64];
    if (!json_is_object(v)) {
        verr(c, where, "%s must be an object with a %s per language, e.g. %s", keydesc, noun,
             example_texts(c, ex, sizeof ex));
        return;
    }
    const char *lang;
    json_t *t;
    json_object_foreach(v, lang, t)
    {
        int li = lang_index(c, lang);
        if (c->langs_ok && li < 0) {
            verr(c, where, "%s has a %s %s, but %s is not in \"languages\"", subj, q(lang).s, noun,
                 q(lang).s);
            continue;
        }
        if (!json_is_string(t)) {
            verr(c, where, "%s: the %s %s must be a string", subj, q(lang).s, noun);
            continue;
        }
        const char *str = json_string_value(t);
        if (is_blank(str)) {
            verr(c, where, "%s: the %s %s is empty", subj, q(lang).s, noun);
            continue;
        }
        if (utf8_len(str) > max_chars) {
            verr(c, where, "%s: the %s %s is longer than %zu characters", subj, q(lang).s, noun,
                 max_chars);
            continue;
        }
        if (li >= 0)
            out->text[li] = vstrdup(c, str);
    }
    if (!c->langs_ok)
        return;
    for (size_t i = 0; i < c->s->n_languages; i++)
        if (!json_object_get(v, c->s->languages[i]))
            verr(c, where, "%s has no %s %s", subj, q(c->s->languages[i]).s, noun);
}

/* Reports keys of obj that are not in allowed[]. subj: "" or "option \"x\": ". */
static void check_keys(vctx *c, const char *where, const char *subj, json_t *obj,
                       const char *const *allowed, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(key, allowed[i]) != 0)
            i++;
        if (i < n)
            continue;
        char dym[96];
        verr(c, where, "%sunknown key %s%s", subj, q(key).s,
             did_you_mean(dym, sizeof dym, key, allowed, n));
    }
}

/* Reads an integer within [lo, hi]. */
static bool get_int(json_t *v, long long lo, long long hi, long long *out)
{
    if (!json_is_integer(v))
        return false;
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Questions */

static void check_question_keys(vctx *c, const char *where, json_t *qv, int type)
{
    const char *allowed[N_QUESTION_KEYS];
    size_t n_allowed = 0;
    for (size_t i = 0; i < N_QUESTION_KEYS; i++)
        if (type < 0 || (question_keys[i].types & TYPE_BIT(type)))
            allowed[n_allowed++] = question_keys[i].name;
    const char *key;
    json_t *v;
    json_object_foreach(qv, key, v)
    {
        size_t i = 0;
        while (i < N_QUESTION_KEYS && strcmp(key, question_keys[i].name) != 0)
            i++;
        if (i < N_QUESTION_KEYS) {
            if (type >= 0 && !(question_keys[i].types & TYPE_BIT(type)))
                verr(c, where, "%s is not used by a %s question", q(key).s, qtype_names[type]);
            continue;
        }
        char dym[96];
        verr(c, where, "unknown key %s%s", q(key).s,
             did_you_mean(dym, sizeof dym, key, allowed, n_allowed));
    }
}

static void check_labels(vctx *c, const char *where, json_t *v, survey_question *qq)
{
    if (!v) {
        verr(c, where, "\"labels\" is missing");
        return;
    }
    if (!json_is_object(v)) {
        verr(c, where,
             "\"labels\" must be an object with a list of %d labels per language, e.g. "
             "{\"nl\": [\"...\", \"...\", \"...\", \"...\", \"...\"]}",
             SURVEY_SCALE_POINTS);
        return;
    }
    const char *lang;
    json_t *arr;
    json_object_foreach(v, lang, arr)
    {
        int li = lang_index(c, lang);
        if (c->langs_ok && li < 0) {
            verr(c, where, "\"labels\" has %s labels, but %s is not in \"languages\"", q(lang).s,
                 q(lang).s);
            continue;
        }
        if (!json_is_array(arr)) {
            verr(c, where, "\"labels\": the %s labels must be a list of %d texts", q(lang).s,
                 SURVEY_SCALE_POINTS);
            continue;
        }
        if (json_array_size(arr) != SURVEY_SCALE_POINTS) {
            verr(c, where,
                 "\"labels\": the %s list has %zu labels; it needs exactly %d (one for each value "
                 "1 to %d)",
                 q(lang).s, json_array_size(arr), SURVEY_SCALE_POINTS, SURVEY_SCALE_POINTS);
            continue;
        }
        for (size_t k = 0; k < SURVEY_SCALE_POINTS; k++) {
            json_t *t = json_array_get(arr, k);
            const char *str = json_string_value(t);
            if (!str)
                verr(c, where, "\"labels\": the %s label for value %zu must be a string", q(lang).s,
                     k + 1);
            else if (is_blank(str))
                verr(c, where, "\"labels\": the %s label for value %zu is empty", q(lang).s, k + 1);
            else if (utf8_len(str) > SURVEY_LABEL_MAX)
                verr(c, where,
                     "\"labels\": the %s label for value %zu is longer than %d characters",
                     q(lang).s, k + 1, SURVEY_LABEL_MAX);
            else if (li >= 0)
                qq->labels[k].text[li] = vstrdup(c, str);
        }
    }
    if (!c->langs_ok)
        return;
    for (size_t i = 0; i < c->s->n_languages; i++)
        if (!json_object_get(v, c->s->languages[i]))
            verr(c, where, "\"labels\" has no %s labels", q(c->s->languages[i]).s);
}

/* Returns true when every option has a valid, unique id (so show_if values
 * can be checked against them). */
static bool check_options(vctx *c, const char *where, json_t *v, survey_question *qq)
{
    const char *tname = qtype_names[qq->type];
    if (!v) {
        verr(c, where, "\"options\" is missing");
        return false;
    }
    if (!json_is_array(v)) {
        char ex[64];
        verr(c, where,
             "\"options\" must be a list of options, e.g. [{\"id\": \"yes\", \"label\": %s}]",
             example_texts(c, ex, sizeof ex));
        return false;
    }
    size_t n = json_array_size(v);
    if (n < SURVEY_MIN_OPTIONS) {
        verr(c, where, "\"options\" has %zu option%s; a %s question needs at least %d", n,
             n == 1 ? "" : "s", tname, SURVEY_MIN_OPTIONS);
        if (n == 0)
            return false;
    }
    if (n > SURVEY_MAX_OPTIONS) {
        verr(c, where, "\"options\" has %zu options; at most %d are allowed", n,
             SURVEY_MAX_OPTIONS);
        return false;
    }
    bool ids_ok = true;
    qq->options = calloc(n, sizeof *qq->options);
    if (!qq->options) {
        voom(c);
        return false;
    }
    qq->n_options = n;
    for (size_t i = 0; i < n; i++) {
        json_t *ov = json_array_get(v, i);
        survey_option *opt = &qq->options[i];
        char idx[32];
        snprintf(idx, sizeof idx, "options[%zu]", i);
        if (!json_is_object(ov)) {
            char ex[64];
            verr(c, where, "%s must be an object like {\"id\": \"yes\", \"label\": %s}", idx,
                 example_texts(c, ex, sizeof ex));
            ids_ok = false;
            continue;
        }
        json_t *idv = json_object_get(ov, "id");
        const char *id = json_string_value(idv);
        char subj[96];
        if (id)
            snprintf(subj, sizeof subj, "option %s", q(id).s);
        else
            snprintf(subj, sizeof subj, "%s", idx);
        char subj_colon[100];
        snprintf(subj_colon, sizeof subj_colon, "%s: ", subj);
        check_keys(c, where, subj_colon, ov, option_keys, N_OF(option_keys));
        if (!id || !valid_id(id))
            ids_ok = false;
        if (!idv) {
            verr(c, where, "%s: \"id\" is missing", idx);
        } else if (!id) {
            verr(c, where, "%s: \"id\" must be a string", idx);
        } else if (!valid_id(id)) {
            verr(c, where,
                 "option id %s is not valid: use 1 to %d characters from a-z, 0-9, _ and -",
                 q(id).s, SURVEY_ID_MAX);
        } else {
            size_t j = 0;
            while (j < i && !(qq->options[j].id && strcmp(qq->options[j].id, id) == 0))
                j++;
            if (j < i) {
                verr(c, where, "%s: id %s is already used by options[%zu]", idx, q(id).s, j);
                ids_ok = false;
            } else
                opt->id = vstrdup(c, id);
        }
        json_t *lv = json_object_get(ov, "label");
        char keydesc[112];
        snprintf(keydesc, sizeof keydesc, "%s: \"label\"", subj);
        if (!lv)
            verr(c, where, "%s: \"label\" is missing", subj);
        else
            check_texts(c, where, subj, keydesc, "label", lv, &opt->label, SURVEY_LABEL_MAX);
    }
    return ids_ok;
}

/* Parses a show_if value for a scale/smiley/number question: an integer, or
 * a string of decimal digits with an optional minus sign. */
static bool show_if_number(json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (!s)
        return false;
    const char *p = s + (s[0] == '-');
    size_t n = strlen(p);
    if (n == 0 || n > 12 || (p[0] == '0' && n > 1))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

static void check_show_if(vctx *c, const char *where, size_t qi, json_t *v, survey_question *qq)
{
    if (!json_is_object(v)) {
        verr(c, where,
             "\"show_if\" must be an object like {\"question\": \"q1\", \"in\": [\"yes\"]}");
        return;
    }
    check_keys(c, where, "\"show_if\": ", v, show_if_keys, N_OF(show_if_keys));
    json_t *qref = json_object_get(v, "question");
    json_t *in = json_object_get(v, "in");
    const char *ref = json_string_value(qref);
    bool in_ok = true;
    if (!qref)
        verr(c, where, "\"show_if\": \"question\" is missing");
    else if (!ref)
        verr(c, where,
             "\"show_if\": \"question\" must be a string (the id of an earlier question)");
    if (!in) {
        verr(c, where, "\"show_if\": \"in\" is missing");
        in_ok = false;
    } else if (!json_is_array(in) || json_array_size(in) == 0) {
        verr(c, where,
             "\"show_if\": \"in\" must be a list with at least one value, e.g. [\"yes\"]");
        in_ok = false;
    } else if (json_array_size(in) > SURVEY_SHOW_IF_MAX) {
        verr(c, where, "\"show_if\": \"in\" has more than %d values", SURVEY_SHOW_IF_MAX);
        in_ok = false;
    }
    if (!ref)
        return;

    /* Which question does it refer to? */
    size_t j = 0;
    while (j < c->n_qinfo && !(c->qinfo[j].id && strcmp(c->qinfo[j].id, ref) == 0))
        j++;
    if (j == c->n_qinfo) {
        verr(c, where, "\"show_if\" refers to %s, which does not exist", q(ref).s);
        return;
    }
    if (j == qi) {
        verr(c, where,
             "\"show_if\" refers to this question itself; it must refer to an earlier "
             "question");
        return;
    }
    if (j > qi) {
        verr(c, where,
             "\"show_if\" refers to %s, which comes later (questions[%zu]); it must refer to an "
             "earlier question",
             q(ref).s, j);
        return;
    }
    const survey_question *target = &c->s->questions[j];
    if (!c->qinfo[j].type_ok)
        return; /* its own problems are reported there */
    switch (target->type) {
    case SURVEY_Q_TEXT:
    case SURVEY_Q_INFO:
    case SURVEY_Q_AREA:
        verr(c, where,
             "\"show_if\" refers to %s, a%s %s question; only choice, multi, scale, smiley and "
             "number questions can be used",
             q(ref).s, target->type == SURVEY_Q_INFO || target->type == SURVEY_Q_AREA ? "n" : "",
             qtype_names[target->type]);
        return;
    default:
        break;
    }
    qq->show_if.question = vstrdup(c, ref);
    if (!in_ok)
        return;
    size_t n = json_array_size(in);
    qq->show_if.in = calloc(n, sizeof *qq->show_if.in);
    if (!qq->show_if.in) {
        voom(c);
        return;
    }
    qq->show_if.n_in = n;
    for (size_t k = 0; k < n; k++) {
        json_t *iv = json_array_get(in, k);
        char value[32];
        const char *val = NULL;
        if (target->type == SURVEY_Q_CHOICE || target->type == SURVEY_Q_MULTI) {
            val = json_string_value(iv);
            if (!val) {
                verr(c, where, "\"show_if\": in[%zu] must be an option id (a string)", k);
                continue;
            }
            if (c->qinfo[j].values_ok && survey_find_option(target, val) < 0) {
                verr(c, where, "\"show_if\": %s is not an option of %s", q(val).s, q(ref).s);
                continue;
            }
        } else {
            long long lo = 1, hi = SURVEY_SCALE_POINTS, x = 0;
            if (target->type == SURVEY_Q_NUMBER) {
                if (!c->qinfo[j].values_ok)
                    continue;
                lo = target->min;
                hi = target->max;
            }
            if (!show_if_number(iv, &x) || x < lo || x > hi) {
                if (target->type == SURVEY_Q_NUMBER)
                    verr(c, where,
                         "\"show_if\": in[%zu] must be a whole number from %lld to %lld (the "
                         "range of %s)",
                         k, lo, hi, q(ref).s);
                else
                    verr(c, where, "\"show_if\": in[%zu] must be a value from 1 to %d", k,
                         SURVEY_SCALE_POINTS);
                continue;
            }
            snprintf(value, sizeof value, "%lld", x);
            val = value;
        }
        size_t d = 0;
        while (d < k && !(qq->show_if.in[d] && strcmp(qq->show_if.in[d], val) == 0))
            d++;
        if (d < k) {
            verr(c, where, "\"show_if\": %s is listed twice in \"in\"", q(val).s);
            continue;
        }
        qq->show_if.in[k] = vstrdup(c, val);
    }
}

static void check_question(vctx *c, size_t qi, json_t *qv, size_t *area_index)
{
    survey_question *qq = &c->s->questions[qi];
    question_info *info = &c->qinfo[qi];
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "questions[%zu]", qi);
    if (!json_is_object(qv)) {
        verr(c, where, "must be an object like {\"id\": \"q1\", \"type\": \"choice\", ...}");
        return;
    }
    json_t *idv = json_object_get(qv, "id");
    const char *id = json_string_value(idv);
    if (id)
        snprintf(where, sizeof where, "questions[%zu] %s", qi, q(id).s);

    /* id */
    if (!idv) {
        verr(c, where, "\"id\" is missing");
    } else if (!id) {
        verr(c, where, "\"id\" must be a string");
    } else if (!valid_id(id)) {
        verr(c, where, "id %s is not valid: use 1 to %d characters from a-z, 0-9, _ and -", q(id).s,
             SURVEY_ID_MAX);
    } else {
        size_t j = 0;
        while (j < qi && !(c->qinfo[j].id && strcmp(c->qinfo[j].id, id) == 0))
            j++;
        if (j < qi)
            verr(c, where, "id %s is already used by questions[%zu]", q(id).s, j);
        else
            qq->id = vstrdup(c, id);
    }

    /* type */
    json_t *tv = json_object_get(qv, "type");
    const char *tname = json_string_value(tv);
    int type = -1;
    if (!tv) {
        verr(c, where, "\"type\" is missing");
    } else if (!tname) {
        verr(c, where, "\"type\" must be a string");
    } else {
        for (size_t t = 0; t < N_QTYPES; t++)
            if (strcmp(tname, qtype_names[t]) == 0)
                type = (int)t;
        if (type < 0) {
            const char *s = suggest(tname, qtype_names, N_QTYPES);
            if (s)
                verr(c, where, "unknown type %s (did you mean %s?)", q(tname).s, q(s).s);
            else
                verr(c, where,
                     "unknown type %s (known types: scale, smiley, choice, multi, number, text, "
                     "info, area)",
                     q(tname).s);
        }
    }
    info->type_ok = type >= 0;
    if (type >= 0)
        qq->type = (survey_qtype)type;

    check_question_keys(c, where, qv, type);

    /* text, help, required */
    json_t *text = json_object_get(qv, "text");
    if (!text)
        verr(c, where, "\"text\" is missing");
    else
        check_texts(c, where, "\"text\"", "\"text\"", "text", text, &qq->text, SURVEY_TEXT_MAX);
    json_t *help = json_object_get(qv, "help");
    if (help)
        check_texts(c, where, "\"help\"", "\"help\"", "text", help, &qq->help, SURVEY_TEXT_MAX);
    json_t *req = json_object_get(qv, "required");
    if (req && !json_is_boolean(req))
        verr(c, where, "\"required\" must be true or false");
    qq->required = json_is_true(req);
    if (type == SURVEY_Q_INFO && qq->required)
        verr(c, where, "an info question cannot be required (it has no answer)");

    if (type == SURVEY_Q_TEXT)
        qq->max_length = SURVEY_TEXT_DEFAULT_MAX;
    long long x = 0;
    switch (type) {
    case SURVEY_Q_SCALE: {
        json_t *rev = json_object_get(qv, "reverse");
        if (rev && !json_is_boolean(rev))
            verr(c, where, "\"reverse\" must be true or false");
        qq->reverse = json_is_true(rev);
    }
        /* fall through */
    case SURVEY_Q_SMILEY:
        check_labels(c, where, json_object_get(qv, "labels"), qq);
        break;
    case SURVEY_Q_CHOICE:
    case SURVEY_Q_MULTI: {
        info->values_ok = check_options(c, where, json_object_get(qv, "options"), qq);
        json_t *mv = type == SURVEY_Q_MULTI ? json_object_get(qv, "max") : NULL;
        if (mv) {
            long long hi = info->values_ok ? (long long)qq->n_options : SURVEY_MAX_OPTIONS;
            if (get_int(mv, 1, hi, &x))
                qq->max_choices = (int)x;
            else if (info->values_ok)
                verr(c, where,
                     "\"max\" must be a whole number from 1 to %lld (the number of options)", hi);
            else
                verr(c, where, "\"max\" must be a whole number from 1 to the number of options");
        }
        break;
    }
    case SURVEY_Q_NUMBER: {
        bool ok = true;
        const char *names[2] = {"min", "max"};
        long *dst[2] = {&qq->min, &qq->max};
        for (int k = 0; k < 2; k++) {
            json_t *nv = json_object_get(qv, names[k]);
            if (!nv) {
                verr(c, where, "\"%s\" is missing", names[k]);
                ok = false;
            } else if (!get_int(nv, -SURVEY_NUMBER_LIMIT, SURVEY_NUMBER_LIMIT, &x)) {
                verr(c, where, "\"%s\" must be a whole number from %ld to %ld", names[k],
                     -SURVEY_NUMBER_LIMIT, SURVEY_NUMBER_LIMIT);
                ok = false;
            } else {
                *dst[k] = (long)x;
            }
        }
        if (ok && qq->min >= qq->max) {
            verr(c, where, "\"min\" (%ld) must be less than \"max\" (%ld)", qq->min, qq->max);
            ok = false;
        }
        info->values_ok = ok;
        break;
    }
    case SURVEY_Q_TEXT: {
        json_t *mv = json_object_get(qv, "max_length");
        if (mv) {
            if (get_int(mv, 1, SURVEY_MAX_LENGTH_LIMIT, &x))
                qq->max_length = (int)x;
            else
                verr(c, where, "\"max_length\" must be a whole number from 1 to %d",
                     SURVEY_MAX_LENGTH_LIMIT);
        }
        break;
    }
    case SURVEY_Q_AREA:
        if (*area_index != SIZE_MAX)
            verr(c, where,
                 "there is already an area question (questions[%zu]); a survey has at "
                 "most one",
                 *area_index);
        else
            *area_index = qi;
        break;
    default:
        break;
    }

    json_t *sv = json_object_get(qv, "show_if");
    if (sv)
        check_show_if(c, where, qi, sv, qq);
}

/* ------------------------------------------------------------------------ */
/* The survey */

static void check_languages(vctx *c, json_t *v)
{
    survey *s = c->s;
    if (!v) {
        verr(c, NULL, "\"languages\" is missing");
        return;
    }
    if (!json_is_array(v)) {
        verr(c, NULL, "\"languages\" must be a list of language codes, e.g. [\"nl\", \"en\"]");
        return;
    }
    size_t n = json_array_size(v);
    if (n == 0) {
        verr(c, NULL, "\"languages\" is empty: give at least one language, e.g. [\"nl\"]");
        return;
    }
    if (n > SURVEY_MAX_LANGUAGES) {
        verr(c, NULL, "\"languages\" has %zu codes; at most %d are allowed", n,
             SURVEY_MAX_LANGUAGES);
        return;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const char *code = json_string_value(json_array_get(v, i));
        if (!code) {
            verr(c, NULL, "languages[%zu] must be a string, e.g. \"nl\"", i);
            ok = false;
        } else if (!valid_language(code)) {
            verr(c, NULL,
                 "languages[%zu] %s is not a language code (2 or 3 lowercase letters, e.g. "
                 "\"nl\")",
                 i, q(code).s);
            ok = false;
        } else if (survey_language_index(s, code) >= 0) {
            verr(c, NULL, "languages[%zu] %s is listed twice", i, q(code).s);
            ok = false;
        } else {
            s->languages[s->n_languages] = vstrdup(c, code);
            if (s->languages[s->n_languages])
                s->n_languages++;
            else
                ok = false;
        }
    }
    c->langs_ok = ok;
}

static void check_questions(vctx *c, json_t *v)
{
    survey *s = c->s;
    if (!v) {
        verr(c, NULL, "\"questions\" is missing");
        return;
    }
    if (!json_is_array(v)) {
        verr(c, NULL, "\"questions\" must be a list of questions: [{...}, {...}]");
        return;
    }
    size_t n = json_array_size(v);
    if (n == 0) {
        verr(c, NULL, "\"questions\" is empty: add at least one question");
        return;
    }
    if (n > SURVEY_MAX_QUESTIONS) {
        verr(c, NULL, "\"questions\" has %zu questions; at most %d are allowed", n,
             SURVEY_MAX_QUESTIONS);
        return;
    }
    s->questions = calloc(n, sizeof *s->questions);
    c->qinfo = calloc(n, sizeof *c->qinfo);
    if (!s->questions || !c->qinfo) {
        voom(c);
        return;
    }
    s->n_questions = n;
    c->n_qinfo = n;
    for (size_t i = 0; i < n; i++)
        c->qinfo[i].id = json_string_value(json_object_get(json_array_get(v, i), "id"));
    size_t area_index = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        check_question(c, i, json_array_get(v, i), &area_index);
}

static survey *validate(json_t *root, const char *file, bk_diag *diag)
{
    vctx c = {.file = file ? file : "survey", .diag = diag};
    if (!json_is_object(root)) {
        verr(&c, NULL, "a survey must be a JSON object: {\"id\": ..., \"questions\": [...]}");
        return NULL;
    }
    c.s = calloc(1, sizeof *c.s);
    if (!c.s) {
        voom(&c);
        return NULL;
    }
    survey *s = c.s;
    check_keys(&c, NULL, "", root, survey_keys, N_OF(survey_keys));

    json_t *idv = json_object_get(root, "id");
    const char *id = json_string_value(idv);
    if (!idv)
        verr(&c, NULL, "\"id\" is missing");
    else if (!id)
        verr(&c, NULL, "\"id\" must be a string");
    else if (!valid_id(id))
        verr(&c, NULL, "id %s is not valid: use 1 to %d characters from a-z, 0-9, _ and -", q(id).s,
             SURVEY_ID_MAX);
    else
        s->id = vstrdup(&c, id);

    json_t *ver = json_object_get(root, "version");
    long long x = 0;
    if (!ver)
        verr(&c, NULL, "\"version\" is missing");
    else if (!get_int(ver, 1, INT_MAX, &x))
        verr(&c, NULL, "\"version\" must be a whole number of 1 or more");
    else
        s->version = (int)x;

    check_languages(&c, json_object_get(root, "languages"));

    json_t *title = json_object_get(root, "title");
    if (!title)
        verr(&c, NULL, "\"title\" is missing");
    else
        check_texts(&c, NULL, "\"title\"", "\"title\"", "text", title, &s->title, SURVEY_LABEL_MAX);

    check_questions(&c, json_object_get(root, "questions"));

    free(c.qinfo);
    if (c.errors) {
        survey_free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------------ */
/* Loading */

/* Adds a hint to the most common JSON mistakes of people editing by hand. */
static const char *syntax_hint(const json_error_t *e, const char *buf, size_t len)
{
    if (strncmp(e->text, "unable to decode byte", 21) == 0)
        return " (save the file as UTF-8)";
    const char *near = strstr(e->text, "near '");
    if (!near)
        return "";
    bool closing = strcmp(near, "near '}'") == 0 || strcmp(near, "near ']'") == 0;
    if (closing && e->position >= 1 && (size_t)e->position <= len) {
        size_t p = (size_t)e->position - 1; /* the closing bracket */
        while (p > 0 && isspace((unsigned char)buf[p - 1]))
            p--;
        if (p > 0 && buf[p - 1] == ',')
            return " (remove the comma after the last item)";
    }
    if (strcmp(near, "near '''") == 0)
        return " (use double quotes \"...\", not single quotes)";
    if ((strncmp(e->text, "'}' expected", 12) == 0 || strncmp(e->text, "']' expected", 12) == 0) &&
        strstr(e->text, "near end of file") == NULL)
        return " (is a comma missing?)";
    return "";
}

survey *survey_load_string(const char *json, size_t len, const char *name, bk_diag *diag)
{
    const char *file = name ? name : "survey";
    /* A UTF-8 byte order mark, as some Windows editors write, is fine. */
    if (len >= 3 && memcmp(json, "\xef\xbb\xbf", 3) == 0) {
        json += 3;
        len -= 3;
    }
    json_error_t e;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!root) {
        int line = e.line < 1 ? 1 : e.line;
        int col = e.column < 1 ? 1 : e.column;
        /* jansson quotes the input near the error, which may hold a line
           break: keep the message on one line. */
        for (char *c = e.text; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
        if (diag)
            diag_add(diag, "%s:%d:%d: invalid JSON: %s%s", file, line, col, e.text,
                     syntax_hint(&e, json, len));
        return NULL;
    }
    survey *s = validate(root, file, diag);
    json_decref(root);
    return s;
}

survey *survey_load_file(const char *path, bk_diag *diag)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (diag)
            diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(SURVEY_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        if (diag)
            diag_add(diag, "%s: out of memory", path);
        return NULL;
    }
    size_t len = fread(buf, 1, SURVEY_FILE_MAX + 1, f);
    int read_error = ferror(f);
    int saved_errno = errno;
    fclose(f);
    survey *s = NULL;
    if (read_error) {
        if (diag)
            diag_add(diag, "%s: cannot read: %s", path, strerror(saved_errno));
    } else if (len > SURVEY_FILE_MAX) {
        if (diag)
            diag_add(diag, "%s: the file is larger than %d bytes", base, SURVEY_FILE_MAX);
    } else {
        s = survey_load_string(buf, len, base, diag);
    }
    free(buf);
    return s;
}

survey *survey_from_json(const void *json_value, const char *name, bk_diag *diag)
{
    /* jansson's getters take non-const pointers but do not modify. */
    return validate((json_t *)(uintptr_t)json_value, name, diag);
}

/* ------------------------------------------------------------------------ */
/* The model */

static void text_free(survey_text *t)
{
    for (size_t i = 0; i < SURVEY_MAX_LANGUAGES; i++)
        free(t->text[i]);
}

void survey_free(survey *s)
{
    if (!s)
        return;
    free(s->id);
    for (size_t i = 0; i < SURVEY_MAX_LANGUAGES; i++)
        free(s->languages[i]);
    text_free(&s->title);
    for (size_t i = 0; i < s->n_questions; i++) {
        survey_question *qq = &s->questions[i];
        free(qq->id);
        text_free(&qq->text);
        text_free(&qq->help);
        for (size_t k = 0; k < SURVEY_SCALE_POINTS; k++)
            text_free(&qq->labels[k]);
        for (size_t k = 0; k < qq->n_options; k++) {
            free(qq->options[k].id);
            text_free(&qq->options[k].label);
        }
        free(qq->options);
        free(qq->show_if.question);
        for (size_t k = 0; k < qq->show_if.n_in; k++)
            free(qq->show_if.in[k]);
        free(qq->show_if.in);
    }
    free(s->questions);
    free(s);
}

int survey_language_index(const survey *s, const char *lang)
{
    for (size_t i = 0; i < s->n_languages; i++)
        if (s->languages[i] && strcmp(s->languages[i], lang) == 0)
            return (int)i;
    return -1;
}

const char *survey_text_get(const survey_text *t, int lang)
{
    if (lang >= 0 && lang < SURVEY_MAX_LANGUAGES && t->text[lang])
        return t->text[lang];
    return t->text[0];
}

const survey_question *survey_find_question(const survey *s, const char *id)
{
    for (size_t i = 0; i < s->n_questions; i++)
        if (s->questions[i].id && strcmp(s->questions[i].id, id) == 0)
            return &s->questions[i];
    return NULL;
}

int survey_find_option(const survey_question *qq, const char *id)
{
    for (size_t i = 0; i < qq->n_options; i++)
        if (qq->options[i].id && strcmp(qq->options[i].id, id) == 0)
            return (int)i;
    return -1;
}

const char *survey_qtype_name(survey_qtype t)
{
    if ((unsigned)t >= N_QTYPES)
        return "unknown";
    return qtype_names[t];
}

/* ------------------------------------------------------------------------ */
/* The catalogue */

struct survey_catalog {
    survey **items;
    size_t n, cap;
    size_t skipped;
};

survey_catalog *survey_catalog_create(void)
{
    return calloc(1, sizeof(survey_catalog));
}

bk_err survey_catalog_add(survey_catalog *cat, survey *s)
{
    if (survey_catalog_find(cat, s->id))
        return BK_ERR_INVALID;
    if (cat->n == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 8;
        survey **items = realloc(cat->items, cap * sizeof *items);
        if (!items)
            return BK_ERR_NOMEM;
        cat->items = items;
        cat->cap = cap;
    }
    cat->items[cat->n++] = s;
    return BK_OK;
}

size_t survey_catalog_count(const survey_catalog *cat)
{
    return cat ? cat->n : 0;
}

const survey *survey_catalog_at(const survey_catalog *cat, size_t i)
{
    return cat && i < cat->n ? cat->items[i] : NULL;
}

const survey *survey_catalog_find(const survey_catalog *cat, const char *id)
{
    if (!cat || !id)
        return NULL;
    for (size_t i = 0; i < cat->n; i++)
        if (strcmp(cat->items[i]->id, id) == 0)
            return cat->items[i];
    return NULL;
}

size_t survey_catalog_skipped(const survey_catalog *cat)
{
    return cat ? cat->skipped : 0;
}

void survey_catalog_free(survey_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n; i++)
        survey_free(cat->items[i]);
    free(cat->items);
    free(cat);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Names of the *.json files in dir, sorted. */
static bk_err list_json_files(const char *dir, char ***out, size_t *n_out, bk_diag *diag)
{
    *out = NULL;
    *n_out = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (diag)
            diag_add(diag, "%s: cannot open folder: %s", dir, strerror(errno));
        return BK_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bk_err rc = BK_OK;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!is_json_name(ent->d_name))
            continue;
        if (n == SURVEY_DIR_MAX_FILES) {
            if (diag)
                diag_add(diag, "%s: more than %d survey files; the rest are ignored", dir,
                         SURVEY_DIR_MAX_FILES);
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                rc = BK_ERR_NOMEM;
                break;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = strdup(ent->d_name);
        if (!names[n]) {
            rc = BK_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc != BK_OK) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    *n_out = n;
    return BK_OK;
}

bk_err survey_catalog_load(const char *dir, survey_catalog **out, bk_diag *diag)
{
    *out = NULL;
    char **names = NULL;
    size_t n = 0;
    bk_err rc = list_json_files(dir, &names, &n, diag);
    if (rc != BK_OK)
        return rc;
    survey_catalog *cat = survey_catalog_create();
    size_t *from = calloc(n ? n : 1, sizeof *from); /* file index of each survey in cat */
    if (!cat || !from)
        rc = BK_ERR_NOMEM;
    for (size_t i = 0; i < n && rc == BK_OK; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            if (diag)
                diag_add(diag, "%s/%s: path too long", dir, names[i]);
            cat->skipped++;
            continue;
        }
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* a folder called x.json, a dangling link */
        survey *s = survey_load_file(path, diag);
        if (!s) {
            cat->skipped++;
            continue;
        }
        size_t k = 0;
        while (k < cat->n && strcmp(cat->items[k]->id, s->id) != 0)
            k++;
        if (k < cat->n) {
            if (diag)
                diag_add(diag, "%s: survey id %s is already used by %s; this file is skipped",
                         names[i], q(s->id).s, names[from[k]]);
            survey_free(s);
            cat->skipped++;
            continue;
        }
        from[cat->n] = i;
        rc = survey_catalog_add(cat, s);
        if (rc != BK_OK)
            survey_free(s);
    }
    free(from);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc != BK_OK) {
        survey_catalog_free(cat);
        return rc;
    }
    *out = cat;
    return BK_OK;
}
