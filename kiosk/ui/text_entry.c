/* text_entry.c: typing free text on the touch screen; see text_entry.h. */
#include "text_entry.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define KB_ROWS TEXT_ENTRY_ROWS
#define KB_COLS TEXT_ENTRY_COLS

/* ---- The keyboard layouts (data only) ----
 * A layout has two layers (letters, and accents/symbols/digits), each of
 * KB_ROWS rows of at most KB_COLS keys; a row ends at its first key of
 * width 0. The widest row decides the key width, so rows of 13 units keep
 * the letter keys of every layout the same size. Building and pressing
 * both read these tables, so what is drawn is what is typed. */

typedef struct kb_key {
    const char *text;  /* what it types; NULL for special keys */
    const char *upper; /* what it types with shift; NULL: the same as text */
    str_id special;    /* STR_KEY_* for special keys */
    int width;         /* in key units */
} kb_key;

#define K(t)                                                                                       \
    {                                                                                              \
        t, NULL, 0, 1                                                                              \
    }
#define KU(t, u)                                                                                   \
    {                                                                                              \
        t, u, 0, 1                                                                                 \
    }
#define KS(id, w)                                                                                  \
    {                                                                                              \
        NULL, NULL, id, w                                                                          \
    }

typedef struct kb_layer {
    const kb_key *rows[KB_ROWS]; /* each KB_COLS keys */
} kb_layer;

typedef struct kb_layout {
    const char *lang; /* language code; NULL for the fallback */
    kb_layer layers[2];
} kb_layout;

static const kb_key kb_digits[KB_COLS] = {K("1"), K("2"), K("3"), K("4"), K("5"),
                                          K("6"), K("7"), K("8"), K("9"), K("0")};

/* Dutch and English: QWERTY, and a layer with the accents Dutch uses. */
static const kb_key kb_nl_1[KB_COLS] = {KU("q", "Q"), KU("w", "W"), KU("e", "E"), KU("r", "R"),
                                        KU("t", "T"), KU("y", "Y"), KU("u", "U"), KU("i", "I"),
                                        KU("o", "O"), KU("p", "P")};
static const kb_key kb_nl_2[KB_COLS] = {KU("a", "A"), KU("s", "S"), KU("d", "D"), KU("f", "F"),
                                        KU("g", "G"), KU("h", "H"), KU("j", "J"), KU("k", "K"),
                                        KU("l", "L"), K("-")};
static const kb_key kb_nl_3[KB_COLS] = {KS(STR_KEY_SHIFT, 3), KU("z", "Z"), KU("x", "X"),
                                        KU("c", "C"),         KU("v", "V"), KU("b", "B"),
                                        KU("n", "N"),         KU("m", "M"), KS(STR_KEY_DELETE, 3)};
static const kb_key kb_nl_4[KB_COLS] = {
    KS(STR_KEY_ACCENTS, 2), K(","), KS(STR_KEY_SPACE, 4), K("."), K("?"), K("!")};
static const kb_key kb_nl_accents_1[KB_COLS] = {
    KU("é", "É"), KU("ë", "Ë"), KU("è", "È"), KU("ï", "Ï"), KU("ó", "Ó"),
    KU("ö", "Ö"), KU("ü", "Ü"), KU("à", "À"), KU("ç", "Ç"), K("€")};
static const kb_key kb_nl_accents_2[KB_COLS] = {K("@"), K("'"), K("\""), K("("), K(")"),
                                                K(":"), K(";"), K("/"),  K("&"), K("+")};
static const kb_key kb_nl_accents_3[KB_COLS] = {
    KS(STR_KEY_SHIFT, 3), K("%"), K("="), K("#"), K("*"), K("_"), K("<"), K(">"),
    KS(STR_KEY_DELETE, 3)};
static const kb_key kb_nl_accents_4[KB_COLS] = {
    KS(STR_KEY_LETTERS, 2), K(","), KS(STR_KEY_SPACE, 4), K("."), K("?"), K("!")};

/* Turkish Q: dotless ı and dotted i are two letters, each with its own
 * capital (ı -> I, i -> İ). The second layer: â î û, ₺ and symbols. */
static const kb_key kb_tr_1[KB_COLS] = {KU("q", "Q"), KU("w", "W"), KU("e", "E"), KU("r", "R"),
                                        KU("t", "T"), KU("y", "Y"), KU("u", "U"), KU("ı", "I"),
                                        KU("o", "O"), KU("p", "P"), KU("ğ", "Ğ"), KU("ü", "Ü")};
static const kb_key kb_tr_2[KB_COLS] = {KU("a", "A"), KU("s", "S"), KU("d", "D"), KU("f", "F"),
                                        KU("g", "G"), KU("h", "H"), KU("j", "J"), KU("k", "K"),
                                        KU("l", "L"), KU("ş", "Ş"), KU("i", "İ")};
static const kb_key kb_tr_3[KB_COLS] = {KS(STR_KEY_SHIFT, 2), KU("z", "Z"),         KU("x", "X"),
                                        KU("c", "C"),         KU("v", "V"),         KU("b", "B"),
                                        KU("n", "N"),         KU("m", "M"),         KU("ö", "Ö"),
                                        KU("ç", "Ç"),         KS(STR_KEY_DELETE, 2)};
static const kb_key kb_tr_4[KB_COLS] = {
    KS(STR_KEY_ACCENTS, 2), K(","), KS(STR_KEY_SPACE, 4), K("."), K("'"), K("?"), K("!")};
static const kb_key kb_tr_symbols_1[KB_COLS] = {KU("â", "Â"), KU("î", "Î"), KU("û", "Û"), K("₺"),
                                                K("€"),       K("("),       K(")"),       K(":"),
                                                K(";"),       K("/")};
static const kb_key kb_tr_symbols_3[KB_COLS] = {
    KS(STR_KEY_SHIFT, 2), K("-"), K("$"), K("<"), K(">"), K("["), K("]"), K("{"), K("}"), K("~"),
    KS(STR_KEY_DELETE, 2)};
static const kb_key kb_tr_symbols_4[KB_COLS] = {
    KS(STR_KEY_LETTERS, 2), K(","), KS(STR_KEY_SPACE, 4), K("."), K("'"), K("?"), K("!")};
static const kb_key kb_symbols_2[KB_COLS] = {K("@"), K("\""), K("&"), K("+"), K("%"),
                                             K("="), K("#"),  K("*"), K("_"), K("|")};

/* Arabic (101): no capitals, so no shift key; "لا" is one key typing two
 * code points. The second layer: Arabic-Indic digits, the hamza forms
 * أ إ آ and punctuation. */
static const kb_key kb_ar_1[KB_COLS] = {K("ض"), K("ص"), K("ث"), K("ق"), K("ف"), K("غ"),
                                        K("ع"), K("ه"), K("خ"), K("ح"), K("ج"), K("د")};
static const kb_key kb_ar_2[KB_COLS] = {K("ش"), K("س"), K("ي"), K("ب"), K("ل"), K("ا"),
                                        K("ت"), K("ن"), K("م"), K("ك"), K("ط")};
static const kb_key kb_ar_3[KB_COLS] = {K("ئ"),  K("ء"), K("ؤ"), K("ر"),
                                        K("لا"), K("ى"), K("ة"), K("و"),
                                        K("ز"),  K("ظ"), K("ذ"), KS(STR_KEY_DELETE, 2)};
static const kb_key kb_ar_4[KB_COLS] = {
    KS(STR_KEY_ACCENTS, 2), K("،"), KS(STR_KEY_SPACE, 4), K("."), K("؟"), K("!")};
static const kb_key kb_ar_digits[KB_COLS] = {K("٠"), K("١"), K("٢"), K("٣"), K("٤"),
                                             K("٥"), K("٦"), K("٧"), K("٨"), K("٩")};
static const kb_key kb_ar_signs_1[KB_COLS] = {K("أ"), K("إ"), K("آ"), K("؛"), K(":"), K("("),
                                              K(")"), K("-"), K("«"), K("»"), K("/"), K("'")};
static const kb_key kb_ar_signs_3[KB_COLS] = {K("٪"), K("€"), K("$"), K("<"),
                                              K(">"), K("["), K("]"), K("{"),
                                              K("}"), K("~"), K("^"), KS(STR_KEY_DELETE, 2)};
static const kb_key kb_ar_signs_4[KB_COLS] = {
    KS(STR_KEY_LETTERS, 2), K("،"), KS(STR_KEY_SPACE, 4), K("."), K("؟"), K("!")};

static const kb_layout kb_layouts[] = {
    {"tr",
     {{{kb_digits, kb_tr_1, kb_tr_2, kb_tr_3, kb_tr_4}},
      {{kb_digits, kb_tr_symbols_1, kb_symbols_2, kb_tr_symbols_3, kb_tr_symbols_4}}}},
    {"ar",
     {{{kb_digits, kb_ar_1, kb_ar_2, kb_ar_3, kb_ar_4}},
      {{kb_ar_digits, kb_ar_signs_1, kb_symbols_2, kb_ar_signs_3, kb_ar_signs_4}}}},
    /* nl, en and any other language: the last entry. */
    {NULL,
     {{{kb_digits, kb_nl_1, kb_nl_2, kb_nl_3, kb_nl_4}},
      {{kb_digits, kb_nl_accents_1, kb_nl_accents_2, kb_nl_accents_3, kb_nl_accents_4}}}},
};

/* The layer shown now of the layout for lang. */
static const kb_layer *kb_layer_for(const text_entry *te, const char *lang)
{
    size_t n = sizeof kb_layouts / sizeof kb_layouts[0], i = 0;
    while (i + 1 < n && !(lang && strcmp(lang, kb_layouts[i].lang) == 0))
        i++;
    return &kb_layouts[i].layers[te->second_layer ? 1 : 0];
}

/* The key at (row, col) of layer; NULL past the row's end. */
static const kb_key *kb_at(const kb_layer *layer, int row, int col)
{
    if (row < 0 || row >= KB_ROWS || col < 0 || col >= KB_COLS)
        return NULL;
    const kb_key *k = &layer->rows[row][col];
    return k->width ? k : NULL;
}

/* What a text key types now: its capital when shift is on. */
static const char *kb_text(const text_entry *te, const kb_key *k)
{
    return te->shift && k->upper ? k->upper : k->text;
}

void text_entry_clear(text_entry *te)
{
    sodium_memzero(te->text, sizeof te->text);
    te->second_layer = false;
    te->shift = false;
}

void text_entry_set(text_entry *te, const char *text)
{
    text_entry_clear(te);
    snprintf(te->text, sizeof te->text, "%s", text ? text : "");
}

/* True when the n bytes at p are one well-formed UTF-8 code point (no
 * overlong form, no surrogate, at most U+10FFFF). */
static bool utf8_point_ok(const unsigned char *p, size_t n)
{
    if (n == 1)
        return p[0] < 0x80;
    if (n == 2)
        return p[0] >= 0xC2 && p[0] <= 0xDF;
    if (n == 3)
        return p[0] >= 0xE0 && p[0] <= 0xEF && !(p[0] == 0xE0 && p[1] < 0xA0) &&
               !(p[0] == 0xED && p[1] >= 0xA0);
    if (n == 4)
        return p[0] >= 0xF0 && p[0] <= 0xF4 && !(p[0] == 0xF0 && p[1] < 0x90) &&
               !(p[0] == 0xF4 && p[1] >= 0x90);
    return false;
}

bool text_entry_type(text_entry *te, const char *utf8, int max_length)
{
    size_t len = strlen(te->text);
    bool changed = false;
    /* One code point at a time, so the limit is exact. */
    for (const char *p = utf8; *p;) {
        size_t n = 1;
        while (p[n] && ((unsigned char)p[n] & 0xC0) == 0x80)
            n++;
        if (flow_utf8_length(te->text) >= (size_t)max_length || len + n >= sizeof te->text)
            break;
        /* Only whole, valid characters: the store takes nothing else, and
           a byte that is not UTF-8 would lose the resident's whole text. */
        if (((unsigned char)p[0] >= 0x20 || p[0] == '\n') &&
            utf8_point_ok((const unsigned char *)p, n)) {
            memcpy(te->text + len, p, n);
            len += n;
            te->text[len] = '\0';
            changed = true;
        }
        p += n;
    }
    return changed;
}

bool text_entry_backspace(text_entry *te)
{
    size_t len = strlen(te->text);
    if (!len)
        return false;
    do
        len--;
    while (len > 0 && ((unsigned char)te->text[len] & 0xC0) == 0x80);
    te->text[len] = '\0';
    return true;
}

void text_entry_key(const text_entry *te, const char *lang, int key, char *out, size_t size,
                    int *special)
{
    const kb_key *k = kb_at(kb_layer_for(te, lang), key / KB_COLS, key % KB_COLS);
    out[0] = '\0';
    *special = STR_COUNT;
    if (!k)
        return;
    if (!k->text)
        *special = k->special;
    else
        snprintf(out, size, "%s", kb_text(te, k));
}

bool text_entry_press(text_entry *te, const char *lang, int key, int max_length)
{
    char text[16];
    int special;
    text_entry_key(te, lang, key, text, sizeof text, &special);
    switch (special) {
    case STR_KEY_SHIFT:
        te->shift = !te->shift;
        return false;
    case STR_KEY_DELETE:
        return text_entry_backspace(te);
    case STR_KEY_SPACE:
        return text_entry_type(te, " ", max_length);
    case STR_KEY_ACCENTS:
        te->second_layer = true;
        return false;
    case STR_KEY_LETTERS:
        te->second_layer = false;
        return false;
    default:
        if (!text[0])
            return false;
        /* A key typing more than one code point ("لا") types all of them
           or nothing, never half a letter. */
        if (flow_utf8_length(te->text) + flow_utf8_length(text) > (size_t)max_length)
            return false;
        te->shift = false; /* a capital for one letter, as on a phone */
        return text_entry_type(te, text, max_length);
    }
}

/* The one size of every letter on the keyboard: the answer size, or less
 * (not under px_min) when the widest label of a one-unit key would not fit
 * inside it (ض on a portrait screen), so the letters stay alike. */
static int kb_letter_px(app *a, const metrics *m, const text_entry *te, const kb_layer *layer,
                        int unit_w, int key_h, int px_min)
{
    int inner = button_inner(m, (ui_rect){0, 0, unit_w, key_h}).w;
    int px = m->px_answer;
    for (int row = 0; row < KB_ROWS; row++)
        for (int col = 0; col < KB_COLS && kb_at(layer, row, col); col++) {
            const kb_key *k = kb_at(layer, row, col);
            if (!k->text || k->width != 1)
                continue;
            const char *label = kb_text(te, k);
            while (px > px_min &&
                   a->text.width(a->text.ctx, label, strlen(label), px, true) > inner)
                px--;
        }
    return px;
}

static void kb_build(app *a, const metrics *m, const text_entry *te, const char *lang,
                     ui_rect region, ui_action act, int arg_base)
{
    const kb_layer *layer = kb_layer_for(te, lang);
    /* The keys keep their physical order in a mirrored (right-to-left)
     * frame: the Arabic 101 keyboard has ض at the top left. */
    size_t cmd0 = a->frame->n_cmds, widget0 = a->frame->n_widgets;
    /* Keys sit closer than other buttons, but never under 2 mm apart. */
    int kgap = m->gap / 2;
    int two_mm = (int)(2 * app_px_per_mm(a) + 0.999);
    if (kgap < two_mm)
        kgap = two_mm;
    int key_h = (region.h - (KB_ROWS - 1) * kgap) / KB_ROWS;
    if (key_h > (int)(m->u * 11))
        key_h = (int)(m->u * 11);
    int units = 0;
    for (int row = 0; row < KB_ROWS; row++) {
        int row_units = 0;
        for (int col = 0; col < KB_COLS && kb_at(layer, row, col); col++)
            row_units += kb_at(layer, row, col)->width;
        units = row_units > units ? row_units : units;
    }
    int unit_w = (region.w - (units - 1) * kgap) / units;
    /* A label may shrink to the brief's smallest size (2.6% of the screen)
     * even with "A+", so it fits its key. */
    metrics km = *m;
    km.px_min = (int)(m->u * 2.6);
    int letter_px = kb_letter_px(a, m, te, layer, unit_w, key_h, km.px_min);
    int y = region.y + region.h - KB_ROWS * key_h - (KB_ROWS - 1) * kgap;
    for (int row = 0; row < KB_ROWS; row++) {
        int row_units = 0, n = 0;
        for (int col = 0; col < KB_COLS && kb_at(layer, row, col); col++) {
            row_units += kb_at(layer, row, col)->width;
            n++;
        }
        int row_w = row_units * unit_w + (row_units - 1) * kgap;
        int x = region.x + (region.w - row_w) / 2;
        for (int col = 0; col < n; col++) {
            const kb_key *k = kb_at(layer, row, col);
            int w = k->width * unit_w + (k->width - 1) * kgap;
            const char *label = k->text ? kb_text(te, k) : tr(a, k->special);
            button_style style = BUTTON_PLAIN;
            if (k->special == STR_KEY_SHIFT && te->shift)
                style = BUTTON_SELECTED;
            button(a, &km, (ui_rect){x, y, w, key_h}, label, act, arg_base + row * KB_COLS + col,
                   style, k->text ? letter_px : m->px_secondary);
            x += w + kgap;
        }
        y += key_h + kgap;
    }
    ui_frame_keep_unmirrored(a->frame, cmd0, widget0);
}

/* The typed text and cursor as they fit in box: when the text is longer
 * than the field, its last lines (those ending at the cursor). */
static const char *text_tail_that_fits(app *a, const char *shown, ui_rect box, int px)
{
    ui_wrapped w;
    ui_wrap(&a->text, shown, px, false, box.w, &w);
    int lh = a->text.line_height(a->text.ctx, px);
    int fit = lh > 0 ? box.h / lh : 1;
    if (fit < 1)
        fit = 1;
    if (w.n_lines <= fit)
        return shown;
    return shown + w.start[w.n_lines - fit];
}

void text_entry_build(app *a, const metrics *m, const text_entry *te, const char *lang,
                      int max_length, ui_rect region, ui_action act, int arg_base)
{
    const ui_theme *t = m->theme;
    int line_h = a->text.line_height(a->text.ctx, m->px_secondary);
    int answer_h = a->text.line_height(a->text.ctx, m->px_answer);
    int hint_h = line_h * 2;
    int kb_min = KB_ROWS * m->target + (KB_ROWS - 1) * m->gap / 2;
    int kb_h = region.h - answer_h * 2 - (int)(m->u * 2) - hint_h - 2 * m->gap;
    if (kb_h < kb_min)
        kb_h = kb_min;
    if (kb_h > (int)(m->u * 60))
        kb_h = (int)(m->u * 60);
    /* The field takes the room the keyboard leaves: at least two lines. */
    int field_h = region.h - kb_h - hint_h - 2 * m->gap;
    if (field_h < answer_h * 2 + (int)(m->u * 2))
        field_h = answer_h * 2 + (int)(m->u * 2);
    ui_rect field = {region.x, region.y, region.w, field_h};
    ui_fill(a->frame, field, t->surface, m->radius);
    ui_stroke(a->frame, field, t->edge, m->radius, m->edge);
    char shown[FLOW_TEXT_MAX_BYTES + 8];
    snprintf(shown, sizeof shown, "%s|", te->text);
    ui_rect inner = {field.x + (int)(m->u * 1.5), field.y + (int)(m->u), field.w - (int)(m->u * 3),
                     field.h - (int)(m->u * 2)};
    ui_text(a->frame, &a->text, inner, text_tail_that_fits(a, shown, inner, m->px_answer),
            m->px_answer, m->px_answer, false, t->surface_text, UI_ALIGN_LEFT);
    int y = field.y + field.h + m->gap / 2;
    char left[96];
    long remaining = (long)max_length - (long)flow_utf8_length(te->text);
    snprintf(left, sizeof left, tr(a, STR_TEXT_LEFT), (int)remaining);
    /* The hint where a line starts, the counter at the other end: in a
     * right-to-left language the two swap sides, done here unless the
     * frame will be mirrored (resident and live screens in such a language
     * are, so this is for a frame that is not). */
    int hint_w = region.w * 3 / 5;
    bool rtl = str_is_rtl(lang) && !a->frame->mirror;
    ui_rect hint_box = {rtl ? region.x + region.w - hint_w + m->gap : region.x, y, hint_w - m->gap,
                        hint_h};
    ui_rect left_box = {rtl ? region.x : region.x + hint_w, y, region.w - hint_w, hint_h};
    ui_text(a->frame, &a->text, hint_box, tr(a, STR_TEXT_HINT), m->px_secondary, m->px_min, false,
            t->text_secondary, UI_ALIGN_LEFT);
    ui_text(a->frame, &a->text, left_box, left, m->px_secondary, m->px_min, true, t->text,
            UI_ALIGN_RIGHT);
    ui_rect kb = {region.x, region.y + region.h - kb_h, region.w, kb_h - m->gap / 2};
    kb_build(a, m, te, lang, kb, act, arg_base);
}
