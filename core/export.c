/* export.c: CSV and JSON Lines exports with SHA-256 checksums, from any
 * export_source; see export.h. */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"
#include "path.h"

/* ---- Output with a running checksum ---- */

typedef struct ex_out {
    FILE *f;
    crypto_hash_sha256_state sha;
    uint64_t bytes;
    bool failed;
} ex_out;

static void ex_put(ex_out *o, const char *s, size_t n)
{
    if (o->failed || n == 0)
        return;
    if (fwrite(s, 1, n, o->f) != n) {
        o->failed = true;
        return;
    }
    crypto_hash_sha256_update(&o->sha, (const unsigned char *)s, n);
    o->bytes += n;
}

static void ex_puts(ex_out *o, const char *s)
{
    ex_put(o, s, strlen(s));
}

static void ex_hex(const unsigned char *digest, char hex[EXPORT_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < crypto_hash_sha256_BYTES; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * crypto_hash_sha256_BYTES] = '\0';
}

/* ---- CSV fields ---- */

/* Writes one field (after a ';' unless it is the first of its row), quoted
 * when it holds ';', '"', CR or LF. A text (formula_guard) that a
 * spreadsheet would run as a formula gets a "'" in front. */
static void csv_field(ex_out *o, const char *text, bool first, bool formula_guard)
{
    if (!first)
        ex_put(o, ";", 1);
    if (!text)
        return;
    bool guard = formula_guard && text[0] && strchr("=+-@\t\r", text[0]);
    bool quote = strpbrk(text, ";\"\r\n") != NULL;
    if (quote)
        ex_put(o, "\"", 1);
    if (guard)
        ex_put(o, "'", 1);
    for (const char *p = text; *p;) {
        const char *q = quote ? strchr(p, '"') : NULL;
        if (!q) {
            ex_puts(o, p);
            break;
        }
        ex_put(o, p, (size_t)(q - p) + 1);
        ex_put(o, "\"", 1); /* "" */
        p = q + 1;
    }
    if (quote)
        ex_put(o, "\"", 1);
}

static void csv_int_field(ex_out *o, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    csv_field(o, num, false, false);
}

/* ---- Columns ---- */

typedef struct ex_col {
    char *survey_id;
    char *question_id;
    bool qualified; /* header "survey_id.question_id" */
} ex_col;

typedef struct ex_ctx {
    ex_out *o;
    export_format fmt;
    bool with_kiosk;
    bk_err err;
    int64_t n;
    /* CSV */
    char **surveys_seen;
    size_t n_seen;
    ex_col *cols;
    size_t n_cols;
    char **cells;              /* n_cols, one row's values */
    const survey *const *defs; /* the definitions given to export_write */
    size_t n_defs;
    /* Every (survey, question) answered, in the order first seen: the
     * columns a question without a definition gets. */
    ex_col *answered;
    size_t n_answered;
} ex_ctx;

static bool ex_strdup_into(char **dst, const char *s)
{
    *dst = strdup(s ? s : "");
    return *dst != NULL;
}

static ssize_t ex_list_find(const ex_col *list, size_t n, const char *survey_id,
                            const char *question_id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].question_id, question_id) == 0 &&
            strcmp(list[i].survey_id, survey_id) == 0)
            return (ssize_t)i;
    return -1;
}

/* Adds (survey_id, question_id) to *list unless it is there; at most
 * EXPORT_MAX_COLUMNS (what is left out is logged when warn). */
static bk_err ex_list_add(ex_col **list, size_t *n, const char *survey_id, const char *question_id,
                          bool warn)
{
    if (ex_list_find(*list, *n, survey_id, question_id) >= 0)
        return BK_OK;
    if (*n >= EXPORT_MAX_COLUMNS) {
        if (warn)
            log_warn("export",
                     "more than %d question columns: answers to %s.%s left out of the CSV",
                     EXPORT_MAX_COLUMNS, survey_id, question_id);
        return BK_OK;
    }
    ex_col *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return BK_ERR_NOMEM;
    *list = grown;
    ex_col *col = &grown[*n];
    memset(col, 0, sizeof *col);
    if (!ex_strdup_into(&col->survey_id, survey_id) ||
        !ex_strdup_into(&col->question_id, question_id)) {
        free(col->survey_id);
        free(col->question_id);
        return BK_ERR_NOMEM;
    }
    (*n)++;
    return BK_OK;
}

static ssize_t ex_find_col(const ex_ctx *c, const char *survey_id, const char *question_id)
{
    return ex_list_find(c->cols, c->n_cols, survey_id, question_id);
}

static bk_err ex_add_col(ex_ctx *c, const char *survey_id, const char *question_id)
{
    return ex_list_add(&c->cols, &c->n_cols, survey_id, question_id, true);
}

static const survey *ex_find_survey(const survey *const *surveys, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (surveys[i] && strcmp(surveys[i]->id, id) == 0)
            return surveys[i];
    return NULL;
}

/* True when the definition of survey_id gives question_id a column. */
static bool ex_defined_col(const ex_ctx *c, const char *survey_id, const char *question_id)
{
    const survey *s = ex_find_survey(c->defs, c->n_defs, survey_id);
    for (size_t q = 0; s && q < s->n_questions; q++) {
        const survey_question *sq = &s->questions[q];
        if (sq->type != SURVEY_Q_INFO && sq->type != SURVEY_Q_AREA &&
            strcmp(sq->id, question_id) == 0)
            return true;
    }
    return false;
}

/* The one pass before the rows (CSV): which surveys the rows belong to,
 * and every answer to a question their definitions give no column, in the
 * order first seen (such a question gets a column of its own). */
static int ex_collect(const response_row *row, void *ctx)
{
    ex_ctx *c = ctx;
    size_t k = 0;
    while (k < c->n_seen && strcmp(c->surveys_seen[k], row->survey_id) != 0)
        k++;
    if (k == c->n_seen) {
        char **grown = realloc(c->surveys_seen, (c->n_seen + 1) * sizeof *grown);
        if (!grown || !(grown[c->n_seen] = strdup(row->survey_id))) {
            if (grown)
                c->surveys_seen = grown;
            c->err = BK_ERR_NOMEM;
            return 1;
        }
        c->surveys_seen = grown;
        c->n_seen++;
    }
    for (size_t i = 0; i < row->n_answers; i++) {
        const char *qid = row->answers[i].question_id;
        if (ex_defined_col(c, row->survey_id, qid))
            continue;
        bk_err e = ex_list_add(&c->answered, &c->n_answered, row->survey_id, qid, false);
        if (e != BK_OK) {
            c->err = e;
            return 1;
        }
    }
    return 0;
}

/* After the pass: the answered questions without a definition's column,
 * after the definitions' columns. */
static bk_err ex_columns_from_answers(ex_ctx *c)
{
    for (size_t i = 0; i < c->n_answered; i++) {
        bk_err e = ex_add_col(c, c->answered[i].survey_id, c->answered[i].question_id);
        if (e != BK_OK)
            return e;
    }
    return BK_OK;
}

/* The columns: per survey in the file, its questions in definition order. */
static bk_err ex_columns_from_definitions(ex_ctx *c, const survey *const *surveys, size_t n)
{
    for (size_t k = 0; k < c->n_seen; k++) {
        const survey *s = ex_find_survey(surveys, n, c->surveys_seen[k]);
        for (size_t q = 0; s && q < s->n_questions; q++) {
            const survey_question *sq = &s->questions[q];
            if (sq->type == SURVEY_Q_INFO || sq->type == SURVEY_Q_AREA)
                continue;
            bk_err e = ex_add_col(c, s->id, sq->id);
            if (e != BK_OK)
                return e;
        }
    }
    return BK_OK;
}

static void ex_mark_qualified(ex_ctx *c)
{
    for (size_t i = 0; i < c->n_cols; i++)
        for (size_t j = 0; j < c->n_cols; j++)
            if (i != j && strcmp(c->cols[i].question_id, c->cols[j].question_id) == 0)
                c->cols[i].qualified = true;
}

/* The CSV text of one stored value (JSON text); caller frees. NULL with
 * *err set when it is not valid JSON or out of memory. */
static char *ex_value_text(const char *value_json, bool *is_text, bk_err *err)
{
    *is_text = false;
    json_error_t jerr;
    json_t *v = json_loads(value_json, JSON_DECODE_ANY, &jerr);
    if (!v) {
        *err = BK_ERR_CORRUPT;
        return NULL;
    }
    strbuf b = {0};
    char num[64];
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        strbuf_adds(&b, num);
    } else if (json_is_string(v)) {
        *is_text = true;
        strbuf_add(&b, json_string_value(v), json_string_length(v));
    } else if (json_is_array(v)) {
        *is_text = true;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (i > 0)
                strbuf_add(&b, "|", 1);
            if (json_is_string(item)) {
                strbuf_add(&b, json_string_value(item), json_string_length(item));
            } else if (json_is_integer(item)) {
                snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(item));
                strbuf_adds(&b, num);
            }
        }
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        strbuf_adds(&b, num);
    } else if (json_is_true(v) || json_is_false(v)) {
        strbuf_adds(&b, json_is_true(v) ? "true" : "false");
    }
    json_decref(v);
    strbuf_add(&b, "", 0);
    if (b.nomem) {
        free(b.s);
        *err = BK_ERR_NOMEM;
        return NULL;
    }
    return b.s;
}

static const char *const ex_fixed_columns[] = {
    "response_id", "seq",  "survey_id",  "survey_version", "mode",  "status",
    "language",    "area", "started_at", "completed_at",   "flags",
};

static void ex_csv_header(ex_ctx *c)
{
    ex_put(c->o, "\xEF\xBB\xBF", 3); /* BOM: Excel then reads UTF-8 */
    size_t n = sizeof ex_fixed_columns / sizeof ex_fixed_columns[0];
    if (c->with_kiosk)
        csv_field(c->o, "kiosk_id", true, false);
    for (size_t i = 0; i < n; i++)
        csv_field(c->o, ex_fixed_columns[i], i == 0 && !c->with_kiosk, false);
    for (size_t i = 0; i < c->n_cols; i++) {
        char name[2 * SURVEY_ID_MAX + 64];
        if (c->cols[i].qualified)
            snprintf(name, sizeof name, "%s.%s", c->cols[i].survey_id, c->cols[i].question_id);
        else
            snprintf(name, sizeof name, "%s", c->cols[i].question_id);
        csv_field(c->o, name, false, false);
    }
    ex_put(c->o, "\r\n", 2);
}

static int ex_csv_row(const response_row *row, void *ctx)
{
    ex_ctx *c = ctx;
    ex_out *o = c->o;
    for (size_t i = 0; i < c->n_cols; i++) {
        free(c->cells[i]);
        c->cells[i] = NULL;
    }
    bool *texts = c->n_cols ? calloc(c->n_cols, sizeof *texts) : NULL;
    if (c->n_cols && !texts) {
        c->err = BK_ERR_NOMEM;
        return 1;
    }
    for (size_t i = 0; i < row->n_answers; i++) {
        ssize_t k = ex_find_col(c, row->survey_id, row->answers[i].question_id);
        if (k < 0)
            continue;
        free(c->cells[k]);
        c->cells[k] = ex_value_text(row->answers[i].value_json, &texts[k], &c->err);
        if (!c->cells[k]) {
            log_error("export", "response %s: the answer to %s is not valid JSON", row->response_id,
                      row->answers[i].question_id);
            free(texts);
            return 1;
        }
    }
    strbuf flags = {0};
    for (size_t i = 0; i < row->n_flags; i++) {
        if (i > 0)
            strbuf_add(&flags, "|", 1);
        strbuf_adds(&flags, row->flags[i]);
    }
    if (flags.nomem) {
        free(flags.s);
        free(texts);
        c->err = BK_ERR_NOMEM;
        return 1;
    }
    if (c->with_kiosk)
        csv_field(o, row->kiosk_id, true, false);
    csv_field(o, row->response_id, !c->with_kiosk, false);
    csv_int_field(o, row->seq);
    csv_field(o, row->survey_id, false, false);
    csv_int_field(o, row->survey_version);
    csv_field(o, row->mode, false, false);
    csv_field(o, row->status, false, false);
    csv_field(o, row->language, false, false);
    csv_field(o, row->area, false, false);
    csv_field(o, row->started_at, false, false);
    csv_field(o, row->completed_at, false, false);
    csv_field(o, flags.s, false, false);
    for (size_t i = 0; i < c->n_cols; i++)
        csv_field(o, c->cells[i], false, texts[i]);
    ex_put(o, "\r\n", 2);
    free(flags.s);
    free(texts);
    c->n++;
    if (o->failed) {
        c->err = BK_ERR_IO;
        return 1;
    }
    return 0;
}

static int ex_jsonl_row(const response_row *row, void *ctx)
{
    ex_ctx *c = ctx;
    bk_err jerr;
    char *json = response_to_json(row, &jerr);
    if (!json) {
        log_error("export", "response %s cannot be written as JSON", row->response_id);
        c->err = BK_ERR_CORRUPT;
        return 1;
    }
    ex_puts(c->o, json);
    ex_put(c->o, "\n", 1);
    free(json);
    c->n++;
    if (c->o->failed) {
        c->err = BK_ERR_IO;
        return 1;
    }
    return 0;
}

static void ex_ctx_free(ex_ctx *c)
{
    for (size_t i = 0; i < c->n_seen; i++)
        free(c->surveys_seen[i]);
    free(c->surveys_seen);
    for (size_t i = 0; i < c->n_cols; i++) {
        free(c->cols[i].survey_id);
        free(c->cols[i].question_id);
        if (c->cells)
            free(c->cells[i]);
    }
    free(c->cols);
    free(c->cells);
    for (size_t i = 0; i < c->n_answered; i++) {
        free(c->answered[i].survey_id);
        free(c->answered[i].question_id);
    }
    free(c->answered);
}

/* ---- Public ---- */

bk_err export_format_parse(const char *name, export_format *out)
{
    if (name && strcmp(name, "csv") == 0)
        *out = EXPORT_CSV;
    else if (name && strcmp(name, "jsonl") == 0)
        *out = EXPORT_JSONL;
    else
        return BK_ERR_INVALID;
    return BK_OK;
}

const char *export_format_ext(export_format fmt)
{
    return fmt == EXPORT_CSV ? "csv" : "jsonl";
}

bk_err export_write(const export_source *src, const survey *const *surveys, size_t n_surveys,
                    export_format fmt, int64_t since_wall_ms, FILE *f, export_result *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!src || !src->foreach || !f || (n_surveys && !surveys))
        return BK_ERR_INVALID;
    if (sodium_init() < 0)
        return BK_ERR_NOMEM;
    ex_out o = {.f = f};
    crypto_hash_sha256_init(&o.sha);
    ex_ctx c = {
        .o = &o, .fmt = fmt, .with_kiosk = src->with_kiosk, .defs = surveys, .n_defs = n_surveys};
    int64_t since = since_wall_ms > 0 ? since_wall_ms : 0;
    bk_err err = BK_OK;
    if (fmt == EXPORT_CSV) {
        err = src->foreach (src->src, since, ex_collect, &c);
        if (err == BK_OK)
            err = c.err;
        if (err == BK_OK)
            err = ex_columns_from_definitions(&c, surveys, n_surveys);
        if (err == BK_OK)
            err = ex_columns_from_answers(&c);
        if (err == BK_OK && c.n_cols && !(c.cells = calloc(c.n_cols, sizeof *c.cells)))
            err = BK_ERR_NOMEM;
        if (err == BK_OK) {
            ex_mark_qualified(&c);
            ex_csv_header(&c);
            err = src->foreach (src->src, since, ex_csv_row, &c);
        }
    } else {
        err = src->foreach (src->src, since, ex_jsonl_row, &c);
    }
    if (err == BK_OK)
        err = c.err;
    if (err == BK_OK && (o.failed || fflush(f) != 0 || ferror(f)))
        err = BK_ERR_IO;
    if (err == BK_OK && out) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&o.sha, digest);
        ex_hex(digest, out->sha256);
        out->n_responses = c.n;
        out->bytes = o.bytes;
    }
    ex_ctx_free(&c);
    return err;
}

/* Opens path + ".part" for writing; its name in part. */
static FILE *ex_open_part(const char *path, char *part, size_t size)
{
    int n = snprintf(part, size, "%s.part", path);
    if (n < 0 || (size_t)n >= size)
        return NULL;
    return fopen(part, "wb");
}

/* Flushes, syncs and closes f, then renames part to path. */
static bk_err ex_finish_part(FILE *f, const char *part, const char *path, bk_err err)
{
    if (err == BK_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        err = BK_ERR_IO;
    if (fclose(f) != 0 && err == BK_OK)
        err = BK_ERR_IO;
    if (err == BK_OK && rename(part, path) != 0)
        err = BK_ERR_IO;
    if (err != BK_OK) {
        log_error("export", "writing %s failed: %s (%s)", path, bk_err_str(err), strerror(errno));
        remove(part);
        return err;
    }
    return path_sync_dir_of(path);
}

bk_err export_write_file(const export_source *src, const survey *const *surveys, size_t n_surveys,
                         export_format fmt, int64_t since_wall_ms, const char *path,
                         export_result *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!path)
        return BK_ERR_INVALID;
    char part[EXPORT_PATH_MAX + 8];
    FILE *f = ex_open_part(path, part, sizeof part);
    if (!f) {
        log_error("export", "cannot create %s.part: %s", path, strerror(errno));
        return BK_ERR_IO;
    }
    bk_err err = export_write(src, surveys, n_surveys, fmt, since_wall_ms, f, out);
    return ex_finish_part(f, part, path, err);
}

bk_err export_write_checksums(const char *path, const char *const *names,
                              const char *const *sha256_hex, size_t n)
{
    char part[EXPORT_PATH_MAX + 8];
    FILE *f = ex_open_part(path, part, sizeof part);
    if (!f) {
        log_error("export", "cannot create %s.part: %s", path, strerror(errno));
        return BK_ERR_IO;
    }
    bk_err err = BK_OK;
    for (size_t i = 0; i < n && err == BK_OK; i++)
        if (fprintf(f, "%s  %s\n", sha256_hex[i], names[i]) < 0)
            err = BK_ERR_IO;
    return ex_finish_part(f, part, path, err);
}

bk_err export_sha256_file(const char *path, char hex[EXPORT_SHA256_HEX])
{
    hex[0] = '\0';
    if (sodium_init() < 0)
        return BK_ERR_NOMEM;
    FILE *f = fopen(path, "rb");
    if (!f)
        return BK_ERR_IO;
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&sha, buf, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad)
        return BK_ERR_IO;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha, digest);
    ex_hex(digest, hex);
    return BK_OK;
}

bk_err export_parse_date(const char *text, int64_t *out_wall_ms)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return BK_ERR_INVALID;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return BK_ERR_INVALID;
    int y = atoi(text), mo = atoi(text + 5), d = atoi(text + 8);
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != d)
        return BK_ERR_INVALID;
    *out_wall_ms = (int64_t)t * 1000;
    return BK_OK;
}
