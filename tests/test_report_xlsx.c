/* test_report_xlsx.c: the collector's Excel export (collector/report/
 * report_xlsx.h) read back the way Excel reads it: the workbook is opened
 * with Python's zipfile (every XML part must parse), then its sheets and
 * shared strings are checked cell by cell: numbers as number cells, choices
 * as their Dutch labels, the Dutch question texts as headers, hostile free
 * text (formulas, a phone number with '+', HTML) as shared strings and
 * never a formula, moderated (hidden) answers nowhere, one worksheet per
 * survey with unique valid names, a survey without a definition with its
 * stored values; and the errors: a value that is not JSON, a folder that
 * does not exist, a failing source, none of which leaves a ".part" file or
 * touches an existing export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "report_xlsx.h"
#include "response.h"
#include "survey.h"

#define HOSTILE_LINK "=HYPERLINK(\"http://x\",\"klik\")"
#define HOSTILE_SUM "@SUM(A1)"
#define HOSTILE_PHONE "+31 6 1234"
#define HOSTILE_HTML "<script>alert(1)</script>"
#define HIDDEN_TEXT "GEHEIM-verborgen-antwoord"
#define HIDDEN_QUESTION "geheim_vraag"
#define MAX_ROWS 16

/* English first, so the Dutch texts must be picked by language, not by
 * position. */
static const char survey_json[] =
    "{\"id\": \"buurt\", \"version\": 3, \"languages\": [\"en\", \"nl\"],"
    " \"title\": {\"en\": \"Neighbourhood\", \"nl\": \"Buurt\"},"
    " \"questions\": ["
    "  {\"id\": \"intro\", \"type\": \"info\","
    "   \"text\": {\"en\": \"Welcome\", \"nl\": \"Welkom bij de peiling\"}},"
    "  {\"id\": \"area\", \"type\": \"area\","
    "   \"text\": {\"en\": \"Where do you live?\", \"nl\": \"In welke wijk woont u?\"}},"
    "  {\"id\": \"tevreden\", \"type\": \"scale\","
    "   \"text\": {\"en\": \"How happy are you?\", \"nl\": \"Hoe tevreden bent u over uw buurt?\"},"
    "   \"labels\": {\"en\": [\"1\", \"2\", \"3\", \"4\", \"5\"],"
    "              \"nl\": [\"een\", \"twee\", \"drie\", \"vier\", \"vijf\"]}},"
    "  {\"id\": \"vervoer\", \"type\": \"choice\","
    "   \"text\": {\"en\": \"How did you get here?\", \"nl\": \"Hoe bent u hier gekomen?\"},"
    "   \"options\": [{\"id\": \"bus\", \"label\": {\"en\": \"By bus\", \"nl\": \"Met de bus\"}},"
    "                {\"id\": \"fiets\", \"label\": {\"en\": \"By bike\", \"nl\": \"Op de "
    "fiets\"}}]},"
    "  {\"id\": \"plekken\", \"type\": \"multi\","
    "   \"text\": {\"en\": \"Which places?\", \"nl\": \"Welke plekken bezoekt u?\"},"
    "   \"options\": [{\"id\": \"park\", \"label\": {\"en\": \"The park\", \"nl\": \"Het park\"}},"
    "                {\"id\": \"speeltuin\","
    "                 \"label\": {\"en\": \"The playground\", \"nl\": \"De speeltuin\"}},"
    "                {\"id\": \"bieb\", \"label\": {\"en\": \"Library\", \"nl\": \"De bieb\"}}]},"
    "  {\"id\": \"leeftijd\", \"type\": \"number\", \"min\": 0, \"max\": 120,"
    "   \"text\": {\"en\": \"Your age?\", \"nl\": \"Wat is uw leeftijd?\"}},"
    "  {\"id\": \"idee\", \"type\": \"text\","
    "   \"text\": {\"en\": \"Your idea?\", \"nl\": \"Wat is uw idee voor de buurt?\"}}"
    " ]}";

/* Prints the named part of the workbook (argv[2]), or every part with a
 * "==== NAME" line before it; fails unless the zip and every XML part in
 * it are well-formed. */
static const char check_py[] =
    "import sys, zipfile\n"
    "import xml.etree.ElementTree as ET\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "bad = z.testzip()\n"
    "if bad is not None:\n"
    "    sys.exit('damaged zip member ' + bad)\n"
    "for name in z.namelist():\n"
    "    if name.endswith('.xml') or name.endswith('.rels'):\n"
    "        ET.fromstring(z.read(name))\n"
    "out = sys.stdout.buffer\n"
    "if len(sys.argv) > 2:\n"
    "    out.write(z.read(sys.argv[2]))\n"
    "else:\n"
    "    for name in z.namelist():\n"
    "        out.write(b'==== ' + name.encode() + b'\\n' + z.read(name) + b'\\n')\n";

typedef struct fixture {
    char dir[64];
    char script[PATH_MAX];
    char xlsx[PATH_MAX];
    survey *s;
    response_row rows[MAX_ROWS];
    size_t n_rows;
    int64_t since_seen;
    int calls;
    bk_err fail; /* what the source returns instead of rows */
} fixture;

/* ---- The source ---- */

static bk_err tr_foreach(void *src, int64_t since_wall_ms, export_row_fn fn, void *ctx)
{
    fixture *fx = src;
    fx->calls++;
    fx->since_seen = since_wall_ms;
    if (fx->fail != BK_OK)
        return fx->fail;
    for (size_t i = 0; i < fx->n_rows; i++)
        if (fn(&fx->rows[i], ctx) != 0)
            break;
    return BK_OK;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static response_row *tr_add(fixture *fx, const char *survey_id, int64_t seq, const char *kiosk)
{
    assert_true(fx->n_rows < MAX_ROWS);
    response_row *r = &fx->rows[fx->n_rows++];
    memset(r, 0, sizeof *r);
    char id[64];
    snprintf(id, sizeof id, "0195f3a0-0000-7000-8000-%012lld", (long long)seq);
    r->rowid = seq;
    r->seq = seq;
    r->response_id = xstrdup(id);
    r->survey_id = xstrdup(survey_id);
    r->survey_version = 3;
    r->mode = xstrdup("survey");
    r->status = xstrdup("complete");
    r->language = xstrdup("nl");
    r->area = xstrdup("west");
    r->started_at = xstrdup("2026-03-10T09:30:00+01:00");
    r->completed_at = xstrdup("2026-03-10T09:32:10+01:00");
    r->kiosk_id = xstrdup(kiosk);
    return r;
}

static void tr_answer(response_row *r, const char *question_id, const char *value_json, bool hidden)
{
    response_answer *grown = realloc(r->answers, (r->n_answers + 1) * sizeof *grown);
    assert_non_null(grown);
    r->answers = grown;
    grown[r->n_answers].question_id = xstrdup(question_id);
    grown[r->n_answers].value_json = xstrdup(value_json);
    grown[r->n_answers].hidden = hidden;
    r->n_answers++;
}

/* A free-text answer: text as a JSON string. */
static void tr_text(response_row *r, const char *question_id, const char *text, bool hidden)
{
    json_t *v = json_string(text);
    char *json = json_dumps(v, JSON_ENCODE_ANY);
    assert_non_null(json);
    tr_answer(r, question_id, json, hidden);
    free(json);
    json_decref(v);
}

static void tr_flag(response_row *r, const char *flag)
{
    char **grown = realloc(r->flags, (r->n_flags + 1) * sizeof *grown);
    assert_non_null(grown);
    r->flags = grown;
    grown[r->n_flags++] = xstrdup(flag);
}

static export_source tr_source(fixture *fx)
{
    return (export_source){.foreach = tr_foreach, .src = fx, .with_kiosk = true};
}

/* ---- Reading the workbook back ---- */

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool part_exists(const char *path)
{
    char part[PATH_MAX + 8];
    snprintf(part, sizeof part, "%s.part", path);
    return file_exists(part);
}

/* What check_py prints for member of the workbook at path (NULL: every
 * part), a new string; fails the test when Python cannot read it. */
static char *xlsx_read(const fixture *fx, const char *path, const char *member)
{
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' %s%s%s", fx->script, path,
             member ? "'" : "", member ? member : "", member ? "'" : "");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    int rc = pclose(p);
    if (rc != 0)
        fprintf(stderr, "python3 could not read %s %s (status %d)\n", path, member ? member : "",
                rc);
    assert_int_equal(rc, 0);
    return buf;
}

/* Replaces the XML entities of s (in place). */
static void xml_unescape(char *s)
{
    static const struct {
        const char *entity;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    char *w = s;
    for (const char *r = s; *r;) {
        bool done = false;
        for (size_t i = 0; i < sizeof ents / sizeof ents[0] && !done; i++) {
            size_t n = strlen(ents[i].entity);
            if (strncmp(r, ents[i].entity, n) == 0) {
                *w++ = ents[i].c;
                r += n;
                done = true;
            }
        }
        if (!done)
            *w++ = *r++;
    }
    *w = '\0';
}

/* The shared strings of xl/sharedStrings.xml, in order. */
typedef struct sst_list {
    char **s;
    size_t n;
} sst_list;

static sst_list sst_parse(const char *xml)
{
    sst_list l = {0};
    for (const char *p = strstr(xml, "<si>"); p; p = strstr(p, "<si>")) {
        const char *t = strstr(p, "<t");
        assert_non_null(t);
        const char *start = strchr(t, '>');
        assert_non_null(start);
        start++;
        const char *end = strstr(start, "</t>");
        assert_non_null(end);
        l.s = realloc(l.s, (l.n + 1) * sizeof *l.s);
        assert_non_null(l.s);
        l.s[l.n] = strndup(start, (size_t)(end - start));
        assert_non_null(l.s[l.n]);
        xml_unescape(l.s[l.n]);
        l.n++;
        p = end;
    }
    return l;
}

static void sst_free(sst_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
}

static bool sst_has(const sst_list *l, const char *text)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->s[i], text) == 0)
            return true;
    return false;
}

/* The XML of cell ref ("K2") in a sheet, a new string, or NULL when the
 * sheet has no such cell. */
static char *xml_cell(const char *sheet, const char *ref)
{
    char want[32];
    snprintf(want, sizeof want, "<c r=\"%s\"", ref);
    size_t wl = strlen(want);
    for (const char *p = strstr(sheet, want); p; p = strstr(p + 1, want)) {
        if (p[wl] != ' ' && p[wl] != '>' && p[wl] != '/')
            continue;
        const char *gt = strchr(p, '>');
        assert_non_null(gt);
        const char *end = gt[-1] == '/' ? gt + 1 : strstr(p, "</c>");
        assert_non_null(end);
        if (end != gt + 1)
            end += 4;
        return strndup(p, (size_t)(end - p));
    }
    return NULL;
}

/* The cell's start tag only, e.g. <c r="A1" s="1" t="s">. */
static char *cell_tag(const char *cell)
{
    const char *gt = strchr(cell, '>');
    assert_non_null(gt);
    return strndup(cell, (size_t)(gt - cell) + 1);
}

/* Cell ref holds the number value, as a number cell (no t attribute:
 * not a shared string, inline string, boolean or formula result). */
static void assert_number_cell(const char *sheet, const char *ref, const char *value)
{
    char *cell = xml_cell(sheet, ref);
    if (!cell)
        fprintf(stderr, "no cell %s\n", ref);
    assert_non_null(cell);
    char *tag = cell_tag(cell);
    char want[64];
    snprintf(want, sizeof want, "><v>%s</v></c>", value);
    if (strstr(tag, " t=\"") || !strstr(cell, want))
        fprintf(stderr, "cell %s is %s, not the number %s\n", ref, cell, value);
    assert_null(strstr(tag, " t=\""));
    assert_non_null(strstr(cell, want));
    assert_null(strstr(cell, "<f"));
    free(tag);
    free(cell);
}

/* Cell ref holds text, as a shared string (t="s"), and no formula. */
static void assert_string_cell(const char *sheet, const sst_list *sst, const char *ref,
                               const char *text)
{
    char *cell = xml_cell(sheet, ref);
    if (!cell)
        fprintf(stderr, "no cell %s (want \"%s\")\n", ref, text);
    assert_non_null(cell);
    char *tag = cell_tag(cell);
    if (!strstr(tag, " t=\"s\""))
        fprintf(stderr, "cell %s is %s, not a shared string\n", ref, cell);
    assert_non_null(strstr(tag, " t=\"s\""));
    assert_null(strstr(cell, "<f"));
    const char *v = strstr(cell, "<v>");
    assert_non_null(v);
    char *endp;
    unsigned long index = strtoul(v + 3, &endp, 10);
    assert_true(endp > v + 3 && strncmp(endp, "</v>", 4) == 0);
    assert_true(index < sst->n);
    if (strcmp(sst->s[index], text) != 0)
        fprintf(stderr, "cell %s holds \"%s\", not \"%s\"\n", ref, sst->s[index], text);
    assert_string_equal(sst->s[index], text);
    free(tag);
    free(cell);
}

static void assert_no_cell(const char *sheet, const char *ref)
{
    char *cell = xml_cell(sheet, ref);
    if (cell)
        fprintf(stderr, "cell %s should be empty: %s\n", ref, cell);
    assert_null(cell);
}

/* ---- Fixture ---- */

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/bk-test-xlsx-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->script, sizeof fx->script, "%s/check.py", fx->dir);
    FILE *f = fopen(fx->script, "w");
    assert_non_null(f);
    assert_int_equal(fputs(check_py, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    snprintf(fx->xlsx, sizeof fx->xlsx, "%s/antwoorden.xlsx", fx->dir);
    bk_diag diag = {0};
    fx->s = survey_load_string(survey_json, strlen(survey_json), "buurt.json", &diag);
    if (!fx->s)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_non_null(fx->s);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < fx->n_rows; i++)
        response_row_clear(&fx->rows[i]);
    survey_free(fx->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* The responses of the main test: six of "buurt" (sheet 1) with one of a
 * survey without a definition (sheet 2) between them, as a collector's
 * source that orders by kiosk would give them. */
static void add_rows(fixture *fx)
{
    response_row *r = tr_add(fx, "buurt", 1, "kiosk-bieb");
    tr_flag(r, "rapid");
    tr_flag(r, "repeat");
    tr_answer(r, "area", "\"west\"", false);
    tr_answer(r, "tevreden", "4", false);
    tr_answer(r, "vervoer", "\"bus\"", false);
    tr_answer(r, "plekken", "[\"park\",\"speeltuin\"]", false);
    tr_answer(r, "leeftijd", "42", false);
    tr_text(r, "idee", HOSTILE_LINK, false);

    r = tr_add(fx, "oud_onderzoek", 7, "kiosk-bieb");
    tr_answer(r, "q1", "7", false);
    tr_answer(r, "q2", "\"ja\"", false);
    tr_answer(r, "q3", "[\"a\",\"b\"]", false);

    r = tr_add(fx, "buurt", 2, "kiosk-bieb");
    tr_answer(r, "tevreden", "5", false);
    tr_answer(r, "vervoer", "\"fiets\"", false);
    tr_text(r, "idee", HOSTILE_SUM, false);

    r = tr_add(fx, "buurt", 3, "kiosk-wijkhuis");
    tr_text(r, "idee", HOSTILE_PHONE, false);

    r = tr_add(fx, "buurt", 4, "kiosk-wijkhuis");
    tr_text(r, "idee", HOSTILE_HTML, false);

    /* Moderated: the hidden answers appear nowhere, not even as a column. */
    r = tr_add(fx, "buurt", 5, "kiosk-wijkhuis");
    tr_answer(r, "tevreden", "3", false);
    tr_text(r, "idee", HIDDEN_TEXT, true);
    tr_text(r, HIDDEN_QUESTION, HIDDEN_TEXT, true);

    /* An answer to a question the definition no longer has. */
    r = tr_add(fx, "buurt", 6, "kiosk-wijkhuis");
    tr_answer(r, "oud", "\"weg\"", false);
}

/* ---- Tests ---- */

static void test_workbook(void **state)
{
    fixture *fx = *state;
    add_rows(fx);
    export_source src = tr_source(fx);
    const survey *defs[] = {fx->s};
    export_result res;
    assert_int_equal(report_xlsx_write_file(&src, defs, 1, 0, fx->xlsx, &res), BK_OK);
    assert_int_equal(fx->calls, 1); /* one pass */
    assert_int_equal(fx->since_seen, 0);
    assert_int_equal(res.n_responses, 7);
    assert_false(part_exists(fx->xlsx));
    struct stat st;
    assert_int_equal(stat(fx->xlsx, &st), 0);
    assert_int_equal(res.bytes, (uint64_t)st.st_size);
    char hex[EXPORT_SHA256_HEX];
    assert_int_equal(export_sha256_file(fx->xlsx, hex), BK_OK);
    assert_string_equal(res.sha256, hex);

    char *all = xlsx_read(fx, fx->xlsx, NULL);
    char *book = xlsx_read(fx, fx->xlsx, "xl/workbook.xml");
    char *sheet1 = xlsx_read(fx, fx->xlsx, "xl/worksheets/sheet1.xml");
    char *sheet2 = xlsx_read(fx, fx->xlsx, "xl/worksheets/sheet2.xml");
    char *sst_xml = xlsx_read(fx, fx->xlsx, "xl/sharedStrings.xml");
    char *styles = xlsx_read(fx, fx->xlsx, "xl/styles.xml");
    sst_list sst = sst_parse(sst_xml);

    /* No formula anywhere, nothing of the hidden answers, HTML escaped. */
    assert_null(strstr(all, "<f>"));
    assert_null(strstr(all, "<f "));
    assert_null(strstr(all, "t=\"str\""));
    assert_null(strstr(all, "GEHEIM"));
    assert_null(strstr(all, HIDDEN_QUESTION));
    assert_null(strstr(all, "<script>"));

    /* One worksheet per survey, named by its id, in the order first seen. */
    assert_non_null(strstr(book, "<sheet name=\"buurt\" sheetId=\"1\""));
    assert_non_null(strstr(book, "<sheet name=\"oud_onderzoek\" sheetId=\"2\""));
    assert_null(strstr(all, "xl/worksheets/sheet3.xml"));

    /* The header: bold (a style with <b/>), frozen, with column widths. */
    assert_string_cell(sheet1, &sst, "A1", "Antwoord-id");
    assert_string_cell(sheet1, &sst, "B1", "Kiosk");
    assert_string_cell(sheet1, &sst, "C1", "Volgnummer");
    assert_string_cell(sheet1, &sst, "D1", "Versie");
    assert_string_cell(sheet1, &sst, "E1", "Taal");
    assert_string_cell(sheet1, &sst, "F1", "Wijk");
    assert_string_cell(sheet1, &sst, "G1", "Status");
    assert_string_cell(sheet1, &sst, "H1", "Begonnen");
    assert_string_cell(sheet1, &sst, "I1", "Voltooid");
    assert_string_cell(sheet1, &sst, "J1", "Vlaggen");
    /* The questions in definition order, in Dutch; info and area have no
     * column. */
    assert_string_cell(sheet1, &sst, "K1", "Hoe tevreden bent u over uw buurt?");
    assert_string_cell(sheet1, &sst, "L1", "Hoe bent u hier gekomen?");
    assert_string_cell(sheet1, &sst, "M1", "Welke plekken bezoekt u?");
    assert_string_cell(sheet1, &sst, "N1", "Wat is uw leeftijd?");
    assert_string_cell(sheet1, &sst, "O1", "Wat is uw idee voor de buurt?");
    assert_string_cell(sheet1, &sst, "P1", "oud");
    assert_no_cell(sheet1, "Q1");
    assert_false(sst_has(&sst, "Welkom bij de peiling"));
    assert_false(sst_has(&sst, "In welke wijk woont u?"));
    assert_false(sst_has(&sst, "How happy are you?"));
    char *a1 = xml_cell(sheet1, "A1");
    assert_non_null(a1);
    assert_non_null(strstr(a1, " s=\"")); /* a style of its own */
    free(a1);
    assert_non_null(strstr(styles, "<b/>"));
    assert_non_null(strstr(sheet1, "ySplit=\"1\""));
    assert_non_null(strstr(sheet1, "state=\"frozen\""));
    assert_non_null(strstr(sheet1, "<cols>"));

    /* Seq 1: the fixed columns, numbers as numbers, labels in Dutch. */
    assert_string_cell(sheet1, &sst, "A2", "0195f3a0-0000-7000-8000-000000000001");
    assert_string_cell(sheet1, &sst, "B2", "kiosk-bieb");
    assert_number_cell(sheet1, "C2", "1");
    assert_number_cell(sheet1, "D2", "3");
    assert_string_cell(sheet1, &sst, "E2", "nl");
    assert_string_cell(sheet1, &sst, "F2", "west");
    assert_string_cell(sheet1, &sst, "G2", "complete");
    assert_string_cell(sheet1, &sst, "H2", "2026-03-10T09:30:00+01:00");
    assert_string_cell(sheet1, &sst, "I2", "2026-03-10T09:32:10+01:00");
    assert_string_cell(sheet1, &sst, "J2", "rapid, repeat");
    assert_number_cell(sheet1, "K2", "4");
    assert_string_cell(sheet1, &sst, "L2", "Met de bus");
    assert_string_cell(sheet1, &sst, "M2", "Het park, De speeltuin");
    assert_number_cell(sheet1, "N2", "42");
    assert_string_cell(sheet1, &sst, "O2", HOSTILE_LINK);
    assert_no_cell(sheet1, "P2");

    /* The hostile texts stay text. */
    assert_number_cell(sheet1, "K3", "5");
    assert_string_cell(sheet1, &sst, "L3", "Op de fiets");
    assert_string_cell(sheet1, &sst, "O3", HOSTILE_SUM);
    assert_number_cell(sheet1, "C4", "3");
    assert_string_cell(sheet1, &sst, "B4", "kiosk-wijkhuis");
    assert_string_cell(sheet1, &sst, "O4", HOSTILE_PHONE);
    assert_string_cell(sheet1, &sst, "O5", HOSTILE_HTML);
    assert_non_null(strstr(sst_xml, "&lt;script&gt;"));

    /* Seq 5: the visible answer, not the hidden one. */
    assert_number_cell(sheet1, "K6", "3");
    assert_no_cell(sheet1, "O6");
    assert_false(sst_has(&sst, HIDDEN_TEXT));

    /* Seq 6: the answer without a question, as stored. */
    assert_string_cell(sheet1, &sst, "P7", "\"weg\"");
    assert_no_cell(sheet1, "A8");

    /* The survey without a definition: a column per question id with the
     * stored value (numbers still numbers). */
    assert_string_cell(sheet2, &sst, "A1", "Antwoord-id");
    assert_string_cell(sheet2, &sst, "K1", "q1");
    assert_string_cell(sheet2, &sst, "L1", "q2");
    assert_string_cell(sheet2, &sst, "M1", "q3");
    assert_number_cell(sheet2, "C2", "7");
    assert_number_cell(sheet2, "K2", "7");
    assert_string_cell(sheet2, &sst, "L2", "\"ja\"");
    assert_string_cell(sheet2, &sst, "M2", "[\"a\",\"b\"]");
    assert_no_cell(sheet2, "A3");

    sst_free(&sst);
    free(styles);
    free(sst_xml);
    free(sheet2);
    free(sheet1);
    free(book);
    free(all);
}

/* The checks above would notice a writer that wrote numbers as text: the
 * same cell written as a string is refused by assert_number_cell's test. */
static void test_checker_sees_text_numbers(void **state)
{
    (void)state;
    const char *as_text = "<row r=\"2\"><c r=\"K2\" t=\"s\"><v>4</v></c></row>";
    const char *as_inline = "<row r=\"2\"><c r=\"K2\" t=\"inlineStr\"><is><t>4</t></is></c></row>";
    const char *as_number = "<row r=\"2\"><c r=\"K2\"><v>4</v></c><c r=\"K20\"><v>5</v></c></row>";
    char *cell = xml_cell(as_text, "K2");
    char *tag = cell_tag(cell);
    assert_non_null(strstr(tag, " t=\""));
    free(tag);
    free(cell);
    cell = xml_cell(as_inline, "K2");
    tag = cell_tag(cell);
    assert_non_null(strstr(tag, " t=\""));
    free(tag);
    free(cell);
    assert_number_cell(as_number, "K2", "4");
    assert_number_cell(as_number, "K20", "5");
}

/* Ids longer than a sheet name may be, sharing their first 31 characters,
 * and Excel's reserved "history" still get valid, unique names. */
static void test_sheet_names(void **state)
{
    fixture *fx = *state;
    const char *long1 = "een_heel_lange_naam_voor_een_onderzoek_2025";
    const char *long2 = "een_heel_lange_naam_voor_een_onderzoek_2026";
    tr_answer(tr_add(fx, long1, 1, "k1"), "q1", "1", false);
    tr_answer(tr_add(fx, long2, 2, "k1"), "q1", "2", false);
    tr_answer(tr_add(fx, "history", 3, "k1"), "q1", "3", false);
    export_source src = tr_source(fx);
    export_result res;
    assert_int_equal(report_xlsx_write_file(&src, NULL, 0, -5, fx->xlsx, &res), BK_OK);
    assert_int_equal(fx->since_seen, 0);
    assert_int_equal(res.n_responses, 3);
    char *book = xlsx_read(fx, fx->xlsx, "xl/workbook.xml");
    assert_non_null(strstr(book, "<sheet name=\"een_heel_lange_naam_voor_een_on\""));
    assert_non_null(strstr(book, "<sheet name=\"een_heel_lange_naam_voor_een_~2\""));
    assert_non_null(strstr(book, "<sheet name=\"history~2\""));
    free(book);
    char *sheet3 = xlsx_read(fx, fx->xlsx, "xl/worksheets/sheet3.xml");
    assert_number_cell(sheet3, "K2", "3");
    free(sheet3);
}

/* No responses: a workbook with the header row only. */
static void test_empty(void **state)
{
    fixture *fx = *state;
    export_source src = tr_source(fx);
    const survey *defs[] = {fx->s};
    export_result res;
    assert_int_equal(report_xlsx_write_file(&src, defs, 1, 1234, fx->xlsx, &res), BK_OK);
    assert_int_equal(fx->since_seen, 1234);
    assert_int_equal(res.n_responses, 0);
    assert_true(res.bytes > 0);
    char *book = xlsx_read(fx, fx->xlsx, "xl/workbook.xml");
    assert_non_null(strstr(book, "<sheet name=\"Antwoorden\""));
    free(book);
    char *sheet1 = xlsx_read(fx, fx->xlsx, "xl/worksheets/sheet1.xml");
    char *sst_xml = xlsx_read(fx, fx->xlsx, "xl/sharedStrings.xml");
    sst_list sst = sst_parse(sst_xml);
    assert_string_cell(sheet1, &sst, "A1", "Antwoord-id");
    assert_no_cell(sheet1, "A2");
    sst_free(&sst);
    free(sst_xml);
    free(sheet1);
}

/* Writes an old export at fx->xlsx, to see that a failed one leaves it. */
static void write_old_export(const fixture *fx)
{
    FILE *f = fopen(fx->xlsx, "w");
    assert_non_null(f);
    assert_true(fputs("oud", f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void assert_old_export(const fixture *fx)
{
    char buf[16] = "";
    FILE *f = fopen(fx->xlsx, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "oud");
    assert_false(part_exists(fx->xlsx));
}

/* A stored value that is not JSON: BK_ERR_CORRUPT, nothing written. */
static void test_corrupt_value(void **state)
{
    fixture *fx = *state;
    tr_answer(tr_add(fx, "buurt", 1, "k1"), "tevreden", "4", false);
    tr_answer(tr_add(fx, "buurt", 2, "k1"), "idee", "\"half", false);
    write_old_export(fx);
    export_source src = tr_source(fx);
    const survey *defs[] = {fx->s};
    export_result res;
    assert_int_equal(report_xlsx_write_file(&src, defs, 1, 0, fx->xlsx, &res), BK_ERR_CORRUPT);
    assert_int_equal(res.n_responses, 0);
    assert_old_export(fx);
}

/* The source's own error comes back, nothing written. */
static void test_source_error(void **state)
{
    fixture *fx = *state;
    fx->fail = BK_ERR_BUSY;
    write_old_export(fx);
    export_source src = tr_source(fx);
    export_result res;
    assert_int_equal(report_xlsx_write_file(&src, NULL, 0, 0, fx->xlsx, &res), BK_ERR_BUSY);
    assert_old_export(fx);
}

/* A folder that does not exist: BK_ERR_IO, and no ".part" anywhere. */
static void test_unwritable(void **state)
{
    fixture *fx = *state;
    tr_answer(tr_add(fx, "buurt", 1, "k1"), "tevreden", "4", false);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/bestaat-niet/antwoorden.xlsx", fx->dir);
    export_source src = tr_source(fx);
    const survey *defs[] = {fx->s};
    export_result res;
    assert_int_equal(report_xlsx_write_file(&src, defs, 1, 0, path, &res), BK_ERR_IO);
    assert_false(file_exists(path));
    assert_false(part_exists(path));
    assert_int_equal(report_xlsx_write_file(NULL, defs, 1, 0, path, &res), BK_ERR_INVALID);
    assert_int_equal(report_xlsx_write_file(&src, defs, 1, 0, NULL, &res), BK_ERR_INVALID);
    assert_int_equal(report_xlsx_write_file(&src, NULL, 1, 0, path, &res), BK_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_workbook, setup, teardown),
        cmocka_unit_test(test_checker_sees_text_numbers),
        cmocka_unit_test_setup_teardown(test_sheet_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
