/* response.h: one resident's response as PROTOCOL.md describes it, with its
 * answers as JSON text. The kiosk's store reads its rows into this record;
 * the collector's storage does the same, so exports and uploads write one
 * response the same way everywhere. */
#ifndef BK_RESPONSE_H
#define BK_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct response_answer {
    char *question_id;
    char *value_json; /* e.g. 4, "bus", ["park","speeltuin"] */
    bool hidden;      /* kiosk: moderated out of live results */
} response_answer;

typedef struct response_row {
    int64_t rowid, seq;
    char *response_id, *survey_id, *mode, *status, *language, *area; /* area may be NULL */
    int survey_version;
    char *started_at, *completed_at; /* RFC 3339; completed_at NULL while started */
    char **flags;
    size_t n_flags;
    response_answer *answers;
    size_t n_answers;
    char *batch_id; /* NULL when not in a batch */
    char *kiosk_id; /* collector: the kiosk it came from; NULL on a kiosk */
    bool delivered; /* kiosk: acknowledged by the server */
    bool rejected;  /* kiosk: set aside after 400/422 */
} response_row;

/* Frees every string and array row owns and zeroes it. NULL is a no-op. */
void response_row_clear(response_row *row);

/* The PROTOCOL.md response object of row as compact JSON, a new string the
 * caller frees; NULL with *err BK_ERR_NOMEM, or BK_ERR_CORRUPT when a value
 * is not valid JSON. The hidden flag is not part of it; a "kiosk_id"
 * member comes first when row->kiosk_id is set (collector exports). */
char *response_to_json(const response_row *row, bk_err *err);

#endif
