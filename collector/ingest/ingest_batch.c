/* ingest_batch.c: parsing and checking a PROTOCOL.md version 1 batch body
 * (and single response objects), and the canonical body of each response.
 *
 * Messages name the field as a path from the body's top level
 * ("responses[3].answers[1].value: ...") and only ever quote values that
 * passed their own check (ids, UUIDs), so a message is one line of
 * printable ASCII that the HTTP layer can send back as it is. */
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ingest.h"
#include "ingest_internal.h"
#include "survey.h"
#include "uuid.h"

#define ID_RULE "must be an id: 1 to 64 characters of a-z, 0-9, _ and -"
#define UUID_RULE                                                                                  \
    "must be a UUID version 4 in lower case, e.g. \"0f8fad5b-d9cb-469f-a165-70867728950e\""
#define TIME_RULE "an RFC 3339 time stamp, e.g. \"2026-11-29T10:02:11.020Z\""
#define VALUE_RULE "must be an integer, a string or an array of strings"
#define TIME_TEXT_MAX 39 /* bytes in a time stamp (created_at[40]) */

/* Returns the verdict of e unless it is INGEST_OK. */
#define TRY(e)                                                                                     \
    do {                                                                                           \
        ingest_verdict try_v = (e);                                                                \
        if (try_v != INGEST_OK)                                                                    \
            return try_v;                                                                          \
    } while (0)

/* Where a field is: prefix ("responses[3]", or "" for a lone response)
 * and the message buffer. */
typedef struct pctx {
    char *msg;
    const char *prefix;
} pctx;

static void say_at(char msg[INGEST_MSG_MAX], const char *prefix, const char *field, const char *fmt,
                   va_list ap)
{
    int n;
    if (!prefix[0])
        n = snprintf(msg, INGEST_MSG_MAX, "%s: ", field);
    else if (!field[0])
        n = snprintf(msg, INGEST_MSG_MAX, "%s: ", prefix);
    else
        n = snprintf(msg, INGEST_MSG_MAX, "%s.%s: ", prefix, field);
    if (n > 0 && n < INGEST_MSG_MAX)
        vsnprintf(msg + n, (size_t)(INGEST_MSG_MAX - n), fmt, ap);
}

/* Writes "<prefix>.<field>: <text>" into c->msg; returns INGEST_INVALID. */
static ingest_verdict invalid(const pctx *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ingest_verdict invalid(const pctx *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say_at(c->msg, c->prefix, field, fmt, ap);
    va_end(ap);
    return INGEST_INVALID;
}

static ingest_verdict no_memory(char msg[INGEST_MSG_MAX])
{
    snprintf(msg, INGEST_MSG_MAX, "out of memory");
    return INGEST_NO_MEMORY;
}

/* jansson's message with anything but printable ASCII replaced by '?'
 * (it may quote the offending bytes). */
static void json_syntax_message(char msg[INGEST_MSG_MAX], const char *what, const json_error_t *e)
{
    char text[JSON_ERROR_TEXT_LENGTH];
    size_t i = 0;
    for (; e->text[i] && i + 1 < sizeof text; i++) {
        unsigned char ch = (unsigned char)e->text[i];
        text[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    text[i] = '\0';
    snprintf(msg, INGEST_MSG_MAX, "%s is not valid JSON: %s (line %d, column %d)", what, text,
             e->line, e->column);
}

/* True when the UTF-8 text s[0..n) has no control characters (C0, DEL, C1). */
static bool utf8_printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return false;
        if (ch == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F)
            return false;
    }
    return true;
}

/* The string member key of o, or NULL when it is absent or not a string;
 * *present tells the two apart. */
static const char *get_string(json_t *o, const char *key, bool *present)
{
    json_t *v = json_object_get(o, key);
    *present = v != NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Copies a string member that must be present and pass ok(); the rule is
 * the message when it does not. */
static ingest_verdict take_string(const pctx *c, json_t *o, const char *key,
                                  bool (*ok)(const char *), const char *rule, char **out)
{
    bool present;
    const char *s = get_string(o, key, &present);
    if (!present)
        return invalid(c, key, "missing");
    if (!s || !ok(s))
        return invalid(c, key, "%s", rule);
    *out = strdup(s);
    return *out ? INGEST_OK : no_memory(c->msg);
}

static bool is_mode(const char *s)
{
    return strcmp(s, "survey") == 0 || strcmp(s, "live") == 0;
}

static bool is_status(const char *s)
{
    return strcmp(s, "complete") == 0 || strcmp(s, "partial") == 0;
}

/* A time stamp member: present, RFC 3339, copied to *text, parsed to *ms.
 * When nullable, JSON null gives *text NULL and *ms 0. */
static ingest_verdict take_time(const pctx *c, json_t *o, const char *key, bool nullable,
                                char **text, int64_t *ms)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return invalid(c, key, "missing");
    *ms = 0;
    if (nullable && json_is_null(v))
        return INGEST_OK;
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) > TIME_TEXT_MAX || clock_parse_rfc3339(s, ms) != BK_OK)
        return invalid(c, key, "%s" TIME_RULE, nullable ? "must be null or " : "must be ");
    *text = strdup(s);
    return *text ? INGEST_OK : no_memory(c->msg);
}

static ingest_verdict take_flags(const pctx *c, json_t *o, ingest_response *r)
{
    json_t *v = json_object_get(o, "flags");
    if (!v)
        return invalid(c, "flags", "missing");
    if (!json_is_array(v))
        return invalid(c, "flags", "must be an array of strings");
    size_t n = json_array_size(v);
    if (n > INGEST_FLAGS_MAX)
        return invalid(c, "flags", "%zu flags; at most %d are accepted", n, INGEST_FLAGS_MAX);
    if (n == 0)
        return INGEST_OK;
    r->flags = calloc(n, sizeof *r->flags);
    if (!r->flags)
        return no_memory(c->msg);
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(v, i);
        const char *s = json_string_value(f);
        size_t len = json_string_length(f);
        size_t chars = s ? ingest_utf8_chars(s, len) : 0;
        if (!s || chars < 1 || chars > INGEST_FLAG_MAX || !utf8_printable(s, len)) {
            char field[32];
            snprintf(field, sizeof field, "flags[%zu]", i);
            return invalid(c, field, "must be a string of 1 to %d printable characters",
                           INGEST_FLAG_MAX);
        }
        r->flags[i] = strdup(s);
        if (!r->flags[i])
            return no_memory(c->msg);
        r->n_flags++;
    }
    return INGEST_OK;
}

/* Checks one answer's value (an integer, a text, or a list of option ids);
 * field is "answers[j].value". */
static ingest_verdict check_value(const pctx *c, const char *field, json_t *v)
{
    if (json_is_integer(v))
        return INGEST_OK;
    if (json_is_string(v)) {
        size_t len = json_string_length(v);
        if (len > INGEST_TEXT_MAX)
            return invalid(c, field, "a text of %zu bytes; at most %d bytes are accepted", len,
                           INGEST_TEXT_MAX);
        return INGEST_OK;
    }
    if (!json_is_array(v))
        return invalid(c, field, VALUE_RULE);
    size_t n = json_array_size(v);
    if (n > INGEST_LIST_MAX)
        return invalid(c, field, "a list of %zu strings; at most %d are accepted", n,
                       INGEST_LIST_MAX);
    for (size_t k = 0; k < n; k++) {
        json_t *item = json_array_get(v, k);
        if (!json_is_string(item))
            return invalid(c, field, VALUE_RULE);
        size_t len = json_string_length(item);
        if (len > INGEST_ID_MAX) {
            char sub[96];
            snprintf(sub, sizeof sub, "%s[%zu]", field, k);
            return invalid(c, sub, "a string of %zu bytes; at most %d are accepted (an option id)",
                           len, INGEST_ID_MAX);
        }
    }
    return INGEST_OK;
}

static ingest_verdict take_answers(const pctx *c, json_t *o, ingest_response *r)
{
    json_t *v = json_object_get(o, "answers");
    if (!v)
        return invalid(c, "answers", "missing");
    if (!json_is_array(v))
        return invalid(c, "answers", "must be an array of answers");
    size_t n = json_array_size(v);
    if (n > INGEST_ANSWERS_MAX)
        return invalid(c, "answers",
                       "%zu answers; at most %d are accepted (a survey has at most %d questions)",
                       n, INGEST_ANSWERS_MAX, SURVEY_MAX_QUESTIONS);
    if (n == 0)
        return INGEST_OK;
    r->answers = calloc(n, sizeof *r->answers);
    if (!r->answers)
        return no_memory(c->msg);
    for (size_t j = 0; j < n; j++) {
        json_t *a = json_array_get(v, j);
        char field[64];
        snprintf(field, sizeof field, "answers[%zu]", j);
        if (!json_is_object(a))
            return invalid(c, field, "must be an object with \"question_id\" and \"value\"");
        bool present;
        const char *qid = get_string(a, "question_id", &present);
        snprintf(field, sizeof field, "answers[%zu].question_id", j);
        if (!present)
            return invalid(c, field, "missing");
        if (!qid || !survey_id_valid(qid))
            return invalid(c, field, ID_RULE);
        for (size_t k = 0; k < j; k++)
            if (strcmp(r->answers[k].question_id, qid) == 0)
                return invalid(c, field, "question \"%s\" is answered twice (also answers[%zu])",
                               qid, k);
        json_t *value = json_object_get(a, "value");
        snprintf(field, sizeof field, "answers[%zu].value", j);
        if (!value)
            return invalid(c, field, "missing");
        ingest_verdict vv = check_value(c, field, value);
        if (vv != INGEST_OK)
            return vv;
        ingest_answer *dst = &r->answers[j];
        dst->question_id = strdup(qid);
        dst->value_json = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        r->n_answers++;
        if (!dst->question_id || !dst->value_json)
            return no_memory(c->msg);
    }
    return INGEST_OK;
}

/* The canonical body of o and its SHA-256. */
static ingest_verdict take_body(const pctx *c, json_t *o, ingest_response *r)
{
    r->body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!r->body)
        return no_memory(c->msg);
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)r->body, strlen(r->body));
    sodium_bin2hex(r->body_sha256, sizeof r->body_sha256, hash, sizeof hash);
    return INGEST_OK;
}

static bool area_ok(const char *s)
{
    return survey_id_valid(s);
}

/* Parses the response object o into r (zeroed by the caller). */
static ingest_verdict parse_response(const pctx *c, json_t *o, ingest_response *r)
{
    bool present;
    const char *rid = get_string(o, "response_id", &present);
    if (!present)
        return invalid(c, "response_id", "missing");
    if (!rid || !bk_uuid_is_v4(rid))
        return invalid(c, "response_id", UUID_RULE);
    memcpy(r->response_id, rid, sizeof r->response_id);

    json_t *seq = json_object_get(o, "seq");
    if (!seq)
        return invalid(c, "seq", "missing");
    if (!json_is_integer(seq) || json_integer_value(seq) < 0)
        return invalid(c, "seq", "must be an integer >= 0");
    r->seq = json_integer_value(seq);

    TRY(take_string(c, o, "survey_id", survey_id_valid, ID_RULE, &r->survey_id));
    json_t *ver = json_object_get(o, "survey_version");
    if (!ver)
        return invalid(c, "survey_version", "missing");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1 || json_integer_value(ver) > INT_MAX)
        return invalid(c, "survey_version", "must be an integer >= 1");
    r->survey_version = (int)json_integer_value(ver);

    TRY(take_string(c, o, "mode", is_mode, "must be \"survey\" or \"live\"", &r->mode));
    TRY(take_string(c, o, "status", is_status, "must be \"complete\" or \"partial\"", &r->status));
    TRY(take_string(c, o, "language", survey_language_valid,
                    "must be a language code: 2 or 3 lower-case letters, optionally - and 2 "
                    "to 8 lower-case letters or digits, e.g. \"nl\"",
                    &r->language));
    json_t *area = json_object_get(o, "area");
    if (!area)
        return invalid(c, "area", "missing");
    if (!json_is_null(area))
        TRY(take_string(c, o, "area", area_ok,
                        "must be null or an id: 1 to 64 characters of "
                        "a-z, 0-9, _ and -",
                        &r->area));
    TRY(take_time(c, o, "started_at", false, &r->started_at, &r->started_ms));
    TRY(take_time(c, o, "completed_at", true, &r->completed_at, &r->completed_ms));
    TRY(take_flags(c, o, r));
    TRY(take_answers(c, o, r));
    return take_body(c, o, r);
}

static bool sodium_ready(void)
{
    return sodium_init() >= 0; /* idempotent; 1 when already done */
}

void ingest_response_clear(ingest_response *r)
{
    if (!r)
        return;
    free(r->survey_id);
    free(r->mode);
    free(r->status);
    free(r->language);
    free(r->area);
    free(r->started_at);
    free(r->completed_at);
    for (size_t i = 0; i < r->n_flags; i++)
        free(r->flags[i]);
    free(r->flags);
    for (size_t i = 0; i < r->n_answers; i++) {
        free(r->answers[i].question_id);
        free(r->answers[i].value_json);
    }
    free(r->answers);
    free(r->body);
    free(r->quarantine);
    memset(r, 0, sizeof *r);
}

void ingest_batch_clear(ingest_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_responses; i++)
        ingest_response_clear(&b->responses[i]);
    free(b->responses);
    memset(b, 0, sizeof *b);
}

ingest_verdict ingest_response_parse(const char *json, size_t len, ingest_response *out,
                                     char msg[INGEST_MSG_MAX])
{
    memset(out, 0, sizeof *out);
    msg[0] = '\0';
    if (!sodium_ready())
        return no_memory(msg);
    json_error_t e;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!o) {
        if (json_error_code(&e) == json_error_out_of_memory)
            return no_memory(msg);
        json_syntax_message(msg, "response", &e);
        return INGEST_NOT_JSON;
    }
    ingest_verdict v;
    if (!json_is_object(o)) {
        snprintf(msg, INGEST_MSG_MAX, "response must be a JSON object");
        v = INGEST_NOT_JSON;
    } else {
        pctx c = {.msg = msg, .prefix = ""};
        v = parse_response(&c, o, out);
    }
    json_decref(o);
    if (v != INGEST_OK)
        ingest_response_clear(out);
    return v;
}

typedef struct id_ref {
    const char *id;
    size_t index;
} id_ref;

static int cmp_id_ref(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* INGEST_INVALID naming the first response (in batch order) whose
 * response_id an earlier one already has. */
static ingest_verdict check_unique_ids(const ingest_batch *b, char msg[INGEST_MSG_MAX])
{
    if (b->n_responses < 2)
        return INGEST_OK;
    id_ref *refs = malloc(b->n_responses * sizeof *refs);
    if (!refs)
        return no_memory(msg);
    for (size_t i = 0; i < b->n_responses; i++)
        refs[i] = (id_ref){b->responses[i].response_id, i};
    qsort(refs, b->n_responses, sizeof *refs, cmp_id_ref);
    size_t first = 0, later = SIZE_MAX;
    for (size_t i = 1; i < b->n_responses; i++)
        if (strcmp(refs[i].id, refs[i - 1].id) == 0 && refs[i].index < later) {
            later = refs[i].index;
            first = refs[i - 1].index; /* runs are in index order: the run's first */
        }
    ingest_verdict v = INGEST_OK;
    if (later != SIZE_MAX) {
        snprintf(msg, INGEST_MSG_MAX,
                 "responses[%zu].response_id: \"%s\" is also the response_id of responses[%zu]",
                 later, b->responses[later].response_id, first);
        v = INGEST_INVALID;
    }
    free(refs);
    return v;
}

static bool is_uuid(const char *s)
{
    return bk_uuid_is_v4(s);
}

static bool is_time(const char *s)
{
    int64_t ms;
    return strlen(s) <= TIME_TEXT_MAX && clock_parse_rfc3339(s, &ms) == BK_OK;
}

/* Copies a checked string member into a fixed buffer of size bytes. */
static ingest_verdict take_fixed(const pctx *c, json_t *o, const char *key,
                                 bool (*ok)(const char *), const char *rule, char *out, size_t size)
{
    bool present;
    const char *s = get_string(o, key, &present);
    if (!present)
        return invalid(c, key, "missing");
    if (!s || strlen(s) >= size || !ok(s))
        return invalid(c, key, "%s", rule);
    memcpy(out, s, strlen(s) + 1);
    return INGEST_OK;
}

static ingest_verdict parse_batch(json_t *root, int max_responses, ingest_batch *out,
                                  char msg[INGEST_MSG_MAX])
{
    pctx top = {.msg = msg, .prefix = ""};
    json_t *protocol = json_object_get(root, "protocol");
    if (!protocol)
        return invalid(&top, "protocol", "missing");
    if (!json_is_integer(protocol) || json_integer_value(protocol) != 1)
        return invalid(&top, "protocol", "must be 1, the protocol version this collector speaks");
    TRY(take_fixed(&top, root, "batch_id", is_uuid,
                   "must be a UUID version 4 in lower case, e.g. "
                   "\"7d0f5c8e-7a59-4d1e-9a0f-3b0b8a1d2c11\"",
                   out->batch_id, sizeof out->batch_id));
    TRY(take_fixed(&top, root, "kiosk_id", survey_id_valid, ID_RULE, out->kiosk_id,
                   sizeof out->kiosk_id));
    TRY(take_fixed(&top, root, "created_at", is_time, "must be " TIME_RULE, out->created_at,
                   sizeof out->created_at));
    json_t *responses = json_object_get(root, "responses");
    if (!responses)
        return invalid(&top, "responses", "missing");
    if (!json_is_array(responses))
        return invalid(&top, "responses", "must be an array of responses");
    size_t n = json_array_size(responses);
    if (max_responses < 0 || n > (size_t)max_responses) {
        snprintf(msg, INGEST_MSG_MAX,
                 "responses: %zu responses; at most %d are accepted in one batch", n,
                 max_responses < 0 ? 0 : max_responses);
        return INGEST_TOO_MANY;
    }
    if (n == 0)
        return INGEST_OK;
    out->responses = calloc(n, sizeof *out->responses);
    if (!out->responses)
        return no_memory(msg);
    for (size_t i = 0; i < n; i++) {
        char prefix[40];
        snprintf(prefix, sizeof prefix, "responses[%zu]", i);
        pctx c = {.msg = msg, .prefix = prefix};
        json_t *o = json_array_get(responses, i);
        if (!json_is_object(o))
            return invalid(&c, "", "must be an object");
        ingest_verdict v = parse_response(&c, o, &out->responses[i]);
        out->n_responses++; /* cleared with the batch, also when incomplete */
        if (v != INGEST_OK)
            return v;
    }
    return check_unique_ids(out, msg);
}

ingest_verdict ingest_batch_parse(const char *json, size_t len, int max_responses,
                                  ingest_batch *out, char msg[INGEST_MSG_MAX])
{
    memset(out, 0, sizeof *out);
    msg[0] = '\0';
    if (!sodium_ready())
        return no_memory(msg);
    json_error_t e;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!root) {
        if (json_error_code(&e) == json_error_out_of_memory)
            return no_memory(msg);
        json_syntax_message(msg, "body", &e);
        return INGEST_NOT_JSON;
    }
    ingest_verdict v;
    if (!json_is_object(root)) {
        snprintf(msg, INGEST_MSG_MAX, "body must be a JSON object");
        v = INGEST_NOT_JSON;
    } else {
        v = parse_batch(root, max_responses, out, msg);
    }
    json_decref(root);
    if (v != INGEST_OK)
        ingest_batch_clear(out);
    return v;
}
