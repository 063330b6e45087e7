/* ui.h: the kiosk's drawing model. Screens build a frame: a list of plain
 * draw commands (rectangles, text, faces) plus a list of widgets (what can
 * be tapped, and every visible text, for replays and layout tests). One SDL
 * backend (ui_render.c) executes the commands. Text is measured through a
 * ui_text_engine, so layout is computed the same way for the screen, for
 * screenshots and for tests. */
#ifndef BK_UI_H
#define BK_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ui_rect {
    int x, y, w, h;
} ui_rect;

typedef struct ui_color {
    uint8_t r, g, b, a;
} ui_color;

/* ---- Theme ---- */

typedef struct ui_theme {
    const char *name;
    ui_color background;     /* page */
    ui_color text;           /* on background */
    ui_color text_secondary; /* on background */
    ui_color surface;        /* buttons, cards */
    ui_color surface_text;   /* on surface */
    ui_color selected;       /* chosen answer, progress fill */
    ui_color selected_text;  /* on selected */
    ui_color edge;           /* button borders, on background */
    ui_color disabled_text;  /* on surface, for a full multi */
    ui_color error;          /* out-of-service banner */
    ui_color error_text;
    ui_color dim; /* idle overlay */
} ui_theme;

/* The default theme (DESIGN-BRIEF palette) and the high-contrast one. */
const ui_theme *ui_theme_default(void);
const ui_theme *ui_theme_high_contrast(void);

/* WCAG 2 contrast ratio of two opaque colours (1..21). */
double ui_contrast_ratio(ui_color a, ui_color b);

/* ---- Text ---- */

/* Horizontal alignment, optionally or-ed with UI_VCENTER. For right-to-left
 * text, LEFT and RIGHT swap (the start of the line is on the right). */
typedef enum ui_align {
    UI_ALIGN_LEFT = 0,
    UI_ALIGN_CENTER = 1,
    UI_ALIGN_RIGHT = 2,
    UI_VCENTER = 4
} ui_align;

/* Measures text set at px pixels: width of the run and the line height.
 * Implemented by ui_text.c with SDL2_ttf; tests may supply a fake. */
typedef struct ui_text_engine {
    int (*width)(void *ctx, const char *utf8, size_t len, int px, bool bold);
    int (*line_height)(void *ctx, int px);
    void *ctx;
} ui_text_engine;

#define UI_MAX_LINES 16

/* The result of wrapping a text into a width: byte ranges of each line. */
typedef struct ui_wrapped {
    size_t start[UI_MAX_LINES], len[UI_MAX_LINES];
    int n_lines;
    int width;     /* widest line */
    int height;    /* n_lines * line height */
    bool overflow; /* a word wider than the box, or more lines than UI_MAX_LINES */
} ui_wrapped;

/* Wraps utf8 at word boundaries (and at '\n') into lines at most max_w wide. */
void ui_wrap(const ui_text_engine *te, const char *utf8, int px, bool bold, int max_w,
             ui_wrapped *out);

/* True when the text contains right-to-left script (Arabic, Hebrew). */
bool ui_text_is_rtl(const char *utf8);

/* ---- Frame: draw commands and widgets ---- */

typedef enum ui_cmd_kind {
    UI_CMD_FILL,   /* rounded rectangle, filled */
    UI_CMD_STROKE, /* rounded rectangle outline, `thickness` wide */
    UI_CMD_TEXT,   /* wrapped text in a box */
    UI_CMD_FACE,   /* a smiley face, mood 1..5 */
    UI_CMD_CIRCLE, /* filled circle in rect */
} ui_cmd_kind;

typedef struct ui_cmd {
    ui_cmd_kind kind;
    ui_rect rect;
    ui_color color;
    int radius;       /* corners */
    int thickness;    /* stroke */
    const char *text; /* frame-owned */
    int px;
    bool bold;
    int align; /* ui_align */
    int mood;  /* face */
} ui_cmd;

typedef enum ui_action {
    UI_ACT_NONE = 0,
    UI_ACT_START,       /* "Doe mee" */
    UI_ACT_LANGUAGE,    /* arg = language index */
    UI_ACT_BIGGER_TEXT, /* "A+" */
    UI_ACT_CONTRAST,    /* high-contrast theme on/off */
    UI_ACT_ANSWER,      /* arg = value or option index */
    UI_ACT_NEXT,
    UI_ACT_BACK,
    UI_ACT_SKIP,
    UI_ACT_KEY, /* arg = index into the keyboard's keys */
    UI_ACT_STILL_HERE,
    UI_ACT_THANKS_DONE,
    UI_ACT_NUMBER_STEP, /* arg = delta */
    UI_ACT_MODULE,      /* arg = app_module_arg(module, sub) */
    UI_ACT_COUNT
} ui_action;

typedef struct ui_widget {
    ui_rect rect;
    const char *label; /* the text it shows (frame-owned); NULL for none */
    ui_action action;  /* UI_ACT_NONE for plain text */
    int arg;
    bool overflow; /* its text does not fit its box */
} ui_widget;

#define UI_MAX_CMDS 1024
#define UI_MAX_WIDGETS 256
#define UI_ARENA_BYTES (64 * 1024)
#define UI_MAX_KEPT 4

/* A run of a frame's commands [cmd0, cmd1) and widgets [widget0, widget1). */
typedef struct ui_span {
    size_t cmd0, cmd1, widget0, widget1;
} ui_span;

typedef struct ui_frame {
    int width, height;
    ui_cmd cmds[UI_MAX_CMDS];
    size_t n_cmds;
    ui_widget widgets[UI_MAX_WIDGETS];
    size_t n_widgets;
    char arena[UI_ARENA_BYTES]; /* copies of the texts shown */
    size_t arena_used;
    bool full; /* a limit was reached: something was left out */
    /* Right-to-left: set by the builder before it builds when it will call
     * ui_frame_mirror at the end, so parts can lay themselves out in
     * left-to-right order and let the mirror place them. */
    bool mirror;
    ui_span kept[UI_MAX_KEPT]; /* spans ui_frame_mirror leaves in place */
    size_t n_kept;
} ui_frame;

/* Empties f for a new frame of width x height pixels (not mirrored). */
void ui_frame_reset(ui_frame *f, int width, int height);

/* Copies s into the frame's arena; returns the copy (valid until reset), or
 * "" when the arena is full (and sets f->full). */
const char *ui_frame_strdup(ui_frame *f, const char *s);

void ui_fill(ui_frame *f, ui_rect r, ui_color c, int radius);
void ui_stroke(ui_frame *f, ui_rect r, ui_color c, int radius, int thickness);
void ui_circle(ui_frame *f, ui_rect r, ui_color c);
void ui_face(ui_frame *f, ui_rect r, int mood, ui_color fill, ui_color ink);

/* Adds text wrapped into box at the largest size from px down to min_px that
 * fits; records a widget (for expect-text and overflow checks). Returns the
 * height used. */
int ui_text(ui_frame *f, const ui_text_engine *te, ui_rect box, const char *text, int px,
            int min_px, bool bold, ui_color color, ui_align align);

/* Draws text like ui_text but adds no widget (e.g. a button's own label;
 * the button is the widget). *overflow is set when it does not fit. */
int ui_text_draw(ui_frame *f, const ui_text_engine *te, ui_rect box, const char *text, int px,
                 int min_px, bool bold, ui_color color, ui_align align, bool *overflow);

/* Adds a tappable widget with no drawing of its own. */
ui_widget *ui_widget_add(ui_frame *f, ui_rect r, const char *label, ui_action action, int arg);

/* The tappable widget under (x, y), or NULL. Later widgets are on top. */
const ui_widget *ui_hit(const ui_frame *f, int x, int y);

/* Marks the commands and widgets added since cmd0 and widget0 to stay where
 * they are when the frame is mirrored (an on-screen keyboard keeps the
 * physical order of its keys). Sets f->full when UI_MAX_KEPT spans are
 * already kept. */
void ui_frame_keep_unmirrored(ui_frame *f, size_t cmd0, size_t widget0);

/* Mirrors the frame for a right-to-left language: every command's and
 * widget's rect moves to x' = width - x - w, except the kept spans. A text
 * command whose text is not right-to-left (e.g. a lone cursor "|" or a
 * Latin name) swaps LEFT and RIGHT alignment, so it starts at the right as
 * the right-to-left text around it does (the renderer already swaps them
 * for right-to-left text). */
void ui_frame_mirror(ui_frame *f);

/* True when rect a and b overlap. */
bool ui_rect_overlaps(ui_rect a, ui_rect b);

#endif
