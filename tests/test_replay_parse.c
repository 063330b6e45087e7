/* test_replay_parse.c: the replay script language (kiosk/core/replay.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "replay.h"

static replay_script *parse(const char *text, bk_diag *d)
{
    return replay_parse(text, strlen(text), "t.replay", d);
}

static void test_every_command(void **state)
{
    (void)state;
    bk_diag d = {0};
    replay_script *s = parse("# a comment\n"
                             "\n"
                             "tap 640 400\n"
                             "  hold 5 6 3000\n"
                             "tap-text \"Doe mee\"\n"
                             "type \"café \\\"x\\\" \\\\ y\\nz\"\n"
                             "wait 2000\r\n"
                             "expect-text \"Vraag 1 van 9\"\n"
                             "screenshot attract\n"
                             "key backspace\n",
                             &d);
    diag_print(&d, stderr);
    assert_non_null(s);
    assert_int_equal(s->n_cmds, 8);
    assert_int_equal(s->cmds[0].op, REPLAY_TAP);
    assert_int_equal(s->cmds[0].x, 640);
    assert_int_equal(s->cmds[0].y, 400);
    assert_int_equal(s->cmds[0].line, 3);
    assert_int_equal(s->cmds[1].op, REPLAY_HOLD);
    assert_int_equal(s->cmds[1].ms, 3000);
    assert_int_equal(s->cmds[2].op, REPLAY_TAP_TEXT);
    assert_string_equal(s->cmds[2].text, "Doe mee");
    assert_int_equal(s->cmds[3].op, REPLAY_TYPE);
    assert_string_equal(s->cmds[3].text, "café \"x\" \\ y\nz");
    assert_int_equal(s->cmds[4].op, REPLAY_WAIT);
    assert_int_equal(s->cmds[4].ms, 2000);
    assert_int_equal(s->cmds[5].op, REPLAY_EXPECT_TEXT);
    assert_string_equal(s->cmds[5].text, "Vraag 1 van 9");
    assert_int_equal(s->cmds[6].op, REPLAY_SCREENSHOT);
    assert_string_equal(s->cmds[6].text, "attract");
    assert_int_equal(s->cmds[7].op, REPLAY_KEY);
    assert_string_equal(s->cmds[7].text, "backspace");
    replay_free(s);
    diag_clear(&d);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    static const struct {
        const char *script;
        const char *message;
    } cases[] = {
        {"tapp 1 2\n", "t.replay:1: unknown command \"tapp\""},
        {"\ntap 1\n", "t.replay:2: expected two coordinates, e.g. tap 640 400"},
        {"wait soon\n", "t.replay:1: expected milliseconds, e.g. wait 500"},
        {"wait -5\n", "t.replay:1: expected milliseconds, e.g. wait 500"},
        {"tap-text Doe mee\n", "t.replay:1: expected a text in double quotes"},
        {"tap-text \"Doe mee\n", "t.replay:1: missing closing double quote"},
        {"type \"a\\tb\"\n", "t.replay:1: unknown escape (use \\\" \\\\ or \\n)"},
        {"tap 1 2 3\n", "t.replay:1: unexpected text after the command"},
        {"screenshot ../x\n", "t.replay:1: a screenshot name may not contain '/'"},
        {"hold 1 2\n", "t.replay:1: expected coordinates and milliseconds, e.g. hold 10 10 3000"},
        {"expect-text \"a\" extra\n", "t.replay:1: unexpected text after the command"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bk_diag d = {0};
        replay_script *s = parse(cases[i].script, &d);
        assert_null(s);
        if (d.count != 1 || strcmp(d.messages[0], cases[i].message) != 0) {
            diag_print(&d, stderr);
            fail_msg("case %zu: expected \"%s\"", i, cases[i].message);
        }
        diag_clear(&d);
    }
}

static void test_every_problem_is_listed(void **state)
{
    (void)state;
    bk_diag d = {0};
    replay_script *s = parse("tap 1 2\nbogus\nwait x\ntap-text \"ok\"\nfly\n", &d);
    assert_null(s);
    assert_int_equal(d.count, 3);
    assert_true(diag_contains(&d, "t.replay:2:"));
    assert_true(diag_contains(&d, "t.replay:3:"));
    assert_true(diag_contains(&d, "t.replay:5:"));
    diag_clear(&d);
}

static void test_nul_byte_and_missing_file(void **state)
{
    (void)state;
    bk_diag d = {0};
    assert_null(replay_parse("tap 1 2\n\0x", 10, "n.replay", &d));
    assert_true(diag_contains(&d, "n.replay: the script contains a NUL byte"));
    diag_clear(&d);
    assert_null(replay_load_file("/nonexistent/x.replay", &d));
    assert_true(diag_contains(&d, "/nonexistent/x.replay: cannot open"));
    diag_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_every_problem_is_listed),
        cmocka_unit_test(test_nul_byte_and_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
