/* ingest_check.c: does a parsed response fit the survey definition it
 * names? A response that does not is still stored, in quarantine, with the
 * first reason found; nothing is dropped. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "ingest_internal.h"

/* Sets r->quarantine to the formatted reason. Returns BK_OK or BK_ERR_NOMEM. */
static bk_err quarantine(ingest_response *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bk_err quarantine(ingest_response *r, const char *fmt, ...)
{
    char text[INGEST_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->quarantine = strdup(text);
    return r->quarantine ? BK_OK : BK_ERR_NOMEM;
}

/* Checks one answer's value against question q; NULL when it fits, else the
 * reason (written into why). */
static const char *check_value(const survey_question *q, json_t *v, char *why, size_t size)
{
    const char *type = survey_qtype_name(q->type);
    switch (q->type) {
    case SURVEY_Q_SCALE:
    case SURVEY_Q_SMILEY:
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > SURVEY_SCALE_POINTS) {
            snprintf(why, size, "question \"%s\" (%s) needs an integer from 1 to %d", q->id, type,
                     SURVEY_SCALE_POINTS);
            return why;
        }
        return NULL;
    case SURVEY_Q_NUMBER:
        if (!json_is_integer(v) || json_integer_value(v) < q->min ||
            json_integer_value(v) > q->max) {
            snprintf(why, size, "question \"%s\" (%s) needs an integer from %ld to %ld", q->id,
                     type, q->min, q->max);
            return why;
        }
        return NULL;
    case SURVEY_Q_CHOICE:
        if (!json_is_string(v)) {
            snprintf(why, size, "question \"%s\" (%s) needs one option id as a string", q->id,
                     type);
            return why;
        }
        if (survey_find_option(q, json_string_value(v)) < 0) {
            if (survey_id_valid(json_string_value(v)))
                snprintf(why, size, "question \"%s\" (%s) has no option \"%s\"", q->id, type,
                         json_string_value(v));
            else
                snprintf(why, size, "question \"%s\" (%s) has no such option (not an id)", q->id,
                         type);
            return why;
        }
        return NULL;
    case SURVEY_Q_AREA:
        if (!json_is_string(v) || !survey_id_valid(json_string_value(v))) {
            snprintf(why, size, "question \"%s\" (%s) needs an area id as a string", q->id, type);
            return why;
        }
        return NULL;
    case SURVEY_Q_MULTI: {
        if (!json_is_array(v)) {
            snprintf(why, size, "question \"%s\" (%s) needs an array of option ids", q->id, type);
            return why;
        }
        size_t n = json_array_size(v);
        for (size_t k = 0; k < n; k++) {
            const char *id = json_string_value(json_array_get(v, k));
            if (!id || survey_find_option(q, id) < 0) {
                if (id && survey_id_valid(id))
                    snprintf(why, size, "question \"%s\" (%s) has no option \"%s\"", q->id, type,
                             id);
                else
                    snprintf(why, size, "question \"%s\" (%s): value[%zu] is not an option id",
                             q->id, type, k);
                return why;
            }
            for (size_t j = 0; j < k; j++)
                if (strcmp(json_string_value(json_array_get(v, j)), id) == 0) {
                    snprintf(why, size, "question \"%s\" (%s) has option \"%s\" twice", q->id, type,
                             id);
                    return why;
                }
        }
        if (q->max_choices > 0 && n > (size_t)q->max_choices) {
            snprintf(why, size, "question \"%s\" (%s) allows at most %d choices, not %zu", q->id,
                     type, q->max_choices, n);
            return why;
        }
        return NULL;
    }
    case SURVEY_Q_TEXT: {
        if (!json_is_string(v)) {
            snprintf(why, size, "question \"%s\" (%s) needs a string", q->id, type);
            return why;
        }
        size_t n = ingest_utf8_chars(json_string_value(v), json_string_length(v));
        if (n > (size_t)q->max_length) {
            snprintf(why, size, "question \"%s\" (%s) allows at most %d characters, not %zu", q->id,
                     type, q->max_length, n);
            return why;
        }
        return NULL;
    }
    case SURVEY_Q_INFO:
        snprintf(why, size, "question \"%s\" (%s) shows information and takes no answer", q->id,
                 type);
        return why;
    }
    snprintf(why, size, "question \"%s\" has a type this collector does not know", q->id);
    return why;
}

/* The survey's languages as "nl, en". */
static void language_list(const survey *def, char *out, size_t size)
{
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < def->n_languages && used + 1 < size; i++) {
        int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", def->languages[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

bk_err ingest_check_response(ingest_response *r, const survey *def)
{
    free(r->quarantine);
    r->quarantine = NULL;
    if (!def)
        return quarantine(r, "no definition of survey %s version %d at the collector", r->survey_id,
                          r->survey_version);
    if (strcmp(def->id, r->survey_id) != 0 || def->version != r->survey_version)
        return quarantine(r, "checked against survey %s version %d, not survey %s version %d",
                          def->id, def->version, r->survey_id, r->survey_version);
    if (survey_language_index(def, r->language) < 0) {
        char langs[SURVEY_MAX_LANGUAGES * 16];
        language_list(def, langs, sizeof langs);
        return quarantine(r, "language \"%s\" is not one of survey %s version %d's languages (%s)",
                          r->language, def->id, def->version, langs);
    }
    for (size_t i = 0; i < r->n_answers; i++) {
        const ingest_answer *a = &r->answers[i];
        const survey_question *q = survey_find_question(def, a->question_id);
        if (!q)
            return quarantine(r, "answers[%zu]: question \"%s\" is not in survey %s version %d", i,
                              a->question_id, def->id, def->version);
        json_error_t e;
        json_t *v = json_loads(a->value_json, JSON_DECODE_ANY, &e);
        if (!v) {
            if (json_error_code(&e) == json_error_out_of_memory)
                return BK_ERR_NOMEM;
            return quarantine(r, "answers[%zu]: the value is not valid JSON", i);
        }
        char why[INGEST_MSG_MAX - 32];
        const char *bad = check_value(q, v, why, sizeof why);
        json_decref(v);
        if (bad)
            return quarantine(r, "answers[%zu]: %s", i, bad);
    }
    return BK_OK;
}
