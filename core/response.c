/* response.c: the PROTOCOL.md response record, shared by the kiosk's store
 * and the collector's storage. */
#include "response.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void response_row_clear(response_row *row)
{
    if (!row)
        return;
    free(row->response_id);
    free(row->survey_id);
    free(row->mode);
    free(row->status);
    free(row->language);
    free(row->area);
    free(row->started_at);
    free(row->completed_at);
    for (size_t i = 0; i < row->n_flags; i++)
        free(row->flags[i]);
    free(row->flags);
    for (size_t i = 0; i < row->n_answers; i++) {
        free(row->answers[i].question_id);
        free(row->answers[i].value_json);
    }
    free(row->answers);
    free(row->batch_id);
    free(row->kiosk_id);
    memset(row, 0, sizeof *row);
}

static json_t *json_string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *response_to_json(const response_row *row, bk_err *err)
{
    *err = BK_ERR_NOMEM;
    json_t *o = json_object();
    json_t *flags = json_array();
    json_t *answers = json_array();
    int bad = !o || !flags || !answers;
    if (row->kiosk_id)
        bad |= json_object_set_new(o, "kiosk_id", json_string(row->kiosk_id));
    bad |= json_object_set_new(o, "response_id", json_string(row->response_id));
    bad |= json_object_set_new(o, "seq", json_integer(row->seq));
    bad |= json_object_set_new(o, "survey_id", json_string(row->survey_id));
    bad |= json_object_set_new(o, "survey_version", json_integer(row->survey_version));
    bad |= json_object_set_new(o, "mode", json_string(row->mode));
    bad |= json_object_set_new(o, "status", json_string(row->status));
    bad |= json_object_set_new(o, "language", json_string(row->language));
    bad |= json_object_set_new(o, "area", json_string_or_null(row->area));
    bad |= json_object_set_new(o, "started_at", json_string(row->started_at));
    bad |= json_object_set_new(o, "completed_at", json_string_or_null(row->completed_at));
    for (size_t i = 0; !bad && i < row->n_flags; i++)
        bad |= json_array_append_new(flags, json_string(row->flags[i]));
    bad |= json_object_set(o, "flags", flags);
    for (size_t i = 0; !bad && i < row->n_answers; i++) {
        const response_answer *a = &row->answers[i];
        json_t *value = json_loads(a->value_json, JSON_DECODE_ANY, NULL);
        if (!value) {
            log_error("response", "answer %s of response %s is not valid JSON",
                      a->question_id ? a->question_id : "?", row->response_id);
            *err = BK_ERR_CORRUPT;
            bad = 1;
            break;
        }
        json_t *ao = json_object();
        int b = !ao;
        b |= json_object_set_new(ao, "question_id", json_string(a->question_id));
        b |= json_object_set_new(ao, "value", value);
        b |= json_array_append_new(answers, ao);
        bad |= b;
    }
    bad |= json_object_set(o, "answers", answers);
    char *text = bad ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(flags);
    json_decref(answers);
    json_decref(o);
    if (text)
        *err = BK_OK;
    return text;
}
