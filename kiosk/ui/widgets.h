/* widgets.h: the building blocks every screen module uses (resident
 * screens in screens.c, staff mode, live mode): layout metrics relative to
 * the display, the kiosk's own words, and buttons. */
#ifndef BK_WIDGETS_H
#define BK_WIDGETS_H

#include "app.h"
#include "strings.h"
#include "ui.h"

/* Layout metrics of one frame. */
typedef struct metrics {
    int W, H;
    double u;     /* 1% of the shorter side */
    double scale; /* text scale: 1 or APP_TEXT_SCALE_BIG */
    int margin;   /* outer margin */
    int gap;      /* between targets (at least 2 mm) */
    int target;   /* smallest tappable size (15 mm) */
    int radius;
    int edge; /* control edge width */
    int px_question, px_answer, px_secondary, px_min;
    const ui_theme *theme;
} metrics;

/* The metrics of the app's display, text size and theme now. */
metrics metrics_for(const app *a);

/* The kiosk's word id in the UI language now. */
const char *tr(const app *a, str_id id);

typedef enum button_style {
    BUTTON_PLAIN,
    BUTTON_SELECTED,
    BUTTON_PRIMARY,
    BUTTON_DISABLED
} button_style;

/* The part of a button of rect r its label may use (inside the padding). */
ui_rect button_inner(const metrics *m, ui_rect r);

/* A button: surface, edge, label centred (shrunk down to m->px_min to
 * fit); adds the tappable widget carrying the label. */
void button(app *a, const metrics *m, ui_rect r, const char *label, ui_action act, int arg,
            button_style style, int px);

/* "A+" (and on question screens the language switch) at the top right, at
 * height y. Returns the x where they start. */
int corner_controls(app *a, const metrics *m, int y);

/* A full-screen message: a big title and one line, on bg in ink. */
void build_message(app *a, const metrics *m, const char *title, const char *line, ui_color bg,
                   ui_color ink);

#endif
