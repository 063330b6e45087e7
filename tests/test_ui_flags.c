/* test_ui_flags.c: end-to-end runs of the kiosk binary (see
 * test_ui_replay.c) for what happens between residents: the idle reset to
 * a partial response that the next resident never sees, and the flags
 * stored with a response: rapid, repeat and personal-data. */
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

static int setup(void **state)
{
    return ut_replay_setup(state);
}

static int teardown(void **state)
{
    return ut_replay_teardown(state);
}

/* True when the answer area (below the question, above the bottom bar) of
 * a 1280x800 screenshot shows the selected yellow (#FFC800). */
static long yellow_in_answers(const char *shots, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.png", shots, name);
    SDL_Surface *s = ut_png_load(path);
    long n = ut_count_color(s, (SDL_Rect){0, s->h / 5, s->w, s->h * 7 / 10}, 0xFFC800, 24);
    SDL_FreeSurface(s);
    return n;
}

static void test_idle_reset_keeps_partial_and_forgets(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "idle.replay", 2);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "partial", "nl", "strijen");
    ut_expect_answers(r, "q1", "4", "q2", "3", "q8", "\"geheim plan\"", NULL);
    r = &fx->rows.r[1];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
    ut_expect_answers(r, "q8", "\"na pauze\"", NULL);
    /* The next resident sees no answer chosen. */
    assert_int_equal(yellow_in_answers(fx->shots, "idle-next-area"), 0);
    assert_int_equal(yellow_in_answers(fx->shots, "idle-next-q1"), 0);
}

static void test_flag_rapid(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "flags-rapid.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", "west");
    ut_expect_answers(r, "q1", "4", "q2", "4", "q3", "4", "q4", "4", "q5", "4", "q6", "[\"feest\"]",
                      "q7", "\"ja\"", "q8", "\"snel\"", NULL);
    ut_expect_flags(r, "rapid");
}

static void test_flag_repeat(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "flags-repeat.replay", 4);
    static const char *const flags[4] = {"", "repeat", "", ""};
    for (size_t i = 0; i < 4; i++) {
        const ut_response *r = &fx->rows.r[i];
        ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", "west");
        ut_expect_answers(r, "q1", "4", "q2", i == 3 ? "2" : "3", NULL);
        ut_expect_flags(r, flags[i]);
    }
}

static void test_flag_personal_data(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "flags-personal.replay", 4);
    static const char *const texts[4] = {"\"mail me at jan@example.nl\"", "\"bel 06-12345678\"",
                                         "\"4901 AB 12\"",
                                         "\"Meer bankjes, in 2024 graag 3 stuks\""};
    for (size_t i = 0; i < 4; i++) {
        const ut_response *r = &fx->rows.r[i];
        ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
        ut_expect_answers(r, "q8", texts[i], NULL);
        ut_expect_flags(r, i < 3 ? "personal-data" : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_idle_reset_keeps_partial_and_forgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_rapid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_repeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_personal_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
