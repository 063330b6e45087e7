/* test_ui_layout.c: every resident screen (attract, every question fresh,
 * answered and under the idle overlay, thanks, out of service) of the demo
 * survey in nl and en, at normal and big text (A+), at 1920x1080, 1080x1920
 * and 1280x800, built in-process by screens_build with the real fonts. A
 * screen fails when a text does not fit its box, a tappable widget is
 * smaller than 15 mm at the config's dpi, tappable widgets overlap, a widget
 * lies outside the screen, or the frame ran out of room. The fixtures
 * showif.json (nl, en) and world.json (tr, ar: the text question with the
 * Turkish Q and Arabic keyboards, both layers, shift) are walked too, at
 * the same three sizes. A separate test checks the DESIGN-BRIEF's 2 mm
 * between targets, in all four languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_ui_util.h"

#define MAX_KINDS 256

/* One kind of problem (the same message on several screens counts once). */
typedef struct problem_kind {
    char msg[400];
    char first[128]; /* where it was seen first */
    int screens;
} problem_kind;

typedef struct layout_ctx {
    char where[96]; /* size, language, text size */
    bool spacing;   /* check the 2 mm between targets instead */
    problem_kind kinds[MAX_KINDS];
    int n_kinds;
    int problems;
} layout_ctx;

static void problem(layout_ctx *c, const char *screen, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->problems++;
    for (int i = 0; i < c->n_kinds; i++)
        if (strcmp(c->kinds[i].msg, msg) == 0) {
            c->kinds[i].screens++;
            return;
        }
    if (c->n_kinds == MAX_KINDS)
        return;
    char first[sizeof c->kinds[0].first];
    snprintf(first, sizeof first, "%s %s", c->where, screen);
    problem_kind *k = &c->kinds[c->n_kinds++];
    memcpy(k->msg, msg, sizeof k->msg);
    memcpy(k->first, first, sizeof k->first);
    k->screens = 1;
}

/* A short, printable form of a widget for messages. */
static const char *describe(const ui_widget *w, char *buf, size_t size)
{
    const char *label = w->label ? w->label : "(no label)";
    snprintf(buf, size, "\"%.40s%s\" {%d,%d %dx%d}", label, strlen(label) > 40 ? "..." : "",
             w->rect.x, w->rect.y, w->rect.w, w->rect.h);
    return buf;
}

static int gap_between(ui_rect a, ui_rect b)
{
    int dx = b.x >= a.x + a.w ? b.x - (a.x + a.w) : a.x >= b.x + b.w ? a.x - (b.x + b.w) : 0;
    int dy = b.y >= a.y + a.h ? b.y - (a.y + a.h) : a.y >= b.y + b.h ? a.y - (b.y + b.h) : 0;
    return dx > dy ? dx : dy;
}

static bool covers_screen(const app *a, const ui_widget *w)
{
    return w->rect.x <= 0 && w->rect.y <= 0 && w->rect.x + w->rect.w >= a->width &&
           w->rect.y + w->rect.h >= a->height;
}

static void check_frame(app *a, const char *screen, void *ctx)
{
    layout_ctx *c = ctx;
    const ui_frame *f = a->frame;
    double mm = app_px_per_mm(a);
    char d1[160], d2[160];
    if (c->spacing) {
        /* DESIGN-BRIEF: at least 2 mm between targets. */
        int best = -1;
        const ui_widget *bw = NULL, *bv = NULL;
        for (size_t i = 0; i < f->n_widgets; i++)
            for (size_t k = i + 1; k < f->n_widgets; k++) {
                const ui_widget *w = &f->widgets[i], *v = &f->widgets[k];
                if (!w->action || !v->action || ui_rect_overlaps(w->rect, v->rect))
                    continue;
                int gap = gap_between(w->rect, v->rect);
                if (gap + 0.5 < 2.0 * mm && (best < 0 || gap < best)) {
                    best = gap;
                    bw = w;
                    bv = v;
                }
            }
        if (bw)
            problem(c, screen, "targets %d px (%.1f mm) apart, 2 mm is %.1f px: e.g. %s and %s",
                    best, best / mm, 2.0 * mm, describe(bw, d1, sizeof d1),
                    describe(bv, d2, sizeof d2));
        return;
    }
    if (f->full)
        problem(c, screen, "the frame ran out of room (commands, widgets or text arena)");
    for (size_t i = 0; i < f->n_widgets; i++) {
        const ui_widget *w = &f->widgets[i];
        if (w->overflow)
            problem(c, screen, "%s: the text does not fit its box", describe(w, d1, sizeof d1));
        if (w->rect.x < 0 || w->rect.y < 0 || w->rect.x + w->rect.w > a->width ||
            w->rect.y + w->rect.h > a->height || w->rect.w <= 0 || w->rect.h <= 0)
            problem(c, screen, "%s lies (partly) outside the %dx%d screen",
                    describe(w, d1, sizeof d1), a->width, a->height);
        if (!w->action)
            continue;
        if (w->rect.w + 0.5 < 15.0 * mm || w->rect.h + 0.5 < 15.0 * mm)
            problem(c, screen, "%s is smaller than 15 mm (%.1f x %.1f mm at %.0f dpi)",
                    describe(w, d1, sizeof d1), w->rect.w / mm, w->rect.h / mm, a->dpi);
        for (size_t k = i + 1; k < f->n_widgets; k++) {
            const ui_widget *v = &f->widgets[k];
            if (!v->action || !ui_rect_overlaps(w->rect, v->rect))
                continue;
            /* A tap-anywhere area under everything else (thanks) is fine. */
            if (covers_screen(a, w))
                continue;
            problem(c, screen, "%s overlaps %s", describe(w, d1, sizeof d1),
                    describe(v, d2, sizeof d2));
        }
    }
}

/* Walks config's survey at w x h in every configured language, at both
 * text sizes; returns the number of problems (all printed). */
static int walk_all(const char *config, int w, int h, bool spacing)
{
    char dir[512];
    ut_tmpdir(dir, sizeof dir, "layout");
    ut_app u;
    ut_app_open(&u, config, dir, w, h);
    layout_ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->spacing = spacing;
    ut_walk_languages(&u, check_frame, c, c->where, sizeof c->where);
    ut_app_close(&u);
    ut_rmtree(dir);
    for (int i = 0; i < c->n_kinds; i++)
        fprintf(stderr, "  %s: %s%s\n", c->kinds[i].first, c->kinds[i].msg,
                c->kinds[i].screens > 1 ? " (and on more screens)" : "");
    int n = c->n_kinds;
    free(c);
    return n;
}

static void expect_clean(const char *config, int w, int h)
{
    int n = walk_all(config, w, h, false);
    if (n)
        fail_msg("%d kinds of layout problems at %dx%d (listed above)", n, w, h);
}

static void test_demo_1920x1080(void **state)
{
    (void)state;
    expect_clean(UT_DATA "/demo.ini", 1920, 1080);
}

static void test_demo_1080x1920(void **state)
{
    (void)state;
    expect_clean(UT_DATA "/demo.ini", 1080, 1920);
}

static void test_demo_1280x800(void **state)
{
    (void)state;
    expect_clean(UT_DATA "/demo.ini", 1280, 800);
}

static void test_showif_and_number(void **state)
{
    (void)state;
    expect_clean(UT_DATA "/showif.ini", 1920, 1080);
    expect_clean(UT_DATA "/showif.ini", 1080, 1920);
}

static void test_turkish_and_arabic(void **state)
{
    (void)state;
    expect_clean(UT_DATA "/world.ini", 1920, 1080);
    expect_clean(UT_DATA "/world.ini", 1080, 1920);
    expect_clean(UT_DATA "/world.ini", 1280, 800);
}

static void test_two_mm_between_targets(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1920, 1080}, {1080, 1920}, {1280, 800}};
    int n = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        n += walk_all(UT_DATA "/demo.ini", sizes[i][0], sizes[i][1], true);
        n += walk_all(UT_DATA "/world.ini", sizes[i][0], sizes[i][1], true);
    }
    if (n)
        fail_msg("%d screens with targets closer than 2 mm (listed above)", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_1920x1080),     cmocka_unit_test(test_demo_1080x1920),
        cmocka_unit_test(test_demo_1280x800),      cmocka_unit_test(test_showif_and_number),
        cmocka_unit_test(test_turkish_and_arabic), cmocka_unit_test(test_two_mm_between_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
