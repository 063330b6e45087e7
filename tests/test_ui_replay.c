/* test_ui_replay.c: end-to-end runs of the real kiosk binary on the replay
 * scripts in tests/replays (virtual clock, no display), checking every
 * value the run stored in its database: answers, skipped questions,
 * changed answers, show_if branches, languages, the idle reset to a
 * partial response, double taps, the rapid/repeat/personal-data flags,
 * status and seq. */
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

typedef struct fixture {
    char dir[512];
    char db[PATH_MAX];
    char shots[PATH_MAX];
    ut_db rows;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "replay");
    snprintf(fx->db, sizeof fx->db, "%s/kiosk.db", fx->dir);
    snprintf(fx->shots, sizeof fx->shots, "%s/shots", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ut_db_free(&fx->rows);
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Runs tests/replays/NAME with tests/data/ui/CONFIG at 1280x800, requires
 * exit 0 and n_responses stored; the rows are in fx->rows. */
static void run(fixture *fx, const char *config, const char *name, size_t n_responses)
{
    char cfg[PATH_MAX], script[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/%s", UT_DATA, config);
    snprintf(script, sizeof script, "%s/%s", UT_REPLAYS, name);
    int rc = ut_run_kiosk(fx->dir, cfg, fx->db, "1280x800", script, fx->shots);
    if (rc != 0)
        fail_msg("%s: the kiosk exited with %d (its output is above)", name, rc);
    ut_db_load(fx->db, &fx->rows);
    if (fx->rows.n != n_responses)
        fail_msg("%s: %zu responses stored, expected %zu", name, fx->rows.n, n_responses);
    for (size_t i = 0; i < fx->rows.n; i++)
        if (fx->rows.r[i].seq != (int64_t)i + 1)
            fail_msg("%s: response %zu has seq %lld", name, i + 1, (long long)fx->rows.r[i].seq);
}

/* The response's fixed fields. area NULL: none stored. */
static void expect_response(const ut_response *r, const char *survey_id, int version,
                            const char *status, const char *language, const char *area)
{
    assert_string_equal(r->survey_id, survey_id);
    assert_int_equal(r->survey_version, version);
    assert_string_equal(r->mode, "survey");
    assert_string_equal(r->status, status);
    assert_string_equal(r->language, language);
    if (area) {
        if (!r->area)
            fail_msg("response %lld: no area, expected %s", (long long)r->seq, area);
        assert_string_equal(r->area, area);
    } else if (r->area) {
        fail_msg("response %lld: area %s, expected none", (long long)r->seq, r->area);
    }
    assert_non_null(r->started_at);
    if (strcmp(status, "started") != 0) {
        assert_non_null(r->completed_at);
        assert_true(strcmp(r->completed_at, r->started_at) >= 0);
    }
}

/* Checks that exactly these answers are stored: pairs of question id and
 * JSON value, ended by NULL. */
static void expect_answers(const ut_response *r, ...)
{
    va_list ap;
    va_start(ap, r);
    size_t n = 0;
    for (const char *q = va_arg(ap, const char *); q; q = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        ut_expect_answer(r, q, v);
        n += v != NULL;
    }
    va_end(ap);
    if (r->n_answers != n) {
        for (size_t i = 0; i < r->n_answers; i++)
            fprintf(stderr, "  stored: %s = %s\n", r->answers[i].question_id,
                    r->answers[i].value_json);
        fail_msg("response %lld: %zu answers stored, expected %zu", (long long)r->seq, r->n_answers,
                 n);
    }
}

static void test_full_run_in_dutch(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "demo-nl.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", "dommelbergen");
    expect_answers(r, "q1", "1", "q2", "2", "q3", "3", "q4", "5", "q5", "5", "q6",
                   "[\"groen\",\"kinderen\"]", "q7", "\"nee\"", "q8",
                   "\"Meer bankjes bij de vijver\"", NULL);
    ut_expect_flags(r, "");
}

static void test_text_with_accents_typed_and_on_screen(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "text-accents.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
    expect_answers(r, "q8", "\"Idee: caf\\u00e9 Plein \\u00eb\\u00ef\\u00c9 \\u00fc\"", NULL);
    ut_expect_flags(r, "");
}

static void test_multi_at_most_three(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "multi-max.replay", 2);
    expect_response(&fx->rows.r[0], "buurtpeiling", 1, "complete", "nl", NULL);
    expect_answers(&fx->rows.r[0], "q6", "[\"feest\",\"groen\",\"helpen\"]", NULL);
    expect_response(&fx->rows.r[1], "buurtpeiling", 1, "complete", "nl", NULL);
    expect_answers(&fx->rows.r[1], "q6", "[\"feest\",\"helpen\",\"preventie\"]", NULL);
}

static void test_skip_and_change_after_back(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "skip-back.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", "west");
    expect_answers(r, "q1", "5", "q2", NULL, "q3", "2", "q4", NULL, "q5", "2", "q6", "[\"feest\"]",
                   "q7", "\"nee\"", "q8", "\"eerste plan\"", NULL);
    ut_expect_flags(r, "");
}

static void test_show_if_branches(void **state)
{
    fixture *fx = *state;
    run(fx, "showif.ini", "showif.replay", 3);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "showif", 2, "complete", "nl", NULL);
    expect_answers(r, "vervoer", "\"bus\"", "bus_tevreden", "\"nee\"", "bus_waarom",
                   "\"Vaker rijden\"", "leeftijd", "42", NULL);
    r = &fx->rows.r[1];
    expect_response(r, "showif", 2, "complete", "nl", NULL);
    expect_answers(r, "vervoer", "\"fiets\"", "bus_tevreden", NULL, "bus_waarom", NULL, "leeftijd",
                   "110", NULL);
    /* Changed from bus to on foot: the bus answer no longer applies. */
    r = &fx->rows.r[2];
    expect_response(r, "showif", 2, "complete", "nl", NULL);
    expect_answers(r, "vervoer", "\"lopen\"", "bus_tevreden", NULL, "leeftijd", NULL, NULL);
}

static void test_english(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "english.replay", 3);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "complete", "en", "centrum");
    expect_answers(r, "q1", "4", "q2", "1", "q3", "3", "q4", "2", "q5", "5", "q6",
                   "[\"feest\",\"preventie\"]", "q7", "\"ja\"", "q8", "\"More trees\"", NULL);
    ut_expect_flags(r, "");
    r = &fx->rows.r[1];
    expect_response(r, "buurtpeiling", 1, "complete", "en", "elders");
    expect_answers(r, NULL);
    r = &fx->rows.r[2];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
    expect_answers(r, "q1", "3", NULL);
}

/* True when the answer area (below the question, above the bottom bar) of
 * a 1280x800 screenshot shows the selected yellow (#FFC800). */
static long yellow_in_answers(const char *shots, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.png", shots, name);
    SDL_Surface *s = ut_png_load(path);
    long n = ut_count_color(s, (SDL_Rect){0, s->h / 5, s->w, s->h * 7 / 10}, 0xFFC800, 24);
    SDL_FreeSurface(s);
    return n;
}

static void test_idle_reset_keeps_partial_and_forgets(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "idle.replay", 2);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "partial", "nl", "strijen");
    expect_answers(r, "q1", "4", "q2", "3", "q8", "\"geheim plan\"", NULL);
    r = &fx->rows.r[1];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
    expect_answers(r, "q8", "\"na pauze\"", NULL);
    /* The next resident sees no answer chosen. */
    assert_int_equal(yellow_in_answers(fx->shots, "idle-next-area"), 0);
    assert_int_equal(yellow_in_answers(fx->shots, "idle-next-q1"), 0);
}

static void test_double_taps_are_ignored(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "double-tap.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", "slotjes");
    expect_answers(r, "q1", "4", "q2", "3", "q3", NULL, "q6", "[\"feest\"]", "q7", "\"ja\"", NULL);
}

static void test_flag_rapid(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "flags-rapid.replay", 1);
    const ut_response *r = &fx->rows.r[0];
    expect_response(r, "buurtpeiling", 1, "complete", "nl", "west");
    expect_answers(r, "q1", "4", "q2", "4", "q3", "4", "q4", "4", "q5", "4", "q6", "[\"feest\"]",
                   "q7", "\"ja\"", "q8", "\"snel\"", NULL);
    ut_expect_flags(r, "rapid");
}

static void test_flag_repeat(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "flags-repeat.replay", 4);
    static const char *const flags[4] = {"", "repeat", "", ""};
    for (size_t i = 0; i < 4; i++) {
        const ut_response *r = &fx->rows.r[i];
        expect_response(r, "buurtpeiling", 1, "complete", "nl", "west");
        expect_answers(r, "q1", "4", "q2", i == 3 ? "2" : "3", NULL);
        ut_expect_flags(r, flags[i]);
    }
}

static void test_flag_personal_data(void **state)
{
    fixture *fx = *state;
    run(fx, "demo.ini", "flags-personal.replay", 4);
    static const char *const texts[4] = {"\"mail me at jan@example.nl\"", "\"bel 06-12345678\"",
                                         "\"4901 AB 12\"",
                                         "\"Meer bankjes, in 2024 graag 3 stuks\""};
    for (size_t i = 0; i < 4; i++) {
        const ut_response *r = &fx->rows.r[i];
        expect_response(r, "buurtpeiling", 1, "complete", "nl", NULL);
        expect_answers(r, "q8", texts[i], NULL);
        ut_expect_flags(r, i < 3 ? "personal-data" : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_run_in_dutch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_with_accents_typed_and_on_screen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_multi_at_most_three, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_and_change_after_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_if_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_english, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_reset_keeps_partial_and_forgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_taps_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_rapid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_repeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_personal_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
