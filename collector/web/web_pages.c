/* web_pages.c: the pages that show figures: the overview per wijk and
 * dorp (responses by month, the social-cohesion score beside the
 * municipality's), one area's results per question with its filters, and
 * the kiosks. Every figure comes from storage.h's dashboard calls,
 * counted by the database; a group of fewer than min_group responses
 * shows no figure. */
#include "web_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WEB_MAX_AREAS 160 /* configured and found in the data */
#define WEB_TREND_MONTHS 6
#define WEB_SCORE_MONTHS 12 /* the overview's score covers the last year */
#define WEB_MAX_SURVEYS 64
#define WEB_MAX_LANGS 16
#define WEB_MAX_VERSIONS 32

/* ---- formatting ---- */

/* v with one decimal, in the page's language (6,4 or 6.4). */
static void web_decimal(const web_req *r, double v, char out[32])
{
    snprintf(out, 32, "%.1f", v);
    if (!r->en)
        for (char *p = out; *p; p++)
            if (*p == '.')
                *p = ',';
}

static void web_time(int64_t wall_ms, char out[32])
{
    if (wall_ms <= 0) {
        snprintf(out, 32, "-");
        return;
    }
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

/* The "too few" cell of a table: no number, a gap in the chart. */
static void web_cell_too_few(const web_req *r, web_buf *b)
{
    web_buf_fmt(b, "<td data-value=\"\" class=\"too-few\" title=\"%s\">–</td>",
                WEB_L(r, "Te weinig antwoorden om te tonen", "Too few responses to show"));
}

static void web_too_few(const web_req *r, web_buf *b)
{
    web_buf_fmt(b, "<p class=\"too-few\">%s (%s %d).</p>",
                WEB_L(r, "Te weinig antwoorden om te tonen", "Too few responses to show"),
                WEB_L(r, "minder dan", "fewer than"), r->w->cfg->dashboard.min_group);
}

/* ---- the areas a page lists ---- */

typedef struct web_area_row {
    char id[INGEST_ID_MAX + 1];
    int64_t month_n[WEB_TREND_MONTHS];
    int64_t total;
    int64_t score_n;
    double score_sum;
} web_area_row;

typedef struct web_areas {
    web_area_row rows[WEB_MAX_AREAS];
    size_t n;
} web_areas;

static web_area_row *web_areas_get(web_areas *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->rows[i].id, id) == 0)
            return &a->rows[i];
    if (a->n == WEB_MAX_AREAS)
        return NULL;
    web_area_row *row = &a->rows[a->n++];
    memset(row, 0, sizeof *row);
    snprintf(row->id, sizeof row->id, "%s", id);
    return row;
}

/* ---- the overview ---- */

typedef struct overview_ctx {
    web_areas *areas;
    web_area_row total;
    char months[WEB_TREND_MONTHS][8];
    char this_month[8];
} overview_ctx;

static int overview_count(const storage_dash_count *row, void *arg)
{
    overview_ctx *x = arg;
    if (row->rapid || row->repeat)
        return 0; /* flagged: left out, as on every page by default */
    web_area_row *a = web_areas_get(x->areas, row->area);
    for (int m = 0; m < WEB_TREND_MONTHS; m++) {
        if (strcmp(row->month, x->months[m]) == 0) {
            if (a)
                a->month_n[m] += row->n;
            x->total.month_n[m] += row->n;
        }
    }
    if (a)
        a->total += row->n;
    x->total.total += row->n;
    return 0;
}

static int overview_score(const storage_dash_score *row, void *arg)
{
    overview_ctx *x = arg;
    web_area_row *a = web_areas_get(x->areas, row->area);
    if (a) {
        a->score_n += row->respondents;
        a->score_sum += row->score_sum;
    }
    x->total.score_n += row->respondents;
    x->total.score_sum += row->score_sum;
    return 0;
}

/* The cohesion items of the configuration, with reverse from the
 * survey's definition. Returns how many are usable; problem gets the
 * first one that is not (or ""). */
static size_t web_cohesion_items(web_req *r, const char **items, bool *reverse, char *problem,
                                 size_t problem_size)
{
    const collector_config *cfg = r->w->cfg;
    problem[0] = '\0';
    if (!cfg->dashboard.cohesion_survey)
        return 0;
    survey *s = web_survey_load(r, cfg->dashboard.cohesion_survey, 0);
    if (!s) {
        snprintf(problem, problem_size,
                 WEB_L(r, "De enquête \"%s\" voor de sociale samenhang is (nog) niet gepubliceerd.",
                       "The survey \"%s\" for social cohesion is not published (yet)."),
                 cfg->dashboard.cohesion_survey);
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < cfg->dashboard.n_cohesion; i++) {
        const survey_question *q = survey_find_question(s, cfg->dashboard.cohesion_questions[i]);
        if (!q || q->type != SURVEY_Q_SCALE) {
            if (!problem[0])
                snprintf(problem, problem_size,
                         WEB_L(r, "cohesion_questions: \"%s\" is geen schaalvraag van \"%s\".",
                               "cohesion_questions: \"%s\" is not a scale question of \"%s\"."),
                         cfg->dashboard.cohesion_questions[i], s->id);
            continue;
        }
        items[n] = cfg->dashboard.cohesion_questions[i];
        reverse[n] = q->reverse;
        n++;
    }
    survey_free(s);
    return n;
}

static void web_formula(web_req *r, web_buf *b, size_t n_items, const char *const *items,
                        const bool *reverse)
{
    web_buf_fmt(b, "<details id=\"formula\" open><summary>%s</summary><p>",
                WEB_L(r, "Hoe de score van de sociale samenhang berekend wordt",
                      "How the social-cohesion score is computed"));
    web_buf_raw(b, WEB_L(r,
                         "Zoals het CBS: elke stelling wordt beantwoord op een schaal van 1 "
                         "(helemaal mee oneens) tot 5 (helemaal mee eens). Een negatief "
                         "geformuleerde stelling wordt omgedraaid (6 min het antwoord). De score "
                         "van een bewoner is ",
                         "As Statistics Netherlands (CBS) does: each statement is answered on a "
                         "scale from 1 (strongly disagree) to 5 (strongly agree). A statement "
                         "worded negatively is turned around (6 minus the answer). A resident's "
                         "score is "));
    web_buf_raw(b, "<code>(gemiddelde − 1) × 2,5</code>");
    web_buf_raw(b, WEB_L(r,
                         ", van 0 tot 10, als hij of zij minstens de helft van de stellingen "
                         "beantwoordde. De score van een wijk is het gemiddelde van de scores "
                         "van haar bewoners; 'Respondenten' zegt hoeveel dat er zijn. Stellingen: ",
                         ", from 0 to 10, when they answered at least half of the statements. An "
                         "area's score is the mean of its residents' scores; 'Respondents' says "
                         "how many there are. Statements: "));
    for (size_t i = 0; i < n_items; i++) {
        web_buf_raw(b, i ? ", " : "");
        web_buf_raw(b, "<code>");
        web_buf_text(b, items[i]);
        web_buf_raw(b, "</code>");
        if (reverse[i])
            web_buf_fmt(b, " (%s)", WEB_L(r, "omgedraaid", "reversed"));
    }
    web_buf_fmt(b, ".</p><p>%s</p></details>",
                WEB_L(r, "Gemarkeerde antwoorden (snel doorgeklikt, herhaald) tellen niet mee.",
                      "Flagged responses (rushed, repeated) are left out."));
}

static void web_score_cells(web_req *r, web_buf *b, const web_area_row *a, bool with_score,
                            bool hide)
{
    if (!with_score)
        return;
    int min = r->w->cfg->dashboard.min_group;
    if (a->score_n >= min && !hide) {
        char v[32];
        web_decimal(r, a->score_sum / (double)a->score_n, v);
        web_buf_fmt(b, "<td class=\"num\" data-value=\"%.2f\">%s</td>",
                    a->score_sum / (double)a->score_n, v);
    } else {
        web_cell_too_few(r, b);
    }
    web_buf_fmt(b, "<td class=\"num\">%lld</td>", (long long)a->score_n);
}

void web_page_overview(web_req *r)
{
    const collector_config *cfg = r->w->cfg;
    web_areas *areas = calloc(1, sizeof *areas);
    overview_ctx *x = calloc(1, sizeof *x);
    if (!areas || !x) {
        free(areas);
        free(x);
        web_page_error(r, 503, "out of memory");
        return;
    }
    x->areas = areas;
    for (size_t i = 0; i < cfg->n_areas; i++)
        web_areas_get(areas, cfg->areas[i].id);
    const int64_t now = clock_wall_ms(&r->w->clock);
    web_month_of(now, x->this_month);
    for (int m = 0; m < WEB_TREND_MONTHS; m++)
        web_month_add(x->this_month, m - (WEB_TREND_MONTHS - 1), x->months[m]);
    storage_dash_filter f = {.from_month = x->months[0]};
    bk_err err = storage_dash_counts(r->w->st, &f, overview_count, x);

    const char *items[COLLECTOR_MAX_COHESION];
    bool reverse[COLLECTOR_MAX_COHESION];
    char problem[300];
    size_t n_items = web_cohesion_items(r, items, reverse, problem, sizeof problem);
    if (err == BK_OK && n_items > 0) {
        char year_ago[8];
        web_month_add(x->this_month, -(WEB_SCORE_MONTHS - 1), year_ago);
        storage_dash_filter sf = {.survey_id = cfg->dashboard.cohesion_survey,
                                  .from_month = year_ago};
        err = storage_dash_cohesion(r->w->st, &sf, items, reverse, n_items, overview_score, x);
    }
    if (err != BK_OK) {
        free(areas);
        free(x);
        web_page_error(r, 503,
                       WEB_L(r,
                             "De cijfers konden niet gelezen worden; probeer het zo "
                             "opnieuw.",
                             "The figures could not be read; try again shortly."));
        return;
    }

    web_buf b = {0};
    web_page_begin(r, &b, WEB_L(r, "Overzicht per wijk en dorp", "Overview by area"), "overview");
    if (problem[0]) {
        web_buf_raw(&b, "<p class=\"notice\">");
        web_buf_text(&b, problem);
        web_buf_raw(&b, "</p>");
    }
    const bool with_score = n_items > 0;
    web_buf_fmt(&b,
                "<div class=\"table-wrap\"><table id=\"overview\"><caption>%s</caption><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>",
                WEB_L(r, "Antwoorden per maand (gemarkeerde niet meegeteld)",
                      "Responses by month (flagged ones left out)"),
                WEB_L(r, "Wijk of dorp", "Area"), WEB_L(r, "Deze maand", "This month"));
    for (int m = 0; m < WEB_TREND_MONTHS - 1; m++)
        web_buf_fmt(&b, "<th scope=\"col\">%s</th>", x->months[m]);
    if (with_score)
        web_buf_fmt(&b, "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>",
                    WEB_L(r, "Sociale samenhang (0–10, laatste 12 maanden)",
                          "Social cohesion (0–10, last 12 months)"),
                    WEB_L(r, "Respondenten", "Respondents"));
    web_buf_raw(&b, "</tr></thead><tbody>");
    for (size_t i = 0; i < areas->n; i++) {
        const web_area_row *a = &areas->rows[i];
        if (!web_may_see_area(r, a->id))
            continue;
        if (!a->id[0] && a->total == 0 && a->score_n == 0)
            continue;
        web_buf_raw(&b, "<tr><th scope=\"row\">");
        if (a->id[0]) {
            web_buf_raw(&b, "<a href=\"/area/");
            web_buf_url(&b, a->id);
            web_buf_raw(&b, "\">");
            web_buf_text(&b, web_area_name(r, a->id));
            web_buf_raw(&b, "</a>");
        } else {
            web_buf_text(&b, web_area_name(r, a->id));
        }
        web_buf_fmt(&b, "</th><td class=\"num\">%lld</td>",
                    (long long)a->month_n[WEB_TREND_MONTHS - 1]);
        for (int m = 0; m < WEB_TREND_MONTHS - 1; m++)
            web_buf_fmt(&b, "<td class=\"num\">%lld</td>", (long long)a->month_n[m]);
        web_score_cells(r, &b, a, with_score, false);
        web_buf_raw(&b, "</tr>");
    }
    /* The municipality's score would give away a small group by
     * difference (the municipality minus the areas shown): it is shown
     * only when the respondents of the areas without a score on this page
     * (too few, or not this user's) are none or at least min_group. */
    int64_t unshown = x->total.score_n;
    for (size_t i = 0; i < areas->n; i++) {
        const web_area_row *a = &areas->rows[i];
        if (web_may_see_area(r, a->id) && a->score_n >= cfg->dashboard.min_group &&
            (a->id[0] || a->total > 0))
            unshown -= a->score_n;
    }
    const bool hide_total = unshown > 0 && unshown < cfg->dashboard.min_group;
    web_buf_fmt(&b, "<tr class=\"total\"><th scope=\"row\">%s</th><td class=\"num\">%lld</td>",
                WEB_L(r, "Gemeente (alle wijken en dorpen)", "Municipality (all areas)"),
                (long long)x->total.month_n[WEB_TREND_MONTHS - 1]);
    for (int m = 0; m < WEB_TREND_MONTHS - 1; m++)
        web_buf_fmt(&b, "<td class=\"num\">%lld</td>", (long long)x->total.month_n[m]);
    web_score_cells(r, &b, &x->total, with_score, hide_total);
    web_buf_raw(&b, "</tr></tbody></table></div>");

    /* The trend as a chart: months down, one series per area shown. */
    web_buf_fmt(&b,
                "<h2>%s</h2><div class=\"table-wrap\"><table class=\"figures\" id=\"trend\" "
                "data-chart=\"line\" data-series=\"all\"><caption>%s</caption><thead><tr>"
                "<th scope=\"col\">%s</th>",
                WEB_L(r, "Antwoorden per maand", "Responses by month"),
                WEB_L(r, "Antwoorden per maand per wijk", "Responses by month and area"),
                WEB_L(r, "Maand", "Month"));
    for (size_t i = 0; i < areas->n; i++) {
        if (!web_may_see_area(r, areas->rows[i].id) || areas->rows[i].total == 0)
            continue;
        web_buf_raw(&b, "<th scope=\"col\">");
        web_buf_text(&b, web_area_name(r, areas->rows[i].id));
        web_buf_raw(&b, "</th>");
    }
    web_buf_raw(&b, "</tr></thead><tbody>");
    for (int m = 0; m < WEB_TREND_MONTHS; m++) {
        web_buf_fmt(&b, "<tr><th scope=\"row\">%s</th>", x->months[m]);
        for (size_t i = 0; i < areas->n; i++) {
            const web_area_row *a = &areas->rows[i];
            if (!web_may_see_area(r, a->id) || a->total == 0)
                continue;
            web_buf_fmt(&b, "<td data-value=\"%lld\">%lld</td>", (long long)a->month_n[m],
                        (long long)a->month_n[m]);
        }
        web_buf_raw(&b, "</tr>");
    }
    web_buf_raw(&b, "</tbody></table></div><figure class=\"chart\"><canvas role=\"img\" "
                    "aria-hidden=\"true\"></canvas></figure>");
    if (with_score)
        web_formula(r, &b, n_items, items, reverse);
    free(areas);
    free(x);
    web_page_send(r, &b, 200);
}

/* ---- one area ---- */

typedef struct area_survey {
    char id[INGEST_ID_MAX + 1];
    int64_t n;
    int max_version;
} area_survey;

typedef struct area_ctx {
    const char *survey_id; /* the one shown; NULL while listing */
    bool with_rapid, with_repeat;
    area_survey surveys[WEB_MAX_SURVEYS];
    size_t n_surveys;
    char langs[WEB_MAX_LANGS][16];
    size_t n_langs;
    int versions[WEB_MAX_VERSIONS];
    size_t n_versions;
    int64_t shown, rapid, repeat; /* of the survey shown, with the filter */
    int64_t month_n[64];
    char months[64][8];
    size_t n_months;
} area_ctx;

static size_t area_month(area_ctx *x, const char *month)
{
    for (size_t i = 0; i < x->n_months; i++)
        if (strcmp(x->months[i], month) == 0)
            return i;
    if (x->n_months == 64)
        return 64;
    snprintf(x->months[x->n_months], sizeof x->months[0], "%s", month);
    x->month_n[x->n_months] = 0;
    return x->n_months++;
}

/* The surveys, languages and versions an area's responses have. */
static int area_list(const storage_dash_count *row, void *arg)
{
    area_ctx *x = arg;
    size_t i = 0;
    while (i < x->n_surveys && strcmp(x->surveys[i].id, row->survey_id) != 0)
        i++;
    if (i == x->n_surveys && i < WEB_MAX_SURVEYS) {
        snprintf(x->surveys[i].id, sizeof x->surveys[i].id, "%s", row->survey_id);
        x->n_surveys++;
    }
    if (i < x->n_surveys) {
        x->surveys[i].n += row->n;
        if (row->survey_version > x->surveys[i].max_version)
            x->surveys[i].max_version = row->survey_version;
    }
    size_t l = 0;
    while (l < x->n_langs && strcmp(x->langs[l], row->language) != 0)
        l++;
    if (l == x->n_langs && l < WEB_MAX_LANGS)
        snprintf(x->langs[x->n_langs++], sizeof x->langs[0], "%s", row->language);
    return 0;
}

/* The counts of the survey shown, with the filter. */
static int area_shown(const storage_dash_count *row, void *arg)
{
    area_ctx *x = arg;
    size_t v = 0;
    while (v < x->n_versions && x->versions[v] != row->survey_version)
        v++;
    if (v == x->n_versions && v < WEB_MAX_VERSIONS)
        x->versions[x->n_versions++] = row->survey_version;
    if (row->rapid)
        x->rapid += row->n;
    if (row->repeat)
        x->repeat += row->n;
    if ((row->rapid && !x->with_rapid) || (row->repeat && !x->with_repeat))
        return 0;
    x->shown += row->n;
    size_t m = area_month(x, row->month);
    if (m < 64)
        x->month_n[m] += row->n;
    return 0;
}

/* The answers' tallies of the survey shown. */
typedef struct tally {
    char question[SURVEY_ID_MAX + 1];
    char month[8];
    char value[64];
    int64_t n;
} tally;

typedef struct tallies {
    tally *t;
    size_t n, cap;
    bool oom;
} tallies;

static int tallies_add(const storage_dash_value *row, void *arg)
{
    tallies *x = arg;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        tally *t = realloc(x->t, cap * sizeof *t);
        if (!t) {
            x->oom = true;
            return 1;
        }
        x->t = t;
        x->cap = cap;
    }
    tally *t = &x->t[x->n++];
    snprintf(t->question, sizeof t->question, "%s", row->question_id);
    snprintf(t->month, sizeof t->month, "%s", row->month);
    snprintf(t->value, sizeof t->value, "%s", row->value);
    t->n = row->n;
    return 0;
}

static int64_t tallies_sum(const tallies *x, const char *q, const char *value, const char *month)
{
    int64_t n = 0;
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->t[i].question, q) == 0 && (!value || strcmp(x->t[i].value, value) == 0) &&
            (!month || strcmp(x->t[i].month, month) == 0))
            n += x->t[i].n;
    return n;
}

/* The language index of the survey's labels for the page. */
static int web_survey_lang(const web_req *r, const survey *s)
{
    int i = survey_language_index(s, r->en ? "en" : "nl");
    if (i < 0)
        i = survey_language_index(s, "nl");
    return i < 0 ? 0 : i;
}

static const char *web_text(const survey_text *t, int lang)
{
    const char *s = survey_text_get(t, lang);
    return s ? s : survey_text_get(t, 0);
}

static void web_table_head(web_req *r, web_buf *b, const char *chart, const char *caption,
                           const char *col1, const char *col2, const char *col3, const char *extra)
{
    web_buf_fmt(b,
                "<div class=\"table-wrap\"><table class=\"figures\" data-chart=\"%s\"%s>"
                "<caption>",
                chart, extra ? extra : "");
    web_buf_text(b, caption);
    web_buf_fmt(b, "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>", col1,
                col2);
    if (col3)
        web_buf_fmt(b, "<th scope=\"col\">%s</th>", col3);
    web_buf_raw(b, "</tr></thead><tbody>");
}

static void web_table_end(web_buf *b)
{
    web_buf_raw(b, "</tbody></table></div><figure class=\"chart\"><canvas role=\"img\" "
                   "aria-hidden=\"true\"></canvas></figure>");
}

static void web_count_row(web_buf *b, const char *label, int64_t n, int64_t base)
{
    web_buf_raw(b, "<tr><th scope=\"row\">");
    web_buf_text(b, label);
    double pct = base > 0 ? 100.0 * (double)n / (double)base : 0.0;
    web_buf_fmt(b,
                "</th><td class=\"num\" data-value=\"%lld\">%lld</td>"
                "<td class=\"num\" data-value=\"%.1f\">%.0f%%</td></tr>",
                (long long)n, (long long)n, pct, pct);
}

/* Mean of a scale (or the cohesion score) per month as a line. */
static void web_mean_by_month(web_req *r, web_buf *b, const tallies *t, const char *q,
                              const area_ctx *x)
{
    const int min = r->w->cfg->dashboard.min_group;
    web_table_head(r, b, "line", WEB_L(r, "Gemiddelde per maand", "Mean by month"),
                   WEB_L(r, "Maand", "Month"), WEB_L(r, "Gemiddelde (1–5)", "Mean (1–5)"), NULL,
                   " data-min=\"1\" data-max=\"5\"");
    for (size_t m = 0; m < x->n_months; m++) {
        int64_t n = 0;
        double sum = 0;
        for (size_t i = 0; i < t->n; i++) {
            if (strcmp(t->t[i].question, q) != 0 || strcmp(t->t[i].month, x->months[m]) != 0)
                continue;
            n += t->t[i].n;
            sum += atof(t->t[i].value) * (double)t->t[i].n;
        }
        web_buf_fmt(b, "<tr><th scope=\"row\">%s</th>", x->months[m]);
        if (n >= min) {
            char v[32];
            web_decimal(r, sum / (double)n, v);
            web_buf_fmt(b, "<td class=\"num\" data-value=\"%.2f\">%s</td></tr>", sum / (double)n,
                        v);
        } else {
            web_cell_too_few(r, b);
            web_buf_raw(b, "</tr>");
        }
    }
    web_table_end(b);
}

/* A row for each value question q got, once each, in the tallies' order;
 * unknown_only: only the values that are none of q's options. */
static void web_value_rows(web_buf *b, const tallies *t, const survey_question *q,
                           bool unknown_only, int64_t base)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->t[i].question, q->id) != 0 ||
            (unknown_only && survey_find_option(q, t->t[i].value) >= 0))
            continue;
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = !(strcmp(t->t[j].question, q->id) == 0 &&
                      strcmp(t->t[j].value, t->t[i].value) == 0);
        if (first)
            web_count_row(b, t->t[i].value, tallies_sum(t, q->id, t->t[i].value, NULL), base);
    }
}

static void web_question(web_req *r, web_buf *b, const survey *s, const survey_question *q,
                         const tallies *t, const area_ctx *x, const char *area)
{
    const int lang = web_survey_lang(r, s);
    const int min = r->w->cfg->dashboard.min_group;
    web_buf_raw(b, "<section class=\"question\" data-question=\"");
    web_buf_text(b, q->id);
    web_buf_raw(b, "\"><h2>");
    web_buf_text(b, web_text(&q->text, lang));
    web_buf_raw(b, "</h2>");
    if (q->type == SURVEY_Q_TEXT) {
        web_buf_raw(b, "<p><a href=\"/area/");
        web_buf_url(b, area);
        web_buf_fmt(b, "/ideas\">%s</a></p></section>",
                    WEB_L(r, "Lees de antwoorden bij Ideeën", "Read the answers under Ideas"));
        return;
    }
    const int64_t answered = tallies_sum(t, q->id, NULL, NULL);
    const int64_t base = q->type == SURVEY_Q_MULTI ? x->shown : answered;
    if (q->type == SURVEY_Q_MULTI)
        web_buf_fmt(b, "<p class=\"meta\">%s</p>",
                    WEB_L(r, "Meer antwoorden per persoon mogelijk; % van alle antwoorden.",
                          "Several answers per person; % of all responses."));
    if (base < min || answered == 0) {
        web_too_few(r, b);
        web_buf_raw(b, "</section>");
        return;
    }
    char caption[160];
    snprintf(caption, sizeof caption, "%s: %lld", WEB_L(r, "Aantal antwoorden", "Answers"),
             (long long)answered);
    web_table_head(r, b, "bar", caption, WEB_L(r, "Antwoord", "Answer"),
                   WEB_L(r, "Aantal", "Count"), "%", NULL);
    switch (q->type) {
    case SURVEY_Q_SCALE:
    case SURVEY_Q_SMILEY:
        for (int v = 1; v <= SURVEY_SCALE_POINTS; v++) {
            char value[8], label[SURVEY_LABEL_MAX * 4 + 16];
            snprintf(value, sizeof value, "%d", v);
            const char *l = web_text(&q->labels[v - 1], lang);
            snprintf(label, sizeof label, "%d%s%s", v, l ? " " : "", l ? l : "");
            web_count_row(b, label, tallies_sum(t, q->id, value, NULL), base);
        }
        break;
    case SURVEY_Q_CHOICE:
    case SURVEY_Q_MULTI:
        for (size_t o = 0; o < q->n_options; o++)
            web_count_row(b, web_text(&q->options[o].label, lang),
                          tallies_sum(t, q->id, q->options[o].id, NULL), base);
        /* Values the definition does not know (an older version's). */
        web_value_rows(b, t, q, true, base);
        break;
    default: /* a number: each value given, in order */
        web_value_rows(b, t, q, false, base);
        break;
    }
    web_table_end(b);
    if ((q->type == SURVEY_Q_SCALE || q->type == SURVEY_Q_SMILEY) && x->n_months > 0)
        web_mean_by_month(r, b, t, q->id, x);
    web_buf_raw(b, "</section>");
}

typedef struct month_scores {
    char months[64][8];
    int64_t n[64];
    double sum[64];
    size_t count;
} month_scores;

static int area_score(const storage_dash_score *row, void *arg)
{
    month_scores *m = arg;
    if (m->count < 64) {
        snprintf(m->months[m->count], sizeof m->months[0], "%s", row->month);
        m->n[m->count] = row->respondents;
        m->sum[m->count] = row->score_sum;
        m->count++;
    }
    return 0;
}

static void web_area_cohesion(web_req *r, web_buf *b, const storage_dash_filter *f)
{
    const char *items[COLLECTOR_MAX_COHESION];
    bool reverse[COLLECTOR_MAX_COHESION];
    char problem[300];
    size_t n_items = web_cohesion_items(r, items, reverse, problem, sizeof problem);
    if (n_items == 0)
        return;
    month_scores *m = calloc(1, sizeof *m);
    if (!m || storage_dash_cohesion(r->w->st, f, items, reverse, n_items, area_score, m) != BK_OK) {
        free(m);
        return;
    }
    const int min = r->w->cfg->dashboard.min_group;
    web_buf_fmt(b, "<section class=\"question\" data-question=\"cohesion\"><h2>%s</h2>",
                WEB_L(r, "Sociale samenhang per maand (0–10)", "Social cohesion by month (0–10)"));
    web_table_head(r, b, "line", WEB_L(r, "Score per maand", "Score by month"),
                   WEB_L(r, "Maand", "Month"), WEB_L(r, "Score", "Score"),
                   WEB_L(r, "Respondenten", "Respondents"),
                   " data-min=\"0\" data-max=\"10\" data-series=\"0\"");
    for (size_t i = 0; i < m->count; i++) {
        web_buf_fmt(b, "<tr><th scope=\"row\">%s</th>", m->months[i]);
        if (m->n[i] >= min) {
            char v[32];
            web_decimal(r, m->sum[i] / (double)m->n[i], v);
            web_buf_fmt(b, "<td class=\"num\" data-value=\"%.2f\">%s</td>",
                        m->sum[i] / (double)m->n[i], v);
        } else {
            web_cell_too_few(r, b);
        }
        web_buf_fmt(b, "<td class=\"num\">%lld</td></tr>", (long long)m->n[i]);
    }
    web_table_end(b);
    web_buf_fmt(b, "<p><a href=\"/#formula\">%s</a></p></section>",
                WEB_L(r, "Hoe de score berekend wordt", "How the score is computed"));
    free(m);
}

static void web_option(web_buf *b, const char *value, const char *label, bool selected)
{
    web_buf_raw(b, "<option value=\"");
    web_buf_text(b, value);
    web_buf_fmt(b, "\"%s>", selected ? " selected" : "");
    web_buf_text(b, label);
    web_buf_raw(b, "</option>");
}

static void web_area_filters(web_req *r, web_buf *b, const char *area, const area_ctx *x,
                             const char *survey_id, int version, const char *language,
                             const char *status, const char *from, const char *to)
{
    web_buf_raw(b, "<form id=\"filters\" method=\"get\" action=\"/area/");
    web_buf_url(b, area);
    web_buf_fmt(b, "\" aria-label=\"%s\">", WEB_L(r, "Filters", "Filters"));
    web_buf_fmt(b,
                "<div><label for=\"f-survey\">%s</label><select id=\"f-survey\" "
                "name=\"survey\">",
                WEB_L(r, "Enquête", "Survey"));
    for (size_t i = 0; i < x->n_surveys; i++)
        web_option(b, x->surveys[i].id, x->surveys[i].id, strcmp(x->surveys[i].id, survey_id) == 0);
    web_buf_fmt(b,
                "</select></div><div><label for=\"f-from\">%s</label><input id=\"f-from\" "
                "name=\"from\" type=\"month\" placeholder=\"2026-01\" value=\"",
                WEB_L(r, "Van (maand)", "From (month)"));
    web_buf_text(b, from ? from : "");
    web_buf_fmt(b,
                "\"></div><div><label for=\"f-to\">%s</label><input id=\"f-to\" name=\"to\" "
                "type=\"month\" placeholder=\"2026-12\" value=\"",
                WEB_L(r, "Tot en met (maand)", "Up to (month)"));
    web_buf_text(b, to ? to : "");
    web_buf_fmt(b,
                "\"></div><div><label for=\"f-version\">%s</label><select id=\"f-version\" "
                "name=\"version\">",
                WEB_L(r, "Versie", "Version"));
    web_option(b, "", WEB_L(r, "alle", "all"), version == 0);
    for (size_t i = 0; i < x->n_versions; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", x->versions[i]);
        web_option(b, v, v, version == x->versions[i]);
    }
    web_buf_fmt(b,
                "</select></div><div><label for=\"f-language\">%s</label><select "
                "id=\"f-language\" name=\"language\">",
                WEB_L(r, "Taal", "Language"));
    web_option(b, "", WEB_L(r, "alle", "all"), !language);
    for (size_t i = 0; i < x->n_langs; i++)
        web_option(b, x->langs[i], x->langs[i], language && strcmp(language, x->langs[i]) == 0);
    web_buf_fmt(b,
                "</select></div><div><label for=\"f-status\">%s</label><select "
                "id=\"f-status\" name=\"status\">",
                WEB_L(r, "Ingevuld", "Completed"));
    web_option(b, "", WEB_L(r, "volledig en gedeeltelijk", "complete and partial"), !status);
    web_option(b, "complete", WEB_L(r, "alleen volledig", "complete only"),
               status && strcmp(status, "complete") == 0);
    web_option(b, "partial", WEB_L(r, "alleen gedeeltelijk", "partial only"),
               status && strcmp(status, "partial") == 0);
    web_buf_fmt(b,
                "</select></div><div><label><input type=\"checkbox\" id=\"f-rapid\" "
                "name=\"rapid\" value=\"1\"%s>%s</label></div><div><label><input "
                "type=\"checkbox\" id=\"f-repeat\" name=\"repeat\" value=\"1\"%s>%s</label>"
                "</div><div><button type=\"submit\">%s</button></div></form>",
                x->with_rapid ? " checked" : "",
                WEB_L(r, "ook snel doorgeklikte (rapid)", "include rushed (rapid)"),
                x->with_repeat ? " checked" : "",
                WEB_L(r, "ook herhaalde (repeat)", "include repeated (repeat)"),
                WEB_L(r, "Toon", "Show"));
}

static void web_export_form(web_req *r, web_buf *b, const char *area)
{
    web_buf_fmt(b, "<section id=\"export\"><h2>%s</h2><form method=\"post\" action=\"/export\">",
                WEB_L(r, "Exporteren", "Export"));
    web_csrf_field(r, b);
    web_buf_raw(b, "<input type=\"hidden\" name=\"area\" value=\"");
    web_buf_text(b, area);
    web_buf_fmt(b,
                "\"><label for=\"e-from\">%s</label><input id=\"e-from\" name=\"from\" "
                "type=\"date\"><label for=\"e-to\">%s</label><input id=\"e-to\" name=\"to\" "
                "type=\"date\"><label for=\"e-format\">%s</label><select id=\"e-format\" "
                "name=\"format\"><option value=\"xlsx\">Excel (.xlsx)</option>"
                "<option value=\"csv\">CSV (Excel, ;)</option><option value=\"jsonl\">JSON Lines"
                "</option></select><button type=\"submit\">%s</button></form><p class=\"meta\">%s"
                "</p></section>",
                WEB_L(r, "Van (datum, leeg: alles)", "From (date, empty: all)"),
                WEB_L(r, "Tot en met (datum)", "Up to (date)"), WEB_L(r, "Bestand", "File"),
                WEB_L(r, "Download", "Download"),
                WEB_L(r,
                      "Verborgen ideeën en gemarkeerde antwoorden: zie docs/dashboard.md. Elke "
                      "export staat in het auditlog.",
                      "Hidden ideas and flagged responses: see docs/dashboard.md. Every export "
                      "is in the audit log."));
}

void web_page_area(web_req *r, const char *area)
{
    const char *survey_q = web_query(r, "survey"), *from = web_query(r, "from");
    const char *to = web_query(r, "to"), *language = web_query(r, "language");
    const char *status = web_query(r, "status"), *version_q = web_query(r, "version");
    if (from && !from[0])
        from = NULL;
    if (to && !to[0])
        to = NULL;
    if (language && !language[0])
        language = NULL;
    if (status && strcmp(status, "complete") != 0 && strcmp(status, "partial") != 0)
        status = NULL;
    int version = version_q ? atoi(version_q) : 0;
    storage_dash_filter f = {.area = area,
                             .language = language,
                             .status = status,
                             .survey_version = version > 0 ? version : 0};
    char from_m[8], to_m[8];
    if ((from && !web_month_add(from, 0, from_m)) || (to && !web_month_add(to, 0, to_m))) {
        web_page_error(r, 400,
                       WEB_L(r, "Van en tot zijn maanden als 2026-11.",
                             "From and to are months such as 2026-11."));
        return;
    }
    f.from_month = from ? from_m : NULL;
    f.to_month = to ? to_m : NULL;
    area_ctx *x = calloc(1, sizeof *x);
    if (!x) {
        web_page_error(r, 503, "out of memory");
        return;
    }
    x->with_rapid = web_query(r, "rapid") != NULL;
    x->with_repeat = web_query(r, "repeat") != NULL;
    f.with_rapid = x->with_rapid;
    f.with_repeat = x->with_repeat;
    storage_dash_filter all = {.area = area};
    bk_err err = storage_dash_counts(r->w->st, &all, area_list, x);
    const char *survey_id = NULL;
    int64_t best = 0;
    for (size_t i = 0; i < x->n_surveys; i++) {
        if (survey_q && strcmp(survey_q, x->surveys[i].id) == 0)
            survey_id = x->surveys[i].id;
        if (!survey_q && (!survey_id || x->surveys[i].n > best))
            survey_id = x->surveys[i].id;
        if (survey_id == x->surveys[i].id)
            best = x->surveys[i].n;
    }
    tallies t = {0};
    survey *s = NULL;
    if (err == BK_OK && survey_id) {
        f.survey_id = survey_id;
        err = storage_dash_counts(r->w->st, &f, area_shown, x);
        int max_version = 0;
        for (size_t i = 0; i < x->n_versions; i++)
            if (x->versions[i] > max_version)
                max_version = x->versions[i];
        s = web_survey_load(r, survey_id, version > 0 ? version : max_version);
        if (err == BK_OK && s) {
            const char *ids[256];
            size_t n = 0;
            for (size_t i = 0; i < s->n_questions && n < 256; i++) {
                survey_qtype ty = s->questions[i].type;
                if (ty != SURVEY_Q_TEXT && ty != SURVEY_Q_INFO && ty != SURVEY_Q_AREA)
                    ids[n++] = s->questions[i].id;
            }
            err = storage_dash_values(r->w->st, &f, ids, n, tallies_add, &t);
            if (t.oom)
                err = BK_ERR_NOMEM;
        }
    }
    if (err != BK_OK) {
        free(t.t);
        survey_free(s);
        free(x);
        web_page_error(r, 503,
                       WEB_L(r,
                             "De cijfers konden niet gelezen worden; probeer het zo "
                             "opnieuw.",
                             "The figures could not be read; try again shortly."));
        return;
    }
    /* Months in order for the lines. */
    for (size_t i = 1; i < x->n_months; i++)
        for (size_t j = i; j > 0 && strcmp(x->months[j - 1], x->months[j]) > 0; j--) {
            char m[8];
            memcpy(m, x->months[j], 8);
            memcpy(x->months[j], x->months[j - 1], 8);
            memcpy(x->months[j - 1], m, 8);
            int64_t n = x->month_n[j];
            x->month_n[j] = x->month_n[j - 1];
            x->month_n[j - 1] = n;
        }

    web_buf b = {0};
    web_page_begin(r, &b, web_area_name(r, area), NULL);
    web_buf_raw(&b, "<p class=\"actions\"><a href=\"/area/");
    web_buf_url(&b, area);
    web_buf_fmt(&b, "/ideas\">%s</a></p>", WEB_L(r, "Ideeën van bewoners", "Residents' ideas"));
    if (!survey_id) {
        web_buf_fmt(
            &b, "<p class=\"notice\">%s</p>",
            WEB_L(r, "Nog geen antwoorden uit deze wijk.", "No responses from this area yet."));
    } else {
        web_area_filters(r, &b, area, x, survey_id, version, language, status, from, to);
        web_buf_fmt(&b, "<p id=\"summary\"><strong>%lld</strong> %s", (long long)x->shown,
                    WEB_L(r, "antwoorden met deze filters", "responses with these filters"));
        if (!s)
            web_buf_fmt(&b, " — %s",
                        WEB_L(r,
                              "de collector heeft de vragenlijst van deze enquête "
                              "niet, dus alleen aantallen.",
                              "the collector has no definition of this survey, so "
                              "counts only."));
        web_buf_raw(&b, "</p><p id=\"excluded\">");
        if (!x->with_rapid || !x->with_repeat)
            web_buf_fmt(&b, "%s: ", WEB_L(r, "Niet meegeteld", "Left out"));
        if (!x->with_rapid)
            web_buf_fmt(&b, "%lld %s", (long long)x->rapid,
                        WEB_L(r, "snel doorgeklikt (rapid)", "rushed (rapid)"));
        if (!x->with_rapid && !x->with_repeat)
            web_buf_raw(&b, ", ");
        if (!x->with_repeat)
            web_buf_fmt(&b, "%lld %s", (long long)x->repeat,
                        WEB_L(r, "herhaald op dezelfde kiosk (repeat)",
                              "repeated at the same kiosk (repeat)"));
        web_buf_raw(&b, "</p>");
        if (r->w->cfg->dashboard.cohesion_survey &&
            strcmp(r->w->cfg->dashboard.cohesion_survey, survey_id) == 0)
            web_area_cohesion(r, &b, &f);
        for (size_t i = 0; s && i < s->n_questions; i++) {
            survey_qtype ty = s->questions[i].type;
            if (ty != SURVEY_Q_INFO && ty != SURVEY_Q_AREA)
                web_question(r, &b, s, &s->questions[i], &t, x, area);
        }
        web_export_form(r, &b, area);
    }
    free(t.t);
    survey_free(s);
    free(x);
    web_page_send(r, &b, 200);
}

/* ---- kiosks ---- */

typedef struct kiosk_row {
    storage_kiosk k;
    int problem; /* higher first */
    bool offline;
} kiosk_row;

typedef struct kiosks_ctx {
    web_req *r;
    kiosk_row *rows;
    size_t n, cap;
    bool oom;
} kiosks_ctx;

static int kiosks_add(const storage_kiosk *k, void *arg)
{
    kiosks_ctx *x = arg;
    if (!web_may_see_area(x->r, k->area))
        return 0;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 32;
        kiosk_row *g = realloc(x->rows, cap * sizeof *g);
        if (!g) {
            x->oom = true;
            return 1;
        }
        x->rows = g;
        x->cap = cap;
    }
    kiosk_row *row = &x->rows[x->n++];
    row->k = *k;
    const int64_t now = clock_wall_ms(&x->r->w->clock);
    row->offline = !k->revoked && (k->last_heartbeat_ms == 0 ||
                                   now - k->last_heartbeat_ms >
                                       (int64_t)x->r->w->cfg->dashboard.offline_after_s * 1000);
    row->problem = k->revoked ? -1
                              : (row->offline ? 4 : 0) + (k->rejected > 0 ? 2 : 0) +
                                    (k->last_error[0] ? 1 : 0);
    return 0;
}

static int kiosk_cmp(const void *a, const void *b)
{
    const kiosk_row *x = a, *y = b;
    if (x->problem != y->problem)
        return y->problem - x->problem;
    return strcmp(x->k.id, y->k.id);
}

void web_page_kiosks(web_req *r)
{
    web_kiosks_result(r, 200, false, NULL, NULL);
}

void web_kiosks_result(web_req *r, int status, bool error, const char *message, const char *token)
{
    kiosks_ctx x = {.r = r};
    bk_err err = storage_kiosk_foreach(r->w->st, kiosks_add, &x);
    if (err != BK_OK || x.oom) {
        free(x.rows);
        web_page_error(
            r, 503,
            WEB_L(r, "De kiosken konden niet gelezen worden.", "The kiosks could not be read."));
        return;
    }
    qsort(x.rows, x.n, sizeof *x.rows, kiosk_cmp);
    web_buf b = {0};
    web_page_begin(r, &b, WEB_L(r, "Kiosken", "Kiosks"), "kiosks");
    if (message) {
        web_buf_fmt(&b, "<p class=\"%s\" role=\"%s\" id=\"result\">", error ? "error" : "notice",
                    error ? "alert" : "status");
        web_buf_text(&b, message);
        web_buf_raw(&b, "</p>");
    }
    if (token) {
        web_buf_raw(&b, "<div id=\"new-token\"><p><code>");
        web_buf_text(&b, token);
        web_buf_raw(&b, "</code></p></div>");
    }
    web_buf_fmt(&b, "<p>%s</p>",
                WEB_L(r,
                      "Kiosken met een probleem staan bovenaan. Offline: geen contact in de "
                      "ingestelde tijd.",
                      "Kiosks with a problem come first. Offline: no contact within the "
                      "configured time."));
    web_buf_fmt(&b,
                "<div class=\"table-wrap\"><table id=\"kiosks\"><thead><tr><th scope=\"col\">%s"
                "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\"></th></tr>"
                "</thead><tbody>",
                "Kiosk", WEB_L(r, "Wijk", "Area"), WEB_L(r, "Toestand", "State"),
                WEB_L(r, "Laatste contact", "Last heartbeat"), WEB_L(r, "In wachtrij", "Queued"),
                WEB_L(r, "Geweigerd", "Rejected"), WEB_L(r, "Laatste fout", "Last error"),
                WEB_L(r, "Vrije schijf", "Disk free"), WEB_L(r, "Enquête", "Survey"));
    for (size_t i = 0; i < x.n; i++) {
        const kiosk_row *k = &x.rows[i];
        const char *cls = k->offline ? "offline" : k->problem > 0 ? "problem" : "";
        web_buf_fmt(&b, "<tr class=\"%s\"><th scope=\"row\">", cls);
        web_buf_text(&b, k->k.id);
        web_buf_raw(&b, "</th><td>");
        web_buf_text(&b, web_area_name(r, k->k.area));
        const char *state = k->k.revoked ? WEB_L(r, "ingetrokken", "revoked")
                            : k->offline ? "offline"
                            : k->problem ? WEB_L(r, "let op", "attention")
                                         : "online";
        char when[32];
        web_time(k->k.last_heartbeat_ms, when);
        web_buf_fmt(&b,
                    "</td><td>%s</td><td>%s</td><td class=\"num\">%lld</td>"
                    "<td class=\"num\">%lld</td><td>",
                    state, when, (long long)k->k.queued, (long long)k->k.rejected);
        web_buf_text(&b, k->k.last_error);
        web_buf_raw(&b, "</td>");
        json_t *st = k->k.status_body[0] ? json_loads(k->k.status_body, 0, NULL) : NULL;
        json_t *disk = json_object_get(st, "disk_free_mb");
        if (json_is_integer(disk))
            web_buf_fmt(&b, "<td class=\"num\">%lld MB</td>", (long long)json_integer_value(disk));
        else
            web_buf_raw(&b, "<td>-</td>");
        const char *sid = json_string_value(json_object_get(st, "survey_id"));
        json_t *sver = json_object_get(st, "survey_version");
        web_buf_raw(&b, "<td>");
        if (sid) {
            web_buf_text(&b, sid);
            if (json_is_integer(sver))
                web_buf_fmt(&b, " v%lld", (long long)json_integer_value(sver));
        } else {
            web_buf_raw(&b, "-");
        }
        web_buf_raw(&b, "</td><td>");
        web_kiosk_revoke_button(r, &b, &k->k);
        web_buf_raw(&b, "</td></tr>");
        json_decref(st);
    }
    if (x.n == 0)
        web_buf_fmt(&b, "<tr><td colspan=\"10\">%s</td></tr>",
                    WEB_L(r, "Geen kiosken.", "No kiosks."));
    web_buf_raw(&b, "</tbody></table></div>");
    web_kiosks_admin(r, &b);
    free(x.rows);
    web_page_send(r, &b, status);
}
