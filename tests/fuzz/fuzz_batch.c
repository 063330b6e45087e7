/* fuzz_batch.c: libFuzzer target for the collector's batch parser
 * (collector/ingest/ingest_batch.c) and the check of each response against
 * a survey definition (ingest_check.c): what every kiosk, and anyone who
 * holds a token, can send to POST /v1/batches.
 *
 * The input is the body as sent. Checks: a refused body leaves the batch
 * empty and says why in one line of printable ASCII (the HTTP layer sends
 * it back as it is); an accepted one has at most the limit of responses,
 * each with a canonical body that is valid JSON, parses again as a lone
 * response to the same body and hash (so a duplicate is always a
 * duplicate), and a quarantine reason that is one line of valid UTF-8. The
 * same body also goes through ingest_response_parse as a JSON Lines line. */
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "ingest.h"
#include "log.h"
#include "survey.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_RESPONSES 20

static const char fz_survey[] =
    "{\"id\":\"buurtpeiling\",\"version\":1,\"languages\":[\"nl\",\"en\"],"
    "\"title\":{\"nl\":\"T\",\"en\":\"T\"},\"questions\":["
    "{\"id\":\"q1\",\"type\":\"scale\",\"text\":{\"nl\":\"Q\",\"en\":\"Q\"},"
    "\"labels\":{\"nl\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"en\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}},"
    "{\"id\":\"q2\",\"type\":\"multi\",\"max\":2,"
    "\"text\":{\"nl\":\"Q\",\"en\":\"Q\"},\"options\":["
    "{\"id\":\"park\",\"label\":{\"nl\":\"P\",\"en\":\"P\"}},"
    "{\"id\":\"bus\",\"label\":{\"nl\":\"B\",\"en\":\"B\"}},"
    "{\"id\":\"zon\",\"label\":{\"nl\":\"Z\",\"en\":\"Z\"}}]},"
    "{\"id\":\"q3\",\"type\":\"text\",\"max_length\":40,\"text\":{\"nl\":\"Q\",\"en\":\"Q\"}}]}";

static survey *fz_def;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level(LOG_LEVEL_ERROR);
    FUZZ_CHECK(sodium_init() >= 0, "sodium_init");
    bk_diag diag = {0};
    fz_def = survey_load_string(fz_survey, strlen(fz_survey), "fuzz", &diag);
    diag_clear(&diag);
    FUZZ_CHECK(fz_def != NULL, "the fuzz survey is valid");
    return 0;
}

static bool fz_printable_line(const char *s)
{
    if (!s[0])
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

static bool fz_utf8_line(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || memchr(s, '\n', n) || memchr(s, '\r', n))
        return false;
    /* Valid UTF-8: jansson decodes only valid UTF-8 strings. */
    json_t *j = json_stringn(s, n);
    bool ok = j != NULL;
    json_decref(j);
    return ok;
}

static void fz_check_response(ingest_response *r)
{
    FUZZ_CHECK(r->body && r->body[0] == '{', "a canonical body");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)r->body, strlen(r->body));
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    FUZZ_CHECK(strcmp(hex, r->body_sha256) == 0, "body_sha256 is the body's hash");

    ingest_response again;
    char msg[INGEST_MSG_MAX];
    ingest_verdict v = ingest_response_parse(r->body, strlen(r->body), &again, msg);
    FUZZ_CHECK(v == INGEST_OK, "a canonical body parses again");
    FUZZ_CHECK(strcmp(again.body, r->body) == 0, "the canonical body is a fixed point");
    ingest_response_clear(&again);

    FUZZ_CHECK(ingest_check_response(r, fz_def) == BK_OK, "check");
    FUZZ_CHECK(!r->quarantine || fz_utf8_line(r->quarantine), "a one-line quarantine reason");
    char *first = r->quarantine ? strdup(r->quarantine) : NULL;
    free(r->quarantine);
    r->quarantine = NULL;
    FUZZ_CHECK(ingest_check_response(r, fz_def) == BK_OK, "check again");
    FUZZ_CHECK((first == NULL) == (r->quarantine == NULL) &&
                   (!first || strcmp(first, r->quarantine) == 0),
               "the check gives the same verdict twice");
    free(first);
    FUZZ_CHECK(ingest_check_response(r, NULL) == BK_OK && r->quarantine,
               "no definition: quarantined");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[INGEST_MSG_MAX];
    ingest_batch b;
    ingest_verdict v = ingest_batch_parse((const char *)data, size, FZ_MAX_RESPONSES, &b, msg);
    if (v == INGEST_OK) {
        FUZZ_CHECK(b.n_responses <= FZ_MAX_RESPONSES, "within the limit");
        for (size_t i = 0; i < b.n_responses; i++)
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(strcmp(b.responses[i].response_id, b.responses[j].response_id) != 0,
                           "no response twice in a batch");
        for (size_t i = 0; i < b.n_responses; i++)
            fz_check_response(&b.responses[i]);
    } else {
        FUZZ_CHECK(b.n_responses == 0 && b.responses == NULL, "a refused batch is empty");
        FUZZ_CHECK(v == INGEST_NO_MEMORY || fz_printable_line(msg),
                   "a refusal says why in printable ASCII");
    }
    ingest_batch_clear(&b);

    ingest_response r;
    v = ingest_response_parse((const char *)data, size, &r, msg);
    if (v == INGEST_OK)
        fz_check_response(&r);
    else
        FUZZ_CHECK(v == INGEST_NO_MEMORY || fz_printable_line(msg), "a line refused says why");
    ingest_response_clear(&r);
    return 0;
}
