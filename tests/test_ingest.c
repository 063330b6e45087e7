/* test_ingest.c: the collector's ingest module (collector/ingest/ingest.h):
 * RFC 3339 parsing (core/clock.h), gzip within a limit, the batch parser's
 * rules and messages, canonical bodies, the check against a survey
 * definition, and a batch made by the kiosk's own store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <zlib.h>

#include "clock.h"
#include "ingest.h"
#include "store.h"
#include "survey.h"
#include "test_store_util.h"
#include "uuid.h"

/* ---- allocation watch (the test links with --wrap=malloc,--wrap=realloc) ---- */

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);

static size_t largest_request; /* the largest malloc/realloc size since reset */

void *__wrap_malloc(size_t n)
{
    if (n > largest_request)
        largest_request = n;
    return __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (n > largest_request)
        largest_request = n;
    return __real_realloc(p, n);
}

/* ---- helpers ---- */

/* in[0..n) as one gzip member, in a new buffer (caller frees). */
static unsigned char *gzip(const void *in, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n);
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (unsigned char *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static const char *const base_batch =
    "{\"protocol\": 1, \"batch_id\": \"7d0f5c8e-7a59-4d1e-9a0f-3b0b8a1d2c11\","
    " \"kiosk_id\": \"dorst-bibliotheek-01\", \"created_at\": \"2026-11-29T13:45:12.345Z\","
    " \"responses\": ["
    "{\"response_id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"seq\": 1041,"
    " \"survey_id\": \"alltypes\", \"survey_version\": 3, \"mode\": \"survey\","
    " \"status\": \"complete\", \"language\": \"nl\", \"area\": \"dorst\","
    " \"started_at\": \"2026-11-29T10:02:11.020Z\", \"completed_at\": \"2026-11-29T10:04:40.512Z\","
    " \"flags\": [], \"answers\": ["
    "{\"question_id\": \"schoon\", \"value\": 4},"
    " {\"question_id\": \"vervoer\", \"value\": \"bus\"},"
    " {\"question_id\": \"mee\", \"value\": [\"feest\", \"groen\"]},"
    " {\"question_id\": \"idee\", \"value\": \"Meer bankjes bij de vijver.\"}]},"
    "{\"response_id\": \"1b4e28ba-2fa1-41d2-883f-0016d3cca427\", \"seq\": 1042,"
    " \"survey_id\": \"alltypes\", \"survey_version\": 3, \"mode\": \"live\","
    " \"status\": \"partial\", \"language\": \"en\", \"area\": null,"
    " \"started_at\": \"2026-11-29T10:05:00.000Z\", \"completed_at\": null,"
    " \"flags\": [\"rapid\", \"repeat\"], \"answers\": ["
    "{\"question_id\": \"wijk\", \"value\": \"centrum\"},"
    " {\"question_id\": \"leeftijd\", \"value\": 120}]}"
    "]}";

/* Parses text as a batch with a limit of 100 responses; the verdict. */
static ingest_verdict parse_text(const char *text, ingest_batch *b, char *msg)
{
    return ingest_batch_parse(text, strlen(text), 100, b, msg);
}

/* The base batch with one change: in object `where` ("top", "r1" for
 * responses[1], "r1a1" for responses[1].answers[1]) key is set to the JSON
 * value (NULL: removed). Returns the verdict, message in msg. */
static ingest_verdict parse_changed(const char *where, const char *key, const char *value,
                                    char msg[INGEST_MSG_MAX])
{
    json_t *root = json_loads(base_batch, 0, NULL);
    assert_non_null(root);
    json_t *o = root;
    if (strncmp(where, "r", 1) == 0) {
        o = json_array_get(json_object_get(root, "responses"), (size_t)(where[1] - '0'));
        if (where[2] == 'a')
            o = json_array_get(json_object_get(o, "answers"), (size_t)(where[3] - '0'));
    }
    assert_non_null(o);
    if (value) {
        json_error_t e;
        json_t *v = json_loads(value, JSON_DECODE_ANY, &e);
        assert_non_null(v);
        json_object_set_new(o, key, v);
    } else {
        json_object_del(o, key);
    }
    char *text = json_dumps(root, 0);
    json_decref(root);
    ingest_batch b;
    ingest_verdict v = parse_text(text, &b, msg);
    free(text);
    if (v != INGEST_OK)
        assert_int_equal(b.n_responses, 0);
    ingest_batch_clear(&b);
    return v;
}

static void expect_invalid(const char *where, const char *key, const char *value,
                           const char *message)
{
    char msg[INGEST_MSG_MAX];
    ingest_verdict v = parse_changed(where, key, value, msg);
    if (v != INGEST_INVALID || strcmp(msg, message) != 0)
        fail_msg("%s.%s = %s: verdict %d, \"%s\"; expected \"%s\"", where, key,
                 value ? value : "(removed)", v, msg, message);
}

static void expect_ok(const char *where, const char *key, const char *value)
{
    char msg[INGEST_MSG_MAX];
    ingest_verdict v = parse_changed(where, key, value, msg);
    if (v != INGEST_OK)
        fail_msg("%s.%s = %s: verdict %d, \"%s\"; expected OK", where, key,
                 value ? value : "(removed)", v, msg);
}

static survey *load_survey(const char *path)
{
    bk_diag d = {0};
    survey *s = survey_load_file(path, &d);
    if (!s)
        fail_msg("%s: %s", path, d.count ? d.messages[0] : "?");
    diag_clear(&d);
    return s;
}

/* ---- clock_parse_rfc3339 ---- */

static void test_rfc3339_parse(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:00Z", &ms), BK_OK);
    assert_int_equal(ms, 0);
    assert_int_equal(clock_parse_rfc3339("2026-11-29T10:00:00.000Z", &ms), BK_OK);
    assert_int_equal(ms, TU_T0_MS);
    assert_int_equal(clock_parse_rfc3339("2026-11-29T10:00:00.5Z", &ms), BK_OK);
    assert_int_equal(ms, TU_T0_MS + 500);
    assert_int_equal(clock_parse_rfc3339("2026-11-29T10:00:00.123456789Z", &ms), BK_OK);
    assert_int_equal(ms, TU_T0_MS + 123);
    assert_int_equal(clock_parse_rfc3339("2026-11-29T11:00:00+01:00", &ms), BK_OK);
    assert_int_equal(ms, TU_T0_MS);
    assert_int_equal(clock_parse_rfc3339("2026-11-29T04:30:00.000-05:30", &ms), BK_OK);
    assert_int_equal(ms, TU_T0_MS);
    assert_int_equal(clock_parse_rfc3339("2026-11-29T10:00:00-00:00", &ms), BK_OK);
    assert_int_equal(ms, TU_T0_MS);
    assert_int_equal(clock_parse_rfc3339("2024-02-29T00:00:00Z", &ms), BK_OK);
    assert_int_equal(clock_parse_rfc3339("2000-02-29T23:59:59.999Z", &ms), BK_OK);
    assert_int_equal(ms, INT64_C(951868799999));
    assert_int_equal(clock_parse_rfc3339("1969-12-31T23:59:59.999Z", &ms), BK_OK);
    assert_int_equal(ms, -1);

    static const char *const bad[] = {
        "",
        "2026-11-29",
        "2026-11-29T10:00:00",             /* no zone */
        "2026-11-29 10:00:00Z",            /* space for T */
        "2026-11-29t10:00:00z",            /* lower case */
        "2026-11-29T10:00:00.Z",           /* no fraction digits */
        "2026-11-29T10:00:00.1234567890Z", /* 10 digits */
        "2026-11-29T10:00:00Zx",           /* garbage after */
        "2026-11-29T10:00:00+0100",        /* offset without colon */
        "2026-11-29T10:00:00+24:00",       /* offset hour */
        "2026-11-29T10:00:00+01:60",       /* offset minute */
        "2026-13-01T00:00:00Z",            /* month */
        "2026-00-01T00:00:00Z",
        "2026-11-00T00:00:00Z", /* day */
        "2026-11-31T00:00:00Z", /* November has 30 days */
        "2026-02-29T00:00:00Z", /* not a leap year */
        "1900-02-29T00:00:00Z", /* nor is 1900 */
        "2026-11-29T24:00:00Z", /* hour */
        "2026-11-29T23:60:00Z", /* minute */
        "2026-11-29T23:59:60Z", /* no leap seconds */
        "+2026-11-29T10:00:00Z",
        "2026-1-29T10:00:00Z",
        "20261129T100000Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms = 42;
        if (clock_parse_rfc3339(bad[i], &ms) != BK_ERR_INVALID || ms != 42)
            fail_msg("\"%s\" was accepted", bad[i]);
    }
    assert_int_equal(clock_parse_rfc3339(NULL, &ms), BK_ERR_INVALID);
}

static void test_rfc3339_round_trip(void **state)
{
    (void)state;
    /* From 1970 to 9999, a pseudo-random walk plus the edges. */
    int64_t edges[] = {0,
                       1,
                       999,
                       1000,
                       TU_T0_MS,
                       INT64_C(951782400000) /* 2000-02-29 */,
                       INT64_C(253402300799999) /* 9999-12-31T23:59:59.999 */};
    char buf[40];
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        int64_t back = -7;
        clock_format_rfc3339(edges[i], buf, sizeof buf);
        assert_int_equal(clock_parse_rfc3339(buf, &back), BK_OK);
        assert_int_equal(back, edges[i]);
    }
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ms = (int64_t)(x % UINT64_C(253402300800000));
        int64_t back = -7;
        clock_format_rfc3339(ms, buf, sizeof buf);
        if (clock_parse_rfc3339(buf, &back) != BK_OK || back != ms)
            fail_msg("%lld formatted as %s parsed as %lld", (long long)ms, buf, (long long)back);
    }
}

/* ---- gzip ---- */

static void test_gunzip_round_trip(void **state)
{
    (void)state;
    size_t zlen;
    unsigned char *z = gzip(base_batch, strlen(base_batch), &zlen);
    char *out;
    size_t out_len;
    char msg[INGEST_MSG_MAX];
    assert_int_equal(ingest_gunzip(z, zlen, 1 << 20, &out, &out_len, msg), BK_OK);
    assert_int_equal(out_len, strlen(base_batch));
    assert_string_equal(out, base_batch);
    free(out);
    /* Exactly at the limit is fine, one byte more is not. */
    assert_int_equal(ingest_gunzip(z, zlen, strlen(base_batch), &out, &out_len, msg), BK_OK);
    assert_int_equal(out_len, strlen(base_batch));
    assert_int_equal(out[out_len], '\0');
    free(out);
    assert_int_equal(ingest_gunzip(z, zlen, strlen(base_batch) - 1, &out, &out_len, msg),
                     BK_ERR_FULL);
    assert_null(out);
    assert_int_equal(out_len, 0);
    char expected[80];
    snprintf(expected, sizeof expected, "gzip body: inflates to more than %zu bytes",
             strlen(base_batch) - 1);
    assert_string_equal(msg, expected);
    free(z);

    /* An empty body, gzipped. */
    z = gzip("", 0, &zlen);
    assert_int_equal(ingest_gunzip(z, zlen, 100, &out, &out_len, msg), BK_OK);
    assert_int_equal(out_len, 0);
    assert_string_equal(out, "");
    free(out);
    free(z);

    /* A body larger than the first buffer step (64 KiB) grows in steps. */
    size_t big = 300 * 1000;
    char *text = malloc(big);
    assert_non_null(text);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + (i * 7 + i / 13) % 26);
    z = gzip(text, big, &zlen);
    assert_int_equal(ingest_gunzip(z, zlen, big, &out, &out_len, msg), BK_OK);
    assert_int_equal(out_len, big);
    assert_memory_equal(out, text, big);
    free(out);
    free(z);
    free(text);
}

static void test_gunzip_bomb_is_bounded(void **state)
{
    (void)state;
    size_t n = 10 * 1000 * 1000;
    char *zeros = calloc(1, n);
    assert_non_null(zeros);
    size_t zlen;
    unsigned char *z = gzip(zeros, n, &zlen);
    free(zeros);
    assert_true(zlen < 20 * 1000); /* about 10 KB */
    char *out = (char *)1;
    size_t out_len = 9;
    char msg[INGEST_MSG_MAX];
    size_t max_out = 1 << 20;
    largest_request = 0;
    assert_int_equal(ingest_gunzip(z, zlen, max_out, &out, &out_len, msg), BK_ERR_FULL);
    assert_true(largest_request <= max_out + 1);
    assert_true(largest_request > max_out / 2); /* it did grow to the limit */
    assert_null(out);
    assert_int_equal(out_len, 0);
    assert_string_equal(msg, "gzip body: inflates to more than 1048576 bytes");

    /* A small limit: never more than limit + 1 bytes asked for. */
    largest_request = 0;
    assert_int_equal(ingest_gunzip(z, zlen, 100, &out, &out_len, msg), BK_ERR_FULL);
    assert_true(largest_request <= 101);
    assert_string_equal(msg, "gzip body: inflates to more than 100 bytes");
    largest_request = 0;
    assert_int_equal(ingest_gunzip(z, zlen, 0, &out, &out_len, msg), BK_ERR_FULL);
    assert_true(largest_request <= 1);
    free(z);
}

static void test_gunzip_damaged(void **state)
{
    (void)state;
    size_t zlen;
    unsigned char *z = gzip(base_batch, strlen(base_batch), &zlen);
    char *out;
    size_t out_len;
    char msg[INGEST_MSG_MAX];

    /* Cut anywhere: truncated (or, cut inside the header, truncated too). */
    for (size_t cut = 1; cut < zlen; cut++) {
        assert_int_equal(ingest_gunzip(z, cut, 1 << 20, &out, &out_len, msg), BK_ERR_INVALID);
        assert_null(out);
        assert_string_equal(msg, "gzip body: truncated");
    }
    assert_int_equal(ingest_gunzip(z, 0, 1 << 20, &out, &out_len, msg), BK_ERR_INVALID);
    assert_string_equal(msg, "gzip body: empty");

    /* Not gzip at all: plain JSON, a zlib (not gzip) header. */
    assert_int_equal(ingest_gunzip((const unsigned char *)base_batch, strlen(base_batch), 1 << 20,
                                   &out, &out_len, msg),
                     BK_ERR_INVALID);
    assert_string_equal(msg, "gzip body: not gzip data or damaged (incorrect header check)");
    unsigned char zl[256];
    uLongf zl_len = sizeof zl;
    assert_int_equal(compress(zl, &zl_len, (const Bytef *)"hallo", 5), Z_OK);
    assert_int_equal(ingest_gunzip(zl, zl_len, 100, &out, &out_len, msg), BK_ERR_INVALID);
    assert_string_equal(msg, "gzip body: not gzip data or damaged (incorrect header check)");

    /* A damaged CRC. */
    unsigned char *bad = malloc(zlen + 16);
    assert_non_null(bad);
    memcpy(bad, z, zlen);
    bad[zlen - 6] ^= 0x55;
    assert_int_equal(ingest_gunzip(bad, zlen, 1 << 20, &out, &out_len, msg), BK_ERR_INVALID);
    assert_string_equal(msg, "gzip body: not gzip data or damaged (incorrect data check)");

    /* Garbage after the end, and a second gzip member: refused. */
    memcpy(bad, z, zlen);
    memcpy(bad + zlen, "xyz", 3);
    assert_int_equal(ingest_gunzip(bad, zlen + 3, 1 << 20, &out, &out_len, msg), BK_ERR_INVALID);
    assert_null(out);
    assert_string_equal(msg, "gzip body: data after the end of the gzip stream (only one gzip "
                             "member is accepted)");
    free(bad);
    size_t z2len;
    unsigned char *z2 = gzip("more", 4, &z2len);
    unsigned char *two = malloc(zlen + z2len);
    assert_non_null(two);
    memcpy(two, z, zlen);
    memcpy(two + zlen, z2, z2len);
    assert_int_equal(ingest_gunzip(two, zlen + z2len, 1 << 20, &out, &out_len, msg),
                     BK_ERR_INVALID);
    free(two);
    free(z2);
    free(z);
}

/* ---- the batch ---- */

static void test_batch_fields(void **state)
{
    (void)state;
    ingest_batch b;
    char msg[INGEST_MSG_MAX];
    assert_int_equal(parse_text(base_batch, &b, msg), INGEST_OK);
    assert_string_equal(b.batch_id, "7d0f5c8e-7a59-4d1e-9a0f-3b0b8a1d2c11");
    assert_string_equal(b.kiosk_id, "dorst-bibliotheek-01");
    assert_string_equal(b.created_at, "2026-11-29T13:45:12.345Z");
    assert_int_equal(b.n_responses, 2);
    ingest_response *r = &b.responses[0];
    assert_string_equal(r->response_id, "0f8fad5b-d9cb-469f-a165-70867728950e");
    assert_int_equal(r->seq, 1041);
    assert_string_equal(r->survey_id, "alltypes");
    assert_int_equal(r->survey_version, 3);
    assert_string_equal(r->mode, "survey");
    assert_string_equal(r->status, "complete");
    assert_string_equal(r->language, "nl");
    assert_string_equal(r->area, "dorst");
    assert_string_equal(r->started_at, "2026-11-29T10:02:11.020Z");
    assert_int_equal(r->started_ms, TU_T0_MS + 2 * 60000 + 11020);
    assert_string_equal(r->completed_at, "2026-11-29T10:04:40.512Z");
    assert_int_equal(r->completed_ms, TU_T0_MS + 4 * 60000 + 40512);
    assert_int_equal(r->n_flags, 0);
    assert_int_equal(r->n_answers, 4);
    assert_string_equal(r->answers[0].question_id, "schoon");
    assert_string_equal(r->answers[0].value_json, "4");
    assert_string_equal(r->answers[1].value_json, "\"bus\"");
    assert_string_equal(r->answers[2].value_json, "[\"feest\",\"groen\"]");
    assert_string_equal(r->answers[3].value_json, "\"Meer bankjes bij de vijver.\"");
    assert_null(r->quarantine);
    /* The canonical body: compact, keys sorted; its SHA-256 in hex. */
    assert_true(strncmp(r->body, "{\"answers\":[{\"question_id\":\"schoon\",\"value\":4},", 46) ==
                0);
    assert_non_null(strstr(r->body, "],\"area\":\"dorst\",\"completed_at\":"));
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)r->body, strlen(r->body));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(r->body_sha256, hex);

    r = &b.responses[1];
    assert_string_equal(r->mode, "live");
    assert_string_equal(r->status, "partial");
    assert_null(r->area);
    assert_null(r->completed_at);
    assert_int_equal(r->completed_ms, 0);
    assert_int_equal(r->n_flags, 2);
    assert_string_equal(r->flags[0], "rapid");
    assert_string_equal(r->flags[1], "repeat");
    assert_string_equal(r->answers[1].value_json, "120");
    ingest_batch_clear(&b);
    assert_null(b.responses);
    ingest_batch_clear(NULL);
    ingest_response_clear(NULL);
}

static void test_body_is_canonical(void **state)
{
    (void)state;
    /* The same response with its keys in another order, other white space
     * and an escape: the same body and hash. An extra field is allowed and
     * part of the body. */
    const char *a = "{\"response_id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"seq\":1,"
                    "\"survey_id\":\"s\",\"survey_version\":1,\"mode\":\"survey\","
                    "\"status\":\"complete\",\"language\":\"nl\",\"area\":null,"
                    "\"started_at\":\"2026-11-29T10:00:00.000Z\",\"completed_at\":null,"
                    "\"flags\":[],\"answers\":[{\"question_id\":\"q\",\"value\":\"b\\u00e9\"}]}";
    const char *b = "{ \"answers\" : [ {\"value\": \"b\xc3\xa9\", \"question_id\": \"q\"} ],\n"
                    "  \"flags\": [], \"completed_at\": null, \"started_at\": "
                    "\"2026-11-29T10:00:00.000Z\", \"area\": null, \"language\": \"nl\", "
                    "\"status\": \"complete\", \"mode\": \"survey\", \"survey_version\": 1, "
                    "\"survey_id\": \"s\", \"seq\": 1, "
                    "\"response_id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\"}";
    ingest_response ra, rb;
    char msg[INGEST_MSG_MAX];
    assert_int_equal(ingest_response_parse(a, strlen(a), &ra, msg), INGEST_OK);
    assert_int_equal(ingest_response_parse(b, strlen(b), &rb, msg), INGEST_OK);
    assert_string_equal(ra.body, rb.body);
    assert_string_equal(ra.body_sha256, rb.body_sha256);
    assert_int_equal(strlen(ra.body_sha256), 64);
    assert_string_equal(ra.answers[0].value_json, "\"b\xc3\xa9\"");
    assert_string_equal(ra.body,
                        "{\"answers\":[{\"question_id\":\"q\",\"value\":\"b\xc3\xa9\"}],"
                        "\"area\":null,\"completed_at\":null,\"flags\":[],\"language\":\"nl\","
                        "\"mode\":\"survey\",\"response_id\":\"0f8fad5b-d9cb-469f-a165-"
                        "70867728950e\",\"seq\":1,\"started_at\":\"2026-11-29T10:00:00.000Z\","
                        "\"status\":\"complete\",\"survey_id\":\"s\",\"survey_version\":1}");
    ingest_response_clear(&rb);
    /* A different answer: a different hash (a conflict, not a duplicate). */
    char *c = strdup(a);
    assert_non_null(c);
    *strstr(c, "\"b\\u00e9\"") = '\'';
    *strchr(c, '\'') = '"';
    c[strstr(c, "\"b\\u00e9\"") - c + 1] = 'c';
    assert_int_equal(ingest_response_parse(c, strlen(c), &rb, msg), INGEST_OK);
    assert_string_not_equal(ra.body_sha256, rb.body_sha256);
    free(c);
    ingest_response_clear(&rb);
    ingest_response_clear(&ra);

    /* Unknown extra fields are kept in the body. */
    expect_ok("r0", "device", "{\"battery\": 80}");
    expect_ok("top", "protocol_minor", "3");
    json_t *root = json_loads(base_batch, 0, NULL);
    json_object_set_new(json_array_get(json_object_get(root, "responses"), 0), "zz", json_true());
    char *text = json_dumps(root, 0);
    json_decref(root);
    ingest_batch bb;
    assert_int_equal(parse_text(text, &bb, msg), INGEST_OK);
    free(text);
    assert_non_null(strstr(bb.responses[0].body, ",\"zz\":true}"));
    ingest_batch_clear(&bb);
}

static void test_verdicts(void **state)
{
    (void)state;
    ingest_batch b;
    char msg[INGEST_MSG_MAX];
    /* NOT_JSON: syntax, invalid UTF-8, not an object; the message has
     * jansson's text and place. */
    assert_int_equal(parse_text("{\"protocol\": 1,\n \"batch_id\": }", &b, msg), INGEST_NOT_JSON);
    assert_string_equal(msg,
                        "body is not valid JSON: unexpected token near '}' (line 2, column 14)");
    assert_int_equal(parse_text("{\"kiosk_id\": \"\xff\xfe\"}", &b, msg), INGEST_NOT_JSON);
    assert_true(strncmp(msg, "body is not valid JSON: unable to decode byte 0xff", 50) == 0);
    for (const char *p = msg; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    assert_int_equal(parse_text("[1, 2]", &b, msg), INGEST_NOT_JSON);
    assert_string_equal(msg, "body must be a JSON object");
    assert_int_equal(ingest_batch_parse("", 0, 10, &b, msg), INGEST_NOT_JSON);
    assert_int_equal(parse_text("{\"a\": 1, \"a\": 2}", &b, msg), INGEST_NOT_JSON);
    assert_non_null(strstr(msg, "duplicate object key"));
    /* Not NUL-terminated: only len bytes are read. */
    char exact[] = {'{', '}', '}'};
    assert_int_equal(ingest_batch_parse(exact, 2, 10, &b, msg), INGEST_INVALID);
    assert_string_equal(msg, "protocol: missing");

    /* TOO_MANY */
    assert_int_equal(ingest_batch_parse(base_batch, strlen(base_batch), 1, &b, msg),
                     INGEST_TOO_MANY);
    assert_string_equal(msg, "responses: 2 responses; at most 1 are accepted in one batch");
    assert_int_equal(b.n_responses, 0);
    assert_int_equal(ingest_batch_parse(base_batch, strlen(base_batch), 2, &b, msg), INGEST_OK);
    ingest_batch_clear(&b);

    /* INVALID and OK: the rest of this file. An empty batch is fine. */
    expect_ok("top", "responses", "[]");
}

static void test_batch_rules(void **state)
{
    (void)state;
    expect_invalid("top", "protocol", NULL, "protocol: missing");
    expect_invalid("top", "protocol", "2",
                   "protocol: must be 1, the protocol version this collector speaks");
    expect_invalid("top", "protocol", "\"1\"",
                   "protocol: must be 1, the protocol version this collector speaks");
    expect_invalid("top", "protocol", "1.0",
                   "protocol: must be 1, the protocol version this collector speaks");
    const char *batch_rule = "batch_id: must be a UUID version 4 in lower case, e.g. "
                             "\"7d0f5c8e-7a59-4d1e-9a0f-3b0b8a1d2c11\"";
    expect_invalid("top", "batch_id", NULL, "batch_id: missing");
    expect_invalid("top", "batch_id", "\"7D0F5C8E-7A59-4D1E-9A0F-3B0B8A1D2C11\"", batch_rule);
    expect_invalid("top", "batch_id", "\"7d0f5c8e-7a59-1d1e-9a0f-3b0b8a1d2c11\"", batch_rule);
    expect_invalid("top", "batch_id", "7", batch_rule);
    const char *kiosk_rule = "kiosk_id: must be an id: 1 to 64 characters of a-z, 0-9, _ and -";
    expect_invalid("top", "kiosk_id", "\"\"", kiosk_rule);
    expect_invalid("top", "kiosk_id", "\"Dorst\"", kiosk_rule);
    expect_invalid("top", "kiosk_id",
                   "\"a1234567890123456789012345678901234567890123456789012345678901234\"",
                   kiosk_rule);
    expect_ok("top", "kiosk_id",
              "\"a12345678901234567890123456789012345678901234567890123456789012\"");
    expect_invalid("top", "created_at", "\"2026-11-31T00:00:00Z\"",
                   "created_at: must be an RFC 3339 time stamp, e.g. \"2026-11-29T10:02:11.020Z\"");
    expect_ok("top", "created_at", "\"2026-11-29T14:45:12.345+01:00\"");
    expect_invalid("top", "responses", NULL, "responses: missing");
    expect_invalid("top", "responses", "{}", "responses: must be an array of responses");
    expect_invalid("top", "responses", "[1]", "responses[0]: must be an object");
}

static void test_response_rules(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "response_id", "seq",  "survey_id",  "survey_version", "mode",  "status",
        "language",    "area", "started_at", "completed_at",   "flags", "answers"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        char expected[128];
        snprintf(expected, sizeof expected, "responses[1].%s: missing", fields[i]);
        expect_invalid("r1", fields[i], NULL, expected);
    }
    expect_invalid("r1", "response_id", "\"0f8fad5b-d9cb-469f-a165-70867728950\"",
                   "responses[1].response_id: must be a UUID version 4 in lower case, e.g. "
                   "\"0f8fad5b-d9cb-469f-a165-70867728950e\"");
    expect_invalid("r1", "seq", "-1", "responses[1].seq: must be an integer >= 0");
    expect_invalid("r1", "seq", "1.5", "responses[1].seq: must be an integer >= 0");
    expect_ok("r1", "seq", "0");
    expect_invalid("r1", "survey_id", "\"Buurt peiling\"",
                   "responses[1].survey_id: must be an id: 1 to 64 characters of a-z, 0-9, _ "
                   "and -");
    expect_invalid("r1", "survey_version", "0",
                   "responses[1].survey_version: must be an integer >= 1");
    expect_invalid("r1", "survey_version", "2147483648",
                   "responses[1].survey_version: must be an integer >= 1");
    expect_invalid("r1", "mode", "\"kiosk\"", "responses[1].mode: must be \"survey\" or \"live\"");
    expect_invalid("r1", "status", "\"started\"",
                   "responses[1].status: must be \"complete\" or \"partial\"");
    const char *lang_rule = "responses[1].language: must be a language code: 2 or 3 lower-case "
                            "letters, optionally - and 2 to 8 lower-case letters or digits, e.g. "
                            "\"nl\"";
    expect_invalid("r1", "language", "\"NL\"", lang_rule);
    expect_invalid("r1", "language", "\"n\"", lang_rule);
    expect_invalid("r1", "language", "\"nl-\"", lang_rule);
    expect_ok("r1", "language", "\"pt-br\"");
    expect_ok("r1", "language", "\"pap\"");
    expect_invalid("r1", "area", "\"De Dorst\"",
                   "responses[1].area: must be null or an id: 1 to 64 characters of a-z, 0-9, _ "
                   "and -");
    expect_invalid("r1", "area", "3",
                   "responses[1].area: must be null or an id: 1 to 64 characters of a-z, 0-9, _ "
                   "and -");
    expect_invalid("r1", "started_at", "null",
                   "responses[1].started_at: must be an RFC 3339 time stamp, e.g. "
                   "\"2026-11-29T10:02:11.020Z\"");
    expect_invalid("r1", "started_at", "\"2026-11-29T10:05:00.000\"",
                   "responses[1].started_at: must be an RFC 3339 time stamp, e.g. "
                   "\"2026-11-29T10:02:11.020Z\"");
    expect_invalid("r1", "completed_at", "\"yesterday\"",
                   "responses[1].completed_at: must be null or an RFC 3339 time stamp, e.g. "
                   "\"2026-11-29T10:02:11.020Z\"");
    expect_invalid("r1", "flags", "\"rapid\"", "responses[1].flags: must be an array of strings");
    const char *flag_rule = "responses[1].flags[1]: must be a string of 1 to 64 printable "
                            "characters";
    expect_invalid("r1", "flags", "[\"rapid\", \"\"]", flag_rule);
    expect_invalid("r1", "flags", "[\"rapid\", 1]", flag_rule);
    expect_invalid("r1", "flags", "[\"rapid\", \"a\\nb\"]", flag_rule);
    expect_invalid("r1", "flags", "[\"rapid\", \"a\\u0085b\"]", flag_rule);
    expect_invalid("r1", "flags",
                   "[\"rapid\", "
                   "\"a1234567890123456789012345678901234567890123456789012345678901234\"]",
                   flag_rule);
    expect_ok("r1", "flags", "[\"caf\\u00e9 \\u2713\"]");
    char many[512] = "[";
    for (int i = 0; i <= INGEST_FLAGS_MAX; i++)
        strcat(many, i ? ",\"f\"" : "\"f\"");
    strcat(many, "]");
    expect_invalid("r1", "flags", many, "responses[1].flags: 33 flags; at most 32 are accepted");
    expect_invalid("r1", "answers", "{}", "responses[1].answers: must be an array of answers");
    expect_invalid("r1", "answers", "[{\"question_id\": \"q1\", \"value\": 1}, 7]",
                   "responses[1].answers[1]: must be an object with \"question_id\" and "
                   "\"value\"");
    expect_ok("r1", "answers", "[]");
}

static void test_answer_rules(void **state)
{
    (void)state;
    const char *value_rule =
        "responses[1].answers[1].value: must be an integer, a string or an array of strings";
    expect_invalid("r1a1", "value", NULL, "responses[1].answers[1].value: missing");
    expect_invalid("r1a1", "value", "null", value_rule);
    expect_invalid("r1a1", "value", "true", value_rule);
    expect_invalid("r1a1", "value", "4.5", value_rule);
    expect_invalid("r1a1", "value", "{\"a\": 1}", value_rule);
    expect_invalid("r1a1", "value", "[\"a\", 1]", value_rule);
    expect_invalid("r1a1", "value", "[[\"a\"]]", value_rule);
    expect_ok("r1a1", "value", "-9007199254740993");
    expect_ok("r1a1", "value", "[]");
    expect_ok("r1a1", "value", "\"\"");
    expect_invalid("r1a1", "question_id", NULL, "responses[1].answers[1].question_id: missing");
    expect_invalid("r1a1", "question_id", "\"Q1\"",
                   "responses[1].answers[1].question_id: must be an id: 1 to 64 characters of "
                   "a-z, 0-9, _ and -");
    expect_invalid("r1a1", "question_id", "\"wijk\"",
                   "responses[1].answers[1].question_id: question \"wijk\" is answered twice "
                   "(also answers[0])");

    /* Lengths: a text at most 10,000 bytes, a list at most 100 strings of
     * at most 64 bytes. */
    size_t n = INGEST_TEXT_MAX + 1;
    char *text = malloc(n + 3);
    assert_non_null(text);
    text[0] = '"';
    memset(text + 1, 'x', n);
    text[n + 1] = '"';
    text[n + 2] = '\0';
    expect_invalid("r1a1", "value", text,
                   "responses[1].answers[1].value: a text of 10001 bytes; at most 10000 bytes are "
                   "accepted");
    text[n] = '"';
    text[n + 1] = '\0';
    expect_ok("r1a1", "value", text);
    free(text);
    char list[1024] = "[";
    for (int i = 0; i <= INGEST_LIST_MAX; i++)
        strcat(list, i ? ",\"a\"" : "\"a\"");
    strcat(list, "]");
    expect_invalid(
        "r1a1", "value", list,
        "responses[1].answers[1].value: a list of 101 strings; at most 100 are accepted");
    expect_invalid("r1a1", "value",
                   "[\"a\", \"a1234567890123456789012345678901234567890123456789012345678901234\"]",
                   "responses[1].answers[1].value[1]: a string of 65 bytes; at most 64 are "
                   "accepted (an option id)");
    char answers[8192] = "[";
    for (int i = 0; i <= INGEST_ANSWERS_MAX; i++) {
        char one[64];
        snprintf(one, sizeof one, "%s{\"question_id\":\"q%d\",\"value\":1}", i ? "," : "", i);
        strcat(answers, one);
    }
    strcat(answers, "]");
    expect_invalid("r1", "answers", answers,
                   "responses[1].answers: 101 answers; at most 100 are accepted (a survey has at "
                   "most 100 questions)");
}

static void test_duplicate_response_id(void **state)
{
    (void)state;
    char msg[INGEST_MSG_MAX];
    ingest_verdict v =
        parse_changed("r1", "response_id", "\"0f8fad5b-d9cb-469f-a165-70867728950e\"", msg);
    assert_int_equal(v, INGEST_INVALID);
    assert_string_equal(msg, "responses[1].response_id: \"0f8fad5b-d9cb-469f-a165-70867728950e\" "
                             "is also the response_id of responses[0]");

    /* Five responses, the third and the fifth repeat the second: the first
     * repeat is named. */
    json_t *root = json_loads(base_batch, 0, NULL);
    json_t *rs = json_object_get(root, "responses");
    json_t *r1 = json_array_get(rs, 1);
    json_array_append_new(rs, json_deep_copy(r1));
    json_array_append_new(rs, json_deep_copy(json_array_get(rs, 0)));
    json_array_append_new(rs, json_deep_copy(r1));
    json_object_set_new(json_array_get(rs, 3), "response_id",
                        json_string("c9bf9e57-1685-4c89-bafb-ff5af830be8a"));
    char *text = json_dumps(root, 0);
    json_decref(root);
    ingest_batch b;
    assert_int_equal(parse_text(text, &b, msg), INGEST_INVALID);
    free(text);
    assert_string_equal(msg, "responses[2].response_id: \"1b4e28ba-2fa1-41d2-883f-0016d3cca427\" "
                             "is also the response_id of responses[1]");
}

static void test_response_parse_alone(void **state)
{
    (void)state;
    json_t *root = json_loads(base_batch, 0, NULL);
    json_t *r = json_array_get(json_object_get(root, "responses"), 0);
    json_object_set_new(r, "started_at", json_string("10:02"));
    char *line = json_dumps(r, JSON_COMPACT);
    json_decref(root);
    ingest_response out;
    char msg[INGEST_MSG_MAX];
    assert_int_equal(ingest_response_parse(line, strlen(line), &out, msg), INGEST_INVALID);
    assert_string_equal(
        msg, "started_at: must be an RFC 3339 time stamp, e.g. \"2026-11-29T10:02:11.020Z\"");
    assert_null(out.survey_id);
    free(line);
    assert_int_equal(ingest_response_parse("[]", 2, &out, msg), INGEST_NOT_JSON);
    assert_string_equal(msg, "response must be a JSON object");
    assert_int_equal(ingest_response_parse("{", 1, &out, msg), INGEST_NOT_JSON);
    assert_true(strncmp(msg, "response is not valid JSON: ", 28) == 0);
}

/* ---- the check against a definition ---- */

/* Parses the base batch with responses[0].answers[0] replaced by the
 * answer JSON (or the response's key set), checks responses[0] against def
 * and returns its quarantine reason (caller frees) or NULL. */
static char *check_with(const survey *def, const char *key, const char *value)
{
    json_t *root = json_loads(base_batch, 0, NULL);
    json_t *r = json_array_get(json_object_get(root, "responses"), 0);
    if (key)
        json_object_set_new(r, key, json_loads(value, JSON_DECODE_ANY, NULL));
    char *text = json_dumps(root, 0);
    json_decref(root);
    ingest_batch b;
    char msg[INGEST_MSG_MAX];
    if (parse_text(text, &b, msg) != INGEST_OK)
        fail_msg("%s: %s", value, msg);
    free(text);
    assert_int_equal(ingest_check_response(&b.responses[0], def), BK_OK);
    char *q = b.responses[0].quarantine ? strdup(b.responses[0].quarantine) : NULL;
    ingest_batch_clear(&b);
    return q;
}

static void expect_quarantine(const survey *def, const char *answers, const char *reason)
{
    char *q = check_with(def, "answers", answers);
    if (!reason && q)
        fail_msg("%s: quarantined: %s", answers, q);
    if (reason && (!q || strcmp(q, reason) != 0))
        fail_msg("%s: \"%s\"; expected \"%s\"", answers, q ? q : "(fits)", reason);
    free(q);
}

static void test_check_response(void **state)
{
    (void)state;
    survey *def = load_survey(BK_TEST_DATA "/hardening/surveys/alltypes.json");
    char *q = check_with(def, NULL, NULL);
    assert_null(q);
    q = check_with(NULL, NULL, NULL);
    assert_string_equal(q, "no definition of survey alltypes version 3 at the collector");
    free(q);
    q = check_with(def, "survey_version", "4");
    assert_string_equal(q, "checked against survey alltypes version 3, not survey alltypes "
                           "version 4");
    free(q);
    q = check_with(def, "language", "\"de\"");
    assert_string_equal(q, "language \"de\" is not one of survey alltypes version 3's languages "
                           "(nl, en, tr, ar)");
    free(q);
    q = check_with(def, "language", "\"ar\"");
    assert_null(q);

#define A(qid, v) "{\"question_id\": \"" qid "\", \"value\": " v "}"
    expect_quarantine(def, "[" A("schoon", "3") ", " A("q9", "1") "]",
                      "answers[1]: question \"q9\" is not in survey alltypes version 3");
    /* scale and smiley: 1..5 */
    expect_quarantine(def, "[" A("schoon", "1") "," A("gevoel", "5") "]", NULL);
    expect_quarantine(def, "[" A("schoon", "0") "]",
                      "answers[0]: question \"schoon\" (scale) needs an integer from 1 to 5");
    expect_quarantine(def, "[" A("gevoel", "6") "]",
                      "answers[0]: question \"gevoel\" (smiley) needs an integer from 1 to 5");
    expect_quarantine(def, "[" A("gevoel", "\"5\"") "]",
                      "answers[0]: question \"gevoel\" (smiley) needs an integer from 1 to 5");
    /* number: min..max */
    expect_quarantine(def, "[" A("leeftijd", "0") "," A("wijk", "\"noord\"") "]", NULL);
    expect_quarantine(def, "[" A("leeftijd", "121") "]",
                      "answers[0]: question \"leeftijd\" (number) needs an integer from 0 to 120");
    expect_quarantine(def, "[" A("leeftijd", "-1") "]",
                      "answers[0]: question \"leeftijd\" (number) needs an integer from 0 to 120");
    /* choice: one option id */
    expect_quarantine(def, "[" A("vervoer", "\"trein\"") "]",
                      "answers[0]: question \"vervoer\" (choice) has no option \"trein\"");
    expect_quarantine(def, "[" A("vervoer", "\"Trein!\"") "]",
                      "answers[0]: question \"vervoer\" (choice) has no such option (not an id)");
    expect_quarantine(def, "[" A("vervoer", "[\"bus\"]") "]",
                      "answers[0]: question \"vervoer\" (choice) needs one option id as a string");
    /* area: any id as a string */
    expect_quarantine(def, "[" A("wijk", "\"elders\"") "]", NULL);
    expect_quarantine(def, "[" A("wijk", "2") "]",
                      "answers[0]: question \"wijk\" (area) needs an area id as a string");
    /* multi: distinct option ids, at most max */
    expect_quarantine(def, "[" A("mee", "[]") "]", NULL);
    expect_quarantine(def, "[" A("mee", "[\"sport\", \"feest\"]") "]", NULL);
    expect_quarantine(def, "[" A("mee", "[\"feest\", \"groen\", \"sport\"]") "]",
                      "answers[0]: question \"mee\" (multi) allows at most 2 choices, not 3");
    expect_quarantine(def, "[" A("mee", "[\"feest\", \"feest\"]") "]",
                      "answers[0]: question \"mee\" (multi) has option \"feest\" twice");
    expect_quarantine(def, "[" A("mee", "[\"feest\", \"zwemmen\"]") "]",
                      "answers[0]: question \"mee\" (multi) has no option \"zwemmen\"");
    expect_quarantine(def, "[" A("mee", "\"feest\"") "]",
                      "answers[0]: question \"mee\" (multi) needs an array of option ids");
    /* text: at most max_length code points (30 for bus_waarom) */
    expect_quarantine(def,
                      "[" A("bus_waarom",
                            "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
                            "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
                            "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
                            "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"") "]",
                      NULL);
    expect_quarantine(def, "[" A("bus_waarom", "\"1234567890123456789012345678901\"") "]",
                      "answers[0]: question \"bus_waarom\" (text) allows at most 30 characters, "
                      "not 31");
    expect_quarantine(def, "[" A("idee", "7") "]",
                      "answers[0]: question \"idee\" (text) needs a string");
    /* info: no answer */
    expect_quarantine(def, "[" A("welkom", "1") "]",
                      "answers[0]: question \"welkom\" (info) shows information and takes no "
                      "answer");
#undef A

    /* A second check replaces the first reason. */
    json_t *root = json_loads(base_batch, 0, NULL);
    char *text = json_dumps(root, 0);
    json_decref(root);
    ingest_batch b;
    char msg[INGEST_MSG_MAX];
    assert_int_equal(parse_text(text, &b, msg), INGEST_OK);
    free(text);
    assert_int_equal(ingest_check_response(&b.responses[0], NULL), BK_OK);
    assert_non_null(b.responses[0].quarantine);
    assert_int_equal(ingest_check_response(&b.responses[0], def), BK_OK);
    assert_null(b.responses[0].quarantine);
    ingest_batch_clear(&b);
    survey_free(def);
}

/* ---- a batch made by the kiosk's own store ---- */

static void test_kiosk_batch_round_trip(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "kiosk.db");
    bk_virtual_clock vc = {.mono_ms = 0, .wall_ms = TU_T0_MS};
    store *st = tu_open(path, &vc);

    store_response_meta meta = {.survey_id = "buurtpeiling",
                                .survey_version = 1,
                                .mode = "survey",
                                .language = "nl",
                                .area = "dorst"};
    store_response_ref r1, r2;
    assert_int_equal(store_response_begin(st, &meta, &r1), BK_OK);
    answer_value v = {.kind = ANSWER_TEXT, .text = "dorst"};
    assert_int_equal(store_answer_set(st, r1.rowid, "area", &v), BK_OK);
    v = (answer_value){.kind = ANSWER_INT, .integer = 4};
    assert_int_equal(store_answer_set(st, r1.rowid, "q1", &v), BK_OK);
    v = (answer_value){.kind = ANSWER_INT, .integer = 2};
    assert_int_equal(store_answer_set(st, r1.rowid, "q5", &v), BK_OK);
    const char *const picks[] = {"feest", "groen", "kinderen"};
    v = (answer_value){.kind = ANSWER_LIST, .list = picks, .n_list = 3};
    assert_int_equal(store_answer_set(st, r1.rowid, "q6", &v), BK_OK);
    v = (answer_value){.kind = ANSWER_TEXT, .text = "ja"};
    assert_int_equal(store_answer_set(st, r1.rowid, "q7", &v), BK_OK);
    const char *idea = "Meer bankjes bij de vijver; \"caf\xc3\xa9\" \xe2\x9c\x93\nen groen";
    v = (answer_value){.kind = ANSWER_TEXT, .text = idea};
    assert_int_equal(store_answer_set(st, r1.rowid, "q8", &v), BK_OK);
    clock_virtual_advance(&vc, 95123);
    const char *flags[] = {"rapid"};
    assert_int_equal(store_response_finish(st, r1.rowid, STORE_STATUS_COMPLETE, flags, 1), BK_OK);

    meta.language = "en";
    meta.area = NULL;
    clock_virtual_advance(&vc, 1000);
    assert_int_equal(store_response_begin(st, &meta, &r2), BK_OK);
    v = (answer_value){.kind = ANSWER_INT, .integer = 5};
    assert_int_equal(store_answer_set(st, r2.rowid, "q2", &v), BK_OK);
    clock_virtual_advance(&vc, 2000);
    assert_int_equal(store_response_finish(st, r2.rowid, STORE_STATUS_PARTIAL, NULL, 0), BK_OK);

    store_batch sb;
    assert_int_equal(store_batch_next(st, "dorst-bibliotheek-01", 100, 1 << 20, &sb), BK_OK);
    ingest_batch b;
    char msg[INGEST_MSG_MAX];
    ingest_verdict verdict = ingest_batch_parse(sb.body, sb.body_len, 100, &b, msg);
    if (verdict != INGEST_OK)
        fail_msg("the kiosk's batch: %s", msg);
    assert_string_equal(b.batch_id, sb.batch_id);
    assert_string_equal(b.kiosk_id, "dorst-bibliotheek-01");
    assert_string_equal(b.created_at, sb.created_at);
    assert_int_equal(b.n_responses, 2);

    ingest_response *r = &b.responses[0];
    assert_string_equal(r->response_id, r1.response_id);
    assert_int_equal(r->seq, r1.seq);
    assert_string_equal(r->survey_id, "buurtpeiling");
    assert_int_equal(r->survey_version, 1);
    assert_string_equal(r->mode, "survey");
    assert_string_equal(r->status, "complete");
    assert_string_equal(r->language, "nl");
    assert_string_equal(r->area, "dorst");
    assert_string_equal(r->started_at, "2026-11-29T10:00:00.000Z");
    assert_int_equal(r->started_ms, TU_T0_MS);
    assert_string_equal(r->completed_at, "2026-11-29T10:01:35.123Z");
    assert_int_equal(r->completed_ms, TU_T0_MS + 95123);
    assert_int_equal(r->n_flags, 1);
    assert_string_equal(r->flags[0], "rapid");
    assert_int_equal(r->n_answers, 6);
    static const char *const qids[] = {"area", "q1", "q5", "q6", "q7", "q8"};
    static const char *const values[] = {"\"dorst\"", "4", "2",
                                         "[\"feest\",\"groen\",\"kinderen\"]", "\"ja\""};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(r->answers[i].question_id, qids[i]);
        if (i < 5)
            assert_string_equal(r->answers[i].value_json, values[i]);
    }
    json_t *text = json_loads(r->answers[5].value_json, JSON_DECODE_ANY, NULL);
    assert_string_equal(json_string_value(text), idea);
    json_decref(text);

    r = &b.responses[1];
    assert_string_equal(r->response_id, r2.response_id);
    assert_int_equal(r->seq, r2.seq);
    assert_string_equal(r->status, "partial");
    assert_string_equal(r->language, "en");
    assert_null(r->area);
    assert_string_equal(r->completed_at, "2026-11-29T10:01:38.123Z");
    assert_int_equal(r->n_flags, 0);
    assert_int_equal(r->n_answers, 1);
    assert_string_equal(r->answers[0].value_json, "5");

    /* Each body is the store's own response JSON, canonicalised. */
    json_t *root = json_loadb(sb.body, sb.body_len, 0, NULL);
    for (size_t i = 0; i < 2; i++) {
        char *canon = json_dumps(json_array_get(json_object_get(root, "responses"), i),
                                 JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(b.responses[i].body, canon);
        free(canon);
    }
    json_decref(root);

    /* And it fits the demo survey. */
    survey *def = load_survey(BK_SOURCE_DIR "/config/surveys/buurtpeiling.json");
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(ingest_check_response(&b.responses[i], def), BK_OK);
        if (b.responses[i].quarantine)
            fail_msg("responses[%zu]: %s", i, b.responses[i].quarantine);
    }
    survey_free(def);
    ingest_batch_clear(&b);

    /* Gzipped as the kiosk may send it: the same bytes. */
    size_t zlen;
    unsigned char *z = gzip(sb.body, sb.body_len, &zlen);
    char *out;
    size_t out_len;
    assert_int_equal(ingest_gunzip(z, zlen, sb.body_len, &out, &out_len, msg), BK_OK);
    assert_int_equal(out_len, sb.body_len);
    assert_memory_equal(out, sb.body, sb.body_len);
    free(out);
    free(z);

    store_batch_free(&sb);
    store_close(st);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_parse),
        cmocka_unit_test(test_rfc3339_round_trip),
        cmocka_unit_test(test_gunzip_round_trip),
        cmocka_unit_test(test_gunzip_bomb_is_bounded),
        cmocka_unit_test(test_gunzip_damaged),
        cmocka_unit_test(test_batch_fields),
        cmocka_unit_test(test_body_is_canonical),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_batch_rules),
        cmocka_unit_test(test_response_rules),
        cmocka_unit_test(test_answer_rules),
        cmocka_unit_test(test_duplicate_response_id),
        cmocka_unit_test(test_response_parse_alone),
        cmocka_unit_test(test_check_response),
        cmocka_unit_test(test_kiosk_batch_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
