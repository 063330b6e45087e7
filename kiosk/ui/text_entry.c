/* text_entry.c: typing free text on the touch screen; see text_entry.h. */
#include "text_entry.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define KB_ROWS TEXT_ENTRY_ROWS
#define KB_COLS TEXT_ENTRY_COLS

/* The on-screen keyboard: Dutch QWERTY, an accents layer, digits. */
typedef struct kb_key {
    const char *text; /* what it types; NULL for special keys */
    str_id special;   /* STR_KEY_* for special keys */
    int width;        /* in key units */
} kb_key;

static const kb_key kb_letters[KB_ROWS][KB_COLS] = {
    {{"1", 0, 1},
     {"2", 0, 1},
     {"3", 0, 1},
     {"4", 0, 1},
     {"5", 0, 1},
     {"6", 0, 1},
     {"7", 0, 1},
     {"8", 0, 1},
     {"9", 0, 1},
     {"0", 0, 1}},
    {{"q", 0, 1},
     {"w", 0, 1},
     {"e", 0, 1},
     {"r", 0, 1},
     {"t", 0, 1},
     {"y", 0, 1},
     {"u", 0, 1},
     {"i", 0, 1},
     {"o", 0, 1},
     {"p", 0, 1}},
    {{"a", 0, 1},
     {"s", 0, 1},
     {"d", 0, 1},
     {"f", 0, 1},
     {"g", 0, 1},
     {"h", 0, 1},
     {"j", 0, 1},
     {"k", 0, 1},
     {"l", 0, 1},
     {"-", 0, 1}},
    {{NULL, STR_KEY_SHIFT, 3},
     {"z", 0, 1},
     {"x", 0, 1},
     {"c", 0, 1},
     {"v", 0, 1},
     {"b", 0, 1},
     {"n", 0, 1},
     {"m", 0, 1},
     {NULL, STR_KEY_DELETE, 3}},
    {{NULL, STR_KEY_ACCENTS, 2},
     {",", 0, 1},
     {NULL, STR_KEY_SPACE, 4},
     {".", 0, 1},
     {"?", 0, 1},
     {"!", 0, 1}},
};

static const kb_key kb_accents[KB_ROWS][KB_COLS] = {
    {{"1", 0, 1},
     {"2", 0, 1},
     {"3", 0, 1},
     {"4", 0, 1},
     {"5", 0, 1},
     {"6", 0, 1},
     {"7", 0, 1},
     {"8", 0, 1},
     {"9", 0, 1},
     {"0", 0, 1}},
    {{"é", 0, 1},
     {"ë", 0, 1},
     {"è", 0, 1},
     {"ï", 0, 1},
     {"ó", 0, 1},
     {"ö", 0, 1},
     {"ü", 0, 1},
     {"à", 0, 1},
     {"ç", 0, 1},
     {"€", 0, 1}},
    {{"@", 0, 1},
     {"'", 0, 1},
     {"\"", 0, 1},
     {"(", 0, 1},
     {")", 0, 1},
     {":", 0, 1},
     {";", 0, 1},
     {"/", 0, 1},
     {"&", 0, 1},
     {"+", 0, 1}},
    {{NULL, STR_KEY_SHIFT, 3},
     {"%", 0, 1},
     {"=", 0, 1},
     {"#", 0, 1},
     {"*", 0, 1},
     {"_", 0, 1},
     {"<", 0, 1},
     {">", 0, 1},
     {NULL, STR_KEY_DELETE, 3}},
    {{NULL, STR_KEY_LETTERS, 2},
     {",", 0, 1},
     {NULL, STR_KEY_SPACE, 4},
     {".", 0, 1},
     {"?", 0, 1},
     {"!", 0, 1}},
};

/* The key at (row, col) of the current layer; NULL past the row's end. */
static const kb_key *kb_at(const text_entry *te, int row, int col)
{
    const kb_key(*layer)[KB_COLS] = te->accents ? kb_accents : kb_letters;
    if (row < 0 || row >= KB_ROWS || col < 0 || col >= KB_COLS)
        return NULL;
    const kb_key *k = &layer[row][col];
    return k->width ? k : NULL;
}

/* What a text key types, with shift applied, into buf. */
static void kb_text(const text_entry *te, const kb_key *k, char *buf, size_t size)
{
    snprintf(buf, size, "%s", k->text);
    if (te->shift && buf[0] >= 'a' && buf[0] <= 'z' && !buf[1])
        buf[0] = (char)(buf[0] - 'a' + 'A');
    else if (te->shift && (unsigned char)buf[0] == 0xC3 && buf[1] && !buf[2] &&
             (unsigned char)buf[1] >= 0xA0 && (unsigned char)buf[1] <= 0xBE)
        buf[1] = (char)((unsigned char)buf[1] - 0x20); /* é -> É etc. (Latin-1 block) */
}

void text_entry_clear(text_entry *te)
{
    sodium_memzero(te->text, sizeof te->text);
    te->accents = false;
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

void text_entry_key(const text_entry *te, int key, char *out, size_t size, int *special)
{
    const kb_key *k = kb_at(te, key / KB_COLS, key % KB_COLS);
    out[0] = '\0';
    *special = STR_COUNT;
    if (!k)
        return;
    if (!k->text)
        *special = k->special;
    else
        kb_text(te, k, out, size);
}

bool text_entry_press(text_entry *te, int key, int max_length)
{
    char text[16];
    int special;
    text_entry_key(te, key, text, sizeof text, &special);
    switch (special) {
    case STR_KEY_SHIFT:
        te->shift = !te->shift;
        return false;
    case STR_KEY_DELETE:
        return text_entry_backspace(te);
    case STR_KEY_SPACE:
        return text_entry_type(te, " ", max_length);
    case STR_KEY_ACCENTS:
        te->accents = true;
        return false;
    case STR_KEY_LETTERS:
        te->accents = false;
        return false;
    default:
        if (!text[0])
            return false;
        te->shift = false; /* a capital for one letter, as on a phone */
        return text_entry_type(te, text, max_length);
    }
}

static void kb_build(app *a, const metrics *m, const text_entry *te, ui_rect region, ui_action act,
                     int arg_base)
{
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
        for (int col = 0; col < KB_COLS && kb_at(te, row, col); col++)
            row_units += kb_at(te, row, col)->width;
        units = row_units > units ? row_units : units;
    }
    int unit_w = (region.w - (units - 1) * kgap) / units;
    int y = region.y + region.h - KB_ROWS * key_h - (KB_ROWS - 1) * kgap;
    for (int row = 0; row < KB_ROWS; row++) {
        int row_units = 0, n = 0;
        for (int col = 0; col < KB_COLS && kb_at(te, row, col); col++) {
            row_units += kb_at(te, row, col)->width;
            n++;
        }
        int row_w = row_units * unit_w + (row_units - 1) * kgap;
        int x = region.x + (region.w - row_w) / 2;
        for (int col = 0; col < n; col++) {
            const kb_key *k = kb_at(te, row, col);
            int w = k->width * unit_w + (k->width - 1) * kgap;
            char label[32];
            if (k->text)
                kb_text(te, k, label, sizeof label);
            else
                snprintf(label, sizeof label, "%s", tr(a, k->special));
            button_style style = BUTTON_PLAIN;
            if (k->special == STR_KEY_SHIFT && te->shift)
                style = BUTTON_SELECTED;
            /* A word on a special key may shrink to the brief's smallest size
             * (2.6% of the screen) even with "A+", so it fits its key. */
            metrics km = *m;
            if (!k->text)
                km.px_min = (int)(m->u * 2.6);
            button(a, &km, (ui_rect){x, y, w, key_h}, label, act, arg_base + row * KB_COLS + col,
                   style, k->text ? m->px_answer : m->px_secondary);
            x += w + kgap;
        }
        y += key_h + kgap;
    }
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

void text_entry_build(app *a, const metrics *m, const text_entry *te, int max_length,
                      ui_rect region, ui_action act, int arg_base)
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
    int hint_w = region.w * 3 / 5;
    ui_text(a->frame, &a->text, (ui_rect){region.x, y, hint_w - m->gap, hint_h},
            tr(a, STR_TEXT_HINT), m->px_secondary, m->px_min, false, t->text_secondary,
            UI_ALIGN_LEFT);
    ui_text(a->frame, &a->text, (ui_rect){region.x + hint_w, y, region.w - hint_w, hint_h}, left,
            m->px_secondary, m->px_min, true, t->text, UI_ALIGN_RIGHT);
    ui_rect kb = {region.x, region.y + region.h - kb_h, region.w, kb_h - m->gap / 2};
    kb_build(a, m, te, kb, act, arg_base);
}
