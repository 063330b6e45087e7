/* text_entry.h: typing free text on the touch screen: the field with the
 * typed text and a cursor, the reminder not to write personal data, the
 * characters left, and the on-screen keyboard in the resident's language:
 *   nl, en (and any other language): QWERTY, and a layer with
 *     é ë è ï ó ö ü à ç € and punctuation; shift for one capital;
 *   tr: Turkish Q (ı i ğ ü ş ö ç; shift gives I İ Ğ Ü Ş Ö Ç), and a layer
 *     with â î û, ₺ and punctuation;
 *   ar: Arabic (101), no shift (no capitals), one key for "لا", Arabic
 *     punctuation ، ؟ ؛, and a layer with ٠-٩, أ إ آ and punctuation.
 * Every layout has a row of digits 0-9, space and delete. The language is
 * passed to text_entry_build and text_entry_press (and text_entry_key) by
 * the caller, who passes the same code to each, so the keys drawn are the
 * keys typed. Used by the resident screens and by live mode; each keeps
 * its own text_entry. */
#ifndef BK_TEXT_ENTRY_H
#define BK_TEXT_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "flow.h"
#include "widgets.h"

#define TEXT_ENTRY_ROWS 5
#define TEXT_ENTRY_COLS 12
#define TEXT_ENTRY_KEYS (TEXT_ENTRY_ROWS * TEXT_ENTRY_COLS)

typedef struct text_entry {
    char text[FLOW_TEXT_MAX_BYTES]; /* UTF-8, never more than max_length code points */
    bool second_layer;              /* the accents/symbols/digits layer is shown */
    bool shift;                     /* the next letter is a capital */
} text_entry;

/* Empties the text (wiped, so nothing of it stays in memory) and goes back
 * to the letters layer without shift. */
void text_entry_clear(text_entry *te);

/* Replaces the text (e.g. an earlier answer shown again after "Terug"). */
void text_entry_set(text_entry *te, const char *text);

/* Appends utf8 one code point at a time while the text has fewer than
 * max_length code points; control characters other than newline are left
 * out. Returns true when the text changed. */
bool text_entry_type(text_entry *te, const char *utf8, int max_length);

/* Removes the last code point. Returns true when the text changed. */
bool text_entry_backspace(text_entry *te);

/* What key number `key` (a widget's arg minus arg_base) is on the keyboard
 * of language lang ("nl", "en", "tr", "ar"; NULL or another code: the
 * QWERTY one): the text it types now into out (shift applied), or "" and
 * a special key in *special (STR_KEY_SHIFT, STR_KEY_DELETE, STR_KEY_SPACE,
 * STR_KEY_ACCENTS, STR_KEY_LETTERS; STR_COUNT for a text key or no key). */
void text_entry_key(const text_entry *te, const char *lang, int key, char *out, size_t size,
                    int *special);

/* Presses key number `key` of lang's keyboard: types, deletes or switches
 * layer/shift. A key that types several code points ("لا") types all of
 * them or, when they would pass max_length, nothing. Returns true when
 * the text changed. */
bool text_entry_press(text_entry *te, const char *lang, int key, int max_length);

/* Lays out the field, the hint, the counter and lang's keyboard in region.
 * Every key is a widget with action act and arg arg_base + its number. */
void text_entry_build(app *a, const metrics *m, const text_entry *te, const char *lang,
                      int max_length, ui_rect region, ui_action act, int arg_base);

#endif
