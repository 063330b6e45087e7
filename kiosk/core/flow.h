/* flow.h: one resident's way through a survey. Decides which question comes
 * next (honouring show_if and a fixed kiosk area), keeps the answers given so
 * far so "Terug" can show and change them, writes every answer to the store
 * as it is given, and computes the flags stored with the response. Pure C:
 * screens only draw the flow's state and forward taps to it. */
#ifndef BK_FLOW_H
#define BK_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "error.h"
#include "store.h"
#include "survey.h"

#define FLOW_TEXT_MAX_BYTES 4096 /* text answers: bytes, whatever max_length says */
#define FLOW_MAX_FLAGS 4

/* The answer to one question as the flow holds it in memory. */
typedef struct flow_answer {
    bool given;
    long long number; /* scale, smiley, number */
    int option;       /* choice, area: index of the option / area */
    bool *chosen;     /* multi: per option */
    char *text;       /* text: UTF-8, owned */
} flow_answer;

/* What one answer option of the area question is: an id and its name. */
typedef struct flow_area {
    const char *id;
    const char *name;
} flow_area;

/* Remembers the previous response's answers (as a hash only) across
 * residents, for the `repeat` flag. Nothing a resident entered can be read
 * back from it. */
typedef struct flow_memory {
    bool has_previous;
    unsigned char previous_hash[32];
    int64_t previous_finished_mono_ms;
} flow_memory;

typedef struct flow {
    const survey *survey; /* not owned; must outlive the flow */
    store *store;         /* not owned */
    bk_clock clock;
    int lang; /* index into survey->languages */
    const char *mode;
    const char *fixed_area; /* not owned; NULL when the resident is asked */
    const flow_area *areas; /* not owned */
    size_t n_areas;
    store_response_ref ref;
    bool response_open; /* begun in the store and not yet finished */
    size_t current;     /* index of the question shown */
    size_t *history;    /* questions shown before, for "Terug" */
    size_t n_history;
    flow_answer *answers; /* one per survey question */
    int64_t started_mono_ms;
    bk_err last_error; /* the last store error, BK_OK when all went well */
} flow;

/* Starts a new response: begins it in the store (new UUID and seq) and goes
 * to the first question that applies. lang is an index into the survey's
 * languages. The areas array (for the area question) and fixed_area must
 * outlive the flow. Returns BK_OK, or the store's error (the flow is then
 * still initialised and must be passed to flow_free). */
bk_err flow_begin(flow *f, const survey *s, store *st, const bk_clock *clock, int lang,
                  const char *mode, const char *fixed_area, const flow_area *areas, size_t n_areas);

/* Frees what f owns. Does not finish the response: call flow_abandon or
 * flow_finish first. NULL is a no-op. */
void flow_free(flow *f);

/* The question shown now. */
const survey_question *flow_question(const flow *f);

/* 1-based position of the current question and the number of questions that
 * apply to this resident now ("Vraag 3 van 8"). */
void flow_progress(const flow *f, int *position, int *total);

/* True when the current question is the last that applies. */
bool flow_is_last(const flow *f);
/* True when there is an earlier question to go back to. */
bool flow_can_go_back(const flow *f);

/* The answer held for the current question. */
const flow_answer *flow_current_answer(const flow *f);

/* Sets the current question's answer and stores it (one transaction).
 * Return the store's error, or BK_ERR_INVALID when the value does not fit
 * the question (out of range, unknown option). */
bk_err flow_answer_number(flow *f, long long value); /* scale, smiley, number */
bk_err flow_answer_option(flow *f, int option);      /* choice, area */
bk_err flow_toggle_option(flow *f, int option);      /* multi; BK_ERR_STATE past max */
bk_err flow_answer_text(flow *f, const char *text);  /* text; "" clears */

/* For multi: how many more options may be picked (INT32_MAX without max). */
int flow_multi_remaining(const flow *f);

/* Skips the current question (an optional one): its answer is removed. */
bk_err flow_skip(flow *f);

/* Moves to the next question that applies. Returns true, or false when the
 * current one was the last (the caller then finishes). */
bool flow_next(flow *f);

/* Goes back to the previous question; its answer is still shown. */
bool flow_back(flow *f);

/* Switches the language of the response (index into survey languages). */
bk_err flow_set_language(flow *f, int lang);

/* Ends the response as complete (the thank-you screen may show only after
 * BK_OK) or, flow_abandon, as partial. Both compute the flags; mem is
 * updated for the `repeat` flag (may be NULL). */
bk_err flow_finish(flow *f, flow_memory *mem);
bk_err flow_abandon(flow *f, flow_memory *mem);

/* True when a text looks like personal data: an e-mail address, a phone
 * number or a Dutch postcode with house number. */
bool flow_text_looks_personal(const char *text);

/* Number of UTF-8 code points in s. */
size_t flow_utf8_length(const char *s);

#endif
