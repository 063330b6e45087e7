/* test_results.c: live results (kiosk/core/results.c): lower-casing of
 * Latin letters with accents, splitting text into words, Dutch and English
 * stop words, the word count (case-insensitive, once per answer, hidden
 * words left out), percentages, and counting from a real store: only
 * complete live responses of the survey count; hidden answers, quick
 * repeats (rapid + repeat) and personal data are reported apart; the
 * latest answers; counting afresh from a moment; the same counts after the
 * store is closed and opened again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "store.h"
#include "survey.h"

/* ---- Lower case ---- */

static void expect_lower(const char *in, const char *want)
{
    char out[256];
    results_lower(in, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("lower(\"%s\") = \"%s\", expected \"%s\"", in, out, want);
}

static void test_lower_latin_with_accents(void **state)
{
    (void)state;
    expect_lower("GROEN Groen groen", "groen groen groen");
    expect_lower("ÉÈÊËÀÁÂÄÇÑÖÓÜÚÏÍ", "éèêëàáâäçñöóüúïí");
    expect_lower("CAFÉ Ærø ÅSE Þorn", "café ærø åse þorn");
    expect_lower("× stays ×", "× stays ×");
    expect_lower("ĲSSEL ŁÓDŹ ŒUVRE ŠKODA ŽAR ĐAK", "ĳssel łódź œuvre škoda žar đak");
    expect_lower("İSTANBUL ŞEHİR ĞÜL", "istanbul şehir ğül");
    expect_lower("Ÿ ÿ", "ÿ ÿ");
    expect_lower("ΑΘΗΝΑ МОСКВА Ёж", "αθηνα москва ёж");
    expect_lower("ß ǅ 日本 مرحبا", "ß ǅ 日本 مرحبا");
    /* Invalid bytes become U+FFFD, the rest is kept. */
    expect_lower("A\xFF"
                 "B",
                 "a\xEF\xBF\xBD"
                 "b");
    /* Cut at a character boundary when out is small. */
    char small[4];
    assert_int_equal(results_lower("ÉÉÉ", small, sizeof small), 2);
    assert_string_equal(small, "é");
}

/* ---- Words ---- */

/* The words of text joined with '|'. */
static void words_of(const char *text, char *out, size_t size)
{
    char w[RESULTS_WORD_MAX];
    const char *p = text;
    out[0] = '\0';
    while (results_next_word(&p, w, sizeof w))
        snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? "|" : "", w);
}

static void expect_words(const char *text, const char *want)
{
    char got[1024];
    words_of(text, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("words of \"%s\": \"%s\", expected \"%s\"", text, got, want);
}

static void test_words(void **state)
{
    (void)state;
    expect_words("Meer bankjes, bij de vijver!!", "meer|bankjes|bij|de|vijver");
    expect_words("  auto's zo’n don't 's avonds", "auto's|zo'n|don't|s|avonds");
    expect_words("Noord-Oost -- speel- tuin -x", "noord-oost|speel|tuin|x");
    expect_words("5G in 2024: 30 km/u", "5g|in|2024|30|km|u");
    expect_words("Café ÉÉN Über", "café|één|über");
    expect_words("groen🌳groen 😀 …ja… “nee”", "groen|groen|ja|nee");
    expect_words("", "");
    expect_words("!!! ... ---", "");
    expect_words("Turkçe İyi ÇOK", "turkçe|iyi|çok");
    expect_words("مرحبا، بالعالم؟", "مرحبا|بالعالم");
    /* A word longer than the buffer is cut, and the next word is whole. */
    char w[8];
    const char *p = "abcdefghijkl xy";
    assert_true(results_next_word(&p, w, sizeof w));
    assert_string_equal(w, "abcdefg");
    assert_true(results_next_word(&p, w, sizeof w));
    assert_string_equal(w, "xy");
    assert_false(results_next_word(&p, w, sizeof w));
}

static void test_stop_words(void **state)
{
    (void)state;
    static const char *const stop[] = {"de",   "het",   "een",  "en",   "van",  "ik",  "u",
                                       "uw",   "meer",  "zo'n", "niet", "the",  "and", "of",
                                       "more", "don't", "i'm",  "we",   "it's", "is"};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        if (!results_is_stop_word(stop[i]))
            fail_msg("\"%s\" should be a stop word", stop[i]);
    static const char *const keep[] = {"groen",     "bankjes", "vijver", "park",   "benches",
                                       "speeltuin", "veilig",  "trees",  "minder", "verkeer"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (results_is_stop_word(keep[i]))
            fail_msg("\"%s\" should not be a stop word", keep[i]);
    /* Counted: two characters or more, with a letter, not a stop word. */
    assert_true(results_word_counts("5g"));
    assert_true(results_word_counts("één"));
    assert_false(results_word_counts("x"));
    assert_false(results_word_counts("é"));
    assert_false(results_word_counts("2024"));
    assert_false(results_word_counts("de"));
    assert_false(results_word_counts("the"));
}

static void test_count_words(void **state)
{
    (void)state;
    const char *texts[] = {
        "Meer groen in de buurt",
        "GROEN groen Groen! (een keer geteld)",
        "Groen en bankjes",
        "The park needs more benches",
        "bankjes bij de vijver",
        "Een vijver? Nee, bankjes.",
        NULL,
    };
    results_word w[RESULTS_MAX_WORDS];
    size_t n = 0;
    int64_t distinct = results_count_words(texts, 7, NULL, 0, w, RESULTS_MAX_WORDS, &n);
    /* groen 3 (once per answer), bankjes 3, vijver 2, then the ones a-z. */
    assert_int_equal(distinct, 9);
    assert_int_equal(n, 9);
    assert_string_equal(w[0].word, "bankjes");
    assert_int_equal(w[0].count, 3);
    assert_string_equal(w[1].word, "groen");
    assert_int_equal(w[1].count, 3);
    assert_string_equal(w[2].word, "vijver");
    assert_int_equal(w[2].count, 2);
    static const char *const ones[] = {"benches", "buurt", "geteld", "keer", "needs", "park"};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(w[3 + i].word, ones[i]);
        assert_int_equal(w[3 + i].count, 1);
    }
    /* No stop word got in. */
    for (size_t i = 0; i < n; i++)
        if (results_is_stop_word(w[i].word))
            fail_msg("stop word \"%s\" counted", w[i].word);

    /* Hidden words are left out; max limits the list, not the count. */
    const char *hidden[] = {"bankjes", "park"};
    distinct = results_count_words(texts, 7, hidden, 2, w, 2, &n);
    assert_int_equal(distinct, 7);
    assert_int_equal(n, 2);
    assert_string_equal(w[0].word, "groen");
    assert_string_equal(w[1].word, "vijver");

    assert_true(results_text_has_word("Een vijver? Nee, BANKJES.", "bankjes"));
    assert_false(results_text_has_word("bankjesvijver", "bankjes"));
}

static void test_split_words(void **state)
{
    (void)state;
    char buf[] = "rotzooi\n\nstom\nidioot\n";
    const char *words[4];
    assert_int_equal(results_split_words(buf, words, 4), 3);
    assert_string_equal(words[0], "rotzooi");
    assert_string_equal(words[1], "stom");
    assert_string_equal(words[2], "idioot");
    char buf2[] = "a\nb\nc";
    assert_int_equal(results_split_words(buf2, words, 2), 2);
}

static void test_percent(void **state)
{
    (void)state;
    results r = {.votes = 3, .n_bars = 3, .bars = {2, 1, 0}};
    assert_int_equal(results_percent(&r, 0), 67);
    assert_int_equal(results_percent(&r, 1), 33);
    assert_int_equal(results_percent(&r, 2), 0);
    assert_int_equal(results_percent(&r, 3), 0);
    r = (results){.votes = 8, .n_bars = 2, .bars = {1, 7}};
    assert_int_equal(results_percent(&r, 0), 13); /* 12.5 rounds up */
    assert_int_equal(results_percent(&r, 1), 88);
    r = (results){.votes = 0, .n_bars = 2};
    assert_int_equal(results_percent(&r, 0), 0);
}

/* ---- Counting from a store ---- */

static const char *const survey_json =
    "{\"id\": \"avond\", \"version\": 2, \"languages\": [\"nl\"],"
    " \"title\": {\"nl\": \"Avond\"}, \"questions\": ["
    " {\"id\": \"keuze\", \"type\": \"choice\", \"text\": {\"nl\": \"Keuze?\"},"
    "  \"options\": [{\"id\": \"ja\", \"label\": {\"nl\": \"Ja\"}},"
    "               {\"id\": \"nee\", \"label\": {\"nl\": \"Nee\"}}]},"
    " {\"id\": \"meer\", \"type\": \"multi\", \"text\": {\"nl\": \"Meer?\"},"
    "  \"options\": [{\"id\": \"a\", \"label\": {\"nl\": \"A\"}},"
    "               {\"id\": \"b\", \"label\": {\"nl\": \"B\"}},"
    "               {\"id\": \"c\", \"label\": {\"nl\": \"C\"}}]},"
    " {\"id\": \"schaal\", \"type\": \"scale\", \"text\": {\"nl\": \"Schaal?\"},"
    "  \"labels\": {\"nl\": [\"1\", \"2\", \"3\", \"4\", \"5\"]}},"
    " {\"id\": \"gezicht\", \"type\": \"smiley\", \"text\": {\"nl\": \"Gezicht?\"},"
    "  \"labels\": {\"nl\": [\"1\", \"2\", \"3\", \"4\", \"5\"]}},"
    " {\"id\": \"idee\", \"type\": \"text\", \"text\": {\"nl\": \"Idee?\"}},"
    " {\"id\": \"getal\", \"type\": \"number\", \"min\": 0, \"max\": 9,"
    "  \"text\": {\"nl\": \"Getal?\"}}]}";

typedef struct fixture {
    char dir[256], db[300];
    bk_virtual_clock vc;
    bk_clock clock;
    store *st;
    survey *s;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/bk-test-results-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/k.db", fx->dir);
    fx->vc.mono_ms = 1000;
    fx->vc.wall_ms = 1700000000000LL;
    fx->clock = clock_virtual(&fx->vc);
    assert_int_equal(store_open(fx->db, &fx->clock, &fx->st, NULL), BK_OK);
    bk_diag diag = {0};
    fx->s = survey_load_string(survey_json, strlen(survey_json), "avond.json", &diag);
    if (!fx->s) {
        diag_print(&diag, stderr);
        fail_msg("test survey does not load");
    }
    diag_clear(&diag);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    store_close(fx->st);
    survey_free(fx->s);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s%s", fx->db, suffixes[i]);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* Stores one response: mode, status ("complete", "partial", "started"),
 * survey id, one answer, flags (comma-separated). Returns its response id
 * in id_out (may be NULL). The clock moves 10 s on. */
static void add(fixture *fx, const char *mode, const char *status, const char *survey_id,
                const char *question, const answer_value *v, const char *flags, char *id_out)
{
    store_response_meta meta = {
        .survey_id = survey_id, .survey_version = 2, .mode = mode, .language = "nl"};
    store_response_ref ref;
    assert_int_equal(store_response_begin(fx->st, &meta, &ref), BK_OK);
    if (v)
        assert_int_equal(store_answer_set(fx->st, ref.rowid, question, v), BK_OK);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", flags ? flags : "");
    const char *fl[4];
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < 4;
         t = strtok_r(NULL, ",", &save))
        fl[n++] = t;
    if (strcmp(status, "started") != 0)
        assert_int_equal(store_response_finish(fx->st, ref.rowid,
                                               strcmp(status, "complete") == 0
                                                   ? STORE_STATUS_COMPLETE
                                                   : STORE_STATUS_PARTIAL,
                                               fl, n),
                         BK_OK);
    if (id_out)
        snprintf(id_out, STORE_UUID_LEN + 1, "%s", ref.response_id);
    clock_virtual_advance(&fx->vc, 10000);
}

static void vote_text(fixture *fx, const char *q, const char *text, const char *flags, char *id)
{
    answer_value v = {.kind = ANSWER_TEXT, .text = text};
    add(fx, "live", "complete", "avond", q, &v, flags, id);
}

static void vote_int(fixture *fx, const char *q, long long n, const char *flags)
{
    answer_value v = {.kind = ANSWER_INT, .integer = n};
    add(fx, "live", "complete", "avond", q, &v, flags, NULL);
}

static void count(fixture *fx, const char *qid, const results_options *opt, results *r)
{
    const survey_question *q = survey_find_question(fx->s, qid);
    assert_non_null(q);
    assert_int_equal(results_compute(fx->st, fx->s, q, opt, r), BK_OK);
}

static void test_choice_counts_only_complete_live_votes(void **state)
{
    fixture *fx = *state;
    answer_value ja = {.kind = ANSWER_TEXT, .text = "ja"},
                 nee = {.kind = ANSWER_TEXT, .text = "nee"};
    answer_value weird = {.kind = ANSWER_TEXT, .text = "misschien"};
    answer_value num = {.kind = ANSWER_INT, .integer = 1};
    char hide_id[STORE_UUID_LEN + 1];
    vote_text(fx, "keuze", "ja", NULL, NULL);
    vote_text(fx, "keuze", "ja", "repeat", NULL);       /* repeat alone: counts */
    vote_text(fx, "keuze", "nee", "rapid", NULL);       /* rapid alone: counts */
    vote_text(fx, "keuze", "ja", "rapid,repeat", NULL); /* quick repeat: apart */
    vote_text(fx, "keuze", "ja", "repeat,rapid", NULL); /* any order */
    vote_text(fx, "keuze", "nee", NULL, hide_id);
    assert_int_equal(store_answer_set_hidden(fx->st, hide_id, "keuze", true), BK_OK);
    add(fx, "survey", "complete", "avond", "keuze", &ja, NULL, NULL);  /* not live */
    add(fx, "live", "partial", "avond", "keuze", &ja, NULL, NULL);     /* not complete */
    add(fx, "live", "started", "avond", "keuze", &nee, NULL, NULL);    /* still busy */
    add(fx, "live", "complete", "ander", "keuze", &ja, NULL, NULL);    /* another survey */
    add(fx, "live", "complete", "avond", "keuze", &weird, NULL, NULL); /* no such option */
    add(fx, "live", "complete", "avond", "keuze", &num, NULL, NULL);   /* wrong type */
    add(fx, "live", "complete", "avond", "schaal", &num, NULL, NULL);  /* other question */

    results r;
    count(fx, "keuze", NULL, &r);
    assert_int_equal(r.type, SURVEY_Q_CHOICE);
    assert_int_equal(r.n_bars, 2);
    assert_int_equal(r.bars[0], 2);
    assert_int_equal(r.bars[1], 1);
    assert_int_equal(r.votes, 3);
    assert_int_equal(r.held_apart, 2);
    assert_int_equal(r.hidden, 1);
    assert_int_equal(r.ignored, 2);
    assert_int_equal(results_percent(&r, 0), 67);
    assert_int_equal(results_percent(&r, 1), 33);

    /* Shown again: it counts again. */
    assert_int_equal(store_answer_set_hidden(fx->st, hide_id, "keuze", false), BK_OK);
    count(fx, "keuze", NULL, &r);
    assert_int_equal(r.bars[1], 2);
    assert_int_equal(r.votes, 4);
    assert_int_equal(r.hidden, 0);
}

static void test_multi_scale_smiley(void **state)
{
    fixture *fx = *state;
    const char *ab[] = {"a", "b"}, *c[] = {"c"}, *bad[] = {"b", "zz", "b"};
    answer_value v1 = {.kind = ANSWER_LIST, .list = ab, .n_list = 2};
    answer_value v2 = {.kind = ANSWER_LIST, .list = c, .n_list = 1};
    answer_value v3 = {.kind = ANSWER_LIST, .list = bad, .n_list = 3};
    add(fx, "live", "complete", "avond", "meer", &v1, NULL, NULL);
    add(fx, "live", "complete", "avond", "meer", &v2, NULL, NULL);
    add(fx, "live", "complete", "avond", "meer", &v3, NULL, NULL);
    results r;
    count(fx, "meer", NULL, &r);
    assert_int_equal(r.votes, 3);
    assert_int_equal(r.n_bars, 3);
    assert_int_equal(r.bars[0], 1);
    assert_int_equal(r.bars[1], 2); /* unknown ids and doubles are not counted */
    assert_int_equal(r.bars[2], 1);
    assert_int_equal(results_percent(&r, 1), 67);

    vote_int(fx, "schaal", 4, NULL);
    vote_int(fx, "schaal", 4, NULL);
    vote_int(fx, "schaal", 5, NULL);
    vote_int(fx, "schaal", 1, NULL);
    vote_int(fx, "schaal", 6, NULL); /* out of range: not counted */
    count(fx, "schaal", NULL, &r);
    assert_int_equal(r.n_bars, 5);
    assert_int_equal(r.votes, 4);
    assert_int_equal(r.ignored, 1);
    assert_int_equal(r.bars[0], 1);
    assert_int_equal(r.bars[3], 2);
    assert_int_equal(r.bars[4], 1);
    assert_int_equal(results_percent(&r, 3), 50);

    vote_int(fx, "gezicht", 2, NULL);
    count(fx, "gezicht", NULL, &r);
    assert_int_equal(r.type, SURVEY_Q_SMILEY);
    assert_int_equal(r.votes, 1);
    assert_int_equal(r.bars[1], 1);

    /* No live results for number questions. */
    const survey_question *q = survey_find_question(fx->s, "getal");
    assert_int_equal(results_compute(fx->st, fx->s, q, NULL, &r), BK_ERR_INVALID);
    assert_false(results_supported(SURVEY_Q_NUMBER));
    assert_false(results_supported(SURVEY_Q_INFO));
    assert_false(results_supported(SURVEY_Q_AREA));
}

static void test_text_words_latest_hidden_personal(void **state)
{
    fixture *fx = *state;
    char id_hidden[STORE_UUID_LEN + 1];
    vote_text(fx, "idee", "Meer GROEN in de buurt", NULL, NULL);
    vote_text(fx, "idee", "Bankjes bij de vijver", NULL, id_hidden);
    vote_text(fx, "idee", "groen, groen en nog eens groen", NULL, NULL);
    vote_text(fx, "idee", "Bel mij: 06-12345678 over groen", "personal-data", NULL);
    vote_text(fx, "idee", "Wat een rotzooi overal", NULL, NULL);
    vote_text(fx, "idee", "Bankjes!", "rapid,repeat", NULL);
    vote_text(fx, "idee", "Een speeltuin met bankjes", NULL, NULL);
    assert_int_equal(store_answer_set_hidden(fx->st, id_hidden, "idee", true), BK_OK);

    results r;
    count(fx, "idee", NULL, &r);
    assert_int_equal(r.votes, 5); /* the personal one counts, never shows */
    assert_int_equal(r.hidden, 1);
    assert_int_equal(r.held_apart, 1);
    assert_string_equal(r.words[0].word, "groen");
    assert_int_equal(r.words[0].count, 2);
    for (size_t i = 0; i < r.n_words; i++) {
        if (strcmp(r.words[i].word, "bankjes") == 0)
            assert_int_equal(r.words[i].count, 1);
        if (strcmp(r.words[i].word, "bel") == 0 || strcmp(r.words[i].word, "vijver") == 0)
            fail_msg("\"%s\" comes from a hidden or personal answer", r.words[i].word);
    }
    /* Latest first; not the hidden, held-apart or personal answers. */
    assert_int_equal(r.n_latest, 4);
    assert_string_equal(r.latest[0].text, "Een speeltuin met bankjes");
    assert_string_equal(r.latest[1].text, "Wat een rotzooi overal");
    assert_string_equal(r.latest[2].text, "groen, groen en nog eens groen");
    assert_string_equal(r.latest[3].text, "Meer GROEN in de buurt");
    assert_true(r.latest[0].seq > r.latest[1].seq);

    /* A hidden word: out of the cloud and out of the latest answers. */
    const char *hidden[] = {"rotzooi"};
    results_options opt = {.hidden_words = hidden, .n_hidden_words = 1};
    count(fx, "idee", &opt, &r);
    assert_int_equal(r.votes, 5);
    assert_int_equal(r.n_latest, 3);
    assert_string_equal(r.latest[1].text, "groen, groen en nog eens groen");
    assert_string_equal(r.latest[2].text, "Meer GROEN in de buurt");
    for (size_t i = 0; i < r.n_words; i++)
        assert_string_not_equal(r.words[i].word, "rotzooi");
}

static void test_latest_keeps_the_newest(void **state)
{
    fixture *fx = *state;
    char text[64];
    for (int i = 1; i <= 9; i++) {
        snprintf(text, sizeof text, "idee nummer %d", i);
        vote_text(fx, "idee", text, NULL, NULL);
    }
    results r;
    count(fx, "idee", NULL, &r);
    assert_int_equal(r.votes, 9);
    assert_int_equal(r.n_latest, RESULTS_MAX_LATEST);
    for (size_t i = 0; i < r.n_latest; i++) {
        snprintf(text, sizeof text, "idee nummer %d", 9 - (int)i);
        assert_string_equal(r.latest[i].text, text);
    }
    assert_string_equal(r.words[0].word, "idee");
    assert_int_equal(r.words[0].count, 9);
}

static void test_since_and_reopen(void **state)
{
    fixture *fx = *state;
    vote_text(fx, "keuze", "ja", NULL, NULL);
    vote_text(fx, "keuze", "ja", NULL, NULL);
    int64_t since = clock_wall_ms(&fx->clock);
    vote_text(fx, "keuze", "nee", NULL, NULL);
    results r;
    count(fx, "keuze", NULL, &r);
    assert_int_equal(r.votes, 3);
    results_options opt = {.since_wall_ms = since};
    count(fx, "keuze", &opt, &r);
    assert_int_equal(r.votes, 1);
    assert_int_equal(r.bars[1], 1);
    /* Closed and opened again (a restart): the same counts. */
    store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(store_open(fx->db, &fx->clock, &fx->st, NULL), BK_OK);
    count(fx, "keuze", NULL, &r);
    assert_int_equal(r.votes, 3);
    assert_int_equal(r.bars[0], 2);
    assert_int_equal(r.last_seq, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_latin_with_accents),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_stop_words),
        cmocka_unit_test(test_count_words),
        cmocka_unit_test(test_split_words),
        cmocka_unit_test(test_percent),
        cmocka_unit_test_setup_teardown(test_choice_counts_only_complete_live_votes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_multi_scale_smiley, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_words_latest_hidden_personal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latest_keeps_the_newest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_since_and_reopen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
