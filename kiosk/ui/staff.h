/* staff.h: staff mode (docs/staff.md), a screen module of the app.
 *
 * Hidden from residents: a press held STAFF_HOLD_MS in the top-left corner
 * (a square of the smallest target size) on any screen opens the PIN pad;
 * a resident's half-finished response is kept as partial first. The PIN is
 * checked against [staff] pin_hash with the lockout of pin.h (shown as a
 * countdown, logged and recorded as a store event). Then the status screen:
 * kiosk, version, survey, counts, last sync and last error in plain words,
 * free disk space, responses per day for 14 days, recent notices; with
 * "Nu versturen" (progress from the sync worker, the screen stays usable),
 * the export to a USB stick (export.h; BK_EXPORT_DIR overrides where),
 * the choice of survey and mode (kept across restarts), live mode's
 * control screen when the kiosk is in live mode, and "Kiosk afsluiten"
 * with a confirmation. Staff mode leaves by itself after STAFF_IDLE_MS
 * without a touch. Every function runs on the UI thread. */
#ifndef BK_STAFF_H
#define BK_STAFF_H

#include "app.h"

#define STAFF_HOLD_MS 3000   /* the hidden press in the top-left corner */
#define STAFF_IDLE_MS 120000 /* staff mode closes after 2 minutes untouched */
#define STAFF_CHART_DAYS 14  /* the bar chart of responses per day */
#define STAFF_MAX_EVENTS 3   /* recent notices on the status screen */

/* The module (listed in app_modules.c). */
extern const app_module staff_module;

/* True while a staff screen shows (the PIN pad included). */
bool staff_is_open(const app *a);

#endif
