/* results.c: live results counted from the store; see results.h. */
#include "results.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ---- */

/* Decodes the code point at s (NUL-terminated) into *cp; returns its byte
 * length (1 for an invalid byte, which reads as U+FFFD), 0 at the end. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (!s[0]) {
        *cp = 0;
        return 0;
    }
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n;
    uint32_t c, min;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        c = s[0] & 0x1F;
        min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        c = s[0] & 0x0F;
        min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        c = s[0] & 0x07;
        min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

/* Encodes cp into out (at least 4 bytes); returns the length. */
static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The lower-case form of cp (Latin, Greek and Cyrillic capitals). */
static uint32_t lower_cp(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp < 0xC0)
        return cp;
    if (cp <= 0xDE && cp != 0xD7) /* À-Þ, not × */
        return cp + 0x20;
    if (cp == 0x130) /* İ */
        return 'i';
    if (cp == 0x178) /* Ÿ */
        return 0xFF;
    if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
        (cp >= 0x14A && cp <= 0x177))
        return cp % 2 == 0 ? cp + 1 : cp;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return cp % 2 == 1 ? cp + 1 : cp;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) /* Greek */
        return cp + 0x20;
    if (cp >= 0x410 && cp <= 0x42F) /* Cyrillic А-Я */
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F) /* Ѐ-Џ */
        return cp + 0x50;
    return cp;
}

size_t results_lower(const char *s, char *out, size_t size)
{
    size_t len = 0;
    if (!size)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (!n)
            break;
        char enc[4];
        size_t m = utf8_encode(lower_cp(cp), enc);
        if (len + m >= size)
            break;
        memcpy(out + len, enc, m);
        len += m;
        p += n;
    }
    out[len] = '\0';
    return len;
}

/* ---- Words ---- */

static bool is_digit_cp(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0x660 && cp <= 0x669) || (cp >= 0x6F0 && cp <= 0x6F9);
}

/* A letter (or combining mark) of any script; not punctuation, symbols,
 * spaces or emoji. */
static bool is_letter_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || is_digit_cp(cp))
        return false;
    if (cp == 0x60C || cp == 0x61B || cp == 0x61F || (cp >= 0x66A && cp <= 0x66D) || cp == 0x6D4)
        return false; /* Arabic punctuation */
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
        (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
        (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF20) ||
        (cp >= 0xFFF0 && cp <= 0xFFFF) || (cp >= 0x1F000 && cp <= 0x1FFFF) || cp >= 0xE0000)
        return false; /* punctuation, symbols, emoji, specials */
    return true;
}

static bool is_word_cp(uint32_t cp)
{
    return is_letter_cp(cp) || is_digit_cp(cp);
}

static bool is_joiner_cp(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == '-' || cp == 0x2010;
}

bool results_next_word(const char **p, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t cp;
    size_t n;
    /* Skip to the first word character. */
    while ((n = utf8_decode(s, &cp)) && !is_word_cp(cp))
        s += n;
    if (!n) {
        *p = (const char *)s;
        if (size)
            out[0] = '\0';
        return false;
    }
    size_t len = 0;
    bool full = size == 0;
    while ((n = utf8_decode(s, &cp))) {
        uint32_t keep;
        if (is_word_cp(cp)) {
            keep = lower_cp(cp);
        } else if (is_joiner_cp(cp)) {
            uint32_t next;
            if (!utf8_decode(s + n, &next) || !is_word_cp(next))
                break;
            keep = cp == 0x2019 ? '\'' : cp == 0x2010 ? '-' : cp;
        } else {
            break;
        }
        char enc[4];
        size_t m = utf8_encode(keep, enc);
        if (!full && len + m < size) {
            memcpy(out + len, enc, m);
            len += m;
        } else {
            full = true; /* cut, but read the rest of the word */
        }
        s += n;
    }
    if (size)
        out[len] = '\0';
    *p = (const char *)s;
    return true;
}

/* Dutch (the NLTK list and a few more) and English (NLTK and contractions)
 * words that carry no meaning on their own. Lower case. */
static const char *const stop_words[] = {
    /* Dutch */
    "aan", "al", "alle", "alles", "als", "altijd", "andere", "ben", "bij", "d'r", "daar", "dan",
    "dat", "de", "der", "deze", "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en",
    "er", "erg", "ge", "geen", "geweest", "graag", "haar", "had", "heb", "hebben", "heeft", "heel",
    "hem", "het", "hier", "hij", "hoe", "hun", "iemand", "iets", "ik", "in", "is", "ja", "je",
    "jij", "jullie", "kan", "kon", "kunnen", "m'n", "maar", "me", "meer", "men", "met", "mij",
    "mijn", "moet", "moeten", "na", "naar", "nee", "niet", "niets", "nog", "nu", "of", "om",
    "omdat", "onder", "ons", "onze", "ook", "op", "over", "reeds", "te", "tegen", "toch", "toen",
    "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was", "wat", "we", "wel",
    "werd", "wezen", "wie", "wij", "wil", "willen", "worden", "wordt", "z'n", "zal", "ze", "zelf",
    "zich", "zij", "zijn", "zo", "zo'n", "zoals", "zonder", "zou", "zouden",
    /* English */
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "can't", "could", "did", "didn't", "do", "does", "doesn't", "doing",
    "don't", "down", "during", "each", "few", "for", "from", "further", "has", "hasn't", "have",
    "haven't", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
    "i", "i'd", "i'm", "i've", "if", "into", "isn't", "it", "it's", "its", "itself", "just",
    "let's", "more", "most", "my", "myself", "no", "nor", "not", "now", "off", "on", "once", "only",
    "or", "other", "our", "ours", "ourselves", "out", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then",
    "there", "there's", "these", "they", "this", "those", "through", "to", "too", "under", "until",
    "up", "very", "wasn't", "we're", "were", "weren't", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "won't", "would", "you", "you're", "your", "yours",
    "yourself", "yourselves"};

bool results_is_stop_word(const char *word)
{
    for (size_t i = 0; i < sizeof stop_words / sizeof stop_words[0]; i++)
        if (strcmp(stop_words[i], word) == 0)
            return true;
    return false;
}

bool results_word_counts(const char *word)
{
    size_t chars = 0;
    bool letter = false;
    const unsigned char *s = (const unsigned char *)word;
    uint32_t cp;
    size_t n;
    while ((n = utf8_decode(s, &cp))) {
        chars++;
        letter = letter || is_letter_cp(cp);
        s += n;
    }
    return chars >= 2 && letter && !results_is_stop_word(word);
}

bool results_text_has_word(const char *text, const char *word)
{
    char w[RESULTS_WORD_MAX];
    const char *p = text;
    while (results_next_word(&p, w, sizeof w))
        if (strcmp(w, word) == 0)
            return true;
    return false;
}

size_t results_split_words(char *buf, const char **words, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, "\n", &save); t && n < max;
         t = strtok_r(NULL, "\n", &save))
        if (t[0])
            words[n++] = t;
    return n;
}

/* A word count: an open-addressing hash table that grows up to a limit. */
typedef struct word_slot {
    char *word; /* owned; NULL when free */
    int64_t count;
    int64_t last_text; /* the text that counted it last (once per text) */
} word_slot;

typedef struct word_map {
    word_slot *slots;
    size_t cap, used;
    bool nomem;
} word_map;

static uint64_t word_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static word_slot *word_map_find(word_slot *slots, size_t cap, const char *w)
{
    size_t i = (size_t)(word_hash(w) & (cap - 1));
    while (slots[i].word && strcmp(slots[i].word, w) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool word_map_grow(word_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    word_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].word)
            *word_map_find(slots, cap, m->slots[i].word) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

/* Counts w for text number text_no (once per text). */
static void word_map_add(word_map *m, const char *w, int64_t text_no)
{
    if ((m->used + 1) * 2 > m->cap) {
        if (m->used >= RESULTS_MAX_DISTINCT)
            return; /* the limit: a new word is not counted, known ones are */
        if (!word_map_grow(m)) {
            m->nomem = true;
            return;
        }
    }
    word_slot *s = word_map_find(m->slots, m->cap, w);
    if (!s->word) {
        if (m->used >= RESULTS_MAX_DISTINCT)
            return;
        s->word = strdup(w);
        if (!s->word) {
            m->nomem = true;
            return;
        }
        m->used++;
        s->count = 0;
        s->last_text = -1;
    }
    if (s->last_text != text_no) {
        s->count++;
        s->last_text = text_no;
    }
}

static bool word_is_hidden(const char *w, const char *const *hidden, size_t n_hidden)
{
    for (size_t i = 0; i < n_hidden; i++)
        if (hidden[i] && strcmp(hidden[i], w) == 0)
            return true;
    return false;
}

static void word_map_add_text(word_map *m, const char *text, const char *const *hidden,
                              size_t n_hidden, int64_t text_no)
{
    char w[RESULTS_WORD_MAX];
    const char *p = text;
    while (results_next_word(&p, w, sizeof w))
        if (results_word_counts(w) && !word_is_hidden(w, hidden, n_hidden))
            word_map_add(m, w, text_no);
}

/* Most frequent first, then a-z (bytewise). */
static int word_cmp(const void *x, const void *y)
{
    const results_word *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->word, b->word);
}

/* The top max words of the map into out, sorted; frees the map. */
static int64_t word_map_take(word_map *m, results_word *out, size_t max, size_t *n_out)
{
    size_t n = 0;
    results_word *all = m->used ? calloc(m->used, sizeof *all) : NULL;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].word)
            continue;
        if (all) {
            snprintf(all[n].word, sizeof all[n].word, "%s", m->slots[i].word);
            all[n].count = m->slots[i].count;
            n++;
        }
        free(m->slots[i].word);
    }
    if (all)
        qsort(all, n, sizeof *all, word_cmp);
    size_t k = n < max ? n : max;
    if (k)
        memcpy(out, all, k * sizeof *out);
    *n_out = k;
    free(all);
    int64_t distinct = (int64_t)m->used;
    if (m->used && !all)
        m->nomem = true;
    free(m->slots);
    m->slots = NULL;
    m->cap = m->used = 0;
    return distinct;
}

int64_t results_count_words(const char *const *texts, size_t n, const char *const *hidden,
                            size_t n_hidden, results_word *out, size_t max, size_t *n_out)
{
    word_map m = {0};
    for (size_t i = 0; i < n; i++)
        if (texts[i])
            word_map_add_text(&m, texts[i], hidden, n_hidden, (int64_t)i);
    return word_map_take(&m, out, max, n_out);
}

/* ---- Counting from the store ---- */

bool results_supported(survey_qtype type)
{
    return type == SURVEY_Q_CHOICE || type == SURVEY_Q_MULTI || type == SURVEY_Q_SCALE ||
           type == SURVEY_Q_SMILEY || type == SURVEY_Q_TEXT;
}

typedef struct count_ctx {
    const survey *s;
    const survey_question *q;
    const results_options *opt;
    results *out;
    word_map words;
    int64_t n_texts;
    results_text ring[RESULTS_MAX_LATEST]; /* the newest shown answers, oldest first */
    size_t n_ring, ring_start;
} count_ctx;

static bool row_has_flag(const store_response_row *row, const char *flag)
{
    for (size_t i = 0; i < row->n_flags; i++)
        if (strcmp(row->flags[i], flag) == 0)
            return true;
    return false;
}

/* Copies at most size - 1 bytes of s into out, cut at a character boundary. */
static void copy_cut(char *out, size_t size, const char *s)
{
    size_t len = strlen(s);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
}

static void keep_latest(count_ctx *c, const store_response_row *row, const char *text)
{
    const results_options *o = c->opt;
    for (size_t i = 0; i < o->n_hidden_words; i++)
        if (o->hidden_words[i] && results_text_has_word(text, o->hidden_words[i]))
            return;
    size_t slot;
    if (c->n_ring < RESULTS_MAX_LATEST) {
        slot = (c->ring_start + c->n_ring) % RESULTS_MAX_LATEST;
        c->n_ring++;
    } else {
        slot = c->ring_start;
        c->ring_start = (c->ring_start + 1) % RESULTS_MAX_LATEST;
    }
    results_text *t = &c->ring[slot];
    snprintf(t->response_id, sizeof t->response_id, "%s", row->response_id);
    t->seq = row->seq;
    copy_cut(t->text, sizeof t->text, text);
}

/* Counts one value; false when it does not fit the question. */
static bool count_value(count_ctx *c, const store_response_row *row, const json_t *v)
{
    const survey_question *q = c->q;
    results *r = c->out;
    switch (q->type) {
    case SURVEY_Q_CHOICE: {
        int i = json_is_string(v) ? survey_find_option(q, json_string_value(v)) : -1;
        if (i < 0 || (size_t)i >= r->n_bars)
            return false;
        r->bars[i]++;
        return true;
    }
    case SURVEY_Q_SCALE:
    case SURVEY_Q_SMILEY: {
        if (!json_is_integer(v))
            return false;
        json_int_t x = json_integer_value(v);
        if (x < 1 || x > SURVEY_SCALE_POINTS)
            return false;
        r->bars[x - 1]++;
        return true;
    }
    case SURVEY_Q_MULTI: {
        if (!json_is_array(v))
            return false;
        size_t k;
        const json_t *e;
        bool any = false;
        bool seen[RESULTS_MAX_BARS] = {false};
        json_array_foreach(v, k, e)
        {
            int i = json_is_string(e) ? survey_find_option(q, json_string_value(e)) : -1;
            if (i < 0 || (size_t)i >= r->n_bars || seen[i])
                continue;
            seen[i] = true;
            r->bars[i]++;
            any = true;
        }
        return any || json_array_size(v) == 0;
    }
    case SURVEY_Q_TEXT: {
        if (!json_is_string(v))
            return false;
        const char *text = json_string_value(v);
        if (row_has_flag(row, "personal-data"))
            return true; /* counted, never shown */
        word_map_add_text(&c->words, text, c->opt->hidden_words, c->opt->n_hidden_words,
                          c->n_texts++);
        keep_latest(c, row, text);
        return true;
    }
    default:
        return false;
    }
}

static int count_row(const store_response_row *row, void *ctx)
{
    count_ctx *c = ctx;
    results *r = c->out;
    if (strcmp(row->mode, "live") != 0 || strcmp(row->status, "complete") != 0 ||
        strcmp(row->survey_id, c->s->id) != 0)
        return 0;
    const store_answer_row *ans = NULL;
    for (size_t i = 0; i < row->n_answers && !ans; i++)
        if (strcmp(row->answers[i].question_id, c->q->id) == 0)
            ans = &row->answers[i];
    if (!ans)
        return 0;
    if (ans->hidden) {
        r->hidden++;
        return 0;
    }
    if (row_has_flag(row, "rapid") && row_has_flag(row, "repeat")) {
        r->held_apart++;
        r->last_seq = row->seq;
        return 0;
    }
    json_error_t err;
    json_t *v = json_loads(ans->value_json, JSON_DECODE_ANY, &err);
    if (v && count_value(c, row, v)) {
        r->votes++;
        r->last_seq = row->seq;
    } else {
        r->ignored++;
    }
    json_decref(v);
    return 0;
}

bk_err results_compute(store *st, const survey *s, const survey_question *q,
                       const results_options *opt, results *out)
{
    memset(out, 0, sizeof *out);
    if (!st || !s || !q)
        return BK_ERR_INVALID;
    out->type = q->type;
    if (!results_supported(q->type))
        return BK_ERR_INVALID;
    results_options none = {0};
    count_ctx c = {.s = s, .q = q, .opt = opt ? opt : &none, .out = out};
    if (q->type == SURVEY_Q_CHOICE || q->type == SURVEY_Q_MULTI)
        out->n_bars = q->n_options < RESULTS_MAX_BARS ? q->n_options : RESULTS_MAX_BARS;
    else if (q->type == SURVEY_Q_SCALE || q->type == SURVEY_Q_SMILEY)
        out->n_bars = SURVEY_SCALE_POINTS;
    bk_err err = store_foreach_response(st, c.opt->after_seq, c.opt->since_wall_ms, count_row, &c);
    out->distinct_words = word_map_take(&c.words, out->words, RESULTS_MAX_WORDS, &out->n_words);
    if (err == BK_OK && c.words.nomem)
        err = BK_ERR_NOMEM;
    /* The ring holds the newest answers oldest first: newest first out. */
    for (size_t i = 0; i < c.n_ring; i++)
        out->latest[i] = c.ring[(c.ring_start + c.n_ring - 1 - i) % RESULTS_MAX_LATEST];
    out->n_latest = c.n_ring;
    return err;
}

int results_percent(const results *r, size_t bar)
{
    if (bar >= r->n_bars || r->votes <= 0)
        return 0;
    return (int)((r->bars[bar] * 200 + r->votes) / (2 * r->votes));
}
