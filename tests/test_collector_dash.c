/* test_collector_dash.c: what the web interface keeps and reads, on either
 * backend (tests/test_db_util.h): the cohesion score against a hand-worked
 * example, answer tallies (several choices counted once each, flagged
 * responses left out unless asked for, areas from the kiosk), the ideas
 * list with search and moderation (kept, audited, hidden in exports), the
 * login's doubling lock, sessions (pruned, gone with their account), and
 * API keys (hash only, revocable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "ingest.h"
#include "storage.h"
#include "test_db_util.h"
#include "test_store_util.h"

#define TOKEN_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define TOKEN_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"
#define SHA_1 "1111111111111111111111111111111111111111111111111111111111111111"
#define SHA_2 "2222222222222222222222222222222222222222222222222222222222222222"
#define SHA_3 "3333333333333333333333333333333333333333333333333333333333333333"
#define DAY_MS (24LL * 3600 * 1000)
#define SCALE(id) "{\"id\": \"" id "\", \"type\": \"scale\"}"
#define SURVEY_BUURT                                                                               \
    "{\"id\": \"buurt\", \"version\": 1, \"questions\": [" SCALE("c1") ", " SCALE(                 \
        "c2") ", " SCALE("c3") ", " SCALE("c4") ", " SCALE("tevreden") ", {\"id\": \"wensen\", "   \
                                                                       "\"type\":"                 \
                                                                       " \"multi\"}, {\"id\": "    \
                                                                       "\"vervoer\", \"type\": "   \
                                                                       "\"choice\"}, {\"id\": "    \
                                                                       "\"idee\", \"type\":"       \
                                                                       " \"text\"}, {\"id\": "     \
                                                                       "\"other\", \"type\": "     \
                                                                       "\"number\"}]}"

typedef struct fixture {
    char *dir, *path;
    bk_virtual_clock vc;
    storage *st;
    int next; /* the next response number */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = tu_tmpdir();
    f->path = tdb_new(f->dir, "collector.db");
    f->vc.wall_ms = TU_T0_MS;
    storage_options opt = {.database = f->path,
                           .busy_timeout_ms = 2000,
                           .pool_size = 2,
                           .clock = clock_virtual(&f->vc)};
    bk_diag diag = {0};
    assert_int_equal(storage_open(&opt, &f->st, &diag), BK_OK);
    diag_clear(&diag);
    assert_int_equal(storage_kiosk_add(f->st, "k-dorst", "dorst", TOKEN_A), BK_OK);
    assert_int_equal(storage_kiosk_add(f->st, "k-hal", NULL, TOKEN_B), BK_OK);
    /* The definition names the questions' types: only choices, scales and
     * numbers are tallied. */
    assert_int_equal(
        storage_survey_publish(f->st, "buurt", 1, SURVEY_BUURT, STORAGE_TARGET_ALL, NULL), BK_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    storage_close(f->st);
    tdb_drop(f->path);
    free(f->path);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

static char *dup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

/* Stores one response from kiosk with the answers "q=json" (NULL-ended),
 * started day_offset days after TU_T0_MS, in area (NULL: the kiosk's),
 * with flag (NULL: none). Returns its number; its id is id_of(n). */
static int put(fixture *f, const char *kiosk, const char *area, int day_offset, const char *flag,
               const char *status, const char *const *answers)
{
    int n = ++f->next;
    ingest_batch b;
    memset(&b, 0, sizeof b);
    snprintf(b.batch_id, sizeof b.batch_id, "10000000-0000-4000-8000-%012d", n);
    snprintf(b.kiosk_id, sizeof b.kiosk_id, "%s", kiosk);
    snprintf(b.created_at, sizeof b.created_at, "2026-11-29T10:00:00.000Z");
    b.n_responses = 1;
    b.responses = calloc(1, sizeof *b.responses);
    assert_non_null(b.responses);
    ingest_response *r = &b.responses[0];
    snprintf(r->response_id, sizeof r->response_id, "00000000-0000-4000-8000-%012d", n);
    r->seq = n;
    r->survey_id = dup("buurt");
    r->survey_version = 1;
    r->mode = dup("survey");
    r->status = dup(status ? status : "complete");
    r->language = dup("nl");
    r->area = area ? dup(area) : NULL;
    char at[32];
    r->started_ms = TU_T0_MS + day_offset * DAY_MS + n;
    r->started_at = dup(clock_format_rfc3339(r->started_ms, at, sizeof at));
    r->flags = calloc(1, sizeof *r->flags);
    assert_non_null(r->flags);
    if (flag)
        r->flags[r->n_flags++] = dup(flag);
    size_t na = 0;
    while (answers[na])
        na++;
    r->answers = calloc(na + 1, sizeof *r->answers);
    assert_non_null(r->answers);
    for (size_t i = 0; i < na; i++) {
        const char *eq = strchr(answers[i], '=');
        assert_non_null(eq);
        r->answers[i].question_id = strndup(answers[i], (size_t)(eq - answers[i]));
        r->answers[i].value_json = dup(eq + 1);
    }
    r->n_answers = na;
    char body[64];
    snprintf(body, sizeof body, "{\"n\":%d}", n);
    r->body = dup(body);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(r->body_sha256, sizeof r->body_sha256, h, sizeof h);
    storage_batch_result res;
    assert_int_equal(storage_batch_store(f->st, kiosk, &b, &res), BK_OK);
    assert_int_equal(res.accepted, 1);
    ingest_batch_clear(&b);
    return n;
}

static void id_of(int n, char out[37])
{
    snprintf(out, 37, "00000000-0000-4000-8000-%012d", n);
}

/* ---- cohesion ---- */

typedef struct scores {
    int n;
    char area[8][32], month[8][8];
    int64_t respondents[8];
    double sum[8];
} scores;

static int collect_score(const storage_dash_score *row, void *ctx)
{
    scores *s = ctx;
    assert_true(s->n < 8);
    snprintf(s->area[s->n], sizeof s->area[0], "%s", row->area);
    snprintf(s->month[s->n], sizeof s->month[0], "%s", row->month);
    s->respondents[s->n] = row->respondents;
    s->sum[s->n] = row->score_sum;
    s->n++;
    return 0;
}

/* The hand-worked example of docs/dashboard.md: four items, c1 reversed.
 * A: c1=2 (counts 4), c2=4, c3=5, c4=3: mean 4, score (4-1)*2.5 = 7.5.
 * B: c1=5 (counts 1), c2=1: two of four answered, mean 1, score 0.
 * C: c3=5 only: one of four, fewer than half: no score.
 * D: c1=1 (counts 5), c2..c4=5: score 10.
 * E: like D but flagged rapid: left out unless asked for.
 * Dorst: 3 respondents, sum 17.5, score 5.83. */
static void test_cohesion(void **state)
{
    fixture *f = *state;
    put(f, "k-dorst", NULL, 0, NULL, NULL,
        (const char *[]){"c1=2", "c2=4", "c3=5", "c4=3", "other=1", NULL});
    put(f, "k-dorst", NULL, 0, NULL, "partial", (const char *[]){"c1=5", "c2=1", NULL});
    put(f, "k-dorst", NULL, 0, NULL, NULL, (const char *[]){"c3=5", NULL});
    put(f, "k-dorst", NULL, 0, NULL, NULL, (const char *[]){"c1=1", "c2=5", "c3=5", "c4=5", NULL});
    put(f, "k-dorst", NULL, 0, "rapid", NULL,
        (const char *[]){"c1=1", "c2=5", "c3=5", "c4=5", NULL});
    /* Not a score: a text where a number belongs, 0 and 6 out of range. */
    put(f, "k-hal", "centrum", 0, NULL, NULL,
        (const char *[]){"c1=\"3\"", "c2=0", "c3=6", "c4=4", NULL});

    const char *items[] = {"c1", "c2", "c3", "c4"};
    const bool reverse[] = {true, false, false, false};
    storage_dash_filter flt = {.survey_id = "buurt"};
    scores s = {0};
    assert_int_equal(storage_dash_cohesion(f->st, &flt, items, reverse, 4, collect_score, &s),
                     BK_OK);
    assert_int_equal(s.n, 1); /* centrum: one valid item of four, no score */
    assert_string_equal(s.area[0], "dorst");
    assert_int_equal(s.respondents[0], 3);
    assert_float_equal(s.sum[0], 17.5, 1e-9);
    assert_float_equal(s.sum[0] / (double)s.respondents[0], 5.8333, 1e-4);

    flt.with_rapid = true;
    memset(&s, 0, sizeof s);
    assert_int_equal(storage_dash_cohesion(f->st, &flt, items, reverse, 4, collect_score, &s),
                     BK_OK);
    assert_int_equal(s.respondents[0], 4);
    assert_float_equal(s.sum[0], 27.5, 1e-9);

    flt.status = "complete";
    memset(&s, 0, sizeof s);
    assert_int_equal(storage_dash_cohesion(f->st, &flt, items, reverse, 4, collect_score, &s),
                     BK_OK);
    assert_int_equal(s.respondents[0], 3); /* B was partial */
    assert_float_equal(s.sum[0], 27.5, 1e-9);

    /* Other items: the scores are counted again with them. Without c1
     * reversed, A: (2+4+5+3)/4 = 3.5 -> 6.25; D and E: (1+5+5+5)/4 = 4
     * -> 7.5; B (5, 1): 3 -> 5 (partial, so out here). */
    const bool straight[] = {false, false, false, false};
    memset(&s, 0, sizeof s);
    assert_int_equal(storage_dash_cohesion(f->st, &flt, items, straight, 4, collect_score, &s),
                     BK_OK);
    assert_int_equal(s.respondents[0], 3);
    assert_float_equal(s.sum[0], 6.25 + 7.5 + 7.5, 1e-9);
    /* And back. */
    memset(&s, 0, sizeof s);
    assert_int_equal(storage_dash_cohesion(f->st, &flt, items, reverse, 4, collect_score, &s),
                     BK_OK);
    assert_float_equal(s.sum[0], 27.5, 1e-9);
    /* A new response is scored at the next read with the items in use. */
    put(f, "k-dorst", NULL, 0, NULL, NULL, (const char *[]){"c1=3", "c2=3", NULL});
    memset(&s, 0, sizeof s);
    assert_int_equal(storage_dash_cohesion(f->st, &flt, items, reverse, 4, collect_score, &s),
                     BK_OK);
    assert_int_equal(s.respondents[0], 4);
    assert_float_equal(s.sum[0], 27.5 + 5.0, 1e-9);
}

/* ---- counts and tallies ---- */

typedef struct counts {
    int64_t total, rapid, in_dorst, no_area;
    int months;
    char month[8][8];
} counts;

static int collect_count(const storage_dash_count *row, void *ctx)
{
    counts *c = ctx;
    c->total += row->n;
    if (row->rapid)
        c->rapid += row->n;
    if (strcmp(row->area, "dorst") == 0)
        c->in_dorst += row->n;
    if (row->area[0] == '\0')
        c->no_area += row->n;
    bool seen = false;
    for (int i = 0; i < c->months; i++)
        seen = seen || strcmp(c->month[i], row->month) == 0;
    if (!seen && c->months < 8)
        snprintf(c->month[c->months++], sizeof c->month[0], "%s", row->month);
    assert_string_equal(row->survey_id, "buurt");
    return 0;
}

typedef struct values {
    int n;
    char q[16][16], v[16][16], month[16][8];
    int64_t count[16];
} values;

static int collect_value(const storage_dash_value *row, void *ctx)
{
    values *v = ctx;
    assert_true(v->n < 16);
    snprintf(v->q[v->n], sizeof v->q[0], "%s", row->question_id);
    snprintf(v->v[v->n], sizeof v->v[0], "%s", row->value);
    snprintf(v->month[v->n], sizeof v->month[0], "%s", row->month);
    v->count[v->n] = row->n;
    v->n++;
    return 0;
}

static int64_t value_n(const values *v, const char *q, const char *value)
{
    int64_t n = 0;
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->q[i], q) == 0 && strcmp(v->v[i], value) == 0)
            n += v->count[i];
    return n;
}

static void test_counts_and_values(void **state)
{
    fixture *f = *state;
    put(f, "k-dorst", NULL, 0, NULL, NULL,
        (const char *[]){"wensen=[\"park\",\"speeltuin\"]", "vervoer=\"bus\"", "tevreden=4",
                         "idee=\"meer bankjes\"", NULL});
    put(f, "k-dorst", NULL, 0, NULL, NULL,
        (const char *[]){"wensen=[\"park\"]", "vervoer=\"fiets\"", "tevreden=4", NULL});
    put(f, "k-dorst", NULL, 40, "rapid", NULL,
        (const char *[]){"wensen=[\"speeltuin\"]", "tevreden=1", NULL});
    put(f, "k-hal", NULL, 40, NULL, NULL, (const char *[]){"tevreden=5", NULL});
    put(f, "k-hal", "dorst", 40, "repeat", NULL, (const char *[]){"tevreden=2", NULL});

    counts c = {0};
    storage_dash_filter all = {0};
    assert_int_equal(storage_dash_counts(f->st, &all, collect_count, &c), BK_OK);
    assert_int_equal(c.total, 5); /* the flags are in the rows, not left out */
    assert_int_equal(c.rapid, 1);
    assert_int_equal(c.in_dorst, 4); /* the kiosk's area, or the response's own */
    assert_int_equal(c.no_area, 1);
    assert_int_equal(c.months, 2); /* 2026-11 and 40 days later */

    storage_dash_filter dorst = {.area = "dorst", .survey_id = "buurt"};
    memset(&c, 0, sizeof c);
    assert_int_equal(storage_dash_counts(f->st, &dorst, collect_count, &c), BK_OK);
    assert_int_equal(c.total, 4);

    const char *qs[] = {"wensen", "vervoer", "tevreden"};
    values v = {0};
    assert_int_equal(storage_dash_values(f->st, &dorst, qs, 3, collect_value, &v), BK_OK);
    assert_int_equal(value_n(&v, "wensen", "park"), 2);
    assert_int_equal(value_n(&v, "wensen", "speeltuin"), 1); /* the rapid one left out */
    assert_int_equal(value_n(&v, "vervoer", "bus"), 1);
    assert_int_equal(value_n(&v, "tevreden", "4"), 2);
    assert_int_equal(value_n(&v, "tevreden", "1"), 0);
    assert_int_equal(value_n(&v, "tevreden", "2"), 0);        /* repeat left out */
    assert_int_equal(value_n(&v, "idee", "meer bankjes"), 0); /* not asked for */

    dorst.with_rapid = dorst.with_repeat = true;
    memset(&v, 0, sizeof v);
    assert_int_equal(storage_dash_values(f->st, &dorst, qs, 3, collect_value, &v), BK_OK);
    assert_int_equal(value_n(&v, "wensen", "speeltuin"), 2);
    assert_int_equal(value_n(&v, "tevreden", "2"), 1);

    /* A period: only the first month. */
    char month[8];
    {
        time_t t = (time_t)(TU_T0_MS / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(month, sizeof month, "%Y-%m", &tm);
    }
    dorst.to_month = month;
    memset(&v, 0, sizeof v);
    assert_int_equal(storage_dash_values(f->st, &dorst, qs, 3, collect_value, &v), BK_OK);
    assert_int_equal(value_n(&v, "tevreden", "4"), 2);
    assert_int_equal(value_n(&v, "tevreden", "1") + value_n(&v, "tevreden", "2"), 0);
    for (int i = 0; i < v.n; i++)
        assert_string_equal(v.month[i], v.month[0]);

    /* A free-text question is never tallied, even when asked for. */
    const char *with_text[] = {"idee", "tevreden"};
    memset(&v, 0, sizeof v);
    dorst.to_month = NULL;
    assert_int_equal(storage_dash_values(f->st, &dorst, with_text, 2, collect_value, &v), BK_OK);
    assert_int_equal(value_n(&v, "idee", "meer bankjes"), 0);
    assert_int_equal(value_n(&v, "tevreden", "4"), 2);
    /* What comes in later is added at the next read, once. */
    put(f, "k-dorst", NULL, 41, NULL, NULL, (const char *[]){"tevreden=4", NULL});
    memset(&v, 0, sizeof v);
    assert_int_equal(storage_dash_values(f->st, &dorst, with_text, 2, collect_value, &v), BK_OK);
    assert_int_equal(value_n(&v, "tevreden", "4"), 3);
    memset(&v, 0, sizeof v);
    assert_int_equal(storage_dash_values(f->st, &dorst, with_text, 2, collect_value, &v), BK_OK);
    assert_int_equal(value_n(&v, "tevreden", "4"), 3);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM responses WHERE tallied = 0"), 0);

    /* An id JSON would have to escape is refused, not spliced in. */
    const char *bad[] = {"a\"b"};
    assert_int_equal(storage_dash_values(f->st, &dorst, bad, 1, collect_value, &v), BK_ERR_INVALID);
}

/* ---- ideas and moderation ---- */

typedef struct texts {
    int n;
    char text[8][64], id[8][40];
    bool personal[8], hidden[8];
    char reason[8][32];
} texts;

static int collect_text(const storage_dash_text *row, void *ctx)
{
    texts *t = ctx;
    assert_true(t->n < 8);
    snprintf(t->text[t->n], sizeof t->text[0], "%s", row->text);
    snprintf(t->id[t->n], sizeof t->id[0], "%s", row->response_id);
    t->personal[t->n] = row->personal;
    t->hidden[t->n] = row->hidden;
    snprintf(t->reason[t->n], sizeof t->reason[0], "%s",
             row->hidden_reason ? row->hidden_reason : "");
    t->n++;
    return 0;
}

typedef struct hidden_seen {
    int answers, hidden;
} hidden_seen;

static int count_hidden(const response_row *row, void *ctx)
{
    hidden_seen *h = ctx;
    for (size_t i = 0; i < row->n_answers; i++) {
        h->answers++;
        h->hidden += row->answers[i].hidden;
    }
    return 0;
}

static void test_texts_and_moderation(void **state)
{
    fixture *f = *state;
    put(f, "k-dorst", NULL, 0, NULL, NULL, (const char *[]){"idee=\"Meer Bankjes\"", NULL});
    int second = put(
        f, "k-dorst", NULL, 1, "personal-data", NULL,
        (const char *[]){"idee=\"<script>alert(1)</script> bel 0612345678\"", "tevreden=3", NULL});
    put(f, "k-dorst", NULL, 2, NULL, NULL,
        (const char *[]){"idee=\"=HYPERLINK(\\\"x\\\")\"", NULL});
    put(f, "k-hal", "centrum", 2, NULL, NULL, (const char *[]){"idee=\"elders\"", NULL});

    const char *qs[] = {"idee"};
    storage_dash_filter dorst = {.area = "dorst"};
    texts t = {0};
    int64_t total = 0;
    assert_int_equal(
        storage_dash_texts(f->st, &dorst, qs, 1, NULL, false, 0, 10, &total, collect_text, &t),
        BK_OK);
    assert_int_equal(total, 3);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.text[0], "=HYPERLINK(\"x\")"); /* newest first, exactly as typed */
    assert_string_equal(t.text[1], "<script>alert(1)</script> bel 0612345678");
    assert_true(t.personal[1]);
    assert_false(t.personal[0]);

    memset(&t, 0, sizeof t);
    assert_int_equal(
        storage_dash_texts(f->st, &dorst, qs, 1, "bankjes", false, 0, 10, &total, collect_text, &t),
        BK_OK);
    assert_int_equal(total, 1);
    assert_string_equal(t.text[0], "Meer Bankjes");

    /* A page of one, the second. */
    memset(&t, 0, sizeof t);
    assert_int_equal(
        storage_dash_texts(f->st, &dorst, qs, 1, NULL, false, 1, 1, &total, collect_text, &t),
        BK_OK);
    assert_int_equal(total, 3);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.text[0], "<script>alert(1)</script> bel 0612345678");

    char id[37], area[INGEST_ID_MAX + 1];
    id_of(second, id);
    assert_int_equal(storage_response_area(f->st, id, area), BK_OK);
    assert_string_equal(area, "dorst");
    assert_int_equal(storage_response_area(f->st, "00000000-0000-4000-8000-999999999999", area),
                     BK_ERR_NOT_FOUND);

    assert_int_equal(storage_dash_moderate(f->st, id, "idee", true, "telefoonnummer", "anna"),
                     BK_OK);
    assert_int_equal(storage_dash_moderate(f->st, id, "nothing", true, "x", "anna"),
                     BK_ERR_NOT_FOUND);
    memset(&t, 0, sizeof t);
    assert_int_equal(
        storage_dash_texts(f->st, &dorst, qs, 1, NULL, false, 0, 10, &total, collect_text, &t),
        BK_OK);
    assert_int_equal(total, 2);
    memset(&t, 0, sizeof t);
    assert_int_equal(
        storage_dash_texts(f->st, &dorst, qs, 1, NULL, true, 0, 10, &total, collect_text, &t),
        BK_OK);
    assert_int_equal(total, 3);
    assert_true(t.hidden[1]);
    assert_string_equal(t.reason[1], "telefoonnummer");
    /* Kept, never deleted; in the audit log; marked for exports. */
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM answers WHERE question_id = 'idee'"),
                     4);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'moderate hide' AND actor = 'anna'"
                                      " AND detail = 'telefoonnummer'"),
                     1);
    hidden_seen h = {0};
    storage_filter all = {0};
    assert_int_equal(storage_foreach_response(f->st, &all, count_hidden, &h), BK_OK);
    assert_int_equal(h.answers, 5);
    assert_int_equal(h.hidden, 1);

    /* Shown again. */
    assert_int_equal(storage_dash_moderate(f->st, id, "idee", false, "toch goed", "anna"), BK_OK);
    memset(&h, 0, sizeof h);
    assert_int_equal(storage_foreach_response(f->st, &all, count_hidden, &h), BK_OK);
    assert_int_equal(h.hidden, 0);
    assert_int_equal(
        tdb_int(f->path, "SELECT count(*) FROM audit_log WHERE action LIKE 'moderate%'"), 2);

    /* The export's period end. */
    storage_filter until = {.until_ms = TU_T0_MS + DAY_MS};
    memset(&h, 0, sizeof h);
    assert_int_equal(storage_foreach_response(f->st, &until, count_hidden, &h), BK_OK);
    assert_int_equal(h.answers, 1);
}

/* ---- accounts: the lock, sessions, keys ---- */

static storage_user user_of(const char *name, storage_role role, const char *areas)
{
    storage_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = role;
    snprintf(u.areas, sizeof u.areas, "%s", areas);
    return u;
}

static void test_login_lock(void **state)
{
    fixture *f = *state;
    storage_user anna = user_of("anna", STORAGE_ROLE_WIJKMAKELAAR, "dorst");
    assert_int_equal(storage_user_add(f->st, &anna, HASH, "cli:test"), BK_OK);
    storage_login l;
    assert_int_equal(storage_login_get(f->st, "anna", &l), BK_OK);
    assert_string_equal(l.password_hash, HASH);
    assert_string_equal(l.user.areas, "dorst");
    assert_int_equal(l.user.role, STORAGE_ROLE_WIJKMAKELAAR);
    assert_int_equal(l.failures, 0);
    assert_int_equal(storage_login_get(f->st, "nobody", &l), BK_ERR_NOT_FOUND);

    int64_t until = -1;
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(storage_login_failed(f->st, "anna", 5, 30000, &until), BK_OK);
        assert_int_equal(until, 0);
    }
    assert_int_equal(storage_login_failed(f->st, "anna", 5, 30000, &until), BK_OK);
    assert_int_equal(until, TU_T0_MS + 30000);
    assert_int_equal(storage_login_failed(f->st, "anna", 5, 30000, &until), BK_OK);
    assert_int_equal(until, TU_T0_MS + 60000); /* doubling */
    assert_int_equal(storage_login_failed(f->st, "anna", 5, 30000, &until), BK_OK);
    assert_int_equal(until, TU_T0_MS + 120000);
    for (int i = 0; i < 30; i++)
        assert_int_equal(storage_login_failed(f->st, "anna", 5, 30000, &until), BK_OK);
    assert_int_equal(until, TU_T0_MS + DAY_MS); /* at most a day */
    assert_int_equal(storage_login_get(f->st, "anna", &l), BK_OK);
    assert_int_equal(l.failures, 37);
    assert_int_equal(l.locked_until_ms, TU_T0_MS + DAY_MS);
    assert_int_equal(storage_login_ok(f->st, "anna"), BK_OK);
    assert_int_equal(storage_login_get(f->st, "anna", &l), BK_OK);
    assert_int_equal(l.failures, 0);
    assert_int_equal(l.locked_until_ms, 0);
    assert_int_equal(storage_login_failed(f->st, "nobody", 5, 30000, &until), BK_ERR_NOT_FOUND);
}

static void test_sessions(void **state)
{
    fixture *f = *state;
    storage_user anna = user_of("anna", STORAGE_ROLE_ADMIN, "");
    assert_int_equal(storage_user_add(f->st, &anna, HASH, "cli:test"), BK_OK);
    assert_int_equal(storage_session_add(f->st, SHA_1, "anna", "csrf-1", "nl", 1800000, 43200000),
                     BK_OK);
    storage_session s;
    assert_int_equal(storage_session_get(f->st, SHA_1, &s), BK_OK);
    assert_string_equal(s.user, "anna");
    assert_string_equal(s.csrf, "csrf-1");
    assert_string_equal(s.lang, "nl");
    assert_int_equal(s.created_ms, TU_T0_MS);
    f->vc.wall_ms += 60000;
    assert_int_equal(storage_session_touch(f->st, SHA_1, "en"), BK_OK);
    assert_int_equal(storage_session_get(f->st, SHA_1, &s), BK_OK);
    assert_int_equal(s.last_ms, TU_T0_MS + 60000);
    assert_string_equal(s.lang, "en");
    assert_int_equal(storage_session_touch(f->st, SHA_1, NULL), BK_OK);
    assert_int_equal(storage_session_get(f->st, SHA_1, &s), BK_OK);
    assert_string_equal(s.lang, "en");

    /* A new login prunes sessions idle too long. */
    f->vc.wall_ms += 1800001;
    assert_int_equal(storage_session_add(f->st, SHA_2, "anna", "csrf-2", "nl", 1800000, 43200000),
                     BK_OK);
    assert_int_equal(storage_session_get(f->st, SHA_1, &s), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_session_remove(f->st, SHA_2), BK_OK);
    assert_int_equal(storage_session_get(f->st, SHA_2, &s), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_session_remove(f->st, SHA_2), BK_OK);

    /* An account removed takes its sessions and keys with it. */
    assert_int_equal(storage_session_add(f->st, SHA_3, "anna", "csrf-3", "nl", 1800000, 43200000),
                     BK_OK);
    assert_int_equal(storage_api_key_add(f->st, "anna", SHA_1, "Excel"), BK_OK);
    assert_int_equal(storage_user_remove(f->st, "anna", "cli:test"), BK_OK);
    assert_int_equal(storage_session_get(f->st, SHA_3, &s), BK_ERR_NOT_FOUND);
    char user[INGEST_ID_MAX + 1];
    assert_int_equal(storage_api_key_use(f->st, SHA_1, user), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_session_add(f->st, SHA_1, "nobody", "c", "nl", 1, 1),
                     BK_ERR_NOT_FOUND);
}

typedef struct keys {
    int n;
    char id[4][17], label[4][101];
    int64_t used[4];
} keys;

static int collect_key(const storage_api_key *k, void *ctx)
{
    keys *x = ctx;
    assert_true(x->n < 4);
    snprintf(x->id[x->n], sizeof x->id[0], "%s", k->id);
    snprintf(x->label[x->n], sizeof x->label[0], "%s", k->label);
    x->used[x->n] = k->last_used_ms;
    x->n++;
    return 0;
}

static void test_api_keys(void **state)
{
    fixture *f = *state;
    storage_user anna = user_of("anna", STORAGE_ROLE_WIJKMAKELAAR, "dorst");
    assert_int_equal(storage_user_add(f->st, &anna, HASH, "cli:test"), BK_OK);
    assert_int_equal(storage_api_key_add(f->st, "anna", SHA_1, "Excel"), BK_OK);
    f->vc.wall_ms += 1000;
    assert_int_equal(storage_api_key_add(f->st, "anna", SHA_2, "Power BI"), BK_OK);
    char user[INGEST_ID_MAX + 1];
    f->vc.wall_ms += 1000;
    assert_int_equal(storage_api_key_use(f->st, SHA_1, user), BK_OK);
    assert_string_equal(user, "anna");
    assert_int_equal(storage_api_key_use(f->st, SHA_3, user), BK_ERR_NOT_FOUND);
    keys k = {0};
    assert_int_equal(storage_api_key_foreach(f->st, "anna", collect_key, &k), BK_OK);
    assert_int_equal(k.n, 2);
    assert_string_equal(k.label[0], "Power BI"); /* newest first */
    assert_string_equal(k.id[1], "1111111111111111");
    assert_int_equal(k.used[1], TU_T0_MS + 2000);
    assert_int_equal(storage_api_key_revoke(f->st, "anna", "1111111111111111"), BK_OK);
    assert_int_equal(storage_api_key_revoke(f->st, "anna", "1111111111111111"), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_api_key_revoke(f->st, "bob", "2222222222222222"), BK_ERR_NOT_FOUND);
    assert_int_equal(storage_api_key_use(f->st, SHA_1, user), BK_ERR_NOT_FOUND);
    memset(&k, 0, sizeof k);
    assert_int_equal(storage_api_key_foreach(f->st, "anna", collect_key, &k), BK_OK);
    assert_int_equal(k.n, 1);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM audit_log WHERE action LIKE 'key %'"),
                     3);
    assert_int_equal(
        storage_audit_add(f->st, "anna", "export", "dorst", "csv 2026-11-01..2026-11-30"), BK_OK);
    assert_int_equal(tdb_int(f->path, "SELECT count(*) FROM audit_log WHERE action = 'export'"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cohesion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_and_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_texts_and_moderation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_keys, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
