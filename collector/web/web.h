/* web.h: the wijkdashboard, the collector's web interface for municipal
 * staff, served at the root of the collector's address (the protocol
 * stays under base_path): login and sessions, the overview per wijk and
 * dorp with the social-cohesion score, each area's results, its ideas
 * (with moderation), the kiosks, publishing surveys, exports and API keys.
 * docs/dashboard.md describes every page. Everything kept goes through
 * storage.h; no SQL here. Pages are plain HTML with the numbers in tables
 * (useful without JavaScript and to a screen reader); the charts are drawn
 * from those tables by Chart.js, served by the collector itself. */
#ifndef BK_WEB_H
#define BK_WEB_H

#include "clock.h"
#include "collector_config.h"
#include "diag.h"
#include "error.h"
#include "http_message.h"
#include "storage.h"

typedef struct web web;

typedef struct web_options {
    storage *st;                 /* not owned; must outlive the web */
    const collector_config *cfg; /* not owned: [dashboard], [areas], base_path */
    bk_clock clock;
    const char *assets_dir; /* NULL: collector/web/static of the source, or the installed */
    const char *chart_js;   /* NULL: Debian's libjs-chart.js */
} web_options;

/* Makes the web interface, reading its static files (style, script,
 * Chart.js) once. Returns BK_OK with a new web in *out, BK_ERR_IO with the
 * file that is missing in diag, or BK_ERR_NOMEM. */
bk_err web_create(const web_options *o, web **out, bk_diag *diag);

/* Frees w. NULL is a no-op. */
void web_destroy(web *w);

/* Answers one request of the web interface into *out (zeroed by the
 * caller). Never fails: every problem is a page with its status code.
 * Thread-safe: ctx is a web. (An http_web_fn for http_server.h.) */
void web_handle(void *ctx, const http_request *req, http_reply *out);

#endif
