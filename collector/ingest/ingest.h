/* ingest.h: what the collector does with an uploaded batch before it is
 * stored, apart from HTTP and from storage: inflating a gzip body within a
 * limit, parsing and checking the PROTOCOL.md batch, and checking each
 * response against the survey definition it names (quarantine). Pure C,
 * jansson, zlib; no HTTP, no SQL. Each entry point has a fuzz target. */
#ifndef BK_INGEST_H
#define BK_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "survey.h"

#define INGEST_MSG_MAX 512
#define INGEST_ID_MAX 64       /* kiosk, survey and question ids */
#define INGEST_TEXT_MAX 10000  /* bytes in a text value */
#define INGEST_LIST_MAX 100    /* strings in a list value */
#define INGEST_FLAGS_MAX 32    /* flags per response */
#define INGEST_FLAG_MAX 64     /* characters (code points) in a flag */
#define INGEST_ANSWERS_MAX 100 /* answers per response (SURVEY_MAX_QUESTIONS) */

/* ---- gzip ---- */

/* Inflates the gzip stream in[0..n) into a new buffer (*out, caller frees;
 * NUL-terminated, *out_len without the NUL). Never allocates more than
 * max_out + 1 bytes, however the stream claims to be sized: a gzip bomb
 * stops at the limit. Returns BK_OK, BK_ERR_FULL when the inflated data
 * would exceed max_out (the caller answers 413), BK_ERR_INVALID when the
 * stream is not gzip, truncated or followed by garbage (message in msg),
 * BK_ERR_NOMEM. */
bk_err ingest_gunzip(const unsigned char *in, size_t n, size_t max_out, char **out, size_t *out_len,
                     char msg[INGEST_MSG_MAX]);

/* ---- the batch ---- */

typedef struct ingest_answer {
    char *question_id;
    char *value_json; /* compact JSON of the value: 4, "bus", ["a","b"] */
} ingest_answer;

typedef struct ingest_response {
    char response_id[37];
    int64_t seq;
    char *survey_id;
    int survey_version;
    char *mode;                       /* "survey" or "live" */
    char *status;                     /* "complete" or "partial" */
    char *language;                   /* a language code */
    char *area;                       /* NULL when null */
    char *started_at, *completed_at;  /* RFC 3339 as sent */
    int64_t started_ms, completed_ms; /* completed_ms is 0 when completed_at is NULL */
    char **flags;
    size_t n_flags;
    ingest_answer *answers;
    size_t n_answers;
    /* The response object as canonical JSON (compact, keys sorted): equal
     * responses have equal bodies, so it tells a duplicate from a conflict. */
    char *body;
    char body_sha256[65]; /* lower-case hex of body */
    /* Set by ingest_check_response: NULL when the response fits its survey
     * definition, else why it is quarantined (owned). */
    char *quarantine;
} ingest_response;

typedef struct ingest_batch {
    char batch_id[37];
    char kiosk_id[INGEST_ID_MAX + 1];
    char created_at[40];
    ingest_response *responses;
    size_t n_responses;
} ingest_batch;

/* What went wrong with a batch, for the HTTP answer. */
typedef enum ingest_verdict {
    INGEST_OK,
    INGEST_NOT_JSON,  /* 400: not JSON, invalid UTF-8, not an object */
    INGEST_INVALID,   /* 422: a field missing, of the wrong type or value */
    INGEST_TOO_MANY,  /* 413: more than max_responses responses */
    INGEST_NO_MEMORY, /* 503 */
} ingest_verdict;

/* Parses and checks the batch body json[0..len) (not necessarily
 * NUL-terminated) against PROTOCOL.md version 1: protocol 1, batch_id a
 * UUID v4, kiosk_id an id, created_at and each response's started_at and
 * completed_at RFC 3339 UTC (completed_at may be null), response_id a UUID
 * v4, seq >= 0, every field of every response present
 * and of its type, answers' values an integer, a string or an array of
 * strings, no response_id twice in one batch. Unknown extra fields are
 * allowed (later protocol versions add fields). On INGEST_OK *out holds the
 * batch (free with ingest_batch_clear). Otherwise msg names the field and
 * the response's index, e.g. "responses[3].started_at: not an RFC 3339 time
 * stamp with milliseconds", and *out is empty. */
ingest_verdict ingest_batch_parse(const char *json, size_t len, int max_responses,
                                  ingest_batch *out, char msg[INGEST_MSG_MAX]);

/* Frees what b owns and zeroes it. NULL is a no-op. */
void ingest_batch_clear(ingest_batch *b);

/* Parses one response object json[0..len) (a line of a kiosk's JSON Lines
 * export) with the same rules as a response inside a batch; messages name
 * the field ("started_at: ..."). On INGEST_OK *out holds it (free with
 * ingest_response_clear). */
ingest_verdict ingest_response_parse(const char *json, size_t len, ingest_response *out,
                                     char msg[INGEST_MSG_MAX]);

/* Frees what r owns and zeroes it. NULL is a no-op. */
void ingest_response_clear(ingest_response *r);

/* Checks r against def, the definition of r->survey_id at r->survey_version
 * (NULL when the collector holds none), and sets r->quarantine to the
 * reason when it does not fit: no such definition, an unknown question, a
 * value of the wrong type, out of range, an unknown option, too many
 * choices, text too long, a language the survey does not have. Returns
 * BK_OK or BK_ERR_NOMEM. */
bk_err ingest_check_response(ingest_response *r, const survey *def);

#endif
