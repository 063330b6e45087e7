/* screens.c: builds the frame of each resident screen from the app's state.
 * Only layout and drawing commands: the flow decides what comes next. Sizes
 * follow ../shared/DESIGN-BRIEF.md, relative to the screen, never fixed. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "strings.h"
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
    int pad = (int)(m->u * 1.2);
    ui_rect inner = {r.x + pad, r.y + pad / 2, r.w - 2 * pad, r.h - pad};
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
    int x = m->W - m->margin;
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

/* The on-screen keyboard: Dutch QWERTY, an accents layer, digits. */
typedef struct kb_key {
    const char *text; /* what it types; NULL for special keys */
    str_id special;   /* STR_KEY_* for special keys */
    int width;        /* in key units */
} kb_key;

#define KB_ROWS 5
#define KB_COLS 12

static const kb_key kb_letters[KB_ROWS][KB_COLS] = {
    {{"1", 0, 1},
     {"2", 0, 1},
     {"3", 0, 1},
     {"4", 0, 1},
     {"5", 0, 1},
     {"6", 0, 1},
     {"7", 0, 1},
     {"8", 0, 1},
     {"9", 0, 1},
     {"0", 0, 1}},
    {{"q", 0, 1},
     {"w", 0, 1},
     {"e", 0, 1},
     {"r", 0, 1},
     {"t", 0, 1},
     {"y", 0, 1},
     {"u", 0, 1},
     {"i", 0, 1},
     {"o", 0, 1},
     {"p", 0, 1}},
    {{"a", 0, 1},
     {"s", 0, 1},
     {"d", 0, 1},
     {"f", 0, 1},
     {"g", 0, 1},
     {"h", 0, 1},
     {"j", 0, 1},
     {"k", 0, 1},
     {"l", 0, 1},
     {"-", 0, 1}},
    {{NULL, STR_KEY_SHIFT, 3},
     {"z", 0, 1},
     {"x", 0, 1},
     {"c", 0, 1},
     {"v", 0, 1},
     {"b", 0, 1},
     {"n", 0, 1},
     {"m", 0, 1},
     {NULL, STR_KEY_DELETE, 3}},
    {{NULL, STR_KEY_ACCENTS, 2},
     {",", 0, 1},
     {NULL, STR_KEY_SPACE, 4},
     {".", 0, 1},
     {"?", 0, 1},
     {"!", 0, 1}},
};

static const kb_key kb_accents[KB_ROWS][KB_COLS] = {
    {{"1", 0, 1},
     {"2", 0, 1},
     {"3", 0, 1},
     {"4", 0, 1},
     {"5", 0, 1},
     {"6", 0, 1},
     {"7", 0, 1},
     {"8", 0, 1},
     {"9", 0, 1},
     {"0", 0, 1}},
    {{"é", 0, 1},
     {"ë", 0, 1},
     {"è", 0, 1},
     {"ï", 0, 1},
     {"ó", 0, 1},
     {"ö", 0, 1},
     {"ü", 0, 1},
     {"à", 0, 1},
     {"ç", 0, 1},
     {"€", 0, 1}},
    {{"@", 0, 1},
     {"'", 0, 1},
     {"\"", 0, 1},
     {"(", 0, 1},
     {")", 0, 1},
     {":", 0, 1},
     {";", 0, 1},
     {"/", 0, 1},
     {"&", 0, 1},
     {"+", 0, 1}},
    {{NULL, STR_KEY_SHIFT, 3},
     {"%", 0, 1},
     {"=", 0, 1},
     {"#", 0, 1},
     {"*", 0, 1},
     {"_", 0, 1},
     {"<", 0, 1},
     {">", 0, 1},
     {NULL, STR_KEY_DELETE, 3}},
    {{NULL, STR_KEY_LETTERS, 2},
     {",", 0, 1},
     {NULL, STR_KEY_SPACE, 4},
     {".", 0, 1},
     {"?", 0, 1},
     {"!", 0, 1}},
};

/* The key at (row, col) of the current layer; NULL past the row's end. */
static const kb_key *screens_key(const app *a, int row, int col)
{
    const kb_key(*layer)[KB_COLS] = a->kb_layer == APP_KB_ACCENTS ? kb_accents : kb_letters;
    if (row < 0 || row >= KB_ROWS || col < 0 || col >= KB_COLS)
        return NULL;
    const kb_key *k = &layer[row][col];
    return k->width ? k : NULL;
}

/* What a key types (with shift applied) into buf; "" for special keys. */
static void key_label(const app *a, const kb_key *k, char *buf, size_t size)
{
    if (!k->text) {
        snprintf(buf, size, "%s", tr(a, k->special));
        return;
    }
    snprintf(buf, size, "%s", k->text);
    if (a->kb_shift && buf[0] >= 'a' && buf[0] <= 'z' && !buf[1])
        buf[0] = (char)(buf[0] - 'a' + 'A');
    else if (a->kb_shift && (unsigned char)buf[0] == 0xC3 && buf[1] && !buf[2] &&
             (unsigned char)buf[1] >= 0xA0 && (unsigned char)buf[1] <= 0xBE)
        buf[1] = (char)((unsigned char)buf[1] - 0x20); /* é -> É etc. (Latin-1 block) */
}

void screens_key_action(const app *a, int key, char *out, size_t size, int *special)
{
    const kb_key *k = screens_key(a, key / KB_COLS, key % KB_COLS);
    out[0] = '\0';
    *special = STR_COUNT;
    if (!k)
        return;
    if (!k->text) {
        *special = k->special;
        return;
    }
    key_label(a, k, out, size);
}

static void build_keyboard(app *a, const metrics *m, ui_rect region)
{
    /* Keys sit closer than other buttons, but never under 2 mm apart. */
    int kgap = m->gap / 2;
    int two_mm = (int)(2 * app_px_per_mm(a) + 0.999);
    if (kgap < two_mm)
        kgap = two_mm;
    int key_h = (region.h - (KB_ROWS - 1) * kgap) / KB_ROWS;
    if (key_h > (int)(m->u * 11))
        key_h = (int)(m->u * 11);
    int units = 0;
    for (int row = 0; row < KB_ROWS; row++) {
        int row_units = 0;
        for (int col = 0; col < KB_COLS && screens_key(a, row, col); col++)
            row_units += screens_key(a, row, col)->width;
        units = row_units > units ? row_units : units;
    }
    int unit_w = (region.w - (units - 1) * kgap) / units;
    int y = region.y + region.h - KB_ROWS * key_h - (KB_ROWS - 1) * kgap;
    for (int row = 0; row < KB_ROWS; row++) {
        int row_units = 0, n = 0;
        for (int col = 0; col < KB_COLS; col++) {
            const kb_key *k = screens_key(a, row, col);
            if (!k)
                break;
            row_units += k->width;
            n++;
        }
        int row_w = row_units * unit_w + (row_units - 1) * kgap;
        int x = region.x + (region.w - row_w) / 2;
        for (int col = 0; col < n; col++) {
            const kb_key *k = screens_key(a, row, col);
            int w = k->width * unit_w + (k->width - 1) * kgap;
            char label[32];
            key_label(a, k, label, sizeof label);
            button_style style = BUTTON_PLAIN;
            if (k->special == STR_KEY_SHIFT && a->kb_shift)
                style = BUTTON_SELECTED;
            /* A word on a special key may shrink to the brief's smallest size
             * (2.6% of the screen) even with "A+", so it fits its key. */
            metrics km = *m;
            if (!k->text)
                km.px_min = (int)(m->u * 2.6);
            button(a, &km, (ui_rect){x, y, w, key_h}, label, UI_ACT_KEY, row * KB_COLS + col, style,
                   k->text ? m->px_answer : m->px_secondary);
            x += w + kgap;
        }
        y += key_h + kgap;
    }
}

/* The typed text and cursor as they fit in box: when the text is longer
 * than the field, its last lines (those ending at the cursor). */
static const char *text_tail_that_fits(app *a, const char *shown, ui_rect box, int px)
{
    ui_wrapped w;
    ui_wrap(&a->text, shown, px, false, box.w, &w);
    int lh = a->text.line_height(a->text.ctx, px);
    int fit = lh > 0 ? box.h / lh : 1;
    if (fit < 1)
        fit = 1;
    if (w.n_lines <= fit)
        return shown;
    return shown + w.start[w.n_lines - fit];
}

static void build_text_entry(app *a, const metrics *m, ui_rect region, const survey_question *q)
{
    const ui_theme *t = m->theme;
    int line_h = a->text.line_height(a->text.ctx, m->px_secondary);
    int answer_h = a->text.line_height(a->text.ctx, m->px_answer);
    int hint_h = line_h * 2;
    int kb_min = KB_ROWS * m->target + (KB_ROWS - 1) * m->gap / 2;
    int kb_h = region.h - answer_h * 2 - (int)(m->u * 2) - hint_h - 2 * m->gap;
    if (kb_h < kb_min)
        kb_h = kb_min;
    if (kb_h > (int)(m->u * 60))
        kb_h = (int)(m->u * 60);
    /* The field takes the room the keyboard leaves: at least two lines. */
    int field_h = region.h - kb_h - hint_h - 2 * m->gap;
    if (field_h < answer_h * 2 + (int)(m->u * 2))
        field_h = answer_h * 2 + (int)(m->u * 2);
    ui_rect field = {region.x, region.y, region.w, field_h};
    ui_fill(a->frame, field, t->surface, m->radius);
    ui_stroke(a->frame, field, t->edge, m->radius, m->edge);
    char shown[FLOW_TEXT_MAX_BYTES + 8];
    snprintf(shown, sizeof shown, "%s|", a->text_entry);
    ui_rect inner = {field.x + (int)(m->u * 1.5), field.y + (int)(m->u), field.w - (int)(m->u * 3),
                     field.h - (int)(m->u * 2)};
    ui_text(a->frame, &a->text, inner, text_tail_that_fits(a, shown, inner, m->px_answer),
            m->px_answer, m->px_answer, false, t->surface_text, UI_ALIGN_LEFT);
    int y = field.y + field.h + m->gap / 2;
    char left[96];
    long remaining = (long)q->max_length - (long)flow_utf8_length(a->text_entry);
    snprintf(left, sizeof left, tr(a, STR_TEXT_LEFT), (int)remaining);
    int hint_w = region.w * 3 / 5;
    ui_text(a->frame, &a->text, (ui_rect){region.x, y, hint_w - m->gap, hint_h},
            tr(a, STR_TEXT_HINT), m->px_secondary, m->px_min, false, t->text_secondary,
            UI_ALIGN_LEFT);
    ui_text(a->frame, &a->text, (ui_rect){region.x + hint_w, y, region.w - hint_w, hint_h}, left,
            m->px_secondary, m->px_min, true, t->text, UI_ALIGN_RIGHT);
    ui_rect kb = {region.x, region.y + region.h - kb_h, region.w, kb_h - m->gap / 2};
    build_keyboard(a, m, kb);
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

    /* Bottom bar: "Terug" left; "Overslaan" and "Volgende"/"Klaar" right. */
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
        build_text_entry(a, m, region, q);
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

void screens_build(app *a)
{
    metrics m = metrics_for(a);
    ui_frame_reset(a->frame, a->width, a->height);
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
}
