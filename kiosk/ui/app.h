/* app.h: the kiosk application: its one context struct, the resident's
 * screens, input handling, timers, and the main loop. The clock and the
 * event source are injectable: a replay drives the same code with a virtual
 * clock and scripted taps (app_replay). */
#ifndef BK_APP_H
#define BK_APP_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "flow.h"
#include "replay.h"
#include "store.h"
#include "survey.h"
#include "sync.h"
#include "ui.h"
#include "ui_sdl.h"

#define APP_MAX_SURVEYS 64
#define APP_AUTO_ADVANCE_MS 300
#define APP_INPUT_SETTLE_MS 250
#define APP_IDLE_COUNTDOWN_MS 20000
#define APP_THANKS_MS 8000
#define APP_OUT_OF_SERVICE_RETRY_MS 10000
#define APP_TEXT_SCALE_BIG 1.35

typedef enum app_screen {
    APP_SCREEN_ATTRACT,
    APP_SCREEN_QUESTION,
    APP_SCREEN_THANKS,
    APP_SCREEN_OUT_OF_SERVICE,
    APP_SCREEN_MODULE, /* a screen of module a->module_screen (staff, live) */
} app_screen;

struct app;

/* A screen module (staff mode, live mode): its own state in
 * a->module_state[index], its own screens, widgets and timers. The modules
 * are listed in app_modules.c. Every callback may be NULL. */
typedef struct app_module {
    const char *name;
    /* After the app is set up; returns false to stop the kiosk starting. */
    bool (*create)(struct app *a);
    /* Before the app is torn down: free the module's state. */
    void (*destroy)(struct app *a);
    /* Builds the frame when a->screen is APP_SCREEN_MODULE and
     * a->module_screen is this module's index. */
    void (*build)(struct app *a);
    /* A widget with action UI_ACT_MODULE was tapped; sub is the value given
     * to app_module_arg. */
    void (*action)(struct app *a, int sub);
    /* Timers: run what is due; the next one in ms, or -1. */
    void (*tick)(struct app *a);
    int64_t (*next_timer_ms)(const struct app *a);
    /* Sees every press/release (down true/false) before the screens; returns
     * true when it consumed it. */
    bool (*pointer)(struct app *a, bool down, int x, int y);
    /* Sees every key press before the screens; true when consumed. */
    bool (*key)(struct app *a, SDL_Keycode key);
    /* The sync worker's status changed (a->sync_status is fresh). */
    void (*sync_changed)(struct app *a);
    /* Sees typed text (SDL text input, replay `type`) before the screens;
     * true when consumed. */
    bool (*text)(struct app *a, const char *utf8);
    /* The attract screen is about to show (at start, after a resident, on
     * app_go_attract); true when the module showed its own screen instead
     * (live mode). */
    bool (*attract)(struct app *a);
} app_module;

#define APP_MAX_MODULES 8

/* The modules, in app_modules.c. */
extern const app_module *const app_modules[];
extern const size_t app_n_modules;

/* Everything the kiosk knows; the only mutable state of the program. */
typedef struct app {
    /* Set up by app_create. */
    const bk_config *config;          /* not owned */
    store *store;                     /* owned */
    survey *surveys[APP_MAX_SURVEYS]; /* owned: the installed definitions */
    size_t n_surveys;
    const survey *active; /* one of surveys */
    config_mode mode;     /* survey or live: [kiosk] mode, or staff's choice */
    char *db_path;        /* owned */

    /* Sync: the worker uploads in its own thread; we only signal it. */
    sync_worker *sync; /* owned; NULL when [sync] base_url is empty */
    Uint32 sync_event; /* SDL user event posted on every status change */
    sync_status sync_status;
    unsigned surveys_generation;
    bool surveys_reload_pending; /* new downloads, applied on the attract screen */
    flow_area areas[CONFIG_MAX_AREAS];
    bk_clock clock;
    bk_virtual_clock vclock; /* the clock when virtual_time */
    bool virtual_time;

    /* SDL; NULL in layout-only use (tests). */
    SDL_Window *window;
    SDL_Renderer *renderer;
    ui_fonts *fonts;
    ui_renderer *ui;
    ui_text_engine text;
    ui_frame *frame; /* the last frame built */
    bool dirty;      /* state changed since the frame was built */
    int width, height;
    double dpi;

    /* The resident's session. */
    app_screen screen;
    int lang; /* index into config languages */
    bool big_text;
    bool high_contrast;
    flow flow;
    bool in_flow;
    const survey *flow_survey; /* the version the resident started */
    flow_memory memory;
    int selected_pending; /* the tapped answer shown highlighted, -1 none */
    int64_t advance_at;   /* auto-advance time, 0 none */
    int64_t input_settle_until;
    int64_t last_input_at;
    int64_t idle_warning_at; /* when the idle overlay appeared, 0 = not shown */
    int64_t thanks_at;
    int64_t out_of_service_at;
    struct text_entry *entry; /* owned: the text being typed (text_entry.h) */
    bool text_dirty;          /* typed but not yet stored */

    /* Input. */
    bool pointer_down;
    SDL_FingerID finger;
    bool finger_active;
    int press_x, press_y;
    ui_action pressed_action; /* the widget under a finger that is down */
    int pressed_arg;

    /* Screen modules (app_modules.c). */
    void *module_state[APP_MAX_MODULES];
    int module_screen; /* which module's screen shows on APP_SCREEN_MODULE */
    int64_t press_at;  /* when the pointer went down */

    bool quit;
    const char *screenshot_dir;
    int frames_drawn;
} app;

/* Options for app_create. */
typedef struct app_options {
    const char *db_path;    /* overrides [storage] database */
    const char *assets_dir; /* fonts; default: found next to the binary */
    bool fullscreen;        /* overrides [display] fullscreen when true */
    bool virtual_time;      /* replay: start a virtual clock */
    bool headless;          /* no window: layout only (tests) */
    bool no_sync;           /* do not start the sync worker */
    int width, height;      /* override the window size; 0 = config */
} app_options;

/* Creates the app: opens the store, loads the surveys, creates the window.
 * Problems are logged; returns NULL on failure. cfg must outlive the app. */
app *app_create(const bk_config *cfg, const app_options *opt);

/* Stores a half-finished response as partial and frees everything. NULL is
 * a no-op. */
void app_destroy(app *a);

/* Runs the main loop until the window is closed. Returns an exit code. */
int app_run(app *a);

/* Runs a replay script (docs/replay.md) against the app; screenshots go to
 * a->screenshot_dir. Returns 0 when every line held, else 1 after printing
 * "SCRIPT:LINE: what failed" to stderr. */
int app_replay(app *a, const replay_script *script);

/* Writes every screen of the active survey, in every configured language,
 * as DIR/<lang>-<NN>-<name>.png (attract, every question including those a
 * show_if would hide, idle warning, thanks, out of service). Uses the app's
 * store for a throwaway response (kept as partial). Returns 0 and the number
 * of files in *count, or -1 after printing what failed. */
int app_render_all(app *a, const char *dir, int *count);

/* Rebuilds the frame from the current state (no drawing). */
void app_layout(app *a);

/* Draws the current frame and presents it. */
void app_draw(app *a);

/* Input, as the SDL events and the replays deliver it. */
void app_pointer_down(app *a, int x, int y);
void app_pointer_up(app *a, int x, int y);
void app_text_input(app *a, const char *utf8);
void app_key(app *a, SDL_Keycode key);

/* Runs every timer due by the app's clock. */
void app_tick(app *a);

/* Milliseconds until the next timer, or -1 when none is set. */
int64_t app_next_timer_ms(const app *a);

/* The widget arg for module index `module` and its own value sub
 * (0 <= sub < 65536); use with UI_ACT_MODULE. */
int app_module_arg(int module, int sub);

/* Shows a screen of module index `module` (the resident screens stop
 * taking input). */
void app_show_module(struct app *a, int module);

/* Keeps a resident's half-finished response as partial and ends their
 * session (before staff mode opens, on shutdown). */
void app_abandon_resident(struct app *a);

/* Staff's choices, kept in the store so they survive a restart (meta keys
 * "staff.active" and "staff.mode"): the survey shown and the mode. Returns
 * BK_ERR_NOT_FOUND for a survey that is not installed, or the store's
 * error. Takes effect for the next resident. */
bk_err app_choose_survey(struct app *a, const char *survey_id);
bk_err app_choose_mode(struct app *a, config_mode mode);

/* Back to the attract screen, forgetting the resident. */
void app_go_attract(struct app *a);

/* Switches screen and language for previews (render command, tests). */
void app_set_language(app *a, int lang);

/* Builds the frame of a screen: see screens.c. */
void screens_build(app *a);

/* The size in pixels of 1 mm on the display. */
double app_px_per_mm(const app *a);

/* The text of language index a->lang of the app's configured languages. */
const char *app_lang_code(const app *a);

#endif
