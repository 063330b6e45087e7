/* live.h: live input mode (docs/live.md), a screen module of the app.
 *
 * When a->mode is CONFIG_MODE_LIVE the kiosk shows one open question of the
 * active survey instead of the attract screen. An attendee answers it (a
 * single answer is stored at once; multi and text with "Klaar"); the
 * answer is stored as a complete response with mode "live" (synced like any
 * other) and the attendee sees "Bedankt!" and the live result of that
 * question for LIVE_RESULTS_MS, then the question again for the next
 * person. Results are counted from the database (results.h), so they
 * survive a restart. Bars grow smoothly (LIVE_ANIM_MS) when a vote comes in.
 *
 * A presenter view: with [display] presenter = auto and a second display
 * (or presenter = on), a second window shows the open question's results
 * full-screen, continuously.
 *
 * Staff (the staff module, or a presenter's keyboard: left/right arrows)
 * choose which question is open, and can hide an answer or a word from the
 * results; hidden answers stay in the database (marked hidden) and are
 * still synced. Every function here runs on the UI thread. */
#ifndef BK_LIVE_H
#define BK_LIVE_H

#include <stdbool.h>

#include "app.h"
#include "error.h"
#include "results.h"
#include "ui.h"

#define LIVE_RESULTS_MS 6000        /* "Bedankt!" and the result, then the question */
#define LIVE_ANIM_MS 400            /* bars grow to a new count */
#define LIVE_ANIM_FRAME_MS 20       /* redraw while they grow */
#define LIVE_SELECTED_MS 300        /* a chosen answer shows yellow */
#define LIVE_RAPID_MIN_MS 1500      /* rapid: answered faster than the question reads */
#define LIVE_READ_MS_PER_WORD 125   /* 8 words a second */
#define LIVE_REPEAT_WINDOW_MS 30000 /* repeat: the same answer as the previous vote */
#define LIVE_PRESENTER_REFRESH_MS 5000

/* Store meta keys. */
#define LIVE_META_QUESTION "live.question"         /* id of the open question */
#define LIVE_META_HIDDEN_WORDS "live.hidden_words" /* newline-separated, lower case */
#define LIVE_META_SINCE "live.since"               /* wall ms: when staff counted afresh */
#define LIVE_META_SINCE_SEQ "live.since_seq"       /* seq then: count the responses after it */

/* The module (listed in app_modules.c). */
extern const app_module live_module;

/* ---- For the staff module ---- */

/* Opens question index (into a->active->questions) for votes; kept in the
 * store so it survives a restart. An attendee's half-typed answer is
 * dropped. Returns BK_ERR_INVALID when the index is out of range or the
 * question type has no live results (number, info, area), else BK_OK or
 * the store's error. */
bk_err live_open_question(app *a, int index);

/* Opens the next (step 1) or previous (step -1) question that has live
 * results; stays at the first or last. Same returns as live_open_question;
 * BK_ERR_NOT_FOUND when there is none further. */
bk_err live_open_step(app *a, int step);

/* The index of the open question in a->active->questions, or -1 when the
 * active survey has no question with live results. */
int live_open_index(app *a);

/* The results of the open question, counted from the store now (valid
 * until the next live_* call); NULL when there is no open question. */
const results *live_results(app *a);

/* Hides (or shows again) the answer of response_id to question_id (NULL:
 * the open question) in the results. The answer stays in the database and
 * is still synced. Returns store_answer_set_hidden's error. */
bk_err live_hide_answer(app *a, const char *response_id, const char *question_id, bool hidden);

/* Hides (or shows again) a word in every word cloud, and the answers that
 * contain it in the lists of latest answers. The word is lower-cased;
 * BK_ERR_INVALID for an empty word or one with a newline. Kept in the store
 * meta (LIVE_META_HIDDEN_WORDS). */
bk_err live_hide_word(app *a, const char *word, bool hidden);

/* The hidden words (lower case) into words[0..max); returns the count.
 * Valid until the next live_* call. */
size_t live_hidden_words(app *a, const char **words, size_t max);

/* Starts counting afresh (a new evening): only votes from now on count,
 * by seq, so a wall clock that jumps does not hide votes. Nothing is
 * deleted (LIVE_META_SINCE_SEQ; LIVE_META_SINCE for display). */
bk_err live_reset_results(app *a);

/* Shows the staff screen of live mode: the open question with "Vorige
 * vraag" / "Volgende vraag", the counts, the latest answers and the most
 * frequent words with buttons to hide them, hidden words to show again,
 * and starting afresh. "Klaar" calls done (NULL: back to the votes). Staff
 * mode must have checked the PIN first. */
void live_show_control(app *a, void (*done)(app *a));

/* ---- Presenter view ---- */

/* True when the presenter window is open. */
bool live_presenter_is_open(const app *a);

/* Writes what the presenter window shows now to a PNG file. Returns 0, or
 * -1 when it is not open or the file cannot be written. */
int live_presenter_save_png(app *a, const char *path);

/* ---- Layout (also for tests) ---- */

/* What a results board shows. */
typedef struct live_board {
    const survey_question *q; /* NULL: nothing open */
    int lang;                 /* survey language index of the texts */
    const char *ui_lang;      /* language code of the kiosk's own words */
    const results *res;
    const double *shown; /* per bar: the share drawn now (0..1, animation); NULL: final */
    const bool *mine;    /* per bar: the attendee's own vote, outlined; may be NULL */
    const char *title;   /* above the question ("Bedankt!"), or NULL */
    bool only_results;   /* no question, no counter (a screen shows them already) */
} live_board;

/* Lays out a results board into area of frame f (any size, any aspect):
 * the question, then bars with percentages and counts (choice, multi,
 * scale, smiley) or a word cloud with the latest answers (text), then the
 * number of votes and the quick repeats kept apart. Every result text is
 * at least 5% of the area's shorter side high: of the height on a
 * landscape screen, readable from 10 m. Text widgets carry every text
 * shown (for replays and tests), each with exactly the box it fills. */
void live_layout_board(ui_frame *f, const ui_text_engine *te, const ui_theme *t, ui_rect area,
                       const live_board *b);

/* The kiosk's own live-mode words ("%d stemmen", ...) in language code
 * lang (Dutch, else English). Used by the board; exposed for tests. */
typedef enum live_word {
    LW_VOTES,    /* printf: count (not 1) */
    LW_VOTE_ONE, /* "1 stem" */
    LW_ANSWERS,  /* printf: count (not 1) */
    LW_ANSWER_ONE,
    LW_HELD, /* printf: count (not 1) */
    LW_HELD_ONE,
    LW_LATEST,
    LW_NO_QUESTION,
    LW_MULTI_ANY,
    LW_MULTI_MAX, /* printf: at most */
    LW_CONTROL_TITLE,
    LW_PREVIOUS,
    LW_NEXT,
    LW_OPEN_OF, /* printf: position, total */
    LW_HIDE,
    LW_WORDS_HINT,
    LW_HIDDEN_HINT,
    LW_HIDDEN_COUNT, /* printf: count */
    LW_RESET,
    LW_RESET_SURE,
    LW_LIVE_TAG,
    LW_UNDO_HIDE,
    LW_COUNT
} live_word;
const char *live_word_get(const char *lang, live_word id);

#endif
