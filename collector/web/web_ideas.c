/* web_ideas.c: an area's free-text answers, newest first, searchable,
 * with the personal-data flag; moderation hides one with a reason (kept,
 * never deleted, in the audit log). Every text a resident typed reaches
 * the page only through web_buf_text. */
#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_IDEAS_PAGE 50

typedef struct ideas_ctx {
    web_req *r;
    web_buf *b;
    const char *area;
    bool moderator;
    int shown;
} ideas_ctx;

static int ideas_row(const storage_dash_text *t, void *arg)
{
    ideas_ctx *x = arg;
    web_req *r = x->r;
    web_buf *b = x->b;
    web_buf_fmt(b, "<article class=\"idea%s\" data-response=\"", t->hidden ? " hidden-idea" : "");
    web_buf_text(b, t->response_id);
    web_buf_raw(b, "\" data-question=\"");
    web_buf_text(b, t->question_id);
    web_buf_raw(b, "\"><blockquote>");
    web_buf_text(b, t->text);
    web_buf_raw(b, "</blockquote><p class=\"meta\">");
    web_buf_text(b, t->started_at);
    web_buf_raw(b, " · ");
    web_buf_text(b, t->language);
    web_buf_raw(b, " · kiosk ");
    web_buf_text(b, t->kiosk_id);
    web_buf_raw(b, " · ");
    web_buf_text(b, t->question_id);
    if (t->personal)
        web_buf_fmt(b, " <span class=\"personal\">%s</span>",
                    WEB_L(r, "mogelijk persoonsgegevens", "may hold personal data"));
    web_buf_raw(b, "</p>");
    if (t->hidden) {
        web_buf_fmt(b, "<p class=\"meta\">%s: ", WEB_L(r, "Verborgen", "Hidden"));
        web_buf_text(b, t->hidden_reason);
        web_buf_fmt(b, " (%s ", WEB_L(r, "door", "by"));
        web_buf_text(b, t->hidden_by);
        web_buf_raw(b, ")</p>");
    }
    if (x->moderator) {
        web_buf_raw(b, "<form class=\"moderate\" method=\"post\" action=\"/area/");
        web_buf_url(b, x->area);
        web_buf_raw(b, "/ideas/hide\">");
        web_csrf_field(r, b);
        web_buf_raw(b, "<input type=\"hidden\" name=\"response_id\" value=\"");
        web_buf_text(b, t->response_id);
        web_buf_raw(b, "\"><input type=\"hidden\" name=\"question_id\" value=\"");
        web_buf_text(b, t->question_id);
        if (t->hidden) {
            web_buf_fmt(b,
                        "\"><input type=\"hidden\" name=\"show\" value=\"1\">"
                        "<input type=\"hidden\" name=\"reason\" value=\"%s\">"
                        "<button type=\"submit\">%s</button></form>",
                        WEB_L(r, "weer getoond", "shown again"),
                        WEB_L(r, "Weer tonen", "Show again"));
        } else {
            web_buf_fmt(b,
                        "\"><label>%s <input name=\"reason\" required maxlength=\"200\"></label>"
                        "<button type=\"submit\" data-confirm=\"%s\">%s</button></form>",
                        WEB_L(r, "Reden", "Reason"),
                        WEB_L(r,
                              "Dit idee verbergen? Het blijft bewaard en kan weer getoond "
                              "worden.",
                              "Hide this idea? It is kept and can be shown again."),
                        WEB_L(r, "Verbergen", "Hide"));
        }
    }
    web_buf_raw(b, "</article>");
    x->shown++;
    return 0;
}

/* The text questions of every survey that has answers in the area. */
typedef struct text_questions {
    web_req *r;
    char ids[64][SURVEY_ID_MAX + 1];
    size_t n;
    char seen[32][INGEST_ID_MAX + 1];
    size_t n_seen;
} text_questions;

static int text_survey(const storage_dash_count *row, void *arg)
{
    text_questions *x = arg;
    for (size_t i = 0; i < x->n_seen; i++)
        if (strcmp(x->seen[i], row->survey_id) == 0)
            return 0;
    if (x->n_seen == 32)
        return 0;
    snprintf(x->seen[x->n_seen++], sizeof x->seen[0], "%s", row->survey_id);
    return 0;
}

void web_page_ideas(web_req *r, const char *area)
{
    const char *q = web_query(r, "q"), *page_q = web_query(r, "page");
    int page = page_q ? atoi(page_q) : 0;
    if (page < 0)
        page = 0;
    text_questions *tq = calloc(1, sizeof *tq);
    if (!tq) {
        web_page_error(r, 503, "out of memory");
        return;
    }
    storage_dash_filter f = {.area = area, .with_rapid = true, .with_repeat = true};
    bk_err err = storage_dash_counts(r->w->st, &f, text_survey, tq);
    for (size_t i = 0; err == BK_OK && i < tq->n_seen; i++) {
        survey *s = web_survey_load(r, tq->seen[i], 0);
        for (size_t k = 0; s && k < s->n_questions && tq->n < 64; k++) {
            if (s->questions[k].type != SURVEY_Q_TEXT)
                continue;
            bool dup = false;
            for (size_t j = 0; j < tq->n; j++)
                dup = dup || strcmp(tq->ids[j], s->questions[k].id) == 0;
            if (!dup)
                snprintf(tq->ids[tq->n++], sizeof tq->ids[0], "%s", s->questions[k].id);
        }
        survey_free(s);
    }
    const char *ids[64];
    for (size_t i = 0; i < tq->n; i++)
        ids[i] = tq->ids[i];
    web_buf b = {0};
    char title[200];
    snprintf(title, sizeof title, "%s: %s", WEB_L(r, "Ideeën", "Ideas"), web_area_name(r, area));
    web_page_begin(r, &b, title, NULL);
    web_buf_raw(&b, "<p class=\"actions\"><a href=\"/area/");
    web_buf_url(&b, area);
    web_buf_fmt(&b, "\">%s</a></p>", WEB_L(r, "Terug naar de cijfers", "Back to the figures"));
    web_buf_raw(&b, "<form class=\"search\" method=\"get\" action=\"/area/");
    web_buf_url(&b, area);
    web_buf_fmt(&b,
                "/ideas\" role=\"search\"><label for=\"q\">%s</label><input id=\"q\" name=\"q\" "
                "type=\"search\" value=\"",
                WEB_L(r, "Zoeken in de ideeën", "Search the ideas"));
    web_buf_text(&b, q ? q : "");
    web_buf_fmt(&b, "\"><button type=\"submit\">%s</button></form>", WEB_L(r, "Zoek", "Search"));
    ideas_ctx x = {.r = r, .b = &b, .area = area, .moderator = web_may_change(r)};
    int64_t total = 0;
    web_buf list = {0};
    x.b = &list;
    if (err == BK_OK)
        err = storage_dash_texts(r->w->st, &f, ids, tq->n, q, x.moderator,
                                 (int64_t)page * WEB_IDEAS_PAGE, WEB_IDEAS_PAGE, &total, ideas_row,
                                 &x);
    if (err != BK_OK) {
        web_buf_free(&list);
        web_buf_free(&b);
        free(tq);
        web_page_error(
            r, 503,
            WEB_L(r, "De ideeën konden niet gelezen worden.", "The ideas could not be read."));
        return;
    }
    web_buf_fmt(&b, "<p id=\"count\">%lld %s%s</p>", (long long)total, WEB_L(r, "ideeën", "ideas"),
                q && q[0] ? WEB_L(r, " met deze zoekterm", " matching the search") : "");
    if (x.moderator)
        web_buf_fmt(&b, "<p class=\"meta\">%s</p>",
                    WEB_L(r,
                          "Verbergen haalt een idee uit het dashboard en de exports; het "
                          "blijft bewaard en staat met de reden in het auditlog.",
                          "Hiding takes an idea out of the dashboard and the exports; it is "
                          "kept, and logged with its reason in the audit log."));
    char *items = web_buf_take(&list);
    web_buf_raw(&b, items);
    free(items);
    if ((int64_t)(page + 1) * WEB_IDEAS_PAGE < total) {
        web_buf_raw(&b, "<p><a href=\"/area/");
        web_buf_url(&b, area);
        web_buf_fmt(&b, "/ideas?page=%d&amp;q=", page + 1);
        web_buf_url(&b, q ? q : "");
        web_buf_fmt(&b, "\">%s</a></p>", WEB_L(r, "Oudere ideeën", "Older ideas"));
    }
    free(tq);
    web_page_send(r, &b, 200);
}

void web_ideas_moderate(web_req *r, const char *area)
{
    if (!web_may_change(r)) {
        web_page_error(r, 403,
                       WEB_L(r, "Met een kijk-account kunt u niets veranderen.",
                             "A viewer account cannot change anything."));
        return;
    }
    const char *response_id = web_form(r, "response_id"), *question_id = web_form(r, "question_id");
    const char *reason = web_form(r, "reason");
    bool show = web_form(r, "show") != NULL;
    if (!response_id || !question_id || !reason || !reason[0] || strlen(reason) > 200) {
        web_page_error(r, 400,
                       WEB_L(r, "Geef een reden (hooguit 200 tekens).",
                             "Give a reason (200 characters at most)."));
        return;
    }
    char of[INGEST_ID_MAX + 1];
    bk_err err = storage_response_area(r->w->st, response_id, of);
    if (err == BK_OK && strcmp(of, area) != 0)
        err = BK_ERR_NOT_FOUND; /* not this area's: never moderated from here */
    if (err == BK_OK)
        err =
            storage_dash_moderate(r->w->st, response_id, question_id, !show, reason, r->user.name);
    if (err == BK_ERR_NOT_FOUND || err == BK_ERR_INVALID) {
        web_page_error(r, 404,
                       WEB_L(r, "Dat antwoord is er niet in deze wijk.",
                             "There is no such answer in this area."));
        return;
    }
    if (err != BK_OK) {
        web_page_error(r, 503,
                       WEB_L(r, "Het kon niet bewaard worden; probeer het opnieuw.",
                             "It could not be saved; try again."));
        return;
    }
    char loc[256];
    snprintf(loc, sizeof loc, "/area/%s/ideas", area);
    web_redirect(r, loc);
}
