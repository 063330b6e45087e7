/* ui.c: frames, wrapping, themes; see ui.h. No SDL here. */
#include "ui.h"

#include <math.h>
#include <string.h>

/* ---- Themes ---- */

#define RGB(hex)                                                                                   \
    {                                                                                              \
        (uint8_t)((hex) >> 16), (uint8_t)((hex) >> 8 & 0xFF), (uint8_t)((hex)&0xFF), 255           \
    }

static const ui_theme ui_theme_default_value = {
    .name = "default",
    .background = RGB(0x003B73),
    .text = RGB(0xFFFFFF),
    .text_secondary = RGB(0xC7D7E8),
    .surface = RGB(0xFFFFFF),
    .surface_text = RGB(0x00264D),
    .selected = RGB(0xFFC800),
    .selected_text = RGB(0x00264D),
    .edge = RGB(0xFFFFFF),
    .disabled_text = RGB(0x5A6B7D),
    .error = RGB(0xB00020),
    .error_text = RGB(0xFFFFFF),
    .dim = {0, 0, 0, 200},
};

static const ui_theme ui_theme_high_contrast_value = {
    .name = "high-contrast",
    .background = RGB(0x000000),
    .text = RGB(0xFFFFFF),
    .text_secondary = RGB(0xFFFFFF),
    .surface = RGB(0x000000),
    .surface_text = RGB(0xFFFFFF),
    .selected = RGB(0xFFE000),
    .selected_text = RGB(0x000000),
    .edge = RGB(0xFFFFFF),
    .disabled_text = RGB(0xB0B0B0),
    .error = RGB(0x000000),
    .error_text = RGB(0xFFE000),
    .dim = {0, 0, 0, 235},
};

const ui_theme *ui_theme_default(void)
{
    return &ui_theme_default_value;
}

const ui_theme *ui_theme_high_contrast(void)
{
    return &ui_theme_high_contrast_value;
}

static double ui_channel_linear(uint8_t c)
{
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double ui_luminance(ui_color c)
{
    return 0.2126 * ui_channel_linear(c.r) + 0.7152 * ui_channel_linear(c.g) +
           0.0722 * ui_channel_linear(c.b);
}

double ui_contrast_ratio(ui_color a, ui_color b)
{
    double la = ui_luminance(a), lb = ui_luminance(b);
    if (la < lb) {
        double t = la;
        la = lb;
        lb = t;
    }
    return (la + 0.05) / (lb + 0.05);
}

/* ---- Text wrapping ---- */

static void ui_wrap_push(ui_wrapped *out, size_t start, size_t len)
{
    if (out->n_lines >= UI_MAX_LINES) {
        out->overflow = true;
        return;
    }
    out->start[out->n_lines] = start;
    out->len[out->n_lines] = len;
    out->n_lines++;
}

void ui_wrap(const ui_text_engine *te, const char *s, int px, bool bold, int max_w, ui_wrapped *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(s);
    size_t pos = 0;
    for (;;) {
        /* Grow the line from pos word by word while it fits. */
        size_t line_end = pos;
        bool any = false;
        size_t i = pos;
        for (;;) {
            size_t word_end = i;
            while (word_end < n && s[word_end] != ' ' && s[word_end] != '\n')
                word_end++;
            int w = te->width(te->ctx, s + pos, word_end - pos, px, bold);
            if (any && w > max_w)
                break; /* this word starts the next line */
            if (w > max_w)
                out->overflow = true; /* one word wider than the box */
            if (w > out->width)
                out->width = w;
            line_end = word_end;
            any = true;
            if (word_end >= n || s[word_end] == '\n')
                break;
            i = word_end;
            while (i < n && s[i] == ' ')
                i++;
            if (i >= n)
                break;
        }
        ui_wrap_push(out, pos, line_end - pos);
        size_t next = line_end;
        while (next < n && s[next] == ' ')
            next++;
        if (next < n && s[next] == '\n')
            next++;
        if (next < n && out->n_lines >= UI_MAX_LINES)
            out->overflow = true;
        if (next >= n || out->n_lines >= UI_MAX_LINES)
            break;
        pos = next;
    }
    out->height = out->n_lines * te->line_height(te->ctx, px);
}

bool ui_text_is_rtl(const char *utf8)
{
    const unsigned char *p = (const unsigned char *)utf8;
    while (*p) {
        unsigned cp;
        if (*p < 0x80) {
            cp = *p++;
        } else if ((*p & 0xE0) == 0xC0 && p[1]) {
            cp = (unsigned)(*p & 0x1F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if ((*p & 0xF0) == 0xE0 && p[1] && p[2]) {
            cp = (unsigned)(*p & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            p += 3;
        } else {
            p++;
            continue;
        }
        if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
            (cp >= 0xFE70 && cp <= 0xFEFF))
            return true;
    }
    return false;
}

/* ---- Frames ---- */

void ui_frame_reset(ui_frame *f, int width, int height)
{
    f->width = width;
    f->height = height;
    f->n_cmds = 0;
    f->n_widgets = 0;
    f->arena_used = 0;
    f->full = false;
    f->mirror = false;
    f->n_kept = 0;
}

void ui_frame_keep_unmirrored(ui_frame *f, size_t cmd0, size_t widget0)
{
    if (f->n_kept >= UI_MAX_KEPT) {
        f->full = true;
        return;
    }
    f->kept[f->n_kept++] = (ui_span){cmd0, f->n_cmds, widget0, f->n_widgets};
}

/* True when item i (a command when cmd, else a widget) is in a kept span. */
static bool ui_frame_is_kept(const ui_frame *f, size_t i, bool cmd)
{
    for (size_t k = 0; k < f->n_kept; k++) {
        const ui_span *s = &f->kept[k];
        if (cmd ? i >= s->cmd0 && i < s->cmd1 : i >= s->widget0 && i < s->widget1)
            return true;
    }
    return false;
}

void ui_frame_mirror(ui_frame *f)
{
    for (size_t i = 0; i < f->n_cmds; i++) {
        ui_cmd *c = &f->cmds[i];
        if (ui_frame_is_kept(f, i, true))
            continue;
        c->rect.x = f->width - c->rect.x - c->rect.w;
        if (c->kind == UI_CMD_TEXT && c->text && !ui_text_is_rtl(c->text)) {
            if (c->align == UI_ALIGN_LEFT)
                c->align = UI_ALIGN_RIGHT;
            else if (c->align == UI_ALIGN_RIGHT)
                c->align = UI_ALIGN_LEFT;
        }
    }
    for (size_t i = 0; i < f->n_widgets; i++)
        if (!ui_frame_is_kept(f, i, false))
            f->widgets[i].rect.x = f->width - f->widgets[i].rect.x - f->widgets[i].rect.w;
}

const char *ui_frame_strdup(ui_frame *f, const char *s)
{
    size_t n = strlen(s) + 1;
    if (f->arena_used + n > sizeof f->arena) {
        f->full = true;
        return "";
    }
    char *copy = f->arena + f->arena_used;
    memcpy(copy, s, n);
    f->arena_used += n;
    return copy;
}

static ui_cmd *ui_cmd_add(ui_frame *f, ui_cmd_kind kind, ui_rect r, ui_color c)
{
    if (f->n_cmds >= UI_MAX_CMDS) {
        f->full = true;
        return NULL;
    }
    ui_cmd *cmd = &f->cmds[f->n_cmds++];
    memset(cmd, 0, sizeof *cmd);
    cmd->kind = kind;
    cmd->rect = r;
    cmd->color = c;
    return cmd;
}

void ui_fill(ui_frame *f, ui_rect r, ui_color c, int radius)
{
    ui_cmd *cmd = ui_cmd_add(f, UI_CMD_FILL, r, c);
    if (cmd)
        cmd->radius = radius;
}

void ui_stroke(ui_frame *f, ui_rect r, ui_color c, int radius, int thickness)
{
    ui_cmd *cmd = ui_cmd_add(f, UI_CMD_STROKE, r, c);
    if (cmd) {
        cmd->radius = radius;
        cmd->thickness = thickness;
    }
}

void ui_circle(ui_frame *f, ui_rect r, ui_color c)
{
    ui_cmd_add(f, UI_CMD_CIRCLE, r, c);
}

void ui_face(ui_frame *f, ui_rect r, int mood, ui_color fill, ui_color ink)
{
    ui_circle(f, r, fill);
    ui_cmd *cmd = ui_cmd_add(f, UI_CMD_FACE, r, ink);
    if (cmd)
        cmd->mood = mood;
}

int ui_text_draw(ui_frame *f, const ui_text_engine *te, ui_rect box, const char *text, int px,
                 int min_px, bool bold, ui_color color, ui_align align, bool *overflow)
{
    ui_wrapped w;
    int size = px;
    if (min_px > px)
        min_px = px;
    for (;;) {
        ui_wrap(te, text, size, bold, box.w, &w);
        bool fits = !w.overflow && w.height <= box.h;
        if (fits || size <= min_px)
            break;
        size = size * 9 / 10 < min_px ? min_px : size * 9 / 10;
    }
    bool over = w.overflow || w.height > box.h;
    if (overflow)
        *overflow = over;
    ui_rect r = box;
    if (align & UI_VCENTER) {
        r.y = box.y + (box.h - w.height) / 2;
        r.h = w.height;
    }
    ui_cmd *cmd = ui_cmd_add(f, UI_CMD_TEXT, r, color);
    if (cmd) {
        cmd->text = ui_frame_strdup(f, text);
        cmd->px = size;
        cmd->bold = bold;
        cmd->align = align & 3;
        cmd->rect.w = box.w;
    }
    return w.height;
}

int ui_text(ui_frame *f, const ui_text_engine *te, ui_rect box, const char *text, int px,
            int min_px, bool bold, ui_color color, ui_align align)
{
    bool over = false;
    int h = ui_text_draw(f, te, box, text, px, min_px, bold, color, align, &over);
    ui_widget *w = ui_widget_add(f, box, text, UI_ACT_NONE, 0);
    if (w)
        w->overflow = over;
    return h;
}

ui_widget *ui_widget_add(ui_frame *f, ui_rect r, const char *label, ui_action action, int arg)
{
    if (f->n_widgets >= UI_MAX_WIDGETS) {
        f->full = true;
        return NULL;
    }
    ui_widget *w = &f->widgets[f->n_widgets++];
    w->rect = r;
    w->label = label ? ui_frame_strdup(f, label) : NULL;
    w->action = action;
    w->arg = arg;
    w->overflow = false;
    return w;
}

const ui_widget *ui_hit(const ui_frame *f, int x, int y)
{
    for (size_t i = f->n_widgets; i-- > 0;) {
        const ui_widget *w = &f->widgets[i];
        if (w->action == UI_ACT_NONE)
            continue;
        if (x >= w->rect.x && x < w->rect.x + w->rect.w && y >= w->rect.y &&
            y < w->rect.y + w->rect.h)
            return w;
    }
    return NULL;
}

bool ui_rect_overlaps(ui_rect a, ui_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
