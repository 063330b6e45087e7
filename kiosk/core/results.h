/* results.h: live results of one survey question, counted from the store
 * (so they survive a restart): votes per option for choice, multi, scale
 * and smiley; a word count for text (case-insensitive, Dutch and English
 * stop words left out) and the latest answers. Pure C, no SDL: the live
 * screens, the presenter view and `buurtkiosk results` all use this.
 *
 * What counts: complete responses with mode "live" of the survey (any
 * version) that answer the question, started at or after since_wall_ms.
 * Not counted, but reported separately:
 *  - answers a staff member hid (store_answer_set_hidden): `hidden`;
 *  - votes flagged both "rapid" and "repeat" (the same answer again, right
 *    after the previous one, at this kiosk): `held_apart`.
 * Text answers flagged "personal-data" count as votes, but their words and
 * text are never shown. Text answers containing a hidden word are left out
 * of the latest answers. */
#ifndef BK_RESULTS_H
#define BK_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"
#include "survey.h"

#define RESULTS_MAX_BARS SURVEY_MAX_OPTIONS /* >= SURVEY_SCALE_POINTS */
#define RESULTS_MAX_WORDS 64                /* the most frequent words kept */
#define RESULTS_WORD_MAX 64                 /* bytes of one word, with its NUL */
#define RESULTS_MAX_LATEST 6                /* the newest text answers kept */
#define RESULTS_TEXT_MAX 1024               /* bytes of one kept answer, with its NUL */
#define RESULTS_MAX_DISTINCT 8192           /* distinct words counted per question */
#define RESULTS_MAX_HIDDEN_WORDS 256

typedef struct results_word {
    char word[RESULTS_WORD_MAX]; /* lower case, UTF-8 */
    int64_t count;               /* answers that contain it (once per answer) */
} results_word;

typedef struct results_text {
    char response_id[STORE_UUID_LEN + 1];
    int64_t seq;
    char text[RESULTS_TEXT_MAX]; /* cut at a character boundary when longer */
} results_text;

/* The results of one question. */
typedef struct results {
    survey_qtype type;
    int64_t votes;      /* counted responses answering the question */
    int64_t held_apart; /* flagged rapid and repeat: not counted */
    int64_t hidden;     /* hidden by staff: not counted */
    int64_t ignored;    /* a stored value that does not fit the question */
    int64_t last_seq;   /* the newest counted or held-apart response, 0 none */
    /* choice, multi: one bar per option in survey order; scale, smiley:
     * bar i is value i + 1. For multi a voter may count in several bars. */
    size_t n_bars;
    int64_t bars[RESULTS_MAX_BARS];
    /* text: the most frequent words, most frequent first (ties: a-z). */
    results_word words[RESULTS_MAX_WORDS];
    size_t n_words;
    int64_t distinct_words; /* how many different words were counted */
    /* text: the newest shown answers, newest first. */
    results_text latest[RESULTS_MAX_LATEST];
    size_t n_latest;
} results;

/* What to count. */
typedef struct results_options {
    int64_t since_wall_ms;           /* only responses started at or after; 0 = all */
    int64_t after_seq;               /* only responses with a larger seq; 0 = all */
    const char *const *hidden_words; /* lower case (results_lower); may be NULL */
    size_t n_hidden_words;
} results_options;

/* True when the question type has live results (choice, multi, scale,
 * smiley, text). */
bool results_supported(survey_qtype type);

/* Counts the results of question q of survey s (q must be one of s's
 * questions) from the store into *out (zeroed first). opt may be NULL.
 * Returns BK_OK, BK_ERR_INVALID for a type without live results, or the
 * store's error (*out then holds nothing useful). */
bk_err results_compute(store *st, const survey *s, const survey_question *q,
                       const results_options *opt, results *out);

/* One bar's share of the votes in whole percent (rounded half up), 0 when
 * there are no votes. */
int results_percent(const results *r, size_t bar);

/* ---- Words ---- */

/* Writes the lower-case form of UTF-8 text s into out (always NUL
 * terminated, cut at a character boundary when it does not fit): A-Z, the
 * Latin-1 letters (À-Þ) and Latin Extended-A (Ā-Ž, with İ -> i, Ÿ -> ÿ).
 * Other characters are copied unchanged; invalid bytes become U+FFFD.
 * Returns the length of out. */
size_t results_lower(const char *s, char *out, size_t size);

/* Reads the next word of *p (advancing *p past it) into out, lower case:
 * a run of letters and digits, with an apostrophe or hyphen kept only
 * between two letters ("auto's", "zo'n", "don't", "noord-oost"; ’ reads as
 * '). Returns false at the end of the text. Words longer than out are cut
 * at a character boundary. */
bool results_next_word(const char **p, char *out, size_t size);

/* True when word (lower case) is a Dutch or English stop word. */
bool results_is_stop_word(const char *word);

/* True when word is worth counting: at least two characters, at least one
 * letter (not only digits), not a stop word. */
bool results_word_counts(const char *word);

/* Counts the words of texts[0..n) into out (most frequent first, ties
 * a-z; each word once per text), leaving out stop words and hidden words.
 * Returns the number of different words seen; *n_out is at most max.
 * Used by results_compute and by tests. */
int64_t results_count_words(const char *const *texts, size_t n, const char *const *hidden,
                            size_t n_hidden, results_word *out, size_t max, size_t *n_out);

/* True when text contains word (lower case) as a whole word. */
bool results_text_has_word(const char *text, const char *word);

/* Parses a newline-separated list of hidden words (as kept in the store
 * meta key "live.hidden_words") into words[] (pointers into buf, which is
 * modified). Returns the count (at most max). */
size_t results_split_words(char *buf, const char **words, size_t max);

#endif
