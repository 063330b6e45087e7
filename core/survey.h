/* survey.h: survey definitions (the JSON format of docs/survey-format.md):
 * loading, complete validation, and the in-memory model. Pure C + jansson. */
#ifndef BK_SURVEY_H
#define BK_SURVEY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "error.h"

#define SURVEY_MAX_LANGUAGES 8
#define SURVEY_SCALE_POINTS 5
#define SURVEY_TEXT_DEFAULT_MAX 280
#define SURVEY_ID_MAX 64                /* ids: 1..64 characters of a-z 0-9 _ - */
#define SURVEY_MAX_QUESTIONS 100        /* questions per survey */
#define SURVEY_MAX_OPTIONS 20           /* options per choice/multi question (at least 2) */
#define SURVEY_MAX_LENGTH_LIMIT 2000    /* upper bound for a text question's max_length */
#define SURVEY_NUMBER_LIMIT 1000000000L /* number questions: min and max within +-this */
#define SURVEY_TEXT_MAX 1000            /* characters in a question text or help */
#define SURVEY_LABEL_MAX 200            /* characters in a title or a label */
#define SURVEY_FILE_MAX (1024 * 1024)   /* bytes in a survey file */

typedef enum survey_qtype {
    SURVEY_Q_SCALE,
    SURVEY_Q_SMILEY,
    SURVEY_Q_CHOICE,
    SURVEY_Q_MULTI,
    SURVEY_Q_NUMBER,
    SURVEY_Q_TEXT,
    SURVEY_Q_INFO,
    SURVEY_Q_AREA,
} survey_qtype;

/* A text in every language of the survey: text[i] belongs to
 * survey->languages[i]; NULL where absent (only for optional texts). */
typedef struct survey_text {
    char *text[SURVEY_MAX_LANGUAGES];
} survey_text;

typedef struct survey_option {
    char *id;
    survey_text label;
} survey_option;

typedef struct survey_show_if {
    char *question; /* id of an earlier question; NULL when there is no condition */
    char **in;      /* option ids (or, for scale/smiley/number, decimal values) */
    size_t n_in;
} survey_show_if;

typedef struct survey_question {
    char *id;
    survey_qtype type;
    survey_text text;
    survey_text help;                        /* optional: all NULL when absent */
    bool required;                           /* default false: the resident may skip */
    bool reverse;                            /* scale: score 6 - value when analysing */
    survey_text labels[SURVEY_SCALE_POINTS]; /* scale and smiley: label of 1..5 */
    survey_option *options;                  /* choice and multi */
    size_t n_options;
    int max_choices; /* multi: at most this many; 0 = no limit */
    long min, max;   /* number */
    int max_length;  /* text: characters (code points), default 280 */
    survey_show_if show_if;
} survey_question;

typedef struct survey {
    char *id;
    int version;
    char *languages[SURVEY_MAX_LANGUAGES];
    size_t n_languages;
    survey_text title;
    survey_question *questions;
    size_t n_questions;
} survey;

/* Parses and fully validates a survey definition from a file. Every problem
 * is added to diag as "FILE: path: problem" (syntax errors as
 * "FILE:LINE:COLUMN: ..."). Returns a new survey (free with survey_free) or
 * NULL when there was any problem. */
survey *survey_load_file(const char *path, bk_diag *diag);

/* The same for a definition already in memory; name is used in messages. */
survey *survey_load_string(const char *json, size_t len, const char *name, bk_diag *diag);

/* Validates a jansson value (json_t *, as void * so this header does not
 * need jansson) as a survey definition, e.g. one element of a downloaded
 * bundle. Returns a new survey or NULL with problems in diag. */
survey *survey_from_json(const void *json_value, const char *name, bk_diag *diag);

/* Frees s and everything it owns. NULL is a no-op. */
void survey_free(survey *s);

/* Index of language code lang in s->languages, or -1. */
int survey_language_index(const survey *s, const char *lang);

/* The text in language index lang, falling back to the first language when
 * that one is absent. Returns NULL only when the text is absent entirely. */
const char *survey_text_get(const survey_text *t, int lang);

/* The question with this id, or NULL. */
const survey_question *survey_find_question(const survey *s, const char *id);

/* Index of option id in q->options, or -1. */
int survey_find_option(const survey_question *q, const char *id);

/* The type's name as written in JSON ("scale", ...). */
const char *survey_qtype_name(survey_qtype t);

/* True when s is an id as survey, question and option ids are: 1 to
 * SURVEY_ID_MAX characters of a-z 0-9 _ -. */
bool survey_id_valid(const char *s);

/* True when s is a language code as in "languages": 2 or 3 lower-case
 * letters, optionally "-" and 2 to 8 lower-case letters or digits. */
bool survey_language_valid(const char *s);

/* A set of surveys with unique ids, e.g. every definition in a folder or in
 * a downloaded bundle. Opaque. */
typedef struct survey_catalog survey_catalog;

/* Loads every *.json file directly in dir, in order of file name (bytewise;
 * names starting with '.' are ignored). A file with any problem is reported
 * in diag and skipped; so is a file whose survey id an earlier file already
 * uses. The valid surveys still load. Returns BK_OK with a new catalogue in
 * *out (possibly empty; see survey_catalog_skipped; free with
 * survey_catalog_free), BK_ERR_IO when dir cannot be read (reported in diag)
 * or BK_ERR_NOMEM; *out is NULL on error. */
bk_err survey_catalog_load(const char *dir, survey_catalog **out, bk_diag *diag);

/* A new empty catalogue, or NULL when out of memory. */
survey_catalog *survey_catalog_create(void);

/* Adds s; the catalogue owns it on BK_OK. Returns BK_ERR_INVALID when a
 * survey with the same id is already in the catalogue, or BK_ERR_NOMEM; s
 * stays the caller's on error. */
bk_err survey_catalog_add(survey_catalog *cat, survey *s);

/* Number of surveys in the catalogue (0 for NULL). */
size_t survey_catalog_count(const survey_catalog *cat);

/* The i-th survey (in load/add order), or NULL when i is out of range.
 * Owned by the catalogue. */
const survey *survey_catalog_at(const survey_catalog *cat, size_t i);

/* The survey with this id, or NULL. Owned by the catalogue. */
const survey *survey_catalog_find(const survey_catalog *cat, const char *id);

/* Number of files survey_catalog_load skipped because of problems. */
size_t survey_catalog_skipped(const survey_catalog *cat);

/* Frees the catalogue and every survey in it. NULL is a no-op. */
void survey_catalog_free(survey_catalog *cat);

#endif
