/* report_surveys.c: see report_surveys.h. */
#include "report_surveys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The (survey id, highest version) pairs of the counts. */
typedef struct report_seen {
    char id[REPORT_MAX_SURVEYS][SURVEY_ID_MAX + 1];
    int version[REPORT_MAX_SURVEYS];
    size_t n;
    bool with_quarantined; /* else groups of quarantined responses only are skipped */
} report_seen;

static int report_note_survey(const storage_count_row *row, void *ctx)
{
    report_seen *seen = ctx;
    if (row->responses == 0 && !seen->with_quarantined)
        return 0;
    for (size_t i = 0; i < seen->n; i++) {
        if (strcmp(seen->id[i], row->survey_id) == 0) {
            if (row->survey_version > seen->version[i])
                seen->version[i] = row->survey_version;
            return 0;
        }
    }
    if (seen->n < REPORT_MAX_SURVEYS && strlen(row->survey_id) <= SURVEY_ID_MAX) {
        snprintf(seen->id[seen->n], sizeof seen->id[0], "%s", row->survey_id);
        seen->version[seen->n++] = row->survey_version;
    }
    return 0;
}

size_t report_surveys_load(storage *st, bool with_quarantined, survey **out,
                           void (*missing)(void *ctx, const char *survey_id, int version),
                           void *ctx)
{
    report_seen *seen = calloc(1, sizeof *seen);
    if (!seen)
        return 0;
    size_t n = 0;
    seen->with_quarantined = with_quarantined;
    if (storage_counts(st, report_note_survey, seen) != BK_OK) {
        free(seen);
        return 0;
    }
    for (size_t i = 0; i < seen->n; i++) {
        char *json = NULL;
        if (storage_survey_get(st, seen->id[i], seen->version[i], &json) != BK_OK) {
            if (missing)
                missing(ctx, seen->id[i], seen->version[i]);
            continue;
        }
        bk_diag diag = {0};
        survey *s = survey_load_string(json, strlen(json), seen->id[i], &diag);
        diag_clear(&diag);
        free(json);
        if (s)
            out[n++] = s;
    }
    free(seen);
    return n;
}
