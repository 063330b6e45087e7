/* bench_util.c: see bench_util.h. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void bench_check(bk_err err, const char *what)
{
    if (err == BK_OK)
        return;
    fprintf(stderr, "bench: %s: %s\n", what, bk_err_str(err));
    exit(1);
}

/* A few of the demo configuration's areas. */
static const char *const bench_areas[] = {"centrum", "slotjes", "west",
                                          "strijen", "dorst",   "oosteind"};

/* Ideas as residents type them (the demo survey's text question). */
static const char *const bench_ideas[] = {
    "Een bankje bij de bushalte",
    "Meer groen en een speeltuin in het park, en betere verlichting op het fietspad",
    "Vaker de straat vegen",
    "Een buurtbarbecue in de zomer zodat nieuwe bewoners elkaar leren kennen",
};

void bench_store_response(store *st, const survey *s, uint64_t n)
{
    store_response_meta meta = {.survey_id = s->id,
                                .survey_version = s->version,
                                .mode = "survey",
                                .language = n % 5 == 0 ? "en" : "nl",
                                .area = NULL};
    store_response_ref ref;
    bench_check(store_response_begin(st, &meta, &ref), "store_response_begin");
    uint64_t x = n * 2654435761u + 12345;
    for (size_t i = 0; i < s->n_questions; i++) {
        const survey_question *q = &s->questions[i];
        x = x * 6364136223846793005u + 1442695040888963407u;
        unsigned r = (unsigned)(x >> 33);
        answer_value v = {.kind = ANSWER_NONE};
        const char *list[SURVEY_MAX_OPTIONS];
        switch (q->type) {
        case SURVEY_Q_AREA: /* the area is a field of the response */
            bench_check(
                store_response_set_area(
                    st, ref.rowid, bench_areas[r % (sizeof bench_areas / sizeof *bench_areas)]),
                "store_response_set_area");
            continue;
        case SURVEY_Q_SCALE:
        case SURVEY_Q_SMILEY:
            v.kind = ANSWER_INT;
            v.integer = 1 + r % SURVEY_SCALE_POINTS;
            break;
        case SURVEY_Q_NUMBER:
            v.kind = ANSWER_INT;
            v.integer = q->min + (long)(r % (unsigned long)(q->max - q->min + 1));
            break;
        case SURVEY_Q_CHOICE:
            v.kind = ANSWER_TEXT;
            v.text = q->options[r % q->n_options].id;
            break;
        case SURVEY_Q_MULTI: {
            size_t k = 1 + r % (q->max_choices > 0 ? (unsigned)q->max_choices : 2u);
            if (k > q->n_options)
                k = q->n_options;
            for (size_t j = 0; j < k; j++)
                list[j] = q->options[(r / 7 + j) % q->n_options].id;
            v.kind = ANSWER_LIST;
            v.list = list;
            v.n_list = k;
            break;
        }
        case SURVEY_Q_TEXT:
            v.kind = ANSWER_TEXT;
            v.text = bench_ideas[r % (sizeof bench_ideas / sizeof *bench_ideas)];
            break;
        case SURVEY_Q_INFO:
            continue;
        }
        bench_check(store_answer_set(st, ref.rowid, q->id, &v), "store_answer_set");
    }
    bench_check(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                "store_response_finish");
}
