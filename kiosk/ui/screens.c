/* screens.c: builds the frame of each resident screen from the app's state.
 * Only layout and drawing commands: the flow decides what comes next. Sizes
 * follow ../shared/DESIGN-BRIEF.md, relative to the screen, never fixed. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "strings.h"
#include "text_entry.h"
#include "widgets.h"

metrics metrics_for(const app *a)
{
    metrics m;
    m.W = a->width;
    m.H = a->height;
    m.u = (m.W < m.H ? m.W : m.H) / 100.0;
    m.scale = a->big_text ? APP_TEXT_SCALE_BIG : 1.0;
    double mm = app_px_per_mm(a);
    m.margin = (int)(m.W * 0.05);
    m.gap = (int)(mm * 2.5 > m.u * 1.5 ? mm * 2.5 : m.u * 1.5);
    m.target = (int)(mm * 15.0 + 0.999);
    if (m.target < (int)(m.u * 8))
        m.target = (int)(m.u * 8);
    m.radius = (int)(m.u * 1.6);
    m.edge = a->high_contrast ? (int)(m.u * 0.5 + 2) : (int)(m.u * 0.3 + 1);
    m.px_question = (int)(m.u * 5.5 * m.scale);
    m.px_answer = (int)(m.u * 4.0 * m.scale);
    m.px_secondary = (int)(m.u * 3.0 * m.scale);
    m.px_min = (int)(m.u * 2.6 * m.scale);
    m.theme = a->high_contrast ? ui_theme_high_contrast() : ui_theme_default();
    return m;
}

const char *tr(const app *a, str_id id)
{
    return str_get(app_lang_code(a), id);
}

/* The language index of the survey text to show for the UI language. */
static int survey_lang(const app *a, const survey *s)
{
    int i = survey_language_index(s, app_lang_code(a));
    return i < 0 ? 0 : i;
}

/* A button: surface, edge, label centred; the widget carries the label. */
ui_rect button_inner(const metrics *m, ui_rect r)
{
    int pad = (int)(m->u * 1.2);
    return (ui_rect){r.x + pad, r.y + pad / 2, r.w - 2 * pad, r.h - pad};
}

void button(app *a, const metrics *m, ui_rect r, const char *label, ui_action act, int arg,
            button_style style, int px)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    bool sel = style == BUTTON_SELECTED || style == BUTTON_PRIMARY;
    if (act == a->pressed_action && arg == a->pressed_arg && act != UI_ACT_NONE)
        sel = true; /* pressed: shown at once, before the finger lifts */
    ui_color fill = sel ? t->selected : t->surface;
    ui_color ink = sel ? t->selected_text : t->surface_text;
    if (style == BUTTON_DISABLED)
        ink = t->disabled_text;
    ui_fill(f, r, fill, m->radius);
    ui_stroke(f, r, sel ? t->selected : t->edge, m->radius, m->edge);
    ui_rect inner = button_inner(m, r);
    bool over = false;
    if (label)
        ui_text_draw(f, &a->text, inner, label, px, m->px_min, true, ink,
                     UI_ALIGN_CENTER | UI_VCENTER, &over);
    ui_widget *w = ui_widget_add(f, r, label, act, arg);
    if (w)
        w->overflow = over;
}

/* The language button: shows the next configured language's own name. */
static const char *next_language_name(const app *a, int *next)
{
    size_t n = a->config->kiosk.n_languages;
    *next = (int)((size_t)(a->lang + 1) % (n ? n : 1));
    const char *code = a->config->kiosk.languages[*next];
    return str_has_language(code) ? str_get(code, STR_LANGUAGE_NAME) : code;
}

/* Top-right controls: "A+" and (with more than one language) the language
 * switch. Returns the x where they start. */
int corner_controls(app *a, const metrics *m, int y)
{
    /* Mirrored, they come to the top left: clear of the hidden staff
     * corner there (staff.c: a square of m->target). */
    int inset = m->margin;
    if (a->frame->mirror && inset < m->target + m->gap)
        inset = m->target + m->gap;
    int x = m->W - inset;
    if (a->config->kiosk.n_languages > 1 && a->screen == APP_SCREEN_QUESTION) {
        int next;
        const char *name = next_language_name(a, &next);
        int w =
            a->text.width(a->text.ctx, name, strlen(name), m->px_secondary, true) + (int)(m->u * 3);
        if (w < m->target)
            w = m->target;
        if (w > m->W / 4)
            w = m->W / 4;
        x -= w;
        button(a, m, (ui_rect){x, y, w, m->target}, name, UI_ACT_LANGUAGE, next, BUTTON_PLAIN,
               m->px_secondary);
        x -= m->gap;
    }
    int aw = m->target > (int)(m->u * 10) ? m->target : (int)(m->u * 10);
    x -= aw;
    button(a, m, (ui_rect){x, y, aw, m->target}, tr(a, STR_BIGGER_TEXT), UI_ACT_BIGGER_TEXT, 0,
           a->big_text ? BUTTON_SELECTED : BUTTON_PLAIN, (int)(m->u * 4));
    return x;
}

/* ---- Attract ---- */

static void build_attract(app *a, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    int top = (int)(m->u * 3);
    corner_controls(a, m, top);
    int x = m->margin, w = m->W - 2 * m->margin;
    int y = top + m->target + (int)(m->u * 4);
    const survey *s = a->active;
    const char *title = s ? survey_text_get(&s->title, survey_lang(a, s)) : "Buurtkiosk";
    int px_title = (int)(m->u * 7.5 * m->scale);
    int h = ui_text(f, &a->text, (ui_rect){x, y, w, (int)(m->H * 0.28)}, title, px_title,
                    m->px_question, true, t->text, UI_ALIGN_CENTER);
    y += h + (int)(m->u * 3);
    h = ui_text(f, &a->text, (ui_rect){x, y, w, (int)(m->H * 0.14)}, tr(a, STR_PRIVACY),
                m->px_answer, m->px_min, false, t->text_secondary, UI_ALIGN_CENTER);
    y += h + (int)(m->u * 5);

    int bw = m->W > m->H ? m->W * 2 / 5 : m->W * 3 / 5;
    int bh = (int)(m->u * 16) > m->target ? (int)(m->u * 16) : m->target;
    button(a, m, (ui_rect){(m->W - bw) / 2, y, bw, bh}, tr(a, STR_START), UI_ACT_START, 0,
           BUTTON_PRIMARY, (int)(m->u * 6.5 * m->scale));
    y += bh + (int)(m->u * 6);

    /* One button per configured language, labelled in that language. */
    size_t n = a->config->kiosk.n_languages;
    if (n > 1) {
        int lw = (w - (int)(n - 1) * m->gap) / (int)n;
        if (lw > (int)(m->u * 40))
            lw = (int)(m->u * 40);
        int total = (int)n * lw + (int)(n - 1) * m->gap;
        int lx = (m->W - total) / 2;
        for (size_t i = 0; i < n; i++) {
            const char *code = a->config->kiosk.languages[i];
            const char *name = str_has_language(code) ? str_get(code, STR_LANGUAGE_NAME) : code;
            button(a, m, (ui_rect){lx, y, lw, m->target}, name, UI_ACT_LANGUAGE, (int)i,
                   (int)i == a->lang ? BUTTON_SELECTED : BUTTON_PLAIN, m->px_answer);
            lx += lw + m->gap;
        }
        y += m->target + m->gap;
    }
    /* The high-contrast switch, bottom centre. */
    int cw = m->W > m->H ? m->W / 4 : m->W / 2;
    int cy = m->H - m->target - (int)(m->u * 3);
    if (cy > y)
        button(a, m, (ui_rect){(m->W - cw) / 2, cy, cw, m->target}, tr(a, STR_HIGH_CONTRAST),
               UI_ACT_CONTRAST, 0, a->high_contrast ? BUTTON_SELECTED : BUTTON_PLAIN,
               m->px_secondary);
}

/* ---- Question ---- */

/* Lays out n answer buttons in a grid inside region; returns rects. */
static int grid_rows(int n, int region_h, int min_h, int gap)
{
    int rows = (region_h + gap) / (min_h + gap);
    if (rows < 1)
        rows = 1;
    return rows > n ? n : rows;
}

static void build_options(app *a, const metrics *m, ui_rect region, const survey_question *q,
                          int sl)
{
    const flow_answer *ans = flow_current_answer(&a->flow);
    size_t n = q->type == SURVEY_Q_AREA ? a->config->n_areas : q->n_options;
    if (n == 0)
        return;
    int min_h = m->target;
    int rows = grid_rows((int)n, region.h, min_h, m->gap);
    int cols = ((int)n + rows - 1) / rows;
    rows = ((int)n + cols - 1) / cols;
    int bw = (region.w - (cols - 1) * m->gap) / cols;
    int bh = (region.h - (rows - 1) * m->gap) / rows;
    int max_h = (int)(m->u * 13);
    if (bh > max_h)
        bh = max_h;
    if (cols == 1 && bw > (int)(m->u * 110))
        bw = (int)(m->u * 110);
    bool multi_full = q->type == SURVEY_Q_MULTI && flow_multi_remaining(&a->flow) <= 0;
    for (size_t i = 0; i < n; i++) {
        int col = (int)i / rows, row = (int)i % rows;
        ui_rect r = {region.x + col * (bw + m->gap), region.y + row * (bh + m->gap), bw, bh};
        const char *label;
        if (q->type == SURVEY_Q_AREA)
            label = a->areas[i].name;
        else
            label = survey_text_get(&q->options[i].label, sl);
        bool sel;
        if (q->type == SURVEY_Q_MULTI)
            sel = ans->chosen[i];
        else
            sel = (a->selected_pending >= 0 ? a->selected_pending == (int)i
                                            : ans->given && ans->option == (int)i);
        button_style style = sel ? BUTTON_SELECTED : multi_full ? BUTTON_DISABLED : BUTTON_PLAIN;
        button(a, m, r, label, UI_ACT_ANSWER, (int)i, style, m->px_answer);
    }
}

static void build_scale(app *a, const metrics *m, ui_rect region, const survey_question *q, int sl)
{
    const flow_answer *ans = flow_current_answer(&a->flow);
    int selected =
        a->selected_pending >= 0 ? a->selected_pending : (ans->given ? (int)ans->number : -1);
    bool row = m->W > m->H;
    if (row) {
        /* Five in a row, unless a label does not fit at the smallest size. */
        int bw = (region.w - 4 * m->gap) / 5;
        for (int i = 0; i < SURVEY_SCALE_POINTS && row; i++) {
            const char *label = survey_text_get(&q->labels[i], sl);
            ui_wrapped wr;
            ui_wrap(&a->text, label ? label : "", m->px_min, true, bw - (int)(m->u * 2.4), &wr);
            if (wr.overflow)
                row = false;
        }
    }
    for (int i = 0; i < SURVEY_SCALE_POINTS; i++) {
        ui_rect r;
        if (row) {
            int bw = (region.w - 4 * m->gap) / 5;
            int bh = region.h < (int)(m->u * 26) ? region.h : (int)(m->u * 26);
            r = (ui_rect){region.x + i * (bw + m->gap), region.y, bw, bh};
        } else {
            int bh = (region.h - 4 * m->gap) / 5;
            if (bh > (int)(m->u * 13))
                bh = (int)(m->u * 13);
            int bw = region.w > (int)(m->u * 110) ? (int)(m->u * 110) : region.w;
            r = (ui_rect){region.x, region.y + i * (bh + m->gap), bw, bh};
        }
        const char *label = survey_text_get(&q->labels[i], sl);
        button(a, m, r, label, UI_ACT_ANSWER, i + 1,
               selected == i + 1 ? BUTTON_SELECTED : BUTTON_PLAIN, m->px_answer);
    }
}

static void build_smiley(app *a, const metrics *m, ui_rect region, const survey_question *q, int sl)
{
    static const uint32_t fills[SURVEY_SCALE_POINTS] = {0xE4572E, 0xF3A33B, 0xF5D547, 0xA8C94A,
                                                        0x4CAF50};
    const ui_theme *t = m->theme;
    const flow_answer *ans = flow_current_answer(&a->flow);
    int selected =
        a->selected_pending >= 0 ? a->selected_pending : (ans->given ? (int)ans->number : -1);
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
        bool sel = selected == i + 1;
        if (sel)
            ui_fill(a->frame, cell, t->selected, m->radius);
        ui_rect face = {cx + (colw - d) / 2, region.y + m->gap / 2, d, d};
        uint32_t c = fills[i];
        ui_color fill = {(uint8_t)(c >> 16), (uint8_t)(c >> 8), (uint8_t)c, 255};
        ui_circle(a->frame,
                  (ui_rect){face.x - m->edge, face.y - m->edge, d + 2 * m->edge, d + 2 * m->edge},
                  sel ? t->selected_text : t->edge);
        ui_face(a->frame, face, i + 1, fill, (ui_color){0x1A, 0x1A, 0x1A, 255});
        const char *label = survey_text_get(&q->labels[i], sl);
        bool over = false;
        ui_text_draw(a->frame, &a->text,
                     (ui_rect){cx + m->gap / 2, face.y + d + m->gap, colw - m->gap, label_h}, label,
                     m->px_answer, m->px_min, true, sel ? t->selected_text : t->text,
                     UI_ALIGN_CENTER, &over);
        ui_widget *w = ui_widget_add(a->frame, cell, label, UI_ACT_ANSWER, i + 1);
        if (w)
            w->overflow = over;
    }
}

static void build_number(app *a, const metrics *m, ui_rect region, const survey_question *q)
{
    const ui_theme *t = m->theme;
    const flow_answer *ans = flow_current_answer(&a->flow);
    char value[64];
    if (ans->given)
        snprintf(value, sizeof value, "%lld", ans->number);
    else
        snprintf(value, sizeof value, "%s", tr(a, STR_NUMBER_EMPTY));
    static const int steps[4] = {-10, -1, 1, 10};
    static const char *const labels[4] = {"-10", "-1", "+1", "+10"};
    int bw = m->target > (int)(m->u * 14) ? m->target : (int)(m->u * 14);
    int bh = m->target > (int)(m->u * 12) ? m->target : (int)(m->u * 12);
    int vw = region.w - 4 * bw - 4 * m->gap;
    if (vw > (int)(m->u * 50))
        vw = (int)(m->u * 50);
    int total = 4 * bw + 4 * m->gap + vw;
    int x = region.x + (region.w - total) / 2;
    for (int i = 0; i < 4; i++) {
        if (i == 2) {
            ui_rect vr = {x, region.y, vw, bh};
            ui_fill(a->frame, vr, t->surface, m->radius);
            ui_text(a->frame, &a->text, (ui_rect){vr.x + 8, vr.y, vr.w - 16, vr.h}, value,
                    ans->given ? m->px_question : m->px_secondary, m->px_min, true, t->surface_text,
                    UI_ALIGN_CENTER | UI_VCENTER);
            x += vw + m->gap;
        }
        button(a, m, (ui_rect){x, region.y, bw, bh}, labels[i], UI_ACT_NUMBER_STEP, steps[i],
               BUTTON_PLAIN, m->px_answer);
        x += bw + m->gap;
    }
    (void)q;
}

static void build_question(app *a, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    const survey *s = a->flow_survey;
    const survey_question *q = flow_question(&a->flow);
    int sl = survey_lang(a, s);
    int top = (int)(m->u * 3);
    int controls_x = corner_controls(a, m, top);

    /* Progress: bar and "Vraag 3 van 8". */
    int pos, total;
    flow_progress(&a->flow, &pos, &total);
    int bar_w = controls_x - m->gap * 2 - m->margin;
    int bar_h = (int)(m->u * 1.4) > 6 ? (int)(m->u * 1.4) : 6;
    ui_rect bar = {m->margin, top + (int)(m->u), bar_w, bar_h};
    ui_fill(f, bar, t->text_secondary, bar_h / 2);
    ui_fill(f, (ui_rect){bar.x, bar.y, total ? bar.w * pos / total : 0, bar_h}, t->selected,
            bar_h / 2);
    char progress[96];
    snprintf(progress, sizeof progress, tr(a, STR_PROGRESS), pos, total);
    ui_text(
        f, &a->text,
        (ui_rect){m->margin, bar.y + bar_h + (int)(m->u), bar_w, top + m->target - bar.y - bar_h},
        progress, m->px_secondary, m->px_min, false, t->text_secondary, UI_ALIGN_LEFT);

    /* Bottom bar: "Terug" left; "Overslaan" and "Volgende"/"Klaar" right
     * (the other way round once mirrored, in a right-to-left language). */
    int bar_y = m->H - m->target - (int)(m->u * 3);
    int bw = (m->W - 2 * m->margin - 2 * m->gap) / 3;
    if (bw > (int)(m->u * 40))
        bw = (int)(m->u * 40);
    if (flow_can_go_back(&a->flow))
        button(a, m, (ui_rect){m->margin, bar_y, bw, m->target}, tr(a, STR_BACK), UI_ACT_BACK, 0,
               BUTTON_PLAIN, m->px_answer);
    int rx = m->W - m->margin - bw;
    bool needs_next = q->type == SURVEY_Q_MULTI || q->type == SURVEY_Q_NUMBER ||
                      q->type == SURVEY_Q_TEXT || q->type == SURVEY_Q_INFO;
    if (needs_next) {
        str_id id = flow_is_last(&a->flow) ? STR_DONE : STR_NEXT;
        button(a, m, (ui_rect){rx, bar_y, bw, m->target}, tr(a, id), UI_ACT_NEXT, 0, BUTTON_PRIMARY,
               m->px_answer);
        rx -= bw + m->gap;
    }
    if (!q->required && q->type != SURVEY_Q_INFO)
        button(a, m, (ui_rect){rx, bar_y, bw, m->target}, tr(a, STR_SKIP), UI_ACT_SKIP, 0,
               BUTTON_PLAIN, m->px_answer);

    /* The question. */
    int x = m->margin, w = m->W - 2 * m->margin;
    int y = top + m->target + (int)(m->u * 3);
    int avail = bar_y - m->gap - y;
    int max_q = q->type == SURVEY_Q_TEXT ? avail / 5 : avail * 2 / 5;
    if (q->type == SURVEY_Q_INFO)
        max_q = avail;
    int qw = w < (int)(m->px_question * 26) ? w : (int)(m->px_question * 26); /* ~45 chars */
    int h = ui_text(f, &a->text, (ui_rect){x, y, qw, max_q}, survey_text_get(&q->text, sl),
                    m->px_question, m->px_min, true, t->text, UI_ALIGN_LEFT);
    y += h + (int)(m->u * 1.5);
    const char *help = survey_text_get(&q->help, sl);
    if (help) {
        h = ui_text(f, &a->text, (ui_rect){x, y, qw, avail / 6}, help, m->px_secondary, m->px_min,
                    false, t->text_secondary, UI_ALIGN_LEFT);
        y += h + (int)(m->u * 1.5);
    }
    if (q->type == SURVEY_Q_MULTI) {
        char line[128];
        int left = flow_multi_remaining(&a->flow);
        if (q->max_choices <= 0)
            snprintf(line, sizeof line, "%s", tr(a, STR_MULTI_ANY));
        else if (left <= 0)
            snprintf(line, sizeof line, "%s", tr(a, STR_MULTI_FULL));
        else
            snprintf(line, sizeof line, tr(a, STR_MULTI_LEFT), left);
        h = ui_text(f, &a->text, (ui_rect){x, y, w, avail / 8}, line, m->px_secondary, m->px_min,
                    true, t->selected, UI_ALIGN_LEFT);
        y += h + (int)(m->u * 1.5);
    }
    y += (int)(m->u * 1.5);
    ui_rect region = {x, y, w, bar_y - m->gap - y};
    switch (q->type) {
    case SURVEY_Q_SCALE:
        build_scale(a, m, region, q, sl);
        break;
    case SURVEY_Q_SMILEY:
        build_smiley(a, m, region, q, sl);
        break;
    case SURVEY_Q_CHOICE:
    case SURVEY_Q_MULTI:
    case SURVEY_Q_AREA:
        build_options(a, m, region, q, sl);
        break;
    case SURVEY_Q_NUMBER:
        build_number(a, m, region, q);
        break;
    case SURVEY_Q_TEXT:
        text_entry_build(a, m, a->entry, app_lang_code(a), q->max_length, region, UI_ACT_KEY, 0);
        break;
    case SURVEY_Q_INFO:
        break;
    }
}

/* ---- Thanks, idle, out of service ---- */

void build_message(app *a, const metrics *m, const char *title, const char *line, ui_color bg,
                   ui_color ink)
{
    ui_frame *f = a->frame;
    if (bg.r != m->theme->background.r || bg.g != m->theme->background.g ||
        bg.b != m->theme->background.b)
        ui_fill(f, (ui_rect){0, 0, m->W, m->H}, bg, 0);
    int x = m->margin, w = m->W - 2 * m->margin;
    int y = (int)(m->H * 0.28);
    int h = ui_text(f, &a->text, (ui_rect){x, y, w, (int)(m->H * 0.25)}, title,
                    (int)(m->u * 11 * m->scale), m->px_question, true, ink, UI_ALIGN_CENTER);
    y += h + (int)(m->u * 4);
    ui_text(f, &a->text, (ui_rect){x + w / 10, y, w * 8 / 10, (int)(m->H * 0.3)}, line,
            m->px_answer, m->px_min, false, ink, UI_ALIGN_CENTER);
}

static void build_idle_overlay(app *a, const metrics *m)
{
    ui_frame *f = a->frame;
    const ui_theme *t = m->theme;
    /* Only the overlay can be tapped now. */
    for (size_t i = 0; i < f->n_widgets; i++)
        f->widgets[i].action = UI_ACT_NONE;
    ui_fill(f, (ui_rect){0, 0, m->W, m->H}, t->dim, 0);
    int cw = m->W > m->H ? m->W * 6 / 10 : m->W * 9 / 10;
    int ch = m->H > m->W ? m->H / 2 : m->H * 7 / 10;
    ui_rect card = {(m->W - cw) / 2, (m->H - ch) / 2, cw, ch};
    ui_fill(f, card, t->background, m->radius * 2);
    ui_stroke(f, card, t->edge, m->radius * 2, m->edge);
    int x = card.x + (int)(m->u * 4), w = card.w - (int)(m->u * 8);
    int y = card.y + (int)(m->u * 4);
    y += ui_text(f, &a->text, (ui_rect){x, y, w, ch / 4}, tr(a, STR_IDLE_TITLE), m->px_question,
                 m->px_min, true, t->text, UI_ALIGN_CENTER);
    y += (int)(m->u * 2);
    y += ui_text(f, &a->text, (ui_rect){x, y, w, ch / 6}, tr(a, STR_IDLE_LINE), m->px_secondary,
                 m->px_min, false, t->text_secondary, UI_ALIGN_CENTER);
    int64_t left_ms = APP_IDLE_COUNTDOWN_MS - (clock_mono_ms(&a->clock) - a->idle_warning_at);
    if (left_ms < 0)
        left_ms = 0;
    char secs[16];
    snprintf(secs, sizeof secs, "%d", (int)((left_ms + 999) / 1000));
    y += ui_text(f, &a->text, (ui_rect){x, y, w, ch / 4}, secs, (int)(m->u * 12 * m->scale),
                 m->px_question, true, t->selected, UI_ALIGN_CENTER);
    int bh = m->target > (int)(m->u * 12) ? m->target : (int)(m->u * 12);
    int by = card.y + card.h - bh - (int)(m->u * 4);
    button(a, m, (ui_rect){x, by, w, bh}, tr(a, STR_IDLE_BUTTON), UI_ACT_STILL_HERE, 0,
           BUTTON_PRIMARY, m->px_answer);
}

/* Resident screens in a right-to-left language are built left to right
 * and then mirrored: "Terug" on the right, the progress bar filling from
 * the right, scales and answers running from the right. The keyboard keeps
 * its physical key order (text_entry.c). A module may ask for the same by
 * setting a->frame->mirror while it builds (live mode does for the
 * attendee's screens); staff screens are not mirrored, and the hidden staff
 * corner stays top-left: staff.c finds it by its coordinates, not by a
 * widget. */
void screens_build(app *a)
{
    metrics m = metrics_for(a);
    ui_frame_reset(a->frame, a->width, a->height);
    a->frame->mirror = a->screen != APP_SCREEN_MODULE && str_is_rtl(app_lang_code(a));
    switch (a->screen) {
    case APP_SCREEN_ATTRACT:
        build_attract(a, &m);
        break;
    case APP_SCREEN_QUESTION:
        build_question(a, &m);
        if (a->idle_warning_at)
            build_idle_overlay(a, &m);
        break;
    case APP_SCREEN_THANKS:
        build_message(a, &m, tr(a, STR_THANKS), tr(a, STR_THANKS_LINE), m.theme->background,
                      m.theme->text);
        ui_widget_add(a->frame, (ui_rect){0, 0, m.W, m.H}, NULL, UI_ACT_THANKS_DONE, 0);
        corner_controls(a, &m, (int)(m.u * 3)); /* on top of the tap-anywhere area */
        break;
    case APP_SCREEN_OUT_OF_SERVICE:
        build_message(a, &m, tr(a, STR_OOS_TITLE), tr(a, STR_OOS_LINE), m.theme->error,
                      m.theme->error_text);
        corner_controls(a, &m, (int)(m.u * 3));
        break;
    case APP_SCREEN_MODULE:
        if ((size_t)a->module_screen < app_n_modules && app_modules[a->module_screen]->build)
            app_modules[a->module_screen]->build(a);
        break;
    }
    if (a->frame->mirror)
        ui_frame_mirror(a->frame);
}
