/* test_live_app.c: live mode in-process (the app on a virtual clock):
 * hiding an answer and a word (gone from the results and the screens,
 * still in the database and in what is synced, kept across a restart);
 * the staff control screen; switching between survey and live mode; an
 * unfinished answer cleared when the attendee walks away; the presenter
 * window (presenter = on opens it even on one display; auto only with a
 * second display, which the offscreen driver does not offer) and the
 * presenter layout at 1920x1080 and 3840x2160: every result text at least
 * 5% of the height, nothing outside the screen or overlapping, bars as
 * long as their share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL_ttf.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "live.h"
#include "test_ui_util.h"

#define LIVE_DATA BK_TEST_DATA "/live"
#define SHOTS "live-shots"

typedef struct fixture {
    char dir[512];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "live-app");
    mkdir(SHOTS, 0755);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

static bool shows(app *a, const char *label)
{
    return ut_find_label(a, label) != NULL;
}

/* The first tappable widget showing label (there may be several). */
static const ui_widget *first_button(app *a, const char *label)
{
    ut_app_layout(a);
    for (size_t i = 0; i < a->frame->n_widgets; i++) {
        const ui_widget *w = &a->frame->widgets[i];
        if (w->action != UI_ACT_NONE && w->label && strcmp(w->label, label) == 0)
            return w;
    }
    return NULL;
}

static void expect_shows(app *a, const char *label)
{
    if (!shows(a, label)) {
        fprintf(stderr, "visible:");
        for (size_t i = 0; i < a->frame->n_widgets; i++)
            if (a->frame->widgets[i].label)
                fprintf(stderr, " \"%s\"", a->frame->widgets[i].label);
        fprintf(stderr, "\n");
        fail_msg("\"%s\" is not on the screen", label);
    }
}

/* An attendee types text and presses Enter, at a human pace; the results
 * show, then the question comes back. */
static void vote_text(app *a, const char *text)
{
    ut_wait(a, 2000);
    app_text_input(a, text);
    app_key(a, SDLK_RETURN);
    ut_wait(a, 500);
    expect_shows(a, "Bedankt!");
    ut_wait(a, LIVE_RESULTS_MS);
}

static bool has_word(const results *r, const char *w)
{
    for (size_t i = 0; i < r->n_words; i++)
        if (strcmp(r->words[i].word, w) == 0)
            return true;
    return false;
}

typedef struct hidden_ctx {
    int n_hidden;
    bool json_has_text;
} hidden_ctx;

static int count_hidden(const store_response_row *row, void *ctx)
{
    hidden_ctx *h = ctx;
    for (size_t i = 0; i < row->n_answers; i++)
        if (row->answers[i].hidden) {
            h->n_hidden++;
            char *json = store_response_to_json(row);
            h->json_has_text = json && strstr(json, "Een vijver met bankjes");
            free(json);
        }
    return 0;
}

static void test_hide_answer_and_word(void **state)
{
    fixture *fx = *state;
    ut_app u;
    char cfg[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/symposium.ini", LIVE_DATA);
    ut_app_open(&u, cfg, fx->dir, 1280, 800);
    app *a = u.a;
    assert_int_equal(a->screen, APP_SCREEN_MODULE);
    assert_int_equal(live_open_index(a), 0);
    assert_int_equal(live_open_question(a, 2), BK_OK); /* idee */
    assert_int_equal(live_open_question(a, 7), BK_ERR_INVALID);
    expect_shows(a, "Welk idee heeft u voor uw buurt?");
    vote_text(a, "Meer bankjes bij de vijver");
    vote_text(a, "Een vijver met bankjes");
    vote_text(a, "Wat een ROTZOOI overal");
    const results *r = live_results(a);
    assert_int_equal(r->votes, 3);
    assert_int_equal(r->n_latest, 3);
    assert_true(has_word(r, "rotzooi"));
    assert_string_equal(r->words[0].word, "bankjes");

    /* Staff hide a word: out of the cloud and the latest answers. */
    assert_int_equal(live_hide_word(a, "Rotzooi", true), BK_OK);
    assert_int_equal(live_hide_word(a, "", true), BK_ERR_INVALID);
    r = live_results(a);
    assert_int_equal(r->votes, 3);
    assert_false(has_word(r, "rotzooi"));
    assert_int_equal(r->n_latest, 2);
    const char *words[4];
    assert_int_equal(live_hidden_words(a, words, 4), 1);
    assert_string_equal(words[0], "rotzooi");

    /* ... and an answer. */
    char id[STORE_UUID_LEN + 1];
    assert_string_equal(r->latest[0].text, "Een vijver met bankjes");
    snprintf(id, sizeof id, "%s", r->latest[0].response_id);
    assert_int_equal(live_hide_answer(a, id, NULL, true), BK_OK);
    r = live_results(a);
    assert_int_equal(r->votes, 2);
    assert_int_equal(r->hidden, 1);
    assert_int_equal(r->n_latest, 1);
    assert_string_equal(r->latest[0].text, "Meer bankjes bij de vijver");
    assert_int_equal(r->words[0].count, 1);

    /* The next attendee's results screen shows neither. */
    ut_wait(a, 2000);
    app_text_input(a, "Groen");
    app_key(a, SDLK_RETURN);
    ut_wait(a, 500);
    expect_shows(a, "3 antwoorden");
    expect_shows(a, "Meer bankjes bij de vijver");
    assert_false(shows(a, "Een vijver met bankjes"));
    assert_false(shows(a, "Wat een ROTZOOI overal"));
    assert_false(shows(a, "rotzooi"));
    ut_wait(a, LIVE_RESULTS_MS);

    /* Still in the database, marked hidden, and in what is synced. */
    hidden_ctx h = {0};
    assert_int_equal(store_foreach_response(a->store, 0, 0, count_hidden, &h), BK_OK);
    assert_int_equal(h.n_hidden, 1);
    assert_true(h.json_has_text);
    /* The next upload carries every live response, the hidden one too. */
    store_batch batch;
    assert_int_equal(store_batch_next(a->store, "live-kiosk-01", 100, 1 << 20, &batch), BK_OK);
    assert_int_equal(batch.n_responses, 4);
    assert_non_null(strstr(batch.body, "\"mode\":\"live\""));
    assert_non_null(strstr(batch.body, "Een vijver met bankjes"));
    store_batch_free(&batch);

    /* A restart: the open question, the hidden word and answer remain. */
    ut_app_close(&u);
    ut_app_open(&u, cfg, fx->dir, 1280, 800);
    a = u.a;
    assert_int_equal(live_open_index(a), 2);
    r = live_results(a);
    assert_int_equal(r->votes, 3);
    assert_int_equal(r->hidden, 1);
    assert_false(has_word(r, "rotzooi"));
    /* Shown again. */
    assert_int_equal(live_hide_word(a, "rotzooi", false), BK_OK);
    assert_int_equal(live_hide_answer(a, id, "idee", false), BK_OK);
    r = live_results(a);
    assert_int_equal(r->votes, 4);
    assert_true(has_word(r, "rotzooi"));
    assert_int_equal(live_hidden_words(a, words, 4), 0);
    ut_app_close(&u);
}

static void test_control_screen(void **state)
{
    fixture *fx = *state;
    ut_app u;
    char cfg[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/symposium.ini", LIVE_DATA);
    ut_app_open(&u, cfg, fx->dir, 1280, 800);
    app *a = u.a;
    assert_int_equal(live_open_question(a, 2), BK_OK);
    vote_text(a, "Een speeltuin voor de kinderen");
    vote_text(a, "Speeltuin en bankjes");
    live_show_control(a, NULL);
    ut_wait(a, 300);
    expect_shows(a, "Live stemmen");
    expect_shows(a, "Open: vraag 3 van 3");
    expect_shows(a, "2 antwoorden");
    expect_shows(a, "Speeltuin en bankjes");
    /* Tap the word "speeltuin": hidden. */
    const ui_widget *w = ut_find_label(a, "speeltuin");
    assert_non_null(w);
    assert_int_equal(w->action, UI_ACT_MODULE);
    ut_tap_widget(a, w);
    const char *words[2];
    assert_int_equal(live_hidden_words(a, words, 2), 1);
    assert_string_equal(words[0], "speeltuin");
    expect_shows(a, "Verborgen woorden (tik om weer te tonen):");
    /* Hide the newest answer, then undo. */
    ut_wait(a, 300);
    const results *r = live_results(a);
    assert_int_equal(r->n_latest, 0);                /* both contain the hidden word */
    ut_tap_widget(a, ut_find_label(a, "speeltuin")); /* shown again */
    ut_wait(a, 300);
    assert_int_equal(live_hidden_words(a, words, 2), 0);
    r = live_results(a);
    assert_int_equal(r->n_latest, 2);
    ut_wait(a, 300);
    const ui_widget *hide = first_button(a, "Verbergen");
    assert_non_null(hide);
    ut_tap_widget(a, hide);
    ut_wait(a, 300);
    r = live_results(a);
    assert_int_equal(r->hidden, 1);
    expect_shows(a, "1 antwoord \xC2\xB7 1 verborgen");
    ut_tap_widget(a, ut_find_label(a, "Laatste weer tonen")); /* undo */
    ut_wait(a, 300);
    assert_int_equal(live_results(a)->hidden, 0);
    /* Previous question, then "Klaar": the attendees' screen. */
    ut_tap_widget(a, ut_find_label(a, "Vorige vraag"));
    ut_wait(a, 300);
    assert_int_equal(live_open_index(a), 1);
    expect_shows(a, "Open: vraag 2 van 3");
    /* Counting afresh takes two taps. */
    ut_tap_widget(a, ut_find_label(a, "Opnieuw tellen"));
    ut_wait(a, 300);
    ut_tap_widget(a, ut_find_label(a, "Zeker weten? Tik nog eens"));
    ut_wait(a, 300);
    assert_int_equal(live_open_question(a, 2), BK_OK);
    assert_int_equal(live_results(a)->votes, 0);
    ut_tap_widget(a, ut_find_label(a, "Klaar"));
    ut_wait(a, 300);
    assert_int_equal(a->screen, APP_SCREEN_MODULE);
    expect_shows(a, "Welk idee heeft u voor uw buurt?");
    ut_app_close(&u);
}

static void test_mode_switch_and_idle(void **state)
{
    fixture *fx = *state;
    ut_app u;
    char cfg[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/symposium.ini", LIVE_DATA);
    ut_app_open(&u, cfg, fx->dir, 1280, 800);
    app *a = u.a;
    /* Staff choose survey mode: the attract screen comes back. */
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_SURVEY), BK_OK);
    ut_wait(a, 100);
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
    expect_shows(a, "Doe mee");
    /* ... and live mode again. */
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_LIVE), BK_OK);
    ut_wait(a, 100);
    assert_int_equal(a->screen, APP_SCREEN_MODULE);
    expect_shows(a, "Heeft u weleens meegedaan aan een initiatief in uw buurt?");

    /* Half an answer, then nobody: cleared after the idle time. */
    assert_int_equal(live_open_question(a, 2), BK_OK);
    ut_wait(a, 2000);
    app_text_input(a, "Half af");
    expect_shows(a, "Half af|");
    ut_wait(a, (int64_t)a->config->kiosk.idle_timeout_s * 1000 + 100);
    expect_shows(a, "|");
    assert_int_equal(live_results(a)->votes, 0);
    ut_app_close(&u);
}

/* ---- Presenter ---- */

/* A config with presenter = MODE for the symposium survey. */
static void write_config(const fixture *fx, const char *presenter, char *path, size_t size)
{
    snprintf(path, size, "%s/presenter-%s.ini", fx->dir, presenter);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[kiosk]\nid = live-presenter\nlanguages = nl, en\nmode = live\n"
            "[display]\nfullscreen = false\npresenter = %s\n"
            "[storage]\ndatabase = kiosk.db\n"
            "[survey]\ndirectory = %s/config/surveys\nactive = symposium\n"
            "[staff]\npin_hash = $argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$"
            "OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4zMk6k\n",
            presenter, BK_SOURCE_DIR);
    fclose(f);
}

/* An app with a window (offscreen or dummy SDL driver). */
static app *open_windowed(const char *config, const char *db, bk_config *cfg)
{
    setenv("SDL_VIDEODRIVER", ut_video_driver(), 1);
    bk_diag diag = {0};
    if (config_load(config, cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        fail_msg("cannot load %s", config);
    }
    diag_clear(&diag);
    app_options opt = {.db_path = db,
                       .assets_dir = BK_SOURCE_DIR "/assets",
                       .virtual_time = true,
                       .no_sync = true,
                       .width = 1280,
                       .height = 800};
    app *a = app_create(cfg, &opt);
    assert_non_null(a);
    return a;
}

static void test_presenter_window(void **state)
{
    fixture *fx = *state;
    char cfg_path[PATH_MAX], db[PATH_MAX];
    bk_config cfg;

    /* auto: only with a second display. */
    write_config(fx, "auto", cfg_path, sizeof cfg_path);
    snprintf(db, sizeof db, "%s/auto.db", fx->dir);
    app *a = open_windowed(cfg_path, db, &cfg);
    app_tick(a);
    int displays = SDL_GetNumVideoDisplays();
    if (displays > 1)
        assert_true(live_presenter_is_open(a));
    else
        assert_false(live_presenter_is_open(a));
    print_message("the %s driver offers %d display(s)%s\n", ut_video_driver(), displays,
                  displays > 1 ? "" : ": presenter = auto opens no window; layout tested below");
    app_destroy(a);
    config_free(&cfg);

    /* on: a window even on one display, showing the open question live. */
    write_config(fx, "on", cfg_path, sizeof cfg_path);
    snprintf(db, sizeof db, "%s/on.db", fx->dir);
    a = open_windowed(cfg_path, db, &cfg);
    app_tick(a);
    assert_true(live_presenter_is_open(a));
    ut_wait(a, 2000);
    ut_tap_widget(a, ut_find_label(a, "Ja"));
    ut_wait(a, 6300);
    ut_wait(a, 2000);
    ut_tap_widget(a, ut_find_label(a, "Ja"));
    ut_wait(a, 6300);
    ut_wait(a, 2000);
    ut_tap_widget(a, ut_find_label(a, "Weet ik niet"));
    ut_wait(a, 1000);
    assert_int_equal(live_presenter_save_png(a, SHOTS "/presenter-bars.png"), 0);
    SDL_Surface *s = ut_png_load(SHOTS "/presenter-bars.png");
    assert_int_equal(s->w, 1280);
    assert_int_equal(s->h, 720);
    /* Two yellow bars: Ja (67%) twice as long as Weet ik niet (33%). */
    int len[4], n = 0;
    SDL_Rect band = {0, 0, s->w * 85 / 100, 1};
    for (int y = s->h * 30 / 100; y < s->h * 90 / 100 && n < 4;) {
        band.y = y;
        SDL_Rect bb = ut_bbox_color(s, band, 0xFFC800, 8);
        int top = y, right = 0, left = s->w;
        for (; bb.w && y < s->h; band.y = ++y, bb = ut_bbox_color(s, band, 0xFFC800, 8)) {
            left = bb.x < left ? bb.x : left;
            right = bb.x + bb.w > right ? bb.x + bb.w : right;
        }
        if (y - top >= 10)
            len[n++] = right - left;
        y++;
    }
    assert_int_equal(n, 2);
    double ratio = (double)len[0] / len[1];
    if (ratio < 1.88 || ratio > 2.12)
        fail_msg("presenter bars %d and %d px: expected 67%% and 33%%", len[0], len[1]);
    long white = ut_count_color(s, (SDL_Rect){0, 0, s->w, s->h / 4}, 0xFFFFFF, 8);
    assert_true(white > 1000); /* the question */
    SDL_FreeSurface(s);
    /* Closed by hand: it stays closed; the kiosk's own window closed: the
     * kiosk stops (SDL sends no quit while another window is open). */
    int before = a->quit;
    assert_false(before);
    SDL_Window *pw = NULL;
    for (Uint32 id = 1; id < 64 && !pw; id++) {
        SDL_Window *w = SDL_GetWindowFromID(id);
        if (w && w != a->window)
            pw = w;
    }
    assert_non_null(pw);
    SDL_Event e = {.type = SDL_WINDOWEVENT};
    e.window.event = SDL_WINDOWEVENT_CLOSE;
    e.window.windowID = SDL_GetWindowID(pw);
    SDL_PushEvent(&e);
    ut_wait(a, 100);
    assert_false(live_presenter_is_open(a));
    ut_wait(a, 100);
    assert_false(live_presenter_is_open(a));
    assert_false(a->quit);
    /* Survey mode and back to live: it opens again. */
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_SURVEY), BK_OK);
    ut_wait(a, 100);
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_LIVE), BK_OK);
    ut_wait(a, 100);
    assert_true(live_presenter_is_open(a));
    e.window.windowID = SDL_GetWindowID(a->window);
    SDL_PushEvent(&e);
    ut_wait(a, 100);
    assert_true(a->quit);
    a->quit = false;
    SDL_FlushEvents(SDL_FIRSTEVENT, SDL_LASTEVENT);
    /* Staff switch to survey mode: the presenter window closes. */
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_SURVEY), BK_OK);
    ut_wait(a, 100);
    assert_false(live_presenter_is_open(a));
    app_destroy(a);
    config_free(&cfg);
}

/* ---- Presenter layout ---- */

typedef struct layout_env {
    ui_fonts *fonts;
    ui_text_engine te;
    ui_frame *f;
    survey *s;
} layout_env;

static void layout_open(layout_env *e)
{
    memset(e, 0, sizeof *e);
    assert_int_equal(TTF_Init(), 0);
    e->fonts = ui_fonts_open(BK_SOURCE_DIR "/assets/fonts");
    assert_non_null(e->fonts);
    e->te = ui_fonts_engine(e->fonts);
    e->f = calloc(1, sizeof *e->f);
    assert_non_null(e->f);
    bk_diag diag = {0};
    e->s = survey_load_file(BK_SOURCE_DIR "/config/surveys/symposium.json", &diag);
    diag_clear(&diag);
    assert_non_null(e->s);
}

static void layout_close(layout_env *e)
{
    survey_free(e->s);
    free(e->f);
    ui_fonts_close(e->fonts);
    TTF_Quit();
}

static bool inside(ui_rect r, int W, int H)
{
    return r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H;
}

/* Every text at least 5% of H, inside the screen, no text overflowing,
 * no two texts overlapping; returns the question's px. */
static int check_board(layout_env *e, int W, int H, const char *what)
{
    const ui_frame *f = e->f;
    int S = W < H ? W : H; /* the height on landscape screens */
    int min_px = (S * 5 + 99) / 100, question_px = 0;
    assert_false(f->full);
    for (size_t i = 0; i < f->n_cmds; i++) {
        const ui_cmd *c = &f->cmds[i];
        if (c->kind != UI_CMD_TEXT)
            continue;
        if (c->px < min_px)
            fail_msg("%s %dx%d: \"%s\" at %d px, below 5%% of %d", what, W, H, c->text, c->px, S);
        if (!inside(c->rect, W, H))
            fail_msg("%s %dx%d: \"%s\" outside the screen", what, W, H, c->text);
        if (!question_px)
            question_px = c->px;
    }
    for (size_t i = 0; i < f->n_widgets; i++) {
        const ui_widget *w = &f->widgets[i];
        if (w->overflow)
            fail_msg("%s %dx%d: \"%s\" does not fit its box", what, W, H, w->label);
        for (size_t k = i + 1; k < f->n_widgets; k++)
            if (ui_rect_overlaps(w->rect, f->widgets[k].rect))
                fail_msg("%s %dx%d: \"%s\" overlaps \"%s\"", what, W, H, w->label,
                         f->widgets[k].label);
    }
    return question_px;
}

static bool frame_has(const ui_frame *f, const char *label)
{
    for (size_t i = 0; i < f->n_widgets; i++)
        if (f->widgets[i].label && strcmp(f->widgets[i].label, label) == 0)
            return true;
    return false;
}

/* Draws e->f with the real SDL backend (software, no window) into
 * live-shots/NAME.png, for people to look at. */
static void save_frame(layout_env *e, const char *name)
{
    SDL_Surface *surf =
        SDL_CreateRGBSurfaceWithFormat(0, e->f->width, e->f->height, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    assert_non_null(sr);
    ui_renderer *r = ui_renderer_create(sr, e->fonts);
    assert_non_null(r);
    ui_renderer_draw(r, e->f, ui_theme_default()->background);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.png", SHOTS, name);
    assert_int_equal(ui_renderer_save_png(sr, path), 0);
    ui_renderer_destroy(r);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
}

static void test_presenter_layout_1080p_and_4k(void **state)
{
    (void)state;
    layout_env e;
    layout_open(&e);
    const ui_theme *t = ui_theme_default();
    const survey_question *budget = survey_find_question(e.s, "budget");
    const survey_question *idee = survey_find_question(e.s, "idee");
    results bars = {.type = SURVEY_Q_CHOICE,
                    .votes = 100,
                    .held_apart = 3,
                    .n_bars = 5,
                    .bars = {12, 30, 7, 0, 51}};
    results cloud = {.type = SURVEY_Q_TEXT, .votes = 57};
    static const char *const words[] = {
        "bankjes",     "groen",      "speeltuin", "verlichting", "parkeren", "bomen",
        "fietspad",    "hondenpoep", "buurthuis", "markt",       "water",    "zwembad",
        "jongeren",    "ouderen",    "bus",       "veiligheid",  "afval",    "feest",
        "bibliotheek", "moestuin",   "bloemen",   "stilte",      "wifi",     "koffie",
        "ontmoeten",   "kunst",      "muziek",    "sport",       "school",   "winkel"};
    cloud.n_words = sizeof words / sizeof words[0];
    for (size_t i = 0; i < cloud.n_words; i++) {
        snprintf(cloud.words[i].word, sizeof cloud.words[i].word, "%s", words[i]);
        cloud.words[i].count = i < 3 ? 20 - (int64_t)i * 5 : i < 10 ? 4 : 1;
    }
    static const char *const latest[] = {
        "Meer bankjes bij de vijver, en een paar bomen erbij voor de schaduw in de zomer als het "
        "warm is en de kinderen buiten spelen",
        "Een speeltuin",
        "Verlichting op het fietspad naar het station, want het is daar 's "
        "avonds heel donker",
        "Minder hondenpoep!"};
    cloud.n_latest = 4;
    for (size_t i = 0; i < 4; i++)
        snprintf(cloud.latest[i].text, sizeof cloud.latest[i].text, "%s", latest[i]);

    static const int sizes[][2] = {{1920, 1080}, {3840, 2160}, {1280, 800}, {1080, 1920}};
    int qpx[4][2];
    for (size_t k = 0; k < 4; k++) {
        int W = sizes[k][0], H = sizes[k][1];
        live_board b = {.q = budget, .lang = 0, .ui_lang = "nl", .res = &bars};
        ui_frame_reset(e.f, W, H);
        live_layout_board(e.f, &e.te, t, (ui_rect){0, 0, W, H}, &b);
        qpx[k][0] = check_board(&e, W, H, "bars");
        char name[64];
        snprintf(name, sizeof name, "presenter-%dx%d-bars", W, H);
        if (k != 1) /* 4K is slow to write; it is the same layout */
            save_frame(&e, name);
        assert_true(frame_has(e.f, "100 stemmen"));
        assert_true(frame_has(e.f, "3 snelle herhalingen apart gehouden"));
        assert_true(frame_has(e.f, "51%"));
        assert_true(frame_has(e.f, "(51)"));
        assert_true(frame_has(e.f, "Kinderen en jongeren"));
        /* The yellow fills: as long as their share of one track width. */
        int fills[5], n = 0, track = 0;
        for (size_t i = 0; i < e.f->n_cmds; i++) {
            const ui_cmd *c = &e.f->cmds[i];
            if (c->kind == UI_CMD_FILL && c->color.a == 40)
                track = c->rect.w;
            if (c->kind == UI_CMD_FILL && c->color.r == 0xFF && c->color.g == 0xC8 && n < 5)
                fills[n++] = c->rect.w;
        }
        assert_int_equal(n, 4); /* 0 votes: no fill */
        static const int shares[] = {12, 30, 7, 51};
        for (int i = 0; i < 4; i++)
            if (abs(fills[i] - (int)lround(track * shares[i] / 100.0)) > 1)
                fail_msg("%dx%d: bar %d is %d px of %d, expected %d%%", W, H, i, fills[i], track,
                         shares[i]);

        b = (live_board){.q = idee, .lang = 0, .ui_lang = "nl", .res = &cloud};
        ui_frame_reset(e.f, W, H);
        live_layout_board(e.f, &e.te, t, (ui_rect){0, 0, W, H}, &b);
        qpx[k][1] = check_board(&e, W, H, "word cloud");
        snprintf(name, sizeof name, "presenter-%dx%d-wordcloud", W, H);
        if (k != 1)
            save_frame(&e, name);
        assert_true(frame_has(e.f, "57 antwoorden"));
        assert_true(frame_has(e.f, "bankjes"));
        assert_true(frame_has(e.f, "Laatste antwoorden"));
        /* The most frequent word is the largest text. */
        int px_bankjes = 0, px_max = 0;
        for (size_t i = 0; i < e.f->n_cmds; i++) {
            const ui_cmd *c = &e.f->cmds[i];
            if (c->kind != UI_CMD_TEXT)
                continue;
            if (strcmp(c->text, "bankjes") == 0)
                px_bankjes = c->px;
            if (strcmp(c->text, "speeltuin") == 0 || strcmp(c->text, "winkel") == 0)
                px_max = c->px > px_max ? c->px : px_max;
        }
        assert_true(px_bankjes > px_max);
        print_message("%dx%d: question %d px, word cloud %zu widgets\n", W, H, qpx[k][0],
                      e.f->n_widgets);
    }
    /* 4K is the same layout at twice the size. */
    assert_true(abs(qpx[1][0] - 2 * qpx[0][0]) <= 2);
    layout_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hide_answer_and_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_switch_and_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_presenter_window, setup, teardown),
        cmocka_unit_test(test_presenter_layout_1080p_and_4k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
