/* report_xlsx.c: the Excel workbook of the collector's exports, with
 * libxlsxwriter; see report_xlsx.h. One pass over the source: every
 * survey's worksheet stays open with its own row counter (libxlsxwriter
 * keeps the cells in memory when not in constant_memory mode, so rows of
 * different sheets may come in any order). Free text only ever goes
 * through worksheet_write_string, which stores it as a shared string and
 * never reads it as a formula. */
#include "report_xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "log.h"
#include "strbuf.h"
#include "path.h"

#define RX_MODULE "report"
#define RX_FIXED_COLS 10
#define RX_MAX_COLS EXPORT_MAX_COLUMNS /* question columns per worksheet */
#define RX_STR_MAX 32767               /* characters in one cell (Excel's limit) */
#define RX_NAME_SIZE (LXW_SHEETNAME_MAX * 4 + 1)
#define RX_EMPTY_SHEET "Antwoorden" /* the one sheet of an export without responses */

static const char *const rx_fixed_headers[RX_FIXED_COLS] = {
    "Antwoord-id", "Kiosk",  "Volgnummer", "Versie",   "Taal",
    "Wijk",        "Status", "Begonnen",   "Voltooid", "Vlaggen",
};
static const double rx_fixed_widths[RX_FIXED_COLS] = {38, 22, 12, 8, 6, 16, 12, 26, 26, 18};

/* ---- The workbook's state ---- */

typedef struct rx_col {
    char *question_id;        /* owned */
    const survey_question *q; /* of the definition; NULL: the stored value as is */
} rx_col;

typedef struct rx_sheet {
    char *survey_id; /* owned */
    const survey *def;
    int lang; /* index of the labels' language in def */
    lxw_worksheet *ws;
    lxw_row_t next_row;
    rx_col *cols; /* the question columns, after the fixed ones */
    size_t n_cols;
    bool cols_warned; /* the column limit was reported */
} rx_sheet;

typedef struct rx_ctx {
    lxw_workbook *wb;
    lxw_format *header_fmt;
    const char *path;
    const survey *const *defs;
    size_t n_defs;
    rx_sheet *sheets;
    size_t n_sheets;
    size_t last; /* the sheet of the previous row */
    int64_t n;
    bk_err err;
} rx_ctx;

static void rx_ctx_free(rx_ctx *c)
{
    for (size_t i = 0; i < c->n_sheets; i++) {
        for (size_t k = 0; k < c->sheets[i].n_cols; k++)
            free(c->sheets[i].cols[k].question_id);
        free(c->sheets[i].cols);
        free(c->sheets[i].survey_id);
    }
    free(c->sheets);
    c->sheets = NULL;
    c->n_sheets = 0;
}

/* The bk_err of a libxlsxwriter error, logged (with the path and
 * libxlsxwriter's reason) unless it is only out of memory. */
static bk_err rx_check(const rx_ctx *c, lxw_error e)
{
    if (e == LXW_NO_ERROR)
        return BK_OK;
    if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
        return BK_ERR_NOMEM;
    log_error(RX_MODULE, "writing %s failed: %s", c->path, lxw_strerror(e));
    return BK_ERR_IO;
}

/* ---- UTF-8 ---- */

/* The bytes of the first max_chars code points of s. */
static size_t rx_utf8_prefix(const char *s, size_t max_chars)
{
    size_t chars = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (chars == max_chars)
                break;
            chars++;
        }
    }
    return i;
}

/* ---- Cells ---- */

/* Writes text as a string cell (never a formula; NULL or "" leaves the
 * cell empty). A text longer than a cell holds is cut to RX_STR_MAX
 * characters, and *cut set. */
static lxw_error rx_write_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *text,
                               lxw_format *fmt, bool *cut)
{
    if (!text || !*text)
        return LXW_NO_ERROR;
    size_t n = rx_utf8_prefix(text, RX_STR_MAX);
    if (!text[n])
        return worksheet_write_string(ws, row, col, text, fmt);
    char *part = strndup(text, n);
    if (!part)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error e = worksheet_write_string(ws, row, col, part, fmt);
    free(part);
    if (cut)
        *cut = true;
    return e;
}

/* The text of a choice: the option's Dutch label when q knows the id,
 * else the id itself. */
static const char *rx_option_label(const survey_question *q, int lang, const char *option_id)
{
    int k = q ? survey_find_option(q, option_id) : -1;
    const char *label = k >= 0 ? survey_text_get(&q->options[k].label, lang) : NULL;
    return label ? label : option_id;
}

/* Adds the text of one JSON value (an answer, or an item of one) to b:
 * a string as its label (choice and multi) or as typed, a number as
 * written, anything else as compact JSON. */
static void rx_value_text(strbuf *b, const json_t *v, const survey_question *q, int lang)
{
    bool choice = q && (q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_MULTI);
    if (json_is_string(v)) {
        if (choice)
            strbuf_adds(b, rx_option_label(q, lang, json_string_value(v)));
        else
            strbuf_add(b, json_string_value(v), json_string_length(v));
        return;
    }
    char *json = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!json) {
        b->nomem = true;
        return;
    }
    strbuf_adds(b, json);
    free(json);
}

/* Writes one answer of row into its cell: a number as a number, true or
 * false as a boolean, null as nothing; for a column of the definition
 * (q) a string or an array as text (labels for choices, joined with
 * ", "), for a column without one (q NULL) the stored JSON text. */
static bk_err rx_write_answer(rx_ctx *c, rx_sheet *s, lxw_row_t r, lxw_col_t col,
                              const survey_question *q, const response_row *row,
                              const response_answer *a)
{
    json_error_t jerr;
    json_t *v = json_loads(a->value_json, JSON_DECODE_ANY, &jerr);
    if (!v) {
        log_error(RX_MODULE, "response %s: the answer to %s is not valid JSON", row->response_id,
                  a->question_id);
        return BK_ERR_CORRUPT;
    }
    lxw_error e = LXW_NO_ERROR;
    bool cut = false;
    if (json_is_integer(v)) {
        e = worksheet_write_number(s->ws, r, col, (double)json_integer_value(v), NULL);
    } else if (json_is_real(v)) {
        e = worksheet_write_number(s->ws, r, col, json_real_value(v), NULL);
    } else if (json_is_boolean(v)) {
        e = worksheet_write_boolean(s->ws, r, col, json_is_true(v), NULL);
    } else if (json_is_null(v)) {
        e = LXW_NO_ERROR;
    } else if (!q) {
        e = rx_write_text(s->ws, r, col, a->value_json, NULL, &cut);
    } else {
        strbuf b = {0};
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
            {
                if (i > 0)
                    strbuf_add(&b, ", ", 2);
                rx_value_text(&b, item, q, s->lang);
            }
        } else {
            rx_value_text(&b, v, q, s->lang);
        }
        e = b.nomem ? LXW_ERROR_MEMORY_MALLOC_FAILED
                    : rx_write_text(s->ws, r, col, b.s, NULL, &cut);
        free(b.s);
    }
    json_decref(v);
    if (cut)
        log_warn(RX_MODULE,
                 "response %s: the answer to %s cut to %d characters, the most an "
                 "Excel cell holds",
                 row->response_id, a->question_id, RX_STR_MAX);
    return rx_check(c, e);
}

/* ---- Worksheets and columns ---- */

static const survey *rx_find_def(const rx_ctx *c, const char *id)
{
    for (size_t i = 0; i < c->n_defs; i++)
        if (c->defs[i] && c->defs[i]->id && strcmp(c->defs[i]->id, id) == 0)
            return c->defs[i];
    return NULL;
}

/* A valid worksheet name for survey_id in name: characters Excel refuses
 * become '_', at most LXW_SHEETNAME_MAX characters, unique in the
 * workbook (case-insensitively, as Excel compares them) by a "~N" at the
 * end, and never the name "History" that Excel reserves. */
static bk_err rx_sheet_name(const rx_ctx *c, const char *survey_id, char name[RX_NAME_SIZE])
{
    char base[RX_NAME_SIZE];
    size_t n = rx_utf8_prefix(survey_id, LXW_SHEETNAME_MAX);
    memcpy(base, survey_id, n);
    base[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)base[i] < 0x20 || strchr("[]:*?/\\", base[i]))
            base[i] = '_';
    if (base[0] == '\'')
        base[0] = '_';
    if (n > 0 && base[n - 1] == '\'')
        base[n - 1] = '_';
    if (n == 0)
        snprintf(base, sizeof base, "onbekend");
    for (int k = 1; k <= 100000; k++) {
        if (k == 1) {
            snprintf(name, RX_NAME_SIZE, "%s", base);
        } else {
            char suffix[16];
            int len = snprintf(suffix, sizeof suffix, "~%d", k);
            size_t keep = rx_utf8_prefix(base, LXW_SHEETNAME_MAX - (size_t)len);
            snprintf(name, RX_NAME_SIZE, "%.*s%s", (int)keep, base, suffix);
        }
        if (strcasecmp(name, "history") != 0 &&
            workbook_validate_sheet_name(c->wb, name) == LXW_NO_ERROR)
            return BK_OK;
    }
    log_error(RX_MODULE, "writing %s failed: no free worksheet name for survey %s", c->path,
              survey_id);
    return BK_ERR_IO;
}

/* The column width of a question of this type (NULL: a stored value). */
static double rx_col_width(const survey_question *q)
{
    if (!q)
        return 20;
    switch (q->type) {
    case SURVEY_Q_CHOICE:
        return 24;
    case SURVEY_Q_MULTI:
        return 32;
    case SURVEY_Q_TEXT:
        return 48;
    default:
        return 14;
    }
}

/* Adds a question column to s with its header (the question's Dutch text,
 * or the question id for a column without a definition) and width. Sets
 * *index to the new column, or to SIZE_MAX past the column limit (logged
 * once per sheet). */
static bk_err rx_col_add(rx_ctx *c, rx_sheet *s, const char *question_id, const survey_question *q,
                         size_t *index)
{
    *index = SIZE_MAX;
    if (s->n_cols >= RX_MAX_COLS) {
        if (!s->cols_warned)
            log_warn(RX_MODULE,
                     "more than %d question columns in survey %s: answers to %s and "
                     "later questions left out of %s",
                     RX_MAX_COLS, s->survey_id, question_id, c->path);
        s->cols_warned = true;
        return BK_OK;
    }
    rx_col *grown = realloc(s->cols, (s->n_cols + 1) * sizeof *grown);
    if (!grown)
        return BK_ERR_NOMEM;
    s->cols = grown;
    rx_col *col = &grown[s->n_cols];
    col->question_id = strdup(question_id);
    col->q = q;
    if (!col->question_id)
        return BK_ERR_NOMEM;
    lxw_col_t x = (lxw_col_t)(RX_FIXED_COLS + s->n_cols);
    s->n_cols++;
    const char *header = q ? survey_text_get(&q->text, s->lang) : NULL;
    bk_err err =
        rx_check(c, rx_write_text(s->ws, 0, x, header ? header : question_id, c->header_fmt, NULL));
    if (err == BK_OK)
        err = rx_check(c, worksheet_set_column(s->ws, x, x, rx_col_width(q), NULL));
    if (err == BK_OK)
        *index = s->n_cols - 1;
    return err;
}

/* Adds a worksheet named name with the fixed header row, frozen. */
static lxw_worksheet *rx_add_worksheet(rx_ctx *c, const char *name, bk_err *err)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, name);
    if (!ws) {
        *err = BK_ERR_NOMEM;
        return NULL;
    }
    for (lxw_col_t x = 0; x < RX_FIXED_COLS; x++) {
        *err = rx_check(c, worksheet_write_string(ws, 0, x, rx_fixed_headers[x], c->header_fmt));
        if (*err == BK_OK)
            *err = rx_check(c, worksheet_set_column(ws, x, x, rx_fixed_widths[x], NULL));
        if (*err != BK_OK)
            return NULL;
    }
    worksheet_freeze_panes(ws, 1, 0);
    *err = BK_OK;
    return ws;
}

/* The worksheet of survey_id, made with its header row and the columns of
 * its definition the first time; NULL with c->err set on error. */
static rx_sheet *rx_sheet_for(rx_ctx *c, const char *survey_id)
{
    if (c->last < c->n_sheets && strcmp(c->sheets[c->last].survey_id, survey_id) == 0)
        return &c->sheets[c->last];
    for (size_t i = 0; i < c->n_sheets; i++) {
        if (strcmp(c->sheets[i].survey_id, survey_id) == 0) {
            c->last = i;
            return &c->sheets[i];
        }
    }
    rx_sheet *grown = realloc(c->sheets, (c->n_sheets + 1) * sizeof *grown);
    if (!grown) {
        c->err = BK_ERR_NOMEM;
        return NULL;
    }
    c->sheets = grown;
    rx_sheet *s = &grown[c->n_sheets];
    memset(s, 0, sizeof *s);
    s->survey_id = strdup(survey_id);
    if (!s->survey_id) {
        c->err = BK_ERR_NOMEM;
        return NULL;
    }
    c->last = c->n_sheets++;
    s->def = rx_find_def(c, survey_id);
    if (s->def) {
        int nl = survey_language_index(s->def, "nl");
        s->lang = nl >= 0 ? nl : 0;
    }
    char name[RX_NAME_SIZE];
    bk_err err = rx_sheet_name(c, survey_id, name);
    if (err == BK_OK)
        s->ws = rx_add_worksheet(c, name, &err);
    for (size_t i = 0; err == BK_OK && s->def && i < s->def->n_questions; i++) {
        const survey_question *q = &s->def->questions[i];
        size_t index;
        if (q->type != SURVEY_Q_INFO && q->type != SURVEY_Q_AREA)
            err = rx_col_add(c, s, q->id, q, &index);
    }
    s->next_row = 1;
    if (err != BK_OK) {
        c->err = err;
        return NULL;
    }
    return s;
}

/* The column of the answer to question_id in s, added (without a
 * definition) the first time. *index is SIZE_MAX when the answer has no
 * column: an area or info question, or past the column limit. */
static bk_err rx_col_for(rx_ctx *c, rx_sheet *s, const char *question_id, size_t *index)
{
    for (size_t i = 0; i < s->n_cols; i++) {
        if (strcmp(s->cols[i].question_id, question_id) == 0) {
            *index = i;
            return BK_OK;
        }
    }
    *index = SIZE_MAX;
    if (s->def && survey_find_question(s->def, question_id))
        return BK_OK; /* defined, without a column */
    return rx_col_add(c, s, question_id, NULL, index);
}

/* ---- Rows ---- */

static bk_err rx_write_fixed(rx_ctx *c, rx_sheet *s, lxw_row_t r, const response_row *row)
{
    strbuf flags = {0};
    for (size_t i = 0; i < row->n_flags; i++) {
        if (i > 0)
            strbuf_add(&flags, ", ", 2);
        strbuf_adds(&flags, row->flags[i] ? row->flags[i] : "");
    }
    if (flags.nomem) {
        free(flags.s);
        return BK_ERR_NOMEM;
    }
    const char *texts[RX_FIXED_COLS] = {
        row->response_id, row->kiosk_id,     NULL,    NULL, row->language, row->area, row->status,
        row->started_at,  row->completed_at, flags.s,
    };
    lxw_error e = LXW_NO_ERROR;
    for (lxw_col_t x = 0; x < RX_FIXED_COLS && e == LXW_NO_ERROR; x++)
        if (texts[x])
            e = rx_write_text(s->ws, r, x, texts[x], NULL, NULL);
    if (e == LXW_NO_ERROR)
        e = worksheet_write_number(s->ws, r, 2, (double)row->seq, NULL);
    if (e == LXW_NO_ERROR)
        e = worksheet_write_number(s->ws, r, 3, (double)row->survey_version, NULL);
    free(flags.s);
    return rx_check(c, e);
}

static int rx_row(const response_row *row, void *ctx)
{
    rx_ctx *c = ctx;
    rx_sheet *s = rx_sheet_for(c, row->survey_id ? row->survey_id : "");
    if (!s)
        return 1;
    if (s->next_row >= LXW_ROW_MAX) {
        log_error(RX_MODULE,
                  "writing %s failed: survey %s has more responses than an Excel "
                  "worksheet holds (%d); export it as CSV",
                  c->path, s->survey_id, LXW_ROW_MAX - 1);
        c->err = BK_ERR_IO;
        return 1;
    }
    lxw_row_t r = s->next_row;
    bk_err err = rx_write_fixed(c, s, r, row);
    for (size_t i = 0; err == BK_OK && i < row->n_answers; i++) {
        const response_answer *a = &row->answers[i];
        if (a->hidden || !a->question_id || !a->value_json)
            continue;
        size_t k;
        err = rx_col_for(c, s, a->question_id, &k);
        if (err == BK_OK && k != SIZE_MAX)
            err = rx_write_answer(c, s, r, (lxw_col_t)(RX_FIXED_COLS + k), s->cols[k].q, row, a);
    }
    if (err != BK_OK) {
        c->err = err;
        return 1;
    }
    s->next_row++;
    c->n++;
    return 0;
}

/* ---- The file ---- */

/* fsyncs the finished file at part and reads its size and checksum. */
static bk_err rx_finish_part(const char *part, export_result *res)
{
    int fd = open(part, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BK_ERR_IO;
    struct stat st;
    bool ok = fsync(fd) == 0 && fstat(fd, &st) == 0;
    close(fd);
    if (!ok)
        return BK_ERR_IO;
    res->bytes = (uint64_t)st.st_size;
    return export_sha256_file(part, res->sha256);
}

bk_err report_xlsx_write_file(const export_source *src, const survey *const *surveys,
                              size_t n_surveys, int64_t since_wall_ms, const char *path,
                              export_result *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!src || !src->foreach || !path || !*path || (n_surveys && !surveys))
        return BK_ERR_INVALID;
    char part[EXPORT_PATH_MAX + 8];
    int len = snprintf(part, sizeof part, "%s.part", path);
    if (len < 0 || (size_t)len >= sizeof part) {
        log_error(RX_MODULE, "cannot write %s: the path is too long", path);
        return BK_ERR_INVALID;
    }
    char dir[EXPORT_PATH_MAX];
    path_dir_of(path, dir, sizeof dir);

    /* libxlsxwriter copies the options; its temporary files go next to
     * the export, not to a /tmp that may be small or shared. */
    lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = dir};
    rx_ctx c = {.path = path, .defs = surveys, .n_defs = n_surveys};
    c.wb = workbook_new_opt(part, &opts);
    if (!c.wb)
        return BK_ERR_NOMEM;
    c.header_fmt = workbook_add_format(c.wb);
    if (!c.header_fmt) {
        lxw_workbook_free(c.wb);
        return BK_ERR_NOMEM;
    }
    format_set_bold(c.header_fmt);
    format_set_text_wrap(c.header_fmt);
    format_set_align(c.header_fmt, LXW_ALIGN_VERTICAL_TOP);

    bk_err err = src->foreach (src->src, since_wall_ms > 0 ? since_wall_ms : 0, rx_row, &c);
    if (c.err != BK_OK)
        err = c.err; /* the source stopped because rx_row asked it to */
    if (err == BK_OK && c.n_sheets == 0)
        rx_add_worksheet(&c, RX_EMPTY_SHEET, &err);
    if (err != BK_OK) {
        lxw_workbook_free(c.wb);
        rx_ctx_free(&c);
        remove(part);
        return err;
    }

    /* workbook_close writes the file and frees the workbook, also on
     * error. */
    err = rx_check(&c, workbook_close(c.wb));
    int64_t n = c.n;
    rx_ctx_free(&c);
    export_result res = {.n_responses = n};
    if (err == BK_OK && rx_finish_part(part, &res) != BK_OK) {
        log_error(RX_MODULE, "writing %s failed: %s", part, strerror(errno));
        err = BK_ERR_IO;
    }
    if (err == BK_OK && rename(part, path) != 0) {
        log_error(RX_MODULE, "cannot rename %s to %s: %s", part, path, strerror(errno));
        err = BK_ERR_IO;
    }
    if (err != BK_OK) {
        remove(part);
        return err;
    }
    err = path_sync_dir_of(path);
    if (err == BK_OK && out)
        *out = res;
    return err;
}
