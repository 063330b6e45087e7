/* test_ui_replay.c: end-to-end runs of the real kiosk binary on the replay
 * scripts in tests/replays (virtual clock, no display), checking every
 * value the run stored in its database: answers, skipped questions,
 * changed answers, show_if branches, languages, the idle reset to a
 * partial response (test_ui_flags.c), double taps, the
 * rapid/repeat/personal-data flags (test_ui_flags.c), status and seq. */
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

static void test_full_run_in_dutch(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "demo-nl.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", "dommelbergen");
    ut_expect_answers(r, "q1", "1", "q2", "2", "q3", "3", "q4", "5", "q5", "5", "q6",
                      "[\"groen\",\"kinderen\"]", "q7", "\"nee\"", "q8",
                      "\"Meer bankjes bij de vijver\"", NULL);
    ut_expect_flags(r, "");
}

static void test_text_with_accents_typed_and_on_screen(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "text-accents.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
    ut_expect_answers(r, "q8", "\"Idee: caf\\u00e9 Plein \\u00eb\\u00ef\\u00c9 \\u00fc\"", NULL);
    ut_expect_flags(r, "");
}

/* Turkish and Arabic residents type on their own on-screen keyboards. */
static void test_turkish_and_arabic_keyboards(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "world.ini", "keyboard-tr-ar.replay", 2);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "world", 1, "complete", "tr", NULL);
    /* "İzmir'de ağaç ılık IĞŞ â₺" */
    ut_expect_answers(r, "fikir",
                      "\"\\u0130zmir'de a\\u011fa\\u00e7 \\u0131l\\u0131k I\\u011e\\u015e "
                      "\\u00e2\\u20ba\"",
                      NULL);
    r = &fx->rows.r[1];
    ut_expect_response(r, "world", 1, "complete", "ar", NULL);
    /* "لا شكرا ١٢ أ؟": lam and alef from one key, Arabic-Indic digits. */
    ut_expect_answers(r, "fikir",
                      "\"\\u0644\\u0627 \\u0634\\u0643\\u0631\\u0627 \\u0661\\u0662 "
                      "\\u0623\\u061f\"",
                      NULL);
}

static void test_multi_at_most_three(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "multi-max.replay", 2);
    ut_expect_response(&fx->rows.r[0], "buurtpeiling", 1, "complete", "nl", NULL);
    ut_expect_answers(&fx->rows.r[0], "q6", "[\"feest\",\"groen\",\"helpen\"]", NULL);
    ut_expect_response(&fx->rows.r[1], "buurtpeiling", 1, "complete", "nl", NULL);
    ut_expect_answers(&fx->rows.r[1], "q6", "[\"feest\",\"helpen\",\"preventie\"]", NULL);
}

static void test_skip_and_change_after_back(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "skip-back.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", "west");
    ut_expect_answers(r, "q1", "5", "q2", NULL, "q3", "2", "q4", NULL, "q5", "2", "q6",
                      "[\"feest\"]", "q7", "\"nee\"", "q8", "\"eerste plan\"", NULL);
    ut_expect_flags(r, "");
}

static void test_show_if_branches(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "showif.ini", "showif.replay", 3);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "showif", 2, "complete", "nl", NULL);
    ut_expect_answers(r, "vervoer", "\"bus\"", "bus_tevreden", "\"nee\"", "bus_waarom",
                      "\"Vaker rijden\"", "leeftijd", "42", NULL);
    r = &fx->rows.r[1];
    ut_expect_response(r, "showif", 2, "complete", "nl", NULL);
    ut_expect_answers(r, "vervoer", "\"fiets\"", "bus_tevreden", NULL, "bus_waarom", NULL,
                      "leeftijd", "110", NULL);
    /* Changed from bus to on foot: the bus answer no longer applies. */
    r = &fx->rows.r[2];
    ut_expect_response(r, "showif", 2, "complete", "nl", NULL);
    ut_expect_answers(r, "vervoer", "\"lopen\"", "bus_tevreden", NULL, "leeftijd", NULL, NULL);
}

static void test_english(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "english.replay", 3);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "en", "centrum");
    ut_expect_answers(r, "q1", "4", "q2", "1", "q3", "3", "q4", "2", "q5", "5", "q6",
                      "[\"feest\",\"preventie\"]", "q7", "\"ja\"", "q8", "\"More trees\"", NULL);
    ut_expect_flags(r, "");
    r = &fx->rows.r[1];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "en", "elders");
    ut_expect_answers(r, NULL);
    r = &fx->rows.r[2];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
    ut_expect_answers(r, "q1", "3", NULL);
}

static void test_double_taps_are_ignored(void **state)
{
    ut_replay *fx = *state;
    ut_replay_run(fx, "demo.ini", "double-tap.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    ut_expect_response(r, "buurtpeiling", 1, "complete", "nl", "slotjes");
    ut_expect_answers(r, "q1", "4", "q2", "3", "q3", NULL, "q6", "[\"feest\"]", "q7", "\"ja\"",
                      NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_run_in_dutch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_with_accents_typed_and_on_screen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_turkish_and_arabic_keyboards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_at_most_three, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_and_change_after_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_if_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_english, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_taps_are_ignored, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
