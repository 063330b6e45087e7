/* live.c: live input mode; see live.h and docs/live.md. */
#include "live.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "log.h"
#include "strings.h"
#include "text_entry.h"
#include "widgets.h"

/* ---- The module's own words ---- */

static const char *const live_words_nl[LW_COUNT] = {
    [LW_VOTES] = "%d stemmen",
    [LW_VOTE_ONE] = "1 stem",
    [LW_ANSWERS] = "%d antwoorden",
    [LW_ANSWER_ONE] = "1 antwoord",
    [LW_HELD] = "%d snelle herhalingen apart gehouden",
    [LW_HELD_ONE] = "1 snelle herhaling apart gehouden",
    [LW_LATEST] = "Laatste antwoorden",
    [LW_NO_QUESTION] = "Er staat nu geen vraag open.",
    [LW_MULTI_ANY] = "Kies er een of meer. Tik dan op Klaar.",
    [LW_MULTI_MAX] = "Kies er hoogstens %d. Tik dan op Klaar.",
    [LW_CONTROL_TITLE] = "Live stemmen",
    [LW_PREVIOUS] = "Vorige vraag",
    [LW_NEXT] = "Volgende vraag",
    [LW_OPEN_OF] = "Open: vraag %d van %d",
    [LW_HIDE] = "Verbergen",
    [LW_WORDS_HINT] = "Tik op een woord om het te verbergen:",
    [LW_HIDDEN_HINT] = "Verborgen woorden (tik om weer te tonen):",
    [LW_HIDDEN_COUNT] = "%d verborgen",
    [LW_RESET] = "Opnieuw tellen",
    [LW_RESET_SURE] = "Zeker weten? Tik nog eens",
    [LW_LIVE_TAG] = "Live",
    [LW_UNDO_HIDE] = "Laatste weer tonen",
};

static const char *const live_words_en[LW_COUNT] = {
    [LW_VOTES] = "%d votes",
    [LW_VOTE_ONE] = "1 vote",
    [LW_ANSWERS] = "%d answers",
    [LW_ANSWER_ONE] = "1 answer",
    [LW_HELD] = "%d quick repeats kept apart",
    [LW_HELD_ONE] = "1 quick repeat kept apart",
    [LW_LATEST] = "Latest answers",
    [LW_NO_QUESTION] = "No question is open now.",
    [LW_MULTI_ANY] = "Pick one or more. Then tap Done.",
    [LW_MULTI_MAX] = "Pick at most %d. Then tap Done.",
    [LW_CONTROL_TITLE] = "Live votes",
    [LW_PREVIOUS] = "Previous question",
    [LW_NEXT] = "Next question",
    [LW_OPEN_OF] = "Open: question %d of %d",
    [LW_HIDE] = "Hide",
    [LW_WORDS_HINT] = "Tap a word to hide it:",
    [LW_HIDDEN_HINT] = "Hidden words (tap to show again):",
    [LW_HIDDEN_COUNT] = "%d hidden",
    [LW_RESET] = "Count afresh",
    [LW_RESET_SURE] = "Are you sure? Tap again",
    [LW_LIVE_TAG] = "Live",
    [LW_UNDO_HIDE] = "Show the last one again",
};

const char *live_word_get(const char *lang, live_word id)
{
    if (id < 0 || id >= LW_COUNT)
        return "";
    if (lang && strcmp(lang, "nl") == 0)
        return live_words_nl[id];
    return live_words_en[id];
}

/* ---- State ---- */

typedef enum live_view { LV_QUESTION, LV_RESULTS, LV_CONTROL } live_view;

/* Widget sub-values (app_module_arg). */
enum {
    SUB_ANSWER = 0,        /* + option index / scale value - 1 */
    SUB_SUBMIT = 100,      /* multi, text: "Klaar" */
    SUB_KEY = 200,         /* + the key number (text_entry.h) */
    SUB_PREV = 400,        /* control screen */
    SUB_NEXT = 401,        /* control screen */
    SUB_DONE = 402,        /* control screen */
    SUB_RESET = 403,       /* control screen */
    SUB_UNDO_HIDE = 404,   /* control screen */
    SUB_HIDE_ANSWER = 500, /* + index into res.latest */
    SUB_HIDE_WORD = 600,   /* + index into res.words */
    SUB_SHOW_WORD = 700,   /* + index into the hidden words */
};

typedef struct live_state {
    int index; /* this module's index in app_modules */
    char qid[SURVEY_ID_MAX + 1];
    live_view view;
    int64_t shown_at;    /* the question appeared (for `rapid`) */
    int64_t results_at;  /* "Bedankt!" appeared */
    int64_t selected_at; /* a single answer was tapped */
    int selected;        /* that answer (option index, value - 1), -1 none */
    bool chosen[RESULTS_MAX_BARS];
    bool mine[RESULTS_MAX_BARS];
    text_entry entry; /* the text being typed, with its keyboard's state */

    /* The previous vote, as a hash only (for `repeat`). */
    bool has_previous;
    unsigned char previous_hash[crypto_generichash_BYTES];
    int64_t previous_at;

    /* The open question's results and the bars' animation. */
    results res;
    bool res_valid;
    char res_key[3 * SURVEY_ID_MAX + 32];
    double from[RESULTS_MAX_BARS], to[RESULTS_MAX_BARS];
    int64_t anim_start;
    bool animating;
    char *hidden_buf; /* LIVE_META_HIDDEN_WORDS, split into hidden[] */
    const char *hidden[RESULTS_MAX_HIDDEN_WORDS];
    size_t n_hidden;
    int64_t since_wall_ms; /* before LIVE_META_SINCE_SEQ existed */
    int64_t since_seq;

    /* Presenter window. */
    SDL_Window *pwin;
    SDL_Renderer *pren;
    ui_renderer *pui;
    ui_frame *pframe;
    bool pdirty;
    int64_t pdrawn_at;
    bool pfailed; /* could not open, or closed by hand: do not reopen */
    SDL_atomic_t main_closed, presenter_closed; /* set by the event watch */

    /* Control screen. */
    void (*done)(app *a);
    bool reset_armed;
    char undo_response[STORE_UUID_LEN + 1];
    char undo_question[SURVEY_ID_MAX + 1];
} live_state;

static int live_module_index(void)
{
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i] == &live_module)
            return (int)i;
    return -1;
}

static live_state *live_get(const app *a)
{
    int i = live_module_index();
    return i < 0 ? NULL : a->module_state[i];
}

static int64_t live_now(const app *a)
{
    return clock_mono_ms(&a->clock);
}

static bool live_on_screen(const app *a, const live_state *st)
{
    return a->screen == APP_SCREEN_MODULE && a->module_screen == st->index;
}

static int live_survey_lang(const app *a, const survey *s)
{
    int i = survey_language_index(s, app_lang_code(a));
    return i < 0 ? 0 : i;
}

static int live_default_lang_index(const app *a)
{
    const bk_config *cfg = a->config;
    for (size_t i = 0; i < cfg->kiosk.n_languages; i++)
        if (cfg->kiosk.default_language &&
            strcmp(cfg->kiosk.languages[i], cfg->kiosk.default_language) == 0)
            return (int)i;
    return 0;
}

static const char *live_default_lang_code(const app *a)
{
    if (a->config->kiosk.n_languages == 0)
        return "nl";
    return a->config->kiosk.languages[live_default_lang_index(a)];
}

/* The open question (fixing up the id when the survey changed), or NULL. */
static const survey_question *live_question(const app *a, live_state *st, int *index)
{
    const survey *s = a->active;
    if (index)
        *index = -1;
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->n_questions; i++)
        if (strcmp(s->questions[i].id, st->qid) == 0 && results_supported(s->questions[i].type)) {
            if (index)
                *index = (int)i;
            return &s->questions[i];
        }
    for (size_t i = 0; i < s->n_questions; i++)
        if (results_supported(s->questions[i].type)) {
            snprintf(st->qid, sizeof st->qid, "%s", s->questions[i].id);
            if (index)
                *index = (int)i;
            return &s->questions[i];
        }
    return NULL;
}

/* ---- Results and their animation ---- */

static void live_load_meta(app *a, live_state *st)
{
    free(st->hidden_buf);
    st->hidden_buf = NULL;
    st->n_hidden = 0;
    if (store_meta_get(a->store, LIVE_META_HIDDEN_WORDS, &st->hidden_buf) == BK_OK)
        st->n_hidden = results_split_words(st->hidden_buf, st->hidden, RESULTS_MAX_HIDDEN_WORDS);
    else
        st->hidden_buf = NULL;
    char *since = NULL;
    st->since_wall_ms = 0;
    if (store_meta_get(a->store, LIVE_META_SINCE, &since) == BK_OK)
        st->since_wall_ms = strtoll(since, NULL, 10);
    free(since);
    st->since_seq = 0;
    if (store_meta_get(a->store, LIVE_META_SINCE_SEQ, &since) == BK_OK) {
        st->since_seq = strtoll(since, NULL, 10);
        st->since_wall_ms = 0; /* counted by seq: the wall clock may jump */
        free(since);
    }
}

/* The share of each bar drawn now. */
static void live_shown(const app *a, const live_state *st, double *out)
{
    double t = 1.0;
    if (st->animating) {
        t = (double)(live_now(a) - st->anim_start) / LIVE_ANIM_MS;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    double e = 1.0 - (1.0 - t) * (1.0 - t) * (1.0 - t); /* ease out */
    for (size_t i = 0; i < RESULTS_MAX_BARS; i++)
        out[i] = st->from[i] + (st->to[i] - st->from[i]) * e;
}

static void live_key_of(const app *a, const survey_question *q, char *key, size_t size)
{
    snprintf(key, size, "%s/%d/%s", a->active->id, a->active->version, q->id);
}

/* Counts the open question's results afresh from the store; the bars grow
 * (or shrink) from what is drawn now to the new shares. */
static void live_refresh(app *a, live_state *st)
{
    const survey_question *q = live_question(a, st, NULL);
    if (!q) {
        memset(&st->res, 0, sizeof st->res);
        st->res_valid = false;
        return;
    }
    char key[sizeof st->res_key];
    live_key_of(a, q, key, sizeof key);
    bool same = st->res_valid && strcmp(key, st->res_key) == 0;
    double shown[RESULTS_MAX_BARS];
    live_shown(a, st, shown);
    results_options opt = {
        .since_wall_ms = st->since_wall_ms,
        .after_seq = st->since_seq,
        .hidden_words = st->hidden,
        .n_hidden_words = st->n_hidden,
    };
    bk_err err = results_compute(a->store, a->active, q, &opt, &st->res);
    if (err != BK_OK)
        log_error("live", "counting the results of %s failed: %s", q->id, bk_err_str(err));
    bool moves = false;
    for (size_t i = 0; i < RESULTS_MAX_BARS; i++) {
        st->from[i] = same ? shown[i] : 0.0;
        st->to[i] = i < st->res.n_bars && st->res.votes > 0
                        ? (double)st->res.bars[i] / (double)st->res.votes
                        : 0.0;
        moves = moves || fabs(st->to[i] - st->from[i]) > 1e-9;
    }
    st->anim_start = live_now(a);
    st->animating = moves;
    st->res_valid = true;
    snprintf(st->res_key, sizeof st->res_key, "%s", key);
    st->pdirty = true;
    a->dirty = true;
}

/* Recounts when the open question or the survey changed. */
static void live_ensure(app *a, live_state *st)
{
    const survey_question *q = live_question(a, st, NULL);
    if (!q) {
        st->res_valid = false;
        return;
    }
    char key[sizeof st->res_key];
    live_key_of(a, q, key, sizeof key);
    if (!st->res_valid || strcmp(key, st->res_key) != 0)
        live_refresh(a, st);
}

/* ---- Storing a vote ---- */

static size_t live_count_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; s && *s; s++) {
        bool space = *s == ' ' || *s == '\n' || *s == '\t';
        if (!space && !in)
            n++;
        in = !space;
    }
    return n;
}

static void live_out_of_service(app *a)
{
    a->screen = APP_SCREEN_OUT_OF_SERVICE;
    a->out_of_service_at = live_now(a);
    a->dirty = true;
}

/* Stores one answer to q as a complete "live" response, with the flags
 * rapid (answered faster than the question reads), repeat (the same answer
 * as this kiosk's previous vote, within LIVE_REPEAT_WINDOW_MS) and
 * personal-data. canon identifies the answer for `repeat`. On a store
 * failure the kiosk goes out of service; returns false. */
static bool live_vote(app *a, live_state *st, const survey_question *q, const answer_value *v,
                      const char *canon)
{
    const survey *s = a->active;
    int64_t now = live_now(a);
    int sl = live_survey_lang(a, s);
    const char *flags[3];
    size_t n_flags = 0;
    int64_t read_ms =
        (int64_t)live_count_words(survey_text_get(&q->text, sl)) * LIVE_READ_MS_PER_WORD;
    if (read_ms < LIVE_RAPID_MIN_MS)
        read_ms = LIVE_RAPID_MIN_MS;
    if (now - st->shown_at < read_ms)
        flags[n_flags++] = "rapid";
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof hash);
    crypto_generichash_update(&h, (const unsigned char *)s->id, strlen(s->id) + 1);
    crypto_generichash_update(&h, (const unsigned char *)q->id, strlen(q->id) + 1);
    crypto_generichash_update(&h, (const unsigned char *)canon, strlen(canon));
    crypto_generichash_final(&h, hash, sizeof hash);
    if (st->has_previous && now - st->previous_at <= LIVE_REPEAT_WINDOW_MS &&
        sodium_memcmp(hash, st->previous_hash, sizeof hash) == 0)
        flags[n_flags++] = "repeat";
    if (v->kind == ANSWER_TEXT && q->type == SURVEY_Q_TEXT && flow_text_looks_personal(v->text))
        flags[n_flags++] = "personal-data";

    const char *area = a->config->kiosk.area;
    store_response_meta meta = {
        .survey_id = s->id,
        .survey_version = s->version,
        .mode = "live",
        .language = s->languages[sl],
        .area = area && area[0] ? area : NULL,
    };
    store_response_ref ref;
    bk_err err = store_response_begin(a->store, &meta, &ref);
    bool begun = err == BK_OK;
    if (err == BK_OK)
        err = store_answer_set(a->store, ref.rowid, q->id, v);
    if (err == BK_OK)
        err = store_response_finish(a->store, ref.rowid, STORE_STATUS_COMPLETE, flags, n_flags);
    sodium_memzero(&h, sizeof h);
    if (err != BK_OK) {
        if (begun) /* best effort; a restart closes it otherwise */
            store_response_finish(a->store, ref.rowid, STORE_STATUS_PARTIAL, NULL, 0);
        log_error("live", "storing a vote on %s failed: %s", q->id, bk_err_str(err));
        live_out_of_service(a);
        return false;
    }
    st->has_previous = true;
    memcpy(st->previous_hash, hash, sizeof hash);
    st->previous_at = now;
    log_info("live", "vote %lld on %s stored%s%s", (long long)ref.seq, q->id,
             n_flags ? " with flags " : "", n_flags ? flags[0] : "");
    return true;
}

/* ---- Moving between the attendee's screens ---- */

static void live_clear_input(live_state *st)
{
    st->selected = -1;
    memset(st->chosen, 0, sizeof st->chosen);
    text_entry_clear(&st->entry);
}

/* The question again, for the next person: their own language, text size
 * and contrast start from the defaults. */
static void live_to_question(app *a, live_state *st)
{
    bool was_text = st->entry.text[0] != '\0';
    live_clear_input(st);
    memset(st->mine, 0, sizeof st->mine);
    st->view = LV_QUESTION;
    st->shown_at = live_now(a);
    app_set_language(a, live_default_lang_index(a));
    a->big_text = false;
    a->high_contrast = false;
    if (a->ui && was_text)
        ui_renderer_forget_text(a->ui);
    const survey_question *q = live_question(a, st, NULL);
    if (a->window) {
        if (q && q->type == SURVEY_Q_TEXT)
            SDL_StartTextInput();
        else
            SDL_StopTextInput();
    }
    a->input_settle_until = live_now(a) + APP_INPUT_SETTLE_MS;
    a->dirty = true;
}

static void live_to_results(app *a, live_state *st)
{
    st->view = LV_RESULTS;
    st->results_at = live_now(a);
    st->selected = -1;
    live_refresh(a, st);
    if (a->window)
        SDL_StopTextInput();
    a->dirty = true;
}

/* ---- Presenter window ---- */

static bool live_presenter_wanted(const app *a)
{
    if (!a->window || a->mode != CONFIG_MODE_LIVE)
        return false;
    switch (a->config->display.presenter) {
    case CONFIG_PRESENTER_ON:
        return true;
    case CONFIG_PRESENTER_AUTO:
        return SDL_GetNumVideoDisplays() > 1;
    case CONFIG_PRESENTER_OFF:
        break;
    }
    return false;
}

/* Sees every SDL event as it is queued (possibly on another thread: only
 * window events are looked at, which come from the UI thread). With two
 * windows SDL sends no SDL_QUIT when one closes: note which one did. */
static int live_event_watch(void *ctx, SDL_Event *e)
{
    app *a = ctx;
    live_state *st = live_get(a);
    if (!st || e->type != SDL_WINDOWEVENT || e->window.event != SDL_WINDOWEVENT_CLOSE)
        return 1;
    if (a->window && e->window.windowID == SDL_GetWindowID(a->window))
        SDL_AtomicSet(&st->main_closed, 1);
    else if (st->pwin && e->window.windowID == SDL_GetWindowID(st->pwin))
        SDL_AtomicSet(&st->presenter_closed, 1);
    return 1;
}

static void live_presenter_close(live_state *st)
{
    ui_renderer_destroy(st->pui);
    st->pui = NULL;
    if (st->pren)
        SDL_DestroyRenderer(st->pren);
    st->pren = NULL;
    if (st->pwin)
        SDL_DestroyWindow(st->pwin);
    st->pwin = NULL;
    free(st->pframe);
    st->pframe = NULL;
}

/* Opens the presenter window full-screen on a display other than the
 * kiosk's; with only one display (presenter = on), as a window on it. */
static void live_presenter_open(app *a, live_state *st)
{
    int n = SDL_GetNumVideoDisplays();
    int kiosk = SDL_GetWindowDisplayIndex(a->window);
    int d = 0;
    for (int i = 0; i < n; i++)
        if (i != kiosk) {
            d = i;
            break;
        }
    bool own_display = n > 1 && d != kiosk;
    SDL_Rect b = {0, 0, 1280, 720};
    if (own_display)
        SDL_GetDisplayBounds(d, &b);
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_RESIZABLE;
    if (own_display)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    st->pwin = SDL_CreateWindow("Buurtkiosk: uitslag", SDL_WINDOWPOS_CENTERED_DISPLAY(d),
                                SDL_WINDOWPOS_CENTERED_DISPLAY(d), b.w, b.h, flags);
    if (st->pwin)
        st->pren = SDL_CreateRenderer(st->pwin, -1, 0);
    if (st->pwin && !st->pren)
        st->pren = SDL_CreateRenderer(st->pwin, -1, SDL_RENDERER_SOFTWARE);
    if (st->pren)
        st->pui = ui_renderer_create(st->pren, a->fonts);
    if (st->pui)
        st->pframe = calloc(1, sizeof *st->pframe);
    if (!st->pframe) {
        log_error("live", "cannot open the presenter window: %s", SDL_GetError());
        live_presenter_close(st);
        st->pfailed = true;
        return;
    }
    log_info("live", "presenter window on display %d of %d", d + 1, n);
    st->pdirty = true;
    SDL_AtomicSet(&st->main_closed, 0);
    SDL_AtomicSet(&st->presenter_closed, 0);
    SDL_AddEventWatch(live_event_watch, a);
}

static void live_presenter_draw(app *a, live_state *st)
{
    if (!st->pwin)
        return;
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(st->pren, &w, &h);
    if (w <= 0 || h <= 0)
        return;
    const ui_theme *t = ui_theme_default();
    ui_frame_reset(st->pframe, w, h);
    live_ensure(a, st);
    double shown[RESULTS_MAX_BARS];
    live_shown(a, st, shown);
    const survey *s = a->active;
    int sl = s ? survey_language_index(s, live_default_lang_code(a)) : 0;
    live_board b = {
        .q = live_question(a, st, NULL),
        .lang = sl < 0 ? 0 : sl,
        .ui_lang = live_default_lang_code(a),
        .res = &st->res,
        .shown = shown,
    };
    live_layout_board(st->pframe, &a->text, t, (ui_rect){0, 0, w, h}, &b);
    ui_renderer_draw(st->pui, st->pframe, t->background);
    SDL_RenderPresent(st->pren);
    st->pdirty = false;
    st->pdrawn_at = live_now(a);
}

/* Opens or closes the presenter window as mode, configuration and
 * displays say, and redraws it when something changed. */
static void live_presenter_update(app *a, live_state *st)
{
    if (SDL_AtomicGet(&st->main_closed)) {
        SDL_AtomicSet(&st->main_closed, 0);
        a->quit = true; /* the kiosk's own window was closed */
    }
    if (st->pwin && SDL_AtomicGet(&st->presenter_closed)) {
        log_info("live", "the presenter window was closed");
        SDL_DelEventWatch(live_event_watch, a);
        live_presenter_close(st);
        st->pfailed = true; /* stays closed until live mode starts again */
    }
    bool want = live_presenter_wanted(a);
    if (want && !st->pwin && !st->pfailed)
        live_presenter_open(a, st);
    else if (!want && st->pwin) {
        SDL_DelEventWatch(live_event_watch, a);
        live_presenter_close(st);
    }
    if (!want)
        st->pfailed = false;
    if (st->pwin &&
        (st->pdirty || st->animating || live_now(a) - st->pdrawn_at >= LIVE_PRESENTER_REFRESH_MS))
        live_presenter_draw(a, st);
}

bool live_presenter_is_open(const app *a)
{
    const live_state *st = live_get(a);
    return st && st->pwin;
}

int live_presenter_save_png(app *a, const char *path)
{
    live_state *st = live_get(a);
    if (!st || !st->pwin)
        return -1;
    live_presenter_draw(a, st);
    return ui_renderer_save_png(st->pren, path);
}

/* ---- The results board ---- */

static int te_width(const ui_text_engine *te, const char *s, int px, bool bold)
{
    return te->width(te->ctx, s, strlen(s), px, bold);
}

static int te_line(const ui_text_engine *te, int px)
{
    return te->line_height(te->ctx, px);
}

/* Copies text into out, cut (with "…") to at most max_lines lines of width
 * w at px. */
static void fit_lines(const ui_text_engine *te, const char *text, int px, bool bold, int w,
                      int max_lines, char *out, size_t size)
{
    ui_wrapped wr;
    snprintf(out, size, "%s", text);
    ui_wrap(te, out, px, bold, w, &wr);
    if (!wr.overflow && wr.n_lines <= max_lines)
        return;
    size_t end = strlen(text);
    if (!wr.overflow && wr.n_lines > max_lines)
        end = wr.start[max_lines - 1] + wr.len[max_lines - 1];
    for (;;) {
        while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n'))
            end--;
        if (end >= size - 4)
            end = size - 4;
        while (end > 0 && ((unsigned char)text[end] & 0xC0) == 0x80)
            end--;
        snprintf(out, size, "%.*s\xE2\x80\xA6", (int)end, text);
        ui_wrap(te, out, px, bold, w, &wr);
        if ((!wr.overflow && wr.n_lines <= max_lines) || end == 0)
            return;
        do /* one character less */
            end--;
        while (end > 0 && ((unsigned char)text[end] & 0xC0) == 0x80);
    }
}

/* Text at the largest size from px down to min_px that fits box; the
 * widget's box is the text's own height, so it never claims empty space.
 * What does not fit even at min_px is cut with "…". Returns the height
 * used. */
static int board_text(ui_frame *f, const ui_text_engine *te, ui_rect box, const char *text, int px,
                      int min_px, bool bold, ui_color color, int align)
{
    ui_wrapped w;
    int size = px;
    min_px = min_px > px ? px : min_px;
    for (;;) {
        ui_wrap(te, text, size, bold, box.w, &w);
        if ((!w.overflow && w.height <= box.h) || size <= min_px)
            break;
        size = size * 9 / 10 < min_px ? min_px : size * 9 / 10;
    }
    char cut[1024];
    if (w.overflow || w.height > box.h) {
        int lines = box.h / te_line(te, size);
        fit_lines(te, text, size, bold, box.w, lines < 1 ? 1 : lines, cut, sizeof cut);
        text = cut;
        ui_wrap(te, text, size, bold, box.w, &w);
    }
    box.h = w.height;
    return ui_text(f, te, box, text, size, size, bold, color, (ui_align)align);
}

static const uint32_t live_smiley_fills[SURVEY_SCALE_POINTS] = {0xE4572E, 0xF3A33B, 0xF5D547,
                                                                0xA8C94A, 0x4CAF50};

static ui_color rgb(uint32_t c)
{
    return (ui_color){(uint8_t)(c >> 16), (uint8_t)(c >> 8), (uint8_t)c, 255};
}

/* The label of bar i. */
static const char *bar_label(const survey_question *q, int lang, size_t i, char *buf, size_t size)
{
    const char *l = NULL;
    if (q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_MULTI)
        l = survey_text_get(&q->options[i].label, lang);
    else
        l = survey_text_get(&q->labels[i], lang);
    if (!l) {
        snprintf(buf, size, "%zu", i + 1);
        l = buf;
    }
    return l;
}

typedef struct bar_fit {
    int px, cols, label_w, num_w, pct_w, row_gap;
    int row_h[RESULTS_MAX_BARS];
    int lines[RESULTS_MAX_BARS];
    int total_h; /* of the tallest column */
    bool fits;
} bar_fit;

/* Tries a bar layout at px in cols columns inside r. */
static void bars_try(const ui_text_engine *te, const survey_question *q, int lang,
                     const results *res, ui_rect r, int px, int cols, int gap, bar_fit *out)
{
    memset(out, 0, sizeof *out);
    out->px = px;
    out->cols = cols;
    out->row_gap = gap;
    int col_w = (r.w - (cols - 1) * gap * 3) / cols;
    int lh = te_line(te, px);
    char num[32];
    int64_t max_count = 0;
    for (size_t i = 0; i < res->n_bars; i++)
        max_count = res->bars[i] > max_count ? res->bars[i] : max_count;
    snprintf(num, sizeof num, "(%lld)", (long long)max_count);
    out->pct_w = te_width(te, "100%", px, true);
    out->num_w = out->pct_w + gap + te_width(te, num, px, false);
    int face = q->type == SURVEY_Q_SMILEY ? lh + gap : 0;
    int widest = 0;
    for (size_t i = 0; i < res->n_bars; i++) {
        char buf[24];
        int w = te_width(te, bar_label(q, lang, i, buf, sizeof buf), px, false) + face;
        widest = w > widest ? w : widest;
    }
    int max_label = col_w * 42 / 100;
    out->label_w = widest < max_label ? widest : max_label;
    size_t per_col = (res->n_bars + (size_t)cols - 1) / (size_t)cols;
    out->fits = col_w - out->label_w - out->num_w - 2 * gap >= col_w / 5;
    for (int c = 0; c < cols; c++) {
        int h = 0;
        for (size_t k = 0; k < per_col; k++) {
            size_t i = (size_t)c * per_col + k;
            if (i >= res->n_bars)
                break;
            char buf[24];
            ui_wrapped wr;
            ui_wrap(te, bar_label(q, lang, i, buf, sizeof buf), px, false, out->label_w - face,
                    &wr);
            int lines = wr.n_lines < 1 ? 1 : wr.n_lines;
            if (wr.overflow || lines > 2) {
                out->fits = false;
                lines = 2;
            }
            out->lines[i] = lines;
            out->row_h[i] = lines * lh;
            h += out->row_h[i] + (k ? gap : 0);
        }
        out->total_h = h > out->total_h ? h : out->total_h;
    }
    if (out->total_h > r.h)
        out->fits = false;
}

static void layout_bars(ui_frame *f, const ui_text_engine *te, const ui_theme *t, ui_rect r,
                        const live_board *b, int px_min, int S)
{
    const survey_question *q = b->q;
    const results *res = b->res;
    if (res->n_bars == 0)
        return;
    int gap = S * 15 / 1000 > 4 ? S * 15 / 1000 : 4;
    int px_start = S * 6 / 100;
    bar_fit fit;
    bool done = false;
    for (int cols = 1; cols <= 2 && !done; cols++) {
        if (cols == 2 && res->n_bars <= 4)
            break;
        for (int px = px_start; px >= px_min && !done; px -= (S + 399) / 400) {
            bars_try(te, q, b->lang, res, r, px, cols, gap, &fit);
            done = fit.fits;
        }
    }
    if (!done) { /* too many or too long: the smallest, and cut what does not fit */
        bars_try(te, q, b->lang, res, r, px_min, res->n_bars > 6 ? 2 : 1, gap / 2, &fit);
        gap /= 2;
    }
    int px = fit.px, cols = fit.cols;
    int lh = te_line(te, px);
    int col_w = (r.w - (cols - 1) * gap * 3) / cols;
    size_t per_col = (res->n_bars + (size_t)cols - 1) / (size_t)cols;
    int bar_h = lh * 7 / 10;
    int face = q->type == SURVEY_Q_SMILEY ? lh : 0;
    /* Centre the block vertically when there is room. */
    int y0 = r.y + (r.h > fit.total_h ? (r.h - fit.total_h) / 3 : 0);
    for (int c = 0; c < cols; c++) {
        int cx = r.x + c * (col_w + gap * 3);
        int y = y0;
        for (size_t k = 0; k < per_col; k++) {
            size_t i = (size_t)c * per_col + k;
            if (i >= res->n_bars)
                break;
            int row_h = fit.row_h[i];
            if (y + row_h > r.y + r.h + lh / 2)
                break; /* no room left */
            char buf[24];
            const char *label = bar_label(q, b->lang, i, buf, sizeof buf);
            int lx = cx;
            if (face) {
                int d = lh * 8 / 10;
                ui_rect fr = {cx, y + (row_h - d) / 2, d, d};
                ui_face(f, fr, (int)i + 1, rgb(live_smiley_fills[i]), rgb(0x1A1A1A));
                lx += face + gap;
            }
            char fitted[512];
            fit_lines(te, label, px, false, fit.label_w - (lx - cx), 2, fitted, sizeof fitted);
            ui_text(f, te, (ui_rect){lx, y, fit.label_w - (lx - cx), row_h}, fitted, px, px, false,
                    t->text, UI_ALIGN_LEFT | UI_VCENTER);
            /* The bar: a faint track for 100%, the share in colour. */
            int bx = cx + fit.label_w + gap * 2;
            int bw = col_w - fit.label_w - fit.num_w - gap * 4;
            ui_rect track = {bx, y + (row_h - bar_h) / 2, bw, bar_h};
            ui_fill(f, track, (ui_color){255, 255, 255, 40}, bar_h / 4);
            double share = b->shown     ? b->shown[i]
                           : res->votes ? (double)res->bars[i] / res->votes
                                        : 0;
            share = share < 0 ? 0 : share > 1 ? 1 : share;
            int fw = (int)lround(bw * share);
            ui_color fill = q->type == SURVEY_Q_SMILEY ? rgb(live_smiley_fills[i]) : t->selected;
            if (fw > 0)
                ui_fill(f, (ui_rect){track.x, track.y, fw, bar_h}, fill,
                        fw < bar_h / 2 ? fw / 2 : bar_h / 4);
            if (b->mine && b->mine[i])
                ui_stroke(f, (ui_rect){track.x - 4, track.y - 4, track.w + 8, track.h + 8}, t->text,
                          bar_h / 4 + 4, S / 250 > 2 ? S / 250 : 2);
            /* The numbers: "60%" and "(3)". */
            char pct[16], cnt[32];
            snprintf(pct, sizeof pct, "%d%%", results_percent(res, i));
            snprintf(cnt, sizeof cnt, "(%lld)", (long long)res->bars[i]);
            int nx = bx + bw + gap * 2;
            ui_text(f, te, (ui_rect){nx, y, fit.pct_w + 2, row_h}, pct, px, px, true, t->text,
                    UI_ALIGN_RIGHT | UI_VCENTER);
            ui_text(f, te,
                    (ui_rect){nx + fit.pct_w + gap, y, fit.num_w - fit.pct_w - gap + 2, row_h}, cnt,
                    px, px, false, t->text_secondary, UI_ALIGN_LEFT | UI_VCENTER);
            y += row_h + fit.row_gap;
        }
    }
}

typedef struct cloud_word {
    size_t i; /* index into res->words */
    int px, w, lh;
    bool bold;
} cloud_word;

#define CLOUD_MAX_ROWS 24

/* A word cloud: rows of words, the most frequent largest, the biggest row
 * in the middle and the biggest word in the middle of its row. Words that
 * do not fit are left out; nothing overlaps. */
static void layout_cloud(ui_frame *f, const ui_text_engine *te, const ui_theme *t, ui_rect r,
                         const results *res, int px_min, int px_max)
{
    cloud_word words[RESULTS_MAX_WORDS];
    size_t row_start[CLOUD_MAX_ROWS + 1], n_rows = 0, n = 0;
    int row_w[CLOUD_MAX_ROWS], row_h[CLOUD_MAX_ROWS];
    int gap_x = px_min * 6 / 10, gap_y = px_min / 5;
    int total_h = 0;
    int64_t cmax = res->n_words ? res->words[0].count : 0;
    for (size_t i = 0; i < res->n_words; i++) {
        int64_t c = res->words[i].count;
        int level = cmax > 1 ? (int)lround(3.0 * (double)(c - 1) / (double)(cmax - 1)) : 1;
        cloud_word cw = {.i = i, .bold = level >= 2};
        cw.px = px_min + (px_max - px_min) * level / 3;
        cw.w = te_width(te, res->words[i].word, cw.px, cw.bold);
        if (cw.w > r.w) { /* a very long word: at the smallest size, or not at all */
            cw.px = px_min;
            cw.bold = false;
            cw.w = te_width(te, res->words[i].word, cw.px, cw.bold);
            if (cw.w > r.w)
                continue;
        }
        cw.lh = te_line(te, cw.px);
        bool new_row = n_rows == 0 || row_w[n_rows - 1] + gap_x + cw.w > r.w;
        if (new_row) {
            if (n_rows == CLOUD_MAX_ROWS || total_h + (n_rows ? gap_y : 0) + cw.lh > r.h)
                break; /* no room for another row: the rest are less frequent */
            total_h += (n_rows ? gap_y : 0) + cw.lh;
            row_start[n_rows] = n;
            row_w[n_rows] = cw.w;
            row_h[n_rows] = cw.lh;
            n_rows++;
        } else {
            row_w[n_rows - 1] += gap_x + cw.w;
            if (cw.lh > row_h[n_rows - 1]) { /* cannot happen: sorted; kept for safety */
                total_h += cw.lh - row_h[n_rows - 1];
                row_h[n_rows - 1] = cw.lh;
            }
        }
        words[n++] = cw;
    }
    row_start[n_rows] = n;
    /* Rows centre-out: 0 in the middle, then 1 above, 2 below, ... */
    size_t order[CLOUD_MAX_ROWS];
    size_t lo = n_rows / 2, hi = n_rows / 2;
    for (size_t k = 0; k < n_rows; k++) {
        if (k == 0)
            order[lo] = 0;
        else if (k % 2 == 1)
            order[--lo] = k;
        else
            order[++hi] = k;
    }
    if (n_rows && hi < n_rows - 1) { /* even count: shift so the block is contiguous */
        for (size_t k = 0; k < n_rows; k++)
            order[k] = order[k + lo];
    }
    int y = r.y + (r.h - total_h) / 2;
    for (size_t v = 0; v < n_rows; v++) {
        size_t row = order[v];
        size_t a = row_start[row], z = row_start[row + 1], m = z - a;
        /* Words centre-out within the row. */
        size_t pos[RESULTS_MAX_WORDS];
        size_t l = m / 2, h = m / 2;
        for (size_t k = 0; k < m; k++) {
            if (k == 0)
                pos[l] = a;
            else if (k % 2 == 1)
                pos[--l] = a + k;
            else
                pos[++h] = a + k;
        }
        if (m && h < m - 1)
            for (size_t k = 0; k < m; k++)
                pos[k] = pos[k + l];
        int x = r.x + (r.w - row_w[row]) / 2;
        for (size_t k = 0; k < m; k++) {
            const cloud_word *cw = &words[pos[k]];
            ui_color c = cw->i == 0 ? t->selected : cw->i % 2 ? t->text : t->text_secondary;
            ui_text(f, te, (ui_rect){x, y + row_h[row] - cw->lh, cw->w + 1, cw->lh},
                    res->words[cw->i].word, cw->px, cw->px, cw->bold, c, UI_ALIGN_LEFT);
            x += cw->w + gap_x;
        }
        y += row_h[row] + gap_y;
    }
}

/* The latest answers: a heading, then cards of at most two lines. */
static void layout_latest(ui_frame *f, const ui_text_engine *te, const ui_theme *t, ui_rect r,
                          const results *res, int px, const char *heading)
{
    int lh = te_line(te, px);
    int gap = px / 3;
    int y = r.y;
    if (res->n_latest == 0)
        return;
    y += ui_text(f, te, (ui_rect){r.x, y, r.w, lh}, heading, px, px, true, t->text_secondary,
                 UI_ALIGN_LEFT);
    y += gap;
    int pad = px / 3;
    for (size_t i = 0; i < res->n_latest; i++) {
        char shown[RESULTS_TEXT_MAX + 8];
        fit_lines(te, res->latest[i].text, px, false, r.w - 2 * pad, 2, shown, sizeof shown);
        ui_wrapped wr;
        ui_wrap(te, shown, px, false, r.w - 2 * pad, &wr);
        int lines = wr.n_lines < 1 ? 1 : wr.n_lines > 2 ? 2 : wr.n_lines;
        int card_h = lines * lh + 2 * pad;
        if (y + card_h > r.y + r.h)
            break;
        ui_fill(f, (ui_rect){r.x, y, r.w, card_h}, t->surface, px / 3);
        ui_text(f, te, (ui_rect){r.x + pad, y + pad, r.w - 2 * pad, lines * lh}, shown, px, px,
                false, t->surface_text, UI_ALIGN_LEFT);
        y += card_h + gap;
    }
}

/* "5 stemmen" / "1 antwoord" */
static void votes_text(const char *ul, bool text, int64_t n, char *buf, size_t size)
{
    if (n == 1)
        snprintf(buf, size, "%s", live_word_get(ul, text ? LW_ANSWER_ONE : LW_VOTE_ONE));
    else
        snprintf(buf, size, live_word_get(ul, text ? LW_ANSWERS : LW_VOTES), (int)n);
}

/* "3 snelle herhalingen apart gehouden" */
static void held_text(const char *ul, int64_t n, char *buf, size_t size)
{
    if (n == 1)
        snprintf(buf, size, "%s", live_word_get(ul, LW_HELD_ONE));
    else
        snprintf(buf, size, live_word_get(ul, LW_HELD), (int)n);
}

/* The results themselves in body: bars, or the word cloud with the latest
 * answers beside it (landscape) or below it (portrait). */
static void layout_bars_or_cloud(ui_frame *f, const ui_text_engine *te, const ui_theme *t,
                                 ui_rect body, const live_board *b, int px_min, int S, int gap)
{
    const results *res = b->res;
    if (body.h <= 0)
        return;
    if (b->q->type != SURVEY_Q_TEXT) {
        layout_bars(f, te, t, body, b, px_min, S);
        return;
    }
    ui_rect cloud = body, latest = {0, 0, 0, 0};
    if (res->n_latest > 0) {
        if (body.w * 10 >= body.h * 18) {
            int lw = body.w * 36 / 100;
            cloud.w = body.w - lw - gap;
            latest = (ui_rect){body.x + body.w - lw, body.y, lw, body.h};
        } else {
            int g = S * 2 / 100;
            cloud.h = body.h * 55 / 100;
            latest = (ui_rect){body.x, body.y + cloud.h + g, body.w, body.h - cloud.h - g};
        }
    }
    layout_cloud(f, te, t, cloud, res, px_min, S * 13 / 100);
    if (latest.w > 0)
        layout_latest(f, te, t, latest, res, px_min, live_word_get(b->ui_lang, LW_LATEST));
}

void live_layout_board(ui_frame *f, const ui_text_engine *te, const ui_theme *t, ui_rect area,
                       const live_board *b)
{
    int W = area.w, H = area.h;
    /* Sizes follow the shorter side: on a landscape screen (a presenter's
     * projector) that is the height, so every result text is at least 5%
     * of the height, readable from 10 m. */
    int S = W < H ? W : H;
    int px_min = (S * 5 + 99) / 100;
    int mx = W * 4 / 100, my = H * 3 / 100;
    int x = area.x + mx, w = W - 2 * mx, y = area.y + my;
    int bottom = area.y + H - my;
    const char *ul = b->ui_lang;
    if (b->title) {
        y += board_text(f, te, (ui_rect){x, y, w, H * 13 / 100}, b->title, S * 9 / 100, px_min,
                        true, t->selected, UI_ALIGN_LEFT);
        y += S / 100;
    }
    if (!b->q || !b->res) {
        board_text(f, te, (ui_rect){x, y, w, bottom - y}, live_word_get(ul, LW_NO_QUESTION),
                   S * 65 / 1000, px_min, true, t->text, UI_ALIGN_LEFT);
        return;
    }
    const results *res = b->res;
    int qh = b->title ? H * 16 / 100 : H * 22 / 100;
    if (b->only_results) {
        layout_bars_or_cloud(f, te, t, (ui_rect){x, y, w, bottom - y}, b, px_min, S, mx);
        return;
    }
    y += board_text(f, te, (ui_rect){x, y, w, qh}, survey_text_get(&b->q->text, b->lang),
                    S * 65 / 1000, px_min, true, t->text, UI_ALIGN_LEFT);
    y += H * 3 / 100;

    /* Footer: the participant counter, and the quick repeats kept apart. */
    int px_foot = px_min + S / 200;
    int foot_lh = te_line(te, px_foot);
    bool text = b->q->type == SURVEY_Q_TEXT;
    char votes[64], held[96];
    votes_text(ul, text, res->votes, votes, sizeof votes);
    int foot_y = bottom - foot_lh;
    int vw = te_width(te, votes, px_foot, true);
    ui_text(f, te, (ui_rect){x, foot_y, vw + 2, foot_lh}, votes, px_foot, px_foot, true, t->text,
            UI_ALIGN_LEFT);
    int body_bottom = foot_y;
    if (res->held_apart > 0) {
        held_text(ul, res->held_apart, held, sizeof held);
        int hw = te_width(te, held, px_min, false);
        int gap = px_min;
        if (vw + gap + hw <= w) {
            ui_text(f, te,
                    (ui_rect){x + w - hw - 1, foot_y + (foot_lh - te_line(te, px_min)), hw + 1,
                              te_line(te, px_min)},
                    held, px_min, px_min, false, t->text_secondary, UI_ALIGN_RIGHT);
        } else {
            char cut[128];
            fit_lines(te, held, px_min, false, w, 2, cut, sizeof cut);
            ui_wrapped wr;
            ui_wrap(te, cut, px_min, false, w, &wr);
            int hh = wr.n_lines * te_line(te, px_min);
            ui_text(f, te, (ui_rect){x, foot_y - hh, w, hh}, cut, px_min, px_min, false,
                    t->text_secondary, UI_ALIGN_LEFT);
            body_bottom = foot_y - hh;
        }
    }
    ui_rect body = {x, y, w, body_bottom - H * 2 / 100 - y};
    layout_bars_or_cloud(f, te, t, body, b, px_min, S, mx);
}

/* ---- The attendee's question screen ---- */

static void live_answer_grid(app *a, const metrics *m, live_state *st, ui_rect region,
                             const survey_question *q, int sl)
{
    size_t n = q->n_options;
    int min_h = m->target;
    int rows = (region.h + m->gap) / (min_h + m->gap);
    rows = rows < 1 ? 1 : rows > (int)n ? (int)n : rows;
    int cols = ((int)n + rows - 1) / rows;
    rows = ((int)n + cols - 1) / cols;
    int bw = (region.w - (cols - 1) * m->gap) / cols;
    int bh = (region.h - (rows - 1) * m->gap) / rows;
    if (bh > (int)(m->u * 13))
        bh = (int)(m->u * 13);
    if (cols == 1 && bw > (int)(m->u * 110))
        bw = (int)(m->u * 110);
    int picked = 0;
    for (size_t i = 0; i < n && i < RESULTS_MAX_BARS; i++)
        picked += st->chosen[i];
    bool full = q->type == SURVEY_Q_MULTI && q->max_choices > 0 && picked >= q->max_choices;
    for (size_t i = 0; i < n; i++) {
        int col = (int)i / rows, row = (int)i % rows;
        ui_rect r = {region.x + col * (bw + m->gap), region.y + row * (bh + m->gap), bw, bh};
        bool sel = q->type == SURVEY_Q_MULTI ? st->chosen[i] : st->selected == (int)i;
        button_style style = sel ? BUTTON_SELECTED : full ? BUTTON_DISABLED : BUTTON_PLAIN;
        button(a, m, r, survey_text_get(&q->options[i].label, sl), UI_ACT_MODULE,
               app_module_arg(st->index, SUB_ANSWER + (int)i), style, m->px_answer);
    }
}

static void live_scale(app *a, const metrics *m, live_state *st, ui_rect region,
                       const survey_question *q, int sl)
{
    bool row = m->W > m->H;
    for (int i = 0; i < SURVEY_SCALE_POINTS; i++) {
        ui_rect r;
        if (row) {
            int bw = (region.w - 4 * m->gap) / 5;
            int bh = region.h < (int)(m->u * 26) ? region.h : (int)(m->u * 26);
            r = (ui_rect){region.x + i * (bw + m->gap), region.y, bw, bh};
        } else {
            int bh = (region.h - 4 * m->gap) / 5;
            bh = bh > (int)(m->u * 13) ? (int)(m->u * 13) : bh;
            r = (ui_rect){region.x, region.y + i * (bh + m->gap), region.w, bh};
        }
        char buf[24];
        button(a, m, r, bar_label(q, sl, (size_t)i, buf, sizeof buf), UI_ACT_MODULE,
               app_module_arg(st->index, SUB_ANSWER + i),
               st->selected == i ? BUTTON_SELECTED : BUTTON_PLAIN, m->px_answer);
    }
}

static void live_smiley(app *a, const metrics *m, live_state *st, ui_rect region,
                        const survey_question *q, int sl)
{
    const ui_theme *t = m->theme;
    int colw = (region.w - 4 * m->gap) / 5;
    int label_h = (int)(m->px_answer * 2.8);
    int d = colw * 7 / 10;
    if (d > region.h - label_h - m->gap)
        d = region.h - label_h - m->gap;
    if (d < m->target)
        d = m->target;
    for (int i = 0; i < SURVEY_SCALE_POINTS; i++) {
        int cx = region.x + i * (colw + m->gap);
        ui_rect cell = {cx, region.y, colw, d + m->gap + label_h};
        bool sel = st->selected == i;
        if (sel)
            ui_fill(a->frame, cell, t->selected, m->radius);
        ui_rect face = {cx + (colw - d) / 2, region.y + m->gap / 2, d, d};
        ui_circle(a->frame,
                  (ui_rect){face.x - m->edge, face.y - m->edge, d + 2 * m->edge, d + 2 * m->edge},
                  sel ? t->selected_text : t->edge);
        ui_face(a->frame, face, i + 1, rgb(live_smiley_fills[i]), rgb(0x1A1A1A));
        char buf[24];
        const char *label = bar_label(q, sl, (size_t)i, buf, sizeof buf);
        bool over = false;
        ui_text_draw(a->frame, &a->text,
                     (ui_rect){cx + m->gap / 2, face.y + d + m->gap, colw - m->gap, label_h}, label,
                     m->px_answer, m->px_min, true, sel ? t->selected_text : t->text,
                     UI_ALIGN_CENTER, &over);
        ui_widget *w = ui_widget_add(a->frame, cell, label, UI_ACT_MODULE,
                                     app_module_arg(st->index, SUB_ANSWER + i));
        if (w)
            w->overflow = over;
    }
}

static void live_type(app *a, live_state *st, const survey_question *q, const char *utf8)
{
    text_entry_type(&st->entry, utf8, q->max_length);
    a->dirty = true;
}

static void live_backspace(app *a, live_state *st)
{
    text_entry_backspace(&st->entry);
    a->dirty = true;
}

static int live_picked(const live_state *st)
{
    int n = 0;
    for (size_t i = 0; i < RESULTS_MAX_BARS; i++)
        n += st->chosen[i];
    return n;
}

/* The language switch: the next configured language's own name. */
static int live_language_button(app *a, const metrics *m, int right, int y)
{
    size_t n = a->config->kiosk.n_languages;
    if (n < 2)
        return right;
    int next = (int)((size_t)(a->lang + 1) % n);
    const char *code = a->config->kiosk.languages[next];
    const char *name = str_has_language(code) ? str_get(code, STR_LANGUAGE_NAME) : code;
    int w = a->text.width(a->text.ctx, name, strlen(name), m->px_secondary, true) + (int)(m->u * 3);
    w = w < m->target ? m->target : w > m->W / 4 ? m->W / 4 : w;
    int x = right - m->gap - w;
    button(a, m, (ui_rect){x, y, w, m->target}, name, UI_ACT_LANGUAGE, next, BUTTON_PLAIN,
           m->px_secondary);
    return x;
}

static void live_build_question(app *a, live_state *st, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    const survey *s = a->active;
    const survey_question *q = live_question(a, st, NULL);
    if (!q) {
        build_message(a, m, live_word_get(app_lang_code(a), LW_NO_QUESTION), "", t->background,
                      t->text);
        return;
    }
    int sl = live_survey_lang(a, s);
    int top = (int)(m->u * 3);
    int cx = corner_controls(a, m, top);
    cx = live_language_button(a, m, cx, top);
    /* Top left: the event's title, so people know this is the live vote. */
    const char *title = survey_text_get(&s->title, sl);
    ui_text(f, &a->text, (ui_rect){m->margin, top, cx - m->margin - m->gap, m->target},
            title ? title : "", m->px_secondary, m->px_min, true, t->text_secondary,
            UI_ALIGN_LEFT | UI_VCENTER);

    bool needs_done = q->type == SURVEY_Q_MULTI || q->type == SURVEY_Q_TEXT;
    int bar_y = m->H - m->target - (int)(m->u * 3);
    if (needs_done) {
        int bw = (m->W - 2 * m->margin - 2 * m->gap) / 3;
        bw = bw > (int)(m->u * 40) ? (int)(m->u * 40) : bw;
        bool ready = q->type == SURVEY_Q_MULTI ? live_picked(st) > 0 : st->entry.text[0] != '\0';
        button(a, m, (ui_rect){m->W - m->margin - bw, bar_y, bw, m->target}, tr(a, STR_DONE),
               UI_ACT_MODULE, app_module_arg(st->index, SUB_SUBMIT),
               ready ? BUTTON_PRIMARY : BUTTON_DISABLED, m->px_answer);
    }
    int bottom = needs_done ? bar_y - m->gap : m->H - (int)(m->u * 4);
    int x = m->margin, w = m->W - 2 * m->margin;
    int y = top + m->target + (int)(m->u * 3);
    int avail = bottom - y;
    int max_q = q->type == SURVEY_Q_TEXT ? avail / 5 : avail * 2 / 5;
    int qw = w < m->px_question * 26 ? w : m->px_question * 26;
    y += ui_text(f, &a->text, (ui_rect){x, y, qw, max_q}, survey_text_get(&q->text, sl),
                 m->px_question, m->px_min, true, t->text, UI_ALIGN_LEFT);
    y += (int)(m->u * 1.5);
    const char *help = survey_text_get(&q->help, sl);
    if (help && q->type != SURVEY_Q_TEXT) {
        y += ui_text(f, &a->text, (ui_rect){x, y, qw, avail / 6}, help, m->px_secondary, m->px_min,
                     false, t->text_secondary, UI_ALIGN_LEFT);
        y += (int)(m->u * 1.5);
    }
    if (q->type == SURVEY_Q_MULTI) {
        char line[128];
        const char *ul = app_lang_code(a);
        if (q->max_choices > 0)
            snprintf(line, sizeof line, live_word_get(ul, LW_MULTI_MAX), q->max_choices);
        else
            snprintf(line, sizeof line, "%s", live_word_get(ul, LW_MULTI_ANY));
        y += ui_text(f, &a->text, (ui_rect){x, y, w, avail / 8}, line, m->px_secondary, m->px_min,
                     true, t->selected, UI_ALIGN_LEFT);
        y += (int)(m->u * 1.5);
    }
    y += (int)(m->u * 1.5);
    ui_rect region = {x, y, w, bottom - y};
    switch (q->type) {
    case SURVEY_Q_CHOICE:
    case SURVEY_Q_MULTI:
        live_answer_grid(a, m, st, region, q, sl);
        break;
    case SURVEY_Q_SCALE:
        live_scale(a, m, st, region, q, sl);
        break;
    case SURVEY_Q_SMILEY:
        live_smiley(a, m, st, region, q, sl);
        break;
    case SURVEY_Q_TEXT:
        text_entry_build(a, m, &st->entry, app_lang_code(a), q->max_length, region, UI_ACT_MODULE,
                         app_module_arg(st->index, SUB_KEY));
        break;
    default:
        break;
    }
}

static void live_build_results(app *a, live_state *st, const metrics *m)
{
    live_ensure(a, st);
    double shown[RESULTS_MAX_BARS];
    live_shown(a, st, shown);
    const survey *s = a->active;
    live_board b = {
        .q = live_question(a, st, NULL),
        .lang = s ? live_survey_lang(a, s) : 0,
        .ui_lang = app_lang_code(a),
        .res = &st->res,
        .shown = shown,
        .mine = st->mine,
        .title = tr(a, STR_THANKS),
    };
    live_layout_board(a->frame, &a->text, m->theme, (ui_rect){0, 0, m->W, m->H}, &b);
}

/* ---- The staff's control screen ---- */

static void live_build_control(app *a, live_state *st, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    const char *ul = app_lang_code(a);
    live_ensure(a, st);
    int index;
    const survey_question *q = live_question(a, st, &index);
    const survey *s = a->active;
    int sl = s ? live_survey_lang(a, s) : 0;
    int top = (int)(m->u * 3);
    int x = m->margin, w = m->W - 2 * m->margin;
    int bw = (w - 2 * m->gap) / 3;
    bw = bw > (int)(m->u * 45) ? (int)(m->u * 45) : bw;
    button(a, m, (ui_rect){m->W - m->margin - bw, top, bw, m->target}, tr(a, STR_DONE),
           UI_ACT_MODULE, app_module_arg(st->index, SUB_DONE), BUTTON_PRIMARY, m->px_answer);
    ui_text(f, &a->text, (ui_rect){x, top, w - bw - m->gap, m->target},
            live_word_get(ul, LW_CONTROL_TITLE), m->px_question, m->px_min, true, t->text,
            UI_ALIGN_LEFT | UI_VCENTER);
    int y = top + m->target + m->gap;
    if (!q) {
        ui_text(f, &a->text, (ui_rect){x, y, w, m->target}, live_word_get(ul, LW_NO_QUESTION),
                m->px_answer, m->px_min, false, t->text, UI_ALIGN_LEFT);
        return;
    }
    int pos = 0, total = 0;
    for (size_t i = 0; i < s->n_questions; i++)
        if (results_supported(s->questions[i].type)) {
            total++;
            if ((int)i <= index)
                pos = total;
        }
    char line[128];
    snprintf(line, sizeof line, live_word_get(ul, LW_OPEN_OF), pos, total);
    ui_text(f, &a->text, (ui_rect){x, y, w, m->px_secondary * 2}, line, m->px_secondary, m->px_min,
            true, t->selected, UI_ALIGN_LEFT);
    y += a->text.line_height(a->text.ctx, m->px_secondary) + m->gap / 2;
    y += ui_text(f, &a->text, (ui_rect){x, y, w, m->px_answer * 3}, survey_text_get(&q->text, sl),
                 m->px_answer, m->px_min, true, t->text, UI_ALIGN_LEFT);
    y += m->gap;
    int nb = (w - m->gap) / 2 > (int)(m->u * 45) ? (int)(m->u * 45) : (w - m->gap) / 2;
    button(a, m, (ui_rect){x, y, nb, m->target}, live_word_get(ul, LW_PREVIOUS), UI_ACT_MODULE,
           app_module_arg(st->index, SUB_PREV), pos > 1 ? BUTTON_PLAIN : BUTTON_DISABLED,
           m->px_answer);
    button(a, m, (ui_rect){x + nb + m->gap, y, nb, m->target}, live_word_get(ul, LW_NEXT),
           UI_ACT_MODULE, app_module_arg(st->index, SUB_NEXT),
           pos < total ? BUTTON_PLAIN : BUTTON_DISABLED, m->px_answer);
    y += m->target + m->gap;

    const results *res = &st->res;
    char counts[256], votes[64], held[96] = "", hidden[64] = "";
    bool text = q->type == SURVEY_Q_TEXT;
    votes_text(ul, text, res->votes, votes, sizeof votes);
    if (res->held_apart)
        held_text(ul, res->held_apart, held, sizeof held);
    if (res->hidden)
        snprintf(hidden, sizeof hidden, live_word_get(ul, LW_HIDDEN_COUNT), (int)res->hidden);
    snprintf(counts, sizeof counts, "%s%s%s%s%s", votes, held[0] ? " \xC2\xB7 " : "", held,
             hidden[0] ? " \xC2\xB7 " : "", hidden);
    y += ui_text(f, &a->text, (ui_rect){x, y, w, m->px_secondary * 3}, counts, m->px_secondary,
                 m->px_min, false, t->text_secondary, UI_ALIGN_LEFT);
    y += m->gap;

    /* Bottom: start counting afresh (two taps), undo the last hiding. */
    int by = m->H - m->target - top;
    int rw = (w - m->gap) / 2 > (int)(m->u * 55) ? (int)(m->u * 55) : (w - m->gap) / 2;
    button(a, m, (ui_rect){x, by, rw, m->target},
           live_word_get(ul, st->reset_armed ? LW_RESET_SURE : LW_RESET), UI_ACT_MODULE,
           app_module_arg(st->index, SUB_RESET), st->reset_armed ? BUTTON_SELECTED : BUTTON_PLAIN,
           m->px_secondary);
    if (st->undo_response[0])
        button(a, m, (ui_rect){x + rw + m->gap, by, rw, m->target}, live_word_get(ul, LW_UNDO_HIDE),
               UI_ACT_MODULE, app_module_arg(st->index, SUB_UNDO_HIDE), BUTTON_PLAIN,
               m->px_secondary);
    ui_rect body = {x, y, w, by - m->gap - y};
    if (body.h <= m->target)
        return;
    if (!text) {
        double shown[RESULTS_MAX_BARS];
        live_shown(a, st, shown);
        live_board b = {
            .q = q, .lang = sl, .ui_lang = ul, .res = res, .shown = shown, .only_results = true};
        live_layout_board(f, &a->text, t, body, &b);
        return;
    }
    /* Text: the latest answers with "Verbergen", and the words. */
    int half = (w - m->gap * 2) / 2;
    int ly = body.y;
    int hide_w = a->text.width(a->text.ctx, live_word_get(ul, LW_HIDE),
                               strlen(live_word_get(ul, LW_HIDE)), m->px_secondary, true) +
                 (int)(m->u * 4);
    hide_w = hide_w < m->target ? m->target : hide_w;
    for (size_t i = 0; i < res->n_latest; i++) {
        if (ly + m->target > body.y + body.h)
            break;
        char shown[RESULTS_TEXT_MAX + 8];
        int tw = half - hide_w - m->gap;
        fit_lines(&a->text, res->latest[i].text, m->px_secondary, false, tw, 2, shown,
                  sizeof shown);
        ui_text(f, &a->text, (ui_rect){x, ly, tw, m->target}, shown, m->px_secondary, m->px_min,
                false, t->text, UI_ALIGN_LEFT | UI_VCENTER);
        button(a, m, (ui_rect){x + half - hide_w, ly, hide_w, m->target},
               live_word_get(ul, LW_HIDE), UI_ACT_MODULE,
               app_module_arg(st->index, SUB_HIDE_ANSWER + (int)i), BUTTON_PLAIN, m->px_secondary);
        ly += m->target + m->gap / 2;
    }
    int wx = x + half + m->gap * 2, ww = w - half - m->gap * 2;
    int wy = body.y;
    wy += ui_text(f, &a->text, (ui_rect){wx, wy, ww, m->px_secondary * 3},
                  live_word_get(ul, LW_WORDS_HINT), m->px_secondary, m->px_min, false,
                  t->text_secondary, UI_ALIGN_LEFT);
    wy += m->gap / 2;
    /* Word buttons, flowing in rows. */
    int rx = wx;
    int limit = body.y + body.h;
    size_t max_words = res->n_words < 12 ? res->n_words : 12;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass == 0 ? max_words : st->n_hidden;
        if (pass == 1 && n > 0) {
            if (rx != wx) {
                wy += m->target + m->gap / 2;
                rx = wx;
            }
            if (wy + m->px_secondary * 2 > limit)
                break;
            wy += ui_text(f, &a->text, (ui_rect){wx, wy, ww, m->px_secondary * 3},
                          live_word_get(ul, LW_HIDDEN_HINT), m->px_secondary, m->px_min, false,
                          t->text_secondary, UI_ALIGN_LEFT);
            wy += m->gap / 2;
        }
        for (size_t i = 0; i < n && i < 40; i++) {
            const char *word = pass == 0 ? res->words[i].word : st->hidden[i];
            int bwid = a->text.width(a->text.ctx, word, strlen(word), m->px_secondary, true) +
                       (int)(m->u * 4);
            bwid = bwid < m->target ? m->target : bwid > ww ? ww : bwid;
            if (rx + bwid > wx + ww) {
                rx = wx;
                wy += m->target + m->gap / 2;
            }
            if (wy + m->target > limit)
                break;
            button(a, m, (ui_rect){rx, wy, bwid, m->target}, word, UI_ACT_MODULE,
                   app_module_arg(st->index, (pass == 0 ? SUB_HIDE_WORD : SUB_SHOW_WORD) + (int)i),
                   pass == 0 ? BUTTON_PLAIN : BUTTON_SELECTED, m->px_secondary);
            rx += bwid + m->gap / 2;
        }
    }
}

/* ---- Module callbacks ---- */

static bool live_create(app *a)
{
    int index = live_module_index();
    if (index < 0)
        return false;
    live_state *st = calloc(1, sizeof *st);
    if (!st)
        return false;
    st->index = index;
    st->selected = -1;
    a->module_state[index] = st;
    char *qid = NULL;
    if (store_meta_get(a->store, LIVE_META_QUESTION, &qid) == BK_OK)
        snprintf(st->qid, sizeof st->qid, "%s", qid);
    free(qid);
    live_load_meta(a, st);
    live_question(a, st, NULL);
    st->shown_at = live_now(a);
    if (a->mode == CONFIG_MODE_LIVE)
        log_info("live", "live mode: question \"%s\" is open", st->qid);
    return true;
}

static void live_destroy(app *a)
{
    live_state *st = live_get(a);
    if (!st)
        return;
    if (st->pwin)
        SDL_DelEventWatch(live_event_watch, a);
    live_presenter_close(st);
    free(st->hidden_buf);
    sodium_memzero(st, sizeof *st);
    free(st);
    a->module_state[live_module_index()] = NULL;
}

static void live_build(app *a)
{
    live_state *st = live_get(a);
    metrics m = metrics_for(a);
    /* An attendee's screens in a right-to-left language are mirrored like
     * the resident screens: screens_build turns the frame around after this
     * (the keyboard keeps its key order). The staff's control screen is not. */
    a->frame->mirror = st->view != LV_CONTROL && str_is_rtl(app_lang_code(a));
    switch (st->view) {
    case LV_QUESTION:
        live_build_question(a, st, &m);
        break;
    case LV_RESULTS:
        live_build_results(a, st, &m);
        break;
    case LV_CONTROL:
        live_build_control(a, st, &m);
        break;
    }
}

static void live_single(app *a, live_state *st, const survey_question *q, int i)
{
    answer_value v = {.kind = ANSWER_NONE};
    char canon[SURVEY_ID_MAX + 16];
    if (q->type == SURVEY_Q_CHOICE) {
        if (i < 0 || (size_t)i >= q->n_options)
            return;
        v.kind = ANSWER_TEXT;
        v.text = q->options[i].id;
        snprintf(canon, sizeof canon, "o:%s", q->options[i].id);
    } else {
        if (i < 0 || i >= SURVEY_SCALE_POINTS)
            return;
        v.kind = ANSWER_INT;
        v.integer = i + 1;
        snprintf(canon, sizeof canon, "n:%d", i + 1);
    }
    if (!live_vote(a, st, q, &v, canon))
        return;
    memset(st->mine, 0, sizeof st->mine);
    st->mine[i] = true;
    st->selected = i;
    st->selected_at = live_now(a);
}

static void live_submit(app *a, live_state *st, const survey_question *q)
{
    if (q->type == SURVEY_Q_MULTI) {
        const char *list[RESULTS_MAX_BARS];
        char canon[RESULTS_MAX_BARS * (SURVEY_ID_MAX + 1) + 4] = "m:";
        size_t n = 0;
        for (size_t i = 0; i < q->n_options && i < RESULTS_MAX_BARS; i++)
            if (st->chosen[i]) {
                list[n++] = q->options[i].id;
                strcat(canon, q->options[i].id);
                strcat(canon, ",");
            }
        if (!n)
            return;
        answer_value v = {.kind = ANSWER_LIST, .list = list, .n_list = n};
        if (!live_vote(a, st, q, &v, canon))
            return;
        memcpy(st->mine, st->chosen, sizeof st->mine);
    } else if (q->type == SURVEY_Q_TEXT) {
        /* Without spaces around; nothing typed stores nothing. */
        char *s = st->entry.text;
        while (*s == ' ' || *s == '\n')
            s++;
        size_t len = strlen(s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\n'))
            s[--len] = '\0';
        if (!len)
            return;
        answer_value v = {.kind = ANSWER_TEXT, .text = s};
        char canon[FLOW_TEXT_MAX_BYTES + 4];
        snprintf(canon, sizeof canon, "t:%s", s);
        bool ok = live_vote(a, st, q, &v, canon);
        sodium_memzero(canon, sizeof canon);
        if (!ok)
            return;
        memset(st->mine, 0, sizeof st->mine);
    } else {
        return;
    }
    live_to_results(a, st);
}

static void live_keyboard_key(app *a, live_state *st, const survey_question *q, int key)
{
    text_entry_press(&st->entry, app_lang_code(a), key, q->max_length);
    a->dirty = true;
}

static void live_control_done(app *a, live_state *st)
{
    void (*done)(app *) = st->done;
    st->done = NULL;
    st->reset_armed = false;
    st->view = LV_QUESTION;
    if (done)
        done(a);
    else
        app_go_attract(a);
}

static void live_action(app *a, int sub)
{
    live_state *st = live_get(a);
    const survey_question *q = live_question(a, st, NULL);
    a->dirty = true;
    if (st->view == LV_CONTROL) {
        if (sub != SUB_RESET)
            st->reset_armed = false;
        if (sub == SUB_PREV || sub == SUB_NEXT) {
            live_open_step(a, sub == SUB_NEXT ? 1 : -1);
        } else if (sub == SUB_DONE) {
            live_control_done(a, st);
        } else if (sub == SUB_RESET) {
            if (st->reset_armed)
                live_reset_results(a);
            st->reset_armed = !st->reset_armed;
        } else if (sub == SUB_UNDO_HIDE && st->undo_response[0]) {
            char r[sizeof st->undo_response], qq[sizeof st->undo_question];
            snprintf(r, sizeof r, "%s", st->undo_response);
            snprintf(qq, sizeof qq, "%s", st->undo_question);
            live_hide_answer(a, r, qq, false);
            st->undo_response[0] = '\0';
        } else if (sub >= SUB_HIDE_ANSWER && sub < SUB_HIDE_ANSWER + RESULTS_MAX_LATEST) {
            size_t i = (size_t)(sub - SUB_HIDE_ANSWER);
            if (q && i < st->res.n_latest) {
                char r[STORE_UUID_LEN + 1];
                snprintf(r, sizeof r, "%s", st->res.latest[i].response_id);
                if (live_hide_answer(a, r, q->id, true) == BK_OK) {
                    snprintf(st->undo_response, sizeof st->undo_response, "%s", r);
                    snprintf(st->undo_question, sizeof st->undo_question, "%s", q->id);
                }
            }
        } else if (sub >= SUB_HIDE_WORD && sub < SUB_HIDE_WORD + RESULTS_MAX_WORDS) {
            size_t i = (size_t)(sub - SUB_HIDE_WORD);
            if (i < st->res.n_words) {
                char w[RESULTS_WORD_MAX];
                snprintf(w, sizeof w, "%s", st->res.words[i].word);
                live_hide_word(a, w, true);
            }
        } else if (sub >= SUB_SHOW_WORD && sub < SUB_SHOW_WORD + RESULTS_MAX_HIDDEN_WORDS) {
            size_t i = (size_t)(sub - SUB_SHOW_WORD);
            if (i < st->n_hidden) {
                char w[RESULTS_WORD_MAX];
                snprintf(w, sizeof w, "%s", st->hidden[i]);
                live_hide_word(a, w, false);
            }
        }
        return;
    }
    if (st->view != LV_QUESTION || !q || st->selected >= 0)
        return;
    if (sub >= SUB_ANSWER && sub < SUB_ANSWER + RESULTS_MAX_BARS) {
        int i = sub - SUB_ANSWER;
        if (q->type == SURVEY_Q_MULTI) {
            if ((size_t)i >= q->n_options)
                return;
            if (!st->chosen[i] && q->max_choices > 0 && live_picked(st) >= q->max_choices)
                return;
            st->chosen[i] = !st->chosen[i];
        } else if (q->type != SURVEY_Q_TEXT) {
            live_single(a, st, q, i);
        }
    } else if (sub == SUB_SUBMIT) {
        live_submit(a, st, q);
    } else if (sub >= SUB_KEY && sub < SUB_KEY + TEXT_ENTRY_KEYS && q->type == SURVEY_Q_TEXT) {
        live_keyboard_key(a, st, q, sub - SUB_KEY);
    }
}

static bool live_can_show(const app *a, live_state *st)
{
    return a->mode == CONFIG_MODE_LIVE && live_question(a, st, NULL) != NULL;
}

static bool live_attract(app *a)
{
    live_state *st = live_get(a);
    if (!st || !live_can_show(a, st))
        return false;
    live_to_question(a, st);
    app_show_module(a, st->index);
    return true;
}

static void live_tick(app *a)
{
    live_state *st = live_get(a);
    if (!st)
        return;
    int64_t now = live_now(a);
    bool mine = live_on_screen(a, st);
    if (a->mode == CONFIG_MODE_LIVE && a->screen == APP_SCREEN_ATTRACT && !a->in_flow &&
        live_can_show(a, st)) {
        live_attract(a); /* staff switched to live mode */
        mine = true;
    } else if (mine && a->mode != CONFIG_MODE_LIVE && st->view != LV_CONTROL) {
        app_go_attract(a); /* staff switched back to survey mode */
        mine = false;
    }
    if (a->mode == CONFIG_MODE_LIVE || mine)
        live_ensure(a, st);
    if (mine && st->view == LV_QUESTION && st->selected >= 0 &&
        now >= st->selected_at + LIVE_SELECTED_MS)
        live_to_results(a, st);
    if (mine && st->view == LV_RESULTS && now >= st->results_at + LIVE_RESULTS_MS)
        live_to_question(a, st);
    if (mine && st->view == LV_QUESTION && st->selected < 0 &&
        (st->entry.text[0] || live_picked(st) > 0) &&
        now - a->last_input_at >= (int64_t)a->config->kiosk.idle_timeout_s * 1000) {
        log_info("live", "nobody finished the answer: cleared");
        live_to_question(a, st);
    }
    if (st->animating) {
        if (now >= st->anim_start + LIVE_ANIM_MS)
            st->animating = false;
        if (mine && st->view != LV_QUESTION)
            a->dirty = true;
        st->pdirty = true;
    }
    live_presenter_update(a, st);
}

static int64_t live_next_timer_ms(const app *a)
{
    live_state *st = live_get(a);
    if (!st)
        return -1;
    int64_t now = live_now(a), next = INT64_MAX;
    bool mine = live_on_screen(a, st);
    if (a->mode == CONFIG_MODE_LIVE && a->screen == APP_SCREEN_ATTRACT && !a->in_flow &&
        live_can_show(a, st))
        return 0;
    if (mine && a->mode != CONFIG_MODE_LIVE && st->view != LV_CONTROL)
        return 0;
    if (st->animating) {
        /* On a replay's virtual clock nobody watches the frames in between:
         * a few steps are enough (a screenshot still sees the bars grow). */
        int64_t step = a->virtual_time ? LIVE_ANIM_MS / 4 : LIVE_ANIM_FRAME_MS;
        int64_t t = now + step, end = st->anim_start + LIVE_ANIM_MS;
        next = t < end ? t : end;
    }
    if (mine && st->view == LV_QUESTION && st->selected >= 0) {
        int64_t t = st->selected_at + LIVE_SELECTED_MS;
        next = t < next ? t : next;
    }
    if (mine && st->view == LV_RESULTS) {
        int64_t t = st->results_at + LIVE_RESULTS_MS;
        next = t < next ? t : next;
    }
    if (mine && st->view == LV_QUESTION && st->selected < 0 &&
        (st->entry.text[0] || live_picked(st) > 0)) {
        int64_t t = a->last_input_at + (int64_t)a->config->kiosk.idle_timeout_s * 1000;
        next = t < next ? t : next;
    }
    if (st->pwin) {
        int64_t t = st->pdirty ? now : st->pdrawn_at + LIVE_PRESENTER_REFRESH_MS;
        next = t < next ? t : next;
    }
    if (next == INT64_MAX)
        return -1;
    return next > now ? next - now : 0;
}

static bool live_pointer(app *a, bool down, int x, int y)
{
    live_state *st = live_get(a);
    (void)down;
    (void)x;
    (void)y;
    /* A click on the presenter window must not vote on the kiosk. */
    return st && st->pwin && !a->virtual_time && SDL_GetMouseFocus() == st->pwin;
}

static bool live_key(app *a, SDL_Keycode key)
{
    live_state *st = live_get(a);
    if (!st || !live_on_screen(a, st))
        return false;
    if (key == SDLK_LEFT || key == SDLK_RIGHT) {
        live_open_step(a, key == SDLK_RIGHT ? 1 : -1);
        return true;
    }
    const survey_question *q = live_question(a, st, NULL);
    if (st->view == LV_QUESTION && q && q->type == SURVEY_Q_TEXT && st->selected < 0) {
        if (key == SDLK_BACKSPACE) {
            live_backspace(a, st);
            return true;
        }
        if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
            if (live_now(a) >= a->input_settle_until)
                live_submit(a, st, q);
            return true;
        }
    }
    return false;
}

static bool live_text(app *a, const char *utf8)
{
    live_state *st = live_get(a);
    if (!st || !live_on_screen(a, st))
        return false;
    const survey_question *q = live_question(a, st, NULL);
    if (st->view == LV_QUESTION && q && q->type == SURVEY_Q_TEXT && st->selected < 0)
        live_type(a, st, q, utf8);
    return true;
}

const app_module live_module = {
    .name = "live",
    .create = live_create,
    .destroy = live_destroy,
    .build = live_build,
    .action = live_action,
    .tick = live_tick,
    .next_timer_ms = live_next_timer_ms,
    .pointer = live_pointer,
    .key = live_key,
    .text = live_text,
    .attract = live_attract,
};

/* ---- The API for staff mode ---- */

bk_err live_open_question(app *a, int index)
{
    live_state *st = live_get(a);
    const survey *s = a->active;
    if (!st || !s || index < 0 || (size_t)index >= s->n_questions ||
        !results_supported(s->questions[index].type))
        return BK_ERR_INVALID;
    const survey_question *q = &s->questions[index];
    bk_err err = store_meta_set(a->store, LIVE_META_QUESTION, q->id);
    if (err != BK_OK)
        return err;
    bool changed = strcmp(st->qid, q->id) != 0;
    snprintf(st->qid, sizeof st->qid, "%s", q->id);
    if (changed) {
        log_info("live", "question \"%s\" is open", q->id);
        st->res_valid = false;
        live_refresh(a, st);
        if (live_on_screen(a, st) && st->view != LV_CONTROL)
            live_to_question(a, st);
    }
    a->dirty = true;
    return BK_OK;
}

bk_err live_open_step(app *a, int step)
{
    live_state *st = live_get(a);
    int index;
    if (!st || !live_question(a, st, &index))
        return BK_ERR_NOT_FOUND;
    const survey *s = a->active;
    for (int i = index + (step > 0 ? 1 : -1);
         i >= 0 && (size_t)i<s->n_questions; i += step> 0 ? 1 : -1)
        if (results_supported(s->questions[i].type))
            return live_open_question(a, i);
    return BK_ERR_NOT_FOUND;
}

int live_open_index(app *a)
{
    live_state *st = live_get(a);
    int index = -1;
    if (st)
        live_question(a, st, &index);
    return index;
}

const results *live_results(app *a)
{
    live_state *st = live_get(a);
    if (!st || !live_question(a, st, NULL))
        return NULL;
    live_refresh(a, st);
    return &st->res;
}

bk_err live_hide_answer(app *a, const char *response_id, const char *question_id, bool hidden)
{
    live_state *st = live_get(a);
    if (!st)
        return BK_ERR_STATE;
    const survey_question *q = live_question(a, st, NULL);
    if (!question_id)
        question_id = q ? q->id : NULL;
    if (!question_id || !response_id)
        return BK_ERR_INVALID;
    bk_err err = store_answer_set_hidden(a->store, response_id, question_id, hidden);
    if (err == BK_OK) {
        log_info("live", "staff %s an answer to %s", hidden ? "hid" : "showed again", question_id);
        live_refresh(a, st);
    }
    return err;
}

bk_err live_hide_word(app *a, const char *word, bool hidden)
{
    live_state *st = live_get(a);
    if (!st || !word)
        return BK_ERR_INVALID;
    char w[RESULTS_WORD_MAX];
    results_lower(word, w, sizeof w);
    if (!w[0] || strchr(w, '\n'))
        return BK_ERR_INVALID;
    /* The new list: the others, plus this one when hidden. */
    size_t cap = RESULTS_MAX_HIDDEN_WORDS * RESULTS_WORD_MAX + 1;
    char *list = calloc(1, cap);
    if (!list)
        return BK_ERR_NOMEM;
    size_t len = 0, n = 0;
    for (size_t i = 0; i < st->n_hidden; i++) {
        if (strcmp(st->hidden[i], w) == 0)
            continue;
        len += (size_t)snprintf(list + len, cap - len, "%s\n", st->hidden[i]);
        n++;
    }
    if (hidden && n < RESULTS_MAX_HIDDEN_WORDS)
        len += (size_t)snprintf(list + len, cap - len, "%s\n", w);
    bk_err err = store_meta_set(a->store, LIVE_META_HIDDEN_WORDS, len ? list : NULL);
    free(list);
    if (err != BK_OK)
        return err;
    log_info("live", "staff %s a word", hidden ? "hid" : "showed again");
    live_load_meta(a, st);
    live_refresh(a, st);
    return BK_OK;
}

size_t live_hidden_words(app *a, const char **words, size_t max)
{
    live_state *st = live_get(a);
    if (!st)
        return 0;
    size_t n = st->n_hidden < max ? st->n_hidden : max;
    for (size_t i = 0; i < n; i++)
        words[i] = st->hidden[i];
    return n;
}

bk_err live_reset_results(app *a)
{
    live_state *st = live_get(a);
    if (!st)
        return BK_ERR_STATE;
    char since[32];
    snprintf(since, sizeof since, "%lld", (long long)clock_wall_ms(&a->clock));
    char *last = NULL; /* the newest seq so far (the store's counter) */
    if (store_meta_get(a->store, "store.last_seq", &last) != BK_OK)
        last = NULL;
    bk_err err = store_meta_set(a->store, LIVE_META_SINCE_SEQ, last ? last : "0");
    free(last);
    if (err == BK_OK)
        err = store_meta_set(a->store, LIVE_META_SINCE, since);
    if (err != BK_OK)
        return err;
    log_info("live", "staff started counting afresh");
    live_load_meta(a, st);
    st->res_valid = false;
    live_refresh(a, st);
    return BK_OK;
}

void live_show_control(app *a, void (*done)(app *a))
{
    live_state *st = live_get(a);
    if (!st)
        return;
    st->done = done;
    st->reset_armed = false;
    st->view = LV_CONTROL;
    live_clear_input(st);
    live_refresh(a, st);
    app_show_module(a, st->index);
}
