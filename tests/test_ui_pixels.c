/* test_ui_pixels.c: screenshots of one replay (tests/replays/pixels.replay,
 * demo config, 1280x800) checked by regions and colours, not bytes: the
 * start screen's page blue and its yellow "Doe mee" in the middle; an
 * answer turns yellow at once and is still yellow after "Terug"; the idle
 * overlay dims everything but its card; "Meer contrast" turns the page
 * black, also on the thank-you screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_ui_util.h"

#define W 1280
#define H 800
#define MARGIN (W * 5 / 100)
#define PAGE 0x003B73
#define YELLOW 0xFFC800
#define HC_YELLOW 0xFFE000
#define INK 0x00264D

typedef struct fixture {
    char dir[512];
    char shots[PATH_MAX];
} fixture;

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "pixels");
    snprintf(fx->shots, sizeof fx->shots, "%s/shots", fx->dir);
    char db[PATH_MAX];
    snprintf(db, sizeof db, "%s/kiosk.db", fx->dir);
    int rc = ut_run_kiosk(fx->dir, UT_DATA "/demo.ini", db, "1280x800", UT_REPLAYS "/pixels.replay",
                          fx->shots);
    if (rc != 0) {
        fprintf(stderr, "pixels.replay: the kiosk exited with %d\n", rc);
        ut_rmtree(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

static SDL_Surface *shot(void **state, const char *name)
{
    fixture *fx = *state;
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.png", fx->shots, name);
    SDL_Surface *s = ut_png_load(path);
    assert_int_equal(s->w, W);
    assert_int_equal(s->h, H);
    return s;
}

static void expect_pixel(const SDL_Surface *s, const char *name, int x, int y, uint32_t rgb)
{
    SDL_Color c = ut_pixel(s, x, y);
    if (!ut_color_near(c, rgb, 3))
        fail_msg("%s: pixel (%d,%d) is #%02X%02X%02X, expected #%06X", name, x, y, c.r, c.g, c.b,
                 (unsigned)rgb);
}

/* The big button of colour rgb on the vertical centre line: its rect. */
static SDL_Rect button_on_centre_line(const SDL_Surface *s, uint32_t rgb)
{
    int best0 = 0, best_len = 0;
    for (int y = 0, start = -1; y <= s->h; y++) {
        bool in = y < s->h && ut_color_near(ut_pixel(s, s->w / 2, y), rgb, 10);
        if (in && start < 0)
            start = y;
        if (!in && start >= 0) {
            if (y - start > best_len) {
                best_len = y - start;
                best0 = start;
            }
            start = -1;
        }
    }
    if (!best_len)
        return (SDL_Rect){0, 0, 0, 0};
    /* Its width along a row above the label, below the rounded corners. */
    int ym = best0 + best_len / 6, x0 = s->w / 2, x1 = s->w / 2;
    while (x0 > 0 && ut_color_near(ut_pixel(s, x0 - 1, ym), rgb, 10))
        x0--;
    while (x1 < s->w - 1 && ut_color_near(ut_pixel(s, x1 + 1, ym), rgb, 10))
        x1++;
    return (SDL_Rect){x0, best0, x1 - x0 + 1, best_len};
}

static void expect_start_button(const SDL_Surface *s, const char *name, uint32_t yellow)
{
    SDL_Rect b = button_on_centre_line(s, yellow);
    printf("  %s: \"Doe mee\" button {%d,%d %dx%d}\n", name, b.x, b.y, b.w, b.h);
    double mm = 96 / 25.4; /* demo config: dpi = 96 */
    if (!b.w)
        fail_msg("%s: no #%06X button on the centre line", name, (unsigned)yellow);
    assert_true(abs(b.x + b.w / 2 - W / 2) <= W / 50); /* centred */
    assert_true(b.w >= W / 4);
    assert_true(b.h >= 15 * mm);
    int ym = b.y + b.h / 2;
    assert_true(ym > H * 3 / 10 && ym < H * 7 / 10); /* in the middle */
    /* Its label: dark ink inside. */
    long ink = ut_count_color(s, b, INK, 40);
    if (yellow == HC_YELLOW)
        ink = ut_count_color(s, b, 0x000000, 40);
    printf("  %s: %ld label pixels in it\n", name, ink);
    assert_true(ink > 300);
}

static void test_attract_colours(void **state)
{
    SDL_Surface *s = shot(state, "attract");
    expect_pixel(s, "attract", 4, 4, PAGE);
    expect_pixel(s, "attract", 4, H - 5, PAGE);
    expect_pixel(s, "attract", W - 5, H / 2, PAGE);
    expect_pixel(s, "attract", W / 2, 4, PAGE);
    expect_start_button(s, "attract", YELLOW);
    SDL_FreeSurface(s);
}

/* Which of the five scale buttons (0..4, left to right) is yellow in the
 * answer band; -1 for none, -2 when the yellow is wider than one. */
static int yellow_scale_button(const SDL_Surface *s)
{
    SDL_Rect band = {0, H / 5, W, H * 7 / 10};
    SDL_Rect y = ut_bbox_color(s, band, YELLOW, 10);
    if (!y.w)
        return -1;
    int col_w = (W - 2 * MARGIN) / 5;
    if (y.w > col_w + 8)
        return -2;
    return (y.x + y.w / 2 - MARGIN) / col_w;
}

static void test_selected_answer_is_yellow(void **state)
{
    SDL_Surface *fresh = shot(state, "q1-fresh");
    SDL_Surface *sel = shot(state, "q1-selected");
    SDL_Surface *back = shot(state, "q1-back");
    int f = yellow_scale_button(fresh), s = yellow_scale_button(sel), b = yellow_scale_button(back);
    printf("  yellow scale button: fresh %d, just tapped %d, after \"Terug\" %d\n", f, s, b);
    assert_int_equal(f, -1);
    assert_int_equal(s, 3); /* "Mee eens", the fourth */
    assert_int_equal(b, 3);
    /* The label stays readable on the yellow: dark ink inside it. */
    SDL_Rect band = {0, H / 5, W, H * 7 / 10};
    SDL_Rect y = ut_bbox_color(sel, band, YELLOW, 10);
    assert_true(ut_count_color(sel, y, INK, 40) > 100);
    SDL_FreeSurface(fresh);
    SDL_FreeSurface(sel);
    SDL_FreeSurface(back);
}

static double mean_luma(const SDL_Surface *s, SDL_Rect r)
{
    double sum = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            SDL_Color c = ut_pixel(s, x, y);
            sum += 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
        }
    return sum / ((double)r.w * r.h);
}

static void test_idle_overlay_dims(void **state)
{
    SDL_Surface *idle = shot(state, "idle");
    SDL_Surface *after = shot(state, "q1-after-idle");
    /* Outside the card (the left and right sixths): much darker. */
    static const SDL_Rect sides[] = {{0, 0, W / 6, H}, {W - W / 6, 0, W / 6, H}};
    for (size_t i = 0; i < 2; i++) {
        double li = mean_luma(idle, sides[i]), la = mean_luma(after, sides[i]);
        printf("  idle: mean brightness of side %zu: %.1f, without the overlay %.1f\n", i, li, la);
        assert_true(li < la * 0.35);
        assert_int_equal(ut_count_color(idle, sides[i], PAGE, 3), 0);
        assert_int_equal(ut_count_color(idle, sides[i], 0xFFFFFF, 40), 0);
        assert_true(ut_count_color(after, sides[i], 0xFFFFFF, 40) > 1000);
    }
    /* The card is undimmed: page blue, and its yellow "Ja, ik ben er nog". */
    SDL_Rect card = {W / 4, H / 5, W / 2, H * 3 / 5};
    long blue = ut_count_color(idle, card, PAGE, 3);
    SDL_Rect yes = ut_bbox_color(idle, (SDL_Rect){W / 4, H / 2, W / 2, H / 2 - H / 10}, YELLOW, 10);
    printf("  idle: %ld page-blue pixels in the card, yellow button {%d,%d %dx%d}\n", blue, yes.x,
           yes.y, yes.w, yes.h);
    assert_true(blue > card.w * card.h / 4);
    assert_true(yes.w > W / 4);
    assert_true(abs(yes.x + yes.w / 2 - W / 2) <= W / 50);
    SDL_FreeSurface(idle);
    SDL_FreeSurface(after);
}

static void test_high_contrast_is_black(void **state)
{
    SDL_Surface *s = shot(state, "hc-attract");
    expect_pixel(s, "hc-attract", 4, 4, 0x000000);
    expect_pixel(s, "hc-attract", W - 5, H / 2, 0x000000);
    expect_start_button(s, "hc-attract", HC_YELLOW);
    SDL_FreeSurface(s);
    s = shot(state, "hc-text");
    expect_pixel(s, "hc-text", 4, 4, 0x000000);
    expect_pixel(s, "hc-text", W - 5, H / 2, 0x000000);
    SDL_FreeSurface(s);
}

/* A resident who chose "Meer contrast" and "A+" is thanked the same way:
 * the thank-you screen is part of their visit (like its language). */
static void test_thanks_keeps_contrast_and_text_size(void **state)
{
    SDL_Surface *s = shot(state, "hc-thanks");
    SDL_Color c = ut_pixel(s, 4, 4);
    printf("  hc-thanks: page colour #%02X%02X%02X\n", c.r, c.g, c.b);
    SDL_FreeSurface(s);
    fixture *fx = *state;
    ut_app u;
    ut_app_open(&u, UT_DATA "/demo.ini", fx->dir, W, H);
    ut_wait(u.a, 1000);
    ut_tap_action(u.a, UI_ACT_CONTRAST, INT32_MIN);
    ut_tap_action(u.a, UI_ACT_BIGGER_TEXT, INT32_MIN);
    ut_tap_action(u.a, UI_ACT_START, INT32_MIN);
    for (int i = 0; i < 20 && u.a->screen == APP_SCREEN_QUESTION; i++) {
        ut_wait(u.a, 2000);
        ut_tap_action(u.a, UI_ACT_SKIP, INT32_MIN);
    }
    assert_int_equal(u.a->screen, APP_SCREEN_THANKS);
    bool big = u.a->big_text, hc = u.a->high_contrast;
    ut_wait(u.a, APP_THANKS_MS + 1000);
    bool reset = !u.a->big_text && !u.a->high_contrast && u.a->screen == APP_SCREEN_ATTRACT;
    ut_app_close(&u);
    printf("  on the thank-you screen: big_text %d, high_contrast %d\n", big, hc);
    assert_true(reset); /* the next resident starts with the defaults */
    if (!ut_color_near(c, 0x000000, 3) || !big || !hc)
        fail_msg("the thank-you screen drops the resident's \"Meer contrast\" and \"A+\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attract_colours),
        cmocka_unit_test(test_selected_answer_is_yellow),
        cmocka_unit_test(test_idle_overlay_dims),
        cmocka_unit_test(test_high_contrast_is_black),
        cmocka_unit_test(test_thanks_keeps_contrast_and_text_size),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
