/* replay.h: the replay script language that drives the kiosk headless
 * (docs/replay.md). One command per line:
 *   tap X Y | tap-text "LABEL" | type "TEXT" | wait MS | expect-text "TEXT"
 *   | screenshot NAME | key NAME | hold X Y MS | wait-sync MS | # comment
 * Parsing only; the app executes the commands. */
#ifndef BK_REPLAY_H
#define BK_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "error.h"

#define REPLAY_MAX_LINES 100000
#define REPLAY_MAX_ARG 4096

typedef enum replay_op {
    REPLAY_TAP,         /* x, y */
    REPLAY_TAP_TEXT,    /* text */
    REPLAY_TYPE,        /* text */
    REPLAY_WAIT,        /* ms */
    REPLAY_EXPECT_TEXT, /* text */
    REPLAY_SCREENSHOT,  /* text = NAME */
    REPLAY_KEY,         /* text = key name: backspace, return, escape, left, right, ... */
    REPLAY_HOLD,        /* x, y, ms: press, hold for ms, release */
    REPLAY_WAIT_SYNC,   /* ms: real time, until the sync worker has sent everything */
} replay_op;

typedef struct replay_cmd {
    replay_op op;
    int line; /* 1-based line in the script */
    int x, y;
    long long ms;
    char *text; /* owned, UTF-8, escapes resolved */
} replay_cmd;

typedef struct replay_script {
    char *name;
    replay_cmd *cmds;
    size_t n_cmds;
} replay_script;

/* Parses a script from memory; name is used in messages ("NAME:LINE: ...").
 * Every problem goes to diag. Returns a new script (replay_free) or NULL. */
replay_script *replay_parse(const char *text, size_t len, const char *name, bk_diag *diag);

/* Reads and parses the script file at path. */
replay_script *replay_load_file(const char *path, bk_diag *diag);

/* Frees s. NULL is a no-op. */
void replay_free(replay_script *s);

#endif
