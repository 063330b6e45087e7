/* test_survey.c: survey definitions: the demo surveys, the UI fixtures, every
 * validation rule (exact messages), survey_from_json, the catalogue and
 * `buurtkiosk check`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "survey.h"

#define SURVEY_DIR BK_SOURCE_DIR "/config/surveys"
#define DATA BK_TEST_DATA "/survey"
#define BAD DATA "/bad"

/* Prints what diag holds, to explain a failing assertion. */
static void dump(const char *what, const bk_diag *d)
{
    if (d->count == 0)
        return;
    fprintf(stderr, "-- %s: %zu messages:\n", what, d->count);
    diag_print(d, stderr);
}

static survey *load_ok(const char *path)
{
    bk_diag d = {0};
    survey *s = survey_load_file(path, &d);
    dump(path, &d);
    assert_non_null(s);
    assert_int_equal(d.count, 0);
    diag_clear(&d);
    return s;
}

static const survey_question *question(const survey *s, const char *id)
{
    const survey_question *qq = survey_find_question(s, id);
    assert_non_null(qq);
    return qq;
}

/* ------------------------------------------------------------------------ */
/* The demo surveys */

static void test_buurtpeiling(void **state)
{
    (void)state;
    survey *s = load_ok(SURVEY_DIR "/buurtpeiling.json");
    assert_string_equal(s->id, "buurtpeiling");
    assert_int_equal(s->version, 1);
    assert_int_equal(s->n_languages, 2);
    assert_string_equal(s->languages[0], "nl");
    assert_string_equal(s->languages[1], "en");
    int nl = survey_language_index(s, "nl"), en = survey_language_index(s, "en");
    assert_int_equal(nl, 0);
    assert_int_equal(en, 1);
    assert_string_equal(survey_text_get(&s->title, nl), "Buurtpeiling Oosterhout");
    assert_string_equal(survey_text_get(&s->title, en), "Neighbourhood survey Oosterhout");

    static const struct {
        const char *id;
        survey_qtype type;
        const char *nl, *en;
    } expect[] = {
        {"area", SURVEY_Q_AREA, "In welke wijk of welk dorp woont u?",
         "Which neighbourhood or village do you live in?"},
        {"q1", SURVEY_Q_SCALE, "De mensen in de buurt kennen elkaar nauwelijks",
         "People in the neighbourhood hardly know each other"},
        {"q2", SURVEY_Q_SCALE, "De mensen in de buurt gaan op een prettige manier met elkaar om",
         "People in the neighbourhood get along pleasantly"},
        {"q3", SURVEY_Q_SCALE,
         "Ik woon in een gezellige buurt waar mensen elkaar helpen en dingen samen doen",
         "I live in a friendly neighbourhood where people help each other and do things "
         "together"},
        {"q4", SURVEY_Q_SCALE, "Ik voel me thuis bij de mensen die in de buurt wonen",
         "I feel at home with the people who live in the neighbourhood"},
        {"q5", SURVEY_Q_SMILEY, "Hoe prettig woont u in uw buurt?",
         "How pleasant is living in your neighbourhood?"},
        {"q6", SURVEY_Q_MULTI, "Waar zou u aan mee willen doen?",
         "What would you like to take part in?"},
        {"q7", SURVEY_Q_CHOICE, "Kent u de wijkmakelaar van uw wijk?",
         "Do you know your neighbourhood's wijkmakelaar?"},
        {"q8", SURVEY_Q_TEXT, "Wat is uw idee voor de buurt?",
         "What is your idea for the neighbourhood?"},
    };
    assert_int_equal(s->n_questions, sizeof expect / sizeof expect[0]);
    for (size_t i = 0; i < s->n_questions; i++) {
        const survey_question *qq = &s->questions[i];
        assert_string_equal(qq->id, expect[i].id);
        assert_int_equal(qq->type, expect[i].type);
        assert_string_equal(qq->text.text[nl], expect[i].nl);
        assert_string_equal(qq->text.text[en], expect[i].en);
        assert_false(qq->required);
        assert_null(qq->show_if.question);
        assert_null(qq->help.text[0]);
        assert_int_equal(qq->reverse, i == 1); /* only q1 is reversed */
    }

    static const char *const agree_nl[] = {"Helemaal mee oneens", "Mee oneens", "Neutraal",
                                           "Mee eens", "Helemaal mee eens"};
    static const char *const agree_en[] = {"Strongly disagree", "Disagree", "Neutral", "Agree",
                                           "Strongly agree"};
    static const char *const smiley_nl[] = {"Heel slecht", "Slecht", "Gaat wel", "Goed",
                                            "Heel goed"};
    static const char *const smiley_en[] = {"Very bad", "Bad", "Okay", "Good", "Very good"};
    for (int k = 0; k < SURVEY_SCALE_POINTS; k++) {
        for (int qn = 1; qn <= 4; qn++) {
            assert_string_equal(s->questions[qn].labels[k].text[nl], agree_nl[k]);
            assert_string_equal(s->questions[qn].labels[k].text[en], agree_en[k]);
        }
        assert_string_equal(question(s, "q5")->labels[k].text[nl], smiley_nl[k]);
        assert_string_equal(question(s, "q5")->labels[k].text[en], smiley_en[k]);
    }

    const survey_question *q6 = question(s, "q6");
    assert_int_equal(q6->max_choices, 3);
    static const char *const q6_ids[] = {"feest",     "groen",    "helpen",
                                         "preventie", "kinderen", "anders"};
    static const char *const q6_nl[] = {
        "Buurtfeest",     "Groen onderhouden",          "Buren helpen",
        "Buurtpreventie", "Activiteiten voor kinderen", "Iets anders"};
    static const char *const q6_en[] = {
        "Street party",        "Looking after greenery",  "Helping neighbours",
        "Neighbourhood watch", "Activities for children", "Something else"};
    assert_int_equal(q6->n_options, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(q6->options[i].id, q6_ids[i]);
        assert_string_equal(q6->options[i].label.text[nl], q6_nl[i]);
        assert_string_equal(q6->options[i].label.text[en], q6_en[i]);
        assert_int_equal(survey_find_option(q6, q6_ids[i]), (int)i);
    }
    const survey_question *q7 = question(s, "q7");
    assert_int_equal(q7->n_options, 2);
    assert_string_equal(q7->options[0].id, "ja");
    assert_string_equal(q7->options[0].label.text[en], "Yes");
    assert_string_equal(q7->options[1].id, "nee");
    assert_string_equal(q7->options[1].label.text[nl], "Nee");
    assert_int_equal(q7->max_choices, 0);
    assert_int_equal(question(s, "q8")->max_length, 280);
    assert_int_equal(question(s, "area")->n_options, 0);
    survey_free(s);
}

static void test_symposium(void **state)
{
    (void)state;
    survey *s = load_ok(SURVEY_DIR "/symposium.json");
    assert_string_equal(s->id, "symposium");
    assert_int_equal(s->n_languages, 2);
    assert_string_equal(s->languages[0], "nl");
    assert_string_equal(s->languages[1], "en");
    assert_int_equal(s->n_questions, 3);
    int choices = 0, texts = 0;
    for (size_t i = 0; i < s->n_questions; i++) {
        choices += s->questions[i].type == SURVEY_Q_CHOICE;
        texts += s->questions[i].type == SURVEY_Q_TEXT;
    }
    assert_int_equal(choices, 2);
    assert_int_equal(texts, 1);
    survey_free(s);
}

/* ------------------------------------------------------------------------ */
/* The fixtures for the UI */

static void test_fixture_showif(void **state)
{
    (void)state;
    survey *s = load_ok(DATA "/showif.json");
    const survey_question *first = question(s, "vervoer");
    assert_int_equal(first->type, SURVEY_Q_CHOICE);
    assert_true(first->required);
    const survey_question *bus = question(s, "bus_tevreden");
    assert_string_equal(bus->show_if.question, "vervoer");
    assert_int_equal(bus->show_if.n_in, 1);
    assert_string_equal(bus->show_if.in[0], "bus");
    assert_false(bus->required);
    const survey_question *why = question(s, "bus_waarom");
    assert_int_equal(why->type, SURVEY_Q_TEXT);
    assert_int_equal(why->max_length, 200);
    assert_string_equal(why->show_if.question, "bus_tevreden");
    assert_string_equal(why->show_if.in[0], "nee");
    assert_string_equal(survey_text_get(&why->help, 1), "For example the times or the stops.");
    const survey_question *age = question(s, "leeftijd");
    assert_int_equal(age->type, SURVEY_Q_NUMBER);
    assert_int_equal(age->min, 0);
    assert_int_equal(age->max, 120);
    survey_free(s);
}

static void test_fixture_world(void **state)
{
    (void)state;
    survey *s = load_ok(DATA "/world.json");
    assert_int_equal(s->n_languages, 2);
    int tr = survey_language_index(s, "tr"), ar = survey_language_index(s, "ar");
    assert_int_equal(tr, 0);
    assert_int_equal(ar, 1);
    assert_int_equal(survey_language_index(s, "nl"), -1);
    assert_int_equal(s->n_questions, 3);
    assert_int_equal(s->questions[0].type, SURVEY_Q_SCALE);
    assert_int_equal(s->questions[1].type, SURVEY_Q_CHOICE);
    const char *t = s->questions[0].text.text[tr];
    assert_non_null(strstr(t, "\xc4\xb0"));                             /* İ */
    assert_non_null(strstr(t, "\xc4\xb1"));                             /* ı */
    assert_non_null(strstr(t, "\xc5\x9f"));                             /* ş */
    assert_non_null(strstr(s->questions[1].text.text[tr], "\xc4\x9f")); /* ğ */
    assert_string_equal(s->questions[0].labels[2].text[ar], "محايد");
    assert_string_equal(s->questions[1].options[2].label.text[ar], "لا، أبدًا");
    /* Unknown language index falls back to the first language. */
    assert_string_equal(survey_text_get(&s->title, 5), "Mahalle anketi Oosterhout");
    assert_string_equal(survey_text_get(&s->title, -1), "Mahalle anketi Oosterhout");
    survey_free(s);
}

/* ------------------------------------------------------------------------ */
/* Broken surveys: every file in tests/data/survey/bad with the exact messages */

#define MAX_EXPECTED 12
typedef struct bad_case {
    const char *file;
    const char *messages[MAX_EXPECTED];
} bad_case;

static const bad_case bad_cases[] = {
    {"bad_id.json",
     {"bad_id.json: id \"Buurt Peiling\" is not valid: use 1 to 64 characters from a-z, 0-9, _ and "
      "-"}},
    {"booleans.json",
     {"booleans.json: questions[0] \"q1\": \"reverse\" must be true or false",
      "booleans.json: questions[1] \"q2\": \"required\" must be true or false",
      "booleans.json: questions[2] \"q3\": \"required\" must be true or false"}},
    {"buurtpeiling.json",
     {"buurtpeiling.json: questions[5] \"q6\": option \"groen\" has no \"en\" label"}},
    {"duplicate_option_id.json",
     {"duplicate_option_id.json: questions[0] \"q1\": options[2]: id \"ja\" is already used by "
      "options[0]"}},
    {"duplicate_question_id.json",
     {"duplicate_question_id.json: questions[2] \"q1\": id \"q1\" is already used by "
      "questions[0]"}},
    {"empty_texts.json",
     {"empty_texts.json: questions[0] \"q1\": \"text\": the \"nl\" text is empty",
      "empty_texts.json: questions[0] \"q1\": \"text\": the \"en\" text is empty",
      "empty_texts.json: questions[1] \"q2\": \"help\": the \"en\" text must be a string",
      "empty_texts.json: questions[2] \"q3\": \"text\" must be an object with a text per language, "
      "e.g. {\"nl\": \"...\", \"en\": \"...\"}"}},
    {"info_required.json",
     {"info_required.json: questions[0] \"intro\": an info question cannot be required (it has no "
      "answer)"}},
    {"key_not_for_type.json",
     {"key_not_for_type.json: questions[0] \"q1\": \"options\" is not used by a scale question",
      "key_not_for_type.json: questions[1] \"q2\": \"reverse\" is not used by a smiley question"}},
    {"labels.json",
     {"labels.json: questions[0] \"q1\": \"labels\": the \"nl\" list has 4 labels; it needs "
      "exactly 5 (one for each value 1 to 5)",
      "labels.json: questions[1] \"q2\": \"labels\" has no \"en\" labels",
      "labels.json: questions[2] \"q3\": \"labels\" is missing",
      "labels.json: questions[3] \"q4\": \"labels\": the \"nl\" label for value 3 is empty",
      "labels.json: questions[3] \"q4\": \"labels\": the \"en\" label for value 5 must be a string",
      "labels.json: questions[3] \"q4\": \"labels\" has \"de\" labels, but \"de\" is not in "
      "\"languages\"",
      "labels.json: questions[4] \"q5\": \"labels\" must be an object with a list of 5 labels per "
      "language, e.g. {\"nl\": [\"...\", \"...\", \"...\", \"...\", \"...\"]}"}},
    {"language_code.json",
     {"language_code.json: languages[1] \"EN\" is not a language code (2 or 3 lowercase letters, "
      "e.g. \"nl\")"}},
    {"language_twice.json", {"language_twice.json: languages[2] \"nl\" is listed twice"}},
    {"languages_empty.json",
     {"languages_empty.json: \"languages\" is empty: give at least one language, e.g. [\"nl\"]"}},
    {"languages_too_many.json",
     {"languages_too_many.json: \"languages\" has 9 codes; at most 8 are allowed"}},
    {"long_texts.json",
     {"long_texts.json: \"title\": the \"nl\" text is longer than 200 characters",
      "long_texts.json: questions[0] \"q1\": \"text\": the \"nl\" text is longer than 1000 "
      "characters"}},
    {"many_problems.json",
     {"many_problems.json: \"version\" must be a whole number of 1 or more",
      "many_problems.json: questions[1] \"q1\": \"labels\": the \"en\" list has 3 labels; it needs "
      "exactly 5 (one for each value 1 to 5)",
      "many_problems.json: questions[2] \"q2\": option \"nee\" has a \"de\" label, but \"de\" is "
      "not in \"languages\"",
      "many_problems.json: questions[2] \"q2\": option \"nee\" has no \"en\" label",
      "many_problems.json: questions[3] \"q3\": \"max_length\" must be a whole number from 1 to "
      "2000",
      "many_problems.json: questions[3] \"q3\": \"show_if\": \"misschien\" is not an option of "
      "\"q2\""}},
    {"missing_fields.json",
     {"missing_fields.json: \"id\" is missing", "missing_fields.json: \"version\" is missing",
      "missing_fields.json: \"languages\" is missing", "missing_fields.json: \"title\" is missing",
      "missing_fields.json: \"questions\" is missing"}},
    {"multi_max.json",
     {"multi_max.json: questions[0] \"q1\": \"max\" must be a whole number from 1 to 3 (the number "
      "of options)",
      "multi_max.json: questions[1] \"q2\": \"max\" must be a whole number from 1 to 3 (the number "
      "of options)",
      "multi_max.json: questions[2] \"q3\": \"max\" must be a whole number from 1 to 2 (the number "
      "of options)"}},
    {"not_object.json",
     {"not_object.json: a survey must be a JSON object: {\"id\": ..., \"questions\": [...]}"}},
    {"number_range.json",
     {"number_range.json: questions[0] \"q1\": \"min\" (120) must be less than \"max\" (0)",
      "number_range.json: questions[1] \"q2\": \"max\" is missing",
      "number_range.json: questions[2] \"q3\": \"min\" must be a whole number from -1000000000 to "
      "1000000000",
      "number_range.json: questions[2] \"q3\": \"max\" must be a whole number from -1000000000 to "
      "1000000000"}},
    {"option_id.json",
     {"option_id.json: questions[0] \"q1\": option id \"Ja!\" is not valid: use 1 to 64 characters "
      "from a-z, 0-9, _ and -"}},
    {"option_shape.json",
     {"option_shape.json: questions[0] \"q1\": option \"ja\": unknown key \"lable\" (did you mean "
      "\"label\"?)",
      "option_shape.json: questions[0] \"q1\": option \"ja\": \"label\" is missing",
      "option_shape.json: questions[0] \"q1\": options[2] must be an object like {\"id\": \"yes\", "
      "\"label\": {\"nl\": \"...\", \"en\": \"...\"}}",
      "option_shape.json: questions[0] \"q1\": options[3]: \"id\" is missing"}},
    {"question_id.json",
     {"question_id.json: questions[0] \"Q 1\": id \"Q 1\" is not valid: use 1 to 64 characters "
      "from a-z, 0-9, _ and -",
      "question_id.json: questions[1]: \"id\" is missing",
      "question_id.json: questions[2]: \"id\" must be a string"}},
    {"questions_empty.json",
     {"questions_empty.json: \"questions\" is empty: add at least one question"}},
    {"show_if_order.json",
     {"show_if_order.json: questions[0] \"q1\": \"show_if\" refers to \"q2\", which comes later "
      "(questions[1]); it must refer to an earlier question",
      "show_if_order.json: questions[1] \"q2\": \"show_if\" refers to this question itself; it "
      "must refer to an earlier question",
      "show_if_order.json: questions[2] \"q3\": \"show_if\" refers to \"q9\", which does not "
      "exist"}},
    {"show_if_shape.json",
     {"show_if_shape.json: questions[1] \"q2\": \"show_if\" must be an object like {\"question\": "
      "\"q1\", \"in\": [\"yes\"]}",
      "show_if_shape.json: questions[2] \"q3\": \"show_if\": \"in\" is missing",
      "show_if_shape.json: questions[3] \"q4\": \"show_if\": unknown key \"vraag\"",
      "show_if_shape.json: questions[3] \"q4\": \"show_if\": \"question\" is missing",
      "show_if_shape.json: questions[3] \"q4\": \"show_if\": \"in\" must be a list with at least "
      "one value, e.g. [\"yes\"]",
      "show_if_shape.json: questions[4] \"q5\": \"show_if\": \"in\" must be a list with at least "
      "one value, e.g. [\"yes\"]"}},
    {"show_if_target_type.json",
     {"show_if_target_type.json: questions[2] \"q2\": \"show_if\" refers to \"q1\", a text "
      "question; only choice, multi, scale, smiley and number questions can be used",
      "show_if_target_type.json: questions[3] \"q3\": \"show_if\" refers to \"intro\", an info "
      "question; only choice, multi, scale, smiley and number questions can be used"}},
    {"show_if_values.json",
     {"show_if_values.json: questions[3] \"q4\": \"show_if\": \"misschien\" is not an option of "
      "\"q1\"",
      "show_if_values.json: questions[3] \"q4\": \"show_if\": in[2] must be an option id (a "
      "string)",
      "show_if_values.json: questions[3] \"q4\": \"show_if\": \"ja\" is listed twice in \"in\"",
      "show_if_values.json: questions[4] \"q5\": \"show_if\": in[2] must be a value from 1 to 5",
      "show_if_values.json: questions[4] \"q5\": \"show_if\": in[3] must be a value from 1 to 5",
      "show_if_values.json: questions[4] \"q5\": \"show_if\": in[4] must be a value from 1 to 5",
      "show_if_values.json: questions[4] \"q5\": \"show_if\": in[5] must be a value from 1 to 5",
      "show_if_values.json: questions[5] \"q6\": \"show_if\": in[2] must be a whole number from 0 "
      "to 120 (the range of \"q3\")"}},
    {"syntax_duplicate_key.json",
     {"syntax_duplicate_key.json:7:79: invalid JSON: duplicate object key near '\"text\"'"}},
    {"syntax_empty.json",
     {"syntax_empty.json:1:1: invalid JSON: '[' or '{' expected near end of file"}},
    {"syntax_missing_comma.json",
     {"syntax_missing_comma.json:4:13: invalid JSON: '}' expected near '\"languages\"' (is a comma "
      "missing?)"}},
    {"syntax_quotes.json",
     {"syntax_quotes.json:2:3: invalid JSON: string or '}' expected near ''' (use double quotes "
      "\"...\", not single quotes)"}},
    {"syntax_trailing_comma.json",
     {"syntax_trailing_comma.json:5:40: invalid JSON: string or '}' expected near '}' (remove the "
      "comma after the last item)"}},
    {"text_max_length.json",
     {"text_max_length.json: questions[0] \"q1\": \"max_length\" must be a whole number from 1 to "
      "2000",
      "text_max_length.json: questions[1] \"q2\": \"max_length\" must be a whole number from 1 to "
      "2000",
      "text_max_length.json: questions[2] \"q3\": \"max_length\" must be a whole number from 1 to "
      "2000"}},
    {"text_undeclared_language.json",
     {"text_undeclared_language.json: questions[0] \"q1\": \"text\" has a \"fr\" text, but \"fr\" "
      "is not in \"languages\""}},
    {"title_missing_language.json", {"title_missing_language.json: \"title\" has no \"en\" text"}},
    {"title_undeclared_language.json",
     {"title_undeclared_language.json: \"title\" has a \"de\" text, but \"de\" is not in "
      "\"languages\""}},
    {"too_few_options.json",
     {"too_few_options.json: questions[0] \"q1\": \"options\" has 1 option; a choice question "
      "needs at least 2",
      "too_few_options.json: questions[1] \"q2\": \"options\" has 0 options; a multi question "
      "needs at least 2"}},
    {"two_areas.json",
     {"two_areas.json: questions[2] \"area2\": there is already an area question (questions[0]); a "
      "survey has at most one"}},
    {"unknown_key_question.json",
     {"unknown_key_question.json: questions[0] \"q1\": unknown key \"requird\" (did you mean "
      "\"required\"?)",
      "unknown_key_question.json: questions[0] \"q1\": unknown key \"colour\""}},
    {"unknown_key_survey.json",
     {"unknown_key_survey.json: unknown key \"titel\" (did you mean \"title\"?)",
      "unknown_key_survey.json: \"title\" is missing"}},
    {"unknown_type.json",
     {"unknown_type.json: questions[0] \"q1\": unknown type \"scael\" (did you mean \"scale\"?)",
      "unknown_type.json: questions[1] \"q2\": unknown type \"slider\" (known types: scale, "
      "smiley, choice, multi, number, text, info, area)"}},
    {"version_string.json",
     {"version_string.json: \"version\" must be a whole number of 1 or more"}},
    {"version_zero.json", {"version_zero.json: \"version\" must be a whole number of 1 or more"}},
};
#define N_BAD (sizeof bad_cases / sizeof bad_cases[0])

static void test_bad_files(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N_BAD; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", BAD, bad_cases[i].file);
        bk_diag d = {0};
        survey *s = survey_load_file(path, &d);
        size_t n = 0;
        while (n < MAX_EXPECTED && bad_cases[i].messages[n])
            n++;
        bool ok = s == NULL && d.count == n && d.dropped == 0;
        for (size_t k = 0; ok && k < n; k++)
            ok = strcmp(d.messages[k], bad_cases[i].messages[k]) == 0;
        if (!ok) {
            failures++;
            fprintf(stderr, "%s: expected %zu messages:\n", bad_cases[i].file, n);
            for (size_t k = 0; k < n; k++)
                fprintf(stderr, "  %s\n", bad_cases[i].messages[k]);
            fprintf(stderr, "got %zu:\n", d.count);
            for (size_t k = 0; k < d.count; k++)
                fprintf(stderr, "  %s\n", d.messages[k]);
        }
        survey_free(s);
        diag_clear(&d);
    }
    assert_int_equal(failures, 0);
    assert_true(N_BAD >= 25);
}

/* Every file in bad/ has its row in the table (a fixture without expected
 * messages would test nothing). */
static void test_bad_files_all_listed(void **state)
{
    (void)state;
    DIR *dir = opendir(BAD);
    assert_non_null(dir);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        size_t i = 0;
        while (i < N_BAD && strcmp(bad_cases[i].file, e->d_name) != 0)
            i++;
        if (i == N_BAD)
            fprintf(stderr, "%s has no row in bad_cases\n", e->d_name);
        assert_true(i < N_BAD);
    }
    closedir(dir);
    assert_int_equal(files, N_BAD);
}

/* The example from the issue, to the letter. */
static void test_issue_example_message(void **state)
{
    (void)state;
    bk_diag d = {0};
    survey *s = survey_load_file(BAD "/buurtpeiling.json", &d);
    assert_null(s);
    assert_int_equal(d.count, 1);
    assert_string_equal(
        d.messages[0],
        "buurtpeiling.json: questions[5] \"q6\": option \"groen\" has no \"en\" label");
    diag_clear(&d);
}

static void test_several_problems_all_reported(void **state)
{
    (void)state;
    bk_diag d = {0};
    assert_null(survey_load_file(BAD "/many_problems.json", &d));
    assert_int_equal(d.count, 6);
    assert_true(diag_contains(&d, "\"version\""));
    assert_true(diag_contains(&d, "questions[1] \"q1\": \"labels\""));
    assert_true(diag_contains(&d, "option \"nee\" has no \"en\" label"));
    assert_true(diag_contains(&d, "\"max_length\""));
    assert_true(diag_contains(&d, "\"misschien\" is not an option of \"q2\""));
    diag_clear(&d);
}

static void test_syntax_error_position(void **state)
{
    (void)state;
    const char *json =
        "{\n  \"id\": \"x\",\n  \"version\": 1,\n  \"languages\": [\"nl\" \"en\"]\n}\n";
    bk_diag d = {0};
    assert_null(survey_load_string(json, strlen(json), "mem.json", &d));
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0], "mem.json:4:25: invalid JSON: ']' expected near '\"en\"' "
                                       "(is a comma missing?)");
    diag_clear(&d);
}

static void test_missing_file(void **state)
{
    (void)state;
    bk_diag d = {0};
    assert_null(survey_load_file(DATA "/no-such-file.json", &d));
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0],
                        DATA "/no-such-file.json: cannot open: No such file or directory");
    diag_clear(&d);
    /* Without a diag, problems are only counted. */
    assert_null(survey_load_file(BAD "/many_problems.json", NULL));
}

/* ------------------------------------------------------------------------ */
/* In memory: strings, jansson values, limits */

/* A valid one-question survey with extra JSON spliced into the question. */
static survey *load_question(const char *question_json, bk_diag *d)
{
    char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"id\": \"t\", \"version\": 1, \"languages\": [\"nl\"], \"title\": {\"nl\": \"T\"}, "
             "\"questions\": [%s]}",
             question_json);
    return survey_load_string(buf, strlen(buf), "t.json", d);
}

static void test_load_string_bom_and_defaults(void **state)
{
    (void)state;
    const char *json = "\xef\xbb\xbf{\"id\": \"bom\", \"version\": 3, \"languages\": [\"nl\"], "
                       "\"title\": {\"nl\": \"T\"}, \"questions\": [{\"id\": \"q\", \"type\": "
                       "\"text\", \"text\": {\"nl\": \"Idee?\"}}, {\"id\": \"i\", \"type\": "
                       "\"info\", \"required\": false, \"text\": {\"nl\": \"Dank!\"}}]}";
    bk_diag d = {0};
    survey *s = survey_load_string(json, strlen(json), "bom.json", &d);
    dump("bom", &d);
    assert_non_null(s);
    assert_int_equal(s->version, 3);
    assert_int_equal(s->questions[0].max_length, SURVEY_TEXT_DEFAULT_MAX);
    assert_false(s->questions[0].required);
    assert_int_equal(s->questions[1].type, SURVEY_Q_INFO);
    assert_null(survey_text_get(&s->questions[0].help, 0));
    survey_free(s);
    diag_clear(&d);
}

static void test_show_if_values_normalised(void **state)
{
    (void)state;
    const char *json =
        "{\"id\": \"s\", \"version\": 1, \"languages\": [\"nl\"], \"title\": {\"nl\": \"T\"}, "
        "\"questions\": ["
        "{\"id\": \"a\", \"type\": \"smiley\", \"text\": {\"nl\": \"A\"}, \"labels\": {\"nl\": "
        "[\"1\", \"2\", \"3\", \"4\", \"5\"]}},"
        "{\"id\": \"b\", \"type\": \"number\", \"text\": {\"nl\": \"B\"}, \"min\": -5, \"max\": 5},"
        "{\"id\": \"c\", \"type\": \"text\", \"text\": {\"nl\": \"C\"}, "
        "\"show_if\": {\"question\": \"a\", \"in\": [\"4\", 5]}},"
        "{\"id\": \"d\", \"type\": \"text\", \"text\": {\"nl\": \"D\"}, "
        "\"show_if\": {\"question\": \"b\", \"in\": [-5, \"-1\", 0]}}]}";
    bk_diag d = {0};
    survey *s = survey_load_string(json, strlen(json), "s.json", &d);
    dump("normalised", &d);
    assert_non_null(s);
    const survey_question *c = question(s, "c");
    assert_int_equal(c->show_if.n_in, 2);
    assert_string_equal(c->show_if.in[0], "4");
    assert_string_equal(c->show_if.in[1], "5");
    const survey_question *dq = question(s, "d");
    assert_int_equal(dq->show_if.n_in, 3);
    assert_string_equal(dq->show_if.in[0], "-5");
    assert_string_equal(dq->show_if.in[1], "-1");
    assert_string_equal(dq->show_if.in[2], "0");
    survey_free(s);
    diag_clear(&d);
}

static void test_limits(void **state)
{
    (void)state;
    bk_diag d = {0};
    /* 1000 characters of two bytes each is within the limit; 1001 is not. */
    char text[1001 * 2 + 1] = "";
    for (int i = 0; i < 1000; i++)
        strcat(text, "\xc4\x9f");
    char q[4096];
    snprintf(q, sizeof q, "{\"id\": \"q\", \"type\": \"text\", \"text\": {\"nl\": \"%s\"}}", text);
    survey *s = load_question(q, &d);
    dump("1000 chars", &d);
    assert_non_null(s);
    survey_free(s);
    strcat(text, "\xc4\x9f");
    snprintf(q, sizeof q, "{\"id\": \"q\", \"type\": \"text\", \"text\": {\"nl\": \"%s\"}}", text);
    assert_null(load_question(q, &d));
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0], "t.json: questions[0] \"q\": \"text\": the \"nl\" text is "
                                       "longer than 1000 characters");
    diag_clear(&d);

    /* 21 options is one too many; 20 is fine. */
    char opts[2048] = "";
    for (int i = 0; i < 21; i++) {
        char o[64];
        snprintf(o, sizeof o, "%s{\"id\": \"o%d\", \"label\": {\"nl\": \"O\"}}", i ? "," : "", i);
        strcat(opts, o);
        if (i == 19 || i == 20) {
            snprintf(q, sizeof q,
                     "{\"id\": \"q\", \"type\": \"choice\", \"text\": {\"nl\": \"K\"}, "
                     "\"options\": [%s]}",
                     opts);
            s = load_question(q, &d);
            if (i == 19) {
                assert_non_null(s);
                assert_int_equal(s->questions[0].n_options, 20);
            } else {
                assert_null(s);
                assert_string_equal(d.messages[0], "t.json: questions[0] \"q\": \"options\" has 21 "
                                                   "options; at most 20 are allowed");
            }
            survey_free(s);
        }
    }
    diag_clear(&d);

    /* max_length 2000 and multi max = number of options are the upper bounds. */
    s = load_question("{\"id\": \"q\", \"type\": \"text\", \"max_length\": 2000, \"text\": "
                      "{\"nl\": \"T\"}}",
                      &d);
    assert_non_null(s);
    assert_int_equal(s->questions[0].max_length, 2000);
    survey_free(s);
    s = load_question("{\"id\": \"q\", \"type\": \"multi\", \"max\": 2, \"text\": {\"nl\": \"T\"}, "
                      "\"options\": [{\"id\": \"a\", \"label\": {\"nl\": \"A\"}}, {\"id\": \"b\", "
                      "\"label\": {\"nl\": \"B\"}}]}",
                      &d);
    assert_non_null(s);
    assert_int_equal(s->questions[0].max_choices, 2);
    survey_free(s);
    dump("bounds", &d);
    assert_int_equal(d.count, 0);
}

static void test_too_many_questions(void **state)
{
    (void)state;
    size_t size = 200 * 80;
    char *qs = calloc(1, size);
    assert_non_null(qs);
    for (int i = 0; i < SURVEY_MAX_QUESTIONS + 1; i++) {
        char one[96];
        snprintf(one, sizeof one,
                 "%s{\"id\": \"q%d\", \"type\": \"info\", \"text\": {\"nl\": \"x\"}}", i ? "," : "",
                 i);
        strcat(qs, one);
    }
    char *json = malloc(size + 200);
    assert_non_null(json);
    snprintf(json, size + 200,
             "{\"id\": \"t\", \"version\": 1, \"languages\": [\"nl\"], \"title\": {\"nl\": \"T\"}, "
             "\"questions\": [%s]}",
             qs);
    bk_diag d = {0};
    assert_null(survey_load_string(json, strlen(json), "t.json", &d));
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0],
                        "t.json: \"questions\" has 101 questions; at most 100 are allowed");
    diag_clear(&d);
    free(json);
    free(qs);
}

/* Strings from the file are quoted, escaped and cut short in messages. */
static void test_message_quoting(void **state)
{
    (void)state;
    char key[128] = "x\\\"y\\n";
    while (strlen(key) < 100)
        strcat(key, "\xc3\xa9"); /* é, two bytes: never cut in half */
    char qj[512];
    snprintf(qj, sizeof qj,
             "{\"id\": \"q\", \"type\": \"info\", \"text\": {\"nl\": \"i\"}, \"%s\": 1}", key);
    bk_diag d = {0};
    assert_null(load_question(qj, &d));
    assert_int_equal(d.count, 1);
    char expect[256] = "t.json: questions[0] \"q\": unknown key \"x\\\"y?";
    for (int i = 0; i < 27; i++) /* 5 + 27 * 2 bytes: one more would pass 60 */
        strcat(expect, "\xc3\xa9");
    strcat(expect, "...\"");
    assert_string_equal(d.messages[0], expect);
    diag_clear(&d);
}

/* A downloaded bundle is validated element by element with the same rules. */
static void test_from_json_bundle(void **state)
{
    (void)state;
    json_error_t err;
    json_t *bundle = json_load_file(SURVEY_DIR "/symposium.json", 0, &err);
    assert_non_null(bundle);
    json_t *broken = json_deep_copy(bundle);
    json_object_set_new(broken, "version", json_integer(0));
    json_object_set_new(json_array_get(json_object_get(broken, "questions"), 1), "typ",
                        json_string("choice"));
    json_t *root = json_pack("{s:[o,o],s:s}", "surveys", bundle, broken, "active", "symposium");
    assert_non_null(root);

    json_t *surveys = json_object_get(root, "surveys");
    bk_diag d = {0};
    survey *ok = survey_from_json(json_array_get(surveys, 0), "bundle surveys[0]", &d);
    dump("bundle", &d);
    assert_non_null(ok);
    assert_string_equal(ok->id, "symposium");
    assert_int_equal(d.count, 0);
    survey *bad = survey_from_json(json_array_get(surveys, 1), "bundle surveys[1]", &d);
    assert_null(bad);
    assert_int_equal(d.count, 2);
    assert_string_equal(d.messages[0], "bundle surveys[1]: \"version\" must be a whole number of 1 "
                                       "or more");
    assert_string_equal(d.messages[1], "bundle surveys[1]: questions[1] \"budget\": unknown key "
                                       "\"typ\" (did you mean \"type\"?)");
    diag_clear(&d);
    json_t *str = json_string("x");
    assert_null(survey_from_json(str, "s", &d));
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0],
                        "s: a survey must be a JSON object: {\"id\": ..., \"questions\": [...]}");
    json_decref(str);
    diag_clear(&d);
    survey_free(ok);
    json_decref(root);
}

static void test_helpers(void **state)
{
    (void)state;
    assert_string_equal(survey_qtype_name(SURVEY_Q_SCALE), "scale");
    assert_string_equal(survey_qtype_name(SURVEY_Q_SMILEY), "smiley");
    assert_string_equal(survey_qtype_name(SURVEY_Q_MULTI), "multi");
    assert_string_equal(survey_qtype_name(SURVEY_Q_AREA), "area");
    assert_string_equal(survey_qtype_name((survey_qtype)99), "unknown");
    survey *s = load_ok(SURVEY_DIR "/buurtpeiling.json");
    assert_null(survey_find_question(s, "q99"));
    assert_int_equal(survey_find_option(question(s, "q7"), "misschien"), -1);
    assert_int_equal(survey_find_option(question(s, "q1"), "ja"), -1);
    survey_free(s);
    survey_free(NULL);
    survey_catalog_free(NULL);
    assert_int_equal(survey_catalog_count(NULL), 0);
    assert_null(survey_catalog_at(NULL, 0));
}

/* ------------------------------------------------------------------------ */
/* The catalogue */

static void test_catalog_demo(void **state)
{
    (void)state;
    bk_diag d = {0};
    survey_catalog *cat = NULL;
    assert_int_equal(survey_catalog_load(SURVEY_DIR, &cat, &d), BK_OK);
    dump("catalog demo", &d);
    assert_int_equal(d.count, 0);
    assert_int_equal(survey_catalog_count(cat), 2);
    assert_int_equal(survey_catalog_skipped(cat), 0);
    assert_string_equal(survey_catalog_at(cat, 0)->id, "buurtpeiling");
    assert_string_equal(survey_catalog_at(cat, 1)->id, "symposium");
    assert_null(survey_catalog_at(cat, 2));
    assert_ptr_equal(survey_catalog_find(cat, "symposium"), survey_catalog_at(cat, 1));
    assert_null(survey_catalog_find(cat, "nope"));
    survey_catalog_free(cat);
}

static void test_catalog_skips_bad_and_duplicate(void **state)
{
    (void)state;
    bk_diag d = {0};
    survey_catalog *cat = NULL;
    assert_int_equal(survey_catalog_load(DATA "/catalog", &cat, &d), BK_OK);
    assert_non_null(cat);
    /* a_buurtpeiling and c_showif load; b_broken is invalid; d_duplicate uses
     * the id of a_buurtpeiling; .hidden.json and notes.txt are ignored. */
    assert_int_equal(survey_catalog_count(cat), 2);
    assert_int_equal(survey_catalog_skipped(cat), 2);
    assert_string_equal(survey_catalog_at(cat, 0)->id, "buurtpeiling");
    assert_int_equal(survey_catalog_at(cat, 0)->version, 1);
    assert_string_equal(survey_catalog_at(cat, 1)->id, "showif");
    assert_non_null(survey_catalog_find(cat, "showif"));
    assert_null(survey_catalog_find(cat, "broken"));
    if (d.count != 2)
        dump("catalog", &d);
    assert_int_equal(d.count, 2);
    assert_string_equal(d.messages[0], "b_broken.json: questions[0] \"q1\": \"labels\" is missing");
    assert_string_equal(d.messages[1], "d_duplicate.json: survey id \"buurtpeiling\" is already "
                                       "used by a_buurtpeiling.json; this file is skipped");
    diag_clear(&d);
    survey_catalog_free(cat);
}

static void test_catalog_missing_dir(void **state)
{
    (void)state;
    bk_diag d = {0};
    survey_catalog *cat = (survey_catalog *)&d; /* must be reset to NULL */
    assert_int_equal(survey_catalog_load(DATA "/no-such-dir", &cat, &d), BK_ERR_IO);
    assert_null(cat);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.messages[0],
                        DATA "/no-such-dir: cannot open folder: No such file or directory");
    diag_clear(&d);
}

static void test_catalog_add(void **state)
{
    (void)state;
    survey_catalog *cat = survey_catalog_create();
    assert_non_null(cat);
    survey *a = load_ok(SURVEY_DIR "/symposium.json");
    survey *b = load_ok(SURVEY_DIR "/symposium.json");
    assert_int_equal(survey_catalog_add(cat, a), BK_OK);
    assert_int_equal(survey_catalog_add(cat, b), BK_ERR_INVALID);
    assert_int_equal(survey_catalog_count(cat), 1);
    survey_free(b); /* still ours after an error */
    survey_catalog_free(cat);
}

/* ------------------------------------------------------------------------ */
/* `buurtkiosk check` */

/* Runs BK_BINARY with args; returns its exit code and its stderr in err. */
static int run_check(const char *args, char *err, size_t err_size)
{
    char tmpl[] = "survey-check-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    close(fd);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' check %s >/dev/null 2>'%s'", BK_BINARY, args, tmpl);
    int st = system(cmd);
    FILE *f = fopen(tmpl, "r");
    assert_non_null(f);
    size_t n = fread(err, 1, err_size - 1, f);
    err[n] = '\0';
    fclose(f);
    unlink(tmpl);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_cli_check(void **state)
{
    (void)state;
    if (access(BK_BINARY, X_OK) != 0)
        fail_msg("%s is not built", BK_BINARY);
    char err[8192];
    assert_int_equal(run_check("'" SURVEY_DIR "/buurtpeiling.json' '" SURVEY_DIR
                               "/symposium.json' '" DATA "/showif.json' '" DATA "/world.json'",
                               err, sizeof err),
                     0);
    assert_string_equal(err, "");
    assert_int_equal(run_check("'" BAD "/many_problems.json'", err, sizeof err), 1);
    for (size_t i = 0; i < N_BAD; i++) {
        if (strcmp(bad_cases[i].file, "many_problems.json") != 0)
            continue;
        for (size_t k = 0; bad_cases[i].messages[k]; k++)
            assert_non_null(strstr(err, bad_cases[i].messages[k]));
    }
    /* One bad file among good ones fails the whole check, and is named. */
    assert_int_equal(
        run_check("'" SURVEY_DIR "/symposium.json' '" BAD "/syntax_empty.json'", err, sizeof err),
        1);
    assert_non_null(strstr(err, "syntax_empty.json:1:1: invalid JSON"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buurtpeiling),
        cmocka_unit_test(test_symposium),
        cmocka_unit_test(test_fixture_showif),
        cmocka_unit_test(test_fixture_world),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_files_all_listed),
        cmocka_unit_test(test_issue_example_message),
        cmocka_unit_test(test_several_problems_all_reported),
        cmocka_unit_test(test_syntax_error_position),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_load_string_bom_and_defaults),
        cmocka_unit_test(test_show_if_values_normalised),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_too_many_questions),
        cmocka_unit_test(test_message_quoting),
        cmocka_unit_test(test_from_json_bundle),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_catalog_demo),
        cmocka_unit_test(test_catalog_skips_bad_and_duplicate),
        cmocka_unit_test(test_catalog_missing_dir),
        cmocka_unit_test(test_catalog_add),
        cmocka_unit_test(test_cli_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
