/* test_ui_util.c: see test_ui_util.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_ui_util.h"

#include <SDL_image.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "store.h"
#include "text_entry.h"
#include "strings.h"

extern char **environ;

static char *ut_strdup(const char *s)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    assert_non_null(c);
    return c;
}

void ut_tmpdir(char *out, size_t size, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0])
        base = "/tmp";
    int n = snprintf(out, size, "%s/bk-test-ui-%s-XXXXXX", base, tag);
    assert_true(n > 0 && (size_t)n < size);
    if (!mkdtemp(out))
        fail_msg("mkdtemp %s: %s", out, strerror(errno));
}

static int ut_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path); /* best effort */
    return 0;
}

void ut_rmtree(const char *dir)
{
    if (!dir || !dir[0])
        return;
    const char *keep = getenv("BK_UI_TEST_KEEP");
    if (keep && keep[0] && strcmp(keep, "0") != 0) {
        fprintf(stderr, "kept %s (BK_UI_TEST_KEEP)\n", dir);
        return;
    }
    nftw(dir, ut_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *ut_video_driver(void)
{
    const char *env = getenv("BK_UI_TEST_VIDEODRIVER");
    if (env && env[0])
        return env;
#if defined(__SANITIZE_ADDRESS__)
    return "dummy";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return "dummy";
#else
    return "offscreen";
#endif
#else
    return "offscreen";
#endif
}

/* A copy of environ with SDL_VIDEODRIVER and SDL_AUDIODRIVER set. */
static char **ut_child_env(char *video, size_t size)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    assert_non_null(env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "SDL_VIDEODRIVER=", 16) != 0 &&
            strncmp(environ[i], "SDL_AUDIODRIVER=", 16) != 0)
            env[k++] = environ[i];
    snprintf(video, size, "SDL_VIDEODRIVER=%s", ut_video_driver());
    env[k++] = video;
    env[k++] = "SDL_AUDIODRIVER=dummy";
    env[k] = NULL;
    return env;
}

static void ut_print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(f);
}

int ut_run_kiosk(const char *dir, const char *config, const char *db, const char *size,
                 const char *script, const char *shots)
{
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%s/kiosk.log", dir);
    const char *argv[16];
    int k = 0;
    argv[k++] = BK_BINARY;
    argv[k++] = "run";
    argv[k++] = "--config";
    argv[k++] = config;
    argv[k++] = "--db";
    argv[k++] = db;
    argv[k++] = "--size";
    argv[k++] = size;
    argv[k++] = "--replay";
    argv[k++] = script;
    if (shots) {
        argv[k++] = "--screenshots";
        argv[k++] = shots;
    }
    argv[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    char video[64];
    char **env = ut_child_env(video, sizeof video);
    pid_t pid;
    int rc = posix_spawn(&pid, BK_BINARY, &fa, NULL, (char *const *)argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    if (rc != 0)
        fail_msg("cannot start %s: %s", BK_BINARY, strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0) {
        fprintf(stderr, "---- %s (%s, %s) exited with %d; its output:\n", script, size,
                ut_video_driver(), code);
        ut_print_file(log);
        fprintf(stderr, "----\n");
    }
    return code;
}

/* ---- The responses ---- */

static int ut_db_row(const store_response_row *row, void *ctx)
{
    ut_db *db = ctx;
    ut_response *grown = realloc(db->r, (db->n + 1) * sizeof *grown);
    assert_non_null(grown);
    db->r = grown;
    ut_response *r = &db->r[db->n++];
    memset(r, 0, sizeof *r);
    r->seq = row->seq;
    r->response_id = ut_strdup(row->response_id);
    r->survey_id = ut_strdup(row->survey_id);
    r->mode = ut_strdup(row->mode);
    r->status = ut_strdup(row->status);
    r->language = ut_strdup(row->language);
    r->area = ut_strdup(row->area);
    r->survey_version = row->survey_version;
    r->started_at = ut_strdup(row->started_at);
    r->completed_at = ut_strdup(row->completed_at);
    r->n_flags = row->n_flags;
    r->flags = calloc(row->n_flags + 1, sizeof *r->flags);
    assert_non_null(r->flags);
    for (size_t i = 0; i < row->n_flags; i++)
        r->flags[i] = ut_strdup(row->flags[i]);
    r->n_answers = row->n_answers;
    r->answers = calloc(row->n_answers + 1, sizeof *r->answers);
    assert_non_null(r->answers);
    for (size_t i = 0; i < row->n_answers; i++) {
        r->answers[i].question_id = ut_strdup(row->answers[i].question_id);
        r->answers[i].value_json = ut_strdup(row->answers[i].value_json);
    }
    return 0;
}

void ut_db_load(const char *path, ut_db *out)
{
    memset(out, 0, sizeof *out);
    bk_clock clock = clock_system();
    store *st = NULL;
    bk_err err = store_open(path, &clock, &st, NULL);
    if (err != BK_OK)
        fail_msg("cannot open %s: %s", path, bk_err_str(err));
    err = store_foreach_response(st, 0, 0, ut_db_row, out);
    store_close(st);
    if (err != BK_OK)
        fail_msg("cannot read the responses of %s: %s", path, bk_err_str(err));
    /* Every response: a unique id, seq rising by one, complete ones closed. */
    for (size_t i = 0; i < out->n; i++) {
        const ut_response *r = &out->r[i];
        if (i > 0 && r->seq <= out->r[i - 1].seq)
            fail_msg("seq does not rise: %lld after %lld", (long long)r->seq,
                     (long long)out->r[i - 1].seq);
        for (size_t k = 0; k < i; k++)
            if (strcmp(out->r[k].response_id, r->response_id) == 0)
                fail_msg("response_id %s twice", r->response_id);
        if (strcmp(r->status, "started") != 0 && !r->completed_at)
            fail_msg("response %lld is %s but has no completed_at", (long long)r->seq, r->status);
    }
}

void ut_db_free(ut_db *db)
{
    for (size_t i = 0; i < db->n; i++) {
        ut_response *r = &db->r[i];
        free(r->response_id);
        free(r->survey_id);
        free(r->mode);
        free(r->status);
        free(r->language);
        free(r->area);
        free(r->started_at);
        free(r->completed_at);
        for (size_t k = 0; k < r->n_flags; k++)
            free(r->flags[k]);
        free(r->flags);
        for (size_t k = 0; k < r->n_answers; k++) {
            free(r->answers[k].question_id);
            free(r->answers[k].value_json);
        }
        free(r->answers);
    }
    free(db->r);
    memset(db, 0, sizeof *db);
}

const char *ut_answer_json(const ut_response *r, const char *question_id)
{
    for (size_t i = 0; i < r->n_answers; i++)
        if (strcmp(r->answers[i].question_id, question_id) == 0)
            return r->answers[i].value_json;
    return NULL;
}

bool ut_has_flag(const ut_response *r, const char *flag)
{
    for (size_t i = 0; i < r->n_flags; i++)
        if (strcmp(r->flags[i], flag) == 0)
            return true;
    return false;
}

void ut_expect_answer(const ut_response *r, const char *question_id, const char *expected_json)
{
    const char *got = ut_answer_json(r, question_id);
    if (!expected_json) {
        if (got)
            fail_msg("response %lld: %s should have no answer, has %s", (long long)r->seq,
                     question_id, got);
        return;
    }
    if (!got)
        fail_msg("response %lld: %s has no answer, expected %s", (long long)r->seq, question_id,
                 expected_json);
    json_error_t e;
    json_t *a = json_loads(got, JSON_DECODE_ANY, &e);
    json_t *b = json_loads(expected_json, JSON_DECODE_ANY, &e);
    assert_non_null(b);
    bool same = a && json_equal(a, b);
    json_decref(a);
    json_decref(b);
    if (!same)
        fail_msg("response %lld: %s is %s, expected %s", (long long)r->seq, question_id, got,
                 expected_json);
}

void ut_expect_flags(const ut_response *r, const char *flags)
{
    char want[256];
    snprintf(want, sizeof want, "%s", flags);
    size_t n_want = 0;
    for (char *save = NULL, *t = strtok_r(want, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        n_want++;
        if (!ut_has_flag(r, t))
            fail_msg("response %lld: flag %s missing", (long long)r->seq, t);
    }
    if (n_want != r->n_flags) {
        char got[256] = "";
        for (size_t i = 0; i < r->n_flags; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "",
                     r->flags[i]);
        fail_msg("response %lld: flags are [%s], expected [%s]", (long long)r->seq, got, flags);
    }
}

void ut_expect_response(const ut_response *r, const char *survey_id, int version,
                        const char *status, const char *language, const char *area)
{
    assert_string_equal(r->survey_id, survey_id);
    assert_int_equal(r->survey_version, version);
    assert_string_equal(r->mode, "survey");
    assert_string_equal(r->status, status);
    assert_string_equal(r->language, language);
    if (area) {
        if (!r->area)
            fail_msg("response %lld: no area, expected %s", (long long)r->seq, area);
        assert_string_equal(r->area, area);
    } else if (r->area) {
        fail_msg("response %lld: area %s, expected none", (long long)r->seq, r->area);
    }
    assert_non_null(r->started_at);
    if (strcmp(status, "started") != 0) {
        assert_non_null(r->completed_at);
        assert_true(strcmp(r->completed_at, r->started_at) >= 0);
    }
}

void ut_expect_answers(const ut_response *r, ...)
{
    va_list ap;
    va_start(ap, r);
    size_t n = 0;
    for (const char *q = va_arg(ap, const char *); q; q = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        ut_expect_answer(r, q, v);
        n += v != NULL;
    }
    va_end(ap);
    if (r->n_answers != n) {
        for (size_t i = 0; i < r->n_answers; i++)
            fprintf(stderr, "  stored: %s = %s\n", r->answers[i].question_id,
                    r->answers[i].value_json);
        fail_msg("response %lld: %zu answers stored, expected %zu", (long long)r->seq, r->n_answers,
                 n);
    }
}

/* ---- One replay per test ---- */

int ut_replay_setup(void **state)
{
    ut_replay *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "replay");
    snprintf(fx->db, sizeof fx->db, "%s/kiosk.db", fx->dir);
    snprintf(fx->shots, sizeof fx->shots, "%s/shots", fx->dir);
    *state = fx;
    return 0;
}

int ut_replay_teardown(void **state)
{
    ut_replay *fx = *state;
    ut_db_free(&fx->rows);
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

void ut_replay_run(ut_replay *fx, const char *config, const char *name, size_t n_responses)
{
    char cfg[PATH_MAX], script[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/%s", UT_DATA, config);
    snprintf(script, sizeof script, "%s/%s", UT_REPLAYS, name);
    int rc = ut_run_kiosk(fx->dir, cfg, fx->db, "1280x800", script, fx->shots);
    if (rc != 0)
        fail_msg("%s: the kiosk exited with %d (its output is above)", name, rc);
    ut_db_load(fx->db, &fx->rows);
    if (fx->rows.n != n_responses)
        fail_msg("%s: %zu responses stored, expected %zu", name, fx->rows.n, n_responses);
    for (size_t i = 0; i < fx->rows.n; i++)
        if (fx->rows.r[i].seq != (int64_t)i + 1)
            fail_msg("%s: response %zu has seq %lld", name, i + 1, (long long)fx->rows.r[i].seq);
}

/* ---- Screenshots ---- */

SDL_Surface *ut_png_load(const char *path)
{
    SDL_Surface *raw = IMG_Load(path);
    if (!raw)
        fail_msg("cannot load %s: %s", path, IMG_GetError());
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(raw);
    if (!s)
        fail_msg("cannot convert %s: %s", path, SDL_GetError());
    return s;
}

SDL_Color ut_pixel(const SDL_Surface *s, int x, int y)
{
    const uint8_t *p = (const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch + (size_t)x * 4;
    return (SDL_Color){p[0], p[1], p[2], p[3]};
}

bool ut_color_near(SDL_Color c, uint32_t rgb, int tol)
{
    int r = (int)(rgb >> 16 & 0xFF), g = (int)(rgb >> 8 & 0xFF), b = (int)(rgb & 0xFF);
    return abs(c.r - r) <= tol && abs(c.g - g) <= tol && abs(c.b - b) <= tol;
}

static SDL_Rect ut_clip(const SDL_Surface *s, SDL_Rect r)
{
    int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
    int x1 = r.x + r.w > s->w ? s->w : r.x + r.w, y1 = r.y + r.h > s->h ? s->h : r.y + r.h;
    return (SDL_Rect){x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0};
}

long ut_count_color(const SDL_Surface *s, SDL_Rect r, uint32_t rgb, int tol)
{
    r = ut_clip(s, r);
    long n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            n += ut_color_near(ut_pixel(s, x, y), rgb, tol);
    return n;
}

SDL_Rect ut_bbox_color(const SDL_Surface *s, SDL_Rect r, uint32_t rgb, int tol)
{
    r = ut_clip(s, r);
    int x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            if (ut_color_near(ut_pixel(s, x, y), rgb, tol)) {
                x0 = x < x0 ? x : x0;
                y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1;
                y1 = y > y1 ? y : y1;
            }
    if (x1 < 0)
        return (SDL_Rect){0, 0, 0, 0};
    return (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* ---- The app in-process ---- */

void ut_app_open(ut_app *u, const char *config_path, const char *dir, int width, int height)
{
    memset(u, 0, sizeof *u);
    bk_diag diag = {0};
    if (config_load(config_path, &u->cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        fail_msg("cannot load %s", config_path);
    }
    diag_clear(&diag);
    char db[PATH_MAX];
    snprintf(db, sizeof db, "%s/app-%dx%d.db", dir, width, height);
    app_options opt = {
        .db_path = db,
        .assets_dir = BK_SOURCE_DIR "/assets",
        .virtual_time = true,
        .headless = true,
        .no_sync = true,
        .width = width,
        .height = height,
    };
    u->a = app_create(&u->cfg, &opt);
    if (!u->a) {
        config_free(&u->cfg);
        fail_msg("app_create failed for %s at %dx%d", config_path, width, height);
    }
    ut_app_layout(u->a);
}

void ut_app_close(ut_app *u)
{
    app_destroy(u->a);
    config_free(&u->cfg);
    memset(u, 0, sizeof *u);
}

void ut_app_layout(app *a)
{
    if (a->dirty)
        app_layout(a);
}

const ui_widget *ut_find_action(app *a, ui_action act, int arg)
{
    ut_app_layout(a);
    for (size_t i = 0; i < a->frame->n_widgets; i++) {
        const ui_widget *w = &a->frame->widgets[i];
        if (w->action == act && (arg == INT32_MIN || w->arg == arg))
            return w;
    }
    return NULL;
}

const ui_widget *ut_find_label(app *a, const char *label)
{
    ut_app_layout(a);
    const ui_widget *found = NULL;
    for (size_t i = 0; i < a->frame->n_widgets; i++) {
        const ui_widget *w = &a->frame->widgets[i];
        if (w->label && strcmp(w->label, label) == 0) {
            if (found)
                return NULL;
            found = w;
        }
    }
    return found;
}

void ut_tap_widget(app *a, const ui_widget *w)
{
    int x = w->rect.x + w->rect.w / 2, y = w->rect.y + w->rect.h / 2;
    app_pointer_down(a, x, y);
    app_pointer_up(a, x, y);
    ut_app_layout(a);
}

void ut_tap_action(app *a, ui_action act, int arg)
{
    const ui_widget *w = ut_find_action(a, act, arg);
    if (!w)
        fail_msg("no widget with action %d/%d on screen %d", (int)act, arg, (int)a->screen);
    ut_tap_widget(a, w);
}

void ut_wait(app *a, int64_t ms)
{
    int64_t target = a->vclock.mono_ms + ms;
    for (int guard = 0; guard < 1000000; guard++) {
        int64_t next = app_next_timer_ms(a);
        if (next < 0 || a->vclock.mono_ms + next > target)
            break;
        clock_virtual_advance(&a->vclock, next > 0 ? next : 1);
        app_tick(a);
    }
    if (target > a->vclock.mono_ms)
        clock_virtual_advance(&a->vclock, target - a->vclock.mono_ms);
    app_tick(a);
    ut_app_layout(a);
}

/* ---- Walking every screen ---- */

static void ut_visit(app *a, ut_visit_fn visit, void *ctx, const char *fmt, ...)
{
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    a->dirty = true;
    ut_app_layout(a);
    visit(a, name, ctx);
}

/* A text of exactly n code points, with accents, for the text field. */
static void ut_long_text(char *out, size_t size, long n)
{
    static const char *const words[] = {"Meer",    "groen",     "in",     "de",
                                        "straat,", "één",       "bankje", "bij",
                                        "de",      "speeltuin", "en",     "café-terras."};
    size_t len = 0;
    long cps = 0;
    out[0] = '\0';
    for (size_t i = 0; cps < n; i++) {
        const char *w = words[i % (sizeof words / sizeof words[0])];
        for (const char *p = i ? " " : ""; *p && cps < n; p++, cps++)
            out[len++] = *p;
        for (const char *p = w; *p && cps < n;) {
            size_t k = 1;
            while (((unsigned char)p[k] & 0xC0) == 0x80)
                k++;
            if (len + k + 1 >= size)
                break;
            memcpy(out + len, p, k);
            len += k;
            p += k;
            cps++;
        }
        out[len] = '\0';
        if (len + 8 >= size)
            break;
    }
}

void ut_walk(app *a, ut_visit_fn visit, void *ctx)
{
    int lang = a->lang;
    bool big = a->big_text, hc = a->high_contrast;
    ut_visit(a, visit, ctx, "attract");
    ut_wait(a, APP_INPUT_SETTLE_MS + 10);
    ut_tap_action(a, UI_ACT_START, INT32_MIN);
    if (a->screen != APP_SCREEN_QUESTION)
        fail_msg("\"start\" did not show a question (screen %d)", (int)a->screen);
    for (int n = 1; a->screen == APP_SCREEN_QUESTION && n < 100; n++) {
        ut_wait(a, APP_INPUT_SETTLE_MS + 10);
        const survey_question *q = flow_question(&a->flow);
        const char *id = q->id;
        ut_visit(a, visit, ctx, "q%d-%s", n, id);

        /* The idle overlay, then "yes, I am still here". */
        ut_wait(a, (int64_t)a->config->kiosk.idle_timeout_s * 1000);
        if (!a->idle_warning_at)
            fail_msg("no idle overlay on %s after %d s", id, a->config->kiosk.idle_timeout_s);
        ut_visit(a, visit, ctx, "q%d-%s-idle", n, id);
        ut_tap_action(a, UI_ACT_STILL_HERE, INT32_MIN);
        if (a->idle_warning_at)
            fail_msg("the idle overlay stayed after \"still here\" on %s", id);
        ut_wait(a, APP_INPUT_SETTLE_MS + 10);

        switch (q->type) {
        case SURVEY_Q_AREA:
        case SURVEY_Q_CHOICE:
            ut_tap_action(a, UI_ACT_ANSWER, 1);
            ut_visit(a, visit, ctx, "q%d-%s-selected", n, id);
            break;
        case SURVEY_Q_SCALE:
        case SURVEY_Q_SMILEY:
            ut_tap_action(a, UI_ACT_ANSWER, 4);
            ut_visit(a, visit, ctx, "q%d-%s-selected", n, id);
            break;
        case SURVEY_Q_MULTI:
            for (int o = 0; (size_t)o < q->n_options && flow_multi_remaining(&a->flow) > 0; o++)
                ut_tap_action(a, UI_ACT_ANSWER, o);
            ut_visit(a, visit, ctx, "q%d-%s-full", n, id);
            ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
            break;
        case SURVEY_Q_NUMBER:
            ut_tap_action(a, UI_ACT_NUMBER_STEP, 10);
            ut_tap_action(a, UI_ACT_NUMBER_STEP, 10);
            ut_visit(a, visit, ctx, "q%d-%s-set", n, id);
            ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
            break;
        case SURVEY_Q_TEXT: {
            char text[FLOW_TEXT_MAX_BYTES];
            ut_long_text(text, sizeof text, q->max_length);
            app_text_input(a, text);
            ut_visit(a, visit, ctx, "q%d-%s-full", n, id);
            /* The second layer, with shift where the keyboard has one
               (not Arabic): its labels are the capitals. */
            int accents = -1, shift = -1;
            for (size_t i = 0; i < a->frame->n_widgets; i++) {
                const ui_widget *w = &a->frame->widgets[i];
                if (w->action != UI_ACT_KEY)
                    continue;
                char out[16];
                int special;
                text_entry_key(a->entry, app_lang_code(a), w->arg, out, sizeof out, &special);
                if (special == STR_KEY_ACCENTS)
                    accents = w->arg;
                if (special == STR_KEY_SHIFT)
                    shift = w->arg;
            }
            bool arabic = strcmp(app_lang_code(a), "ar") == 0;
            if (accents < 0 || (shift < 0) != arabic)
                fail_msg("the keyboard of %s (%s) has no second layer, or %s shift key", id,
                         app_lang_code(a), arabic ? "a" : "no");
            if (shift >= 0) {
                ut_tap_action(a, UI_ACT_KEY, shift);
                ut_visit(a, visit, ctx, "q%d-%s-shift", n, id);
            }
            ut_tap_action(a, UI_ACT_KEY, accents);
            ut_visit(a, visit, ctx, "q%d-%s-second-layer", n, id);
            ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
            break;
        }
        case SURVEY_Q_INFO:
            ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
            break;
        }
        ut_wait(a, APP_AUTO_ADVANCE_MS + 10);
    }
    if (a->screen != APP_SCREEN_THANKS)
        fail_msg("the walk ended on screen %d, not on the thank-you screen", (int)a->screen);
    /* The resident's choices, in case the app forgot them (reported apart). */
    app_set_language(a, lang);
    a->big_text = big;
    a->high_contrast = hc;
    ut_visit(a, visit, ctx, "thanks");
    a->screen = APP_SCREEN_OUT_OF_SERVICE;
    ut_visit(a, visit, ctx, "out-of-service");
    a->screen = APP_SCREEN_ATTRACT;
    a->dirty = true;
}

void ut_walk_languages(ut_app *u, ut_visit_fn visit, void *ctx, char *where, size_t size)
{
    for (size_t lang = 0; lang < u->cfg.kiosk.n_languages; lang++)
        for (int big = 0; big < 2; big++) {
            app_set_language(u->a, (int)lang);
            u->a->big_text = big;
            u->a->dirty = true;
            snprintf(where, size, "%dx%d %s %s", u->a->width, u->a->height,
                     u->cfg.kiosk.languages[lang], big ? "A+" : "normal");
            ut_walk(u->a, visit, ctx);
        }
}
