/* web_admin.c: what only an admin does in the dashboard: the accounts
 * (list, add with a password, remove; storage audits each change) and the
 * kiosks (add, with its token shown once, and revoke; audited here). The
 * command line does the same (`user`, `kiosk`); both keep only hashes. */
#include "web_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

#define WEB_PASSWORD_MIN 10 /* as `buurtkiosk-collector user add` */
#define WEB_PASSWORD_MAX 1024

static bool web_admin_only(web_req *r)
{
    if (r->user.role == STORAGE_ROLE_ADMIN)
        return true;
    web_page_error(r, 403,
                   WEB_L(r, "Alleen een beheerder beheert accounts en kiosken.",
                         "Only an admin manages accounts and kiosks."));
    return false;
}

static void web_notice(web_buf *b, bool error, const char *text)
{
    if (!text)
        return;
    web_buf_fmt(b, "<p class=\"%s\" role=\"%s\" id=\"result\">", error ? "error" : "notice",
                error ? "alert" : "status");
    web_buf_text(b, text);
    web_buf_raw(b, "</p>");
}

/* ---- accounts ---- */

typedef struct users_page {
    web_req *r;
    web_buf *b;
} users_page;

static int web_user_row(const storage_user *u, void *arg)
{
    users_page *x = arg;
    web_req *r = x->r;
    web_buf *b = x->b;
    char made[32];
    time_t t = (time_t)(u->created_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(made, sizeof made, "%Y-%m-%d", &tm);
    web_buf_raw(b, "<tr><th scope=\"row\">");
    web_buf_text(b, u->name);
    web_buf_fmt(b, "</th><td>%s</td><td>", storage_role_name(u->role));
    web_buf_text(b, u->areas);
    web_buf_fmt(b, "</td><td>%s</td><td>", made);
    if (strcmp(u->name, r->user.name) != 0) {
        web_buf_raw(b, "<form method=\"post\" action=\"/users/remove\">");
        web_csrf_field(r, b);
        web_buf_raw(b, "<input type=\"hidden\" name=\"name\" value=\"");
        web_buf_text(b, u->name);
        web_buf_fmt(b, "\"><button type=\"submit\" data-confirm=\"%s\">%s</button></form>",
                    WEB_L(r, "Dit account verwijderen?", "Remove this account?"),
                    WEB_L(r, "Verwijderen", "Remove"));
    }
    web_buf_raw(b, "</td></tr>");
    return 0;
}

static void web_users_send(web_req *r, int status, bool error, const char *message)
{
    web_buf b = {0};
    web_page_begin(r, &b, WEB_L(r, "Accounts", "Accounts"), "users");
    web_notice(&b, error, message);
    web_buf_fmt(&b,
                "<div class=\"table-wrap\"><table id=\"users\"><thead><tr><th scope=\"col\">%s"
                "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\"></th></tr></thead><tbody>",
                WEB_L(r, "Naam", "Name"), WEB_L(r, "Rol", "Role"), WEB_L(r, "Wijken", "Areas"),
                WEB_L(r, "Sinds", "Since"));
    users_page x = {r, &b};
    storage_user_foreach(r->w->st, web_user_row, &x);
    web_buf_fmt(&b,
                "</tbody></table></div><h2>%s</h2><form method=\"post\" action=\"/users\" "
                "id=\"add-user\"><div><label for=\"u-name\">%s</label><input id=\"u-name\" "
                "name=\"name\" required maxlength=\"64\" autocomplete=\"off\"></div>"
                "<div><label for=\"u-role\">%s</label><select id=\"u-role\" name=\"role\">"
                "<option value=\"wijkmakelaar\">wijkmakelaar</option><option value=\"viewer\">"
                "viewer</option><option value=\"admin\">admin</option></select></div>"
                "<div><label for=\"u-areas\">%s</label><input id=\"u-areas\" name=\"areas\" "
                "placeholder=\"dorst,oosterheide\"></div><div><label for=\"u-password\">%s"
                "</label><input id=\"u-password\" name=\"password\" type=\"password\" "
                "autocomplete=\"new-password\" required minlength=\"%d\"></div>",
                WEB_L(r, "Account toevoegen", "Add an account"), WEB_L(r, "Naam", "Name"),
                WEB_L(r, "Rol", "Role"),
                WEB_L(r, "Wijken (alleen voor een wijkmakelaar; ids, met komma's)",
                      "Areas (a wijkmakelaar's only; ids, comma-separated)"),
                WEB_L(r, "Wachtwoord (minstens 10 tekens)", "Password (10 characters or more)"),
                WEB_PASSWORD_MIN);
    web_csrf_field(r, &b);
    web_buf_fmt(&b, "<div><button type=\"submit\">%s</button></div></form>",
                WEB_L(r, "Toevoegen", "Add"));
    web_page_send(r, &b, status);
}

void web_page_users(web_req *r)
{
    if (web_admin_only(r))
        web_users_send(r, 200, false, NULL);
}

void web_users_change(web_req *r, bool remove)
{
    if (!web_admin_only(r))
        return;
    const char *name = web_form(r, "name");
    char msg[300];
    if (remove) {
        if (!name || strcmp(name, r->user.name) == 0) {
            web_users_send(r, 400, true,
                           WEB_L(r, "Uw eigen account verwijdert u niet hier.",
                                 "You cannot remove your own account here."));
            return;
        }
        bk_err err = storage_user_remove(r->w->st, name, r->user.name);
        snprintf(msg, sizeof msg,
                 err == BK_OK ? WEB_L(r, "Account %s is verwijderd.", "Account %s is removed.")
                              : WEB_L(r, "Account %s is er niet.", "There is no account %s."),
                 name);
        web_users_send(r, err == BK_OK ? 200 : 404, err != BK_OK, msg);
        return;
    }
    const char *role_s = web_form(r, "role"), *areas = web_form(r, "areas");
    const char *password = web_form(r, "password");
    storage_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.name, sizeof u.name, "%s", name ? name : "");
    snprintf(u.areas, sizeof u.areas, "%s", areas ? areas : "");
    const char *problem = NULL;
    if (!name || strlen(name) >= sizeof u.name)
        problem = WEB_L(r, "Geef een naam.", "Give a name.");
    else if (!role_s || !storage_role_parse(role_s, &u.role))
        problem = WEB_L(r, "Kies een rol.", "Choose a role.");
    else if (u.role != STORAGE_ROLE_WIJKMAKELAAR && u.areas[0])
        u.areas[0] = '\0'; /* only a wijkmakelaar has areas */
    if (!problem)
        problem = storage_user_problem(&u);
    size_t n = password ? strlen(password) : 0;
    if (!problem && (n < WEB_PASSWORD_MIN || n > WEB_PASSWORD_MAX))
        problem = WEB_L(r, "Het wachtwoord moet minstens 10 tekens hebben.",
                        "The password needs at least 10 characters.");
    char hash[crypto_pwhash_STRBYTES];
    if (!problem &&
        crypto_pwhash_str(hash, password, (unsigned long long)n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        problem = WEB_L(r, "Te weinig geheugen om het wachtwoord te versleutelen.",
                        "Not enough memory to hash the password.");
    if (problem) {
        web_users_send(r, 400, true, problem);
        return;
    }
    bk_err err = storage_user_add(r->w->st, &u, hash, r->user.name);
    sodium_memzero(hash, sizeof hash);
    if (err == BK_ERR_STATE)
        snprintf(msg, sizeof msg, WEB_L(r, "Er is al een account %s.", "There is an account %s."),
                 u.name);
    else if (err != BK_OK)
        snprintf(
            msg, sizeof msg, "%s",
            WEB_L(r, "Het account kon niet bewaard worden.", "The account could not be stored."));
    else
        snprintf(msg, sizeof msg,
                 WEB_L(r, "Account %s (%s) is toegevoegd.", "Account %s (%s) is added."), u.name,
                 storage_role_name(u.role));
    web_users_send(r, err == BK_OK ? 200 : err == BK_ERR_STATE ? 409 : 503, err != BK_OK, msg);
}

/* ---- kiosks ---- */

/* The admin's part of the kiosks page: add a kiosk, revoke one. */
void web_kiosks_admin(web_req *r, web_buf *b)
{
    if (r->user.role != STORAGE_ROLE_ADMIN)
        return;
    web_buf_fmt(b,
                "<h2>%s</h2><form method=\"post\" action=\"/kiosks\" id=\"add-kiosk\"><div>"
                "<label for=\"k-id\">%s</label><input id=\"k-id\" name=\"kiosk_id\" required "
                "maxlength=\"64\" placeholder=\"dorst-01\"></div><div><label for=\"k-area\">%s"
                "</label><select id=\"k-area\" name=\"area\"><option value=\"\">%s</option>",
                WEB_L(r, "Kiosk toevoegen", "Add a kiosk"), "Kiosk-id", WEB_L(r, "Wijk", "Area"),
                WEB_L(r, "(geen)", "(none)"));
    const collector_config *cfg = r->w->cfg;
    for (size_t i = 0; i < cfg->n_areas; i++) {
        web_buf_raw(b, "<option value=\"");
        web_buf_text(b, cfg->areas[i].id);
        web_buf_raw(b, "\">");
        web_buf_text(b, web_area_name(r, cfg->areas[i].id));
        web_buf_raw(b, "</option>");
    }
    web_buf_raw(b, "</select></div>");
    web_csrf_field(r, b);
    web_buf_fmt(b, "<div><button type=\"submit\">%s</button></div></form>",
                WEB_L(r, "Toevoegen", "Add"));
}

/* The revoke button in a kiosk's row (admins only). */
void web_kiosk_revoke_button(web_req *r, web_buf *b, const storage_kiosk *k)
{
    if (r->user.role != STORAGE_ROLE_ADMIN || k->revoked)
        return;
    web_buf_raw(b, "<form method=\"post\" action=\"/kiosks/revoke\">");
    web_csrf_field(r, b);
    web_buf_raw(b, "<input type=\"hidden\" name=\"kiosk_id\" value=\"");
    web_buf_text(b, k->id);
    web_buf_fmt(b, "\"><button type=\"submit\" data-confirm=\"%s\">%s</button></form>",
                WEB_L(r, "Het token van deze kiosk intrekken? Ze kan dan niet meer versturen.",
                      "Revoke this kiosk's token? It can no longer send."),
                WEB_L(r, "Intrekken", "Revoke"));
}

void web_kiosks_change(web_req *r, bool revoke)
{
    if (!web_admin_only(r))
        return;
    const char *id = web_form(r, "kiosk_id"), *area = web_form(r, "area");
    char msg[400];
    if (!id || !survey_id_valid(id)) {
        web_kiosks_result(r, 400, true,
                          WEB_L(r, "Een kiosk-id is letters, cijfers, - en _.",
                                "A kiosk id is letters, digits, - and _."),
                          NULL);
        return;
    }
    if (revoke) {
        bk_err err = storage_kiosk_revoke(r->w->st, id);
        if (err == BK_OK)
            storage_audit_add(r->w->st, r->user.name, "kiosk revoke", id, NULL);
        snprintf(msg, sizeof msg,
                 err == BK_OK ? WEB_L(r, "Het token van kiosk %s is ingetrokken.",
                                      "Kiosk %s's token is revoked.")
                              : WEB_L(r, "Kiosk %s is er niet.", "There is no kiosk %s."),
                 id);
        web_kiosks_result(r, err == BK_OK ? 200 : 404, err != BK_OK, msg, NULL);
        return;
    }
    if (area && area[0] && !survey_id_valid(area)) {
        web_kiosks_result(r, 400, true, WEB_L(r, "Onbekende wijk.", "Unknown area."), NULL);
        return;
    }
    char token[TOKEN_TEXT_MAX], hash[65];
    token_new(token, hash);
    bk_err err = storage_kiosk_add(r->w->st, id, area && area[0] ? area : NULL, hash);
    if (err == BK_OK) {
        storage_audit_add(r->w->st, r->user.name, "kiosk add", id, area && area[0] ? area : NULL);
        snprintf(msg, sizeof msg,
                 WEB_L(r,
                       "Kiosk %s is toegevoegd. Zet dit token in het bestand token_file van "
                       "de kiosk ([sync], chmod 600). Het wordt maar één keer getoond.",
                       "Kiosk %s is added. Put this token in the kiosk's token_file ([sync], "
                       "chmod 600). It is shown this once."),
                 id);
        web_kiosks_result(r, 200, false, msg, token);
    } else {
        snprintf(msg, sizeof msg,
                 err == BK_ERR_STATE ? WEB_L(r,
                                             "Er is al een kiosk %s (ook ingetrokken ids "
                                             "worden niet opnieuw gebruikt).",
                                             "There is a kiosk %s already (revoked ids are "
                                             "not reused).")
                                     : WEB_L(r, "Kiosk %s kon niet bewaard worden.",
                                             "Kiosk %s could not be stored."),
                 id);
        web_kiosks_result(r, err == BK_ERR_STATE ? 409 : 503, true, msg, NULL);
    }
    sodium_memzero(token, sizeof token);
}
