/* test_ui_util.h: helpers shared by the resident UI tests: temporary
 * folders, running the real kiosk binary on a replay script, reading the
 * responses it stored, reading screenshots, and driving the app in-process
 * (headless, on a virtual clock) through its public input functions. */
#ifndef BK_TEST_UI_UTIL_H
#define BK_TEST_UI_UTIL_H

#include <SDL.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

/* The UI test data (configs) and the replay scripts. */
#define UT_DATA BK_TEST_DATA "/ui"
#define UT_REPLAYS BK_SOURCE_DIR "/tests/replays"

/* A new empty folder under $TMPDIR or /tmp, in out. Fails the test on error. */
void ut_tmpdir(char *out, size_t size, const char *tag);

/* Removes dir and everything in it; keeps it (and says where) when
 * BK_UI_TEST_KEEP is set, to look at the screenshots and databases. */
void ut_rmtree(const char *dir);

/* The SDL video driver the kiosk binary runs with: $BK_UI_TEST_VIDEODRIVER,
 * else "offscreen", but "dummy" in a sanitizer build: Mesa's EGL (loaded
 * by the offscreen driver) leaks at exit from modules SDL has already
 * unloaded, which LeakSanitizer can neither symbolize nor suppress. */
const char *ut_video_driver(void);

/* Runs `buurtkiosk run --config CONFIG --db DB --size SIZE --replay SCRIPT
 * [--screenshots SHOTS]` in dir (the kiosk's stdout and stderr go to
 * dir/kiosk.log). Returns the exit status (128 + signal when killed). When
 * the status is not 0, the log is printed to stderr. */
int ut_run_kiosk(const char *dir, const char *config, const char *db, const char *size,
                 const char *script, const char *shots);

/* ---- The responses a run stored ---- */

typedef struct ut_answer {
    char *question_id;
    char *value_json;
} ut_answer;

typedef struct ut_response {
    int64_t seq;
    char *response_id, *survey_id, *mode, *status, *language, *area; /* area may be NULL */
    int survey_version;
    char *started_at, *completed_at; /* completed_at NULL while started */
    char **flags;
    size_t n_flags;
    ut_answer *answers;
    size_t n_answers;
} ut_response;

typedef struct ut_db {
    ut_response *r;
    size_t n;
} ut_db;

/* Reads every response of the database at path (in seq order) through
 * store_foreach_response. Fails the test on error. Free with ut_db_free. */
void ut_db_load(const char *path, ut_db *out);
void ut_db_free(ut_db *db);

/* The JSON text of the answer to question_id, or NULL when none is stored. */
const char *ut_answer_json(const ut_response *r, const char *question_id);

/* True when r carries flag. */
bool ut_has_flag(const ut_response *r, const char *flag);

/* Fails the test unless the answer to question_id equals expected_json as
 * JSON (so "\"café\"" matches however the store escapes it); expected_json
 * NULL means: no answer stored. */
void ut_expect_answer(const ut_response *r, const char *question_id, const char *expected_json);

/* Fails the test unless r's flags are exactly the comma-separated list
 * (order free; "" for none). */
void ut_expect_flags(const ut_response *r, const char *flags);

/* Fails the test unless r has these fixed fields (mode "survey"; area NULL:
 * none stored) and, when finished, a completed_at not before started_at. */
void ut_expect_response(const ut_response *r, const char *survey_id, int version,
                        const char *status, const char *language, const char *area);

/* Fails the test unless exactly these answers are stored: pairs of question
 * id and JSON value (NULL value: none stored), ended by a NULL id. */
void ut_expect_answers(const ut_response *r, ...);

/* ---- One replay per test ---- */

/* A temporary folder with the database and screenshots of one run. */
typedef struct ut_replay {
    char dir[512];
    char db[PATH_MAX];
    char shots[PATH_MAX];
    ut_db rows;
} ut_replay;

/* cmocka setup and teardown: a ut_replay in *state. */
int ut_replay_setup(void **state);
int ut_replay_teardown(void **state);

/* Runs tests/replays/NAME with tests/data/ui/CONFIG at 1280x800 (its
 * screenshots in fx->shots); fails the test unless it exits 0 with
 * n_responses stored, seq 1, 2, ...; the rows are then in fx->rows. */
void ut_replay_run(ut_replay *fx, const char *config, const char *name, size_t n_responses);

/* ---- Screenshots ---- */

/* Loads a PNG as RGBA32 (SDL_image). Fails the test on error. */
SDL_Surface *ut_png_load(const char *path);

/* The colour at (x, y) of an RGBA32 surface. */
SDL_Color ut_pixel(const SDL_Surface *s, int x, int y);

/* True when c is within tol of 0xRRGGBB in each channel. */
bool ut_color_near(SDL_Color c, uint32_t rgb, int tol);

/* Counts the pixels within tol of 0xRRGGBB in the rectangle (clipped). */
long ut_count_color(const SDL_Surface *s, SDL_Rect r, uint32_t rgb, int tol);

/* The bounding box of the pixels within tol of rgb in r; w = 0 when none. */
SDL_Rect ut_bbox_color(const SDL_Surface *s, SDL_Rect r, uint32_t rgb, int tol);

/* ---- The app in-process ---- */

/* A headless app (no window, no sync) on the config at config_path, at
 * width x height, with a virtual clock and a database in dir. */
typedef struct ut_app {
    bk_config cfg;
    app *a;
} ut_app;

void ut_app_open(ut_app *u, const char *config_path, const char *dir, int width, int height);
void ut_app_close(ut_app *u);

/* Rebuilds the frame when the state changed. */
void ut_app_layout(app *a);

/* The first tappable widget with action act and arg (any arg when arg is
 * INT32_MIN), or NULL. */
const ui_widget *ut_find_action(app *a, ui_action act, int arg);

/* The one widget (tappable or not) showing exactly label, or NULL. */
const ui_widget *ut_find_label(app *a, const char *label);

/* Taps the centre of w (finger down and up). */
void ut_tap_widget(app *a, const ui_widget *w);

/* Taps the first tappable widget with act and arg; fails the test when
 * there is none. */
void ut_tap_action(app *a, ui_action act, int arg);

/* Advances the virtual clock by ms, running every timer at its moment. */
void ut_wait(app *a, int64_t ms);

/* Called with the frame of each screen ut_walk reaches; name says which
 * (e.g. "q7-q6-multi-full"). */
typedef void (*ut_visit_fn)(app *a, const char *name, void *ctx);

/* Walks a resident through every screen of the active survey, starting on
 * the attract screen (keeping a->lang, a->big_text and a->high_contrast):
 * attract; for each question: fresh, with the idle overlay, then answered
 * (a single answer shown selected, a multi full, a number set, a text field
 * filled to max_length, the keyboard's accents layer with shift); thanks;
 * out of service. Choices take their second option (so show_if follow-ups
 * of the fixtures appear). Calls visit with each frame built. */
void ut_walk(app *a, ut_visit_fn visit, void *ctx);

/* ut_walk in every configured language, at normal and big text (A+), with
 * where set to e.g. "1920x1080 nl A+" before each walk. */
void ut_walk_languages(ut_app *u, ut_visit_fn visit, void *ctx, char *where, size_t size);

#endif
