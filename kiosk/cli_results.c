/* cli_results.c: `buurtkiosk results [--config FILE] [--db FILE]
 * [--survey ID] [--question ID]`: the live results in the terminal, counted
 * from the database exactly as the kiosk's results screen counts them
 * (results.h): votes and percentages per answer, the most frequent words
 * and the latest answers of text questions, the quick repeats kept apart
 * and the answers staff hid. Only reads. Exit status: 0 printed, 1 reading
 * failed, 2 usage or configuration. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "flow.h"
#include "results.h"
#include "store.h"
#include "survey.h"
#include "sync.h"

#define CLI_RESULTS_DEFAULT_CONFIG "config/buurtkiosk.ini"
#define CLI_RESULTS_WORDS 20

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk results [--config FILE] [--db FILE] [--survey ID]\n"
               "                          [--question ID]\n\n"
               "Prints the live results (live mode, docs/live.md) counted from the kiosk's\n"
               "database, the same counts the results screen shows. Only reads.\n\n"
               "  --config FILE   configuration (default " CLI_RESULTS_DEFAULT_CONFIG ")\n"
               "  --db FILE       database (default: [storage] database)\n"
               "  --survey ID     survey (default: the one the kiosk shows)\n"
               "  --question ID   only this question (default: every question with live\n"
               "                  results: choice, multi, scale, smiley, text)\n");
}

/* Finds survey id (NULL: the one the kiosk shows: staff's choice, the
 * download's, the configuration's) in the configured folder and the
 * downloaded bundle (the bundle wins). */
static const survey *find_survey(const bk_config *cfg, store *st, const char *id,
                                 survey_catalog **cat, survey ***bundle, size_t *n_bundle)
{
    char *dir = config_resolve_path(cfg, cfg->survey.directory);
    bk_diag diag = {0};
    if (!dir || survey_catalog_load(dir, cat, &diag) != BK_OK)
        *cat = NULL;
    diag_clear(&diag);
    free(dir);
    char *downloaded = NULL, *staff = NULL;
    if (sync_surveys_from_store(st, bundle, n_bundle, &downloaded, NULL) != BK_OK) {
        *bundle = NULL;
        *n_bundle = 0;
        downloaded = NULL;
    }
    if (store_meta_get(st, "staff.active", &staff) != BK_OK)
        staff = NULL;
    const char *tries[3] = {id, id ? NULL : staff, id ? NULL : downloaded};
    const survey *found = NULL;
    for (int t = 0; t < 3 && !found; t++) {
        if (!tries[t])
            continue;
        for (size_t i = 0; i < *n_bundle && !found; i++)
            if (strcmp((*bundle)[i]->id, tries[t]) == 0)
                found = (*bundle)[i];
        if (!found)
            found = survey_catalog_find(*cat, tries[t]);
    }
    if (!found && !id && cfg->survey.active) {
        for (size_t i = 0; i < *n_bundle && !found; i++)
            if (strcmp((*bundle)[i]->id, cfg->survey.active) == 0)
                found = (*bundle)[i];
        if (!found)
            found = survey_catalog_find(*cat, cfg->survey.active);
    }
    free(staff);
    free(downloaded);
    return found;
}

static int print_question(store *st, const survey *s, const survey_question *q,
                          const results_options *opt)
{
    results *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "buurtkiosk results: out of memory\n");
        return 1;
    }
    bk_err err = results_compute(st, s, q, opt, r);
    if (err != BK_OK) {
        fprintf(stderr, "buurtkiosk results: cannot count %s: %s\n", q->id, bk_err_str(err));
        free(r);
        return 1;
    }
    printf("\n%s (%s): %s\n", q->id, survey_qtype_name(q->type), survey_text_get(&q->text, 0));
    if (q->type == SURVEY_Q_TEXT) {
        printf("  answers: %lld\n", (long long)r->votes);
        printf("  words:%s\n", r->n_words ? "" : " none yet");
        for (size_t i = 0; i < r->n_words && i < CLI_RESULTS_WORDS; i++)
            printf("    %-24s %lld\n", r->words[i].word, (long long)r->words[i].count);
        printf("  latest answers:%s\n", r->n_latest ? "" : " none yet");
        for (size_t i = 0; i < r->n_latest; i++)
            printf("    %s  %s\n", r->latest[i].response_id, r->latest[i].text);
    } else {
        int width = 8;
        for (size_t i = 0; i < r->n_bars; i++) {
            const char *label = q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_MULTI
                                    ? survey_text_get(&q->options[i].label, 0)
                                    : survey_text_get(&q->labels[i], 0);
            int n = label ? (int)flow_utf8_length(label) : 1;
            width = n > width ? n : width;
        }
        for (size_t i = 0; i < r->n_bars; i++) {
            char num[24];
            const char *label = q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_MULTI
                                    ? survey_text_get(&q->options[i].label, 0)
                                    : survey_text_get(&q->labels[i], 0);
            if (!label) {
                snprintf(num, sizeof num, "%zu", i + 1);
                label = num;
            }
            /* Padded by characters, not bytes, so accents line up. */
            printf("  %s%*s %6lld %4d%%\n", label, width - (int)flow_utf8_length(label), "",
                   (long long)r->bars[i], results_percent(r, i));
        }
        printf("  votes: %lld\n", (long long)r->votes);
    }
    printf("  quick repeats kept apart: %lld\n", (long long)r->held_apart);
    printf("  hidden by staff: %lld\n", (long long)r->hidden);
    if (r->ignored)
        printf("  not counted (does not fit the question): %lld\n", (long long)r->ignored);
    free(r);
    return 0;
}

int cli_results(int argc, char **argv)
{
    const char *config_path = CLI_RESULTS_DEFAULT_CONFIG, *db_arg = NULL, *survey_id = NULL,
               *question_id = NULL;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
        {"survey", required_argument, NULL, 's'}, {"question", required_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            db_arg = optarg;
            break;
        case 's':
            survey_id = optarg;
            break;
        case 'q':
            question_id = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "buurtkiosk results: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    bk_diag diag = {0};
    bk_config cfg;
    if (config_load(config_path, &cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        return 2;
    }
    diag_clear(&diag);
    char *db = db_arg ? strdup(db_arg) : config_resolve_path(&cfg, cfg.storage.database);
    bk_clock clock = clock_system();
    store *st = NULL;
    bk_err err = db ? store_open(db, &clock, &st, NULL) : BK_ERR_NOMEM;
    if (err != BK_OK) {
        fprintf(stderr, "buurtkiosk results: cannot open the database %s: %s\n", db ? db : "?",
                bk_err_str(err));
        free(db);
        config_free(&cfg);
        return 1;
    }
    survey_catalog *cat = NULL;
    survey **bundle = NULL;
    size_t n_bundle = 0;
    int rc = 0;
    const survey *s = find_survey(&cfg, st, survey_id, &cat, &bundle, &n_bundle);
    char *hidden_buf = NULL, *since = NULL, *open = NULL;
    const char *hidden[RESULTS_MAX_HIDDEN_WORDS];
    results_options opt = {0};
    if (!s) {
        fprintf(stderr, "buurtkiosk results: survey \"%s\" is not installed\n",
                survey_id           ? survey_id
                : cfg.survey.active ? cfg.survey.active
                                    : "");
        rc = 2;
        goto done;
    }
    if (store_meta_get(st, "live.hidden_words", &hidden_buf) == BK_OK) {
        opt.hidden_words = hidden;
        opt.n_hidden_words = results_split_words(hidden_buf, hidden, RESULTS_MAX_HIDDEN_WORDS);
    } else {
        hidden_buf = NULL;
    }
    int64_t since_shown = 0;
    if (store_meta_get(st, "live.since", &since) == BK_OK)
        since_shown = opt.since_wall_ms = strtoll(since, NULL, 10);
    else
        since = NULL;
    char *since_seq = NULL;
    if (store_meta_get(st, "live.since_seq", &since_seq) == BK_OK) {
        opt.after_seq = strtoll(since_seq, NULL, 10); /* as the kiosk counts: by seq */
        opt.since_wall_ms = 0;
        free(since_seq);
    }
    if (store_meta_get(st, "live.question", &open) != BK_OK)
        open = NULL;
    const survey_question *only = NULL;
    if (question_id) {
        only = survey_find_question(s, question_id);
        if (!only) {
            fprintf(stderr, "buurtkiosk results: survey \"%s\" has no question \"%s\"\n", s->id,
                    question_id);
            rc = 2;
            goto done;
        }
        if (!results_supported(only->type)) {
            fprintf(stderr,
                    "buurtkiosk results: question \"%s\" is a %s question: live results are "
                    "for choice, multi, scale, smiley and text\n",
                    question_id, survey_qtype_name(only->type));
            rc = 2;
            goto done;
        }
    }
    printf("Live results of survey \"%s\" version %d: %s\n", s->id, s->version,
           survey_text_get(&s->title, 0));
    if (since_shown > 0) {
        char stamp[40];
        clock_format_rfc3339(since_shown, stamp, sizeof stamp);
        printf("Counted since %s (staff started counting afresh)\n", stamp);
    }
    if (open)
        printf("Open on the kiosk: %s\n", open);
    if (opt.n_hidden_words) {
        printf("Hidden words:");
        for (size_t i = 0; i < opt.n_hidden_words; i++)
            printf(" %s", opt.hidden_words[i]);
        printf("\n");
    }
    for (size_t i = 0; i < s->n_questions && rc == 0; i++) {
        const survey_question *q = &s->questions[i];
        if ((only && q != only) || !results_supported(q->type))
            continue;
        rc = print_question(st, s, q, &opt);
    }
done:
    free(hidden_buf);
    free(since);
    free(open);
    survey_catalog_free(cat);
    sync_surveys_free(bundle, n_bundle);
    store_close(st);
    free(db);
    config_free(&cfg);
    return rc;
}
