/* test_monkey.c: a monkey at the screen.
 *
 * The whole app in-process (a real window on SDL's dummy driver and its
 * software renderer, the real store, a virtual clock) gets BK_MONKEY_EVENTS
 * (default 100,000) random events: taps anywhere and on random
 * buttons, drags that slide off a button, long presses (the 3 s corner hold that opens the staff
 * PIN pad among them), several fingers at once through SDL's own touch events and main loop, key
 * presses (digits, Enter, Escape, arrows, any key), typed text (accents, emoji, Arabic, control
 * characters, over-long and invalid UTF-8), the monotonic clock running on
 * by a few ms to minutes (idle warnings, timeouts, lockouts), the wall
 * clock jumping to 1970 and decades ahead, a full disk now and then
 * (out of service, and back), and restarts (also "Kiosk afsluiten").
 * Staff mode is entered only on purpose now and then, with the right PIN
 * (a 10-digit one, so chance never types it); once in, the monkey goes on
 * at random through every staff screen (survey and mode switch, export to
 * a folder, live control, closing the kiosk).
 *
 * Pass (under ASan and UBSan with leak checking in ./test.sh's second
 * pass): no crash, no sanitizer report, no leak; staff mode (or live
 * control) never shows without the PIN just typed; every stored response
 * is valid against its survey (hc_response_valid) and the database passes
 * integrity_check; every kind of screen was reached. BK_MONKEY_SEED repeats
 * a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "staff.h"
#include "strings.h"
#include "test_chaos_util.h"
#include "test_ui_util.h"

#define MONKEY_PIN "7305918264"

#define MONKEY_DEFAULT_EVENTS 100000
#define W 1024
#define H 600

/* What the monkey reached, for the coverage check. */
enum {
    SEEN_ATTRACT,
    SEEN_QUESTION,
    SEEN_IDLE,
    SEEN_THANKS,
    SEEN_OOS,
    SEEN_PIN,
    SEEN_LOCKOUT,
    SEEN_STAFF,
    SEEN_CHOOSE,
    SEEN_EXPORT,
    SEEN_QUIT_CONFIRM,
    SEEN_LIVE,
    SEEN_LIVE_CONTROL,
    SEEN_COUNT
};
static const char *const seen_name[SEEN_COUNT] = {
    "start screen",    "question", "idle warning",       "thank-you",
    "out of service",  "PIN pad",  "PIN lockout",        "staff status",
    "survey and mode", "export",   "close confirmation", "live question/results",
    "live control"};

typedef struct monkey {
    char dir[512], db[PATH_MAX], ini[PATH_MAX + 16], exports[PATH_MAX + 16];
    char pin_hash[crypto_pwhash_STRBYTES];
    bk_config cfg;
    app *a;
    hc_rng rng;
    bool authorized; /* the monkey just typed the right PIN */
    bool disk_full;
    long events, taps, widget_taps, drags, holds, corner_holds, finger_batches, keys, texts;
    long wall_jumps, long_waits, restarts, staff_quits, pin_entries, unlocked_events, disk_fulls;
    long draws, qtypes[8];
    long seen[SEEN_COUNT];
    long lang_questions[CONFIG_MAX_LANGUAGES]; /* question screens per language */
} monkey;

/* ---- The app ---- */

static void monkey_start(monkey *m)
{
    app_options opt = {
        .db_path = m->db,
        .assets_dir = BK_SOURCE_DIR "/assets",
        .virtual_time = true,
        .no_sync = true,
        .width = W,
        .height = H,
    };
    m->a = app_create(&m->cfg, &opt);
    assert_non_null(m->a);
    m->authorized = false;
    m->disk_full = false;
}

static void monkey_open(monkey *m)
{
    /* The database in memory when possible (tmpfs): the monkey is about
       crashes, leaks and valid answers; fsync only costs time here
       (test_powercut and test_diskfull are about the disk). */
    struct stat sb;
    if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0)
        setenv("TMPDIR", "/dev/shm", 1);
    ut_tmpdir(m->dir, sizeof m->dir, "monkey");
    snprintf(m->db, sizeof m->db, "%s/kiosk.db", m->dir);
    snprintf(m->ini, sizeof m->ini, "%s/kiosk.ini", m->dir);
    snprintf(m->exports, sizeof m->exports, "%s/usb", m->dir);
    assert_int_equal(mkdir(m->exports, 0755), 0);
    setenv("BK_EXPORT_DIR", m->exports, 1);
    /* The dummy driver: no EGL (its leaks at exit are not ours to check). */
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    /* Turkish and Arabic too: their keyboards and the mirrored screens. */
    const char *kv[] = {"active",         "alltypes", "idle_timeout_s", "20", "languages",
                        "nl, en, tr, ar", NULL};
    hc_write_config(m->ini, kv);
    bk_diag diag = {0};
    if (config_load(m->ini, &m->cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        fail_msg("cannot load %s", m->ini);
    }
    diag_clear(&diag);
    /* A 10-digit PIN at the lowest hash cost (thousands of wrong tries). */
    assert_true(sodium_init() >= 0);
    assert_int_equal(crypto_pwhash_str(m->pin_hash, MONKEY_PIN, strlen(MONKEY_PIN),
                                       crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
                     0);
    free(m->cfg.staff.pin_hash);
    m->cfg.staff.pin_hash = strdup(m->pin_hash);
    assert_non_null(m->cfg.staff.pin_hash);
    monkey_start(m);
}

static void layout(app *a)
{
    if (a->dirty)
        app_layout(a);
}

static bool visible(app *a, const char *label)
{
    layout(a);
    for (size_t i = 0; i < a->frame->n_widgets; i++)
        if (a->frame->widgets[i].label && strcmp(a->frame->widgets[i].label, label) == 0)
            return true;
    return false;
}

static bool visible_str(app *a, str_id id)
{
    return visible(a, str_get("nl", id)) || visible(a, str_get("en", id));
}

static bool visible_live_word(app *a, live_word id)
{
    return visible(a, live_word_get("nl", id)) || visible(a, live_word_get("en", id));
}

/* A tappable widget showing label, or NULL. */
static const ui_widget *button(app *a, const char *label)
{
    layout(a);
    for (size_t i = 0; i < a->frame->n_widgets; i++) {
        const ui_widget *w = &a->frame->widgets[i];
        if (w->action != UI_ACT_NONE && w->label && strcmp(w->label, label) == 0)
            return w;
    }
    return NULL;
}

static void tap_at(app *a, int x, int y)
{
    app_pointer_down(a, x, y);
    app_pointer_up(a, x, y);
}

/* Runs timers for ms of virtual time (like a replay's wait). */
static void advance(app *a, int64_t ms)
{
    int64_t target = a->vclock.mono_ms + ms;
    for (int guard = 0; guard < 100000; guard++) {
        int64_t next = app_next_timer_ms(a);
        if (next < 0 || a->vclock.mono_ms + next > target)
            break;
        clock_virtual_advance(&a->vclock, next > 0 ? next : 1);
        app_tick(a);
    }
    if (target > a->vclock.mono_ms)
        clock_virtual_advance(&a->vclock, target - a->vclock.mono_ms);
    app_tick(a);
}

/* ---- The invariant: no staff screen without the PIN ---- */

static bool unlocked(app *a)
{
    bool staff = staff_is_open(a) && !visible_str(a, STR_STAFF_PIN_TITLE);
    bool control = visible_live_word(a, LW_RESET) || visible_live_word(a, LW_PREVIOUS);
    return staff || control;
}

static void check_staff(monkey *m, const char *after)
{
    bool u = unlocked(m->a);
    if (u && !m->authorized)
        fail_msg("event %ld (%s): a staff screen shows, but nobody typed the PIN", m->events,
                 after);
    if (u)
        m->unlocked_events++;
    m->authorized = m->authorized && u; /* leaving staff mode ends it */
}

static void note_screen(monkey *m)
{
    app *a = m->a;
    layout(a);
    switch (a->screen) {
    case APP_SCREEN_ATTRACT:
        m->seen[SEEN_ATTRACT]++;
        break;
    case APP_SCREEN_QUESTION:
        m->seen[a->idle_warning_at ? SEEN_IDLE : SEEN_QUESTION]++;
        if (a->in_flow)
            m->qtypes[flow_question(&a->flow)->type]++;
        if (a->lang >= 0 && a->lang < CONFIG_MAX_LANGUAGES)
            m->lang_questions[a->lang]++;
        break;
    case APP_SCREEN_THANKS:
        m->seen[SEEN_THANKS]++;
        break;
    case APP_SCREEN_OUT_OF_SERVICE:
        m->seen[SEEN_OOS]++;
        break;
    case APP_SCREEN_MODULE:
        if (visible_str(a, STR_STAFF_PIN_TITLE))
            m->seen[visible_str(a, STR_STAFF_PIN_LOCKED) ? SEEN_LOCKOUT : SEEN_PIN]++;
        else if (visible_str(a, STR_STAFF_QUIT_TITLE))
            m->seen[SEEN_QUIT_CONFIRM]++;
        else if (visible_str(a, STR_STAFF_CHOOSE_SURVEY))
            m->seen[SEEN_CHOOSE]++;
        else if (visible_str(a, STR_STAFF_EXPORT_DONE) || visible_str(a, STR_STAFF_EXPORT_FAILED) ||
                 visible_str(a, STR_STAFF_EXPORT_NO_USB))
            m->seen[SEEN_EXPORT]++;
        else if (staff_is_open(a))
            m->seen[SEEN_STAFF]++;
        else if (visible_live_word(a, LW_RESET) || visible_live_word(a, LW_PREVIOUS))
            m->seen[SEEN_LIVE_CONTROL]++;
        else
            m->seen[SEEN_LIVE]++;
        break;
    }
}

/* ---- Random input ---- */

static const char *const texts[] = {
    "Meer bankjes",
    "é",
    "ë ï ó ö ü è à ç",
    "\xF0\x9F\x98\x80\xF0\x9F\x8C\xB3",         /* emoji */
    "\xD8\xAD\xD8\xAF\xD9\x8A\xD9\x82\xD8\xA9", /* Arabic */
    "Çok güzel",
    "jan@example.nl 06-12345678",
    "4901 AB 12",
    "\n",
    "\t\x01\x1b",
    "\xC3",             /* cut UTF-8 */
    "\xFF\xFE invalid", /* not UTF-8 */
    "a\xE2\x80\x8B"
    "b", /* zero-width space */
    "1234",
    MONKEY_PIN,
    "",
};

static const SDL_Keycode keys[] = {
    SDLK_0,      SDLK_1,         SDLK_2,    SDLK_3,       SDLK_4,      SDLK_5,      SDLK_6,
    SDLK_7,      SDLK_8,         SDLK_9,    SDLK_KP_0,    SDLK_KP_5,   SDLK_RETURN, SDLK_KP_ENTER,
    SDLK_ESCAPE, SDLK_BACKSPACE, SDLK_LEFT, SDLK_RIGHT,   SDLK_UP,     SDLK_DOWN,   SDLK_TAB,
    SDLK_SPACE,  SDLK_a,         SDLK_F1,   SDLK_AC_BACK, SDLK_DELETE, SDLK_HOME,   SDLK_PAGEDOWN,
};

static void random_text(monkey *m)
{
    char buf[700];
    uint64_t r = hc_below(&m->rng, 10);
    if (r < 8) {
        snprintf(buf, sizeof buf, "%s", texts[hc_below(&m->rng, sizeof texts / sizeof texts[0])]);
    } else {
        /* Long: a few hundred characters, more than any max_length. */
        size_t n = 50 + hc_below(&m->rng, 600);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + hc_below(&m->rng, 26));
        buf[n] = '\0';
    }
    app_text_input(m->a, buf);
    m->texts++;
}

static void random_key(monkey *m)
{
    SDL_Keycode k = hc_below(&m->rng, 20) == 0
                        ? (SDL_Keycode)hc_rand(&m->rng)
                        : keys[hc_below(&m->rng, sizeof keys / sizeof keys[0])];
    app_key(m->a, k);
    m->keys++;
}

/* A random point inside w (or anywhere near it). */
static void widget_point(monkey *m, const ui_widget *w, int *x, int *y)
{
    *x = w->rect.x + (int)hc_below(&m->rng, (uint64_t)(w->rect.w > 0 ? w->rect.w : 1));
    *y = w->rect.y + (int)hc_below(&m->rng, (uint64_t)(w->rect.h > 0 ? w->rect.h : 1));
}

static const ui_widget *random_widget(monkey *m)
{
    app *a = m->a;
    layout(a);
    size_t n = 0;
    for (size_t i = 0; i < a->frame->n_widgets; i++)
        n += a->frame->widgets[i].action != UI_ACT_NONE;
    if (!n)
        return NULL;
    size_t pick = hc_below(&m->rng, n);
    for (size_t i = 0; i < a->frame->n_widgets; i++)
        if (a->frame->widgets[i].action != UI_ACT_NONE && pick-- == 0)
            return &a->frame->widgets[i];
    return NULL;
}

static void random_tap(monkey *m)
{
    int x, y;
    const ui_widget *w = hc_below(&m->rng, 4) ? random_widget(m) : NULL;
    if (w) {
        widget_point(m, w, &x, &y);
        m->widget_taps++;
    } else {
        x = (int)hc_below(&m->rng, W + 40) - 20; /* now and then just off the screen */
        y = (int)hc_below(&m->rng, H + 40) - 20;
    }
    tap_at(m->a, x, y);
    m->taps++;
}

static void random_drag(monkey *m)
{
    int x1, y1, x2, y2;
    const ui_widget *w = random_widget(m);
    if (w)
        widget_point(m, w, &x1, &y1);
    else {
        x1 = (int)hc_below(&m->rng, W);
        y1 = (int)hc_below(&m->rng, H);
    }
    x2 = (int)hc_below(&m->rng, W);
    y2 = (int)hc_below(&m->rng, H);
    app_pointer_down(m->a, x1, y1);
    advance(m->a, (int64_t)hc_below(&m->rng, 800));
    app_pointer_up(m->a, x2, y2);
    m->drags++;
}

static void random_hold(monkey *m)
{
    int x = (int)hc_below(&m->rng, W), y = (int)hc_below(&m->rng, H);
    bool corner = hc_below(&m->rng, 3) == 0;
    if (corner) {
        x = (int)hc_below(&m->rng, 40);
        y = (int)hc_below(&m->rng, 40);
        m->corner_holds++;
    }
    app_pointer_down(m->a, x, y);
    advance(m->a,
            corner ? 2500 + (int64_t)hc_below(&m->rng, 1500) : (int64_t)hc_below(&m->rng, 5000));
    app_pointer_up(m->a, x, y);
    m->holds++;
}

/* Several fingers and mouse buttons at once, through SDL's event queue and
 * the app's own main loop (app_run), which ends at the SDL_QUIT pushed
 * last. */
static void random_fingers(monkey *m)
{
    SDL_Event e;
    int n = 2 + (int)hc_below(&m->rng, 10);
    for (int i = 0; i < n; i++) {
        memset(&e, 0, sizeof e);
        uint64_t kind = hc_below(&m->rng, 9);
        if (kind < 6) {
            e.type = kind < 3 ? SDL_FINGERDOWN : kind < 5 ? SDL_FINGERUP : SDL_FINGERMOTION;
            e.tfinger.touchId = 1;
            e.tfinger.fingerId = (SDL_FingerID)hc_below(&m->rng, 4);
            e.tfinger.x = (float)hc_below(&m->rng, 1100) / 1000.0f - 0.05f;
            e.tfinger.y = (float)hc_below(&m->rng, 1100) / 1000.0f - 0.05f;
        } else if (kind < 8) {
            e.type = kind == 6 ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
            e.button.which = hc_below(&m->rng, 3) ? 0 : SDL_TOUCH_MOUSEID;
            e.button.button = hc_below(&m->rng, 4) ? SDL_BUTTON_LEFT : SDL_BUTTON_RIGHT;
            e.button.x = (int)hc_below(&m->rng, W);
            e.button.y = (int)hc_below(&m->rng, H);
        } else {
            e.type = SDL_WINDOWEVENT;
            e.window.event =
                hc_below(&m->rng, 2) ? SDL_WINDOWEVENT_EXPOSED : SDL_WINDOWEVENT_SIZE_CHANGED;
        }
        SDL_PushEvent(&e);
    }
    memset(&e, 0, sizeof e);
    e.type = SDL_QUIT;
    SDL_PushEvent(&e);
    bool quit_before = m->a->quit;
    app_run(m->a);
    m->a->quit = quit_before;
    m->finger_batches++;
}

/* Someone tries PINs: five wrong ones in a row start a lockout. */
static void wrong_pins(monkey *m)
{
    app *a = m->a;
    for (int i = 0; i < 5; i++) {
        const char *lang = app_lang_code(a);
        const char *seq[] = {str_get(lang, STR_STAFF_PIN_CLEAR), "4", "4", "4", "4",
                             str_get(lang, STR_STAFF_PIN_OK)};
        for (size_t k = 0; k < sizeof seq / sizeof seq[0]; k++) {
            const ui_widget *w = button(a, seq[k]);
            if (!w)
                return;
            tap_at(a, w->rect.x + w->rect.w / 2, w->rect.y + w->rect.h / 2);
            check_staff(m, "wrong PINs");
        }
    }
}

/* Staff mode on purpose: the corner hold, "Wissen", the PIN, "OK". */
static void enter_pin(monkey *m)
{
    app *a = m->a;
    if (!staff_is_open(a)) {
        app_pointer_down(a, 5, 5);
        advance(a, 3100);
        app_pointer_up(a, 5, 5);
    }
    advance(a, 300);
    if (!visible_str(a, STR_STAFF_PIN_TITLE))
        return;
    if (hc_below(&m->rng, 4) == 0) {
        wrong_pins(m);
        return;
    }
    const ui_widget *w = button(a, str_get(app_lang_code(a), STR_STAFF_PIN_CLEAR));
    if (w)
        tap_at(a, w->rect.x + w->rect.w / 2, w->rect.y + w->rect.h / 2);
    for (const char *p = MONKEY_PIN; *p; p++) {
        char d[2] = {*p, '\0'};
        w = button(a, d);
        if (!w)
            return; /* locked out: the pad shows no digits to press */
        tap_at(a, w->rect.x + w->rect.w / 2, w->rect.y + w->rect.h / 2);
    }
    w = button(a, str_get(app_lang_code(a), STR_STAFF_PIN_OK));
    if (!w)
        return;
    m->authorized = true; /* the right PIN, typed now */
    tap_at(a, w->rect.x + w->rect.w / 2, w->rect.y + w->rect.h / 2);
    if (!unlocked(a))
        return;
    m->pin_entries++;
    if (hc_below(&m->rng, 2))
        return; /* the monkey goes on in staff mode */
    /* Half the time staff switch mode (survey or live) and leave, so the
       monkey spends its time in both. */
    const char *lang = app_lang_code(a);
    str_id path[] = {STR_STAFF_CHOOSE,
                     hc_below(&m->rng, 2) ? STR_STAFF_MODE_SURVEY : STR_STAFF_MODE_LIVE, STR_DONE,
                     STR_STAFF_LEAVE};
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        advance(a, 300);
        w = button(a, str_get(lang, path[i]));
        if (!w)
            return;
        tap_at(a, w->rect.x + w->rect.w / 2, w->rect.y + w->rect.h / 2);
        check_staff(m, "staff switching mode");
    }
}

static void restart(monkey *m)
{
    app_destroy(m->a);
    m->a = NULL;
    monkey_start(m);
    m->restarts++;
}

static void one_event(monkey *m)
{
    app *a = m->a;
    uint64_t r = hc_below(&m->rng, 1000);
    const char *what;
    if (r < 450) {
        random_tap(m);
        what = "tap";
    } else if (r < 520) {
        random_drag(m);
        what = "drag";
    } else if (r < 545) {
        random_hold(m);
        what = "hold";
    } else if (r < 600) {
        random_fingers(m);
        what = "fingers";
    } else if (r < 700) {
        random_key(m);
        what = "key";
    } else if (r < 780) {
        random_text(m);
        what = "text";
    } else if (r < 790) {
        /* The wall clock jumps: 1970, now, decades ahead. */
        static const int64_t years[] = {-57, -1, 0, 0, 3, 30};
        int64_t now = (int64_t)time(NULL) * 1000;
        a->vclock.wall_ms = now + years[hc_below(&m->rng, 6)] * 365LL * 86400000LL +
                            (int64_t)hc_below(&m->rng, 86400000);
        if (a->vclock.wall_ms < 0)
            a->vclock.wall_ms = (int64_t)hc_below(&m->rng, 86400000);
        m->wall_jumps++;
        what = "wall clock jump";
    } else if (r < 800) {
        /* Minutes pass: idle warnings, timeouts, the end of lockouts. */
        advance(a, 20000 + (int64_t)hc_below(&m->rng, 200000));
        m->long_waits++;
        what = "long wait";
    } else if (r < 803) {
        enter_pin(m);
        what = "the PIN on purpose";
    } else if (r < 805) {
        /* The disk fills up, or has room again. */
        m->disk_full = !m->disk_full;
        assert_int_equal(store_set_max_pages(a->store, m->disk_full ? 1 : 0), BK_OK);
        m->disk_fulls += m->disk_full;
        what = "disk full/free";
    } else if (r < 806) {
        restart(m);
        what = "restart";
    } else {
        advance(a, (int64_t)hc_below(&m->rng, 700));
        what = "wait";
    }
    if (m->a->quit) {
        /* "Kiosk afsluiten" was confirmed: systemd starts it again. */
        m->staff_quits++;
        restart(m);
    }
    advance(m->a, (int64_t)hc_below(&m->rng, 120));
    check_staff(m, what);
    note_screen(m);
    m->events++;
}

static void check_database(monkey *m, const char *when)
{
    hc_surveys v;
    hc_surveys_load(&v, HC_SURVEYS);
    size_t n = 0;
    size_t bad = hc_check_all_responses(m->a->store, &v, &m->cfg, &n);
    hc_surveys_free(&v);
    if (bad)
        fail_msg("%s: %zu of %zu stored responses are not valid (above)", when, bad, n);
    char scratch[PATH_MAX + 16], msg[512];
    snprintf(scratch, sizeof scratch, "%s/scratch", m->dir);
    mkdir(scratch, 0755);
    if (!hc_integrity_ok(m->db, scratch, msg, sizeof msg))
        fail_msg("%s: %s", when, msg);
}

static void test_monkey(void **state)
{
    (void)state;
    monkey *m = calloc(1, sizeof *m);
    assert_non_null(m);
    long events = hc_env_long("BK_MONKEY_EVENTS", MONKEY_DEFAULT_EVENTS);
    m->rng.s = hc_seed("BK_MONKEY_SEED") | 1;
    monkey_open(m);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (m->events < events) {
        one_event(m);
        if (m->events % 40 == 0) {
            layout(m->a);
            app_draw(m->a); /* the renderer too, now and then */
            m->draws++;
        }
        if (m->events % 20000 == 0)
            check_database(m, "during the run");
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    check_database(m, "at the end");
    store_counts c;
    assert_int_equal(store_count(m->a->store, &c), BK_OK);
    app_destroy(m->a); /* keeps a resident's answers as partial */
    m->a = NULL;

    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("%ld events in %.1f s: %ld taps (%ld on buttons), %ld drags, %ld holds (%ld in "
                  "the corner), %ld multi-touch batches, %ld keys, %ld texts, %ld wall clock "
                  "jumps, %ld long waits, %ld full disks, %ld restarts (%ld by staff), %ld "
                  "frames drawn\n",
                  m->events, secs, m->taps, m->widget_taps, m->drags, m->holds, m->corner_holds,
                  m->finger_batches, m->keys, m->texts, m->wall_jumps, m->long_waits, m->disk_fulls,
                  m->restarts, m->staff_quits, m->draws);
    print_message("staff mode entered %ld times, always with the PIN; %lld responses stored "
                  "(%lld still started before the last close), all valid\n",
                  m->pin_entries, (long long)c.total, (long long)c.started);
    print_message("screens reached (events):");
    for (int i = 0; i < SEEN_COUNT; i++)
        print_message(" %s %ld;", seen_name[i], m->seen[i]);
    print_message("\nquestion types:");
    for (int t = 0; t < 8; t++)
        print_message(" %s %ld;", survey_qtype_name((survey_qtype)t), m->qtypes[t]);
    print_message("\nquestion screens per language:");
    for (size_t l = 0; l < m->cfg.kiosk.n_languages; l++)
        print_message(" %s %ld;", m->cfg.kiosk.languages[l], m->lang_questions[l]);
    print_message("\n");

    /* Every screen was reached (with the default number of events). */
    if (events >= 50000) {
        for (int i = 0; i < SEEN_COUNT; i++)
            if (!m->seen[i])
                fail_msg("the monkey never reached: %s", seen_name[i]);
        for (int t = 0; t < 8; t++)
            if (!m->qtypes[t])
                fail_msg("the monkey never reached a %s question",
                         survey_qtype_name((survey_qtype)t));
        for (size_t l = 0; l < m->cfg.kiosk.n_languages; l++)
            if (!m->lang_questions[l])
                fail_msg("the monkey never answered in %s", m->cfg.kiosk.languages[l]);
        assert_true(c.total > 0);
    }
    config_free(&m->cfg);
    ut_rmtree(m->dir);
    free(m);
}

/* Typed bytes that are not UTF-8 (a broken input method; the monkey sends
 * them) are left out of the text field; the rest of the text is stored. It
 * used to be refused whole by the store: the resident was thanked without
 * their text, and a live vote put the kiosk out of service. */
static void test_typed_bytes_not_utf8(void **state)
{
    (void)state;
    char dir[512], ini[PATH_MAX];
    ut_tmpdir(dir, sizeof dir, "monkey-utf8");
    snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
    hc_write_config(ini, NULL);
    ut_app u;
    ut_app_open(&u, ini, dir, 1280, 800);
    app *a = u.a;
    ut_wait(a, 400);
    ut_tap_action(a, UI_ACT_START, INT32_MIN);
    ut_wait(a, 2000);
    ut_tap_action(a, UI_ACT_ANSWER, 3);
    ut_wait(a, 2000);
    app_text_input(a, "ok \xC3 x\xFF\xFEy \xED\xA0\x80\xC0\xAF\xC3\xA9");
    ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
    assert_int_equal(a->screen, APP_SCREEN_THANKS);
    ut_app_close(&u);
    char db[PATH_MAX + 32];
    snprintf(db, sizeof db, "%s/app-1280x800.db", dir);
    ut_db rows;
    ut_db_load(db, &rows);
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.r[0].status, "complete");
    ut_expect_answer(&rows.r[0], "q2", "\"ok  xy \xC3\xA9\"");
    ut_db_free(&rows);
    ut_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_bytes_not_utf8),
        cmocka_unit_test(test_monkey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
