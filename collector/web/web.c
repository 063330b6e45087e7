/* web.c: the web interface's front door: its static files, the routes,
 * the login (argon2id hashes through libsodium, a lock that doubles),
 * sessions (a random id in an HttpOnly, SameSite=Strict cookie; only its
 * SHA-256 kept; idle and absolute time-outs), the CSRF token every form
 * carries, and the page frame. */
#include "web_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define WEB_SESSION_COOKIE "bk_session"
#define WEB_PRE_COOKIE "bk_pre" /* the login form's CSRF token, before a session exists */
#define WEB_TOUCH_MS 30000      /* a session's last use is written at most this often */

#ifndef BK_SOURCE_DIR
#define BK_SOURCE_DIR "."
#endif

/* ---- static files ---- */

static char *web_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 262144;
            char *g = realloc(data, cap);
            if (!g) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = g;
        }
        size_t got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

/* The first folder of the candidates that holds style.css. */
static const char *web_assets_dir(const web_options *o, char *buf, size_t size)
{
    const char *candidates[] = {o->assets_dir, BK_SOURCE_DIR "/collector/web/static",
                                "/usr/share/buurtkiosk-collector/web"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (!candidates[i])
            continue;
        snprintf(buf, size, "%s/style.css", candidates[i]);
        FILE *f = fopen(buf, "rb");
        if (f) {
            fclose(f);
            return candidates[i];
        }
        if (candidates[i] == o->assets_dir)
            return o->assets_dir; /* given: its absence is the error to report */
    }
    return "/usr/share/buurtkiosk-collector/web";
}

bk_err web_create(const web_options *o, web **out, bk_diag *diag)
{
    *out = NULL;
    web *w = calloc(1, sizeof *w);
    if (!w)
        return BK_ERR_NOMEM;
    w->st = o->st;
    w->cfg = o->cfg;
    w->clock = o->clock;
    unsigned char nobody[32];
    randombytes_buf(nobody, sizeof nobody);
    if (crypto_pwhash_str(w->dummy_hash, (const char *)nobody, sizeof nobody,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        free(w);
        return BK_ERR_NOMEM;
    }
    char probe[4096];
    const char *dir = web_assets_dir(o, probe, sizeof probe);
    const char *chart = o->chart_js ? o->chart_js : "/usr/share/javascript/chart.js/chart.min.js";
    const struct {
        const char *url, *type, *file;
        bool in_dir;
    } files[WEB_ASSETS] = {
        {"/static/style.css", "text/css; charset=utf-8", "style.css", true},
        {"/static/app.js", "text/javascript; charset=utf-8", "app.js", true},
        {"/static/favicon.svg", "image/svg+xml", "favicon.svg", true},
        {"/static/chart.min.js", "text/javascript; charset=utf-8", chart, false},
    };
    for (int i = 0; i < WEB_ASSETS; i++) {
        char path[4096];
        if (files[i].in_dir)
            snprintf(path, sizeof path, "%s/%s", dir, files[i].file);
        else
            snprintf(path, sizeof path, "%s", files[i].file);
        w->assets[i].url = files[i].url;
        w->assets[i].content_type = files[i].type;
        w->assets[i].data = web_read_file(path, &w->assets[i].len);
        if (!w->assets[i].data) {
            diag_add(diag, "%s: cannot read it (%s)%s", path, strerror(errno ? errno : EIO),
                     files[i].in_dir ? ""
                                     : "; the charts need Debian's libjs-chart.js "
                                       "(apt-get install libjs-chart.js)");
            web_destroy(w);
            return BK_ERR_IO;
        }
    }
    *out = w;
    return BK_OK;
}

void web_destroy(web *w)
{
    if (!w)
        return;
    for (int i = 0; i < WEB_ASSETS; i++)
        free(w->assets[i].data);
    free(w);
}

static void web_send_asset(web_req *r, const web_asset *a)
{
    http_reply *o = r->out;
    o->status = 200;
    o->body = malloc(a->len + 1);
    if (!o->body) {
        o->status = 503;
        return;
    }
    memcpy(o->body, a->data, a->len + 1);
    o->body_len = a->len;
    o->content_type = a->content_type;
    o->max_age_s = 3600;
    o->web = true;
}

/* ---- small helpers the pages share ---- */

const char *web_query(const web_req *r, const char *name)
{
    const http_param *p = http_param_find(r->req->query, r->req->n_query, name);
    return p ? p->value : NULL;
}

const char *web_form(const web_req *r, const char *name)
{
    const http_param *p = http_param_find(r->req->form, r->req->n_form, name);
    return p ? p->value : NULL;
}

static const char *web_cookie(const web_req *r, const char *name)
{
    const http_param *p = http_param_find(r->req->cookies, r->req->n_cookies, name);
    return p ? p->value : NULL;
}

bool web_may_see_area(const web_req *r, const char *area)
{
    if (r->user.role != STORAGE_ROLE_WIJKMAKELAAR)
        return true;
    size_t len = strlen(area);
    if (len == 0)
        return false;
    for (const char *p = r->user.areas; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, area, n) == 0)
            return true;
        p += n + (end ? 1 : 0);
    }
    return false;
}

bool web_may_change(const web_req *r)
{
    return r->user.role != STORAGE_ROLE_VIEWER;
}

bool web_csrf_ok(const web_req *r)
{
    const char *t = web_form(r, "csrf");
    size_t n = strlen(r->session.csrf);
    return t && n > 0 && strlen(t) == n && sodium_memcmp(t, r->session.csrf, n) == 0;
}

const char *web_area_name(const web_req *r, const char *area)
{
    if (!area[0])
        return WEB_L(r, "Zonder wijk", "No area");
    return collector_config_area_name(r->w->cfg, area, r->en ? "en" : "nl");
}

void web_month_of(int64_t wall_ms, char out[8])
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    unsigned year = (unsigned)(tm.tm_year + 1900) % 10000u, month = (unsigned)tm.tm_mon % 12u + 1u;
    snprintf(out, 8, "%04u-%02u", year, month);
}

bool web_month_add(const char *month, int add, char out[8])
{
    int y, m;
    char extra;
    if (!month || strlen(month) != 7 || month[4] != '-' ||
        sscanf(month, "%4d-%2d%c", &y, &m, &extra) != 2 || y < 1970 || y > 9999 || m < 1 || m > 12)
        return false;
    int total = y * 12 + (m - 1) + add;
    if (total < 1970 * 12 || total > 9999 * 12 + 11)
        return false;
    unsigned ny = (unsigned)(total / 12) % 10000u, nm = (unsigned)(total % 12) % 12u + 1u;
    snprintf(out, 8, "%04u-%02u", ny, nm);
    return true;
}

survey *web_survey_load(web_req *r, const char *survey_id, int version)
{
    for (int v = version > 0 ? version : 64; v >= 1; v--) {
        char *json = NULL;
        if (storage_survey_get(r->w->st, survey_id, v, &json) != BK_OK)
            continue;
        bk_diag diag = {0};
        survey *s = survey_load_string(json, strlen(json), survey_id, &diag);
        diag_clear(&diag);
        free(json);
        if (s)
            return s;
    }
    return NULL;
}

/* ---- the page frame ---- */

void web_csrf_field(web_req *r, web_buf *b)
{
    web_buf_raw(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    web_buf_text(b, r->session.csrf);
    web_buf_raw(b, "\">");
}

/* The current path with its query, lang replaced by other_lang. */
static void web_lang_link(web_req *r, web_buf *b)
{
    web_buf_text(b, r->req->path);
    web_buf_raw(b, "?lang=");
    web_buf_raw(b, r->en ? "nl" : "en");
    for (size_t i = 0; i < r->req->n_query; i++) {
        if (strcmp(r->req->query[i].name, "lang") == 0)
            continue;
        web_buf_raw(b, "&amp;");
        web_buf_url(b, r->req->query[i].name);
        web_buf_raw(b, "=");
        web_buf_url(b, r->req->query[i].value);
    }
}

void web_page_begin(web_req *r, web_buf *b, const char *title, const char *current)
{
    web_buf_fmt(b,
                "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>",
                r->en ? "en" : "nl");
    web_buf_text(b, title);
    web_buf_raw(b, " - Wijkdashboard</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
                   "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
                   "<script src=\"/static/chart.min.js\" defer></script>"
                   "<script src=\"/static/app.js\" defer></script></head><body>");
    web_buf_fmt(b,
                "<a class=\"skip\" href=\"#main\">%s</a><header><p class=\"brand\">"
                "Buurtkiosk <span>Wijkdashboard</span></p>",
                WEB_L(r, "Naar de inhoud", "Skip to content"));
    if (r->logged_in) {
        static const struct {
            const char *key, *href, *nl, *en;
            bool admin;
        } nav[] = {
            {"overview", "/", "Overzicht", "Overview", false},
            {"kiosks", "/kiosks", "Kiosken", "Kiosks", false},
            {"surveys", "/surveys", "Enquêtes", "Surveys", true},
            {"users", "/users", "Accounts", "Accounts", true},
            {"account", "/account", "Account", "Account", false},
        };
        web_buf_fmt(b, "<nav aria-label=\"%s\"><ul>", WEB_L(r, "Hoofdmenu", "Main menu"));
        for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
            if (nav[i].admin && r->user.role != STORAGE_ROLE_ADMIN)
                continue;
            bool here = current && strcmp(current, nav[i].key) == 0;
            web_buf_fmt(b, "<li><a href=\"%s\"%s>%s</a></li>", nav[i].href,
                        here ? " aria-current=\"page\"" : "", r->en ? nav[i].en : nav[i].nl);
        }
        web_buf_raw(b, "</ul></nav><div class=\"who\"><span>");
        web_buf_text(b, r->user.name);
        web_buf_fmt(b, " (%s)</span> ", storage_role_name(r->user.role));
    } else {
        web_buf_raw(b, "<div class=\"who\">");
    }
    web_buf_raw(b, "<a class=\"lang\" href=\"");
    web_lang_link(r, b);
    web_buf_fmt(b, "\" hreflang=\"%s\" lang=\"%s\">%s</a>", r->en ? "nl" : "en",
                r->en ? "nl" : "en", r->en ? "Nederlands" : "English");
    if (r->logged_in) {
        web_buf_raw(b, "<form method=\"post\" action=\"/logout\" class=\"logout\">");
        web_csrf_field(r, b);
        web_buf_fmt(b, "<button type=\"submit\">%s</button></form>",
                    WEB_L(r, "Uitloggen", "Log out"));
    }
    web_buf_raw(b, "</div></header><main id=\"main\"><h1>");
    web_buf_text(b, title);
    web_buf_raw(b, "</h1>");
}

void web_page_send(web_req *r, web_buf *b, int status)
{
    web_buf_raw(b, "</main></body></html>\n");
    http_reply *o = r->out;
    o->web = true;
    o->body = web_buf_take(b);
    if (!o->body) {
        o->status = 503;
        o->content_type = NULL;
        return;
    }
    o->status = status;
    o->content_type = "text/html; charset=utf-8";
}

void web_page_error(web_req *r, int status, const char *message)
{
    web_buf b = {0};
    char title[32];
    snprintf(title, sizeof title, "%s %d", WEB_L(r, "Fout", "Error"), status);
    web_page_begin(r, &b, title, NULL);
    web_buf_raw(&b, "<p class=\"error\" role=\"alert\">");
    web_buf_text(&b, message);
    web_buf_fmt(&b, "</p><p><a href=\"/\">%s</a></p>",
                WEB_L(r, "Naar het overzicht", "To the overview"));
    web_page_send(r, &b, status);
}

void web_redirect(web_req *r, const char *location)
{
    r->out->status = 303;
    r->out->web = true;
    snprintf(r->out->location, sizeof r->out->location, "%s", location);
}

/* ---- sessions and the login ---- */

static void web_sha256_hex(const char *text, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, 65, h, sizeof h);
}

static void web_random_hex(char *out, size_t bytes)
{
    unsigned char buf[32];
    randombytes_buf(buf, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, buf, bytes);
}

static void web_cookie_set(web_req *r, int slot, const char *name, const char *value, int max_age_s)
{
    char age[32] = "";
    if (max_age_s >= 0)
        snprintf(age, sizeof age, "; Max-Age=%d", max_age_s);
    snprintf(r->out->set_cookie[slot], sizeof r->out->set_cookie[slot],
             "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value, age,
             r->req->tls ? "; Secure" : "");
}

/* Finds the request's session; sets r->logged_in, user and session. An
 * expired session is ended. Returns false only on a storage failure
 * (answered already). */
static bool web_session_load(web_req *r)
{
    const char *id = web_cookie(r, WEB_SESSION_COOKIE);
    if (!id || strlen(id) != 64)
        return true;
    web_sha256_hex(id, r->session_hash);
    bk_err err = storage_session_get(r->w->st, r->session_hash, &r->session);
    if (err == BK_ERR_NOT_FOUND)
        return true;
    if (err != BK_OK) {
        web_page_error(r, 503,
                       WEB_L(r, "De database antwoordt niet; probeer het zo opnieuw.",
                             "The database does not answer; try again shortly."));
        return false;
    }
    const int64_t now = clock_wall_ms(&r->w->clock);
    const collector_config *cfg = r->w->cfg;
    if (now - r->session.last_ms > (int64_t)cfg->dashboard.session_idle_s * 1000 ||
        now - r->session.created_ms > (int64_t)cfg->dashboard.session_max_s * 1000) {
        storage_session_remove(r->w->st, r->session_hash);
        memset(&r->session, 0, sizeof r->session);
        return true;
    }
    storage_login l;
    if (storage_login_get(r->w->st, r->session.user, &l) != BK_OK)
        return true; /* the account is gone (its sessions go with it) */
    r->user = l.user;
    r->logged_in = true;
    const char *lang = web_query(r, "lang");
    const char *set_lang = NULL;
    if (lang && (strcmp(lang, "nl") == 0 || strcmp(lang, "en") == 0) &&
        strcmp(lang, r->session.lang) != 0)
        set_lang = lang;
    if (set_lang || now - r->session.last_ms > WEB_TOUCH_MS)
        storage_session_touch(r->w->st, r->session_hash, set_lang);
    r->en = strcmp(set_lang ? set_lang : r->session.lang, "en") == 0;
    return true;
}

static void web_login_form(web_req *r, int status, const char *error, const char *username)
{
    char token[65];
    web_random_hex(token, 32);
    web_cookie_set(r, 0, WEB_PRE_COOKIE, token, 3600);
    web_buf b = {0};
    web_page_begin(r, &b, WEB_L(r, "Inloggen", "Log in"), NULL);
    if (error) {
        web_buf_raw(&b, "<p class=\"error\" role=\"alert\" id=\"login-error\">");
        web_buf_text(&b, error);
        web_buf_raw(&b, "</p>");
    }
    web_buf_raw(&b, "<form method=\"post\" action=\"/login\" class=\"login\">");
    web_buf_fmt(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", token);
    web_buf_fmt(&b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", r->en ? "en" : "nl");
    web_buf_fmt(&b,
                "<label for=\"username\">%s</label><input id=\"username\" name=\"username\" "
                "autocomplete=\"username\" required autofocus value=\"",
                WEB_L(r, "Gebruikersnaam", "User name"));
    web_buf_text(&b, username ? username : "");
    web_buf_fmt(&b,
                "\"><label for=\"password\">%s</label><input id=\"password\" name=\"password\" "
                "type=\"password\" autocomplete=\"current-password\" required>"
                "<button type=\"submit\">%s</button></form>",
                WEB_L(r, "Wachtwoord", "Password"), WEB_L(r, "Inloggen", "Log in"));
    web_page_send(r, &b, status);
}

static void web_login(web_req *r)
{
    const char *lang = web_form(r, "lang");
    r->en = lang && strcmp(lang, "en") == 0;
    const char *pre = web_cookie(r, WEB_PRE_COOKIE), *csrf = web_form(r, "csrf");
    if (!pre || !csrf || strlen(pre) != 64 || strcmp(pre, csrf) != 0) {
        web_login_form(r, 403,
                       WEB_L(r, "Het formulier is verlopen. Probeer het opnieuw.",
                             "The form has expired. Please try again."),
                       NULL);
        return;
    }
    const char *name = web_form(r, "username"), *password = web_form(r, "password");
    if (!name || !password || !name[0] || !password[0]) {
        web_login_form(r, 400,
                       WEB_L(r, "Vul uw gebruikersnaam en wachtwoord in.",
                             "Fill in your user name and password."),
                       name);
        return;
    }
    const collector_config *cfg = r->w->cfg;
    const int64_t now = clock_wall_ms(&r->w->clock);
    storage_login l;
    bk_err err = storage_login_get(r->w->st, name, &l);
    if (err != BK_OK && err != BK_ERR_NOT_FOUND) {
        web_page_error(r, 503,
                       WEB_L(r, "De database antwoordt niet; probeer het zo opnieuw.",
                             "The database does not answer; try again shortly."));
        return;
    }
    if (err == BK_OK && l.locked_until_ms > now) {
        char msg[200];
        int minutes = (int)((l.locked_until_ms - now + 59999) / 60000);
        snprintf(msg, sizeof msg,
                 WEB_L(r,
                       "Dit account is vergrendeld na te veel verkeerde wachtwoorden. Probeer "
                       "het over %d %s opnieuw.",
                       "This account is locked after too many wrong passwords. Try again in %d "
                       "%s."),
                 minutes,
                 minutes == 1 ? WEB_L(r, "minuut", "minute") : WEB_L(r, "minuten", "minutes"));
        web_login_form(r, 429, msg, name);
        return;
    }
    /* An unknown name is checked against a hash of no account's, so that it
     * takes as long as a wrong password. */
    char hash[crypto_pwhash_STRBYTES] = {0};
    const char *stored = err == BK_OK ? l.password_hash : r->w->dummy_hash;
    memcpy(hash, stored, strnlen(stored, sizeof hash - 1));
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && err == BK_OK;
    if (!ok) {
        int64_t until = 0;
        if (err == BK_OK)
            storage_login_failed(r->w->st, name, cfg->dashboard.lock_after,
                                 (int64_t)cfg->dashboard.lock_base_s * 1000, &until);
        log_info("web", "a login as \"%.64s\" failed%s", name,
                 until ? "; the account is locked" : "");
        web_login_form(r, 401,
                       until ? WEB_L(r,
                                     "Verkeerd wachtwoord. Het account is nu een tijd "
                                     "vergrendeld.",
                                     "Wrong password. The account is now locked for a while.")
                             : WEB_L(r, "Gebruikersnaam of wachtwoord klopt niet.",
                                     "The user name or password is not right."),
                       name);
        return;
    }
    char id[65], csrf_token[65], id_hash[65];
    web_random_hex(id, 32);
    web_random_hex(csrf_token, 32);
    web_sha256_hex(id, id_hash);
    err = storage_login_ok(r->w->st, name);
    if (err == BK_OK)
        err = storage_session_add(r->w->st, id_hash, l.user.name, csrf_token, r->en ? "en" : "nl",
                                  (int64_t)cfg->dashboard.session_idle_s * 1000,
                                  (int64_t)cfg->dashboard.session_max_s * 1000);
    if (err != BK_OK) {
        web_page_error(r, 503,
                       WEB_L(r, "De database antwoordt niet; probeer het zo opnieuw.",
                             "The database does not answer; try again shortly."));
        return;
    }
    log_info("web", "%s logged in", l.user.name);
    web_cookie_set(r, 0, WEB_SESSION_COOKIE, id, -1);
    web_cookie_set(r, 1, WEB_PRE_COOKIE, "", 0);
    web_redirect(r, "/");
}

static void web_logout(web_req *r)
{
    storage_session_remove(r->w->st, r->session_hash);
    web_cookie_set(r, 0, WEB_SESSION_COOKIE, "", 0);
    web_redirect(r, "/login");
}

/* ---- routes ---- */

/* The area id in path after prefix, up to the next '/' or the end, into
 * area; rest gets what follows. False when it is not an id. */
static bool web_path_area(const char *path, const char *prefix, char area[INGEST_ID_MAX + 1],
                          const char **rest)
{
    size_t pl = strlen(prefix);
    if (strncmp(path, prefix, pl) != 0)
        return false;
    const char *p = path + pl;
    size_t n = strcspn(p, "/");
    if (n == 0 || n > SURVEY_ID_MAX)
        return false;
    snprintf(area, INGEST_ID_MAX + 1, "%.*s", (int)n, p);
    *rest = p + n;
    return survey_id_valid(area);
}

/* True for the paths the dashboard has pages at (so that anything else is
 * 404, logged in or not, and no login page answers for /etc/passwd). */
static bool web_known_path(const char *path)
{
    static const char *const exact[] = {"/",
                                        "/login",
                                        "/logout",
                                        "/kiosks",
                                        "/kiosks/revoke",
                                        "/users",
                                        "/users/remove",
                                        "/surveys",
                                        "/export",
                                        "/account",
                                        "/account/keys",
                                        "/account/keys/revoke"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(path, exact[i]) == 0)
            return true;
    return strncmp(path, "/area/", 6) == 0;
}

static void web_route(web_req *r)
{
    const char *m = r->req->method, *path = r->req->path;
    const bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    const bool post = strcmp(m, "POST") == 0;
    if (!get && !post) {
        r->out->allow = "GET, HEAD, POST";
        web_page_error(r, 405,
                       WEB_L(r, "Deze methode kent het dashboard niet.",
                             "The dashboard does not know this method."));
        return;
    }
    for (int i = 0; i < WEB_ASSETS; i++) {
        if (get && strcmp(path, r->w->assets[i].url) == 0) {
            web_send_asset(r, &r->w->assets[i]);
            return;
        }
    }
    if (strcmp(path, "/api/export.csv") == 0 && get) {
        web_api_export(r);
        return;
    }
    if (!web_known_path(path)) {
        web_page_error(r, 404, WEB_L(r, "Deze pagina bestaat niet.", "No such page."));
        return;
    }
    if (!web_session_load(r))
        return;
    if (strcmp(path, "/login") == 0) {
        if (post)
            web_login(r);
        else if (r->logged_in)
            web_redirect(r, "/");
        else
            web_login_form(r, 200, NULL, NULL);
        return;
    }
    if (!r->logged_in) {
        if (get)
            web_redirect(r, "/login");
        else
            web_page_error(r, 403, WEB_L(r, "U bent niet ingelogd.", "You are not logged in."));
        return;
    }
    if (post && !web_csrf_ok(r)) {
        log_info("web", "%s: a POST to %s without its CSRF token was refused", r->user.name, path);
        web_page_error(r, 403,
                       WEB_L(r,
                             "Dit formulier is verlopen of komt niet van deze site "
                             "(CSRF). Open de pagina opnieuw en probeer het nog eens.",
                             "This form has expired or did not come from this site "
                             "(CSRF). Open the page again and retry."));
        return;
    }
    char area[INGEST_ID_MAX + 1];
    const char *rest = NULL;
    if (strcmp(path, "/") == 0 && get) {
        web_page_overview(r);
    } else if (strcmp(path, "/logout") == 0 && post) {
        web_logout(r);
    } else if (web_path_area(path, "/area/", area, &rest)) {
        if (!web_may_see_area(r, area))
            web_page_error(r, 403,
                           WEB_L(r, "Deze wijk hoort niet bij uw account.",
                                 "This area is not one of your account's."));
        else if (!rest[0] && get)
            web_page_area(r, area);
        else if (strcmp(rest, "/ideas") == 0 && get)
            web_page_ideas(r, area);
        else if (strcmp(rest, "/ideas/hide") == 0 && post)
            web_ideas_moderate(r, area);
        else
            web_page_error(r, 404, WEB_L(r, "Deze pagina bestaat niet.", "No such page."));
    } else if (strcmp(path, "/kiosks") == 0 && get) {
        web_page_kiosks(r);
    } else if (strcmp(path, "/kiosks") == 0 && post) {
        web_kiosks_change(r, false);
    } else if (strcmp(path, "/kiosks/revoke") == 0 && post) {
        web_kiosks_change(r, true);
    } else if (strcmp(path, "/users") == 0 && get) {
        web_page_users(r);
    } else if (strcmp(path, "/users") == 0 && post) {
        web_users_change(r, false);
    } else if (strcmp(path, "/users/remove") == 0 && post) {
        web_users_change(r, true);
    } else if (strcmp(path, "/surveys") == 0) {
        web_page_surveys(r);
    } else if (strcmp(path, "/export") == 0 && post) {
        web_export(r);
    } else if (strcmp(path, "/account") == 0 && get) {
        web_page_account(r);
    } else if (strcmp(path, "/account/keys") == 0 && post) {
        web_account_keys(r, false);
    } else if (strcmp(path, "/account/keys/revoke") == 0 && post) {
        web_account_keys(r, true);
    } else {
        web_page_error(r, 404, WEB_L(r, "Deze pagina bestaat niet.", "No such page."));
    }
}

void web_handle(void *ctx, const http_request *req, http_reply *out)
{
    web_req r = {.w = ctx, .req = req, .out = out};
    const char *lang = web_query(&r, "lang");
    r.en = lang && strcmp(lang, "en") == 0;
    web_route(&r);
}
