/* web_internal.h: what the files of the web interface share: the handle,
 * one request's context (who asks, in which language), and the page
 * frame. Not for use outside collector/web/. */
#ifndef BK_WEB_INTERNAL_H
#define BK_WEB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <sodium.h>

#include "survey.h"
#include "web.h"
#include "web_buf.h"

/* One static file, read once at start. */
typedef struct web_asset {
    const char *url; /* "/static/app.js" */
    const char *content_type;
    char *data;
    size_t len;
} web_asset;

#define WEB_ASSETS 4

struct web {
    storage *st;
    const collector_config *cfg;
    bk_clock clock;
    web_asset assets[WEB_ASSETS];
    char dummy_hash[crypto_pwhash_STRBYTES]; /* for names no account has */
};

/* One request as the pages see it. */
typedef struct web_req {
    web *w;
    const http_request *req;
    http_reply *out;
    bool en;           /* English; else Dutch */
    bool logged_in;    /* a valid session: user and session are set */
    storage_user user; /* who is logged in */
    storage_session session;
    char session_hash[65];
} web_req;

/* The Dutch or the English text, by the request's language. */
#define WEB_L(r, nl, en_text) ((r)->en ? (en_text) : (nl))

/* The value of a query argument or form field, or NULL. */
const char *web_query(const web_req *r, const char *name);
const char *web_form(const web_req *r, const char *name);

/* True when the user may see area (its id; "" is responses without one). */
bool web_may_see_area(const web_req *r, const char *area);

/* True when the user may change things (admin and wijkmakelaar; a viewer
 * changes nothing). */
bool web_may_change(const web_req *r);

/* True when the form carries the session's CSRF token (constant time). */
bool web_csrf_ok(const web_req *r);

/* Starts a page: the head, the navigation (current: "overview", "kiosks",
 * "surveys", "account" or NULL), the language switch and logout, and the
 * <main> with its h1 (title, escaped). */
void web_page_begin(web_req *r, web_buf *b, const char *title, const char *current);

/* Ends the page and answers it with status. */
void web_page_send(web_req *r, web_buf *b, int status);

/* Answers a short page with the message (our own text) and status. */
void web_page_error(web_req *r, int status, const char *message);

/* Answers 303 See Other to location (a path of ours). */
void web_redirect(web_req *r, const char *location);

/* Appends the hidden CSRF field of the session's forms. */
void web_csrf_field(web_req *r, web_buf *b);

/* The display name of an area id ("" is "no area"). */
const char *web_area_name(const web_req *r, const char *area);

/* "YYYY-MM" of the wall-clock ms in UTC (as the kiosks' started_at) into
 * out[8]. */
void web_month_of(int64_t wall_ms, char out[8]);

/* The month add months after month ("YYYY-MM") into out[8]; false when
 * month is not such a month. */
bool web_month_add(const char *month, int add, char out[8]);

/* The definition of survey id at the highest version up to version that
 * the collector holds (version 0: the highest there is, tried from 64
 * down), or NULL. Caller frees with survey_free. */
survey *web_survey_load(web_req *r, const char *survey_id, int version);

/* ---- the pages (web_pages.c, web_ideas.c, web_manage.c, web_admin.c) ---- */
void web_page_overview(web_req *r);
void web_page_area(web_req *r, const char *area);
void web_page_ideas(web_req *r, const char *area);
void web_ideas_moderate(web_req *r, const char *area);
void web_page_kiosks(web_req *r);
/* The kiosks page with a message (error or notice; may be NULL) and a new
 * token to show once (may be NULL), answered with status. */
void web_kiosks_result(web_req *r, int status, bool error, const char *message, const char *token);
/* web_admin.c: accounts and kiosks, for admins. */
void web_page_users(web_req *r);
void web_users_change(web_req *r, bool remove);
void web_kiosks_change(web_req *r, bool revoke);
void web_kiosks_admin(web_req *r, web_buf *b);
void web_kiosk_revoke_button(web_req *r, web_buf *b, const storage_kiosk *k);
void web_page_surveys(web_req *r);
void web_page_account(web_req *r);
void web_account_keys(web_req *r, bool revoke);
void web_export(web_req *r);
void web_api_export(web_req *r);

#endif
