/* staff.c: staff mode; see staff.h and docs/staff.md. Layout follows
 * screens.c: sizes relative to the screen, 15 mm targets. */
#include "staff.h"

#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "store_export.h"
#include "live.h"
#include "log.h"
#include "path.h"
#include "pin.h"
#include "strings.h"
#include "widgets.h"

typedef enum staff_view {
    SV_CLOSED,
    SV_PIN,
    SV_STATUS,
    SV_EXPORT,
    SV_CHOOSE,
    SV_QUIT,
} staff_view;

/* The sub-actions of the module's widgets (app_module_arg). */
enum {
    SUB_DIGIT = 0, /* + 0..9 */
    SUB_CLEAR = 10,
    SUB_OK,
    SUB_CANCEL,
    SUB_LEAVE,
    SUB_LANGUAGE,
    SUB_SYNC,
    SUB_EXPORT,
    SUB_CHOOSE,
    SUB_QUIT,
    SUB_QUIT_YES,
    SUB_QUIT_NO,
    SUB_BACK,
    SUB_MODE_SURVEY,
    SUB_MODE_LIVE,
    SUB_LIVE_CONTROL,
    SUB_SURVEY = 1000, /* + index into a->surveys */
};

typedef enum staff_export_state {
    SE_PENDING, /* drawn first, written on the next tick */
    SE_DONE,
    SE_NO_USB,
    SE_FAILED,
} staff_export_state;

typedef struct staff_event {
    char at[32]; /* local, for display */
    char kind[32];
    char message[160];
} staff_event;

typedef struct staff {
    int index; /* this module's index in app_modules */
    staff_view view;

    /* The hidden entry. */
    bool holding;
    int64_t hold_since;

    /* The PIN pad. */
    char pin[PIN_MAX_DIGITS + 1];
    size_t n_pin;
    pin_guard guard;
    str_id pin_msg; /* STR_COUNT: none */
    int pin_msg_arg;
    int64_t last_touch;

    /* Sync now. */
    bool sync_requested;
    int64_t sync_requested_next; /* next_attempt_wall_ms when asked */

    /* Export. */
    staff_export_state export_state;
    export_bundle bundle;
    bk_err export_err;

    /* Survey and mode. */
    bool choose_failed;
    bool in_live_control; /* live mode's control screen, opened from here */

    /* What the status screen shows, read when it opens and after changes. */
    bool counts_ok;
    store_counts counts;
    int64_t per_day[STAFF_CHART_DAYS];
    staff_event events[STAFF_MAX_EVENTS];
    int n_events;
    double disk_free; /* bytes; < 0 unknown */
} staff;

static staff *staff_get(const app *a);

static int64_t staff_now(const app *a)
{
    return clock_mono_ms(&a->clock);
}

bool staff_is_open(const app *a)
{
    const staff *s = staff_get(a);
    return s && s->view != SV_CLOSED && a->screen == APP_SCREEN_MODULE &&
           a->module_screen == s->index;
}

static int staff_arg(const staff *s, int sub)
{
    return app_module_arg(s->index, sub);
}

/* ---- Reading the state of the kiosk ---- */

static void staff_format_local(int64_t wall_ms, char *buf, size_t size)
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%d-%m-%Y %H:%M", &tm);
}

static int staff_on_event(const char *at, const char *kind, const char *message, void *ctx)
{
    staff *s = ctx;
    if (s->n_events >= STAFF_MAX_EVENTS)
        return 1;
    staff_event *e = &s->events[s->n_events++];
    struct tm tm = {0};
    int ms = 0;
    if (sscanf(at, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &ms) >= 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        staff_format_local((int64_t)timegm(&tm) * 1000, e->at, sizeof e->at);
    } else {
        snprintf(e->at, sizeof e->at, "%.31s", at);
    }
    snprintf(e->kind, sizeof e->kind, "%.31s", kind);
    snprintf(e->message, sizeof e->message, "%.159s", message);
    return 0;
}

/* Reads counts, the chart, the notices and the free disk space. */
static void staff_refresh(app *a, staff *s)
{
    s->counts_ok = store_count(a->store, &s->counts) == BK_OK;
    if (store_count_per_day(a->store, STAFF_CHART_DAYS, s->per_day) != BK_OK)
        memset(s->per_day, 0, sizeof s->per_day);
    s->n_events = 0;
    if (store_foreach_event(a->store, STAFF_MAX_EVENTS, staff_on_event, s) != BK_OK)
        s->n_events = 0;
    s->disk_free = -1;
    char dir[PATH_MAX];
    path_dir_of(a->db_path ? a->db_path : ".", dir, sizeof dir);
    struct statvfs vfs;
    if (statvfs(dir, &vfs) == 0)
        s->disk_free = (double)vfs.f_bavail * (double)vfs.f_frsize;
    a->dirty = true;
}

/* "12,3 GB" (a decimal comma in Dutch). */
static void staff_format_bytes(const app *a, double bytes, char *buf, size_t size)
{
    if (bytes < 0) {
        snprintf(buf, size, "%s", tr(a, STR_STAFF_UNKNOWN));
        return;
    }
    if (bytes >= 1e9)
        snprintf(buf, size, "%.1f GB", bytes / 1e9);
    else
        snprintf(buf, size, "%.0f MB", bytes / 1e6);
    if (strcmp(app_lang_code(a), "nl") == 0) {
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = ',';
    }
}

/* ---- Opening and closing ---- */

static void staff_forget_pin(staff *s)
{
    sodium_memzero(s->pin, sizeof s->pin);
    s->n_pin = 0;
}

static void staff_open_pin(app *a, staff *s)
{
    /* A resident who walked away keeps their answers, as partial. */
    app_abandon_resident(a);
    staff_forget_pin(s);
    s->pin_msg = STR_COUNT;
    s->view = SV_PIN;
    s->last_touch = staff_now(a);
    log_info("staff", "PIN pad opened");
    app_show_module(a, s->index);
}

static void staff_show(app *a, staff *s, staff_view v)
{
    s->view = v;
    if (v == SV_STATUS)
        staff_refresh(a, s);
    a->dirty = true;
}

static void staff_close(app *a, staff *s, const char *why)
{
    staff_forget_pin(s);
    s->view = SV_CLOSED;
    s->sync_requested = false;
    log_info("staff", "staff mode closed (%s)", why);
    app_go_attract(a);
}

/* ---- The PIN pad ---- */

static void staff_check_pin(app *a, staff *s)
{
    int64_t now = staff_now(a);
    const char *hash = a->config->staff.pin_hash;
    if (!hash || !hash[0]) {
        s->pin_msg = STR_STAFF_PIN_NONE;
        staff_forget_pin(s);
        return;
    }
    if (pin_guard_locked_ms(&s->guard, now) > 0)
        return;
    if (s->n_pin < PIN_MIN_DIGITS) {
        s->pin_msg = STR_STAFF_PIN_SHORT;
        return;
    }
    int64_t lock = 0;
    pin_result r = pin_guard_try(&s->guard, hash, s->pin, now, a->store, &lock);
    staff_forget_pin(s);
    switch (r) {
    case PIN_RIGHT:
        log_info("staff", "staff mode opened");
        s->pin_msg = STR_COUNT;
        staff_show(a, s, SV_STATUS);
        break;
    case PIN_WRONG:
        if (lock > 0) {
            s->pin_msg = STR_STAFF_PIN_LOCKED;
        } else if (pin_guard_tries_left(&s->guard) > 0) {
            s->pin_msg = STR_STAFF_PIN_WRONG;
            s->pin_msg_arg = pin_guard_tries_left(&s->guard);
        } else {
            s->pin_msg = STR_STAFF_PIN_WRONG_LOCK;
        }
        break;
    case PIN_LOCKED:
        s->pin_msg = STR_STAFF_PIN_LOCKED;
        break;
    }
}

static void staff_digit(app *a, staff *s, int d)
{
    if (pin_guard_locked_ms(&s->guard, staff_now(a)) > 0 || s->n_pin >= PIN_MAX_DIGITS)
        return;
    s->pin[s->n_pin++] = (char)('0' + d);
    s->pin[s->n_pin] = '\0';
    if (s->pin_msg == STR_STAFF_PIN_SHORT)
        s->pin_msg = STR_COUNT;
}

/* ---- Sync now ---- */

static void staff_sync_now(app *a, staff *s)
{
    if (!a->sync || a->sync_status.in_progress)
        return;
    s->sync_requested = true;
    s->sync_requested_next = a->sync_status.next_attempt_wall_ms;
    log_info("staff", "sync now");
    sync_worker_request_now(a->sync);
}

/* The progress line under the sync section, or NULL for none; *fraction
 * gets the bar's fill (-1: no bar). */
static const char *staff_sync_line(const app *a, const staff *s, char *buf, size_t size,
                                   double *fraction)
{
    const sync_status *st = &a->sync_status;
    *fraction = -1;
    if (!a->sync)
        return NULL;
    long long sent = st->progress_sent, total = st->progress_total;
    if (st->in_progress) {
        snprintf(buf, size, tr(a, STR_STAFF_SYNC_BUSY), sent, total);
        *fraction = total > 0 ? (double)sent / (double)total : 0;
        return buf;
    }
    if (!s->sync_requested)
        return NULL;
    if (st->next_attempt_wall_ms == s->sync_requested_next)
        return tr(a, STR_STAFF_SYNC_STARTING);
    snprintf(buf, size, tr(a, STR_STAFF_SYNC_DONE), sent, total);
    *fraction = total > 0 ? (double)sent / (double)total : 1;
    return buf;
}

/* ---- Export ---- */

static void staff_export_run(app *a, staff *s)
{
    char dir[EXPORT_PATH_MAX];
    bk_err err = export_find_target(dir, sizeof dir);
    if (err != BK_OK) {
        log_warn("staff", "export: no USB stick found");
        s->export_state = SE_NO_USB;
        a->dirty = true;
        return;
    }
    err = export_bundle_write(a->store, (const survey *const *)a->surveys, a->n_surveys, dir,
                              a->config->kiosk.id, clock_wall_ms(&a->clock), &s->bundle);
    s->export_err = err;
    s->export_state = err == BK_OK ? SE_DONE : SE_FAILED;
    if (err != BK_OK)
        log_error("staff", "export to %s failed: %s", dir, bk_err_str(err));
    staff_refresh(a, s);
}

/* ---- Building the screens ---- */

static int staff_line_h(const app *a, int px)
{
    return a->text.line_height(a->text.ctx, px);
}

/* text, cut short with "..." when it needs more than max_lines lines of
 * width w at px (technical messages, paths), into out. Returns out. */
static const char *staff_fit(const app *a, const char *text, int px, bool bold, int w,
                             int max_lines, char *out, size_t size)
{
    snprintf(out, size, "%s", text);
    ui_wrapped wr;
    ui_wrap(&a->text, out, px, bold, w, &wr);
    if (!wr.overflow && wr.n_lines <= max_lines)
        return out;
    /* The longest start of text that fits with "..." after it. */
    size_t lo = 0, hi = strlen(out);
    char *probe = malloc(size + 4);
    if (!probe)
        return out;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        while (mid > lo && ((unsigned char)text[mid] & 0xC0) == 0x80)
            mid--; /* never cut a character in two */
        if (mid == lo)
            break;
        snprintf(probe, size + 4, "%.*s...", (int)mid, text);
        ui_wrap(&a->text, probe, px, bold, w, &wr);
        if (!wr.overflow && wr.n_lines <= max_lines)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && ((unsigned char)text[lo] & 0xC0) == 0x80)
        lo--;
    snprintf(out, size, "%.*s...", (int)lo, text);
    free(probe);
    return out;
}

/* "Label" in the secondary colour and the value after it, on one row. */
static int staff_pair(app *a, const metrics *m, int x, int y, int w, int label_w, const char *label,
                      const char *value)
{
    const ui_theme *t = m->theme;
    int px = m->px_secondary;
    int lh = staff_line_h(a, px);
    ui_text(a->frame, &a->text, (ui_rect){x, y, label_w - m->gap / 2, lh}, label, px, m->px_min,
            false, t->text_secondary, UI_ALIGN_LEFT);
    int h = ui_text(a->frame, &a->text, (ui_rect){x + label_w, y, w - label_w, lh * 2}, value, px,
                    m->px_min, true, t->text, UI_ALIGN_LEFT);
    return (h > lh ? h : lh) + m->gap / 3;
}

static const char *staff_survey_title(const app *a, const survey *sv)
{
    int sl = survey_language_index(sv, app_lang_code(a));
    const char *title = survey_text_get(&sv->title, sl < 0 ? 0 : sl);
    return title ? title : sv->id;
}

/* Title of a screen, top left, beside the hold corner. */
static void staff_title(app *a, const metrics *m, const char *title, int right)
{
    int top = (int)(m->u * 3);
    int x = m->margin;
    ui_text(a->frame, &a->text, (ui_rect){x, top, right - x - m->gap, m->target}, title,
            m->px_question, m->px_min, true, m->theme->text, UI_ALIGN_LEFT | UI_VCENTER);
}

/* The language switch and "Terug naar de kiosk", top right; returns the x
 * where they start. */
static int staff_top_right(app *a, const metrics *m, staff *s)
{
    int top = (int)(m->u * 3);
    int x = m->W - m->margin;
    const char *leave = tr(a, STR_STAFF_LEAVE);
    int lw =
        a->text.width(a->text.ctx, leave, strlen(leave), m->px_secondary, true) + (int)(m->u * 4);
    lw = lw < m->target * 2 ? m->target * 2 : lw;
    lw = lw > m->W / 3 ? m->W / 3 : lw;
    x -= lw;
    button(a, m, (ui_rect){x, top, lw, m->target}, leave, UI_ACT_MODULE, staff_arg(s, SUB_LEAVE),
           BUTTON_PLAIN, m->px_secondary);
    size_t n = a->config->kiosk.n_languages;
    if (n > 1) {
        int next = (int)((size_t)(a->lang + 1) % n);
        const char *code = a->config->kiosk.languages[next];
        const char *name = str_has_language(code) ? str_get(code, STR_LANGUAGE_NAME) : code;
        int nw =
            a->text.width(a->text.ctx, name, strlen(name), m->px_secondary, true) + (int)(m->u * 4);
        nw = nw < m->target ? m->target : nw;
        x -= nw + m->gap;
        button(a, m, (ui_rect){x, top, nw, m->target}, name, UI_ACT_MODULE,
               staff_arg(s, SUB_LANGUAGE), BUTTON_PLAIN, m->px_secondary);
    }
    return x;
}

static void staff_build_pin(app *a, staff *s, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    int64_t now = staff_now(a);
    int64_t locked = pin_guard_locked_ms(&s->guard, now);
    int top = (int)(m->u * 3);
    /* "Annuleren" top right. */
    const char *cancel = tr(a, STR_STAFF_PIN_CANCEL);
    int cw =
        a->text.width(a->text.ctx, cancel, strlen(cancel), m->px_answer, true) + (int)(m->u * 4);
    cw = cw < m->target * 2 ? m->target * 2 : cw;
    button(a, m, (ui_rect){m->W - m->margin - cw, top, cw, m->target}, cancel, UI_ACT_MODULE,
           staff_arg(s, SUB_CANCEL), BUTTON_PLAIN, m->px_answer);
    staff_title(a, m, tr(a, STR_STAFF_PIN_TITLE), m->W - m->margin - cw);

    /* The keypad: 1-9, then Wissen 0 OK, at the bottom, centred. */
    int kh = m->target > (int)(m->u * 10) ? m->target : (int)(m->u * 10);
    int kw = m->target * 2 > (int)(m->u * 22) ? m->target * 2 : (int)(m->u * 22);
    if (3 * kw + 2 * m->gap > m->W - 2 * m->margin)
        kw = (m->W - 2 * m->margin - 2 * m->gap) / 3;
    int pad_w = 3 * kw + 2 * m->gap, pad_h = 4 * kh + 3 * m->gap;
    int px0 = (m->W - pad_w) / 2, py0 = m->H - (int)(m->u * 4) - pad_h;
    for (int k = 0; k < 12; k++) {
        int row = k / 3, col = k % 3;
        ui_rect r = {px0 + col * (kw + m->gap), py0 + row * (kh + m->gap), kw, kh};
        char label[32];
        int sub;
        button_style style = locked > 0 ? BUTTON_DISABLED : BUTTON_PLAIN;
        if (k < 9) {
            snprintf(label, sizeof label, "%d", k + 1);
            sub = SUB_DIGIT + k + 1;
        } else if (k == 9) {
            snprintf(label, sizeof label, "%s", tr(a, STR_STAFF_PIN_CLEAR));
            sub = SUB_CLEAR;
        } else if (k == 10) {
            snprintf(label, sizeof label, "0");
            sub = SUB_DIGIT;
        } else {
            snprintf(label, sizeof label, "%s", tr(a, STR_STAFF_PIN_OK));
            sub = SUB_OK;
            if (locked <= 0 && s->n_pin >= PIN_MIN_DIGITS)
                style = BUTTON_PRIMARY;
        }
        button(a, m, r, label, UI_ACT_MODULE, staff_arg(s, sub), style,
               k < 9 || k == 10 ? m->px_question : m->px_answer);
    }

    /* The PIN as dots: one per digit typed, in a row of outlined places. */
    int y = top + m->target + (int)(m->u * 3);
    int d = (int)(m->u * 3.2);
    int places = (int)s->n_pin > PIN_MIN_DIGITS ? (int)s->n_pin : PIN_MIN_DIGITS;
    int dots_w = places * d + (places - 1) * d / 2;
    int dx = (m->W - dots_w) / 2;
    for (int i = 0; i < places; i++) {
        ui_rect r = {dx + i * (d + d / 2), y, d, d};
        if (i < (int)s->n_pin) {
            ui_circle(f, r, t->selected);
        } else {
            ui_circle(f, r, t->edge);
            int e = m->edge > 1 ? m->edge : 2;
            ui_circle(f, (ui_rect){r.x + e, r.y + e, r.w - 2 * e, r.h - 2 * e}, t->background);
        }
    }
    y += d + (int)(m->u * 3);

    /* The message, and during a lockout the countdown in large numbers. */
    int x = m->margin, w = m->W - 2 * m->margin;
    int avail = py0 - m->gap - y;
    str_id msg = locked > 0 ? STR_STAFF_PIN_LOCKED : s->pin_msg;
    if (msg == STR_STAFF_PIN_LOCKED && locked <= 0)
        msg = STR_COUNT; /* the lockout is over: try again */
    if (msg != STR_COUNT) {
        char line[256];
        if (msg == STR_STAFF_PIN_WRONG)
            snprintf(line, sizeof line, tr(a, msg), s->pin_msg_arg);
        else
            snprintf(line, sizeof line, "%s", tr(a, msg));
        int h = ui_text(f, &a->text, (ui_rect){x, y, w, avail / 2}, line, m->px_answer, m->px_min,
                        true, msg == STR_STAFF_PIN_SHORT ? t->text : t->selected, UI_ALIGN_CENTER);
        y += h + m->gap / 2;
    }
    if (locked > 0) {
        int secs = (int)((locked + 999) / 1000);
        char count[32];
        snprintf(count, sizeof count, "%d:%02d", secs / 60, secs % 60);
        ui_text(f, &a->text, (ui_rect){x, y, w, py0 - m->gap - y}, count,
                (int)(m->u * 10 * m->scale), m->px_answer, true, t->text, UI_ALIGN_CENTER);
    }
}

/* One count: a big number with its label under it, on a card. */
static void staff_count_card(app *a, const metrics *m, ui_rect r, str_id label, int64_t value,
                             bool ok, bool warn)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    ui_fill(f, r, warn ? t->selected : t->surface, m->radius);
    ui_color ink = warn ? t->selected_text : t->surface_text;
    char num[32];
    if (ok)
        snprintf(num, sizeof num, "%" PRId64, value);
    else
        snprintf(num, sizeof num, "?");
    int pad = (int)(m->u * 1.2);
    int nh = staff_line_h(a, m->px_question);
    ui_text(f, &a->text, (ui_rect){r.x + pad, r.y + pad, r.w - 2 * pad, nh}, num, m->px_question,
            m->px_min, true, ink, UI_ALIGN_CENTER);
    ui_text(f, &a->text,
            (ui_rect){r.x + pad / 2, r.y + pad + nh, r.w - pad, r.h - (pad + nh) - pad / 2},
            tr(a, label), m->px_min, m->px_min, false, ink, UI_ALIGN_CENTER);
}

/* The bar chart of responses per day, oldest left, today right. */
static void staff_chart(app *a, staff *s, const metrics *m, ui_rect r)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    int px = m->px_min;
    int lh = staff_line_h(a, px);
    int64_t max = 1;
    for (int i = 0; i < STAFF_CHART_DAYS; i++)
        max = s->per_day[i] > max ? s->per_day[i] : max;
    int slot = r.w / STAFF_CHART_DAYS;
    int bw = slot * 3 / 4;
    int base = r.y + r.h - lh; /* the bars stand on this line */
    int bar_top = r.y + lh;    /* room for the count above the tallest */
    int64_t today_ms = clock_wall_ms(&a->clock);
    time_t today = (time_t)(today_ms / 1000);
    struct tm tm_today;
    localtime_r(&today, &tm_today);
    ui_fill(f, (ui_rect){r.x, base, r.w, m->edge > 1 ? m->edge : 2}, t->text_secondary, 0);
    for (int i = 0; i < STAFF_CHART_DAYS; i++) {
        int x = r.x + i * slot + (slot - bw) / 2;
        int h = (int)((double)(base - bar_top) * (double)s->per_day[i] / (double)max);
        if (s->per_day[i] > 0 && h < 3)
            h = 3;
        if (h > 0)
            ui_fill(f, (ui_rect){x, base - h, bw, h}, t->selected, m->radius / 3);
        char num[32];
        if (s->per_day[i] > 0) {
            snprintf(num, sizeof num, "%" PRId64, s->per_day[i]);
            ui_text(f, &a->text, (ui_rect){r.x + i * slot, base - h - lh, slot, lh}, num, px, px,
                    true, t->text, UI_ALIGN_CENTER);
        }
        /* The day of the month under the bar. */
        struct tm tm = tm_today;
        tm.tm_mday -= STAFF_CHART_DAYS - 1 - i;
        tm.tm_hour = 12;
        tm.tm_isdst = -1;
        mktime(&tm);
        snprintf(num, sizeof num, "%d", tm.tm_mday);
        ui_text_draw(f, &a->text, (ui_rect){r.x + i * slot, base + 2, slot, lh}, num, px, px,
                     i == STAFF_CHART_DAYS - 1,
                     i == STAFF_CHART_DAYS - 1 ? t->text : t->text_secondary, UI_ALIGN_CENTER,
                     NULL);
    }
}

static const char *staff_event_text(const app *a, const staff_event *e)
{
    if (strcmp(e->kind, "corrupt") == 0)
        return tr(a, STR_STAFF_EVENT_CORRUPT);
    if (strcmp(e->kind, "staff-lockout") == 0)
        return tr(a, STR_STAFF_EVENT_LOCKOUT);
    if (strcmp(e->kind, "rejected") == 0)
        return tr(a, STR_STAFF_EVENT_REJECTED);
    return e->message[0] ? e->message : e->kind;
}

static void staff_build_status(app *a, staff *s, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    int right = staff_top_right(a, m, s);
    staff_title(a, m, tr(a, STR_STAFF_TITLE), right);
    int top = (int)(m->u * 3) + m->target + m->gap;

    /* The buttons, along the bottom. */
    int by = m->H - m->target - (int)(m->u * 3);
    int bh = m->target;
    int subs[5] = {SUB_SYNC, SUB_EXPORT, SUB_CHOOSE, SUB_QUIT, SUB_LIVE_CONTROL};
    const char *labels[5] = {tr(a, STR_STAFF_SYNC_NOW), tr(a, STR_STAFF_EXPORT),
                             tr(a, STR_STAFF_CHOOSE), tr(a, STR_STAFF_QUIT),
                             live_word_get(app_lang_code(a), LW_CONTROL_TITLE)};
    int n_buttons = a->mode == CONFIG_MODE_LIVE ? 5 : 4;
    if (n_buttons == 5) { /* live mode: its control screen second */
        for (int i = 4; i > 1; i--) {
            subs[i] = subs[i - 1];
            labels[i] = labels[i - 1];
        }
        subs[1] = SUB_LIVE_CONTROL;
        labels[1] = live_word_get(app_lang_code(a), LW_CONTROL_TITLE);
    }
    int full = m->W - 2 * m->margin;
    bool landscape = m->W > m->H;
    int per_row = landscape ? n_buttons : (n_buttons + 1) / 2;
    int n_rows = (n_buttons + per_row - 1) / per_row;
    int bw = (full - (per_row - 1) * m->gap) / per_row;
    by -= (n_rows - 1) * (bh + m->gap);
    for (int i = 0; i < n_buttons; i++) {
        int row = i / per_row, col = i % per_row;
        ui_rect r = {m->margin + col * (bw + m->gap), by + row * (bh + m->gap), bw, bh};
        button_style style = BUTTON_PLAIN;
        if (subs[i] == SUB_SYNC && (!a->sync || a->sync_status.in_progress))
            style = BUTTON_DISABLED;
        button(a, m, r, labels[i], UI_ACT_MODULE, staff_arg(s, subs[i]), style, m->px_secondary);
    }
    int bottom = by - m->gap;

    /* Left column: the kiosk, the counts, sending. */
    int x = m->margin;
    int lw = landscape ? (full - 2 * m->gap) * 52 / 100 : full;
    int y = top;
    /* The labels' column: as wide as the widest label, at most 40%. */
    static const str_id pair_labels[] = {
        STR_STAFF_KIOSK, STR_STAFF_VERSION,   STR_STAFF_SURVEY,    STR_STAFF_MODE,
        STR_STAFF_DISK,  STR_STAFF_LAST_SYNC, STR_STAFF_LAST_ERROR};
    int label_w = 0;
    for (size_t i = 0; i < sizeof pair_labels / sizeof pair_labels[0]; i++) {
        const char *l = tr(a, pair_labels[i]);
        int lwid = a->text.width(a->text.ctx, l, strlen(l), m->px_secondary, false);
        label_w = lwid > label_w ? lwid : label_w;
    }
    label_w += m->gap;
    label_w = label_w > lw * 40 / 100 ? lw * 40 / 100 : label_w;
    char value[256];
    snprintf(value, sizeof value, "%s · %s", a->config->kiosk.id,
             a->config->kiosk.name ? a->config->kiosk.name : a->config->kiosk.id);
    y += staff_pair(a, m, x, y, lw, label_w, tr(a, STR_STAFF_KIOSK), value);
    y += staff_pair(a, m, x, y, lw, label_w, tr(a, STR_STAFF_VERSION), BK_VERSION);
    if (a->active)
        snprintf(value, sizeof value, tr(a, STR_STAFF_SURVEY_VERSION),
                 staff_survey_title(a, a->active), a->active->version);
    else
        snprintf(value, sizeof value, "-");
    y += staff_pair(a, m, x, y, lw, label_w, tr(a, STR_STAFF_SURVEY), value);
    y += staff_pair(
        a, m, x, y, lw, label_w, tr(a, STR_STAFF_MODE),
        tr(a, a->mode == CONFIG_MODE_LIVE ? STR_STAFF_MODE_LIVE : STR_STAFF_MODE_SURVEY));
    staff_format_bytes(a, s->disk_free, value, sizeof value);
    y += staff_pair(a, m, x, y, lw, label_w, tr(a, STR_STAFF_DISK), value);
    y += m->gap / 2;

    int cw = (lw - 3 * m->gap / 2) / 4;
    int card_pad = (int)(m->u * 1.2);
    int ch = 2 * card_pad + staff_line_h(a, m->px_question) + 2 * staff_line_h(a, m->px_min);
    static const str_id count_labels[4] = {STR_STAFF_TODAY, STR_STAFF_TOTAL, STR_STAFF_QUEUED,
                                           STR_STAFF_REJECTED};
    const int64_t values[4] = {s->counts.today, s->counts.total, s->counts.queued,
                               s->counts.rejected};
    for (int i = 0; i < 4; i++)
        staff_count_card(a, m, (ui_rect){x + i * (cw + m->gap / 2), y, cw, ch}, count_labels[i],
                         values[i], s->counts_ok, i == 3 && s->counts.rejected > 0);
    y += ch + m->gap;

    /* Sending. */
    const sync_status *st = &a->sync_status;
    if (!a->sync && (!a->config->sync.base_url || !a->config->sync.base_url[0])) {
        y += ui_text(f, &a->text, (ui_rect){x, y, lw, staff_line_h(a, m->px_secondary) * 2},
                     tr(a, STR_STAFF_SYNC_OFF), m->px_secondary, m->px_min, true, t->text,
                     UI_ALIGN_LEFT);
    } else {
        if (st->last_ok_wall_ms > 0)
            staff_format_local(st->last_ok_wall_ms, value, sizeof value);
        else
            snprintf(value, sizeof value, "%s", tr(a, STR_STAFF_NEVER));
        y += staff_pair(a, m, x, y, lw, label_w, tr(a, STR_STAFF_LAST_SYNC), value);
        const char *err = st->error == SYNC_ERROR_NONE
                              ? tr(a, STR_STAFF_NO_ERROR)
                              : sync_error_title(st->error, app_lang_code(a));
        y += staff_pair(a, m, x, y, lw, label_w, tr(a, STR_STAFF_LAST_ERROR), err);
        int dlh = staff_line_h(a, m->px_min);
        if (st->error != SYNC_ERROR_NONE && st->detail[0] && y + 2 * dlh < bottom) {
            char detail[SYNC_DETAIL_MAX + 4];
            staff_fit(a, st->detail, m->px_min, false, lw - label_w, 2, detail, sizeof detail);
            int h = ui_text(f, &a->text, (ui_rect){x + label_w, y, lw - label_w, 2 * dlh}, detail,
                            m->px_min, m->px_min, false, t->text_secondary, UI_ALIGN_LEFT);
            y += h + m->gap / 3;
        }
        char line[128];
        double fraction;
        const char *progress = staff_sync_line(a, s, line, sizeof line, &fraction);
        if (progress) {
            int bar_h = (int)(m->u * 1.4) > 6 ? (int)(m->u * 1.4) : 6;
            if (fraction >= 0) {
                ui_rect bar = {x, y + m->gap / 3, lw, bar_h};
                ui_fill(f, bar, t->text_secondary, bar_h / 2);
                ui_fill(f, (ui_rect){bar.x, bar.y, (int)(bar.w * fraction), bar_h}, t->selected,
                        bar_h / 2);
                y += bar_h + m->gap / 2;
            }
            ui_text(f, &a->text, (ui_rect){x, y, lw, staff_line_h(a, m->px_secondary)}, progress,
                    m->px_secondary, m->px_min, true, t->selected, UI_ALIGN_LEFT);
        }
    }

    /* Right column (below in portrait): the chart and the notices. */
    int rx = landscape ? x + lw + 2 * m->gap : x;
    int rw = landscape ? full - lw - 2 * m->gap : full;
    int ry = landscape ? top : y + staff_line_h(a, m->px_secondary) + m->gap;
    int lh = staff_line_h(a, m->px_secondary);
    ui_text(f, &a->text, (ui_rect){rx, ry, rw, lh}, tr(a, STR_STAFF_CHART), m->px_secondary,
            m->px_min, true, t->text, UI_ALIGN_LEFT);
    ry += lh + m->gap / 2;
    int chart_h = (bottom - ry) * 55 / 100;
    if (chart_h > rw / 2)
        chart_h = rw / 2; /* portrait: not a tower */
    staff_chart(a, s, m, (ui_rect){rx, ry, rw, chart_h});
    ry += chart_h + m->gap;
    ui_text(f, &a->text, (ui_rect){rx, ry, rw, lh}, tr(a, STR_STAFF_EVENTS), m->px_secondary,
            m->px_min, true, t->text, UI_ALIGN_LEFT);
    ry += lh + m->gap / 3;
    if (s->n_events == 0) {
        ui_text(f, &a->text, (ui_rect){rx, ry, rw, lh}, tr(a, STR_STAFF_NO_EVENTS), m->px_min,
                m->px_min, false, t->text_secondary, UI_ALIGN_LEFT);
    }
    /* Each notice: when (local time), then what, in plain words. */
    int elh = staff_line_h(a, m->px_min);
    const char *sample = "00-00-0000 00:00";
    int at_w = a->text.width(a->text.ctx, sample, strlen(sample), m->px_min, false) + m->gap / 2;
    for (int i = 0; i < s->n_events && ry + elh <= bottom; i++) {
        int room = bottom - ry;
        room = room < elh * 2 ? room : elh * 2;
        ui_text(f, &a->text, (ui_rect){rx, ry, at_w, elh}, s->events[i].at, m->px_min, m->px_min,
                false, t->text_secondary, UI_ALIGN_LEFT);
        char text[sizeof s->events[i].message + 4];
        staff_fit(a, staff_event_text(a, &s->events[i]), m->px_min, false, rw - at_w,
                  room / elh > 0 ? room / elh : 1, text, sizeof text);
        int h = ui_text(f, &a->text, (ui_rect){rx + at_w, ry, rw - at_w, room}, text, m->px_min,
                        m->px_min, false, t->text, UI_ALIGN_LEFT);
        ry += h + m->gap / 3;
    }
}

/* A message screen with one button at the bottom (or none). */
static void staff_build_message(app *a, staff *s, const metrics *m, const char *title,
                                const char *line, int sub, str_id label)
{
    build_message(a, m, title, line, m->theme->background, m->theme->text);
    if (sub < 0)
        return;
    int bw = m->W > m->H ? m->W / 3 : m->W * 2 / 3;
    button(a, m, (ui_rect){(m->W - bw) / 2, m->H - m->target - (int)(m->u * 6), bw, m->target},
           tr(a, label), UI_ACT_MODULE, staff_arg(s, sub), BUTTON_PRIMARY, m->px_answer);
}

static void staff_build_export(app *a, staff *s, const metrics *m)
{
    char line[1024];
    switch (s->export_state) {
    case SE_PENDING:
        staff_build_message(a, s, m, tr(a, STR_STAFF_EXPORT_BUSY), "", -1, STR_BACK);
        break;
    case SE_DONE: {
        char base[256];
        snprintf(base, sizeof base, "%s", s->bundle.csv_name);
        char *dot = strrchr(base, '.');
        if (dot)
            *dot = '\0';
        if (s->bundle.n_responses == 1)
            snprintf(line, sizeof line, tr(a, STR_STAFF_EXPORT_DONE_ONE), base);
        else
            snprintf(line, sizeof line, tr(a, STR_STAFF_EXPORT_DONE_LINE),
                     (long long)s->bundle.n_responses, base);
        staff_build_message(a, s, m, tr(a, STR_STAFF_EXPORT_DONE), line, SUB_BACK, STR_BACK);
        /* The folder, small, above the button. */
        int w = m->W - 2 * m->margin;
        int lh = staff_line_h(a, m->px_secondary);
        int y = m->H - m->target - (int)(m->u * 6) - m->gap - lh;
        char dir[EXPORT_PATH_MAX + 4];
        staff_fit(a, s->bundle.dir, m->px_secondary, false, w, 1, dir, sizeof dir);
        ui_text(a->frame, &a->text, (ui_rect){m->margin, y, w, lh}, dir, m->px_secondary,
                m->px_secondary, false, m->theme->text_secondary, UI_ALIGN_CENTER);
        break;
    }
    case SE_NO_USB:
        staff_build_message(a, s, m, tr(a, STR_STAFF_EXPORT_NO_USB),
                            tr(a, STR_STAFF_EXPORT_NO_USB_LINE), SUB_BACK, STR_BACK);
        break;
    case SE_FAILED:
        snprintf(line, sizeof line, tr(a, STR_STAFF_EXPORT_FAILED_LINE), bk_err_str(s->export_err));
        staff_build_message(a, s, m, tr(a, STR_STAFF_EXPORT_FAILED), line, SUB_BACK, STR_BACK);
        break;
    }
}

static void staff_build_choose(app *a, staff *s, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    int top = (int)(m->u * 3);
    int right = m->W - m->margin;
    staff_title(a, m, tr(a, STR_STAFF_CHOOSE), right);
    int x = m->margin, w = m->W - 2 * m->margin;
    int y = top + m->target + m->gap;
    int lh = staff_line_h(a, m->px_secondary);

    /* "Klaar" at the bottom; the mode above it; the surveys fill the rest. */
    int by = m->H - m->target - (int)(m->u * 3);
    int dw = m->W > m->H ? m->W / 3 : m->W * 2 / 3;
    button(a, m, (ui_rect){(m->W - dw) / 2, by, dw, m->target}, tr(a, STR_DONE), UI_ACT_MODULE,
           staff_arg(s, SUB_BACK), BUTTON_PRIMARY, m->px_answer);
    int note_h = lh * 2;
    int note_y = by - m->gap - note_h;
    ui_text(f, &a->text, (ui_rect){x, note_y, w, note_h},
            tr(a, s->choose_failed ? STR_STAFF_CHOOSE_FAILED : STR_STAFF_CHOOSE_LINE),
            m->px_secondary, m->px_min, false, s->choose_failed ? t->selected : t->text_secondary,
            UI_ALIGN_LEFT);
    int mode_y = note_y - m->gap - m->target;
    int mw = (w - m->gap) / 2;
    mw = mw > (int)(m->u * 60) ? (int)(m->u * 60) : mw;
    button(a, m, (ui_rect){x, mode_y, mw, m->target}, tr(a, STR_STAFF_MODE_SURVEY), UI_ACT_MODULE,
           staff_arg(s, SUB_MODE_SURVEY),
           a->mode == CONFIG_MODE_SURVEY ? BUTTON_SELECTED : BUTTON_PLAIN, m->px_answer);
    button(a, m, (ui_rect){x + mw + m->gap, mode_y, mw, m->target}, tr(a, STR_STAFF_MODE_LIVE),
           UI_ACT_MODULE, staff_arg(s, SUB_MODE_LIVE),
           a->mode == CONFIG_MODE_LIVE ? BUTTON_SELECTED : BUTTON_PLAIN, m->px_answer);
    int mode_label_y = mode_y - m->gap / 2 - lh;
    ui_text(f, &a->text, (ui_rect){x, mode_label_y, w, lh}, tr(a, STR_STAFF_CHOOSE_MODE),
            m->px_secondary, m->px_min, true, t->text, UI_ALIGN_LEFT);

    ui_text(f, &a->text, (ui_rect){x, y, w, lh}, tr(a, STR_STAFF_CHOOSE_SURVEY), m->px_secondary,
            m->px_min, true, t->text, UI_ALIGN_LEFT);
    y += lh + m->gap / 2;
    /* The surveys: a column (two when many) of buttons. */
    int region_h = mode_label_y - m->gap - y;
    int n = (int)a->n_surveys;
    if (n == 0)
        return;
    int rows = (region_h + m->gap) / (m->target + m->gap);
    rows = rows < 1 ? 1 : rows;
    int cols = (n + rows - 1) / rows;
    cols = cols > 3 ? 3 : cols;
    rows = (n + cols - 1) / cols;
    int bw = (w - (cols - 1) * m->gap) / cols;
    if (cols == 1 && bw > (int)(m->u * 110))
        bw = (int)(m->u * 110);
    int bh = (region_h - (rows - 1) * m->gap) / rows;
    bh = bh > (int)(m->u * 11) ? (int)(m->u * 11) : bh;
    bh = bh < m->target ? m->target : bh;
    for (int i = 0; i < n && i < rows * cols; i++) {
        int col = i / rows, row = i % rows;
        const survey *sv = a->surveys[i];
        char label[512];
        snprintf(label, sizeof label, tr(a, STR_STAFF_SURVEY_VERSION), staff_survey_title(a, sv),
                 sv->version);
        button(a, m, (ui_rect){x + col * (bw + m->gap), y + row * (bh + m->gap), bw, bh}, label,
               UI_ACT_MODULE, staff_arg(s, SUB_SURVEY + i),
               sv == a->active ? BUTTON_SELECTED : BUTTON_PLAIN, m->px_answer);
    }
}

static void staff_build_quit(app *a, staff *s, const metrics *m)
{
    build_message(a, m, tr(a, STR_STAFF_QUIT_TITLE), tr(a, STR_STAFF_QUIT_LINE),
                  m->theme->background, m->theme->text);
    int w = m->W - 2 * m->margin;
    int bw = (w - m->gap * 2) / 2;
    bw = bw > (int)(m->u * 50) ? (int)(m->u * 50) : bw;
    int y = m->H - m->target - (int)(m->u * 6);
    int x = (m->W - 2 * bw - m->gap * 2) / 2;
    /* The safe choice first and highlighted. */
    button(a, m, (ui_rect){x, y, bw, m->target}, tr(a, STR_STAFF_QUIT_NO), UI_ACT_MODULE,
           staff_arg(s, SUB_QUIT_NO), BUTTON_PRIMARY, m->px_answer);
    button(a, m, (ui_rect){x + bw + m->gap * 2, y, bw, m->target}, tr(a, STR_STAFF_QUIT_YES),
           UI_ACT_MODULE, staff_arg(s, SUB_QUIT_YES), BUTTON_PLAIN, m->px_answer);
}

/* ---- Module callbacks ---- */

static staff *staff_get(const app *a)
{
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i] == &staff_module)
            return a->module_state[i];
    return NULL;
}

static bool staff_create(app *a)
{
    staff *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    for (size_t i = 0; i < app_n_modules; i++)
        if (app_modules[i] == &staff_module)
            s->index = (int)i;
    s->pin_msg = STR_COUNT;
    s->disk_free = -1;
    a->module_state[s->index] = s;
    return true;
}

static void staff_destroy(app *a)
{
    staff *s = staff_get(a);
    if (!s)
        return;
    staff_forget_pin(s);
    a->module_state[s->index] = NULL;
    free(s);
}

static void staff_build(app *a)
{
    staff *s = staff_get(a);
    if (!s)
        return;
    metrics m = metrics_for(a);
    switch (s->view) {
    case SV_PIN:
        staff_build_pin(a, s, &m);
        break;
    case SV_STATUS:
        staff_build_status(a, s, &m);
        break;
    case SV_EXPORT:
        staff_build_export(a, s, &m);
        break;
    case SV_CHOOSE:
        staff_build_choose(a, s, &m);
        break;
    case SV_QUIT:
        staff_build_quit(a, s, &m);
        break;
    case SV_CLOSED:
        break;
    }
}

/* Live mode's control screen is done: back to the status screen. */
static void staff_back_from_live(app *a)
{
    staff *s = staff_get(a);
    if (!s)
        return;
    s->in_live_control = false;
    s->last_touch = staff_now(a);
    staff_show(a, s, SV_STATUS);
    app_show_module(a, s->index);
}

static void staff_action(app *a, int sub)
{
    staff *s = staff_get(a);
    if (!s || !staff_is_open(a))
        return;
    s->last_touch = staff_now(a);
    a->dirty = true;
    if (s->view == SV_PIN) {
        if (sub >= SUB_DIGIT && sub <= SUB_DIGIT + 9)
            staff_digit(a, s, sub - SUB_DIGIT);
        else if (sub == SUB_CLEAR)
            staff_forget_pin(s);
        else if (sub == SUB_OK)
            staff_check_pin(a, s);
        else if (sub == SUB_CANCEL)
            staff_close(a, s, "PIN pad cancelled");
        return;
    }
    if (sub >= SUB_SURVEY && s->view == SV_CHOOSE) {
        size_t i = (size_t)(sub - SUB_SURVEY);
        if (i < a->n_surveys)
            s->choose_failed = app_choose_survey(a, a->surveys[i]->id) != BK_OK;
        return;
    }
    switch (sub) {
    case SUB_LEAVE:
        staff_close(a, s, "back to the kiosk");
        break;
    case SUB_LANGUAGE:
        if (a->config->kiosk.n_languages > 1)
            app_set_language(a, (int)((size_t)(a->lang + 1) % a->config->kiosk.n_languages));
        break;
    case SUB_SYNC:
        staff_sync_now(a, s);
        break;
    case SUB_EXPORT:
        s->export_state = SE_PENDING;
        staff_show(a, s, SV_EXPORT);
        break;
    case SUB_CHOOSE:
        s->choose_failed = false;
        staff_show(a, s, SV_CHOOSE);
        break;
    case SUB_QUIT:
        staff_show(a, s, SV_QUIT);
        break;
    case SUB_LIVE_CONTROL:
        s->in_live_control = true;
        s->view = SV_CLOSED;
        log_info("staff", "live mode's control screen");
        live_show_control(a, staff_back_from_live);
        break;
    case SUB_QUIT_YES:
        log_info("staff", "the kiosk is closed by staff");
        a->quit = true;
        break;
    case SUB_QUIT_NO:
    case SUB_BACK:
        staff_show(a, s, SV_STATUS);
        break;
    case SUB_MODE_SURVEY:
    case SUB_MODE_LIVE:
        s->choose_failed = app_choose_mode(a, sub == SUB_MODE_LIVE ? CONFIG_MODE_LIVE
                                                                   : CONFIG_MODE_SURVEY) != BK_OK;
        break;
    default:
        break;
    }
}

static void staff_tick(app *a)
{
    staff *s = staff_get(a);
    if (!s)
        return;
    int64_t now = staff_now(a);
    if (s->view != SV_CLOSED && !staff_is_open(a)) {
        /* Another screen took over (e.g. live mode's control screen). */
        staff_forget_pin(s);
        s->view = SV_CLOSED;
    }
    if (s->in_live_control) {
        /* Live mode's control screen counts as staff mode: it closes after
           the same 2 minutes untouched, and is over once another screen shows. */
        bool showing = a->screen == APP_SCREEN_MODULE && a->module_screen != s->index;
        if (!showing) {
            s->in_live_control = false;
        } else if (now - a->last_input_at >= STAFF_IDLE_MS) {
            s->in_live_control = false;
            log_info("staff", "live control closed (2 minutes without a touch)");
            app_go_attract(a);
            return;
        }
    }
    if (s->holding && now - s->hold_since >= STAFF_HOLD_MS) {
        s->holding = false;
        staff_open_pin(a, s);
        return;
    }
    if (!staff_is_open(a))
        return;
    if (now - s->last_touch >= STAFF_IDLE_MS) {
        staff_close(a, s, "2 minutes without a touch");
        return;
    }
    if (s->view == SV_EXPORT && s->export_state == SE_PENDING)
        staff_export_run(a, s);
    if (s->view == SV_PIN && s->guard.locked_until)
        a->dirty = true; /* the countdown, and its end */
}

static int64_t staff_next_timer_ms(const app *a)
{
    const staff *s = staff_get(a);
    if (!s)
        return -1;
    int64_t now = staff_now(a), next = INT64_MAX;
    if (s->holding)
        next = s->hold_since + STAFF_HOLD_MS;
    if (s->in_live_control) {
        int64_t idle = a->last_input_at + STAFF_IDLE_MS;
        next = idle < next ? idle : next;
    }
    if (staff_is_open(a)) {
        int64_t idle = s->last_touch + STAFF_IDLE_MS;
        next = idle < next ? idle : next;
        if (s->view == SV_EXPORT && s->export_state == SE_PENDING)
            next = now;
        int64_t locked = pin_guard_locked_ms(&s->guard, now);
        if (s->view == SV_PIN && locked > 0) {
            /* Redraw when the shown second changes, and when it ends. */
            int64_t t = now + (locked % 1000 ? locked % 1000 : 1000);
            next = t < next ? t : next;
        }
    }
    if (next == INT64_MAX)
        return -1;
    return next > now ? next - now : 0;
}

static bool staff_pointer(app *a, bool down, int x, int y)
{
    staff *s = staff_get(a);
    if (!s)
        return false;
    int64_t now = staff_now(a);
    if (staff_is_open(a)) {
        s->last_touch = now;
        return false; /* the widgets take it */
    }
    if (down) {
        metrics m = metrics_for(a);
        if (x >= 0 && y >= 0 && x < m.target && y < m.target) {
            /* The hidden corner: nothing happens unless it is held. */
            s->holding = true;
            s->hold_since = now;
            return true;
        }
        s->holding = false;
        return false;
    }
    if (s->holding) {
        s->holding = false; /* let go too soon */
        return true;
    }
    return false;
}

static bool staff_key(app *a, SDL_Keycode key)
{
    staff *s = staff_get(a);
    if (!s || !staff_is_open(a))
        return false;
    s->last_touch = staff_now(a);
    a->dirty = true;
    if (s->view == SV_PIN) {
        if (key >= SDLK_0 && key <= SDLK_9)
            staff_digit(a, s, (int)(key - SDLK_0));
        else if (key >= SDLK_KP_1 && key <= SDLK_KP_9)
            staff_digit(a, s, (int)(key - SDLK_KP_1) + 1);
        else if (key == SDLK_KP_0)
            staff_digit(a, s, 0);
        else if (key == SDLK_BACKSPACE && s->n_pin > 0)
            s->pin[--s->n_pin] = '\0';
        else if (key == SDLK_RETURN || key == SDLK_KP_ENTER)
            staff_check_pin(a, s);
        else if (key == SDLK_ESCAPE)
            staff_close(a, s, "PIN pad cancelled");
        return true;
    }
    if (key == SDLK_ESCAPE) {
        if (s->view == SV_STATUS)
            staff_close(a, s, "back to the kiosk");
        else if (s->view != SV_EXPORT || s->export_state != SE_PENDING)
            staff_show(a, s, SV_STATUS);
    }
    return true;
}

static void staff_sync_changed(app *a)
{
    staff *s = staff_get(a);
    if (s && staff_is_open(a) && s->view == SV_STATUS)
        staff_refresh(a, s);
}

const app_module staff_module = {
    .name = "staff",
    .create = staff_create,
    .destroy = staff_destroy,
    .build = staff_build,
    .action = staff_action,
    .tick = staff_tick,
    .next_timer_ms = staff_next_timer_ms,
    .pointer = staff_pointer,
    .key = staff_key,
    .sync_changed = staff_sync_changed,
};
