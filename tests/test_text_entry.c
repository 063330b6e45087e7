/* test_text_entry.c: the on-screen keyboards of text_entry.h without a
 * screen: Dutch/English QWERTY unchanged, Turkish Q with its own capitals
 * (i -> İ, ı -> I), Arabic without shift, "لا" as one key of two code
 * points counted exactly against max_length, Arabic-Indic digits on the
 * second layer, and the language choosing the layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "strings.h"
#include "text_entry.h"

/* The number of the key labelled label now (shift and layer applied), or
 * -1; fails when two keys carry it. */
static int key_with_label(const text_entry *te, const char *lang, const char *label)
{
    int found = -1;
    for (int k = 0; k < TEXT_ENTRY_KEYS; k++) {
        char out[32];
        int special;
        text_entry_key(te, lang, k, out, sizeof out, &special);
        if (strcmp(out, label) == 0 && out[0]) {
            if (found >= 0)
                fail_msg("two keys labelled \"%s\" on the %s keyboard", label, lang);
            found = k;
        }
    }
    return found;
}

/* The number of special key id, or -1. */
static int special_key(const text_entry *te, const char *lang, int id)
{
    for (int k = 0; k < TEXT_ENTRY_KEYS; k++) {
        char out[32];
        int special;
        text_entry_key(te, lang, k, out, sizeof out, &special);
        if (special == id)
            return k;
    }
    return -1;
}

/* Presses the key labelled label; fails when there is none. */
static bool press_label(text_entry *te, const char *lang, const char *label, int max_length)
{
    int k = key_with_label(te, lang, label);
    if (k < 0)
        fail_msg("no key \"%s\" on the %s keyboard", label, lang);
    return text_entry_press(te, lang, k, max_length);
}

static void press_special(text_entry *te, const char *lang, int id)
{
    int k = special_key(te, lang, id);
    if (k < 0)
        fail_msg("no special key %d on the %s keyboard", id, lang);
    text_entry_press(te, lang, k, 280);
}

static const char *special_name(int id)
{
    switch (id) {
    case STR_KEY_SHIFT:
        return "shift";
    case STR_KEY_DELETE:
        return "delete";
    case STR_KEY_SPACE:
        return "space";
    case STR_KEY_ACCENTS:
        return "layer 2";
    case STR_KEY_LETTERS:
        return "letters";
    default:
        return "?";
    }
}

/* The labels of a row of the current layer, separated by spaces. */
static void row_labels(const text_entry *te, const char *lang, int row, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int c = 0; c < TEXT_ENTRY_COLS; c++) {
        char out[32];
        int special;
        text_entry_key(te, lang, row * TEXT_ENTRY_COLS + c, out, sizeof out, &special);
        if (special != STR_COUNT)
            snprintf(out, sizeof out, "<%s>", special_name(special));
        if (!out[0])
            continue;
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", len ? " " : "", out);
    }
}

static void expect_rows(const text_entry *te, const char *lang, const char *const rows[5])
{
    for (int r = 0; r < TEXT_ENTRY_ROWS; r++) {
        char buf[256];
        row_labels(te, lang, r, buf, sizeof buf);
        assert_string_equal(buf, rows[r]);
    }
}

static void test_dutch_and_english_unchanged(void **state)
{
    (void)state;
    static const char *const letters[5] = {
        "1 2 3 4 5 6 7 8 9 0",       "q w e r t y u i o p",
        "a s d f g h j k l -",       "<shift> z x c v b n m <delete>",
        "<layer 2> , <space> . ? !",
    };
    static const char *const accents[5] = {
        "1 2 3 4 5 6 7 8 9 0",       "É Ë È Ï Ó Ö Ü À Ç €",
        "@ ' \" ( ) : ; / & +",      "<shift> % = # * _ < > <delete>",
        "<letters> , <space> . ? !",
    };
    static const char *const langs[] = {"nl", "en", "de", NULL};
    for (size_t l = 0; l < sizeof langs / sizeof langs[0]; l++) {
        text_entry te;
        text_entry_clear(&te);
        expect_rows(&te, langs[l], letters);
        press_special(&te, langs[l], STR_KEY_ACCENTS);
        press_special(&te, langs[l], STR_KEY_SHIFT);
        expect_rows(&te, langs[l], accents);
        assert_true(press_label(&te, langs[l], "É", 280));
        press_special(&te, langs[l], STR_KEY_LETTERS);
        press_special(&te, langs[l], STR_KEY_SHIFT);
        assert_true(press_label(&te, langs[l], "Q", 280));
        assert_true(press_label(&te, langs[l], "i", 280));
        assert_string_equal(te.text, "ÉQi");
    }
}

static void test_turkish_q_and_its_capitals(void **state)
{
    (void)state;
    text_entry te;
    text_entry_clear(&te);
    static const char *const letters[5] = {
        "1 2 3 4 5 6 7 8 9 0",         "q w e r t y u ı o p ğ ü",
        "a s d f g h j k l ş i",       "<shift> z x c v b n m ö ç <delete>",
        "<layer 2> , <space> . ' ? !",
    };
    expect_rows(&te, "tr", letters);
    /* Shift, then i: İ (U+0130); shift is for one letter. */
    press_special(&te, "tr", STR_KEY_SHIFT);
    assert_true(press_label(&te, "tr", "İ", 280));
    assert_true(press_label(&te, "tr", "i", 280));
    assert_string_equal(te.text, "\xC4\xB0i");
    /* ı shifted is I; ğ shifted Ğ; the others too. */
    static const char *const pairs[][2] = {{"ı", "I"}, {"ğ", "Ğ"}, {"ş", "Ş"},
                                           {"ç", "Ç"}, {"ö", "Ö"}, {"ü", "Ü"}};
    char expected[128] = "\xC4\xB0i";
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int lower = key_with_label(&te, "tr", pairs[i][0]);
        press_special(&te, "tr", STR_KEY_SHIFT);
        assert_int_equal(key_with_label(&te, "tr", pairs[i][1]), lower);
        assert_true(text_entry_press(&te, "tr", lower, 280));
        strcat(expected, pairs[i][1]);
    }
    assert_string_equal(te.text, expected);
    assert_string_equal(te.text, "İiIĞŞÇÖÜ");
    /* The second layer: â î û with capitals, the lira sign. */
    press_special(&te, "tr", STR_KEY_ACCENTS);
    assert_true(press_label(&te, "tr", "â", 280));
    press_special(&te, "tr", STR_KEY_SHIFT);
    assert_true(press_label(&te, "tr", "Î", 280));
    assert_true(press_label(&te, "tr", "₺", 280));
    assert_string_equal(te.text, "İiIĞŞÇÖÜâÎ₺");
    press_special(&te, "tr", STR_KEY_LETTERS);
    assert_int_not_equal(key_with_label(&te, "tr", "ı"), -1);
}

static void test_arabic_101_without_shift(void **state)
{
    (void)state;
    text_entry te;
    text_entry_clear(&te);
    static const char *const letters[5] = {
        "1 2 3 4 5 6 7 8 9 0",       "ض ص ث ق ف غ ع ه خ ح ج د",
        "ش س ي ب ل ا ت ن م ك ط",     "ئ ء ؤ ر لا ى ة و ز ظ ذ <delete>",
        "<layer 2> ، <space> . ؟ !",
    };
    expect_rows(&te, "ar", letters);
    /* No capitals, so no shift key on either layer. */
    assert_int_equal(special_key(&te, "ar", STR_KEY_SHIFT), -1);
    /* Each key types its exact code points. */
    assert_true(press_label(&te, "ar", "ض", 280));
    assert_true(press_label(&te, "ar", "ة", 280));
    assert_true(press_label(&te, "ar", "ى", 280));
    assert_true(press_label(&te, "ar", "،", 280));
    assert_true(press_label(&te, "ar", "؟", 280));
    assert_string_equal(te.text, "\xD8\xB6\xD8\xA9\xD9\x89\xD8\x8C\xD8\x9F");
    /* The second layer: Arabic-Indic digits 0-9, أ إ آ and ؛; no shift. */
    press_special(&te, "ar", STR_KEY_ACCENTS);
    assert_int_equal(special_key(&te, "ar", STR_KEY_SHIFT), -1);
    char row[256];
    row_labels(&te, "ar", 0, row, sizeof row);
    assert_string_equal(row, "٠ ١ ٢ ٣ ٤ ٥ ٦ ٧ ٨ ٩");
    text_entry_clear(&te);
    press_special(&te, "ar", STR_KEY_ACCENTS);
    static const char *const signs[] = {"٠", "٩", "أ", "إ", "آ", "؛"};
    for (size_t i = 0; i < sizeof signs / sizeof signs[0]; i++)
        assert_true(press_label(&te, "ar", signs[i], 280));
    assert_string_equal(te.text, "\xD9\xA0\xD9\xA9\xD8\xA3\xD8\xA5\xD8\xA2\xD8\x9B");
    press_special(&te, "ar", STR_KEY_LETTERS);
    assert_int_not_equal(key_with_label(&te, "ar", "ض"), -1);
}

static void test_lam_alef_counts_two(void **state)
{
    (void)state;
    text_entry te;
    text_entry_clear(&te);
    /* One key, two code points: lam U+0644 and alef U+0627. */
    assert_true(press_label(&te, "ar", "لا", 3));
    assert_string_equal(te.text, "\xD9\x84\xD8\xA7");
    assert_int_equal(flow_utf8_length(te.text), 2);
    /* One place left: the key types nothing rather than half of it. */
    assert_false(press_label(&te, "ar", "لا", 3));
    assert_string_equal(te.text, "لا");
    assert_true(press_label(&te, "ar", "ب", 3));
    assert_false(press_label(&te, "ar", "ب", 3));
    assert_string_equal(te.text, "لاب");
    /* Two places left: both. Delete removes one code point. */
    text_entry_clear(&te);
    assert_true(press_label(&te, "ar", "ب", 3));
    assert_true(press_label(&te, "ar", "لا", 3));
    assert_string_equal(te.text, "بلا");
    press_special(&te, "ar", STR_KEY_DELETE);
    assert_string_equal(te.text, "بل");
}

static void test_language_chooses_the_layout(void **state)
{
    (void)state;
    text_entry te;
    text_entry_clear(&te);
    /* The same key number types what each language's keyboard shows there. */
    int k = key_with_label(&te, "nl", "i");
    char nl[32], tr[32], ar[32];
    int special;
    text_entry_key(&te, "nl", k, nl, sizeof nl, &special);
    text_entry_key(&te, "tr", k, tr, sizeof tr, &special);
    text_entry_key(&te, "ar", k, ar, sizeof ar, &special);
    assert_string_equal(nl, "i");
    assert_string_equal(tr, "ı");
    assert_string_equal(ar, "ه");
    assert_true(text_entry_press(&te, "nl", k, 280));
    assert_true(text_entry_press(&te, "tr", k, 280));
    assert_true(text_entry_press(&te, "ar", k, 280));
    assert_string_equal(te.text, "iıه");
    /* Keys past a row's end type nothing in any layout. */
    for (int n = 0; n < TEXT_ENTRY_KEYS; n++) {
        char out[32];
        text_entry_key(&te, "nl", n, out, sizeof out, &special);
        if (!out[0] && special == STR_COUNT)
            assert_false(text_entry_press(&te, "nl", n, 280));
    }
    assert_string_equal(te.text, "iıه");
    /* Clearing keeps nothing and returns to the letters without shift. */
    press_special(&te, "tr", STR_KEY_ACCENTS);
    press_special(&te, "tr", STR_KEY_SHIFT);
    text_entry_clear(&te);
    assert_string_equal(te.text, "");
    assert_int_not_equal(key_with_label(&te, "tr", "ğ"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dutch_and_english_unchanged),
        cmocka_unit_test(test_turkish_q_and_its_capitals),
        cmocka_unit_test(test_arabic_101_without_shift),
        cmocka_unit_test(test_lam_alef_counts_two),
        cmocka_unit_test(test_language_chooses_the_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
