/* app.c: the kiosk's context, input, timers, main loop and replays. */
#include "app.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "strings.h"
#include "text_entry.h"

#define APP_WAIT_CAP_MS 10000 /* wake at least this often (watchdog) */

const char *app_lang_code(const app *a)
{
    if (a->config->kiosk.n_languages == 0)
        return "nl";
    return a->config->kiosk.languages[a->lang];
}

double app_px_per_mm(const app *a)
{
    return a->dpi / 25.4;
}

static int64_t app_now(const app *a)
{
    return clock_mono_ms(&a->clock);
}

/* ---- Surveys ---- */

static int app_compare_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Loads every *.json in the configured survey directory. Invalid files are
 * logged with every problem and skipped; the valid ones are used. */
static void app_load_surveys(app *a)
{
    char *dir = config_resolve_path(a->config, a->config->survey.directory);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        log_error("app", "cannot open the survey directory %s: %s", dir ? dir : "?",
                  strerror(errno));
        free(dir);
        return;
    }
    char *names[APP_MAX_SURVEYS];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < APP_MAX_SURVEYS) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], app_compare_names);
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        bk_diag diag = {0};
        survey *s = survey_load_file(path, &diag);
        if (s && a->n_surveys < APP_MAX_SURVEYS)
            a->surveys[a->n_surveys++] = s;
        else {
            for (size_t k = 0; k < diag.count; k++)
                log_error("survey", "%s", diag.messages[k]);
            survey_free(s);
        }
        diag_clear(&diag);
        free(names[i]);
    }
    free(dir);
}

/* Adds the definitions the sync worker downloaded (validated again): they
 * replace installed ones with the same id. Returns the bundle's active id
 * (caller frees) or NULL. */
static char *app_load_downloaded_surveys(app *a)
{
    survey **v = NULL;
    size_t n = 0;
    char *active = NULL;
    bk_diag diag = {0};
    bk_err err = sync_surveys_from_store(a->store, &v, &n, &active, &diag);
    if (err == BK_ERR_INVALID)
        for (size_t k = 0; k < diag.count; k++)
            log_error("survey", "downloaded: %s", diag.messages[k]);
    diag_clear(&diag);
    if (err != BK_OK)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < a->n_surveys && strcmp(a->surveys[k]->id, v[i]->id) != 0)
            k++;
        if (k < a->n_surveys) {
            survey_free(a->surveys[k]);
            a->surveys[k] = v[i];
        } else if (a->n_surveys < APP_MAX_SURVEYS) {
            a->surveys[a->n_surveys++] = v[i];
        } else {
            survey_free(v[i]);
        }
        v[i] = NULL;
    }
    sync_surveys_free(v, n);
    return active;
}

static const survey *app_find_survey(const app *a, const char *id)
{
    for (size_t i = 0; id && i < a->n_surveys; i++)
        if (strcmp(a->surveys[i]->id, id) == 0)
            return a->surveys[i];
    return NULL;
}

/* (Re)loads every survey: the configured directory, then the downloaded
 * bundle on top. The active one: the bundle's choice, else the
 * configuration's. Never called while a resident is in a survey. */
static bool app_reload_surveys(app *a)
{
    for (size_t i = 0; i < a->n_surveys; i++)
        survey_free(a->surveys[i]);
    a->n_surveys = 0;
    a->active = NULL;
    app_load_surveys(a);
    char *downloaded_active = app_load_downloaded_surveys(a);
    char *staff_active = NULL;
    if (store_meta_get(a->store, "staff.active", &staff_active) != BK_OK)
        staff_active = NULL;
    /* Staff's choice first, then the municipality's download, then the file. */
    a->active = app_find_survey(a, staff_active);
    if (!a->active)
        a->active = app_find_survey(a, downloaded_active);
    if (!a->active)
        a->active = app_find_survey(a, a->config->survey.active);
    free(staff_active);
    free(downloaded_active);
    if (a->sync && a->active)
        sync_worker_set_shown_survey(a->sync, a->active->id, a->active->version);
    a->surveys_reload_pending = false;
    return a->active != NULL;
}

/* The area names in the current language, for the area question. */
static void app_update_areas(app *a)
{
    for (size_t i = 0; i < a->config->n_areas; i++) {
        a->areas[i].id = a->config->areas[i].id;
        a->areas[i].name = config_area_name(a->config, a->config->areas[i].id, app_lang_code(a));
        if (!a->areas[i].name)
            a->areas[i].name = a->config->areas[i].id;
    }
}

static int app_default_language(const bk_config *cfg)
{
    for (size_t i = 0; i < cfg->kiosk.n_languages; i++)
        if (cfg->kiosk.default_language &&
            strcmp(cfg->kiosk.languages[i], cfg->kiosk.default_language) == 0)
            return (int)i;
    return 0;
}

/* ---- Sync ---- */

/* Called from the sync worker's thread: wake the UI thread with an event. */
static void app_on_sync_status(void *ctx)
{
    app *a = ctx;
    SDL_Event e = {.type = a->sync_event};
    SDL_PushEvent(&e); /* thread-safe */
}

/* Starts the sync worker when [sync] base_url is set. A configuration
 * problem is logged and stops the kiosk from starting (staff must fix it). */
static bool app_start_sync(app *a)
{
    if (!a->config->sync.base_url || !a->config->sync.base_url[0]) {
        log_info("app", "no [sync] base_url: answers stay on this kiosk");
        return true;
    }
    a->sync_event = SDL_RegisterEvents(1);
    if (a->sync_event == (Uint32)-1) {
        log_error("app", "SDL has no user events left");
        return false;
    }
    sync_options opt = sync_options_default();
    opt.on_status = app_on_sync_status;
    opt.status_ctx = a;
    bk_diag diag = {0};
    bk_err err = sync_worker_create(a->config, a->db_path, &opt, &a->sync, &diag);
    if (err == BK_OK)
        err = sync_worker_start(a->sync);
    for (size_t k = 0; k < diag.count; k++)
        log_error("sync", "%s", diag.messages[k]);
    diag_clear(&diag);
    if (err != BK_OK) {
        /* Answers are still taken and kept; staff see the problem. */
        log_error("app", "not sending answers until the [sync] settings are fixed: %s",
                  bk_err_str(err));
        sync_worker_destroy(a->sync);
        a->sync = NULL;
        a->sync_status.error = SYNC_ERROR_CONFIG;
        return true;
    }
    if (a->active)
        sync_worker_set_shown_survey(a->sync, a->active->id, a->active->version);
    return true;
}

/* The worker's status changed: keep a copy; new surveys wait for the
 * attract screen, so a resident finishes the version they started. */
static void app_sync_changed(app *a)
{
    if (!a->sync)
        return;
    sync_worker_status(a->sync, &a->sync_status);
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->sync_changed)
            app_modules[i]->sync_changed(a);
    if (a->sync_status.surveys_generation != a->surveys_generation) {
        a->surveys_generation = a->sync_status.surveys_generation;
        a->surveys_reload_pending = true;
    }
    if (a->surveys_reload_pending && !a->in_flow && a->screen == APP_SCREEN_ATTRACT) {
        const survey *before = a->active;
        char *id = before ? strdup(before->id) : NULL;
        if (!app_reload_surveys(a))
            log_error("app", "after the download no active survey is installed");
        else if (!id || strcmp(id, a->active->id) != 0)
            log_info("app", "now showing survey \"%s\" version %d", a->active->id,
                     a->active->version);
        free(id);
        a->dirty = true;
    }
}

/* Lets a module show its own screen instead of the attract screen. */
static void app_modules_attract(app *a)
{
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->attract && app_modules[i]->attract(a))
            return;
}

/* ---- Creation ---- */

/* True when dir/fonts holds the bundled fonts; the fonts directory in out. */
static bool app_fonts_in(const char *assets, const char *suffix, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s/fonts", assets, suffix);
    if (n < 0 || (size_t)n >= size)
        return false;
    char path[PATH_MAX];
    n = snprintf(path, sizeof path, "%s/NotoSans-Regular.ttf", out);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Finds the fonts: BK_ASSETS, the option, next to the binary, the source
 * tree, then the installed location. */
static void app_find_fonts(const app_options *opt, char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *env = getenv("BK_ASSETS");
    if (env && app_fonts_in(env, "", out, size))
        return;
    if (opt->assets_dir && app_fonts_in(opt->assets_dir, "", out, size))
        return;
    if (app_fonts_in(exe, "/../assets", out, size))
        return;
    if (app_fonts_in(BK_SOURCE_DIR, "/assets", out, size))
        return;
    app_fonts_in("/usr/share/buurtkiosk/assets", "", out, size);
}

static bool app_open_window(app *a, const app_options *opt)
{
    const bk_config *cfg = a->config;
    bool fullscreen = opt->fullscreen || cfg->display.fullscreen;
    int w = opt->width ? opt->width : cfg->display.width;
    int h = opt->height ? opt->height : cfg->display.height;
    SDL_DisplayMode mode;
    if ((!w || !h) && SDL_GetDesktopDisplayMode(0, &mode) == 0) {
        w = mode.w;
        h = mode.h;
    }
    if (!w || !h) {
        w = 1280;
        h = 800;
    }
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_RESIZABLE;
    if (fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    a->window =
        SDL_CreateWindow("Buurtkiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!a->window) {
        log_error("app", "cannot open a window: %s", SDL_GetError());
        return false;
    }
    a->renderer = SDL_CreateRenderer(a->window, -1, 0);
    if (!a->renderer)
        a->renderer = SDL_CreateRenderer(a->window, -1, SDL_RENDERER_SOFTWARE);
    if (!a->renderer) {
        log_error("app", "cannot create a renderer: %s", SDL_GetError());
        return false;
    }
    if (fullscreen)
        SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    SDL_GetRendererOutputSize(a->renderer, &a->width, &a->height);
    return true;
}

app *app_create(const bk_config *cfg, const app_options *opt)
{
    app *a = calloc(1, sizeof *a);
    if (!a || !(a->frame = calloc(1, sizeof *a->frame)) ||
        !(a->entry = calloc(1, sizeof *a->entry))) {
        if (a)
            free(a->frame);
        free(a);
        log_error("app", "out of memory");
        return NULL;
    }
    a->config = cfg;
    a->selected_pending = -1;
    a->lang = app_default_language(cfg);
    a->dpi = cfg->display.dpi > 0 ? cfg->display.dpi : 96;
    a->virtual_time = opt->virtual_time;
    if (a->virtual_time) {
        bk_clock sys = clock_system();
        a->vclock.mono_ms = 1000000;
        a->vclock.wall_ms = clock_wall_ms(&sys);
        a->clock = clock_virtual(&a->vclock);
    } else {
        a->clock = clock_system();
    }
    if (sodium_init() < 0) {
        log_error("app", "libsodium could not start");
        goto fail;
    }

    char *db =
        opt->db_path ? strdup(opt->db_path) : config_resolve_path(cfg, cfg->storage.database);
    store_open_info info = {0};
    bk_err err = db ? store_open(db, &a->clock, &a->store, &info) : BK_ERR_NOMEM;
    if (err != BK_OK) {
        log_error("app", "cannot open the database %s: %s", db ? db : "?", bk_err_str(err));
        free(db);
        goto fail;
    }
    if (info.recovered)
        log_warn("app", "the database %s was damaged; moved aside to %s, started a fresh one", db,
                 info.moved_to);
    a->db_path = db;
    int abandoned = 0;
    if (store_close_abandoned(a->store, &abandoned) == BK_OK && abandoned > 0)
        log_info("app", "%d unfinished responses from before a restart kept as partial", abandoned);

    if (!app_reload_surveys(a)) {
        log_error("app", "the active survey \"%s\" is not installed in %s",
                  cfg->survey.active ? cfg->survey.active : "", cfg->survey.directory);
        goto fail;
    }
    app_update_areas(a);
    a->mode = cfg->kiosk.mode;
    char *mode = NULL;
    if (store_meta_get(a->store, "staff.mode", &mode) == BK_OK)
        a->mode = strcmp(mode, "live") == 0 ? CONFIG_MODE_LIVE : CONFIG_MODE_SURVEY;
    free(mode);

    if (TTF_Init() != 0) {
        log_error("app", "SDL_ttf: %s", TTF_GetError());
        goto fail;
    }
    char fonts_dir[PATH_MAX];
    app_find_fonts(opt, fonts_dir, sizeof fonts_dir);
    a->fonts = ui_fonts_open(fonts_dir);
    if (!a->fonts)
        goto fail;
    a->text = ui_fonts_engine(a->fonts);

    if (opt->headless) {
        a->width = opt->width ? opt->width : 1920;
        a->height = opt->height ? opt->height : 1080;
    } else {
        if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
            log_error("app", "SDL: %s", SDL_GetError());
            goto fail;
        }
        IMG_Init(IMG_INIT_PNG);
        if (!app_open_window(a, opt))
            goto fail;
        a->ui = ui_renderer_create(a->renderer, a->fonts);
        if (!a->ui)
            goto fail;
    }
    if (!opt->no_sync && !opt->headless && !app_start_sync(a))
        goto fail;
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->create && !app_modules[i]->create(a)) {
            log_error("app", "the %s module could not start", app_modules[i]->name);
            goto fail;
        }
    a->screen = APP_SCREEN_ATTRACT;
    a->last_input_at = app_now(a);
    a->dirty = true;
    app_modules_attract(a);
    return a;
fail:
    app_destroy(a);
    return NULL;
}

/* ---- The resident's session ---- */

static void app_to_out_of_service(app *a);

/* Stores the typed text of the current text question, when changed. */
static bool app_store_text(app *a)
{
    if (!a->in_flow || !a->text_dirty)
        return true;
    if (flow_question(&a->flow)->type != SURVEY_Q_TEXT)
        return true;
    a->text_dirty = false;
    bk_err err = flow_answer_text(&a->flow, a->entry->text);
    if (err != BK_OK && err != BK_ERR_INVALID) {
        app_to_out_of_service(a);
        return false;
    }
    return true;
}

/* Forgets everything of the resident who just left. */
static void app_end_session(app *a)
{
    if (a->in_flow)
        flow_free(&a->flow);
    a->in_flow = false;
    a->flow_survey = NULL;
    if (a->entry)
        text_entry_clear(a->entry);
    a->text_dirty = false;
    a->selected_pending = -1;
    a->advance_at = 0;
    a->idle_warning_at = 0;
    a->lang = app_default_language(a->config);
    a->big_text = false;
    a->high_contrast = false;
    app_update_areas(a);
    if (a->ui)
        ui_renderer_forget_text(a->ui);
    if (a->window)
        SDL_StopTextInput();
    a->dirty = true;
}

static void app_to_attract(app *a)
{
    app_end_session(a);
    a->screen = APP_SCREEN_ATTRACT;
    a->input_settle_until = app_now(a) + APP_INPUT_SETTLE_MS;
    if (a->surveys_reload_pending)
        app_sync_changed(a);
    app_modules_attract(a);
}

static void app_to_out_of_service(app *a)
{
    if (a->in_flow && a->flow.response_open)
        flow_abandon(&a->flow, &a->memory); /* may fail too; restart closes it */
    app_end_session(a);
    a->screen = APP_SCREEN_OUT_OF_SERVICE;
    a->out_of_service_at = app_now(a);
    log_error("app", "out of service: the database cannot store answers (%s)",
              bk_err_str(a->flow.last_error));
}

/* Keeps a half-finished response as partial (idle, staff mode, shutdown). */
static void app_abandon(app *a)
{
    if (!a->in_flow)
        return;
    app_store_text(a);
    if (a->in_flow && a->flow.response_open) {
        bk_err err = flow_abandon(&a->flow, &a->memory);
        if (err != BK_OK)
            log_error("app", "keeping the response as partial failed: %s", bk_err_str(err));
    }
}

/* Shows the question the flow is at: its stored text, a fresh keyboard. */
static void app_show_question(app *a)
{
    a->screen = APP_SCREEN_QUESTION;
    a->selected_pending = -1;
    const flow_answer *ans = flow_current_answer(&a->flow);
    text_entry_set(a->entry, ans->text);
    a->text_dirty = false;
    if (a->window) {
        if (flow_question(&a->flow)->type == SURVEY_Q_TEXT)
            SDL_StartTextInput();
        else
            SDL_StopTextInput();
    }
    a->input_settle_until = app_now(a) + APP_INPUT_SETTLE_MS;
    a->dirty = true;
}

static void app_start(app *a)
{
    const survey *s = a->active;
    int sl = survey_language_index(s, app_lang_code(a));
    bk_err err = flow_begin(&a->flow, s, a->store, &a->clock, sl < 0 ? 0 : sl,
                            a->mode == CONFIG_MODE_LIVE ? "live" : "survey", a->config->kiosk.area,
                            a->areas, a->config->n_areas);
    a->in_flow = true;
    a->flow_survey = s;
    if (err != BK_OK) {
        app_to_out_of_service(a);
        return;
    }
    app_show_question(a);
}

static void app_finish(app *a)
{
    bk_err err = flow_finish(&a->flow, &a->memory);
    if (err != BK_OK) {
        app_to_out_of_service(a);
        return;
    }
    /* Thank the resident in their own language, text size and contrast. */
    int lang = a->lang;
    bool big_text = a->big_text, high_contrast = a->high_contrast;
    app_end_session(a);
    app_set_language(a, lang);
    a->big_text = big_text;
    a->high_contrast = high_contrast;
    a->screen = APP_SCREEN_THANKS;
    a->thanks_at = app_now(a);
    a->input_settle_until = app_now(a) + APP_INPUT_SETTLE_MS;
}

static void app_go_next(app *a)
{
    if (!app_store_text(a))
        return;
    if (flow_next(&a->flow))
        app_show_question(a);
    else
        app_finish(a);
}

/* After a store call: on a store failure, stop taking answers. */
static bool app_check(app *a, bk_err err)
{
    if (err == BK_OK || err == BK_ERR_INVALID || err == BK_ERR_STATE)
        return true;
    app_to_out_of_service(a);
    return false;
}

static void app_type(app *a, const char *utf8)
{
    if (a->screen != APP_SCREEN_QUESTION || a->idle_warning_at ||
        flow_question(&a->flow)->type != SURVEY_Q_TEXT)
        return;
    if (text_entry_type(a->entry, utf8, flow_question(&a->flow)->max_length))
        a->text_dirty = true;
    a->dirty = true;
}

static void app_backspace(app *a)
{
    if (text_entry_backspace(a->entry))
        a->text_dirty = true;
    a->dirty = true;
}

static void app_keyboard_key(app *a, int key)
{
    if (a->screen != APP_SCREEN_QUESTION || flow_question(&a->flow)->type != SURVEY_Q_TEXT)
        return;
    if (text_entry_press(a->entry, app_lang_code(a), key, flow_question(&a->flow)->max_length))
        a->text_dirty = true;
    a->dirty = true;
}

void app_set_language(app *a, int lang)
{
    if (lang < 0 || (size_t)lang >= a->config->kiosk.n_languages)
        return;
    a->lang = lang;
    app_update_areas(a);
    if (a->in_flow) {
        int sl = survey_language_index(a->flow_survey, app_lang_code(a));
        app_check(a, flow_set_language(&a->flow, sl < 0 ? 0 : sl));
    }
    a->dirty = true;
}

static void app_action(app *a, ui_action action, int arg)
{
    int64_t now = app_now(a);
    a->dirty = true;
    switch (action) {
    case UI_ACT_START:
        app_start(a);
        break;
    case UI_ACT_LANGUAGE:
        app_set_language(a, arg);
        break;
    case UI_ACT_BIGGER_TEXT:
        a->big_text = !a->big_text;
        break;
    case UI_ACT_CONTRAST:
        a->high_contrast = !a->high_contrast;
        break;
    case UI_ACT_ANSWER: {
        const survey_question *q = flow_question(&a->flow);
        bk_err err;
        if (q->type == SURVEY_Q_MULTI) {
            app_check(a, flow_toggle_option(&a->flow, arg));
            break;
        }
        if (q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_AREA)
            err = flow_answer_option(&a->flow, arg);
        else
            err = flow_answer_number(&a->flow, arg);
        if (!app_check(a, err))
            break;
        a->selected_pending = arg;
        a->advance_at = now + APP_AUTO_ADVANCE_MS;
        break;
    }
    case UI_ACT_NEXT:
        app_go_next(a);
        break;
    case UI_ACT_BACK:
        if (app_store_text(a) && flow_back(&a->flow))
            app_show_question(a);
        break;
    case UI_ACT_SKIP:
        a->text_dirty = false;
        if (app_check(a, flow_skip(&a->flow)))
            app_go_next(a);
        break;
    case UI_ACT_KEY:
        app_keyboard_key(a, arg);
        break;
    case UI_ACT_STILL_HERE:
        a->idle_warning_at = 0;
        break;
    case UI_ACT_THANKS_DONE:
        app_to_attract(a);
        break;
    case UI_ACT_NUMBER_STEP: {
        const survey_question *q = flow_question(&a->flow);
        const flow_answer *ans = flow_current_answer(&a->flow);
        long long v = ans->given ? ans->number + arg : (arg > 0 ? q->min : q->max);
        if (v < q->min)
            v = q->min;
        if (v > q->max)
            v = q->max;
        app_check(a, flow_answer_number(&a->flow, v));
        break;
    }
    case UI_ACT_MODULE: {
        size_t m = (size_t)arg >> 16;
        if (m < app_n_modules && app_modules[m]->action)
            app_modules[m]->action(a, arg & 0xFFFF);
        break;
    }
    case UI_ACT_NONE:
    case UI_ACT_COUNT:
        break;
    }
}

bk_err app_choose_survey(app *a, const char *survey_id)
{
    if (!app_find_survey(a, survey_id))
        return BK_ERR_NOT_FOUND;
    bk_err err = store_meta_set(a->store, "staff.active", survey_id);
    if (err != BK_OK)
        return err;
    if (!a->in_flow) {
        a->active = app_find_survey(a, survey_id);
        if (a->sync)
            sync_worker_set_shown_survey(a->sync, a->active->id, a->active->version);
    } else {
        a->surveys_reload_pending = true; /* after this resident */
    }
    a->dirty = true;
    log_info("app", "staff chose survey \"%s\"", survey_id);
    return BK_OK;
}

bk_err app_choose_mode(app *a, config_mode mode)
{
    bk_err err =
        store_meta_set(a->store, "staff.mode", mode == CONFIG_MODE_LIVE ? "live" : "survey");
    if (err != BK_OK)
        return err;
    a->mode = mode;
    a->dirty = true;
    log_info("app", "staff chose mode %s", mode == CONFIG_MODE_LIVE ? "live" : "survey");
    return BK_OK;
}

int app_module_arg(int module, int sub)
{
    return module << 16 | (sub & 0xFFFF);
}

void app_show_module(app *a, int module)
{
    a->screen = APP_SCREEN_MODULE;
    a->module_screen = module;
    a->idle_warning_at = 0;
    a->advance_at = 0;
    a->input_settle_until = app_now(a) + APP_INPUT_SETTLE_MS;
    a->dirty = true;
}

void app_abandon_resident(app *a)
{
    app_abandon(a);
    app_end_session(a);
}

void app_go_attract(app *a)
{
    app_to_attract(a);
}

/* ---- Input ---- */

static const ui_widget *app_widget_at(app *a, int x, int y)
{
    if (a->dirty)
        app_layout(a);
    return ui_hit(a->frame, x, y);
}

/* Lets the modules see a press or release first. */
static bool app_modules_pointer(app *a, bool down, int x, int y)
{
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->pointer && app_modules[i]->pointer(a, down, x, y))
            return true;
    return false;
}

void app_pointer_down(app *a, int x, int y)
{
    a->last_input_at = app_now(a);
    a->press_at = a->last_input_at;
    if (app_modules_pointer(a, true, x, y)) {
        a->pointer_down = false;
        return;
    }
    a->pointer_down = true;
    a->press_x = x;
    a->press_y = y;
    const ui_widget *w = app_widget_at(a, x, y);
    a->pressed_action = w ? w->action : UI_ACT_NONE;
    a->pressed_arg = w ? w->arg : 0;
    if (w)
        a->dirty = true;
}

void app_pointer_up(app *a, int x, int y)
{
    int64_t now = app_now(a);
    a->last_input_at = now;
    if (app_modules_pointer(a, false, x, y) || !a->pointer_down) {
        a->pointer_down = false;
        a->pressed_action = UI_ACT_NONE;
        a->dirty = true;
        return;
    }
    a->pointer_down = false;
    ui_action pressed = a->pressed_action;
    int pressed_arg = a->pressed_arg;
    a->pressed_action = UI_ACT_NONE;
    a->dirty = true;
    if (a->idle_warning_at) {
        /* Any touch answers "are you still there?". */
        a->idle_warning_at = 0;
        a->input_settle_until = now + APP_INPUT_SETTLE_MS;
        return;
    }
    /* A double tap must not answer twice or skip a question. */
    if (now < a->input_settle_until || a->advance_at) {
        log_debug("app", "tap ignored: %lld ms after the screen changed",
                  (long long)(now - a->input_settle_until + APP_INPUT_SETTLE_MS));
        return;
    }
    const ui_widget *w = app_widget_at(a, x, y);
    log_debug("app", "tap at %d,%d: widget %d/%d (pressed %d/%d)", x, y, w ? (int)w->action : -1,
              w ? w->arg : -1, (int)pressed, pressed_arg);
    if (!w || w->action != pressed || w->arg != pressed_arg)
        return; /* the finger slid off the button */
    app_action(a, w->action, w->arg);
}

void app_text_input(app *a, const char *utf8)
{
    a->last_input_at = app_now(a);
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->text && app_modules[i]->text(a, utf8))
            return;
    app_type(a, utf8);
}

void app_key(app *a, SDL_Keycode key)
{
    a->last_input_at = app_now(a);
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->key && app_modules[i]->key(a, key))
            return;
    if (a->screen != APP_SCREEN_QUESTION || a->idle_warning_at) {
        a->idle_warning_at = 0;
        a->dirty = true;
        return;
    }
    const survey_question *q = flow_question(&a->flow);
    if (key == SDLK_BACKSPACE && q->type == SURVEY_Q_TEXT)
        app_backspace(a);
    else if ((key == SDLK_RETURN || key == SDLK_KP_ENTER) &&
             (q->type == SURVEY_Q_TEXT || q->type == SURVEY_Q_NUMBER || q->type == SURVEY_Q_MULTI ||
              q->type == SURVEY_Q_INFO) &&
             !a->advance_at && app_now(a) >= a->input_settle_until)
        app_action(a, UI_ACT_NEXT, 0);
}

/* ---- Timers ---- */

static int64_t app_idle_deadline(const app *a)
{
    return a->last_input_at + (int64_t)a->config->kiosk.idle_timeout_s * 1000;
}

int64_t app_next_timer_ms(const app *a)
{
    int64_t now = app_now(a), next = INT64_MAX;
    if (a->advance_at)
        next = a->advance_at;
    if (a->screen == APP_SCREEN_QUESTION) {
        if (!a->idle_warning_at) {
            int64_t t = app_idle_deadline(a);
            next = t < next ? t : next;
        } else {
            /* Redraw the countdown every second, and end it. */
            int64_t elapsed = now - a->idle_warning_at;
            int64_t t = a->idle_warning_at + (elapsed / 1000 + 1) * 1000;
            int64_t end = a->idle_warning_at + APP_IDLE_COUNTDOWN_MS;
            t = t < end ? t : end;
            next = t < next ? t : next;
        }
    }
    if (a->screen == APP_SCREEN_THANKS) {
        int64_t t = a->thanks_at + APP_THANKS_MS;
        next = t < next ? t : next;
    }
    if (a->screen == APP_SCREEN_OUT_OF_SERVICE) {
        int64_t t = a->out_of_service_at + APP_OUT_OF_SERVICE_RETRY_MS;
        next = t < next ? t : next;
    }
    for (size_t i = 0; i < app_n_modules; i++) {
        int64_t t = app_modules[i]->next_timer_ms ? app_modules[i]->next_timer_ms(a) : -1;
        if (t >= 0 && now + t < next)
            next = now + t;
    }
    if (next == INT64_MAX)
        return -1;
    return next > now ? next - now : 0;
}

void app_tick(app *a)
{
    int64_t now = app_now(a);
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->tick)
            app_modules[i]->tick(a);
    if (a->advance_at && now >= a->advance_at) {
        a->advance_at = 0;
        a->selected_pending = -1;
        app_go_next(a);
    }
    if (a->screen == APP_SCREEN_QUESTION) {
        if (!a->idle_warning_at && now >= app_idle_deadline(a)) {
            a->idle_warning_at = now;
            a->dirty = true;
        } else if (a->idle_warning_at) {
            if (now - a->idle_warning_at >= APP_IDLE_COUNTDOWN_MS) {
                log_info("app", "nobody answered for a while: response kept as partial");
                app_abandon(a);
                app_to_attract(a);
            } else {
                a->dirty = true; /* the countdown */
            }
        }
    }
    if (a->screen == APP_SCREEN_THANKS && now - a->thanks_at >= APP_THANKS_MS)
        app_to_attract(a);
    if (a->screen == APP_SCREEN_OUT_OF_SERVICE &&
        now - a->out_of_service_at >= APP_OUT_OF_SERVICE_RETRY_MS) {
        /* Resume by itself as soon as the database takes writes again. */
        char stamp[32];
        clock_format_rfc3339(clock_wall_ms(&a->clock), stamp, sizeof stamp);
        if (store_meta_set(a->store, "health.last_write", stamp) == BK_OK) {
            log_info("app", "the database takes writes again: back in service");
            /* The resident who was cut off is gone: keep their answers as
               partial now (as a restart would), so they are sent. */
            int n = 0;
            if (store_close_abandoned(a->store, &n) == BK_OK && n > 0)
                log_info("app", "%d unfinished responses kept as partial", n);
            app_to_attract(a);
        } else {
            a->out_of_service_at = now;
        }
    }
}

/* ---- Drawing ---- */

void app_layout(app *a)
{
    screens_build(a);
    a->dirty = false;
}

void app_draw(app *a)
{
    if (!a->ui)
        return;
    const ui_theme *t = a->high_contrast ? ui_theme_high_contrast() : ui_theme_default();
    Uint64 t0 = SDL_GetPerformanceCounter();
    ui_renderer_draw(a->ui, a->frame, t->background);
    SDL_RenderPresent(a->renderer);
    /* SDL's offscreen driver (replays, `render`, the tests) draws into an
       EGL pbuffer, where eglSwapBuffers does nothing: unless the frame is
       finished here, Mesa kept every frame's work, megabytes per resident
       until the kiosk ran out of memory (tests/test_soak.c, BK_SOAK_RENDER). */
    const char *driver = SDL_GetCurrentVideoDriver();
    if (driver && strcmp(driver, "offscreen") == 0) {
        void (*gl_finish)(void) = (void (*)(void))SDL_GL_GetProcAddress("glFinish");
        if (gl_finish)
            gl_finish();
    }
    a->frames_drawn++;
    /* bench/run.sh: BK_FRAME_TIMES=FILE appends each frame's render + present
       time in microseconds. */
    const char *times = getenv("BK_FRAME_TIMES");
    FILE *f = times ? fopen(times, "a") : NULL;
    if (f) {
        double us = (double)(SDL_GetPerformanceCounter() - t0) * 1e6 /
                    (double)SDL_GetPerformanceFrequency();
        fprintf(f, "%.1f\n", us);
        fclose(f);
    }
}

static void app_refresh(app *a)
{
    if (!a->dirty)
        return;
    app_layout(a);
    app_draw(a);
}

/* ---- Main loop ---- */

static void app_handle_event(app *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        a->quit = true;
        break;
    case SDL_FINGERDOWN:
        /* Only the first finger counts. */
        if (!a->finger_active) {
            a->finger_active = true;
            a->finger = e->tfinger.fingerId;
            app_pointer_down(a, (int)(e->tfinger.x * a->width), (int)(e->tfinger.y * a->height));
        }
        break;
    case SDL_FINGERUP:
        if (a->finger_active && e->tfinger.fingerId == a->finger) {
            a->finger_active = false;
            app_pointer_up(a, (int)(e->tfinger.x * a->width), (int)(e->tfinger.y * a->height));
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.which != SDL_TOUCH_MOUSEID && e->button.button == SDL_BUTTON_LEFT &&
            !a->finger_active)
            app_pointer_down(a, e->button.x, e->button.y);
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.which != SDL_TOUCH_MOUSEID && e->button.button == SDL_BUTTON_LEFT &&
            !a->finger_active)
            app_pointer_up(a, e->button.x, e->button.y);
        break;
    case SDL_TEXTINPUT:
        app_text_input(a, e->text.text);
        break;
    case SDL_KEYDOWN:
        app_key(a, e->key.keysym.sym);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_EXPOSED) {
            SDL_GetRendererOutputSize(a->renderer, &a->width, &a->height);
            a->dirty = true;
        }
        break;
    default:
        if (a->sync && e->type == a->sync_event)
            app_sync_changed(a);
        break;
    }
}

#define APP_POLL_STEP_MS 10

/* Waits up to ms for the next event. X11, Wayland, Windows and macOS block
 * in the OS; with the other drivers (kmsdrm on the kiosk, offscreen) SDL's
 * own wait polls every millisecond, so we poll in 10 ms steps instead: a
 * tap still shows within one frame, and an idle kiosk uses almost no CPU. */
static int app_wait_event(app *a, SDL_Event *e, int ms)
{
    static const char *const blocking[] = {"x11", "wayland", "windows", "cocoa"};
    const char *driver = SDL_GetCurrentVideoDriver();
    for (size_t i = 0; driver && i < sizeof blocking / sizeof blocking[0]; i++)
        if (strcmp(driver, blocking[i]) == 0)
            return SDL_WaitEventTimeout(e, ms);
    int64_t end = app_now(a) + ms;
    for (;;) {
        if (SDL_PollEvent(e))
            return 1;
        int64_t left = end - app_now(a);
        if (left <= 0 || a->virtual_time)
            return 0;
        SDL_Delay((Uint32)(left < APP_POLL_STEP_MS ? left : APP_POLL_STEP_MS));
    }
}

int app_run(app *a)
{
    int64_t watchdog_ms = notify_watchdog_interval_ms();
    bool ready = false;
    while (!a->quit) {
        app_refresh(a);
        if (!ready && a->frames_drawn > 0) {
            notify_ready(); /* the first frame is on the screen */
            ready = true;
        }
        notify_watchdog(); /* from the loop itself: a hung UI gets restarted */
        int64_t wait = app_next_timer_ms(a);
        if (wait < 0 || wait > APP_WAIT_CAP_MS)
            wait = APP_WAIT_CAP_MS;
        if (watchdog_ms > 0 && wait > watchdog_ms)
            wait = watchdog_ms;
        SDL_Event e;
        if (app_wait_event(a, &e, (int)wait)) {
            app_handle_event(a, &e);
            while (SDL_PollEvent(&e))
                app_handle_event(a, &e);
        }
        app_tick(a);
    }
    notify_stopping();
    return 0;
}

/* ---- Replay ---- */

/* Advances the virtual clock by ms, running every timer at its moment. */
static void app_advance(app *a, int64_t ms)
{
    int64_t target = a->vclock.mono_ms + ms;
    for (int guard = 0; guard < 1000000; guard++) {
        int64_t next = app_next_timer_ms(a);
        if (next < 0 || a->vclock.mono_ms + next > target)
            break;
        clock_virtual_advance(&a->vclock, next);
        app_tick(a);
        app_refresh(a);
        if (next == 0 && app_next_timer_ms(a) == 0)
            clock_virtual_advance(&a->vclock, 1); /* never spin on one moment */
    }
    if (target > a->vclock.mono_ms)
        clock_virtual_advance(&a->vclock, target - a->vclock.mono_ms);
    app_tick(a);
}

static SDL_Keycode app_key_named(const char *name)
{
    static const struct {
        const char *name;
        SDL_Keycode key;
    } keys[] = {{"backspace", SDLK_BACKSPACE}, {"return", SDLK_RETURN}, {"escape", SDLK_ESCAPE},
                {"left", SDLK_LEFT},           {"right", SDLK_RIGHT},   {"up", SDLK_UP},
                {"down", SDLK_DOWN},           {"tab", SDLK_TAB},       {"space", SDLK_SPACE}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0)
            return keys[i].key;
    return SDLK_UNKNOWN;
}

static void app_list_texts(const app *a, FILE *f)
{
    fprintf(f, "  visible texts:");
    for (size_t i = 0; i < a->frame->n_widgets; i++)
        if (a->frame->widgets[i].label)
            fprintf(f, " \"%s\"", a->frame->widgets[i].label);
    fprintf(f, "\n");
}

/* Replay `wait-sync MS`: waits in real time (the virtual clock stands
 * still) until the sync worker is idle after a pass (none running, the
 * next one planned) and either nothing finished waits in the store or the
 * last pass failed. False when that did not happen within ms. */
static bool app_replay_wait_sync(app *a, int64_t ms)
{
    bk_clock real = clock_system();
    int64_t end = clock_mono_ms(&real) + ms;
    while (a->sync) {
        /* The store first: a delivery seen there is older than the status
           read after it, so "idle" then means the pass has ended. */
        store_counts n;
        bool waiting = store_count(a->store, &n) != BK_OK || n.queued > 0;
        app_sync_changed(a);
        const sync_status *st = &a->sync_status;
        if (!st->in_progress && st->next_attempt_wall_ms != 0 &&
            (st->error != SYNC_ERROR_NONE || !waiting))
            return true;
        if (clock_mono_ms(&real) >= end)
            return false;
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, 50))
            while (SDL_PollEvent(&e)) /* only the worker's news counts; read above */
                ;
    }
    return false;
}

int app_replay(app *a, const replay_script *script)
{
    for (size_t i = 0; i < script->n_cmds; i++) {
        const replay_cmd *c = &script->cmds[i];
        app_refresh(a);
        SDL_Event e;
        while (SDL_PollEvent(&e)) /* only the sync worker's news counts here */
            if (a->sync && e.type == a->sync_event)
                app_sync_changed(a);
        switch (c->op) {
        case REPLAY_TAP:
            app_pointer_down(a, c->x, c->y);
            app_pointer_up(a, c->x, c->y);
            break;
        case REPLAY_HOLD:
            app_pointer_down(a, c->x, c->y);
            app_advance(a, c->ms);
            app_pointer_up(a, c->x, c->y);
            break;
        case REPLAY_TAP_TEXT: {
            const ui_widget *found = NULL;
            int n = 0;
            for (size_t k = 0; k < a->frame->n_widgets; k++) {
                const ui_widget *w = &a->frame->widgets[k];
                if (w->action != UI_ACT_NONE && w->label && strcmp(w->label, c->text) == 0) {
                    found = w;
                    n++;
                }
            }
            if (n != 1) {
                fprintf(stderr, "%s:%d: tap-text \"%s\": %s\n", script->name, c->line, c->text,
                        n == 0 ? "no visible button shows this text"
                               : "more than one visible button shows this text");
                app_list_texts(a, stderr);
                return 1;
            }
            int x = found->rect.x + found->rect.w / 2, y = found->rect.y + found->rect.h / 2;
            app_pointer_down(a, x, y);
            app_pointer_up(a, x, y);
            break;
        }
        case REPLAY_TYPE:
            app_text_input(a, c->text);
            break;
        case REPLAY_WAIT:
            app_advance(a, c->ms);
            break;
        case REPLAY_WAIT_SYNC:
            if (!app_replay_wait_sync(a, c->ms)) {
                fprintf(stderr, "%s:%d: wait-sync: %s\n", script->name, c->line,
                        a->sync ? "the sync worker did not finish a pass in time"
                                : "sending is not set up ([sync] base_url)");
                if (a->sync)
                    fprintf(stderr, "  last error: %s: %s\n",
                            sync_error_title(a->sync_status.error, "en"), a->sync_status.detail);
                return 1;
            }
            break;
        case REPLAY_KEY: {
            SDL_Keycode key = app_key_named(c->text);
            if (key == SDLK_UNKNOWN) {
                fprintf(stderr, "%s:%d: unknown key \"%s\"\n", script->name, c->line, c->text);
                return 1;
            }
            app_key(a, key);
            break;
        }
        case REPLAY_EXPECT_TEXT: {
            if (a->dirty)
                app_layout(a);
            bool seen = false;
            for (size_t k = 0; k < a->frame->n_widgets && !seen; k++)
                seen =
                    a->frame->widgets[k].label && strcmp(a->frame->widgets[k].label, c->text) == 0;
            if (!seen) {
                fprintf(stderr, "%s:%d: expect-text \"%s\": not on the screen\n", script->name,
                        c->line, c->text);
                app_list_texts(a, stderr);
                return 1;
            }
            break;
        }
        case REPLAY_SCREENSHOT: {
            if (!a->renderer || !a->screenshot_dir) {
                fprintf(stderr, "%s:%d: screenshot needs --screenshots DIR\n", script->name,
                        c->line);
                return 1;
            }
            a->dirty = true;
            app_refresh(a);
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s.png", a->screenshot_dir, c->text);
            if (ui_renderer_save_png(a->renderer, path) != 0) {
                fprintf(stderr, "%s:%d: cannot write %s: %s\n", script->name, c->line, path,
                        SDL_GetError());
                return 1;
            }
            break;
        }
        }
        app_tick(a);
        app_refresh(a);
    }
    return 0;
}

void app_destroy(app *a)
{
    if (!a)
        return;
    app_abandon(a);
    if (a->in_flow)
        flow_free(&a->flow);
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i]->destroy)
            app_modules[i]->destroy(a);
    sync_worker_destroy(a->sync); /* aborts a transfer in progress; loses nothing */
    if (a->entry)
        text_entry_clear(a->entry);
    free(a->entry);
    ui_renderer_destroy(a->ui);
    if (a->renderer)
        SDL_DestroyRenderer(a->renderer);
    if (a->window)
        SDL_DestroyWindow(a->window);
    ui_fonts_close(a->fonts);
    for (size_t i = 0; i < a->n_surveys; i++)
        survey_free(a->surveys[i]);
    store_close(a->store);
    free(a->db_path);
    free(a->frame);
    free(a);
    if (TTF_WasInit())
        TTF_Quit();
    IMG_Quit();
    SDL_Quit();
}

/* ---- Preview of every screen (buurtkiosk render) ---- */

static int app_save_screen(app *a, const char *dir, const char *name, int *count)
{
    a->dirty = true;
    app_refresh(a);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    if (ui_renderer_save_png(a->renderer, path) != 0) {
        fprintf(stderr, "buurtkiosk render: cannot write %s: %s\n", path, SDL_GetError());
        return -1;
    }
    (*count)++;
    return 0;
}

int app_render_all(app *a, const char *dir, int *count)
{
    *count = 0;
    for (size_t l = 0; l < a->config->kiosk.n_languages; l++) {
        const char *lang = a->config->kiosk.languages[l];
        char name[256];
        app_to_attract(a);
        app_set_language(a, (int)l);
        snprintf(name, sizeof name, "%s-00-attract", lang);
        if (app_save_screen(a, dir, name, count))
            return -1;
        app_start(a);
        if (a->screen != APP_SCREEN_QUESTION)
            return -1;
        /* Every question, also those a show_if or a fixed area would hide. */
        for (size_t q = 0; q < a->flow_survey->n_questions; q++) {
            a->flow.current = q;
            app_show_question(a);
            snprintf(name, sizeof name, "%s-%02zu-%s", lang, q + 1,
                     a->flow_survey->questions[q].id);
            if (app_save_screen(a, dir, name, count))
                return -1;
        }
        a->idle_warning_at = app_now(a);
        snprintf(name, sizeof name, "%s-90-idle", lang);
        if (app_save_screen(a, dir, name, count))
            return -1;
        a->idle_warning_at = 0;
        app_abandon(a);
        app_end_session(a);
        app_set_language(a, (int)l);
        a->screen = APP_SCREEN_THANKS;
        a->thanks_at = app_now(a);
        snprintf(name, sizeof name, "%s-91-thanks", lang);
        if (app_save_screen(a, dir, name, count))
            return -1;
        a->screen = APP_SCREEN_OUT_OF_SERVICE;
        a->out_of_service_at = app_now(a);
        snprintf(name, sizeof name, "%s-92-out-of-service", lang);
        if (app_save_screen(a, dir, name, count))
            return -1;
    }
    app_to_attract(a);
    return 0;
}
