/* flow.c: one resident's way through a survey; see flow.h. */
#include "flow.h"

#include <regex.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define FLOW_REPEAT_WINDOW_MS 30000
#define FLOW_READ_MS_PER_WORD 125 /* 8 words a second: faster than anyone reads */
#define FLOW_RAPID_MIN_ANSWERS 3

static size_t flow_count_words(const char *s)
{
    size_t n = 0;
    bool in_word = false;
    for (; s && *s; s++) {
        bool space = *s == ' ' || *s == '\n' || *s == '\t';
        if (!space && !in_word)
            n++;
        in_word = !space;
    }
    return n;
}

size_t flow_utf8_length(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool flow_applies(const flow *f, size_t i);

/* Does the show_if condition of q hold with the answers given so far? An
 * answer to a question that no longer applies (the resident went back and
 * chose differently) does not count. */
static bool flow_condition_holds(const flow *f, const survey_question *q)
{
    if (!q->show_if.question)
        return true;
    for (size_t i = 0; i < f->survey->n_questions; i++) {
        const survey_question *dep = &f->survey->questions[i];
        if (strcmp(dep->id, q->show_if.question) != 0)
            continue;
        const flow_answer *a = &f->answers[i];
        if (!a->given || !flow_applies(f, i)) /* show_if points back: this ends */
            return false;
        for (size_t k = 0; k < q->show_if.n_in; k++) {
            const char *want = q->show_if.in[k];
            switch (dep->type) {
            case SURVEY_Q_CHOICE:
                if (a->option >= 0 && (size_t)a->option < dep->n_options &&
                    strcmp(dep->options[a->option].id, want) == 0)
                    return true;
                break;
            case SURVEY_Q_MULTI:
                for (size_t o = 0; o < dep->n_options; o++)
                    if (a->chosen[o] && strcmp(dep->options[o].id, want) == 0)
                        return true;
                break;
            case SURVEY_Q_AREA:
                if (a->option >= 0 && (size_t)a->option < f->n_areas &&
                    strcmp(f->areas[a->option].id, want) == 0)
                    return true;
                break;
            case SURVEY_Q_SCALE:
            case SURVEY_Q_SMILEY:
            case SURVEY_Q_NUMBER:
                if (strtoll(want, NULL, 10) == a->number)
                    return true;
                break;
            default:
                break;
            }
        }
        return false;
    }
    return false;
}

/* Does question i apply to this resident now? */
static bool flow_applies(const flow *f, size_t i)
{
    const survey_question *q = &f->survey->questions[i];
    if (q->type == SURVEY_Q_AREA && f->fixed_area)
        return false;
    return flow_condition_holds(f, q);
}

static bool flow_find_next(const flow *f, size_t from, size_t *out)
{
    for (size_t i = from; i < f->survey->n_questions; i++)
        if (flow_applies(f, i)) {
            *out = i;
            return true;
        }
    return false;
}

bk_err flow_begin(flow *f, const survey *s, store *st, const bk_clock *clock, int lang,
                  const char *mode, const char *fixed_area, const flow_area *areas, size_t n_areas)
{
    memset(f, 0, sizeof *f);
    f->survey = s;
    f->store = st;
    f->clock = *clock;
    f->lang = lang;
    f->mode = mode;
    f->fixed_area = fixed_area && fixed_area[0] ? fixed_area : NULL;
    f->areas = areas;
    f->n_areas = n_areas;
    f->answers = calloc(s->n_questions ? s->n_questions : 1, sizeof *f->answers);
    f->history = calloc(s->n_questions ? s->n_questions : 1, sizeof *f->history);
    if (!f->answers || !f->history)
        return f->last_error = BK_ERR_NOMEM;
    for (size_t i = 0; i < s->n_questions; i++) {
        f->answers[i].option = -1;
        if (s->questions[i].type == SURVEY_Q_MULTI) {
            f->answers[i].chosen = calloc(s->questions[i].n_options + 1, sizeof(bool));
            if (!f->answers[i].chosen)
                return f->last_error = BK_ERR_NOMEM;
        }
    }
    f->started_mono_ms = clock_mono_ms(clock);
    if (!flow_find_next(f, 0, &f->current))
        f->current = 0;
    store_response_meta meta = {
        .survey_id = s->id,
        .survey_version = s->version,
        .mode = mode,
        .language = s->languages[lang],
        .area = f->fixed_area,
    };
    bk_err err = store_response_begin(st, &meta, &f->ref);
    f->last_error = err;
    f->response_open = err == BK_OK;
    return err;
}

void flow_free(flow *f)
{
    if (!f || !f->survey)
        return;
    if (f->answers) {
        for (size_t i = 0; i < f->survey->n_questions; i++) {
            free(f->answers[i].chosen);
            if (f->answers[i].text) {
                sodium_memzero(f->answers[i].text, strlen(f->answers[i].text));
                free(f->answers[i].text);
            }
        }
    }
    free(f->answers);
    free(f->history);
    memset(f, 0, sizeof *f);
}

const survey_question *flow_question(const flow *f)
{
    return &f->survey->questions[f->current];
}

const flow_answer *flow_current_answer(const flow *f)
{
    return &f->answers[f->current];
}

void flow_progress(const flow *f, int *position, int *total)
{
    int pos = 0, n = 0;
    for (size_t i = 0; i < f->survey->n_questions; i++) {
        if (!flow_applies(f, i))
            continue;
        n++;
        if (i <= f->current)
            pos = n;
    }
    *position = pos;
    *total = n;
}

bool flow_is_last(const flow *f)
{
    size_t next;
    return !flow_find_next(f, f->current + 1, &next);
}

bool flow_can_go_back(const flow *f)
{
    return f->n_history > 0;
}

/* Writes the current question's in-memory answer to the store. */
static bk_err flow_store_current(flow *f)
{
    const survey_question *q = flow_question(f);
    const flow_answer *a = &f->answers[f->current];
    bk_err err = BK_OK;
    if (!f->response_open)
        return f->last_error = BK_ERR_STATE;
    if (q->type == SURVEY_Q_AREA) {
        const char *area = a->given ? f->areas[a->option].id : NULL;
        err = store_response_set_area(f->store, f->ref.rowid, area);
        return f->last_error = err;
    }
    answer_value v = {.kind = ANSWER_NONE};
    const char *list[64];
    if (a->given) {
        switch (q->type) {
        case SURVEY_Q_SCALE:
        case SURVEY_Q_SMILEY:
        case SURVEY_Q_NUMBER:
            v.kind = ANSWER_INT;
            v.integer = a->number;
            break;
        case SURVEY_Q_CHOICE:
            v.kind = ANSWER_TEXT;
            v.text = q->options[a->option].id;
            break;
        case SURVEY_Q_MULTI:
            v.kind = ANSWER_LIST;
            for (size_t o = 0; o < q->n_options && v.n_list < 64; o++)
                if (a->chosen[o])
                    list[v.n_list++] = q->options[o].id;
            v.list = list;
            if (v.n_list == 0)
                v.kind = ANSWER_NONE;
            break;
        case SURVEY_Q_TEXT:
            v.kind = ANSWER_TEXT;
            v.text = a->text;
            break;
        default:
            break;
        }
    }
    err = store_answer_set(f->store, f->ref.rowid, q->id, &v);
    if (err != BK_OK)
        log_error("flow", "storing the answer to %s failed: %s", q->id, bk_err_str(err));
    return f->last_error = err;
}

bk_err flow_answer_number(flow *f, long long value)
{
    const survey_question *q = flow_question(f);
    if (q->type == SURVEY_Q_NUMBER) {
        if (value < q->min || value > q->max)
            return BK_ERR_INVALID;
    } else if (q->type == SURVEY_Q_SCALE || q->type == SURVEY_Q_SMILEY) {
        if (value < 1 || value > SURVEY_SCALE_POINTS)
            return BK_ERR_INVALID;
    } else {
        return BK_ERR_INVALID;
    }
    flow_answer *a = &f->answers[f->current];
    a->given = true;
    a->number = value;
    return flow_store_current(f);
}

bk_err flow_answer_option(flow *f, int option)
{
    const survey_question *q = flow_question(f);
    size_t n = q->type == SURVEY_Q_AREA ? f->n_areas : q->n_options;
    if ((q->type != SURVEY_Q_CHOICE && q->type != SURVEY_Q_AREA) || option < 0 ||
        (size_t)option >= n)
        return BK_ERR_INVALID;
    flow_answer *a = &f->answers[f->current];
    a->given = true;
    a->option = option;
    return flow_store_current(f);
}

int flow_multi_remaining(const flow *f)
{
    const survey_question *q = flow_question(f);
    const flow_answer *a = &f->answers[f->current];
    if (q->type != SURVEY_Q_MULTI || q->max_choices <= 0)
        return INT32_MAX;
    int chosen = 0;
    for (size_t o = 0; o < q->n_options; o++)
        chosen += a->chosen[o] ? 1 : 0;
    return q->max_choices - chosen;
}

bk_err flow_toggle_option(flow *f, int option)
{
    const survey_question *q = flow_question(f);
    if (q->type != SURVEY_Q_MULTI || option < 0 || (size_t)option >= q->n_options)
        return BK_ERR_INVALID;
    flow_answer *a = &f->answers[f->current];
    if (!a->chosen[option] && flow_multi_remaining(f) <= 0)
        return BK_ERR_STATE;
    a->chosen[option] = !a->chosen[option];
    a->given = false;
    for (size_t o = 0; o < q->n_options; o++)
        a->given = a->given || a->chosen[o];
    return flow_store_current(f);
}

bk_err flow_answer_text(flow *f, const char *text)
{
    const survey_question *q = flow_question(f);
    if (q->type != SURVEY_Q_TEXT)
        return BK_ERR_INVALID;
    if (strlen(text) >= FLOW_TEXT_MAX_BYTES || flow_utf8_length(text) > (size_t)q->max_length)
        return BK_ERR_INVALID;
    flow_answer *a = &f->answers[f->current];
    char *copy = strdup(text);
    if (!copy)
        return BK_ERR_NOMEM;
    if (a->text) {
        sodium_memzero(a->text, strlen(a->text));
        free(a->text);
    }
    a->text = copy;
    a->given = text[0] != '\0';
    return flow_store_current(f);
}

bk_err flow_skip(flow *f)
{
    flow_answer *a = &f->answers[f->current];
    const survey_question *q = flow_question(f);
    a->given = false;
    a->option = -1;
    if (a->chosen)
        memset(a->chosen, 0, q->n_options * sizeof(bool));
    if (a->text) {
        sodium_memzero(a->text, strlen(a->text));
        a->text[0] = '\0';
    }
    if (q->type == SURVEY_Q_INFO)
        return BK_OK;
    return flow_store_current(f);
}

bool flow_next(flow *f)
{
    size_t next;
    if (!flow_find_next(f, f->current + 1, &next))
        return false;
    f->history[f->n_history++] = f->current;
    f->current = next;
    return true;
}

bool flow_back(flow *f)
{
    if (f->n_history == 0)
        return false;
    f->current = f->history[--f->n_history];
    return true;
}

bk_err flow_set_language(flow *f, int lang)
{
    if (lang < 0 || (size_t)lang >= f->survey->n_languages)
        return BK_ERR_INVALID;
    f->lang = lang;
    if (!f->response_open)
        return BK_OK;
    return f->last_error =
               store_response_set_language(f->store, f->ref.rowid, f->survey->languages[lang]);
}

/* A hash of every answer that applies, to recognise the same answers twice. */
static void flow_hash_answers(const flow *f, unsigned char out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)f->survey->id, strlen(f->survey->id));
    for (size_t i = 0; i < f->survey->n_questions; i++) {
        const survey_question *q = &f->survey->questions[i];
        const flow_answer *a = &f->answers[i];
        unsigned char given = a->given && flow_applies(f, i);
        crypto_generichash_update(&st, &given, 1);
        if (!given)
            continue;
        long long nums[2] = {a->number, a->option};
        crypto_generichash_update(&st, (const unsigned char *)nums, sizeof nums);
        if (a->chosen)
            for (size_t o = 0; o < q->n_options; o++) {
                unsigned char c = a->chosen[o];
                crypto_generichash_update(&st, &c, 1);
            }
        if (a->text)
            crypto_generichash_update(&st, (const unsigned char *)a->text, strlen(a->text) + 1);
    }
    crypto_generichash_final(&st, out, 32);
}

/* Removes from the store the answers to questions that no longer apply. */
static bk_err flow_drop_hidden_answers(flow *f)
{
    size_t current = f->current;
    bk_err err = BK_OK;
    for (size_t i = 0; i < f->survey->n_questions && err == BK_OK; i++) {
        if (!f->answers[i].given || flow_applies(f, i))
            continue;
        f->current = i;
        err = flow_skip(f);
    }
    f->current = current;
    return err;
}

static bk_err flow_end(flow *f, store_status status, flow_memory *mem)
{
    if (!f->response_open)
        return BK_ERR_STATE;
    bk_err dropped = flow_drop_hidden_answers(f);
    if (dropped != BK_OK)
        return dropped;
    const char *flags[FLOW_MAX_FLAGS];
    size_t n_flags = 0;
    int64_t now = clock_mono_ms(&f->clock);

    size_t n_answered = 0, words = 0;
    bool personal = false;
    for (size_t i = 0; i < f->survey->n_questions; i++) {
        const flow_answer *a = &f->answers[i];
        if (!a->given || !flow_applies(f, i))
            continue;
        n_answered++;
        words += flow_count_words(survey_text_get(&f->survey->questions[i].text, f->lang));
        if (a->text && flow_text_looks_personal(a->text))
            personal = true;
    }
    if (n_answered >= FLOW_RAPID_MIN_ANSWERS &&
        now - f->started_mono_ms < (int64_t)(words * FLOW_READ_MS_PER_WORD))
        flags[n_flags++] = "rapid";

    unsigned char hash[32];
    flow_hash_answers(f, hash);
    if (n_answered > 0 && mem && mem->has_previous &&
        now - mem->previous_finished_mono_ms <= FLOW_REPEAT_WINDOW_MS &&
        sodium_memcmp(hash, mem->previous_hash, sizeof hash) == 0)
        flags[n_flags++] = "repeat";
    if (personal)
        flags[n_flags++] = "personal-data";

    bk_err err = store_response_finish(f->store, f->ref.rowid, status, flags, n_flags);
    f->last_error = err;
    if (err != BK_OK)
        return err;
    f->response_open = false;
    if (mem && n_answered > 0) {
        mem->has_previous = true;
        memcpy(mem->previous_hash, hash, sizeof hash);
        mem->previous_finished_mono_ms = now;
    }
    return BK_OK;
}

bk_err flow_finish(flow *f, flow_memory *mem)
{
    return flow_end(f, STORE_STATUS_COMPLETE, mem);
}

bk_err flow_abandon(flow *f, flow_memory *mem)
{
    return flow_end(f, STORE_STATUS_PARTIAL, mem);
}

bool flow_text_looks_personal(const char *text)
{
    static const char *const patterns[] = {
        /* e-mail address */
        "[[:alnum:]._%+-]+@[[:alnum:].-]+\\.[[:alpha:]]{2,}",
        /* Dutch phone number: 06-12345678, 0162 123456, +31 6 12345678 */
        "(\\+31|0031|0)[ -]?[1-9]([ -]?[0-9]){8}",
        /* Dutch postcode with house number: 4901 AB 12 */
        "(^|[^0-9])[1-9][0-9]{3} ?[A-Za-z]{2}[ ,]+[0-9]+",
        /* house number before the postcode: Dorpsstraat 12, 4901 AB */
        "[0-9]+[A-Za-z]?[ ,]+[1-9][0-9]{3} ?[A-Za-z]{2}([^A-Za-z]|$)",
    };
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        regex_t re;
        if (regcomp(&re, patterns[i], REG_EXTENDED | REG_NOSUB) != 0)
            continue;
        int rc = regexec(&re, text, 0, NULL, 0);
        regfree(&re);
        if (rc == 0)
            return true;
    }
    return false;
}
