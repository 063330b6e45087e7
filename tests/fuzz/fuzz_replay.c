/* fuzz_replay.c: libFuzzer target for the replay script parser
 * (replay_parse, docs/replay.md). Checks that an accepted script only holds
 * commands the app can execute as documented, and that a rejected one has
 * one-line messages naming the script. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "fuzz_check.h"
#include "log.h"
#include "replay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_LEVEL_ERROR);
    return 0;
}

static void check_cmd(const replay_cmd *c, int prev_line)
{
    FUZZ_CHECK(c->line > prev_line && c->line <= REPLAY_MAX_LINES, "line numbers");
    switch (c->op) {
    case REPLAY_TAP:
    case REPLAY_HOLD:
        FUZZ_CHECK(c->x >= 0 && c->x <= 100000 && c->y >= 0 && c->y <= 100000, "coordinates");
        FUZZ_CHECK(c->ms >= 0 && c->ms <= 86400000, "hold ms");
        FUZZ_CHECK(c->text == NULL, "text on tap");
        break;
    case REPLAY_WAIT:
        FUZZ_CHECK(c->ms >= 0 && c->ms <= 7LL * 86400000, "wait ms");
        break;
    case REPLAY_WAIT_SYNC:
        FUZZ_CHECK(c->ms >= 0 && c->ms <= 600000, "wait-sync ms");
        break;
    case REPLAY_TAP_TEXT:
    case REPLAY_TYPE:
    case REPLAY_EXPECT_TEXT:
    case REPLAY_KEY:
        FUZZ_CHECK(c->text && strlen(c->text) <= REPLAY_MAX_ARG, "text argument");
        break;
    case REPLAY_SCREENSHOT:
        FUZZ_CHECK(c->text && c->text[0] && !strchr(c->text, '/') && strcmp(c->text, "..") != 0,
                   "screenshot name");
        break;
    default:
        FUZZ_CHECK(0, "unknown op");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bk_diag diag = {0};
    replay_script *s = replay_parse((const char *)data, size, "fuzz.replay", &diag);
    if (s) {
        FUZZ_CHECK(diag.count == 0, "an accepted script with problems reported");
        FUZZ_CHECK(strcmp(s->name, "fuzz.replay") == 0, "name");
        int prev = 0;
        for (size_t i = 0; i < s->n_cmds; i++) {
            check_cmd(&s->cmds[i], prev);
            prev = s->cmds[i].line;
        }
    } else {
        FUZZ_CHECK(diag.count + diag.dropped > 0, "a rejected script without a message");
        FUZZ_CHECK(fuzz_diag_lines_ok(&diag), "a message that is empty or spans lines");
        for (size_t i = 0; i < diag.count; i++)
            FUZZ_CHECK(strncmp(diag.messages[i], "fuzz.replay", 11) == 0,
                       "a message without the script's name");
    }
    replay_free(s);
    diag_clear(&diag);
    return 0;
}
