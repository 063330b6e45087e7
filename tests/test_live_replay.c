/* test_live_replay.c: live mode end to end. The real kiosk binary runs the
 * tests/replays/live-*.replay scripts (virtual clock, no display) with a
 * configuration in tests/data/live that has mode = live: attendees vote on
 * every question type and the scripts check the counts and percentages on
 * the results screen (expect-text). Then this test checks every stored
 * response (mode live, complete, the answer, the flags) and the counts
 * `buurtkiosk results` prints from the same database. Also: quick repeats
 * kept apart and never dropped; a restart in the middle (two runs on one
 * database) keeps the counts and the open question; the screenshots' bars
 * have the right lengths. Screenshots stay in live-shots/ (build folder). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_ui_util.h"

#define LIVE_DATA BK_TEST_DATA "/live"
#define SHOTS "live-shots"

typedef struct fixture {
    char dir[512];
    char db[PATH_MAX];
    ut_db rows;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "live");
    snprintf(fx->db, sizeof fx->db, "%s/kiosk.db", fx->dir);
    mkdir(SHOTS, 0755);
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

/* Runs tests/replays/NAME with tests/data/live/CONFIG at 1280x800 on fx->db;
 * requires exit 0 and n_responses stored in all (rows in fx->rows). */
static void run(fixture *fx, const char *config, const char *name, size_t n_responses)
{
    char cfg[PATH_MAX], script[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/%s", LIVE_DATA, config);
    snprintf(script, sizeof script, "%s/%s", UT_REPLAYS, name);
    int rc = ut_run_kiosk(fx->dir, cfg, fx->db, "1280x800", script, SHOTS);
    if (rc != 0)
        fail_msg("%s: the kiosk exited with %d (its output is above)", name, rc);
    ut_db_free(&fx->rows);
    ut_db_load(fx->db, &fx->rows);
    if (fx->rows.n != n_responses)
        fail_msg("%s: %zu responses stored, expected %zu", name, fx->rows.n, n_responses);
}

/* Every response is a complete live response of survey_id with exactly one
 * answer. */
static void expect_live(const ut_response *r, const char *survey_id, const char *language)
{
    assert_string_equal(r->mode, "live");
    assert_string_equal(r->status, "complete");
    assert_string_equal(r->survey_id, survey_id);
    assert_string_equal(r->language, language);
    assert_non_null(r->completed_at);
    if (r->n_answers != 1)
        fail_msg("response %lld has %zu answers, a live response has one", (long long)r->seq,
                 r->n_answers);
}

/* `buurtkiosk results --config CONFIG --db DB [--question Q]`, its output
 * with runs of spaces made one space. */
static char *results_output(fixture *fx, const char *config, const char *question)
{
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "'%s' results --config '%s/%s' --db '%s' %s%s 2>&1", BK_BINARY,
             LIVE_DATA, config, fx->db, question ? "--question " : "", question ? question : "");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    int c, prev = 0;
    while ((c = fgetc(p)) != EOF && len + 1 < cap) {
        if (c == ' ' && prev == ' ')
            continue;
        out[len++] = (char)c;
        prev = c;
    }
    int rc = pclose(p);
    if (rc != 0)
        fail_msg("buurtkiosk results exited with %d:\n%s", rc, out);
    return out;
}

/* Fails unless each of the NULL-ended lines is in out. */
static void expect_lines(const char *out, ...)
{
    va_list ap;
    va_start(ap, out);
    for (const char *l = va_arg(ap, const char *); l; l = va_arg(ap, const char *))
        if (!strstr(out, l))
            fail_msg("buurtkiosk results does not print \"%s\":\n%s", l, out);
    va_end(ap);
}

/* The lengths of the yellow (#FFC800) bars of a results screenshot, top
 * to bottom (below the yellow "Bedankt!" title, left of the numbers). */
static int yellow_bars(const char *name, int *len, int max)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.png", SHOTS, name);
    SDL_Surface *s = ut_png_load(path);
    SDL_Rect band = {0, 0, s->w * 85 / 100, 1};
    int n = 0, y = s->h * 30 / 100;
    while (y < s->h * 90 / 100 && n < max) {
        band.y = y;
        SDL_Rect bb = ut_bbox_color(s, band, 0xFFC800, 8);
        if (!bb.w) {
            y++;
            continue;
        }
        int left = bb.x, right = bb.x + bb.w, top = y;
        for (; y < s->h; y++) { /* the bar's rows */
            band.y = y;
            bb = ut_bbox_color(s, band, 0xFFC800, 8);
            if (!bb.w)
                break;
            left = bb.x < left ? bb.x : left;
            right = bb.x + bb.w > right ? bb.x + bb.w : right;
        }
        if (y - top >= 10) /* a bar, not a stray pixel of text */
            len[n++] = right - left;
    }
    SDL_FreeSurface(s);
    return n;
}

/* Fails unless the ratio of two bars' lengths is want (within 6%). */
static void expect_ratio(const char *name, int a, int b, double want)
{
    double got = b > 0 ? (double)a / b : 0;
    if (got < want * 0.94 || got > want * 1.06)
        fail_msg("%s: bars %d and %d px long, ratio %.2f, expected %.2f", name, a, b, got, want);
}

static void test_choice_votes_counted_on_screen_and_in_terminal(void **state)
{
    fixture *fx = *state;
    run(fx, "symposium.ini", "live-choice.replay", 5);
    static const char *const want[] = {"\"ja\"", "\"nee\"", "\"ja\"", "\"ja\"", "\"nee\""};
    for (size_t i = 0; i < 5; i++) {
        const ut_response *r = &fx->rows.r[i];
        expect_live(r, "symposium", i == 2 ? "en" : "nl");
        ut_expect_answer(r, "initiatief", want[i]);
        /* At a human pace: never rapid. Ja after Ja within 30 s: repeat. */
        if (ut_has_flag(r, "rapid"))
            fail_msg("response %zu is flagged rapid", i + 1);
    }
    ut_expect_flags(&fx->rows.r[0], "");
    ut_expect_flags(&fx->rows.r[3], "repeat");
    char *out = results_output(fx, "symposium.ini", "initiatief");
    expect_lines(out, "initiatief (choice)", "\n Ja 3 60%\n", "\n Nee 2 40%\n",
                 "\n Weet ik niet 0 0%\n", "votes: 5\n", "quick repeats kept apart: 0\n",
                 "hidden by staff: 0\n", NULL);
    if (strstr(out, "budget (choice)"))
        fail_msg("--question initiatief printed another question:\n%s", out);
    free(out);
    /* The screenshot's bars: Ja 60% and Nee 40% of the same track. */
    int len[4];
    int n = yellow_bars("live-results-bars", len, 4);
    if (n != 2)
        fail_msg("live-results-bars.png: %d yellow bars, expected 2", n);
    expect_ratio("live-results-bars.png", len[0], len[1], 3.0 / 2.0);
}

static void test_every_question_type(void **state)
{
    fixture *fx = *state;
    run(fx, "alltypes.ini", "live-alltypes.replay", 11);
    const ut_response *r = fx->rows.r;
    for (size_t i = 0; i < fx->rows.n; i++) {
        expect_live(&r[i], "livetest", "nl");
        if (ut_has_flag(&r[i], "rapid"))
            fail_msg("response %zu is flagged rapid", i + 1);
    }
    ut_expect_answer(&r[0], "vervoer", "\"fiets\"");
    ut_expect_answer(&r[1], "thema", "[\"groen\",\"spelen\"]"); /* at most 2 */
    ut_expect_answer(&r[2], "thema", "[\"groen\",\"wonen\"]");
    ut_expect_answer(&r[3], "veilig", "4");
    ut_expect_answer(&r[4], "veilig", "5");
    ut_expect_answer(&r[5], "veilig", "4");
    ut_expect_answer(&r[6], "avond", "4");
    ut_expect_answer(&r[7], "avond", "5");
    ut_expect_answer(&r[8], "idee", "\"Meer bankjes bij de vijver\"");
    ut_expect_answer(&r[9], "idee", "\"Bankjes en GROEN!\"");
    ut_expect_answer(&r[10], "idee", "\"groen\"");

    char *out = results_output(fx, "alltypes.ini", NULL);
    expect_lines(out, "vervoer (choice)", "\n Met de fiets 1 100%\n", "\n Lopend 0 0%\n",
                 "thema (multi)", "\n Groen 2 100%\n", "\n Spelen 1 50%\n", "\n Wonen 1 50%\n",
                 "\n Verkeer 0 0%\n", "veilig (scale)", "\n Eens 2 67%\n",
                 "\n Helemaal eens 1 33%\n", "\n Neutraal 0 0%\n", "avond (smiley)",
                 "\n Goed 1 50%\n", "\n Heel goed 1 50%\n", "idee (text)", "answers: 3\n",
                 "\n bankjes 2\n", "\n groen 2\n", "\n vijver 1\n", NULL);
    /* No number question, no stop words. */
    if (strstr(out, "leeftijd") || strstr(out, "\n meer ") || strstr(out, "\n bij ") ||
        strstr(out, "\n de ") || strstr(out, "\n en "))
        fail_msg("results print a number question or a stop word:\n%s", out);
    /* The latest answers, newest first. */
    const char *a = strstr(out, "Bankjes en GROEN!"), *b = strstr(out, "Meer bankjes bij de");
    if (!a || !b || a > b)
        fail_msg("latest answers not newest first:\n%s", out);
    free(out);
    /* Scale screenshot: Eens (67%) twice as long as Helemaal eens (33%). */
    int len[5];
    assert_int_equal(yellow_bars("live-scale", len, 5), 2);
    expect_ratio("live-scale.png", len[0], len[1], 2.0);
}

static void test_quick_repeats_kept_apart_never_dropped(void **state)
{
    fixture *fx = *state;
    run(fx, "symposium.ini", "live-rapid.replay", 5);
    const ut_response *r = fx->rows.r;
    for (size_t i = 0; i < 5; i++)
        expect_live(&r[i], "symposium", "nl");
    ut_expect_flags(&r[0], "");
    ut_expect_flags(&r[1], "rapid,repeat");
    ut_expect_flags(&r[2], "rapid,repeat");
    ut_expect_flags(&r[3], "repeat");
    ut_expect_flags(&r[4], "rapid");
    ut_expect_answer(&r[1], "initiatief", "\"ja\""); /* stored all the same */
    char *out = results_output(fx, "symposium.ini", "initiatief");
    expect_lines(out, "\n Ja 2 67%\n", "\n Nee 1 33%\n", "votes: 3\n",
                 "quick repeats kept apart: 2\n", NULL);
    free(out);
}

static void test_restart_in_the_middle_keeps_the_counts(void **state)
{
    fixture *fx = *state;
    run(fx, "symposium.ini", "live-restart-1.replay", 3);
    ut_expect_answer(&fx->rows.r[2], "budget", "\"groen\"");
    /* The kiosk stops and starts again on the same database: the second
     * script sees "budget" still open and the counts go on. */
    run(fx, "symposium.ini", "live-restart-2.replay", 5);
    ut_expect_answer(&fx->rows.r[3], "budget", "\"ouderen\"");
    ut_expect_answer(&fx->rows.r[4], "initiatief", "\"nee\"");
    for (size_t i = 0; i < 5; i++) {
        expect_live(&fx->rows.r[i], "symposium", "nl");
        assert_int_equal(fx->rows.r[i].seq, (int64_t)i + 1);
    }
    char *out = results_output(fx, "symposium.ini", NULL);
    expect_lines(out, "Open on the kiosk: initiatief\n", "\n Ja 2 67%\n", "\n Nee 1 33%\n",
                 "votes: 3\n", "\n Een groene buurt 1 50%\n", "\n Ouderen 1 50%\n", "votes: 2\n",
                 "idee (text)", "answers: 0\n", NULL);
    free(out);
}

static void test_results_command_problems(void **state)
{
    fixture *fx = *state;
    run(fx, "symposium.ini", "live-restart-1.replay", 3);
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd,
             "'%s' results --config '%s/symposium.ini' --db '%s' --question nope"
             " >/dev/null 2>&1",
             BK_BINARY, LIVE_DATA, fx->db);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
    snprintf(cmd, sizeof cmd,
             "'%s' results --config '%s/alltypes.ini' --db '%s' --question "
             "leeftijd >/dev/null 2>&1",
             BK_BINARY, LIVE_DATA, fx->db);
    rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
    snprintf(cmd, sizeof cmd, "'%s' results --bogus >/dev/null 2>&1", BK_BINARY);
    rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_choice_votes_counted_on_screen_and_in_terminal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_question_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quick_repeats_kept_apart_never_dropped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restart_in_the_middle_keeps_the_counts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_results_command_problems, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
