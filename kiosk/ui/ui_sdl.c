/* ui_sdl.c: fonts, text textures and drawing with SDL; see ui_sdl.h. */
#include "ui_sdl.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define UI_FONT_SLOTS 48
#define UI_MEASURE_SLOTS 4096
#define UI_TEXTURE_SLOTS 512
#define UI_FONT_FILE_MAX (16 * 1024 * 1024)

enum { FONT_LATIN, FONT_LATIN_BOLD, FONT_ARABIC, FONT_ARABIC_BOLD, FONT_FACES };

typedef struct ui_font_slot {
    int face, px;
    TTF_Font *font;
} ui_font_slot;

typedef struct ui_measure_slot {
    uint64_t key;
    int width;
} ui_measure_slot;

struct ui_fonts {
    void *data[FONT_FACES]; /* the font files, loaded once */
    size_t size[FONT_FACES];
    ui_font_slot slots[UI_FONT_SLOTS];
    size_t n_slots;
    ui_measure_slot measures[UI_MEASURE_SLOTS];
};

static const char *const ui_font_files[FONT_FACES] = {
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
};

ui_fonts *ui_fonts_open(const char *dir)
{
    ui_fonts *fonts = calloc(1, sizeof *fonts);
    if (!fonts)
        return NULL;
    for (int i = 0; i < FONT_FACES; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, ui_font_files[i]);
        fonts->data[i] = SDL_LoadFile(path, &fonts->size[i]);
        if (!fonts->data[i] || fonts->size[i] > UI_FONT_FILE_MAX) {
            log_error("ui", "cannot read font %s: %s", path, SDL_GetError());
            ui_fonts_close(fonts);
            return NULL;
        }
    }
    return fonts;
}

void ui_fonts_close(ui_fonts *fonts)
{
    if (!fonts)
        return;
    for (size_t i = 0; i < fonts->n_slots; i++)
        TTF_CloseFont(fonts->slots[i].font);
    for (int i = 0; i < FONT_FACES; i++)
        SDL_free(fonts->data[i]);
    free(fonts);
}

/* The font for face at px, opened on first use. NULL when it cannot be. */
static TTF_Font *ui_fonts_get(ui_fonts *fonts, int face, int px)
{
    if (px < 4)
        px = 4;
    for (size_t i = 0; i < fonts->n_slots; i++)
        if (fonts->slots[i].face == face && fonts->slots[i].px == px)
            return fonts->slots[i].font;
    SDL_RWops *rw = SDL_RWFromConstMem(fonts->data[face], (int)fonts->size[face]);
    TTF_Font *font = rw ? TTF_OpenFontRW(rw, 1, px) : NULL;
    if (!font) {
        log_error("ui", "cannot open font %s at %d px: %s", ui_font_files[face], px,
                  TTF_GetError());
        return NULL;
    }
    if (face == FONT_ARABIC || face == FONT_ARABIC_BOLD) {
        TTF_SetFontDirection(font, TTF_DIRECTION_RTL);
        TTF_SetFontScriptName(font, "Arab");
    }
    /* Evict the oldest slot when full. */
    if (fonts->n_slots == UI_FONT_SLOTS) {
        TTF_CloseFont(fonts->slots[0].font);
        memmove(&fonts->slots[0], &fonts->slots[1], (UI_FONT_SLOTS - 1) * sizeof fonts->slots[0]);
        fonts->n_slots--;
    }
    fonts->slots[fonts->n_slots++] = (ui_font_slot){.face = face, .px = px, .font = font};
    return font;
}

/* ---- Right-to-left text: runs of one direction and one font ----
 *
 * A line with Arabic (or Hebrew) is laid out right to left. It is cut into
 * runs: right-to-left letters (shaped by HarfBuzz in the Arabic font),
 * left-to-right runs (Latin words and digits, Arabic-Indic digits ٠-٩ too,
 * which keep their own order),
 * and characters the Arabic font lacks (e.g. "+" or the cursor "|"), which
 * fall back to Noto Sans. The runs are placed from the right, but a group of
 * left-to-right runs next to each other reads left to right. A line without
 * right-to-left letters is a single Latin run. A simplified form of the
 * Unicode bidirectional algorithm: neutrals between two left-to-right
 * characters are left to right, every other neutral follows the line. */

#define UI_MAX_RUNS 64
#define UI_MAX_RUN_CPS 1024

typedef struct ui_run {
    size_t start, len; /* bytes */
    int face;
    bool rtl;
} ui_run;

typedef enum { BIDI_L, BIDI_R, BIDI_N } ui_bidi;

static bool ui_cp_is_rtl(unsigned cp)
{
    return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFF);
}

/* Arabic-Indic and extended Arabic-Indic digits: Arabic script, but a
 * number reads left to right. */
static bool ui_cp_is_arabic_digit(unsigned cp)
{
    return (cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06F0 && cp <= 0x06F9);
}

static ui_bidi ui_cp_class(unsigned cp)
{
    if (ui_cp_is_arabic_digit(cp))
        return BIDI_L;
    if (ui_cp_is_rtl(cp))
        return BIDI_R;
    if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
        (cp >= 0xC0 && cp < 0x0590 && cp != 0xD7 && cp != 0xF7))
        return BIDI_L;
    return BIDI_N;
}

/* Decodes one UTF-8 code point at s (len bytes left); sets *n to its size. */
static unsigned ui_utf8_next(const char *s, size_t len, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80 || len < 2) {
        *n = 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0) {
        *n = 2;
        return (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if ((p[0] & 0xF0) == 0xE0 && len >= 3) {
        *n = 3;
        return (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    if ((p[0] & 0xF8) == 0xF0 && len >= 4) {
        *n = 4;
        return (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
               (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    }
    *n = 1;
    return 0xFFFD;
}

static TTF_Font *ui_fonts_get(ui_fonts *fonts, int face, int px);

/* Cuts s (len bytes) into runs in logical order. Returns how many. */
static int ui_split_runs(ui_fonts *fonts, const char *s, size_t len, int px, bool bold,
                         ui_run *runs)
{
    int latin = bold ? FONT_LATIN_BOLD : FONT_LATIN;
    int arabic = bold ? FONT_ARABIC_BOLD : FONT_ARABIC;
    bool any_rtl = false;
    for (size_t i = 0, n; i < len; i += n)
        any_rtl = ui_cp_is_rtl(ui_utf8_next(s + i, len - i, &n)) || any_rtl;
    runs[0] = (ui_run){.start = 0, .len = len, .face = latin, .rtl = false};
    if (!any_rtl)
        return 1;
    unsigned cps[UI_MAX_RUN_CPS];
    size_t offs[UI_MAX_RUN_CPS + 1];
    ui_bidi cls[UI_MAX_RUN_CPS];
    int n_cp = 0;
    size_t i = 0;
    while (i < len && n_cp < UI_MAX_RUN_CPS) {
        size_t n;
        offs[n_cp] = i;
        cps[n_cp] = ui_utf8_next(s + i, len - i, &n);
        cls[n_cp] = ui_cp_class(cps[n_cp]);
        n_cp++;
        i += n;
    }
    offs[n_cp] = i;
    /* Neutrals: left to right only between two left-to-right characters. */
    for (int k = 0; k < n_cp; k++) {
        if (cls[k] != BIDI_N)
            continue;
        int prev = k - 1, next = k + 1;
        while (prev >= 0 && cls[prev] == BIDI_N)
            prev--;
        while (next < n_cp && cls[next] == BIDI_N)
            next++;
        bool ltr = prev >= 0 && next < n_cp && cls[prev] == BIDI_L && cls[next] == BIDI_L;
        for (int j = k; j < next; j++)
            cls[j] = ltr ? BIDI_L : BIDI_R;
        k = next - 1;
    }
    TTF_Font *af = ui_fonts_get(fonts, arabic, px);
    int n_runs = 0;
    for (int k = 0; k < n_cp; k++) {
        bool rtl = cls[k] == BIDI_R;
        bool arabic_script = rtl || ui_cp_is_arabic_digit(cps[k]);
        int face = arabic_script && af && TTF_GlyphIsProvided32(af, cps[k]) ? arabic : latin;
        if (n_runs > 0 && runs[n_runs - 1].face == face && runs[n_runs - 1].rtl == rtl) {
            runs[n_runs - 1].len = offs[k + 1] - runs[n_runs - 1].start;
            continue;
        }
        if (n_runs == UI_MAX_RUNS) {
            runs[n_runs - 1].len = offs[n_cp] - runs[n_runs - 1].start;
            break;
        }
        runs[n_runs++] =
            (ui_run){.start = offs[k], .len = offs[k + 1] - offs[k], .face = face, .rtl = rtl};
    }
    if (i < len && n_runs > 0) /* past UI_MAX_RUN_CPS: the rest joins the last run */
        runs[n_runs - 1].len = len - runs[n_runs - 1].start;
    return n_runs;
}

static uint64_t ui_hash(const char *s, size_t len, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

/* Width of one run set in its own font (uncached). */
static int ui_run_width(ui_fonts *fonts, const char *s, size_t len, int face, int px)
{
    char buf[2048];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    TTF_Font *font = ui_fonts_get(fonts, face, px);
    int w = 0, h = 0;
    if (!font || TTF_SizeUTF8(font, buf, &w, &h) != 0)
        w = (int)len * px; /* pessimistic: never claims a text fits when unsure */
    return w;
}

static int ui_engine_width(void *ctx, const char *utf8, size_t len, int px, bool bold)
{
    ui_fonts *fonts = ctx;
    uint64_t key = ui_hash(utf8, len, (uint64_t)px << 1 | bold);
    ui_measure_slot *slot = &fonts->measures[key % UI_MEASURE_SLOTS];
    if (slot->key == key)
        return slot->width;
    ui_run runs[UI_MAX_RUNS];
    int n = ui_split_runs(fonts, utf8, len, px, bold, runs);
    int w = 0;
    for (int i = 0; i < n; i++)
        w += ui_run_width(fonts, utf8 + runs[i].start, runs[i].len, runs[i].face, px);
    slot->key = key;
    slot->width = w;
    return w;
}

static int ui_engine_line_height(void *ctx, int px)
{
    ui_fonts *fonts = ctx;
    TTF_Font *font = ui_fonts_get(fonts, FONT_LATIN, px);
    return font ? TTF_FontLineSkip(font) : px * 4 / 3;
}

ui_text_engine ui_fonts_engine(ui_fonts *fonts)
{
    return (ui_text_engine){
        .width = ui_engine_width, .line_height = ui_engine_line_height, .ctx = fonts};
}

/* ---- Renderer ---- */

typedef struct ui_texture_slot {
    uint64_t key;
    SDL_Texture *texture;
    int w, h;
    uint64_t used;
} ui_texture_slot;

struct ui_renderer {
    SDL_Renderer *sdl;
    ui_fonts *fonts;
    ui_text_engine engine;
    ui_texture_slot textures[UI_TEXTURE_SLOTS];
    uint64_t tick;
};

ui_renderer *ui_renderer_create(SDL_Renderer *renderer, ui_fonts *fonts)
{
    ui_renderer *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->sdl = renderer;
    r->fonts = fonts;
    r->engine = ui_fonts_engine(fonts);
    SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND);
    return r;
}

void ui_renderer_forget_text(ui_renderer *r)
{
    for (int i = 0; i < UI_TEXTURE_SLOTS; i++) {
        if (r->textures[i].texture)
            SDL_DestroyTexture(r->textures[i].texture);
        memset(&r->textures[i], 0, sizeof r->textures[i]);
    }
    memset(r->fonts->measures, 0, sizeof r->fonts->measures);
}

void ui_renderer_destroy(ui_renderer *r)
{
    if (!r)
        return;
    ui_renderer_forget_text(r);
    free(r);
}

/* The texture of one run of text, from the cache or rendered now. The
 * Arabic font shapes right to left, except a left-to-right run (digits). */
static ui_texture_slot *ui_run_texture(ui_renderer *r, const char *text, size_t len, int face,
                                       bool rtl, int px, ui_color c)
{
    uint64_t seed = (uint64_t)rtl << 60 | (uint64_t)px << 35 | (uint64_t)face << 32 |
                    (uint64_t)c.r << 24 | (uint64_t)c.g << 16 | (uint64_t)c.b << 8 | c.a;
    uint64_t key = ui_hash(text, len, seed);
    ui_texture_slot *slot = &r->textures[key % UI_TEXTURE_SLOTS];
    r->tick++;
    if (slot->texture && slot->key == key) {
        slot->used = r->tick;
        return slot;
    }
    char buf[2048];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (!buf[0])
        return NULL;
    TTF_Font *font = ui_fonts_get(r->fonts, face, px);
    if (!font)
        return NULL;
    bool arabic = face == FONT_ARABIC || face == FONT_ARABIC_BOLD;
    if (arabic && !rtl)
        TTF_SetFontDirection(font, TTF_DIRECTION_LTR);
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, buf, (SDL_Color){c.r, c.g, c.b, c.a});
    if (arabic && !rtl)
        TTF_SetFontDirection(font, TTF_DIRECTION_RTL);
    if (!s)
        return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(r->sdl, s);
    int w = s->w, h = s->h;
    SDL_FreeSurface(s);
    if (!t)
        return NULL;
    if (slot->texture)
        SDL_DestroyTexture(slot->texture);
    *slot = (ui_texture_slot){.key = key, .texture = t, .w = w, .h = h, .used = r->tick};
    return slot;
}

static void ui_draw_text(ui_renderer *r, const ui_cmd *cmd)
{
    ui_wrapped w;
    ui_wrap(&r->engine, cmd->text, cmd->px, cmd->bold, cmd->rect.w, &w);
    int lh = r->engine.line_height(r->engine.ctx, cmd->px);
    bool rtl = ui_text_is_rtl(cmd->text);
    int align = cmd->align;
    if (rtl && align == UI_ALIGN_LEFT)
        align = UI_ALIGN_RIGHT;
    else if (rtl && align == UI_ALIGN_RIGHT)
        align = UI_ALIGN_LEFT;
    TTF_Font *latin = ui_fonts_get(r->fonts, cmd->bold ? FONT_LATIN_BOLD : FONT_LATIN, cmd->px);
    int latin_h = latin ? TTF_FontHeight(latin) : cmd->px;
    for (int i = 0; i < w.n_lines; i++) {
        const char *line = cmd->text + w.start[i];
        size_t len = w.len[i];
        ui_run runs[UI_MAX_RUNS];
        int n = ui_split_runs(r->fonts, line, len, cmd->px, cmd->bold, runs);
        int line_w = r->engine.width(r->engine.ctx, line, len, cmd->px, cmd->bold);
        int x = cmd->rect.x;
        if (align == UI_ALIGN_CENTER)
            x += (cmd->rect.w - line_w) / 2;
        else if (align == UI_ALIGN_RIGHT)
            x += cmd->rect.w - line_w;
        /* Runs go from the right on a right-to-left line; a group of
         * left-to-right runs there is placed as a whole, read left to right. */
        int pen = rtl ? x + line_w : x;
        for (int k = 0; k < n;) {
            int end = k + 1;
            while (rtl && !runs[k].rtl && end < n && !runs[end].rtl)
                end++;
            if (rtl) {
                for (int j = k; j < end; j++) {
                    ui_texture_slot *t =
                        ui_run_texture(r, line + runs[j].start, runs[j].len, runs[j].face,
                                       runs[j].rtl, cmd->px, cmd->color);
                    pen -= t ? t->w : 0;
                }
            }
            int group_x = pen;
            for (; k < end; k++) {
                ui_texture_slot *t = ui_run_texture(r, line + runs[k].start, runs[k].len,
                                                    runs[k].face, runs[k].rtl, cmd->px, cmd->color);
                if (!t)
                    continue;
                /* A run in the Arabic font (taller, with deep marks below) is
                 * centred on the Latin font's box, so labels stay centred. */
                TTF_Font *f = ui_fonts_get(r->fonts, runs[k].face, cmd->px);
                int dy = f && f != latin ? (latin_h - TTF_FontHeight(f)) / 2 : 0;
                SDL_Rect dst = {pen, cmd->rect.y + i * lh + dy, t->w, t->h};
                SDL_RenderCopy(r->sdl, t->texture, NULL, &dst);
                pen += t->w;
            }
            if (rtl)
                pen = group_x;
        }
    }
}

#define UI_ARC_STEPS 8
#define UI_MAX_OUTLINE (4 * (UI_ARC_STEPS + 1))

/* The outline of a rounded rectangle, inset by `inset`, clockwise. */
static int ui_outline(ui_rect rc, int radius, float inset, SDL_FPoint *pts)
{
    float x0 = rc.x + inset, y0 = rc.y + inset;
    float x1 = rc.x + rc.w - inset, y1 = rc.y + rc.h - inset;
    float rad = radius - inset;
    float maxr = fminf(x1 - x0, y1 - y0) / 2;
    if (rad > maxr)
        rad = maxr;
    if (rad < 0)
        rad = 0;
    const float cx[4] = {x1 - rad, x1 - rad, x0 + rad, x0 + rad};
    const float cy[4] = {y0 + rad, y1 - rad, y1 - rad, y0 + rad};
    int n = 0;
    for (int corner = 0; corner < 4; corner++) {
        float start = (float)M_PI * (-0.5f + 0.5f * corner);
        for (int s = 0; s <= UI_ARC_STEPS; s++) {
            float a = start + (float)M_PI / 2 * s / UI_ARC_STEPS;
            pts[n++] = (SDL_FPoint){cx[corner] + rad * cosf(a), cy[corner] + rad * sinf(a)};
        }
    }
    return n;
}

static SDL_Vertex ui_vertex(SDL_FPoint p, ui_color c)
{
    return (SDL_Vertex){.position = p, .color = {c.r, c.g, c.b, c.a}};
}

/* A rounded rectangle: three plain rectangles for the body and a small fan
 * of triangles for each corner (far cheaper in software than one fan over
 * the whole area). Opaque colours are drawn without blending. */
static void ui_draw_fill(ui_renderer *r, ui_rect rc, int radius, ui_color c)
{
    int rad = radius;
    if (rad > rc.w / 2)
        rad = rc.w / 2;
    if (rad > rc.h / 2)
        rad = rc.h / 2;
    if (c.a == 255)
        SDL_SetRenderDrawBlendMode(r->sdl, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r->sdl, c.r, c.g, c.b, c.a);
    if (rad <= 0) {
        SDL_RenderFillRect(r->sdl, &(SDL_Rect){rc.x, rc.y, rc.w, rc.h});
        SDL_SetRenderDrawBlendMode(r->sdl, SDL_BLENDMODE_BLEND);
        return;
    }
    SDL_Rect body[3] = {
        {rc.x, rc.y + rad, rc.w, rc.h - 2 * rad},
        {rc.x + rad, rc.y, rc.w - 2 * rad, rad},
        {rc.x + rad, rc.y + rc.h - rad, rc.w - 2 * rad, rad},
    };
    SDL_RenderFillRects(r->sdl, body, 3);
    /* Corners: centre, then the arc from one edge to the other. */
    enum { STEPS = UI_ARC_STEPS };
    SDL_Vertex v[4 * (STEPS + 2)];
    int idx[4 * STEPS * 3];
    int nv = 0, ni = 0;
    const float cx[4] = {(float)(rc.x + rc.w - rad), (float)(rc.x + rc.w - rad),
                         (float)(rc.x + rad), (float)(rc.x + rad)};
    const float cy[4] = {(float)(rc.y + rad), (float)(rc.y + rc.h - rad),
                         (float)(rc.y + rc.h - rad), (float)(rc.y + rad)};
    for (int corner = 0; corner < 4; corner++) {
        int centre = nv;
        v[nv++] = ui_vertex((SDL_FPoint){cx[corner], cy[corner]}, c);
        float start = (float)M_PI * (-0.5f + 0.5f * corner);
        for (int k = 0; k <= STEPS; k++) {
            float ang = start + (float)M_PI / 2 * k / STEPS;
            v[nv++] = ui_vertex(
                (SDL_FPoint){cx[corner] + rad * cosf(ang), cy[corner] + rad * sinf(ang)}, c);
            if (k > 0) {
                idx[ni++] = centre;
                idx[ni++] = nv - 2;
                idx[ni++] = nv - 1;
            }
        }
    }
    SDL_RenderGeometry(r->sdl, NULL, v, nv, idx, ni);
    SDL_SetRenderDrawBlendMode(r->sdl, SDL_BLENDMODE_BLEND);
}

static void ui_draw_stroke(ui_renderer *r, ui_rect rc, int radius, int thickness, ui_color c)
{
    SDL_FPoint outer[UI_MAX_OUTLINE], inner[UI_MAX_OUTLINE];
    int n = ui_outline(rc, radius, 0, outer);
    ui_outline(rc, radius, (float)thickness, inner);
    SDL_Vertex v[UI_MAX_OUTLINE * 2];
    int idx[UI_MAX_OUTLINE * 6];
    for (int i = 0; i < n; i++) {
        v[2 * i] = ui_vertex(outer[i], c);
        v[2 * i + 1] = ui_vertex(inner[i], c);
        int j = (i + 1) % n;
        int *t = &idx[i * 6];
        t[0] = 2 * i;
        t[1] = 2 * j;
        t[2] = 2 * i + 1;
        t[3] = 2 * i + 1;
        t[4] = 2 * j;
        t[5] = 2 * j + 1;
    }
    SDL_RenderGeometry(r->sdl, NULL, v, n * 2, idx, n * 6);
}

#define UI_CIRCLE_STEPS 48

static void ui_draw_circle(ui_renderer *r, float cx, float cy, float rad, ui_color c)
{
    SDL_Vertex v[UI_CIRCLE_STEPS + 1];
    int idx[UI_CIRCLE_STEPS * 3];
    v[0] = ui_vertex((SDL_FPoint){cx, cy}, c);
    for (int i = 0; i < UI_CIRCLE_STEPS; i++) {
        float a = 2 * (float)M_PI * i / UI_CIRCLE_STEPS;
        v[i + 1] = ui_vertex((SDL_FPoint){cx + rad * cosf(a), cy + rad * sinf(a)}, c);
        idx[i * 3] = 0;
        idx[i * 3 + 1] = i + 1;
        idx[i * 3 + 2] = (i + 1) % UI_CIRCLE_STEPS + 1;
    }
    SDL_RenderGeometry(r->sdl, NULL, v, UI_CIRCLE_STEPS + 1, idx, UI_CIRCLE_STEPS * 3);
}

/* Eyes and a mouth curved by mood (1 = very sad .. 5 = very happy). */
static void ui_draw_face(ui_renderer *r, ui_rect rc, int mood, ui_color ink)
{
    float cx = rc.x + rc.w / 2.0f, cy = rc.y + rc.h / 2.0f, rad = rc.w / 2.0f;
    ui_draw_circle(r, cx - rad * 0.35f, cy - rad * 0.25f, rad * 0.11f, ink);
    ui_draw_circle(r, cx + rad * 0.35f, cy - rad * 0.25f, rad * 0.11f, ink);
    enum { STEPS = 16 };
    float curve = (mood - 3) / 2.0f; /* -1 .. 1 */
    float half = rad * 0.45f, base = cy + rad * 0.35f, depth = rad * 0.25f;
    float thick = rad * 0.07f;
    SDL_Vertex v[(STEPS + 1) * 2];
    int idx[STEPS * 6];
    for (int i = 0; i <= STEPS; i++) {
        float t = -1 + 2.0f * i / STEPS;
        float x = cx + t * half;
        float y = base + curve * depth * (1 - t * t) - curve * depth * 0.5f;
        v[2 * i] = ui_vertex((SDL_FPoint){x, y - thick}, ink);
        v[2 * i + 1] = ui_vertex((SDL_FPoint){x, y + thick}, ink);
        if (i < STEPS) {
            int *q = &idx[i * 6];
            q[0] = 2 * i;
            q[1] = 2 * i + 2;
            q[2] = 2 * i + 1;
            q[3] = 2 * i + 1;
            q[4] = 2 * i + 2;
            q[5] = 2 * i + 3;
        }
    }
    SDL_RenderGeometry(r->sdl, NULL, v, (STEPS + 1) * 2, idx, STEPS * 6);
}

void ui_renderer_draw(ui_renderer *r, const ui_frame *frame, ui_color bg)
{
    SDL_SetRenderDrawColor(r->sdl, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r->sdl);
    for (size_t i = 0; i < frame->n_cmds; i++) {
        const ui_cmd *cmd = &frame->cmds[i];
        switch (cmd->kind) {
        case UI_CMD_FILL:
            ui_draw_fill(r, cmd->rect, cmd->radius, cmd->color);
            break;
        case UI_CMD_STROKE:
            ui_draw_stroke(r, cmd->rect, cmd->radius, cmd->thickness, cmd->color);
            break;
        case UI_CMD_TEXT:
            ui_draw_text(r, cmd);
            break;
        case UI_CMD_CIRCLE:
            ui_draw_circle(r, cmd->rect.x + cmd->rect.w / 2.0f, cmd->rect.y + cmd->rect.h / 2.0f,
                           cmd->rect.w / 2.0f, cmd->color);
            break;
        case UI_CMD_FACE:
            ui_draw_face(r, cmd->rect, cmd->mood, cmd->color);
            break;
        }
    }
}

int ui_renderer_save_png(SDL_Renderer *renderer, const char *path)
{
    int w, h;
    if (SDL_GetRendererOutputSize(renderer, &w, &h) != 0)
        return -1;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s)
        return -1;
    int rc = SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch);
    if (rc == 0)
        rc = IMG_SavePNG(s, path);
    SDL_FreeSurface(s);
    return rc == 0 ? 0 : -1;
}
