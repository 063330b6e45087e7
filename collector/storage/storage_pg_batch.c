/* storage_pg_batch.c: storing a kiosk's batch exactly once on PostgreSQL,
 * and reading the responses back (foreach, counts, problems).
 *
 * Exactly once across instances rests on the unique keys alone: the
 * batch's row, then every response in response_id order, each INSERT ...
 * ON CONFLICT DO NOTHING. A second instance storing the same batch or a
 * batch sharing responses waits on the first one's uncommitted keys and,
 * once it commits, finds them held (READ COMMITTED: each statement sees
 * what committed before it). The order keeps two such batches from
 * deadlocking; should the server still find one, pg_run runs the
 * transaction again. A batch costs five round trips, whatever its size:
 * its rows travel as one JSON parameter each for responses, answers and
 * conflicts. */
#include "storage_pg.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Dumps a = [..] (taken over) into a new string, or NULL. */
static char *dump_array(json_t *a)
{
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return text;
}

/* The responses of b as the JSON rows the insert unpacks. */
static char *responses_json(const ingest_batch *b)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < b->n_responses; i++) {
        const ingest_response *r = &b->responses[i];
        char *flags = storage_flags_json(r);
        json_t *o = json_object();
        int bad = !flags || !o;
        bad |= json_object_set_new(o, "response_id", json_string(r->response_id));
        bad |= json_object_set_new(o, "seq", json_integer(r->seq));
        bad |= json_object_set_new(o, "survey_id", jstr(r->survey_id));
        bad |= json_object_set_new(o, "survey_version", json_integer(r->survey_version));
        bad |= json_object_set_new(o, "mode", jstr(r->mode));
        bad |= json_object_set_new(o, "status", jstr(r->status));
        bad |= json_object_set_new(o, "language", jstr(r->language));
        bad |= json_object_set_new(o, "area", jstr(r->area));
        bad |= json_object_set_new(o, "started_at", jstr(r->started_at));
        bad |= json_object_set_new(o, "started_ms", json_integer(r->started_ms));
        bad |= json_object_set_new(o, "completed_at", jstr(r->completed_at));
        bad |= json_object_set_new(o, "completed_ms",
                                   r->completed_at ? json_integer(r->completed_ms) : json_null());
        bad |= json_object_set_new(o, "flags", jstr(flags));
        bad |= json_object_set_new(o, "body", jstr(r->body));
        bad |= json_object_set_new(o, "body_sha256", json_string(r->body_sha256));
        bad |= json_object_set_new(o, "quarantine_reason", jstr(r->quarantine));
        free(flags);
        if (bad || json_array_append_new(a, o) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return dump_array(a);
}

/* The answers of the responses marked in inserted[], as JSON rows. */
static char *answers_json(const ingest_batch *b, const bool *inserted, size_t *n_rows)
{
    json_t *a = json_array();
    *n_rows = 0;
    for (size_t i = 0; a && i < b->n_responses; i++) {
        const ingest_response *r = &b->responses[i];
        for (size_t j = 0; inserted[i] && a && j < r->n_answers; j++) {
            json_t *o = json_pack(
                "{s:s, s:I, s:s?, s:s?}", "response_id", r->response_id, "position", (json_int_t)j,
                "question_id", r->answers[j].question_id, "value_json", r->answers[j].value_json);
            if (!o || json_array_append_new(a, o) != 0) {
                json_decref(a);
                a = NULL;
            }
            (*n_rows)++;
        }
    }
    return dump_array(a);
}

typedef struct batch_ctx {
    storage_pg *st;
    const char *kiosk_id;
    const ingest_batch *b;
    int64_t now;
    const char *rows; /* responses_json(b) */
    bool *inserted;   /* per response: stored by this transaction */
    storage_batch_result res;
} batch_ctx;

/* An id the insert returned, and whether a response of the batch took it. */
typedef struct id_mark {
    const char *id;
    bool taken;
} id_mark;

static int cmp_mark(const void *a, const void *b)
{
    return strcmp(((const id_mark *)a)->id, ((const id_mark *)b)->id);
}

/* Marks in x->inserted the responses whose ids the insert returned (the
 * first of two with the same id in one batch; the second is held). */
static bk_err mark_inserted(batch_ctx *x, const PGresult *r)
{
    int n = PQntuples(r);
    id_mark *ids = n ? calloc((size_t)n, sizeof *ids) : NULL;
    if (n && !ids)
        return BK_ERR_NOMEM;
    for (int i = 0; i < n; i++)
        ids[i].id = PQgetvalue(r, i, 0);
    if (n)
        qsort(ids, (size_t)n, sizeof *ids, cmp_mark);
    for (size_t i = 0; i < x->b->n_responses; i++) {
        id_mark key = {.id = x->b->responses[i].response_id};
        id_mark *hit = n ? bsearch(&key, ids, (size_t)n, sizeof *ids, cmp_mark) : NULL;
        x->inserted[i] = hit && !hit->taken;
        if (hit)
            hit->taken = true;
    }
    free(ids);
    return BK_OK;
}

/* The held responses (not inserted by this transaction): a duplicate when
 * the held body is the same, else a conflict kept beside it (a duplicate
 * again when that very version was kept as a conflict before). */
static bk_err store_held(batch_ctx *x, pg_conn *c)
{
    const ingest_batch *b = x->b;
    json_t *held = json_array();
    for (size_t i = 0; held && i < b->n_responses; i++) {
        if (!x->inserted[i] &&
            json_array_append_new(held, json_string(b->responses[i].response_id)) != 0) {
            json_decref(held);
            held = NULL;
        }
    }
    if (!held)
        return BK_ERR_NOMEM;
    if (json_array_size(held) == 0) {
        json_decref(held);
        return BK_OK;
    }
    char *ids = dump_array(held);
    if (!ids)
        return BK_ERR_NOMEM;
    pg_params p = {0};
    pg_text(&p, ids);
    PGresult *r;
    bk_err err = pg_exec(c,
                         "SELECT response_id, body_sha256 FROM responses WHERE response_id IN"
                         " (SELECT json_array_elements_text($1::json)) ORDER BY response_id",
                         &p, &r, "reading held responses");
    free(ids);
    if (err != BK_OK)
        return err;
    /* Held rows by id, to compare with each held response's hash. */
    json_t *other = json_array();
    for (size_t i = 0; other && err == BK_OK && i < b->n_responses; i++) {
        if (x->inserted[i])
            continue;
        const ingest_response *resp = &b->responses[i];
        const char *sha = NULL;
        int lo = 0, hi = PQntuples(r) - 1;
        while (lo <= hi && !sha) {
            int mid = (lo + hi) / 2;
            int d = strcmp(PQgetvalue(r, mid, 0), resp->response_id);
            if (d == 0)
                sha = PQgetvalue(r, mid, 1);
            else if (d < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        if (!sha) {
            log_error("storage", "batch %s: response %s was neither stored nor held", b->batch_id,
                      resp->response_id);
            err = BK_ERR_IO;
        } else if (strcmp(sha, resp->body_sha256) == 0) {
            x->res.duplicates++;
        } else {
            json_t *o = json_pack("{s:s, s:s?, s:s}", "response_id", resp->response_id, "body",
                                  resp->body, "body_sha256", resp->body_sha256);
            if (!o || json_array_append_new(other, o) != 0)
                err = BK_ERR_NOMEM;
        }
    }
    PQclear(r);
    size_t n_other = json_array_size(other);
    char *rows = NULL;
    if (err == BK_OK)
        rows = dump_array(other);
    else
        json_decref(other);
    if (err == BK_OK && !rows)
        err = BK_ERR_NOMEM;
    if (err != BK_OK || n_other == 0) {
        free(rows);
        return err;
    }
    pg_params q = {0};
    pg_text(&q, rows);
    pg_text(&q, x->kiosk_id);
    pg_text(&q, b->batch_id);
    pg_int(&q, x->now);
    err = pg_exec(c,
                  "INSERT INTO response_conflicts (response_id, kiosk_id, batch_id, body,"
                  " body_sha256, received_ms) SELECT c.response_id, $2, $3, c.body,"
                  " c.body_sha256, $4 FROM json_to_recordset($1::json)"
                  " AS c(response_id text, body text, body_sha256 text) ORDER BY c.response_id"
                  " ON CONFLICT (response_id, body_sha256) DO NOTHING RETURNING response_id",
                  &q, &r, "storing conflicting responses");
    free(rows);
    if (err != BK_OK)
        return err;
    int kept = PQntuples(r);
    for (int i = 0; i < kept; i++)
        log_warn("storage", "response %s came again with another body (batch %s): kept beside",
                 PQgetvalue(r, i, 0), b->batch_id);
    PQclear(r);
    x->res.conflicts += kept;
    x->res.duplicates += (int)n_other - kept;
    return BK_OK;
}

static bk_err batch_tx(pg_conn *c, void *arg)
{
    batch_ctx *x = arg;
    const ingest_batch *b = x->b;
    memset(&x->res, 0, sizeof x->res);
    pg_params p = {0};
    pg_text(&p, b->batch_id);
    pg_text(&p, x->kiosk_id);
    pg_int(&p, x->now);
    pg_int(&p, (int64_t)b->n_responses);
    PGresult *r;
    bk_err err = pg_exec(c,
                         "INSERT INTO batches (batch_id, kiosk_id, received_ms, n_responses,"
                         " accepted, duplicates, conflicts, quarantined)"
                         " VALUES ($1, $2, $3, $4, 0, 0, 0, 0)"
                         " ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                         &p, &r, "storing a batch");
    if (err != BK_OK)
        return err; /* BK_ERR_NOT_FOUND: no such kiosk */
    x->res.repeated = PQntuples(r) == 0;
    PQclear(r);

    pg_params q = {0};
    pg_text(&q, x->rows);
    pg_text(&q, x->kiosk_id);
    pg_text(&q, b->batch_id);
    pg_int(&q, x->now);
    err = pg_exec(c,
                  "INSERT INTO responses (response_id, kiosk_id, batch_id, seq, survey_id,"
                  " survey_version, mode, status, language, area, started_at, started_ms,"
                  " completed_at, completed_ms, flags, body, body_sha256, received_ms,"
                  " quarantine_reason)"
                  " SELECT x.response_id, $2, $3, x.seq, x.survey_id, x.survey_version, x.mode,"
                  " x.status, x.language, x.area, x.started_at, x.started_ms, x.completed_at,"
                  " x.completed_ms, x.flags, x.body, x.body_sha256, $4, x.quarantine_reason"
                  " FROM json_to_recordset($1::json) AS x(response_id text, seq bigint,"
                  " survey_id text, survey_version integer, mode text, status text,"
                  " language text, area text, started_at text, started_ms bigint,"
                  " completed_at text, completed_ms bigint, flags text, body text,"
                  " body_sha256 text, quarantine_reason text)"
                  " ORDER BY x.response_id ON CONFLICT (response_id) DO NOTHING"
                  " RETURNING response_id",
                  &q, &r, "storing responses");
    if (err != BK_OK)
        return err;
    err = mark_inserted(x, r);
    PQclear(r);
    if (err != BK_OK)
        return err;
    for (size_t i = 0; i < b->n_responses; i++) {
        if (x->inserted[i]) {
            x->res.accepted++;
            if (b->responses[i].quarantine)
                x->res.quarantined++;
        }
    }
    size_t n_answers = 0;
    char *answers = answers_json(b, x->inserted, &n_answers);
    if (!answers)
        return BK_ERR_NOMEM;
    if (n_answers) {
        pg_params a = {0};
        pg_text(&a, answers);
        err = pg_exec(c,
                      "INSERT INTO answers (response_id, position, question_id, value_json)"
                      " SELECT a.response_id, a.position, a.question_id, a.value_json"
                      " FROM json_to_recordset($1::json) AS a(response_id text, position integer,"
                      " question_id text, value_json text)",
                      &a, NULL, "storing answers");
    }
    free(answers);
    if (err == BK_OK)
        err = store_held(x, c);
    if (err == BK_OK && !x->res.repeated) {
        pg_params n = {0};
        pg_text(&n, b->batch_id);
        pg_int(&n, x->res.accepted);
        pg_int(&n, x->res.duplicates);
        pg_int(&n, x->res.conflicts);
        pg_int(&n, x->res.quarantined);
        err = pg_exec(c,
                      "UPDATE batches SET accepted = $2, duplicates = $3, conflicts = $4,"
                      " quarantined = $5 WHERE batch_id = $1",
                      &n, NULL, "counting a batch");
    }
    return err;
}

bk_err storage_pg_batch_store(storage *base, const char *kiosk_id, const ingest_batch *b,
                              storage_batch_result *out)
{
    storage_pg *st = (storage_pg *)base;
    batch_ctx x = {.st = st, .kiosk_id = kiosk_id, .b = b, .now = clock_wall_ms(&st->clock)};
    char *rows = responses_json(b);
    x.rows = rows;
    x.inserted = calloc(b->n_responses ? b->n_responses : 1, sizeof *x.inserted);
    bk_err err = rows && x.inserted ? pg_run(st, NULL, batch_tx, &x) : BK_ERR_NOMEM;
    free(rows);
    free(x.inserted);
    if (err == BK_OK)
        *out = x.res;
    return err;
}

/* ---- reading back ---- */

/* Rows fetched from the cursor at a time: memory stays bounded. */
#define PG_FETCH_ROWS 2000
#define PG_FETCH "FETCH 2000 FROM bk_responses"

/* The value at (i, n) as a new string; NULL for SQL NULL, or with *oom
 * set when the copy fails. */
static char *dup_at(const PGresult *r, int i, int n, bool *oom)
{
    if (PQgetisnull(r, i, n))
        return NULL;
    char *copy = strdup(PQgetvalue(r, i, n));
    if (!copy)
        *oom = true;
    return copy;
}

/* The answers of a response as the cursor sends them (PG_ANSWERS_AGG): in
 * position order, each question_id, US (0x1f), value_json, US and 1 when
 * moderation hid it (else 0), separated by
 * RS (0x1e). Neither can occur inside one: a question id is letters,
 * digits, '-' and '_' (ingest checks it with survey_id_valid), and JSON
 * text holds no raw control character. Cheaper for both sides than
 * json_agg (1,000,000 responses: 14 s instead of 19 s in the server). */
#define PG_ANSWERS_AGG                                                                             \
    "(SELECT string_agg(a.question_id || chr(31) || a.value_json || chr(31) ||"                    \
    " CASE WHEN m.hidden <> 0 THEN '1' ELSE '0' END, chr(30) ORDER BY a.position)"                 \
    " FROM answers a LEFT JOIN moderation m ON m.response_id = a.response_id"                      \
    " AND m.question_id = a.question_id WHERE a.response_id = r.response_id)"

static bk_err answers_parse(response_row *row, const char *text)
{
    if (!text || !*text)
        return BK_OK; /* no answers */
    size_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == '\x1e';
    row->answers = calloc(n, sizeof *row->answers);
    if (!row->answers)
        return BK_ERR_NOMEM;
    const char *p = text;
    for (size_t j = 0; j < n; j++) {
        const char *end = strchr(p, '\x1e');
        if (!end)
            end = p + strlen(p);
        const char *us = memchr(p, '\x1f', (size_t)(end - p));
        const char *us2 = us ? memchr(us + 1, '\x1f', (size_t)(end - us - 1)) : NULL;
        if (!us2) {
            log_error("storage", "response %s: its answers cannot be read", row->response_id);
            return BK_ERR_CORRUPT;
        }
        response_answer *a = &row->answers[j];
        a->question_id = strndup(p, (size_t)(us - p));
        a->value_json = strndup(us + 1, (size_t)(us2 - us - 1));
        a->hidden = us2[1] == '1';
        row->n_answers = j + 1;
        if (!a->question_id || !a->value_json)
            return BK_ERR_NOMEM;
        p = *end ? end + 1 : end;
    }
    return BK_OK;
}

/* Reads row i of a FETCH of the cursor (columns in its order) into row. */
static bk_err row_at(const PGresult *r, int i, response_row *row)
{
    memset(row, 0, sizeof *row);
    bool oom = false;
    row->rowid = pg_int_at(r, i, 0);
    row->seq = pg_int_at(r, i, 1);
    row->response_id = dup_at(r, i, 2, &oom);
    row->survey_id = dup_at(r, i, 3, &oom);
    row->survey_version = (int)pg_int_at(r, i, 4);
    row->mode = dup_at(r, i, 5, &oom);
    row->status = dup_at(r, i, 6, &oom);
    row->language = dup_at(r, i, 7, &oom);
    row->area = dup_at(r, i, 8, &oom);
    row->started_at = dup_at(r, i, 9, &oom);
    row->completed_at = dup_at(r, i, 10, &oom);
    row->batch_id = dup_at(r, i, 12, &oom);
    row->kiosk_id = dup_at(r, i, 13, &oom);
    if (oom || !row->response_id)
        return BK_ERR_NOMEM;
    bk_err err = storage_flags_parse(row, pg_text_at(r, i, 11));
    if (err != BK_OK)
        return err;
    return answers_parse(row, pg_text_at(r, i, 14));
}

typedef struct foreach_ctx {
    const storage_filter *filter;
    int (*fn)(const response_row *row, void *ctx);
    void *ctx;
} foreach_ctx;

static bk_err foreach_tx(pg_conn *c, void *arg)
{
    foreach_ctx *x = arg;
    pg_params p = {0};
    pg_text(&p, x->filter->area);
    pg_int(&p, x->filter->since_ms > 0 ? x->filter->since_ms : INT64_MIN);
    pg_int(&p, x->filter->with_quarantined ? 1 : 0);
    pg_int(&p, x->filter->until_ms > 0 ? x->filter->until_ms : INT64_MAX);
    /* Planned for reading every row, not for the first ones fast. */
    bk_err err =
        pg_exec(c, "SET LOCAL cursor_tuple_fraction = 1.0", NULL, NULL, "reading responses");
    if (err == BK_OK)
        err = pg_exec(c,
                      "DECLARE bk_responses NO SCROLL CURSOR FOR"
                      " SELECT r.id, r.seq, r.response_id, r.survey_id, r.survey_version, r.mode,"
                      " r.status, r.language, r.area, r.started_at, r.completed_at, r.flags,"
                      " r.batch_id, r.kiosk_id, " PG_ANSWERS_AGG
                      " FROM responses r LEFT JOIN kiosks k ON k.id = r.kiosk_id"
                      " WHERE ($1::text IS NULL OR coalesce(r.area, k.area) = $1::text)"
                      " AND r.started_ms >= $2::bigint AND r.started_ms < $4::bigint"
                      " AND ($3::integer <> 0 OR r.quarantine_reason IS NULL)"
                      " ORDER BY r.kiosk_id, r.seq, r.response_id",
                      &p, NULL, "reading responses");
    bool more = err == BK_OK;
    while (more) {
        PGresult *r;
        err = pg_exec(c, PG_FETCH, NULL, &r, "reading responses");
        if (err != BK_OK)
            break;
        int n = PQntuples(r);
        more = n == PG_FETCH_ROWS;
        for (int i = 0; i < n; i++) {
            response_row row;
            err = row_at(r, i, &row);
            int stop = err == BK_OK ? x->fn(&row, x->ctx) : 1;
            response_row_clear(&row);
            if (stop) {
                more = false;
                break;
            }
        }
        PQclear(r);
    }
    return err;
}

bk_err storage_pg_foreach_response(storage *base, const storage_filter *filter,
                                   int (*fn)(const response_row *row, void *ctx), void *ctx)
{
    const storage_filter none = {0};
    foreach_ctx x = {.filter = filter ? filter : &none, .fn = fn, .ctx = ctx};
    /* One snapshot for every row, however long the reading takes. */
    return pg_run((storage_pg *)base, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", foreach_tx,
                  &x);
}

typedef struct counts_ctx {
    int (*fn)(const storage_count_row *row, void *ctx);
    void *ctx;
} counts_ctx;

static int count_row(const PGresult *r, int i, void *arg)
{
    counts_ctx *x = arg;
    storage_count_row row;
    memset(&row, 0, sizeof row);
    pg_copy_at(r, i, 0, row.survey_id, sizeof row.survey_id);
    row.survey_version = (int)pg_int_at(r, i, 1);
    pg_copy_at(r, i, 2, row.area, sizeof row.area);
    pg_copy_at(r, i, 3, row.kiosk_id, sizeof row.kiosk_id);
    row.responses = pg_int_at(r, i, 4);
    row.quarantined = pg_int_at(r, i, 5);
    row.conflicts = pg_int_at(r, i, 6);
    return x->fn(&row, x->ctx);
}

bk_err storage_pg_counts(storage *base, int (*fn)(const storage_count_row *row, void *ctx),
                         void *ctx)
{
    counts_ctx x = {fn, ctx};
    return pg_each_row((storage_pg *)base,
                       "SELECT r.survey_id, r.survey_version, coalesce(r.area, k.area, ''),"
                       " r.kiosk_id, count(*) FILTER (WHERE r.quarantine_reason IS NULL),"
                       " count(*) FILTER (WHERE r.quarantine_reason IS NOT NULL),"
                       " coalesce(sum((SELECT count(*) FROM response_conflicts c"
                       " WHERE c.response_id = r.response_id)), 0)"
                       " FROM responses r LEFT JOIN kiosks k ON k.id = r.kiosk_id"
                       " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
                       "counting responses", count_row, &x);
}

typedef struct problems_ctx {
    int (*fn)(const storage_problem_row *row, void *ctx);
    void *ctx;
} problems_ctx;

static int problem_row(const PGresult *r, int i, void *arg)
{
    problems_ctx *x = arg;
    storage_problem_row row = {
        .kind = pg_text_at(r, i, 0),
        .response_id = pg_text_at(r, i, 1),
        .kiosk_id = pg_text_at(r, i, 2),
        .batch_id = pg_text_at(r, i, 3),
        .reason = pg_text_at(r, i, 4),
        .body = pg_text_at(r, i, 5),
        .received_ms = pg_int_at(r, i, 6),
    };
    return x->fn(&row, x->ctx);
}

bk_err storage_pg_foreach_problem(storage *base,
                                  int (*fn)(const storage_problem_row *row, void *ctx), void *ctx)
{
    problems_ctx x = {fn, ctx};
    return pg_each_row((storage_pg *)base,
                       "SELECT 'quarantine', response_id, kiosk_id, batch_id, quarantine_reason,"
                       " body, received_ms FROM responses WHERE quarantine_reason IS NOT NULL"
                       " UNION ALL SELECT 'conflict', response_id, kiosk_id, batch_id, NULL, body,"
                       " received_ms FROM response_conflicts ORDER BY 7, 2, 1",
                       "listing problems", problem_row, &x);
}
