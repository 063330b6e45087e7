/* test_ui_render.c: Turkish and Arabic. Glyph coverage: every code point
 * of every text the kiosk can show in tr and ar (world.json, the kiosk's
 * own words, area names, every key of the Turkish and Arabic on-screen
 * keyboards, typed text with the cursor) is in the bundled
 * font the renderer picks for it, so nothing is drawn as a .notdef box.
 * Screens: a replay in tr and ar (tests/data/ui/world.ini) stores the
 * right values, and its screenshots have the title drawn, Turkish question
 * text starting at the left margin and Arabic at the right margin, button
 * labels inside their buttons. Numbers inside Arabic text read left to
 * right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL_ttf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strings.h"
#include "test_ui_util.h"
#include "text_entry.h"

#define FONTS BK_SOURCE_DIR "/assets/fonts"
#define W 1280
#define H 800

/* ---- Glyph coverage ---- */

typedef struct coverage {
    TTF_Font *latin[2], *arabic[2]; /* regular, bold */
    int missing;
} coverage;

/* The next code point of *p (UTF-8), advancing *p; 0xFFFD when invalid. */
static uint32_t next_cp(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t cp;
    int n;
    if (s[0] < 0x80) {
        cp = s[0];
        n = 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1F;
        n = 2;
    } else if ((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0F;
        n = 3;
    } else {
        cp = s[0] & 0x07;
        n = 4;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p += i;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    *p += n;
    return cp;
}

/* Checks every code point of text in the fonts the renderer uses for it
 * (ui_sdl.c): Noto Sans for a left-to-right text; in a text with
 * right-to-left script, Noto Sans Arabic for the Arabic letters, and for
 * every other character Noto Sans Arabic where it has the glyph, else the
 * Noto Sans fallback. Regular and bold. */
static void cover(coverage *c, const char *where, const char *text)
{
    if (!text)
        return;
    bool rtl = ui_text_is_rtl(text);
    for (int b = 0; b < 2; b++)
        for (const char *p = text; *p;) {
            uint32_t cp = next_cp(&p);
            if (cp == '\n' || cp == 0x200F || cp == 0x200E)
                continue;
            bool arabic_letter = (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
                                 (cp >= 0xFE70 && cp <= 0xFEFF);
            bool in_arabic = TTF_GlyphIsProvided32(c->arabic[b], cp);
            bool in_latin = TTF_GlyphIsProvided32(c->latin[b], cp);
            bool ok = rtl ? (arabic_letter ? in_arabic : in_arabic || in_latin) : in_latin;
            if (!ok) {
                c->missing++;
                fprintf(stderr, "  U+%04X missing in %s%s, used in %s: \"%s\"\n", (unsigned)cp,
                        rtl && arabic_letter ? "NotoSansArabic" : "NotoSans",
                        b ? "-Bold" : "-Regular", where, text);
            }
        }
}

static TTF_Font *open_font(const char *file)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", FONTS, file);
    TTF_Font *f = TTF_OpenFont(path, 32);
    if (!f)
        fail_msg("cannot open %s: %s", path, TTF_GetError());
    return f;
}

static void test_glyph_coverage(void **state)
{
    (void)state;
    assert_int_equal(TTF_Init(), 0);
    coverage c = {0};
    c.latin[0] = open_font("NotoSans-Regular.ttf");
    c.latin[1] = open_font("NotoSans-Bold.ttf");
    c.arabic[0] = open_font("NotoSansArabic-Regular.ttf");
    c.arabic[1] = open_font("NotoSansArabic-Bold.ttf");

    /* The letters this test is about are really there. */
    static const uint32_t turkish[] = {0x011F, 0x015F, 0x0131, 0x0130, 0x00E7, 0x00F6, 0x00FC};
    for (size_t i = 0; i < sizeof turkish / sizeof turkish[0]; i++)
        assert_true(TTF_GlyphIsProvided32(c.latin[0], turkish[i]));

    bk_diag diag = {0};
    survey *s = survey_load_file(UT_DATA "/surveys-world/world.json", &diag);
    diag_print(&diag, stderr);
    diag_clear(&diag);
    assert_non_null(s);
    for (size_t l = 0; l < s->n_languages; l++) {
        char where[64];
        snprintf(where, sizeof where, "world.json (%s)", s->languages[l]);
        cover(&c, where, survey_text_get(&s->title, (int)l));
        for (size_t i = 0; i < s->n_questions; i++) {
            const survey_question *q = &s->questions[i];
            cover(&c, where, survey_text_get(&q->text, (int)l));
            cover(&c, where, survey_text_get(&q->help, (int)l));
            for (int k = 0; k < SURVEY_SCALE_POINTS; k++)
                cover(&c, where, survey_text_get(&q->labels[k], (int)l));
            for (size_t o = 0; o < q->n_options; o++)
                cover(&c, where, survey_text_get(&q->options[o].label, (int)l));
        }
    }
    survey_free(s);

    /* The kiosk's own words, with numbers filled in as the screens do. */
    static const char *const langs[] = {"tr", "ar"};
    for (size_t l = 0; l < 2; l++)
        for (int id = 0; id < STR_COUNT; id++) {
            char where[64], text[512];
            snprintf(where, sizeof where, "strings.c (%s, id %d)", langs[l], id);
            const char *fmt = str_get(langs[l], (str_id)id);
            if (strstr(fmt, "%d")) {
                /* Every %d of these texts gets a number. */
                snprintf(text, sizeof text, "%s", fmt);
                for (char *p; (p = strstr(text, "%d"));) {
                    p[0] = '2';
                    p[1] = '8';
                }
                cover(&c, where, text);
            } else {
                cover(&c, where, fmt);
            }
        }

    /* Area names in tr and ar, and typed text with the cursor after it. */
    bk_config cfg;
    assert_int_equal(config_load(UT_DATA "/world.ini", &cfg, &diag), BK_OK);
    diag_clear(&diag);
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < cfg.n_areas; i++)
            cover(&c, "world.ini areas", config_area_name(&cfg, cfg.areas[i].id, langs[l]));
    config_free(&cfg);
    /* Every key of the Turkish and Arabic keyboards, both layers, with and
     * without shift, as text_entry_build labels them. */
    for (size_t l = 0; l < 2; l++)
        for (int layer = 0; layer < 2; layer++)
            for (int shift = 0; shift < 2; shift++) {
                text_entry te;
                text_entry_clear(&te);
                te.second_layer = layer;
                te.shift = shift;
                char where[64];
                snprintf(where, sizeof where, "the %s keyboard (layer %d%s)", langs[l], layer + 1,
                         shift ? ", shift" : "");
                for (int k = 0; k < TEXT_ENTRY_KEYS; k++) {
                    char label[32];
                    int special;
                    text_entry_key(&te, langs[l], k, label, sizeof label, &special);
                    cover(&c, where, special == STR_COUNT ? label : str_get(langs[l], special));
                }
            }
    cover(&c, "the text field (ar)", "لا شكرا ١٢ أ؟|");
    cover(&c, "the text field (tr)", "Daha çok ağaç, şu an ılık İzmir gibi|");
    cover(&c, "the text field (ar)", "مزيد من الأشجار|");

    for (int b = 0; b < 2; b++) {
        TTF_CloseFont(c.latin[b]);
        TTF_CloseFont(c.arabic[b]);
    }
    TTF_Quit();
    if (c.missing)
        fail_msg("%d glyphs would be drawn as .notdef boxes (listed above)", c.missing);
}

/* ---- Screens ---- */

typedef struct rects {
    ui_rect title[2];    /* tr, ar */
    ui_rect question[2]; /* the first question's text box */
    int line_h[2];       /* of its first line */
} rects;

static ui_rect widget_rect(app *a, const char *label)
{
    const ui_widget *w = ut_find_label(a, label);
    if (!w)
        fail_msg("no (single) widget \"%s\" on screen %d", label, (int)a->screen);
    return w->rect;
}

/* The line height of the text command that draws label. */
static int text_line_h(app *a, const char *label)
{
    for (size_t i = 0; i < a->frame->n_cmds; i++) {
        const ui_cmd *c = &a->frame->cmds[i];
        if (c->kind == UI_CMD_TEXT && c->text && strcmp(c->text, label) == 0)
            return a->text.line_height(a->text.ctx, c->px);
    }
    fail_msg("no text command draws \"%s\"", label);
    return 0;
}

/* Where the screens put the title and the first question, from the same
 * layout code at the same size. */
static void layout_rects(const char *dir, rects *out)
{
    static const char *const titles[2] = {"Mahalle anketi Oosterhout", "استطلاع الحي في أوسترهاوت"};
    static const char *const questions[2] = {
        "İnsanlar mahallede birbirine yardım ediyor ve güzel şeyler yapıyor",
        "الناس في الحي يساعدون بعضهم البعض"};
    ut_app u;
    ut_app_open(&u, UT_DATA "/world.ini", dir, W, H);
    for (int l = 0; l < 2; l++) {
        app_set_language(u.a, l);
        out->title[l] = widget_rect(u.a, titles[l]);
    }
    app_set_language(u.a, 0);
    ut_wait(u.a, 1000);
    ut_tap_action(u.a, UI_ACT_START, INT32_MIN);
    for (int l = 0; l < 2; l++) {
        app_set_language(u.a, l);
        out->question[l] = widget_rect(u.a, questions[l]);
        out->line_h[l] = text_line_h(u.a, questions[l]);
    }
    ut_app_close(&u);
}

typedef struct shots_fixture {
    char dir[512];
    char shots[PATH_MAX];
    rects r;
} shots_fixture;

static int shots_setup(void **state)
{
    shots_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "render");
    snprintf(fx->shots, sizeof fx->shots, "%s/shots", fx->dir);
    char db[PATH_MAX];
    snprintf(db, sizeof db, "%s/kiosk.db", fx->dir);
    int rc = ut_run_kiosk(fx->dir, UT_DATA "/world.ini", db, "1280x800",
                          UT_REPLAYS "/world-tr-ar.replay", fx->shots);
    if (rc != 0) {
        fprintf(stderr, "world-tr-ar.replay: the kiosk exited with %d\n", rc);
        free(fx);
        return -1;
    }
    ut_db rows;
    ut_db_load(db, &rows);
    assert_int_equal(rows.n, 2);
    assert_string_equal(rows.r[0].language, "tr");
    assert_string_equal(rows.r[0].status, "complete");
    ut_expect_answer(&rows.r[0], "mutluluk", "5");
    ut_expect_answer(&rows.r[0], "park", "\"bazen\"");
    ut_expect_answer(&rows.r[0], "fikir", "\"Daha çok ağaç, şu an ılık İzmir gibi\"");
    assert_string_equal(rows.r[1].language, "ar");
    assert_string_equal(rows.r[1].status, "complete");
    ut_expect_answer(&rows.r[1], "mutluluk", "4");
    ut_expect_answer(&rows.r[1], "park", "\"bazen\"");
    ut_expect_answer(&rows.r[1], "fikir", "\"مزيد من الأشجار\"");
    ut_db_free(&rows);
    layout_rects(fx->dir, &fx->r);
    *state = fx;
    return 0;
}

static int shots_teardown(void **state)
{
    shots_fixture *fx = *state;
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

static SDL_Surface *shot(const shots_fixture *fx, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.png", fx->shots, name);
    SDL_Surface *s = ut_png_load(path);
    assert_int_equal(s->w, W);
    assert_int_equal(s->h, H);
    return s;
}

#define INK 0xFFFFFF /* text on the page background */
#define INK_TOL 90   /* anti-aliased edges count too */

static SDL_Rect sdl_rect(ui_rect r)
{
    return (SDL_Rect){r.x, r.y, r.w, r.h};
}

static void test_title_is_drawn(void **state)
{
    shots_fixture *fx = *state;
    static const char *const names[2] = {"tr-attract", "ar-attract"};
    for (int l = 0; l < 2; l++) {
        SDL_Surface *s = shot(fx, names[l]);
        SDL_Rect r = sdl_rect(fx->r.title[l]);
        long ink = ut_count_color(s, r, INK, INK_TOL);
        SDL_Rect box = ut_bbox_color(s, r, INK, INK_TOL);
        printf("  %s: %ld text pixels in the title box, ink {%d,%d %dx%d}\n", names[l], ink, box.x,
               box.y, box.w, box.h);
        /* A centred title of some width. */
        assert_true(ink > 500);
        assert_true(box.w > W / 5);
        int centre = box.x + box.w / 2;
        assert_true(abs(centre - W / 2) < W / 20);
        SDL_FreeSurface(s);
    }
}

static void test_question_alignment(void **state)
{
    shots_fixture *fx = *state;
    static const char *const names[2] = {"tr-question", "ar-question"};
    for (int l = 0; l < 2; l++) {
        SDL_Surface *s = shot(fx, names[l]);
        ui_rect q = fx->r.question[l];
        /* The first line of the question only (answers come below). */
        SDL_Rect line = {q.x, q.y, q.w, fx->r.line_h[l]};
        SDL_Rect left = {q.x, q.y, q.w / 10, fx->r.line_h[l]};
        SDL_Rect right = {q.x + q.w - q.w / 10, q.y, q.w / 10, fx->r.line_h[l]};
        long n_left = ut_count_color(s, left, INK, INK_TOL);
        long n_right = ut_count_color(s, right, INK, INK_TOL);
        SDL_Rect box = ut_bbox_color(s, line, INK, INK_TOL);
        printf("  %s: question box {%d,%d %dx%d}, ink {%d,%d %dx%d}, %ld px in the left tenth, "
               "%ld in the right tenth\n",
               names[l], q.x, q.y, q.w, q.h, box.x, box.y, box.w, box.h, n_left, n_right);
        assert_true(box.w > 0);
        if (l == 0) { /* Turkish: from the left margin */
            assert_true(n_left > 50);
            assert_true(box.x <= q.x + W / 100);
        } else { /* Arabic: from the right margin, nothing at the left */
            assert_true(n_right > 50);
            assert_int_equal(n_left, 0);
            assert_true(box.x + box.w >= q.x + q.w - W / 50);
        }
        SDL_FreeSurface(s);
    }
}

/* The dark label ink (#00264D) of each white button lies inside it and is
 * centred vertically, clear of the edge by an eighth of the button's
 * height (Arabic glyphs sit lower than Latin ones). */
static void test_button_labels_inside_buttons(void **state)
{
    shots_fixture *fx = *state;
    static const char *const names[] = {"tr-question", "tr-choice", "ar-question", "ar-choice",
                                        "ar-text"};
    int bad = 0;
    char dir[512];
    ut_tmpdir(dir, sizeof dir, "render-buttons");
    ut_app u;
    ut_app_open(&u, UT_DATA "/world.ini", dir, W, H);
    ut_wait(u.a, 1000);
    ut_tap_action(u.a, UI_ACT_START, INT32_MIN);
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        int l = names[n][0] == 'a';
        app_set_language(u.a, l);
        /* The screen of the screenshot: question 1, 2 or 3. */
        size_t want = strstr(names[n], "question") ? 0 : strstr(names[n], "choice") ? 1 : 2;
        u.a->flow.current = want;
        u.a->dirty = true;
        ut_app_layout(u.a);
        SDL_Surface *s = shot(fx, names[n]);
        for (size_t i = 0; i < u.a->frame->n_widgets; i++) {
            const ui_widget *w = &u.a->frame->widgets[i];
            if (!w->action || !w->label || w->action == UI_ACT_KEY)
                continue;
            SDL_Rect r = sdl_rect(w->rect);
            /* Only plain (white) buttons: the surface colour near the top. */
            SDL_Color c = ut_pixel(s, r.x + r.w / 2, r.y + 4);
            if (!ut_color_near(c, 0xFFFFFF, 8))
                continue;
            /* Inside the rounded corners and the edge; the page blue is
             * close to the ink colour, so the tolerance is small. */
            int inset = r.h / 8;
            SDL_Rect inner = {r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset};
            SDL_Rect ink = ut_bbox_color(s, inner, 0x00264D, 16);
            if (!ink.w)
                continue;
            int off = (ink.y + ink.h / 2) - (r.y + r.h / 2);
            bool centred = abs(off) * 5 <= r.h; /* within 20% of the height */
            bool inside = ink.y > inner.y && ink.y + ink.h < inner.y + inner.h;
            if (!centred || !inside) {
                bad++;
                fprintf(stderr,
                        "  %s: label \"%s\" of button {%d,%d %dx%d}: ink {%d,%d %dx%d}, %d px "
                        "off centre%s\n",
                        names[n], w->label, r.x, r.y, r.w, r.h, ink.x, ink.y, ink.w, ink.h, off,
                        inside ? "" : ", touching the edge");
            }
        }
        SDL_FreeSurface(s);
    }
    ut_app_close(&u);
    ut_rmtree(dir);
    if (bad)
        fail_msg("%d button labels are not centred inside their buttons (listed above)", bad);
}

/* ---- Numbers in right-to-left text ---- */

/* Columns of s (y range all) that hold ink brighter than 128, as runs. */
static int ink_runs(const SDL_Surface *s, int *x0, int *x1, int max)
{
    int n = 0, start = -1;
    for (int x = 0; x <= s->w; x++) {
        bool ink = false;
        for (int y = 0; x < s->w && y < s->h && !ink; y++)
            ink = ut_pixel(s, x, y).r > 128;
        if (ink && start < 0)
            start = x;
        if (!ink && start >= 0) {
            if (n < max) {
                x0[n] = start;
                x1[n] = x;
            }
            n++;
            start = -1;
        }
    }
    return n;
}

static void test_arabic_numbers_read_left_to_right(void **state)
{
    (void)state;
    /* "ب 10": the number comes after the letter, so in right-to-left text
     * it stands to the left of it, and reads "10": the narrow "1" first.
     * Drawn by the kiosk's own renderer into a software surface. */
    assert_int_equal(TTF_Init(), 0);
    ui_fonts *fonts = ui_fonts_open(FONTS);
    assert_non_null(fonts);
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, 600, 160, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(surface);
    SDL_Renderer *sdl = SDL_CreateSoftwareRenderer(surface);
    assert_non_null(sdl);
    ui_renderer *r = ui_renderer_create(sdl, fonts);
    assert_non_null(r);
    ui_text_engine te = ui_fonts_engine(fonts);
    ui_frame *f = calloc(1, sizeof *f);
    assert_non_null(f);
    static const char *const texts[] = {"\xD8\xA8 10", "\xD8\xA8 12"}; /* "ب 10", "ب 12" */
    int bad = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        ui_frame_reset(f, 600, 160);
        bool over;
        ui_text_draw(f, &te, (ui_rect){20, 20, 560, 120}, texts[t], 80, 80, true,
                     (ui_color){255, 255, 255, 255}, UI_ALIGN_LEFT, &over);
        ui_renderer_draw(r, f, (ui_color){0, 0, 0, 255});
        SDL_RenderPresent(sdl);
        int x0[8], x1[8];
        int n = ink_runs(surface, x0, x1, 8);
        printf("  \"%s\": %d ink runs:", texts[t], n);
        for (int i = 0; i < n && i < 8; i++)
            printf(" [%d..%d)", x0[i], x1[i]);
        printf("\n");
        /* Left to right on the screen: the number's two digits, then the letter. */
        assert_true(n >= 3);
        int w_first = x1[0] - x0[0], w_second = x1[1] - x0[1];
        if (!(w_first < w_second)) {
            bad++;
            fprintf(stderr,
                    "  \"%s\" shows its digits reversed: the leftmost digit is %d px wide, the "
                    "next %d px (\"1\" is the narrow one)\n",
                    texts[t], w_first, w_second);
        }
    }
    free(f);
    ui_renderer_destroy(r);
    SDL_DestroyRenderer(sdl);
    SDL_FreeSurface(surface);
    ui_fonts_close(fonts);
    TTF_Quit();
    if (bad)
        fail_msg(
            "numbers in Arabic text are drawn right to left (e.g. \"بقي 265 حرفا\" shows 562)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glyph_coverage),
        cmocka_unit_test(test_title_is_drawn),
        cmocka_unit_test(test_question_alignment),
        cmocka_unit_test(test_button_labels_inside_buttons),
        cmocka_unit_test(test_arabic_numbers_read_left_to_right),
    };
    /* The screenshots come from one run of the kiosk. */
    const struct CMUnitTest first[] = {tests[0]};
    const struct CMUnitTest screens[] = {tests[1], tests[2], tests[3]};
    const struct CMUnitTest last[] = {tests[4]};
    int failed = cmocka_run_group_tests_name("glyphs", first, NULL, NULL);
    failed += cmocka_run_group_tests_name("screens", screens, shots_setup, shots_teardown);
    failed += cmocka_run_group_tests_name("numbers", last, NULL, NULL);
    return failed;
}
