/* test_chaos_util.c: see test_chaos_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_chaos_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_ui_util.h"

extern char **environ;

/* ---- Configuration ---- */

void hc_write_config(const char *dst, const char *const *kv)
{
    FILE *in = fopen(HC_INI, "r");
    FILE *out = fopen(dst, "w");
    if (!in || !out)
        fail_msg("cannot copy %s to %s: %s", HC_INI, dst, strerror(errno));
    bool dir_given = false;
    for (size_t i = 0; kv && kv[i]; i += 2)
        dir_given = dir_given || strcmp(kv[i], "directory") == 0;
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        const char *value = NULL;
        char key[64] = "";
        if (line[0] != ';' && line[0] != '[' && sscanf(line, "%63[a-z_.] =", key) == 1) {
            for (size_t i = 0; kv && kv[i]; i += 2)
                if (strcmp(kv[i], key) == 0)
                    value = kv[i + 1];
            if (!value && !dir_given && strcmp(key, "directory") == 0)
                value = HC_SURVEYS;
        }
        if (value)
            fprintf(out, "%s = %s\n", key, value);
        else
            fputs(line, out);
    }
    fclose(in);
    if (fclose(out) != 0)
        fail_msg("cannot write %s", dst);
}

/* ---- The binary ---- */

pid_t hc_spawn_kiosk(const char *const *argv, const char *log)
{
    const char *args[32];
    size_t n = 0;
    args[n++] = BK_BINARY;
    for (size_t i = 0; argv[i] && n < 31; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **env = calloc(ne + 3, sizeof *env);
    assert_non_null(env);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "SDL_VIDEODRIVER=", 16) != 0 &&
            strncmp(environ[i], "SDL_AUDIODRIVER=", 16) != 0)
            env[k++] = environ[i];
    char video[64];
    snprintf(video, sizeof video, "SDL_VIDEODRIVER=%s", ut_video_driver());
    env[k++] = video;
    env[k++] = "SDL_AUDIODRIVER=dummy";
    env[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, BK_BINARY, &fa, NULL, (char *const *)args, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    if (rc != 0)
        fail_msg("cannot start %s: %s", BK_BINARY, strerror(rc));
    return pid;
}

int hc_wait(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void hc_print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(f);
}

/* ---- Integrity ---- */

static bool copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY);
    if (in < 0)
        return false;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0) {
        close(in);
        return false;
    }
    char buf[65536];
    ssize_t n;
    bool ok = true;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            ok = false;
    close(in);
    close(out);
    return ok && n == 0;
}

bool hc_integrity_ok(const char *db, const char *scratch_dir, char *msg, size_t size)
{
    char copy[PATH_MAX], from[PATH_MAX + 8], to[PATH_MAX + 8];
    snprintf(copy, sizeof copy, "%s/check.db", scratch_dir);
    snprintf(to, sizeof to, "%s-wal", copy);
    unlink(to);
    snprintf(to, sizeof to, "%s-shm", copy);
    unlink(to);
    if (!copy_file(db, copy)) {
        snprintf(msg, size, "cannot copy %s", db);
        return false;
    }
    snprintf(from, sizeof from, "%s-wal", db);
    snprintf(to, sizeof to, "%s-wal", copy);
    if (access(from, F_OK) == 0 && !copy_file(from, to)) {
        snprintf(msg, size, "cannot copy %s", from);
        return false;
    }
    sqlite3 *h = NULL;
    bool ok = false;
    if (sqlite3_open_v2(copy, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(msg, size, "open: %s", sqlite3_errmsg(h));
        sqlite3_close(h);
        return false;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        ok = r && strcmp(r, "ok") == 0;
        if (!ok)
            snprintf(msg, size, "integrity_check: %s", r ? r : "(null)");
    } else {
        snprintf(msg, size, "integrity_check: %s", sqlite3_errmsg(h));
    }
    sqlite3_finalize(s);
    s = NULL;
    if (ok && sqlite3_prepare_v2(h, "PRAGMA foreign_key_check", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        ok = false;
        snprintf(msg, size, "foreign_key_check: a row in %s has no parent",
                 (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    sqlite3_close(h);
    return ok;
}

/* ---- Responses against surveys ---- */

static int hc_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

void hc_surveys_load(hc_surveys *out, const char *dir)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    char *names[16];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 16) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], hc_names);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        bk_diag diag = {0};
        survey *s = survey_load_file(path, &diag);
        if (!s) {
            diag_print(&diag, stderr);
            fail_msg("invalid survey %s", path);
        }
        diag_clear(&diag);
        out->s[out->n++] = s;
        free(names[i]);
    }
}

void hc_surveys_free(hc_surveys *v)
{
    for (size_t i = 0; i < v->n; i++)
        survey_free(v->s[i]);
    memset(v, 0, sizeof *v);
}

static bool hc_utf8_ok(const char *s, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        int len = *p < 0x80             ? 1
                  : (*p & 0xE0) == 0xC0 ? 2
                  : (*p & 0xF0) == 0xE0 ? 3
                  : (*p & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (!len || (len == 2 && *p < 0xC2))
            return false;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        if (*p < 0x20 && *p != '\n')
            return false; /* control characters never come from the keyboard */
        p += len;
        n++;
    }
    *chars = n;
    return true;
}

/* The parsed stored answer to question id, or NULL. */
static json_t *hc_answer(json_t *const *values, const store_response_row *row, const char *id)
{
    for (size_t i = 0; i < row->n_answers; i++)
        if (strcmp(row->answers[i].question_id, id) == 0)
            return values[i];
    return NULL;
}

/* Does q's show_if hold for the stored answers (and area)? */
static bool hc_applies(const survey *s, const bk_config *cfg, json_t *const *values,
                       const store_response_row *row, const survey_question *q, int depth)
{
    if (q->type == SURVEY_Q_AREA && cfg->kiosk.area && cfg->kiosk.area[0])
        return false;
    if (!q->show_if.question || depth > SURVEY_MAX_QUESTIONS)
        return true;
    const survey_question *dep = survey_find_question(s, q->show_if.question);
    if (!dep || !hc_applies(s, cfg, values, row, dep, depth + 1))
        return false;
    json_t *v = dep->type == SURVEY_Q_AREA ? NULL : hc_answer(values, row, dep->id);
    for (size_t k = 0; k < q->show_if.n_in; k++) {
        const char *want = q->show_if.in[k];
        if (dep->type == SURVEY_Q_AREA && row->area && strcmp(row->area, want) == 0)
            return true;
        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
            return true;
        if (json_is_integer(v) && json_integer_value(v) == strtoll(want, NULL, 10))
            return true;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) if (json_is_string(x) &&
                                        strcmp(json_string_value(x), want) == 0) return true;
    }
    return false;
}

static bool hc_value_valid(const survey_question *q, json_t *v, char *why, size_t size)
{
    switch (q->type) {
    case SURVEY_Q_SCALE:
    case SURVEY_Q_SMILEY:
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > SURVEY_SCALE_POINTS) {
            snprintf(why, size, "%s: not a whole number from 1 to 5", q->id);
            return false;
        }
        return true;
    case SURVEY_Q_NUMBER:
        if (!json_is_integer(v) || json_integer_value(v) < q->min ||
            json_integer_value(v) > q->max) {
            snprintf(why, size, "%s: not a whole number from %ld to %ld", q->id, q->min, q->max);
            return false;
        }
        return true;
    case SURVEY_Q_CHOICE:
        if (!json_is_string(v) || survey_find_option(q, json_string_value(v)) < 0) {
            snprintf(why, size, "%s: not one of its options", q->id);
            return false;
        }
        return true;
    case SURVEY_Q_MULTI: {
        size_t n = json_array_size(v);
        if (!json_is_array(v) || n == 0 || (q->max_choices > 0 && n > (size_t)q->max_choices)) {
            snprintf(why, size, "%s: not a list of 1 to %d options", q->id, q->max_choices);
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(v, i);
            if (!json_is_string(x) || survey_find_option(q, json_string_value(x)) < 0) {
                snprintf(why, size, "%s: item %zu is not one of its options", q->id, i);
                return false;
            }
            for (size_t k = 0; k < i; k++)
                if (json_equal(x, json_array_get(v, k))) {
                    snprintf(why, size, "%s: an option twice", q->id);
                    return false;
                }
        }
        return true;
    }
    case SURVEY_Q_TEXT: {
        size_t chars = 0;
        if (!json_is_string(v) || !hc_utf8_ok(json_string_value(v), &chars) || chars == 0 ||
            chars > (size_t)q->max_length) {
            snprintf(why, size, "%s: not UTF-8 text of 1 to %d characters", q->id, q->max_length);
            return false;
        }
        return true;
    }
    case SURVEY_Q_INFO:
    case SURVEY_Q_AREA:
        snprintf(why, size, "%s: a %s question has no stored answer", q->id,
                 survey_qtype_name(q->type));
        return false;
    }
    return false;
}

bool hc_response_valid(const hc_surveys *v, const bk_config *cfg, const store_response_row *row,
                       char *why, size_t size)
{
    const survey *s = NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->s[i]->id, row->survey_id) == 0 && v->s[i]->version == row->survey_version)
            s = v->s[i];
    if (!s) {
        snprintf(why, size, "survey %s version %d is not installed", row->survey_id,
                 row->survey_version);
        return false;
    }
    bool live = strcmp(row->mode, "live") == 0;
    if (!live && strcmp(row->mode, "survey") != 0) {
        snprintf(why, size, "mode \"%s\"", row->mode);
        return false;
    }
    bool started = strcmp(row->status, "started") == 0;
    bool complete = strcmp(row->status, "complete") == 0;
    if (!started && !complete && strcmp(row->status, "partial") != 0) {
        snprintf(why, size, "status \"%s\"", row->status);
        return false;
    }
    if (survey_language_index(s, row->language) < 0) {
        snprintf(why, size, "language \"%s\" is not one of the survey's", row->language);
        return false;
    }
    if (row->area) {
        bool known = false;
        for (size_t i = 0; i < cfg->n_areas; i++)
            known = known || strcmp(cfg->areas[i].id, row->area) == 0;
        if (!known) {
            snprintf(why, size, "area \"%s\" is not configured", row->area);
            return false;
        }
    }
    if (started == (row->completed_at != NULL)) {
        snprintf(why, size, "status %s with completed_at %s", row->status,
                 row->completed_at ? row->completed_at : "NULL");
        return false;
    }
    json_t *values[SURVEY_MAX_QUESTIONS + 1] = {0};
    bool ok = row->n_answers <= SURVEY_MAX_QUESTIONS;
    if (!ok)
        snprintf(why, size, "%zu answers", row->n_answers);
    for (size_t i = 0; ok && i < row->n_answers; i++) {
        json_error_t err;
        values[i] = json_loads(row->answers[i].value_json, JSON_DECODE_ANY, &err);
        const survey_question *q = survey_find_question(s, row->answers[i].question_id);
        if (!values[i]) {
            snprintf(why, size, "%s: the value is not JSON", row->answers[i].question_id);
            ok = false;
        } else if (!q) {
            snprintf(why, size, "an answer to %s, which the survey does not have",
                     row->answers[i].question_id);
            ok = false;
        } else {
            ok = hc_value_valid(q, values[i], why, size);
        }
    }
    /* A live vote is one answer; one the store could not finish is kept as
       partial with what was stored (live.c), like a resident who left. */
    if (ok && live && (complete ? row->n_answers != 1 : row->n_answers > 1)) {
        snprintf(why, size, "a live vote with %zu answers (%s)", row->n_answers, row->status);
        ok = false;
    }
    for (size_t i = 0; ok && !live && !started && i < s->n_questions; i++) {
        const survey_question *q = &s->questions[i];
        bool applies = hc_applies(s, cfg, values, row, q, 0);
        bool answered =
            q->type == SURVEY_Q_AREA ? row->area != NULL : hc_answer(values, row, q->id) != NULL;
        if (answered && !applies && q->type != SURVEY_Q_AREA) {
            snprintf(why, size, "%s is answered but its show_if hides it", q->id);
            ok = false;
        } else if (complete && q->required && applies && !answered) {
            snprintf(why, size, "complete, but the required %s has no answer", q->id);
            ok = false;
        }
    }
    for (size_t i = 0; i < row->n_answers; i++)
        json_decref(values[i]);
    return ok;
}

typedef struct hc_check_ctx {
    const hc_surveys *v;
    const bk_config *cfg;
    size_t n, bad;
} hc_check_ctx;

static int hc_check_row(const store_response_row *row, void *vctx)
{
    hc_check_ctx *c = vctx;
    char why[512];
    c->n++;
    if (!hc_response_valid(c->v, c->cfg, row, why, sizeof why)) {
        if (c->bad++ < 10) {
            char *json = store_response_to_json(row);
            fprintf(stderr, "invalid response seq %lld: %s\n  %s\n", (long long)row->seq, why,
                    json ? json : "");
            free(json);
        }
    }
    return 0;
}

size_t hc_check_all_responses(store *st, const hc_surveys *v, const bk_config *cfg, size_t *n)
{
    hc_check_ctx c = {.v = v, .cfg = cfg};
    assert_int_equal(store_foreach_response(st, 0, 0, hc_check_row, &c), BK_OK);
    if (n)
        *n = c.n;
    return c.bad;
}

/* ---- Randomness and sizes ---- */

uint64_t hc_rand(hc_rng *r)
{
    uint64_t x = r->s ? r->s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

uint64_t hc_below(hc_rng *r, uint64_t n)
{
    return n ? hc_rand(r) % n : 0;
}

uint64_t hc_seed(const char *env_name)
{
    const char *e = getenv(env_name);
    uint64_t seed;
    if (e && *e) {
        seed = strtoull(e, NULL, 0);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
    }
    fprintf(stderr, "%s=%llu (set it to repeat this run)\n", env_name, (unsigned long long)seed);
    return seed;
}

long hc_env_long(const char *name, long dflt)
{
    const char *e = getenv(name);
    if (!e || !*e)
        return dflt;
    char *end;
    long v = strtol(e, &end, 10);
    return *end == '\0' && v > 0 ? v : dflt;
}
