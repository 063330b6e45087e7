/* strings.h: the kiosk's own words (buttons, hints) in every language it
 * speaks: nl, en, tr, ar. Other languages fall back to English. Survey
 * texts come from the survey definition, not from here. */
#ifndef BK_STRINGS_H
#define BK_STRINGS_H

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
    STR_COUNT
} str_id;

/* The text of id in language code lang (e.g. "nl"); English when the
 * language or the text is missing. Never NULL; static storage. */
const char *str_get(const char *lang, str_id id);

/* True when the kiosk has its own words in lang. */
int str_has_language(const char *lang);

#endif
