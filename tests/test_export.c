/* test_export.c: the CSV and JSON Lines exports checked against the
 * database they came from: BOM, ';' and CRLF, RFC 4180 quoting of free
 * text with ';', quotes, a newline and accented letters, the formula guard,
 * one column per question (shared question ids per survey, unknown ones at
 * the end), multi answers joined with '|', --since, checksums that
 * sha256sum accepts, nothing marked as delivered, the USB mount search,
 * and `buurtkiosk export`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_export.h"
#include "store.h"
#include "survey.h"
#include "test_staff_util.h"

#define TRICKY "Café; \"zeg\" ja\nnieuwe regel ëï — € ✓"
#define FORMULA "=SOM(A1:A9)"

typedef struct fixture {
    char dir[64];
    char db[PATH_MAX];
    bk_virtual_clock vc;
    bk_clock clock;
    store *st;
    survey *surveys[3];
    size_t n_surveys;
    int64_t day_start; /* local midnight of the fixture's "today" */
} fixture;

static int64_t local_ms(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

/* Adds one finished response: answers as pairs of question id and JSON
 * value, ended by NULL. */
static void add_response(fixture *fx, const char *survey_id, int version, const char *lang,
                         const char *area, store_status status, const char *flags, ...)
{
    store_response_meta meta = {survey_id, version, "survey", lang, area};
    store_response_ref ref;
    assert_int_equal(store_response_begin(fx->st, &meta, &ref), BK_OK);
    va_list ap;
    va_start(ap, flags);
    for (const char *q = va_arg(ap, const char *); q; q = va_arg(ap, const char *)) {
        const char *json = va_arg(ap, const char *);
        json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        answer_value av = {0};
        const char *list[8];
        if (json_is_integer(v)) {
            av.kind = ANSWER_INT;
            av.integer = json_integer_value(v);
        } else if (json_is_string(v)) {
            av.kind = ANSWER_TEXT;
            av.text = json_string_value(v);
        } else {
            av.kind = ANSWER_LIST;
            for (size_t i = 0; i < json_array_size(v) && i < 8; i++)
                list[i] = json_string_value(json_array_get(v, i));
            av.list = list;
            av.n_list = json_array_size(v);
        }
        clock_virtual_advance(&fx->vc, 2000);
        assert_int_equal(store_answer_set(fx->st, ref.rowid, q, &av), BK_OK);
        json_decref(v);
    }
    va_end(ap);
    const char *fl[4];
    size_t nf = 0;
    char copy[64];
    snprintf(copy, sizeof copy, "%s", flags);
    for (char *save, *t = strtok_r(copy, ",", &save); t && nf < 4; t = strtok_r(NULL, ",", &save))
        fl[nf++] = t;
    assert_int_equal(store_response_finish(fx->st, ref.rowid, status, fl, nf), BK_OK);
    clock_virtual_advance(&fx->vc, 60000);
}

static survey *load_survey(const char *path)
{
    bk_diag diag = {0};
    survey *s = survey_load_file(path, &diag);
    if (!s)
        diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_non_null(s);
    return s;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/bk-test-export-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/kiosk.db", fx->dir);
    fx->day_start = local_ms(2026, 3, 10, 0, 0);
    fx->vc.mono_ms = 1000000;
    fx->vc.wall_ms = local_ms(2026, 3, 7, 10, 0); /* three days earlier */
    fx->clock = clock_virtual(&fx->vc);
    assert_int_equal(store_open(fx->db, &fx->clock, &fx->st, NULL), BK_OK);
    fx->surveys[fx->n_surveys++] = load_survey(BK_SOURCE_DIR "/config/surveys/buurtpeiling.json");
    fx->surveys[fx->n_surveys++] = load_survey(BK_TEST_DATA "/staff/surveys/extra.json");

    /* seq 1, on an earlier day. */
    add_response(fx, "buurtpeiling", 1, "nl", "west", STORE_STATUS_COMPLETE, "", "q1", "2", NULL);
    fx->vc.wall_ms = local_ms(2026, 3, 10, 9, 30);
    /* seq 2: the tricky free text, a multi, a choice. */
    json_t *tricky = json_string(TRICKY);
    char *tricky_json = json_dumps(tricky, JSON_ENCODE_ANY);
    add_response(fx, "buurtpeiling", 1, "nl", "dorst", STORE_STATUS_COMPLETE, "", "q1", "4", "q6",
                 "[\"feest\",\"groen\"]", "q7", "\"ja\"", "q8", tricky_json, NULL);
    free(tricky_json);
    json_decref(tricky);
    /* seq 3: a formula, flags, partial, no area. */
    json_t *formula = json_string(FORMULA);
    char *formula_json = json_dumps(formula, JSON_ENCODE_ANY);
    add_response(fx, "buurtpeiling", 1, "en", NULL, STORE_STATUS_PARTIAL, "rapid,repeat", "q8",
                 formula_json, NULL);
    free(formula_json);
    json_decref(formula);
    /* seq 4: another survey that also has a q8. */
    add_response(fx, "extra", 2, "nl", "centrum", STORE_STATUS_COMPLETE, "", "cijfer", "7", "q8",
                 "\"gewoon\"", NULL);
    /* seq 5: an answer to a question no definition has (any more). */
    add_response(fx, "buurtpeiling", 1, "nl", NULL, STORE_STATUS_COMPLETE, "", "q2", "5", "oud",
                 "\"weg\"", NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    store_close(fx->st);
    for (size_t i = 0; i < fx->n_surveys; i++)
        survey_free(fx->surveys[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
    free(fx);
    return 0;
}

/* What a CSV cell must hold for a stored JSON value. */
static void expected_cell(const char *value_json, char *out, size_t size)
{
    json_t *v = json_loads(value_json, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    out[0] = '\0';
    if (json_is_integer(v)) {
        snprintf(out, size, "%lld", (long long)json_integer_value(v));
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        snprintf(out, size, "%s%s", strchr("=+-@", s[0]) && s[0] ? "'" : "", s);
    } else {
        for (size_t i = 0; i < json_array_size(v); i++) {
            strncat(out, i ? "|" : "", size - strlen(out) - 1);
            strncat(out, json_string_value(json_array_get(v, i)), size - strlen(out) - 1);
        }
    }
    json_decref(v);
}

/* Every row and cell of the CSV against the database. */
static void check_csv_against_db(const su_csv *t, const su_rows *d)
{
    assert_int_equal(t->n_rows, d->n + 1);
    for (size_t k = 0; k < d->n; k++) {
        const store_response_row *r = &d->r[k];
        char *const *cell = t->cell[k + 1];
        assert_int_equal(t->n_fields[k + 1], t->n_fields[0]);
        char num[32];
        assert_string_equal(cell[su_csv_column(t, "response_id")], r->response_id);
        snprintf(num, sizeof num, "%lld", (long long)r->seq);
        assert_string_equal(cell[su_csv_column(t, "seq")], num);
        assert_string_equal(cell[su_csv_column(t, "survey_id")], r->survey_id);
        snprintf(num, sizeof num, "%d", r->survey_version);
        assert_string_equal(cell[su_csv_column(t, "survey_version")], num);
        assert_string_equal(cell[su_csv_column(t, "mode")], r->mode);
        assert_string_equal(cell[su_csv_column(t, "status")], r->status);
        assert_string_equal(cell[su_csv_column(t, "language")], r->language);
        assert_string_equal(cell[su_csv_column(t, "area")], r->area ? r->area : "");
        assert_string_equal(cell[su_csv_column(t, "started_at")], r->started_at);
        assert_string_equal(cell[su_csv_column(t, "completed_at")], r->completed_at);
        char flags[128] = "";
        for (size_t i = 0; i < r->n_flags; i++) {
            strcat(flags, i ? "|" : "");
            strcat(flags, r->flags[i]);
        }
        assert_string_equal(cell[su_csv_column(t, "flags")], flags);
        /* Every question column: the answer, or empty. */
        size_t filled = 0;
        for (size_t c = 11; c < t->n_fields[0]; c++) {
            const char *head = t->cell[0][c], *dot = strchr(head, '.');
            const char *qid = dot ? dot + 1 : head;
            if (dot && strncmp(head, r->survey_id, (size_t)(dot - head)) != 0) {
                assert_string_equal(cell[c], "");
                continue;
            }
            const char *value = NULL;
            for (size_t i = 0; i < r->n_answers; i++)
                if (strcmp(r->answers[i].question_id, qid) == 0)
                    value = r->answers[i].value_json;
            char want[512] = "";
            if (value) {
                expected_cell(value, want, sizeof want);
                filled++;
            }
            assert_string_equal(cell[c], want);
        }
        assert_int_equal(filled, r->n_answers);
    }
}

static const survey *const *surveys_of(fixture *fx)
{
    return (const survey *const *)fx->surveys;
}

static void test_csv_matches_database(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/out.csv", fx->dir);
    export_result res;
    assert_int_equal(export_write_file((export_source[]){store_export_source(fx->st)},
                                       surveys_of(fx), fx->n_surveys, EXPORT_CSV, 0, path, &res),
                     BK_OK);
    assert_int_equal(res.n_responses, 5);
    size_t len;
    char *data = su_slurp(path, &len);
    assert_int_equal(res.bytes, len);
    /* UTF-8 with BOM, for Excel. */
    assert_memory_equal(data, "\xEF\xBB\xBF", 3);
    const char *header = "response_id;seq;survey_id;survey_version;mode;status;language;area;"
                         "started_at;completed_at;flags;q1;q2;q3;q4;q5;q6;q7;buurtpeiling.q8;"
                         "extra.q8;cijfer;oud\r\n";
    assert_memory_equal(data + 3, header, strlen(header));
    /* The free text as RFC 4180 wants it: quoted, quotes doubled, the
       newline kept, the accents as UTF-8. */
    assert_non_null(strstr(data, ";\"Café; \"\"zeg\"\" ja\nnieuwe regel ëï — € ✓\";"));
    assert_non_null(strstr(data, ";'=SOM(A1:A9);"));
    assert_non_null(strstr(data, ";feest|groen;ja;"));
    assert_non_null(strstr(data, ";rapid|repeat;"));
    su_csv t;
    su_csv_parse(data + 3, len - 3, &t);
    su_rows d;
    su_rows_load(fx->st, 0, &d);
    check_csv_against_db(&t, &d);
    assert_string_equal(t.cell[2][su_csv_column(&t, "buurtpeiling.q8")], TRICKY);
    assert_string_equal(t.cell[3][su_csv_column(&t, "buurtpeiling.q8")], "'" FORMULA);
    assert_string_equal(t.cell[4][su_csv_column(&t, "extra.q8")], "gewoon");
    assert_string_equal(t.cell[4][su_csv_column(&t, "cijfer")], "7");
    assert_string_equal(t.cell[5][su_csv_column(&t, "oud")], "weg");
    su_rows_free(&d);
    su_csv_free(&t);
    free(data);
}

static void test_jsonl_matches_database(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/out.jsonl", fx->dir);
    export_result res;
    assert_int_equal(export_write_file((export_source[]){store_export_source(fx->st)}, NULL, 0,
                                       EXPORT_JSONL, 0, path, &res),
                     BK_OK);
    assert_int_equal(res.n_responses, 5);
    size_t len;
    char *data = su_slurp(path, &len);
    assert_int_equal(data[len - 1], '\n');
    su_rows d;
    su_rows_load(fx->st, 0, &d);
    char *save = NULL, *line = strtok_r(data, "\n", &save);
    for (size_t k = 0; k < d.n; k++) {
        assert_non_null(line);
        assert_string_equal(line, d.json[k]);
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "response_id")),
                            d.r[k].response_id);
        json_decref(o);
        line = strtok_r(NULL, "\n", &save);
    }
    assert_null(line);
    /* The exact text, newline and all, in the JSON. */
    json_t *o = json_loads(d.json[1], 0, NULL);
    json_t *answers = json_object_get(o, "answers");
    const char *q8 = NULL;
    for (size_t i = 0; i < json_array_size(answers); i++) {
        json_t *a = json_array_get(answers, i);
        if (strcmp(json_string_value(json_object_get(a, "question_id")), "q8") == 0)
            q8 = json_string_value(json_object_get(a, "value"));
    }
    assert_non_null(q8);
    assert_string_equal(q8, TRICKY);
    json_decref(o);
    su_rows_free(&d);
    free(data);
}

static void test_since_date(void **state)
{
    fixture *fx = *state;
    int64_t since;
    assert_int_equal(export_parse_date("2026-03-10", &since), BK_OK);
    assert_int_equal(since, fx->day_start);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/since.csv", fx->dir);
    export_result res;
    assert_int_equal(export_write_file((export_source[]){store_export_source(fx->st)},
                                       surveys_of(fx), fx->n_surveys, EXPORT_CSV, since, path,
                                       &res),
                     BK_OK);
    assert_int_equal(res.n_responses, 4); /* not the one of 7 March */
    size_t len;
    char *data = su_slurp(path, &len);
    su_csv t;
    su_csv_parse(data + 3, len - 3, &t);
    su_rows d;
    su_rows_load(fx->st, since, &d);
    assert_int_equal(d.n, 4);
    check_csv_against_db(&t, &d);
    assert_string_equal(t.cell[1][su_csv_column(&t, "seq")], "2");
    su_rows_free(&d);
    su_csv_free(&t);
    free(data);

    assert_int_equal(export_parse_date("2026-02-30", &since), BK_ERR_INVALID);
    assert_int_equal(export_parse_date("2026-3-10", &since), BK_ERR_INVALID);
    assert_int_equal(export_parse_date("10-03-2026", &since), BK_ERR_INVALID);
    assert_int_equal(export_parse_date("2026-03-10x", &since), BK_ERR_INVALID);
    assert_int_equal(export_parse_date("", &since), BK_ERR_INVALID);
    assert_int_equal(export_parse_date("2026-13-01", &since), BK_ERR_INVALID);
}

/* sha256sum's own opinion of path. */
static void sha256sum_of(const char *path, char hex[EXPORT_SHA256_HEX])
{
    char cmd[PATH_MAX + 32];
    int n = snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(hex, EXPORT_SHA256_HEX, p));
    assert_int_equal(pclose(p), 0);
}

static void test_bundle_with_checksums(void **state)
{
    fixture *fx = *state;
    store_counts before, after;
    assert_int_equal(store_count(fx->st, &before), BK_OK);
    char usb[PATH_MAX];
    snprintf(usb, sizeof usb, "%s/usb", fx->dir);
    assert_int_equal(mkdir(usb, 0755), 0);
    export_bundle b;
    int64_t when = local_ms(2026, 3, 10, 14, 5);
    assert_int_equal(
        export_bundle_write(fx->st, surveys_of(fx), fx->n_surveys, usb, "dorst-01", when, &b),
        BK_OK);
    assert_int_equal(b.n_responses, 5);
    assert_string_equal(b.csv_name, "buurtkiosk-dorst-01-20260310-140500.csv");
    assert_string_equal(b.jsonl_name, "buurtkiosk-dorst-01-20260310-140500.jsonl");
    assert_string_equal(b.sums_name, "buurtkiosk-dorst-01-20260310-140500.sha256");
    /* The checksum file is what sha256sum writes, and sha256sum -c agrees. */
    char path[PATH_MAX * 2], ours[EXPORT_SHA256_HEX], theirs[EXPORT_SHA256_HEX];
    snprintf(path, sizeof path, "%s/%s", usb, b.sums_name);
    size_t len;
    char *sums = su_slurp(path, &len);
    snprintf(path, sizeof path, "%s/%s", usb, b.csv_name);
    assert_int_equal(export_sha256_file(path, ours), BK_OK);
    sha256sum_of(path, theirs);
    assert_string_equal(ours, theirs);
    char want[1024];
    int n = snprintf(want, sizeof want, "%s  %s\n", ours, b.csv_name);
    snprintf(path, sizeof path, "%s/%s", usb, b.jsonl_name);
    sha256sum_of(path, theirs);
    snprintf(want + n, sizeof want - (size_t)n, "%s  %s\n", theirs, b.jsonl_name);
    assert_string_equal(sums, want);
    free(sums);
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd, "cd '%s' && sha256sum --quiet -c '%s'", usb, b.sums_name);
    assert_int_equal(system(cmd), 0);
    /* Nothing half-written is left, and nothing was marked as delivered. */
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c part", usb);
    FILE *p = popen(cmd, "r");
    char count[16] = "";
    assert_non_null(fgets(count, sizeof count, p));
    pclose(p);
    assert_string_equal(count, "0\n");
    assert_int_equal(store_count(fx->st, &after), BK_OK);
    assert_memory_equal(&before, &after, sizeof before);
    assert_int_equal(after.queued, 5); /* the partial one is sent too */
    store_batch batch;
    assert_int_equal(store_batch_next(fx->st, "dorst-01", 100, 1 << 20, &batch), BK_OK);
    assert_int_equal(batch.n_responses, after.queued);
    store_batch_free(&batch);
}

static void test_write_failure_is_reported(void **state)
{
    fixture *fx = *state;
    FILE *f = fopen("/dev/full", "wb");
    if (!f)
        skip();
    setvbuf(f, NULL, _IONBF, 0);
    export_result res;
    assert_int_equal(export_write((export_source[]){store_export_source(fx->st)}, NULL, 0,
                                  EXPORT_JSONL, 0, f, &res),
                     BK_ERR_IO);
    fclose(f);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/no/such/folder/x.csv", fx->dir);
    assert_int_equal(export_write_file((export_source[]){store_export_source(fx->st)}, NULL, 0,
                                       EXPORT_CSV, 0, path, &res),
                     BK_ERR_IO);
}

static void test_find_mount(void **state)
{
    fixture *fx = *state;
    char media[PATH_MAX], mounts[PATH_MAX];
    snprintf(media, sizeof media, "%s/media", fx->dir);
    snprintf(mounts, sizeof mounts, "%s/mounts", fx->dir);
    assert_int_equal(mkdir(media, 0755), 0);
    char stick1[PATH_MAX + 16], stick2[PATH_MAX + 16];
    snprintf(stick1, sizeof stick1, "%s/ro stick", media);
    snprintf(stick2, sizeof stick2, "%s/USB", media);
    assert_int_equal(mkdir(stick1, 0755), 0);
    assert_int_equal(mkdir(stick2, 0755), 0);
    FILE *f = fopen(mounts, "w");
    assert_non_null(f);
    fprintf(f, "/dev/sda1 / ext4 rw,relatime 0 0\n");
    fprintf(f, "/dev/sdx1 %s/gone vfat rw 0 0\n", media); /* listed, not there */
    fprintf(f, "/dev/sdb1 %s/ro\\040stick vfat ro,nosuid 0 0\n", media);
    fprintf(f, "/dev/sdc1 %s vfat rw 0 0\n", media); /* the folder itself */
    fprintf(f, "/dev/sdd1 %s/USB vfat rw,nosuid,nodev 0 0\n", media);
    fclose(f);
    const char *prefixes[] = {"/nonexistent", media};
    char out[PATH_MAX];
    assert_int_equal(export_find_mount(mounts, prefixes, 2, out, sizeof out), BK_OK);
    assert_string_equal(out, stick2);
    const char *none[] = {"/nonexistent"};
    assert_int_equal(export_find_mount(mounts, none, 1, out, sizeof out), BK_ERR_NOT_FOUND);
    assert_int_equal(export_find_mount("/nonexistent/mounts", none, 1, out, sizeof out), BK_ERR_IO);

    /* BK_EXPORT_DIR wins, and must exist. */
    setenv("BK_EXPORT_DIR", stick1, 1);
    assert_int_equal(export_find_target(out, sizeof out), BK_OK);
    assert_string_equal(out, stick1);
    setenv("BK_EXPORT_DIR", "/nonexistent/stick", 1);
    assert_int_equal(export_find_target(out, sizeof out), BK_ERR_NOT_FOUND);
    unsetenv("BK_EXPORT_DIR");
}

/* `buurtkiosk export` writes the same bytes as the library, and a
 * checksum file. */
static void test_export_command(void **state)
{
    fixture *fx = *state;
    static const char *const formats[] = {"csv", "jsonl"};
    /* The command reads the surveys of the configuration: the demo ones. */
    survey *demo[2] = {load_survey(BK_SOURCE_DIR "/config/surveys/buurtpeiling.json"),
                       load_survey(BK_SOURCE_DIR "/config/surveys/symposium.json")};
    for (size_t i = 0; i < 2; i++) {
        export_format fmt;
        assert_int_equal(export_format_parse(formats[i], &fmt), BK_OK);
        char ours[PATH_MAX], theirs[PATH_MAX], cmd[4 * PATH_MAX];
        snprintf(ours, sizeof ours, "%s/lib.%s", fx->dir, formats[i]);
        snprintf(theirs, sizeof theirs, "%s/cli.%s", fx->dir, formats[i]);
        int64_t since;
        assert_int_equal(export_parse_date("2026-03-08", &since), BK_OK);
        export_result res;
        assert_int_equal(export_write_file((export_source[]){store_export_source(fx->st)},
                                           (const survey *const *)demo, 2, fmt, since, ours, &res),
                         BK_OK);
        snprintf(cmd, sizeof cmd,
                 "'%s' export --config '%s/ui/demo.ini' --db '%s' --format %s --out '%s' "
                 "--since 2026-03-08 2>/dev/null",
                 BK_BINARY, BK_TEST_DATA, fx->db, formats[i], theirs);
        assert_int_equal(system(cmd), 0);
        size_t la, lb;
        char *a = su_slurp(ours, &la), *b = su_slurp(theirs, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
        snprintf(cmd, sizeof cmd, "cd '%s' && sha256sum --quiet -c cli.%s.sha256", fx->dir,
                 formats[i]);
        assert_int_equal(system(cmd), 0);
    }
    survey_free(demo[0]);
    survey_free(demo[1]);
    /* Usage errors: exit 2. */
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "'%s' export --config '%s/ui/demo.ini' --db '%s' --format xls --out /dev/null "
             "2>/dev/null",
             BK_BINARY, BK_TEST_DATA, fx->db);
    int st = system(cmd);
    assert_int_equal(WEXITSTATUS(st), 2);
    snprintf(cmd, sizeof cmd,
             "'%s' export --config '%s/ui/demo.ini' --db '%s' --format csv --out /dev/null "
             "--since 2026-02-30 2>/dev/null",
             BK_BINARY, BK_TEST_DATA, fx->db);
    st = system(cmd);
    assert_int_equal(WEXITSTATUS(st), 2);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_matches_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonl_matches_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_since_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_with_checksums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_mount, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_command, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
