/* test_staff.c: staff mode end to end. Replays of the real kiosk binary
 * (tests/replays/staff-*.replay) open staff mode by the 3 s hold and the
 * PIN, fail the PIN into a lockout and wait it out, read the counts after
 * residents answered, send "Nu versturen" to the test receiver, export to
 * a folder standing in for a USB stick, switch survey and mode and restart;
 * every staff screen is saved as a screenshot (in the build folder,
 * tests/staff-shots). In-process (headless) checks: the layout of every
 * staff screen at three sizes in two languages, the exact numbers on the
 * count cards, the PIN from a keyboard, "Kiosk afsluiten" and its
 * confirmation, and an export without a stick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_export.h"
#include "pin.h"
#include "staff.h"
#include "store.h"
#include "test_staff_util.h"
#include "test_sync_common.h"
#include "test_ui_util.h"

#define STAFF_DATA BK_TEST_DATA "/staff"
#define STAFF_INI STAFF_DATA "/staff.ini"
#define DEMO_INI BK_TEST_DATA "/ui/demo.ini"

typedef struct fixture {
    char dir[512];
    char db[PATH_MAX];
    char shots[PATH_MAX];
    ts_receiver rx;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "staff");
    snprintf(fx->db, sizeof fx->db, "%s/kiosk.db", fx->dir);
    /* Screenshots stay in the build folder for people to look at. */
    char cwd[PATH_MAX - 32];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(fx->shots, sizeof fx->shots, "%s/staff-shots", cwd);
    mkdir(fx->shots, 0755);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ts_receiver_stop(&fx->rx);
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Runs tests/replays/NAME on config at 1280x800; it must pass. */
static void run(fixture *fx, const char *config, const char *name)
{
    char script[PATH_MAX];
    snprintf(script, sizeof script, "%s/%s", UT_REPLAYS, name);
    int rc = ut_run_kiosk(fx->dir, config, fx->db, "1280x800", script, fx->shots);
    if (rc != 0)
        fail_msg("%s: the kiosk exited with %d (its output is above)", name, rc);
}

static void expect_screenshot(const fixture *fx, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.png", fx->shots, name);
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size < 1000)
        fail_msg("no screenshot %s", path);
}

/* A copy of staff.ini in dir with absolute survey paths and, when
 * base_url is not NULL, sync to it with the test token. */
static void write_config(const char *dir, const char *base_url, const char *path)
{
    size_t len;
    char *text = su_slurp(STAFF_INI, &len);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (char *save, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "directory =", 11) == 0)
            fprintf(f, "directory = %s/config/surveys\n", BK_SOURCE_DIR);
        else if (base_url && strncmp(line, "base_url =", 10) == 0)
            fprintf(f, "base_url = %s\n", base_url);
        else if (base_url && strncmp(line, "token_file =", 12) == 0)
            fprintf(f, "token_file = %s/token\n", dir);
        else if (strncmp(line, "interval_s =", 12) == 0)
            fprintf(f, "interval_s = 86400\n");
        else
            fprintf(f, "%s\n", line);
    }
    fclose(f);
    free(text);
    if (base_url) {
        char token[PATH_MAX];
        snprintf(token, sizeof token, "%s/token", dir);
        ts_write_file(token, TS_TOKEN "\n", 0600);
    }
}

static store *open_store(const char *path, bk_virtual_clock *vc, bk_clock *clock)
{
    *clock = vc ? clock_virtual(vc) : clock_system();
    store *st = NULL;
    assert_int_equal(store_open(path, clock, &st, NULL), BK_OK);
    return st;
}

/* ---- Replays ---- */

static void test_open_by_hold_and_pin(void **state)
{
    fixture *fx = *state;
    setenv("BK_EXPORT_DIR", "/nonexistent/usb-stick", 1);
    run(fx, DEMO_INI, "staff-open.replay");
    unsetenv("BK_EXPORT_DIR");
    /* The resident who was halfway when staff mode opened: kept as partial. */
    ut_db rows;
    ut_db_load(fx->db, &rows);
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.r[0].status, "partial");
    assert_string_equal(rows.r[0].area, "strijen");
    ut_expect_answer(&rows.r[0], "q1", "4");
    assert_int_equal(rows.r[0].n_answers, 1);
    ut_db_free(&rows);
    expect_screenshot(fx, "staff-pin");
    expect_screenshot(fx, "staff-pin-wrong");
    expect_screenshot(fx, "staff-status");
    expect_screenshot(fx, "staff-status-en");
    expect_screenshot(fx, "staff-export-no-usb");
}

typedef struct lockouts {
    int n;
    char msg[4][128];
} lockouts;

static int on_event(const char *at, const char *kind, const char *message, void *ctx)
{
    lockouts *l = ctx;
    (void)at;
    if (strcmp(kind, "staff-lockout") == 0 && l->n < 4)
        snprintf(l->msg[l->n++], sizeof l->msg[0], "%s", message);
    return 0;
}

static void test_lockout_and_wait(void **state)
{
    fixture *fx = *state;
    run(fx, STAFF_INI, "staff-lockout.replay");
    bk_clock clock;
    store *st = open_store(fx->db, NULL, &clock);
    lockouts l = {0};
    assert_int_equal(store_foreach_event(st, 10, on_event, &l), BK_OK);
    store_close(st);
    assert_int_equal(l.n, 2); /* newest first */
    assert_string_equal(l.msg[0], "6 wrong PINs in a row: staff mode locked for 60 s");
    assert_string_equal(l.msg[1], "5 wrong PINs in a row: staff mode locked for 30 s");
    /* The lockout was logged too. */
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%s/kiosk.log", fx->dir);
    size_t len;
    char *text = su_slurp(log, &len);
    assert_non_null(strstr(text, "5 wrong PINs in a row: staff mode locked for 30 s"));
    free(text);
    expect_screenshot(fx, "staff-lockout");
    expect_screenshot(fx, "staff-status-notices");
}

/* Adds one complete response with q1 answered. */
static void add_response(store *st)
{
    store_response_meta meta = {"buurtpeiling", 1, "survey", "nl", "dorst"};
    store_response_ref ref;
    assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
    answer_value v = {.kind = ANSWER_INT, .integer = 3};
    assert_int_equal(store_answer_set(st, ref.rowid, "q1", &v), BK_OK);
    assert_int_equal(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0), BK_OK);
}

/* Four responses five days ago (three of them set aside by the server) and
 * one two days ago. */
static void seed_history(const char *db)
{
    bk_clock real = clock_system();
    bk_virtual_clock vc = {.mono_ms = 1000, .wall_ms = clock_wall_ms(&real) - 5 * 86400000LL};
    bk_clock clock;
    store *st = open_store(db, &vc, &clock);
    for (int i = 0; i < 4; i++)
        add_response(st);
    store_batch b;
    assert_int_equal(store_batch_next(st, "demo-kiosk-01", 3, 1 << 20, &b), BK_OK);
    assert_int_equal(store_batch_reject(st, b.batch_id, "422: survey version unknown"), BK_OK);
    store_batch_free(&b);
    clock_virtual_advance(&vc, 3 * 86400000LL);
    add_response(st);
    store_close(st);
}

/* The number on the count card labelled label: the text right above it. */
static const char *card_value(app *a, const char *label)
{
    const ui_widget *l = ut_find_label(a, label);
    if (!l)
        fail_msg("no card %s", label);
    const ui_widget *best = NULL;
    /* Cards centre both texts; the number's box starts half a pad right. */
    for (size_t i = 0; !best && i < a->frame->n_widgets; i++) {
        const ui_widget *w = &a->frame->widgets[i];
        int cx = w->rect.x + w->rect.w / 2, lx = l->rect.x + l->rect.w / 2;
        if (w->label && w != l && w->rect.y < l->rect.y && abs(cx - lx) <= 2 &&
            l->rect.y - (w->rect.y + w->rect.h) <= 4)
            best = w;
    }
    if (!best)
        fail_msg("no number above %s", label);
    return best->label;
}

/* Opens staff mode in an in-process app: the hold, then the PIN. */
static void open_staff(app *a, const char *pin)
{
    app_pointer_down(a, 4, 4);
    ut_wait(a, STAFF_HOLD_MS);
    app_pointer_up(a, 4, 4);
    ut_wait(a, 300);
    assert_true(staff_is_open(a));
    for (const char *p = pin; *p; p++) {
        char digit[2] = {*p, '\0'};
        const ui_widget *w = ut_find_label(a, digit);
        assert_non_null(w);
        ut_tap_widget(a, w);
    }
    const ui_widget *ok = ut_find_label(a, "OK");
    assert_non_null(ok);
    ut_tap_widget(a, ok);
}

static void test_counts_after_residents(void **state)
{
    fixture *fx = *state;
    seed_history(fx->db);
    run(fx, STAFF_INI, "staff-counts.replay");
    expect_screenshot(fx, "staff-counts");
    /* The same database in-process: each number on its own card. */
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s/app-1280x800.db", fx->dir);
    ts_copy_file(fx->db, copy);
    ut_app u;
    ut_app_open(&u, STAFF_INI, fx->dir, 1280, 800);
    open_staff(u.a, "1234");
    assert_string_equal(card_value(u.a, "Vandaag"), "2");
    assert_string_equal(card_value(u.a, "Totaal"), "7");
    assert_string_equal(card_value(u.a, "Nog te versturen"), "4");
    assert_string_equal(card_value(u.a, "Apart gezet"), "3");
    ut_app_close(&u);
}

static void test_sync_now_to_the_receiver(void **state)
{
    fixture *fx = *state;
    ts_receiver_start(&fx->rx, NULL);
    char url[128], cfg[PATH_MAX];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", fx->rx.port);
    snprintf(cfg, sizeof cfg, "%s/kiosk.ini", fx->dir);
    write_config(fx->dir, url, cfg);
    run(fx, cfg, "staff-sync.replay");
    json_t *dump = ts_receiver_dump(&fx->rx);
    ts_assert_exactly_once(fx->db, dump); /* and nothing left waiting */
    assert_int_equal(json_object_size(json_object_get(dump, "responses")), 2);
    json_decref(dump);
    expect_screenshot(fx, "staff-sync-before");
    expect_screenshot(fx, "staff-sync-done");
}

static void test_sync_error_in_plain_words(void **state)
{
    fixture *fx = *state;
    static const char *const args[] = {"--fault", "401", NULL};
    ts_receiver_start(&fx->rx, args);
    char url[128], cfg[PATH_MAX];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", fx->rx.port);
    snprintf(cfg, sizeof cfg, "%s/kiosk.ini", fx->dir);
    write_config(fx->dir, url, cfg);
    /* One response waiting, so the refused upload is tried. */
    bk_clock clock;
    store *st = open_store(fx->db, NULL, &clock);
    add_response(st);
    store_close(st);
    run(fx, cfg, "staff-sync-error.replay");
    store_counts n = ts_counts(fx->db);
    assert_int_equal(n.queued, 1);
    assert_int_equal(n.delivered, 0);
    expect_screenshot(fx, "staff-sync-error");
}

/* The files in dir whose names end in ext. */
static void find_export(const char *dir, const char *ext, char *out, size_t size)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name), k = strlen(ext);
        if (n > k && strcmp(e->d_name + n - k, ext) == 0) {
            snprintf(out, size, "%s/%s", dir, e->d_name);
            found++;
        }
    }
    closedir(d);
    if (found != 1)
        fail_msg("%d files *%s in %s, expected 1", found, ext, dir);
}

static void test_export_to_usb(void **state)
{
    fixture *fx = *state;
    char usb[PATH_MAX];
    snprintf(usb, sizeof usb, "%s/usb", fx->dir);
    assert_int_equal(mkdir(usb, 0755), 0);
    setenv("BK_EXPORT_DIR", usb, 1);
    run(fx, STAFF_INI, "staff-export.replay");
    unsetenv("BK_EXPORT_DIR");
    expect_screenshot(fx, "staff-export");

    char csv[PATH_MAX], jsonl[PATH_MAX], sums[PATH_MAX], cmd[2 * PATH_MAX];
    find_export(usb, ".csv", csv, sizeof csv);
    find_export(usb, ".jsonl", jsonl, sizeof jsonl);
    find_export(usb, ".sha256", sums, sizeof sums);
    assert_non_null(strstr(csv, "/buurtkiosk-demo-kiosk-01-"));
    snprintf(cmd, sizeof cmd, "cd '%s' && sha256sum --quiet -c '%s'", usb, strrchr(sums, '/') + 1);
    assert_int_equal(system(cmd), 0);

    bk_clock clock;
    store *st = open_store(fx->db, NULL, &clock);
    su_rows d;
    su_rows_load(st, 0, &d);
    store_counts n;
    assert_int_equal(store_count(st, &n), BK_OK);
    store_close(st);
    assert_int_equal(d.n, 1);
    /* Exporting sent nothing and marked nothing as delivered. */
    assert_int_equal(n.queued, 1);
    assert_int_equal(n.delivered, 0);
    assert_false(d.r[0].delivered);

    /* The CSV row against the database. */
    size_t len;
    char *data = su_slurp(csv, &len);
    assert_memory_equal(data, "\xEF\xBB\xBF", 3);
    su_csv t;
    su_csv_parse(data + 3, len - 3, &t);
    assert_int_equal(t.n_rows, 2);
    char *const *row = t.cell[1];
    assert_string_equal(row[su_csv_column(&t, "response_id")], d.r[0].response_id);
    assert_string_equal(row[su_csv_column(&t, "seq")], "1");
    assert_string_equal(row[su_csv_column(&t, "survey_id")], "buurtpeiling");
    assert_string_equal(row[su_csv_column(&t, "status")], "complete");
    assert_string_equal(row[su_csv_column(&t, "area")], "oosteind");
    assert_string_equal(row[su_csv_column(&t, "started_at")], d.r[0].started_at);
    assert_string_equal(row[su_csv_column(&t, "completed_at")], d.r[0].completed_at);
    assert_string_equal(row[su_csv_column(&t, "q1")], "4");
    assert_string_equal(row[su_csv_column(&t, "q2")], "");
    assert_string_equal(row[su_csv_column(&t, "q6")], "feest|helpen");
    assert_string_equal(row[su_csv_column(&t, "q7")], "nee");
    const char *typed = "Café; \"zeg\" ja\nnieuwe regel: ëï É";
    assert_string_equal(row[su_csv_column(&t, "q8")], typed);
    ut_db rows;
    ut_db_load(fx->db, &rows);
    json_t *stored = json_loads(ut_answer_json(&rows.r[0], "q8"), JSON_DECODE_ANY, NULL);
    assert_string_equal(json_string_value(stored), typed);
    json_decref(stored);
    ut_db_free(&rows);
    su_csv_free(&t);
    free(data);

    /* The JSON Lines file: the store's own JSON of each response. */
    data = su_slurp(jsonl, &len);
    char want[8192];
    snprintf(want, sizeof want, "%s\n", d.json[0]);
    assert_string_equal(data, want);
    free(data);
    su_rows_free(&d);
}

static void expect_meta(const char *db, const char *key, const char *value)
{
    bk_clock clock;
    store *st = open_store(db, NULL, &clock);
    char *v = NULL;
    assert_int_equal(store_meta_get(st, key, &v), BK_OK);
    assert_string_equal(v, value);
    free(v);
    store_close(st);
}

static void test_switch_survives_restart(void **state)
{
    fixture *fx = *state;
    run(fx, STAFF_INI, "staff-switch.replay");
    ut_db rows;
    ut_db_load(fx->db, &rows);
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.r[0].survey_id, "symposium");
    assert_string_equal(rows.r[0].mode, "survey");
    ut_expect_answer(&rows.r[0], "initiatief", "\"ja\"");
    ut_expect_answer(&rows.r[0], "budget", "\"groen\"");
    ut_expect_answer(&rows.r[0], "idee", "\"Een moestuin\"");
    ut_db_free(&rows);
    expect_meta(fx->db, "staff.active", "symposium");
    expect_meta(fx->db, "staff.mode", "live");
    /* A restart: the second script checks the choices held. */
    run(fx, STAFF_INI, "staff-switch-restart.replay");
    expect_meta(fx->db, "staff.active", "buurtpeiling");
    expect_meta(fx->db, "staff.mode", "survey");
    expect_screenshot(fx, "staff-choose");
    expect_screenshot(fx, "staff-status-live");
    expect_screenshot(fx, "staff-live-control");
    expect_screenshot(fx, "staff-quit");
}

/* ---- In-process ---- */

static void test_close_the_kiosk_asks_first(void **state)
{
    fixture *fx = *state;
    ut_app u;
    ut_app_open(&u, STAFF_INI, fx->dir, 1280, 800);
    app *a = u.a;
    open_staff(a, "1234");
    ut_tap_widget(a, ut_find_label(a, "Kiosk afsluiten"));
    assert_non_null(ut_find_label(a, "Kiosk afsluiten?"));
    assert_false(a->quit);
    ut_tap_widget(a, ut_find_label(a, "Nee, terug"));
    assert_false(a->quit);
    assert_non_null(ut_find_label(a, "Beheer"));
    ut_tap_widget(a, ut_find_label(a, "Kiosk afsluiten"));
    ut_tap_widget(a, ut_find_label(a, "Ja, afsluiten"));
    assert_true(a->quit);
    ut_app_close(&u);
}

static void test_pin_from_a_keyboard(void **state)
{
    fixture *fx = *state;
    ut_app u;
    ut_app_open(&u, STAFF_INI, fx->dir, 1280, 800);
    app *a = u.a;
    /* A tap in the corner, or a press let go too soon, does nothing. */
    app_pointer_down(a, 3, 3);
    ut_wait(a, STAFF_HOLD_MS - 1);
    app_pointer_up(a, 3, 3);
    ut_wait(a, 5000);
    assert_false(staff_is_open(a));
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
    app_pointer_down(a, 3, 3);
    ut_wait(a, STAFF_HOLD_MS);
    assert_true(staff_is_open(a)); /* while still held */
    app_pointer_up(a, 3, 3);
    app_key(a, SDLK_1);
    app_key(a, SDLK_2);
    app_key(a, SDLK_3);
    app_key(a, SDLK_9);
    app_key(a, SDLK_BACKSPACE);
    app_key(a, SDLK_KP_4);
    app_key(a, SDLK_RETURN);
    ut_app_layout(a);
    assert_non_null(ut_find_label(a, "Beheer"));
    /* Escape leaves staff mode. */
    app_key(a, SDLK_ESCAPE);
    ut_app_layout(a);
    assert_false(staff_is_open(a));
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
    ut_app_close(&u);
}

static void test_export_without_a_stick(void **state)
{
    fixture *fx = *state;
    ut_app u;
    ut_app_open(&u, STAFF_INI, fx->dir, 1280, 800);
    app *a = u.a;
    open_staff(a, "1234");
    setenv("BK_EXPORT_DIR", "/nonexistent/usb-stick", 1);
    ut_tap_widget(a, ut_find_label(a, "Naar USB-stick"));
    ut_wait(a, 10);
    unsetenv("BK_EXPORT_DIR");
    assert_non_null(ut_find_label(a, "Geen USB-stick gevonden"));
    assert_non_null(
        ut_find_label(a, "Steek een USB-stick in de kiosk, wacht even en probeer het opnieuw."));
    ut_tap_widget(a, ut_find_label(a, "Terug"));
    assert_non_null(ut_find_label(a, "Beheer"));
    ut_app_close(&u);
}

/* ---- Layout of every staff screen ---- */

static int layout_problems(app *a, const char *screen)
{
    ut_app_layout(a);
    const ui_frame *f = a->frame;
    double mm = app_px_per_mm(a);
    int problems = 0;
    if (f->full) {
        fprintf(stderr, "%dx%d %s: the frame ran out of room\n", a->width, a->height, screen);
        problems++;
    }
    for (size_t i = 0; i < f->n_widgets; i++) {
        const ui_widget *w = &f->widgets[i];
        const char *label = w->label ? w->label : "";
        if (w->overflow) {
            fprintf(stderr, "%dx%d %s: \"%s\" does not fit its box\n", a->width, a->height, screen,
                    label);
            problems++;
        }
        if (w->rect.x < 0 || w->rect.y < 0 || w->rect.x + w->rect.w > a->width ||
            w->rect.y + w->rect.h > a->height) {
            fprintf(stderr, "%dx%d %s: \"%s\" lies outside the screen\n", a->width, a->height,
                    screen, label);
            problems++;
        }
        if (!w->action)
            continue;
        if (w->rect.w + 0.5 < 15.0 * mm || w->rect.h + 0.5 < 15.0 * mm) {
            fprintf(stderr, "%dx%d %s: \"%s\" is smaller than 15 mm\n", a->width, a->height, screen,
                    label);
            problems++;
        }
        for (size_t k = i + 1; k < f->n_widgets; k++) {
            const ui_widget *v = &f->widgets[k];
            if (!v->action)
                continue;
            ui_rect g = {w->rect.x - (int)(2 * mm), w->rect.y - (int)(2 * mm),
                         w->rect.w + (int)(4 * mm), w->rect.h + (int)(4 * mm)};
            if (ui_rect_overlaps(g, v->rect)) {
                fprintf(stderr, "%dx%d %s: \"%s\" and \"%s\" are less than 2 mm apart\n", a->width,
                        a->height, screen, label, v->label ? v->label : "");
                problems++;
            }
        }
    }
    return problems;
}

static const ui_widget *tap_label(app *a, const char *nl, const char *en)
{
    const ui_widget *w = ut_find_label(a, nl);
    if (!w)
        w = ut_find_label(a, en);
    if (!w)
        fail_msg("no button \"%s\" / \"%s\"", nl, en);
    ut_tap_widget(a, w);
    return w;
}

static void test_layout_of_every_staff_screen(void **state)
{
    fixture *fx = *state;
    /* A kiosk with sync set up (headless: the worker does not start), a
       long last error, notices, and responses on several days. */
    char cfg[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/layout.ini", fx->dir);
    write_config(fx->dir, "http://127.0.0.1:9/buurtkiosk", cfg);
    static const int sizes[][2] = {{1920, 1080}, {1080, 1920}, {1280, 800}};
    int problems = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char db[PATH_MAX];
        snprintf(db, sizeof db, "%s/app-%dx%d.db", fx->dir, sizes[i][0], sizes[i][1]);
        seed_history(db);
        ut_app u;
        ut_app_open(&u, cfg, fx->dir, sizes[i][0], sizes[i][1]);
        app *a = u.a;
        store_event_add(a->store, "corrupt", "database was damaged; moved aside");
        for (int lang = 0; lang < 2; lang++) {
            a->sync_status.error = SYNC_ERROR_TLS;
            a->sync_status.last_ok_wall_ms = clock_wall_ms(&a->clock) - 3600000;
            snprintf(a->sync_status.detail, sizeof a->sync_status.detail,
                     "SSL certificate problem: unable to get local issuer certificate");
            /* The PIN pad, a wrong PIN, the lockout. */
            app_pointer_down(a, 2, 2);
            ut_wait(a, STAFF_HOLD_MS);
            app_pointer_up(a, 2, 2);
            ut_wait(a, 300);
            if (lang)
                app_set_language(a, 1);
            problems += layout_problems(a, "pin");
            for (int k = 0; k < 5; k++) {
                for (int d = 0; d < 4; d++)
                    tap_label(a, "7", "7");
                tap_label(a, "OK", "OK");
                problems += layout_problems(a, k < 4 ? "pin-wrong" : "pin-locked");
            }
            ut_wait(a, PIN_LOCKOUT_FIRST_MS);
            open_staff(a, "1234");
            assert_non_null(ut_find_label(a, lang ? "Staff mode" : "Beheer"));
            problems += layout_problems(a, "status");
            tap_label(a, "Enquête en stand", "Survey and mode");
            problems += layout_problems(a, "choose");
            tap_label(a, "Live (bijeenkomst)", "Live (event)");
            tap_label(a, "Klaar", "Done");
            problems += layout_problems(a, "status-live");
            tap_label(a, "Kiosk afsluiten", "Close the kiosk");
            problems += layout_problems(a, "quit");
            tap_label(a, "Nee, terug", "No, go back");
            setenv("BK_EXPORT_DIR", fx->dir, 1);
            tap_label(a, "Naar USB-stick", "Export to USB");
            ut_wait(a, 10);
            unsetenv("BK_EXPORT_DIR");
            problems += layout_problems(a, "export-done");
            assert_non_null(
                ut_find_label(a, lang ? "Saved on the USB stick" : "Opgeslagen op de USB-stick"));
            tap_label(a, "Terug", "Back");
            tap_label(a, "Enquête en stand", "Survey and mode");
            tap_label(a, "Enquête (bewoners)", "Survey (residents)");
            tap_label(a, "Klaar", "Done");
            tap_label(a, "Terug naar de kiosk", "Back to the kiosk");
            ut_wait(a, 300);
            assert_false(staff_is_open(a));
        }
        ut_app_close(&u);
    }
    if (problems)
        fail_msg("%d layout problems on staff screens (listed above)", problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_by_hold_and_pin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_and_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_after_residents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_now_to_the_receiver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_error_in_plain_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_to_usb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch_survives_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_the_kiosk_asks_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_from_a_keyboard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_without_a_stick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_of_every_staff_screen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
