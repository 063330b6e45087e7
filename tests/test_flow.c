/* test_flow.c: a resident's way through a survey (kiosk/core/flow.c):
 * order, show_if, back/skip, what lands in the store, and the flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow.h"
#include "store.h"
#include "survey.h"

typedef struct fixture {
    char dir[64];
    bk_virtual_clock vc;
    bk_clock clock;
    store *st;
    survey *demo, *showif;
    flow_area areas[3];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/bk-test-flow-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    char db[128];
    snprintf(db, sizeof db, "%s/flow.db", fx->dir);
    fx->vc = (bk_virtual_clock){.mono_ms = 1000, .wall_ms = 1795960000000};
    fx->clock = clock_virtual(&fx->vc);
    assert_int_equal(store_open(db, &fx->clock, &fx->st, NULL), BK_OK);
    bk_diag d = {0};
    fx->demo = survey_load_file(BK_SOURCE_DIR "/config/surveys/buurtpeiling.json", &d);
    fx->showif = survey_load_file(BK_TEST_DATA "/survey/showif.json", &d);
    diag_print(&d, stderr);
    assert_int_equal(d.count, 0);
    assert_non_null(fx->demo);
    assert_non_null(fx->showif);
    fx->areas[0] = (flow_area){"dorst", "Dorst"};
    fx->areas[1] = (flow_area){"centrum", "Oosterhout-Centrum"};
    fx->areas[2] = (flow_area){"elders", "Ik woon niet in Oosterhout"};
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    store_close(fx->st);
    survey_free(fx->demo);
    survey_free(fx->showif);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* The stored response with this seq, as the store reports it. */
typedef struct found {
    int64_t seq;
    char status[16];
    char area[32];
    char language[8];
    char flags[128];
    char answers[16][2][300]; /* question id, value JSON */
    size_t n_answers;
    bool seen;
} found;

static int collect(const store_response_row *row, void *ctx)
{
    found *f = ctx;
    if (row->seq != f->seq)
        return 0;
    f->seen = true;
    snprintf(f->status, sizeof f->status, "%s", row->status);
    snprintf(f->area, sizeof f->area, "%s", row->area ? row->area : "(null)");
    snprintf(f->language, sizeof f->language, "%s", row->language);
    f->flags[0] = '\0';
    for (size_t i = 0; i < row->n_flags; i++) {
        strcat(f->flags, row->flags[i]);
        strcat(f->flags, " ");
    }
    f->n_answers = row->n_answers;
    for (size_t i = 0; i < row->n_answers && i < 16; i++) {
        snprintf(f->answers[i][0], 300, "%s", row->answers[i].question_id);
        snprintf(f->answers[i][1], 300, "%s", row->answers[i].value_json);
    }
    return 1;
}

static found lookup(fixture *fx, int64_t seq)
{
    found f = {.seq = seq};
    assert_int_equal(store_foreach_response(fx->st, 0, 0, collect, &f), BK_OK);
    assert_true(f.seen);
    return f;
}

static const char *answer_of(const found *f, const char *qid)
{
    for (size_t i = 0; i < f->n_answers; i++)
        if (strcmp(f->answers[i][0], qid) == 0)
            return f->answers[i][1];
    return NULL;
}

static void begin_demo(fixture *fx, flow *f, const char *fixed_area)
{
    assert_int_equal(
        flow_begin(f, fx->demo, fx->st, &fx->clock, 0, "survey", fixed_area, fx->areas, 3), BK_OK);
}

static void test_order_and_progress(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, NULL);
    int pos, total;
    flow_progress(&f, &pos, &total);
    assert_string_equal(flow_question(&f)->id, "area");
    assert_int_equal(pos, 1);
    assert_int_equal(total, 9);
    assert_false(flow_can_go_back(&f));
    assert_int_equal(flow_answer_option(&f, 0), BK_OK);
    assert_true(flow_next(&f));
    assert_string_equal(flow_question(&f)->id, "q1");
    flow_progress(&f, &pos, &total);
    assert_int_equal(pos, 2);
    assert_true(flow_can_go_back(&f));
    for (int i = 2; i <= 8; i++)
        assert_true(flow_next(&f));
    assert_string_equal(flow_question(&f)->id, "q8");
    assert_true(flow_is_last(&f));
    assert_false(flow_next(&f));
    assert_int_equal(flow_finish(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_string_equal(r.status, "complete");
    assert_string_equal(r.area, "dorst");
    flow_free(&f);
}

static void test_fixed_area_skips_the_area_question(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, "centrum");
    int pos, total;
    flow_progress(&f, &pos, &total);
    assert_string_equal(flow_question(&f)->id, "q1");
    assert_int_equal(total, 8);
    assert_int_equal(flow_abandon(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_string_equal(r.area, "centrum");
    assert_string_equal(r.status, "partial");
    flow_free(&f);
}

static void test_every_answer_type_is_stored(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, "dorst");
    assert_int_equal(flow_answer_number(&f, 6), BK_ERR_INVALID); /* scale is 1..5 */
    assert_int_equal(flow_answer_number(&f, 4), BK_OK);          /* q1 */
    flow_next(&f);
    assert_int_equal(flow_answer_number(&f, 2), BK_OK); /* q2 */
    flow_next(&f);
    flow_next(&f);                                      /* q3 unanswered */
    flow_next(&f);                                      /* q4 unanswered */
    assert_int_equal(flow_answer_number(&f, 5), BK_OK); /* q5 smiley */
    flow_next(&f);
    assert_string_equal(flow_question(&f)->id, "q6");
    assert_int_equal(flow_multi_remaining(&f), 3);
    assert_int_equal(flow_toggle_option(&f, 0), BK_OK);
    assert_int_equal(flow_toggle_option(&f, 2), BK_OK);
    assert_int_equal(flow_toggle_option(&f, 5), BK_OK);
    assert_int_equal(flow_multi_remaining(&f), 0);
    assert_int_equal(flow_toggle_option(&f, 3), BK_ERR_STATE); /* max 3 */
    assert_int_equal(flow_toggle_option(&f, 5), BK_OK);        /* untick */
    flow_next(&f);
    assert_int_equal(flow_answer_option(&f, 7), BK_ERR_INVALID);
    assert_int_equal(flow_answer_option(&f, 1), BK_OK); /* q7 nee */
    flow_next(&f);
    assert_int_equal(flow_answer_text(&f, "Meer bankjes; \"groen\"\nen café ëï"), BK_OK);
    assert_int_equal(flow_finish(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_string_equal(answer_of(&r, "q1"), "4");
    assert_string_equal(answer_of(&r, "q2"), "2");
    assert_null(answer_of(&r, "q3"));
    assert_string_equal(answer_of(&r, "q5"), "5");
    assert_string_equal(answer_of(&r, "q6"), "[\"feest\",\"helpen\"]");
    assert_string_equal(answer_of(&r, "q7"), "\"nee\"");
    assert_string_equal(answer_of(&r, "q8"), "\"Meer bankjes; \\\"groen\\\"\\nen café ëï\"");
    assert_int_equal(r.n_answers, 6);
    flow_free(&f);
}

static void test_back_shows_and_changes_the_answer(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, "dorst");
    assert_int_equal(flow_answer_number(&f, 1), BK_OK);
    flow_next(&f);
    assert_true(flow_back(&f));
    assert_string_equal(flow_question(&f)->id, "q1");
    assert_true(flow_current_answer(&f)->given);
    assert_int_equal(flow_current_answer(&f)->number, 1);
    assert_int_equal(flow_answer_number(&f, 3), BK_OK);
    flow_next(&f);
    assert_int_equal(flow_abandon(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_string_equal(answer_of(&r, "q1"), "3");
    flow_free(&f);
}

static void test_skip_removes_the_answer(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, "dorst");
    assert_int_equal(flow_answer_number(&f, 2), BK_OK);
    assert_int_equal(flow_skip(&f), BK_OK);
    assert_false(flow_current_answer(&f)->given);
    flow_next(&f);
    assert_int_equal(flow_abandon(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_null(answer_of(&r, "q1"));
    flow_free(&f);
}

static void test_show_if_branches(void **state)
{
    fixture *fx = *state;
    flow f;
    assert_int_equal(
        flow_begin(&f, fx->showif, fx->st, &fx->clock, 1, "survey", "dorst", fx->areas, 3), BK_OK);
    int pos, total, total_before;
    flow_progress(&f, &pos, &total_before);
    assert_int_equal(flow_answer_option(&f, 1), BK_OK); /* bus */
    flow_progress(&f, &pos, &total);
    assert_int_equal(total, total_before + 1); /* bus_tevreden now applies */
    assert_true(flow_next(&f));
    assert_string_equal(flow_question(&f)->id, "bus_tevreden");
    assert_int_equal(flow_answer_option(&f, 1), BK_OK); /* nee */
    assert_true(flow_next(&f));
    assert_string_equal(flow_question(&f)->id, "bus_waarom");
    /* Back to the start and choose the bike: both follow-ups disappear. */
    flow_back(&f);
    flow_back(&f);
    assert_int_equal(flow_answer_option(&f, 0), BK_OK); /* fiets */
    assert_true(flow_next(&f));
    assert_string_not_equal(flow_question(&f)->id, "bus_tevreden");
    assert_string_not_equal(flow_question(&f)->id, "bus_waarom");
    flow_progress(&f, &pos, &total);
    assert_int_equal(total, total_before);
    assert_int_equal(flow_set_language(&f, 0), BK_OK);
    assert_int_equal(flow_abandon(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_string_equal(r.language, "nl");
    assert_string_equal(answer_of(&r, "vervoer"), "\"fiets\"");
    /* The answer to the question that no longer applies is gone. */
    assert_null(answer_of(&r, "bus_tevreden"));
    flow_free(&f);
}

/* Answers q1..q5 of the demo with `ms` between them and finishes. */
static found answer_five(fixture *fx, int64_t ms, flow_memory *mem)
{
    flow f;
    begin_demo(fx, &f, "dorst");
    for (int i = 0; i < 5; i++) {
        clock_virtual_advance(&fx->vc, ms);
        assert_int_equal(flow_answer_number(&f, 3), BK_OK);
        flow_next(&f);
    }
    assert_int_equal(flow_finish(&f, mem), BK_OK);
    found r = lookup(fx, f.ref.seq);
    flow_free(&f);
    return r;
}

static void test_rapid_and_repeat_flags(void **state)
{
    fixture *fx = *state;
    flow_memory mem = {0};
    found r = answer_five(fx, 300, &mem);
    assert_non_null(strstr(r.flags, "rapid"));
    assert_null(strstr(r.flags, "repeat"));
    clock_virtual_advance(&fx->vc, 10000);
    r = answer_five(fx, 3000, &mem); /* same answers, 25 s after the previous one */
    assert_null(strstr(r.flags, "rapid"));
    assert_non_null(strstr(r.flags, "repeat"));
    clock_virtual_advance(&fx->vc, 31000);
    r = answer_five(fx, 3000, &mem); /* same answers, but 46 s later */
    assert_null(strstr(r.flags, "repeat"));
    assert_string_equal(r.flags, "");
}

static void test_personal_data_flag(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, "dorst");
    while (flow_question(&f)->type != SURVEY_Q_TEXT)
        flow_next(&f);
    assert_int_equal(flow_answer_text(&f, "bel me: 06-12345678"), BK_OK);
    assert_int_equal(flow_finish(&f, NULL), BK_OK);
    found r = lookup(fx, f.ref.seq);
    assert_non_null(strstr(r.flags, "personal-data"));
    flow_free(&f);
}

static void test_text_looks_personal(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "mail jan.jansen@example.nl", "bel 06-12345678", "0162 123456 graag", "+31 6 12345678",
        "Dorpsstraat 12, 4901 AB",    "4901 AB 12",      "4901AB, 7",         "info@gemeente.nl?",
    };
    static const char *const no[] = {
        "Meer bankjes bij de vijver", "3 bomen en 2 bankjes", "in 2026 een buurtfeest",
        "bus 126 rijdt te weinig",    "@ de markt",           "om 10 uur open",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!flow_text_looks_personal(yes[i]))
            fail_msg("should look personal: %s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (flow_text_looks_personal(no[i]))
            fail_msg("should not look personal: %s", no[i]);
}

static void test_text_limits(void **state)
{
    fixture *fx = *state;
    flow f;
    begin_demo(fx, &f, "dorst");
    assert_int_equal(flow_answer_text(&f, "x"), BK_ERR_INVALID); /* not a text question */
    while (flow_question(&f)->type != SURVEY_Q_TEXT)
        flow_next(&f);
    char text[600];
    memset(text, 'a', 281);
    text[281] = '\0';
    assert_int_equal(flow_answer_text(&f, text), BK_ERR_INVALID); /* max_length 280 */
    text[280] = '\0';
    assert_int_equal(flow_answer_text(&f, text), BK_OK);
    /* 280 characters of two bytes each are still 280 characters. */
    text[0] = '\0';
    for (int i = 0; i < 280; i++)
        strcat(text, "é");
    assert_int_equal(flow_utf8_length(text), 280);
    assert_int_equal(flow_answer_text(&f, text), BK_OK);
    assert_int_equal(flow_abandon(&f, NULL), BK_OK);
    flow_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixed_area_skips_the_area_question, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_answer_type_is_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_back_shows_and_changes_the_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_removes_the_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_if_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rapid_and_repeat_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_personal_data_flag, setup, teardown),
        cmocka_unit_test(test_text_looks_personal),
        cmocka_unit_test_setup_teardown(test_text_limits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
