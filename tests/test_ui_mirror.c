/* test_ui_mirror.c: the resident screens mirrored for a right-to-left
 * language, built in-process by screens_build. On every screen of the
 * demo survey (nl, en) and the world fixture (tr, ar), at 1920x1080,
 * 1080x1920 and 1280x800: "Terug" stands left of "Volgende"/"Overslaan"
 * in a left-to-right language and right of them in Arabic, and nothing a
 * resident can tap lies in the hidden staff corner (top left, in every
 * language). In Arabic, on the world fixture: the scale runs from the
 * right, the progress bar fills from the right, the keyboard keeps its
 * physical order (ض left of د) and the hint stands right of the counter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "strings.h"
#include "test_ui_util.h"
#include "widgets.h"

typedef struct mirror_ctx {
    char where[64];
    int problems;
    int back_checked; /* screens with "Terug" and a button beside it */
} mirror_ctx;

static void check_frame(app *a, const char *screen, void *ctx)
{
    mirror_ctx *c = ctx;
    const ui_frame *f = a->frame;
    bool rtl = str_is_rtl(app_lang_code(a));
    metrics m = metrics_for(a);
    ui_rect corner = {0, 0, m.target, m.target};
    const ui_widget *back = NULL;
    for (size_t i = 0; i < f->n_widgets; i++) {
        const ui_widget *w = &f->widgets[i];
        if (w->action && ui_rect_overlaps(w->rect, corner) &&
            !(w->rect.x <= 0 && w->rect.w >= a->width)) {
            fprintf(stderr, "  %s %s: \"%s\" {%d,%d %dx%d} lies in the staff corner\n", c->where,
                    screen, w->label ? w->label : "", w->rect.x, w->rect.y, w->rect.w, w->rect.h);
            c->problems++;
        }
        if (w->action == UI_ACT_BACK)
            back = w;
    }
    if (!back)
        return;
    for (size_t i = 0; i < f->n_widgets; i++) {
        const ui_widget *w = &f->widgets[i];
        if (w->action != UI_ACT_NEXT && w->action != UI_ACT_SKIP)
            continue;
        c->back_checked++;
        bool back_right = back->rect.x > w->rect.x;
        if (back_right != rtl) {
            fprintf(stderr, "  %s %s: \"%s\" at x %d, \"%s\" at x %d\n", c->where, screen,
                    back->label, back->rect.x, w->label, w->rect.x);
            c->problems++;
        }
    }
}

static void walk(const char *config, int w, int h, mirror_ctx *c)
{
    char dir[512];
    ut_tmpdir(dir, sizeof dir, "mirror");
    ut_app u;
    ut_app_open(&u, config, dir, w, h);
    ut_walk_languages(&u, check_frame, c, c->where, sizeof c->where);
    ut_app_close(&u);
    ut_rmtree(dir);
}

static void test_back_and_staff_corner(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1920, 1080}, {1080, 1920}, {1280, 800}};
    mirror_ctx c = {0};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        walk(UT_DATA "/demo.ini", sizes[i][0], sizes[i][1], &c);
        walk(UT_DATA "/world.ini", sizes[i][0], sizes[i][1], &c);
    }
    assert_true(c.back_checked > 0);
    if (c.problems)
        fail_msg("%d mirroring problems (listed above)", c.problems);
}

/* The rect of the first tappable widget with act and arg; fails without. */
static ui_rect rect_of(app *a, ui_action act, int arg)
{
    const ui_widget *w = ut_find_action(a, act, arg);
    assert_non_null(w);
    return w->rect;
}

/* The progress bar's fill: the first command in the selected colour. */
static ui_rect progress_fill(app *a)
{
    const ui_color sel = metrics_for(a).theme->selected;
    for (size_t i = 0; i < a->frame->n_cmds; i++) {
        const ui_cmd *c = &a->frame->cmds[i];
        if (c->kind == UI_CMD_FILL && c->color.r == sel.r && c->color.g == sel.g &&
            c->color.b == sel.b)
            return c->rect;
    }
    fail_msg("no progress fill");
    return (ui_rect){0};
}

static void show(app *a, int lang)
{
    app_set_language(a, lang);
    a->dirty = true;
    ut_app_layout(a);
}

/* Opens the tr/ar kiosk (tests/data/ui/world.ini) at 1280x800 on a fresh
 * database in a new temporary folder dir (the caller removes it). */
static app *open_world(ut_app *u, char *dir, size_t size, const char *name)
{
    ut_tmpdir(dir, size, name);
    ut_app_open(u, UT_DATA "/world.ini", dir, 1280, 800);
    return u->a;
}

/* On the Arabic text question: the hint stands right of the counter
 * (mirrored once, not swapped twice). */
static void expect_hint_right_of_counter(app *a)
{
    const ui_widget *hint = ut_find_label(a, str_get("ar", STR_TEXT_HINT));
    assert_non_null(hint);
    const ui_widget *counter = hint + 1; /* drawn right after the hint */
    assert_non_null(counter->label);
    assert_int_equal(strncmp(counter->label, "بقي", strlen("بقي")), 0);
    assert_true(hint->rect.x > counter->rect.x);
}

static void test_arabic_mirrored_world(void **state)
{
    (void)state;
    char dir[512];
    ut_app u;
    app *a = open_world(&u, dir, sizeof dir, "mirror-world");
    ut_wait(a, 1000);
    ut_tap_action(a, UI_ACT_START, INT32_MIN);
    int margin = (int)(a->width * 0.05);
    for (int l = 0; l < 2; l++) { /* tr, then ar */
        show(a, l);
        bool ar = strcmp(app_lang_code(a), "ar") == 0;
        assert_int_equal(ar, l == 1);
        /* Question 1, a scale: 1 at the left in Turkish, at the right in Arabic. */
        ui_rect one = rect_of(a, UI_ACT_ANSWER, 1), five = rect_of(a, UI_ACT_ANSWER, 5);
        assert_true(ar ? one.x > five.x : one.x < five.x);
        /* The progress bar fills from where a line starts. */
        ui_rect fill = progress_fill(a);
        assert_true(fill.w > 0 && fill.w < a->width / 2);
        if (ar)
            assert_int_equal(fill.x + fill.w, a->width - margin);
        else
            assert_int_equal(fill.x, margin);
    }
    /* Question 3, the text: keyboard, hint and counter. */
    show(a, 0);
    for (int i = 0; i < 5 && a->flow.current < 2; i++) {
        ut_tap_action(a, UI_ACT_SKIP, INT32_MIN);
        ut_wait(a, 2000);
    }
    assert_int_equal(a->flow.current, 2);
    show(a, 1);
    const ui_widget *dad = ut_find_label(a, "ض"), *dal = ut_find_label(a, "د");
    assert_non_null(dad);
    assert_non_null(dal);
    assert_int_equal(dad->action, UI_ACT_KEY);
    assert_true(dad->rect.x < dal->rect.x);
    assert_true(dad->rect.y == dal->rect.y);
    expect_hint_right_of_counter(a);
    ui_rect back = rect_of(a, UI_ACT_BACK, INT32_MIN), next = rect_of(a, UI_ACT_NEXT, INT32_MIN);
    assert_true(back.x > next.x);
    ut_app_close(&u);
    ut_rmtree(dir);
}

/* Live mode: an attendee's screens in Arabic are mirrored too (the scale
 * runs from the right, "انتهيت" on the left, the keyboard in key order);
 * in Turkish they are not. */
static void test_arabic_live_mirrored(void **state)
{
    (void)state;
    char dir[512];
    ut_app u;
    app *a = open_world(&u, dir, sizeof dir, "mirror-live");
    assert_int_equal(app_choose_mode(a, CONFIG_MODE_LIVE), BK_OK);
    ut_wait(a, 100);
    assert_int_equal(a->screen, APP_SCREEN_MODULE);
    static const char *const first[2] = {"Kesinlikle katılmıyorum", "لا أوافق بشدة"};
    static const char *const last[2] = {"Kesinlikle katılıyorum", "أوافق بشدة"};
    for (int l = 0; l < 2; l++) { /* tr, then ar: question 1, the scale */
        show(a, l);
        const ui_widget *one = ut_find_label(a, first[l]), *five = ut_find_label(a, last[l]);
        assert_non_null(one);
        assert_non_null(five);
        assert_true(l == 1 ? one->rect.x > five->rect.x : one->rect.x < five->rect.x);
    }
    assert_int_equal(live_open_question(a, 2), BK_OK); /* the text question */
    for (int l = 0; l < 2; l++) {
        show(a, l);
        const char *lang = l == 1 ? "ar" : "tr";
        const ui_widget *done = ut_find_label(a, str_get(lang, STR_DONE));
        assert_non_null(done);
        if (l == 1)
            assert_true(done->rect.x + done->rect.w <= a->width / 2);
        else
            assert_true(done->rect.x >= a->width / 2);
    }
    const ui_widget *dad = ut_find_label(a, "ض"), *dal = ut_find_label(a, "د");
    assert_non_null(dad);
    assert_non_null(dal);
    assert_true(dad->rect.x < dal->rect.x);
    expect_hint_right_of_counter(a);
    ut_app_close(&u);
    ut_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_back_and_staff_corner),
        cmocka_unit_test(test_arabic_mirrored_world),
        cmocka_unit_test(test_arabic_live_mirrored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
