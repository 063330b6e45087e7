/* web_manage.c: the pages that change or hand out data: publishing a
 * survey (admins), exports (CSV for Dutch Excel, XLSX, JSON Lines; each
 * in the audit log), personal API keys and the CSV that Excel's and Power
 * BI's "from web" refresh with one. */
#include "web_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "log.h"
#include "report_surveys.h"
#include "report_xlsx.h"

/* ---- surveys ---- */

static void web_surveys_form(web_req *r, web_buf *b)
{
    web_buf_fmt(b,
                "<form method=\"post\" action=\"/surveys\" enctype=\"multipart/form-data\" "
                "id=\"publish\"><label for=\"definition\">%s</label><input id=\"definition\" "
                "name=\"definition\" type=\"file\" accept=\".json,application/json\" required>"
                "<label for=\"target\">%s</label><select id=\"target\" name=\"target\">"
                "<option value=\"all\">%s</option><option value=\"area\">%s</option>"
                "<option value=\"kiosk\">%s</option></select><label for=\"target_id\">%s</label>"
                "<input id=\"target_id\" name=\"target_id\">",
                WEB_L(r, "Vragenlijst (JSON, zie docs/survey-format.md)",
                      "Survey definition (JSON, see docs/survey-format.md)"),
                WEB_L(r, "Voor", "For"), WEB_L(r, "alle kiosken", "all kiosks"),
                WEB_L(r, "één wijk", "one area"), WEB_L(r, "één kiosk", "one kiosk"),
                WEB_L(r, "Wijk- of kiosk-id (niet voor alle kiosken)",
                      "Area or kiosk id (not for all kiosks)"));
    web_csrf_field(r, b);
    web_buf_fmt(b, "<button type=\"submit\">%s</button></form>", WEB_L(r, "Publiceren", "Publish"));
}

void web_page_surveys(web_req *r)
{
    if (r->user.role != STORAGE_ROLE_ADMIN) {
        web_page_error(r, 403,
                       WEB_L(r, "Alleen een beheerder publiceert enquêtes.",
                             "Only an admin publishes surveys."));
        return;
    }
    web_buf b = {0};
    const bool post = strcmp(r->req->method, "POST") == 0;
    int status = 200;
    bk_diag diag = {0};
    char done[300] = "";
    if (post) {
        const http_param *def = http_param_find(r->req->form, r->req->n_form, "definition");
        const char *target = web_form(r, "target"), *target_id = web_form(r, "target_id");
        storage_target tg = STORAGE_TARGET_ALL;
        if (target && strcmp(target, "area") == 0)
            tg = STORAGE_TARGET_AREA;
        else if (target && strcmp(target, "kiosk") == 0)
            tg = STORAGE_TARGET_KIOSK;
        if (!def || def->value_len == 0)
            diag_add(&diag, "%s",
                     WEB_L(r, "Kies een bestand met de vragenlijst.",
                           "Choose a file with the survey definition."));
        else if (tg != STORAGE_TARGET_ALL && (!target_id || !survey_id_valid(target_id)))
            diag_add(
                &diag, "%s",
                WEB_L(r, "Geef het id van de wijk of kiosk.", "Give the id of the area or kiosk."));
        survey *s =
            diag.count ? NULL : survey_load_string(def->value, def->value_len, "definition", &diag);
        if (s) {
            bk_err err = storage_survey_publish(r->w->st, s->id, s->version, def->value, tg,
                                                tg == STORAGE_TARGET_ALL ? NULL : target_id);
            if (err == BK_ERR_STATE)
                diag_add(&diag,
                         WEB_L(r,
                               "Enquête \"%s\" versie %d is al gepubliceerd met een andere "
                               "inhoud; verhoog \"version\" in het bestand.",
                               "Survey \"%s\" version %d is published already with other "
                               "content; raise \"version\" in the file."),
                         s->id, s->version);
            else if (err != BK_OK)
                diag_add(&diag, "%s",
                         WEB_L(r, "De enquête kon niet bewaard worden.",
                               "The survey could not be stored."));
            if (err == BK_OK) {
                char subject[160], detail[160];
                snprintf(subject, sizeof subject, "%s v%d", s->id, s->version);
                snprintf(detail, sizeof detail, "%s%s%s",
                         tg == STORAGE_TARGET_ALL    ? "all"
                         : tg == STORAGE_TARGET_AREA ? "area"
                                                     : "kiosk",
                         tg == STORAGE_TARGET_ALL ? "" : " ",
                         tg == STORAGE_TARGET_ALL ? "" : target_id);
                storage_audit_add(r->w->st, r->user.name, "survey publish", subject, detail);
                snprintf(done, sizeof done,
                         WEB_L(r,
                               "Enquête \"%s\" versie %d is gepubliceerd. Kiosken halen haar "
                               "op bij hun volgende synchronisatie.",
                               "Survey \"%s\" version %d is published. Kiosks fetch it at "
                               "their next sync."),
                         s->id, s->version);
            }
            survey_free(s);
        }
        status = diag.count ? 422 : 200;
    }
    web_page_begin(r, &b, WEB_L(r, "Enquêtes publiceren", "Publish surveys"), "surveys");
    if (diag.count) {
        web_buf_fmt(&b, "<div class=\"error\" role=\"alert\" id=\"refused\"><p>%s</p><ul>",
                    WEB_L(r, "De enquête is niet gepubliceerd:", "The survey was not published:"));
        for (size_t i = 0; i < diag.count; i++) {
            web_buf_raw(&b, "<li>");
            web_buf_text(&b, diag.messages[i]);
            web_buf_raw(&b, "</li>");
        }
        web_buf_raw(&b, "</ul></div>");
    } else if (done[0]) {
        web_buf_raw(&b, "<p class=\"notice\" role=\"status\" id=\"published\">");
        web_buf_text(&b, done);
        web_buf_raw(&b, "</p>");
    }
    diag_clear(&diag);
    web_surveys_form(r, &b);
    web_page_send(r, &b, status);
}

/* ---- exports ---- */

typedef struct web_export_src {
    storage *st;
    const char *area;
    int64_t until_ms;
    export_row_fn fn; /* the exporter's, while a pass runs */
    void *ctx;
} web_export_src;

/* Passes row on without the answers that moderation hid. */
static int web_export_visible(const response_row *row, void *arg)
{
    web_export_src *s = arg;
    size_t hidden = 0;
    for (size_t i = 0; i < row->n_answers; i++)
        hidden += row->answers[i].hidden;
    if (hidden == 0)
        return s->fn(row, s->ctx);
    response_answer *kept = calloc(row->n_answers, sizeof *kept);
    if (!kept)
        return 1;
    response_row copy = *row;
    copy.answers = kept;
    copy.n_answers = 0;
    for (size_t i = 0; i < row->n_answers; i++)
        if (!row->answers[i].hidden)
            kept[copy.n_answers++] = row->answers[i];
    int stop = s->fn(&copy, s->ctx);
    free(kept);
    return stop;
}

static bk_err web_export_foreach(void *src, int64_t since_wall_ms, export_row_fn fn, void *ctx)
{
    web_export_src *s = src;
    s->fn = fn;
    s->ctx = ctx;
    storage_filter filter = {.area = s->area, .since_ms = since_wall_ms, .until_ms = s->until_ms};
    return storage_foreach_response(s->st, &filter, web_export_visible, s);
}

/* Writes the export into out's body. Returns BK_OK or the writer's error. */
static bk_err web_export_body(web_req *r, const char *area, int64_t from, int64_t until,
                              const char *format, http_reply *out, int64_t *n_responses)
{
    web_export_src data = {.st = r->w->st, .area = area, .until_ms = until};
    export_source src = {.foreach = web_export_foreach, .src = &data, .with_kiosk = true};
    survey *defs[REPORT_MAX_SURVEYS];
    size_t n_defs = report_surveys_load(r->w->st, false, defs, NULL, NULL);
    export_result res = {0};
    bk_err err;
    if (strcmp(format, "xlsx") == 0) {
        char dir[] = "/tmp/buurtkiosk-export-XXXXXX";
        char path[64];
        err = mkdtemp(dir) ? BK_OK : BK_ERR_IO;
        snprintf(path, sizeof path, "%s/export.xlsx", dir);
        if (err == BK_OK)
            err =
                report_xlsx_write_file(&src, (const survey *const *)defs, n_defs, from, path, &res);
        if (err == BK_OK) {
            FILE *f = fopen(path, "rb");
            out->body = f ? malloc(res.bytes + 1) : NULL;
            if (!out->body || fread(out->body, 1, res.bytes, f) != res.bytes)
                err = BK_ERR_IO;
            if (f)
                fclose(f);
            out->body_len = (size_t)res.bytes;
            out->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        }
        unlink(path);
        rmdir(dir);
    } else {
        export_format fmt = strcmp(format, "jsonl") == 0 ? EXPORT_JSONL : EXPORT_CSV;
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        err = f ? export_write(&src, (const survey *const *)defs, n_defs, fmt, from, f, &res)
                : BK_ERR_NOMEM;
        if (f && fclose(f) != 0 && err == BK_OK)
            err = BK_ERR_IO;
        out->body = text;
        out->body_len = len;
        out->content_type =
            fmt == EXPORT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
    }
    for (size_t i = 0; i < n_defs; i++)
        survey_free(defs[i]);
    if (err != BK_OK) {
        free(out->body);
        out->body = NULL;
        out->body_len = 0;
        out->content_type = NULL;
    }
    *n_responses = res.n_responses;
    return err;
}

/* Reads an export's area and period: from and to are dates YYYY-MM-DD
 * (to included); empty means open. Returns NULL, or what is wrong. */
static const char *web_export_args(web_req *r, const char *area, const char *from, const char *to,
                                   int64_t *from_ms, int64_t *until_ms)
{
    *from_ms = *until_ms = 0;
    if (area && area[0] && !survey_id_valid(area))
        return WEB_L(r, "Onbekende wijk.", "Unknown area.");
    if (!web_may_see_area(r, area ? area : ""))
        return WEB_L(r, "Deze wijk hoort niet bij uw account.",
                     "This area is not one of your account's.");
    if (from && from[0] && export_parse_date(from, from_ms) != BK_OK)
        return WEB_L(r, "De begindatum is geen datum als 2026-11-01.",
                     "The start date is not a date such as 2026-11-01.");
    if (to && to[0]) {
        if (export_parse_date(to, until_ms) != BK_OK)
            return WEB_L(r, "De einddatum is geen datum als 2026-11-30.",
                         "The end date is not a date such as 2026-11-30.");
        /* The day after, at local midnight (a DST day is 23 or 25 hours). */
        time_t t = (time_t)(*until_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        tm.tm_mday += 1;
        tm.tm_hour = 0;
        tm.tm_isdst = -1;
        *until_ms = (int64_t)mktime(&tm) * 1000;
    }
    return NULL;
}

static void web_export_name(http_reply *out, const char *area, const char *format)
{
    snprintf(out->content_disposition, sizeof out->content_disposition,
             "attachment; filename=\"buurtkiosk-%s.%s\"", area && area[0] ? area : "alle", format);
}

void web_export(web_req *r)
{
    const char *area = web_form(r, "area"), *from = web_form(r, "from"), *to = web_form(r, "to");
    const char *format = web_form(r, "format");
    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0 &&
                    strcmp(format, "jsonl") != 0)) {
        web_page_error(r, 400, WEB_L(r, "Kies csv, xlsx of jsonl.", "Choose csv, xlsx or jsonl."));
        return;
    }
    int64_t from_ms, until_ms;
    const char *problem = web_export_args(r, area, from, to, &from_ms, &until_ms);
    if (problem) {
        web_page_error(r, strstr(problem, "account") ? 403 : 400, problem);
        return;
    }
    int64_t n = 0;
    bk_err err =
        web_export_body(r, area && area[0] ? area : NULL, from_ms, until_ms, format, r->out, &n);
    if (err != BK_OK) {
        web_page_error(r, 503,
                       WEB_L(r, "De export kon niet gemaakt worden; probeer het opnieuw.",
                             "The export could not be made; try again."));
        return;
    }
    char detail[200];
    snprintf(detail, sizeof detail, "%s, %s..%s, %lld responses", format,
             from && from[0] ? from : "begin", to && to[0] ? to : "end", (long long)n);
    storage_audit_add(r->w->st, r->user.name, "export", area && area[0] ? area : "all", detail);
    r->out->status = 200;
    r->out->web = true;
    web_export_name(r->out, area, format);
}

void web_api_export(web_req *r)
{
    const char *key = web_query(r, "key"), *area = web_query(r, "area");
    char hash[65], user[INGEST_ID_MAX + 1];
    if (!key || strlen(key) != 64) {
        web_page_error(r, 401, "API key missing or malformed (?key=...)");
        return;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(hash, sizeof hash, h, sizeof h);
    storage_login l;
    bk_err err = storage_api_key_use(r->w->st, hash, user);
    if (err == BK_OK)
        err = storage_login_get(r->w->st, user, &l);
    if (err == BK_ERR_NOT_FOUND) {
        web_page_error(r, 401, "API key unknown or revoked");
        return;
    }
    if (err != BK_OK) {
        web_page_error(r, 503, "the database does not answer; try again");
        return;
    }
    r->user = l.user;
    int64_t from_ms, until_ms;
    const char *problem =
        web_export_args(r, area, web_query(r, "from"), web_query(r, "to"), &from_ms, &until_ms);
    if (problem) {
        web_page_error(r, strstr(problem, "account") ? 403 : 400, problem);
        return;
    }
    int64_t n = 0;
    err = web_export_body(r, area && area[0] ? area : NULL, from_ms, until_ms, "csv", r->out, &n);
    if (err != BK_OK) {
        web_page_error(r, 503, "the export could not be made; try again");
        return;
    }
    char detail[120];
    snprintf(detail, sizeof detail, "api csv, %lld responses", (long long)n);
    storage_audit_add(r->w->st, user, "export", area && area[0] ? area : "all", detail);
    r->out->status = 200;
    r->out->web = true;
    web_export_name(r->out, area, "csv");
}

/* ---- the account and its keys ---- */

typedef struct keys_page {
    web_req *r;
    web_buf *b;
    int n;
} keys_page;

static int web_key_row(const storage_api_key *k, void *arg)
{
    keys_page *x = arg;
    web_req *r = x->r;
    char made[32], used[32];
    time_t t = (time_t)(k->created_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(made, sizeof made, "%Y-%m-%d %H:%M", &tm);
    if (k->last_used_ms) {
        t = (time_t)(k->last_used_ms / 1000);
        localtime_r(&t, &tm);
        strftime(used, sizeof used, "%Y-%m-%d %H:%M", &tm);
    } else {
        snprintf(used, sizeof used, "%s", WEB_L(r, "nooit", "never"));
    }
    web_buf_raw(x->b, "<tr><th scope=\"row\">");
    web_buf_text(x->b, k->label);
    web_buf_fmt(x->b, "</th><td><code>%s…</code></td><td>%s</td><td>%s</td><td>", k->id, made,
                used);
    web_buf_raw(x->b, "<form method=\"post\" action=\"/account/keys/revoke\">");
    web_csrf_field(r, x->b);
    web_buf_fmt(x->b,
                "<input type=\"hidden\" name=\"key\" value=\"%s\"><button type=\"submit\" "
                "data-confirm=\"%s\">%s</button></form></td></tr>",
                k->id,
                WEB_L(r, "Sleutel intrekken? Wat ermee ververst, stopt.",
                      "Revoke the key? Whatever refreshes with it stops."),
                WEB_L(r, "Intrekken", "Revoke"));
    x->n++;
    return 0;
}

static void web_account_send(web_req *r, int status, const char *new_key, const char *message)
{
    web_buf b = {0};
    web_page_begin(r, &b, WEB_L(r, "Uw account", "Your account"), "account");
    web_buf_raw(&b, "<p>");
    web_buf_text(&b, r->user.name);
    web_buf_fmt(&b, ", %s", storage_role_name(r->user.role));
    if (r->user.areas[0]) {
        web_buf_fmt(&b, "; %s: ", WEB_L(r, "wijken", "areas"));
        web_buf_text(&b, r->user.areas);
    }
    web_buf_raw(&b, ".</p>");
    if (message) {
        web_buf_raw(&b, "<p class=\"error\" role=\"alert\">");
        web_buf_text(&b, message);
        web_buf_raw(&b, "</p>");
    }
    if (new_key) {
        web_buf_fmt(&b, "<div id=\"new-key\" role=\"status\"><p>%s</p><p><code>",
                    WEB_L(r,
                          "Uw nieuwe sleutel. Kopieer hem nu: hij wordt nergens bewaard en "
                          "niet meer getoond.",
                          "Your new key. Copy it now: it is kept nowhere and not shown again."));
        web_buf_text(&b, new_key);
        web_buf_fmt(&b, "</code></p><p>%s</p><p><code>",
                    WEB_L(r,
                          "In Excel (Gegevens › Van "
                          "het web) of Power BI:",
                          "In Excel (Data › From Web) or "
                          "Power BI:"));
        web_buf_raw(&b, r->req->tls ? "https://" : "http://");
        web_buf_text(&b, r->req->host ? r->req->host : "localhost");
        web_buf_raw(&b, "/api/export.csv?key=");
        web_buf_text(&b, new_key);
        if (r->user.role == STORAGE_ROLE_WIJKMAKELAAR) {
            /* A wijkmakelaar's export names an area: the first of theirs. */
            web_buf_text(&b, "&area=");
            web_buf_fmt(&b, "%.*s", (int)strcspn(r->user.areas, ","), r->user.areas);
        }
        web_buf_raw(&b, "</code></p></div>");
    }
    web_buf_fmt(&b,
                "<h2>%s</h2><p>%s</p><div class=\"table-wrap\"><table id=\"keys\"><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\"></th></tr></thead><tbody>",
                WEB_L(r, "API-sleutels", "API keys"),
                WEB_L(r,
                      "Met een sleutel ververst Excel of Power BI een CSV van uw wijken vanaf "
                      "een adres, zonder in te loggen. Parameters: area, from, to "
                      "(JJJJ-MM-DD).",
                      "With a key, Excel or Power BI refreshes a CSV of your areas from an "
                      "address, without logging in. Parameters: area, from, to (YYYY-MM-DD)."),
                WEB_L(r, "Naam", "Label"), WEB_L(r, "Kenmerk (geen sleutel)", "Id (not the key)"),
                WEB_L(r, "Gemaakt", "Made"), WEB_L(r, "Laatst gebruikt", "Last used"));
    keys_page x = {r, &b, 0};
    storage_api_key_foreach(r->w->st, r->user.name, web_key_row, &x);
    if (x.n == 0)
        web_buf_fmt(&b, "<tr><td colspan=\"5\">%s</td></tr>",
                    WEB_L(r, "Nog geen sleutels.", "No keys yet."));
    web_buf_raw(&b, "</tbody></table></div><form method=\"post\" action=\"/account/keys\" "
                    "id=\"add-key\">");
    web_csrf_field(r, &b);
    web_buf_fmt(
        &b,
        "<label for=\"label\">%s</label><input id=\"label\" name=\"label\" required "
        "maxlength=\"100\" placeholder=\"Excel\"><button type=\"submit\">%s</button></form>",
        WEB_L(r, "Naam van de nieuwe sleutel", "Label of the new key"),
        WEB_L(r, "Sleutel maken", "Make a key"));
    web_page_send(r, &b, status);
}

void web_page_account(web_req *r)
{
    web_account_send(r, 200, NULL, NULL);
}

void web_account_keys(web_req *r, bool revoke)
{
    if (revoke) {
        const char *id = web_form(r, "key");
        bk_err err = id ? storage_api_key_revoke(r->w->st, r->user.name, id) : BK_ERR_NOT_FOUND;
        if (err == BK_OK)
            web_redirect(r, "/account");
        else
            web_account_send(
                r, err == BK_ERR_NOT_FOUND ? 404 : 503, NULL,
                WEB_L(r, "Die sleutel is er niet (meer).", "There is no such key (any more)."));
        return;
    }
    const char *label = web_form(r, "label");
    if (!label || !label[0] || strlen(label) > 100) {
        web_account_send(r, 400, NULL,
                         WEB_L(r, "Geef de sleutel een naam (hooguit 100 tekens).",
                               "Give the key a label (100 characters at most)."));
        return;
    }
    unsigned char raw[32], h[crypto_hash_sha256_BYTES];
    char key[65], hash[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(key, sizeof key, raw, sizeof raw);
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(hash, sizeof hash, h, sizeof h);
    bk_err err = storage_api_key_add(r->w->st, r->user.name, hash, label);
    if (err != BK_OK) {
        web_account_send(
            r, 503, NULL,
            WEB_L(r, "De sleutel kon niet bewaard worden.", "The key could not be stored."));
        return;
    }
    web_account_send(r, 200, key, NULL);
}
