/* fuzz_survey.c: libFuzzer target for the survey parser and validator
 * (survey_load_string, docs/survey-format.md). Besides "no crash, no leak,
 * no undefined behaviour" it checks that a rejected definition always comes
 * with at least one one-line message, and that an accepted one keeps every
 * documented rule, so the rest of the kiosk may rely on them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "fuzz_check.h"
#include "log.h"
#include "survey.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_LEVEL_ERROR);
    return 0;
}

static void check_text(const survey *s, const survey_text *t, int required)
{
    for (size_t l = 0; l < s->n_languages; l++) {
        if (required)
            FUZZ_CHECK(t->text[l] && t->text[l][0], "a required text is missing or empty");
        if (t->text[l])
            FUZZ_CHECK(survey_text_get(t, (int)l) == t->text[l], "survey_text_get");
    }
    for (size_t l = s->n_languages; l < SURVEY_MAX_LANGUAGES; l++)
        FUZZ_CHECK(t->text[l] == NULL, "a text in an undeclared language");
}

/* The documented rules an accepted survey must keep. */
static void check_valid(const survey *s)
{
    FUZZ_CHECK(s->id && s->id[0] && strlen(s->id) <= SURVEY_ID_MAX, "survey id");
    FUZZ_CHECK(s->version >= 1, "version");
    FUZZ_CHECK(s->n_languages >= 1 && s->n_languages <= SURVEY_MAX_LANGUAGES, "languages");
    for (size_t l = 0; l < s->n_languages; l++) {
        FUZZ_CHECK(s->languages[l], "language code");
        FUZZ_CHECK(survey_language_index(s, s->languages[l]) == (int)l, "language twice");
    }
    check_text(s, &s->title, 1);
    FUZZ_CHECK(s->n_questions >= 1 && s->n_questions <= SURVEY_MAX_QUESTIONS, "question count");
    int areas = 0;
    for (size_t i = 0; i < s->n_questions; i++) {
        const survey_question *q = &s->questions[i];
        FUZZ_CHECK(q->id && q->id[0] && strlen(q->id) <= SURVEY_ID_MAX, "question id");
        FUZZ_CHECK(survey_find_question(s, q->id) == q, "question ids are not unique");
        FUZZ_CHECK(survey_qtype_name(q->type) != NULL, "question type");
        check_text(s, &q->text, 1);
        check_text(s, &q->help, 0);
        int choices = q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_MULTI;
        if (choices)
            FUZZ_CHECK(q->n_options >= 2 && q->n_options <= SURVEY_MAX_OPTIONS, "option count");
        else
            FUZZ_CHECK(q->n_options == 0 && q->options == NULL, "options on a non-choice");
        for (size_t k = 0; k < q->n_options; k++) {
            FUZZ_CHECK(q->options[k].id, "option id");
            FUZZ_CHECK(survey_find_option(q, q->options[k].id) == (int)k, "option ids not unique");
            check_text(s, &q->options[k].label, 1);
        }
        if (q->type == SURVEY_Q_SCALE || q->type == SURVEY_Q_SMILEY)
            for (size_t k = 0; k < SURVEY_SCALE_POINTS; k++)
                check_text(s, &q->labels[k], 1);
        if (q->type == SURVEY_Q_MULTI)
            FUZZ_CHECK(q->max_choices >= 0 && (size_t)q->max_choices <= q->n_options, "multi max");
        if (q->type == SURVEY_Q_NUMBER)
            FUZZ_CHECK(q->min < q->max && q->min >= -SURVEY_NUMBER_LIMIT &&
                           q->max <= SURVEY_NUMBER_LIMIT,
                       "number range");
        if (q->type == SURVEY_Q_TEXT)
            FUZZ_CHECK(q->max_length >= 1 && q->max_length <= SURVEY_MAX_LENGTH_LIMIT,
                       "text max_length");
        if (q->type == SURVEY_Q_INFO)
            FUZZ_CHECK(!q->required, "a required info");
        areas += q->type == SURVEY_Q_AREA;
        if (q->show_if.question) {
            const survey_question *t = survey_find_question(s, q->show_if.question);
            FUZZ_CHECK(t && t < q, "show_if names a later or unknown question");
            FUZZ_CHECK(t->type != SURVEY_Q_TEXT && t->type != SURVEY_Q_INFO &&
                           t->type != SURVEY_Q_AREA,
                       "show_if on a text, info or area question");
            FUZZ_CHECK(q->show_if.n_in >= 1, "show_if without values");
            for (size_t k = 0; k < q->show_if.n_in; k++)
                FUZZ_CHECK(q->show_if.in[k], "show_if value");
        }
    }
    FUZZ_CHECK(areas <= 1, "two area questions");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bk_diag diag = {0};
    survey *s = survey_load_string((const char *)data, size, "fuzz.json", &diag);
    if (s) {
        FUZZ_CHECK(diag.count == 0, "an accepted survey with problems reported");
        check_valid(s);
    } else {
        FUZZ_CHECK(diag.count + diag.dropped > 0, "a rejected survey without any message");
        FUZZ_CHECK(fuzz_diag_lines_ok(&diag), "a message that is empty or spans lines");
    }
    survey_free(s);
    diag_clear(&diag);
    return 0;
}
