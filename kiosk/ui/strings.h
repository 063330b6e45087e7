/* strings.h: the kiosk's own words (buttons, hints) in every language it
 * speaks: nl, en, tr, ar. Other languages fall back to English. Survey
 * texts come from the survey definition, not from here. */
#ifndef BK_STRINGS_H
#define BK_STRINGS_H

#include <stdbool.h>

typedef enum str_id {
    STR_LANGUAGE_NAME, /* the language's own name: "Nederlands" */
    STR_PRIVACY,
    STR_START,
    STR_PROGRESS, /* printf: position, total */
    STR_BACK,
    STR_SKIP,
    STR_NEXT,
    STR_DONE,
    STR_BIGGER_TEXT,
    STR_HIGH_CONTRAST,
    STR_MULTI_LEFT, /* printf: how many more */
    STR_MULTI_FULL,
    STR_MULTI_ANY,
    STR_TEXT_LEFT, /* printf: characters left */
    STR_TEXT_HINT,
    STR_KEY_SPACE,
    STR_KEY_DELETE,
    STR_KEY_SHIFT,
    STR_KEY_ACCENTS,
    STR_KEY_LETTERS,
    STR_NUMBER_EMPTY,
    STR_THANKS,
    STR_THANKS_LINE,
    STR_IDLE_TITLE,
    STR_IDLE_BUTTON,
    STR_IDLE_LINE,
    STR_OOS_TITLE,
    STR_OOS_LINE,
    /* Staff mode (staff.c): nl and en only. */
    STR_STAFF_TITLE,
    STR_STAFF_PIN_TITLE,
    STR_STAFF_PIN_CLEAR,
    STR_STAFF_PIN_OK,
    STR_STAFF_PIN_CANCEL,
    STR_STAFF_PIN_WRONG,
    STR_STAFF_PIN_WRONG_LOCK,
    STR_STAFF_PIN_LOCKED,
    STR_STAFF_PIN_NONE,
    STR_STAFF_PIN_SHORT,
    STR_STAFF_LEAVE,
    STR_STAFF_KIOSK,
    STR_STAFF_VERSION,
    STR_STAFF_SURVEY,
    STR_STAFF_SURVEY_VERSION,
    STR_STAFF_MODE,
    STR_STAFF_MODE_SURVEY,
    STR_STAFF_MODE_LIVE,
    STR_STAFF_DISK,
    STR_STAFF_UNKNOWN,
    STR_STAFF_TODAY,
    STR_STAFF_TOTAL,
    STR_STAFF_QUEUED,
    STR_STAFF_REJECTED,
    STR_STAFF_LAST_SYNC,
    STR_STAFF_NEVER,
    STR_STAFF_LAST_ERROR,
    STR_STAFF_NO_ERROR,
    STR_STAFF_SYNC_OFF,
    STR_STAFF_SYNC_NOW,
    STR_STAFF_SYNC_STARTING,
    STR_STAFF_SYNC_BUSY,
    STR_STAFF_SYNC_DONE,
    STR_STAFF_CHART,
    STR_STAFF_EVENTS,
    STR_STAFF_NO_EVENTS,
    STR_STAFF_EVENT_CORRUPT,
    STR_STAFF_EVENT_LOCKOUT,
    STR_STAFF_EVENT_REJECTED,
    STR_STAFF_EXPORT,
    STR_STAFF_EXPORT_BUSY,
    STR_STAFF_EXPORT_DONE,
    STR_STAFF_EXPORT_DONE_LINE,
    STR_STAFF_EXPORT_DONE_ONE,
    STR_STAFF_EXPORT_NO_USB,
    STR_STAFF_EXPORT_NO_USB_LINE,
    STR_STAFF_EXPORT_FAILED,
    STR_STAFF_EXPORT_FAILED_LINE,
    STR_STAFF_CHOOSE,
    STR_STAFF_CHOOSE_SURVEY,
    STR_STAFF_CHOOSE_MODE,
    STR_STAFF_CHOOSE_LINE,
    STR_STAFF_CHOOSE_FAILED,
    STR_STAFF_QUIT,
    STR_STAFF_QUIT_TITLE,
    STR_STAFF_QUIT_LINE,
    STR_STAFF_QUIT_YES,
    STR_STAFF_QUIT_NO,
    STR_COUNT
} str_id;

/* The text of id in language code lang (e.g. "nl"); English when the
 * language or the text is missing. Never NULL; static storage. */
const char *str_get(const char *lang, str_id id);

/* True when the kiosk has its own words in lang. */
int str_has_language(const char *lang);

/* True when lang is written right to left (ar): the one test of it, used
 * to mirror the resident screens. Its own name is in right-to-left script;
 * a language the kiosk has no words for shows English, left to right. */
bool str_is_rtl(const char *lang);

#endif
