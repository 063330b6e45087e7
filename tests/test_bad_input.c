/* test_bad_input.c: bad input everywhere (issue 8). A table of broken survey
 * files, configuration files, downloaded survey bundles and server replies
 * to an upload. For each: the exact message the kiosk gives, and proof that
 * nothing in use was replaced:
 *
 * - a broken survey file next to the one in use: skipped with its message;
 *   the kiosk (the real app, headless) still shows the survey in use;
 * - a broken configuration: the real binary refuses to start with the
 *   message and exit status 2, and the database file is byte for byte the
 *   same, with no file added next to it;
 * - a broken download: the sync pass reports "Ongeldige enquête ontvangen"
 *   with the message; the store meta "surveys.bundle", "surveys.active" and
 *   "surveys.etag" are unchanged and the app still shows the installed
 *   download's survey;
 * - a reply to an upload that is not a proper acknowledgement: nothing is
 *   marked delivered, the same batch is sent again and then delivered; a
 *   400/422 sets the batch aside with the server's (cleaned) message.
 *
 * Inputs are in tests/bad_input/; docs/reliability.md lists them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "store.h"
#include "survey.h"
#include "sync_private.h"

#define BI_DATA BK_SOURCE_DIR "/tests/bad_input"
#define BI_MAX_MSG 10

/* ---- Files ---- */

static void bi_tmpdir(char *out, size_t size, const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, size, "%s/bk-bad-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    assert_non_null(mkdtemp(out));
}

static void bi_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            bi_rmtree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static char *bi_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void bi_write(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void bi_copy(const char *from, const char *to)
{
    size_t len = 0;
    char *data = bi_read(from, &len);
    if (!data)
        fail_msg("cannot read %s", from);
    bi_write(to, data, len, 0644);
    free(data);
}

/* The names in dir, sorted, joined by '\n' (caller frees). */
static char *bi_listing(const char *dir)
{
    char *names[256];
    size_t n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + 1;
    char *out = calloc(1, total);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, "\n");
        free(names[i]);
    }
    return out;
}

/* Fails naming the case unless diag holds exactly the expected messages. */
static void bi_expect_messages(const char *what, const bk_diag *diag, const char *const *want)
{
    size_t n = 0;
    while (n < BI_MAX_MSG && want[n])
        n++;
    bool same = diag->count == n;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(diag->messages[i], want[i]) == 0;
    if (!same) {
        print_error("%s: expected %zu message(s):\n", what, n);
        for (size_t i = 0; i < n; i++)
            print_error("  %s\n", want[i]);
        print_error("got %zu:\n", diag->count);
        for (size_t i = 0; i < diag->count; i++)
            print_error("  %s\n", diag->messages[i]);
        fail_msg("%s: not the expected messages", what);
    }
}

/* A database with one finished response, for the configuration cases. */
static void bi_make_db(const char *path)
{
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(path, &clk, &st, NULL), BK_OK);
    store_response_meta meta = {.survey_id = "kort",
                                .survey_version = 1,
                                .mode = "survey",
                                .language = "nl",
                                .area = "dorst"};
    store_response_ref ref;
    assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
    answer_value v = {.kind = ANSWER_INT, .integer = 4};
    assert_int_equal(store_answer_set(st, ref.rowid, "prettig", &v), BK_OK);
    assert_int_equal(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0), BK_OK);
    store_close(st);
}

/* The app as the kiosk starts it (headless, no sync) on cfg_path and db:
 * returns the active survey's id and version. */
static void bi_app_active(const char *cfg_path, const char *db, char *id, size_t id_size,
                          int *version, size_t *n_surveys)
{
    bk_config cfg;
    bk_diag diag = {0};
    if (config_load(cfg_path, &cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        fail_msg("cannot load %s", cfg_path);
    }
    diag_clear(&diag);
    app_options opt = {
        .db_path = db,
        .assets_dir = BK_SOURCE_DIR "/assets",
        .virtual_time = true,
        .headless = true,
        .no_sync = true,
        .width = 1280,
        .height = 800,
    };
    app *a = app_create(&cfg, &opt);
    if (!a)
        fail_msg("the kiosk did not start on %s", cfg_path);
    assert_non_null(a->active);
    snprintf(id, id_size, "%s", a->active->id);
    *version = a->active->version;
    *n_surveys = a->n_surveys;
    app_destroy(a);
    config_free(&cfg);
}

/* ---- Broken survey files ---- */

typedef struct survey_case {
    const char *file; /* in tests/bad_input/surveys/ */
    const char *messages[BI_MAX_MSG];
} survey_case;

static const survey_case survey_cases[] = {
    {"trailing-comma.json",
     {"trailing-comma.json:84:5: invalid JSON: string or '}' expected near '}' (remove the comma "
      "after the last item)"}},
    {"missing-comma.json",
     {"missing-comma.json:4:13: invalid JSON: '}' expected near '\"languages\"' (is a comma "
      "missing?)"}},
    {"single-quotes.json",
     {"single-quotes.json:2:3: invalid JSON: string or '}' expected near ''' (use double quotes "
      "\"...\", not single quotes)"}},
    {"latin1.json",
     {"latin1.json:9:25: invalid JSON: unable to decode byte 0xe9 near '\"Korte peiling ' (save "
      "the file as UTF-8)"}},
    {"empty.json", {"empty.json:1:1: invalid JSON: '[' or '{' expected near end of file"}},
    {"version-string.json",
     {"version-string.json: \"version\" must be a whole number of 1 or more"}},
    {"missing-english.json",
     {"missing-english.json: questions[1] \"prettig\": \"text\" has no \"en\" text"}},
    {"misspelled-key.json",
     {"misspelled-key.json: questions[1] \"prettig\": unknown key \"requird\" (did you mean "
      "\"required\"?)"}},
    {"show-if-later.json",
     {"show-if-later.json: questions[2] \"waarom\": \"show_if\" refers to \"bus\", which comes "
      "later (questions[3]); it must refer to an earlier question"}},
    {"one-option.json",
     {"one-option.json: questions[2] \"bus\": \"options\" has 1 option; a choice question needs "
      "at least 2"}},
    {"duplicate-id.json",
     {"duplicate-id.json: questions[2] \"prettig\": id \"prettig\" is already used by "
      "questions[1]",
      "duplicate-id.json: questions[3] \"waarom\": \"show_if\": in[0] must be a value from 1 to "
      "5"}},
    {"four-labels.json",
     {"four-labels.json: questions[1] \"prettig\": \"labels\": the \"nl\" list has 4 labels; it "
      "needs exactly 5 (one for each value 1 to 5)"}},
    {"max-length.json",
     {"max-length.json: questions[3] \"waarom\": \"max_length\" must be a whole number from 1 to "
      "2000"}},
    {"bad-id.json",
     {"bad-id.json: questions[1] \"Prettig wonen\": id \"Prettig wonen\" is not valid: use 1 to "
      "64 characters from a-z, 0-9, _ and -"}},
};

static void test_broken_surveys(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof survey_cases / sizeof survey_cases[0]; i++) {
        const survey_case *c = &survey_cases[i];
        char dir[512], p[PATH_MAX], q[PATH_MAX];
        bi_tmpdir(dir, sizeof dir, "survey");
        snprintf(p, sizeof p, "%s/surveys", dir);
        assert_int_equal(mkdir(p, 0755), 0);
        snprintf(p, sizeof p, "%s/surveys/kort.json", dir);
        bi_copy(BI_DATA "/kort.json", p);
        /* The broken file is version 2 of the survey in use. */
        snprintf(p, sizeof p, "%s/surveys/%s", dir, c->file);
        snprintf(q, sizeof q, "%s/surveys/%s", BI_DATA, c->file);
        bi_copy(q, p);
        bk_diag diag = {0};
        survey *s = survey_load_file(p, &diag);
        if (s)
            fail_msg("%s: accepted", c->file);
        bi_expect_messages(c->file, &diag, c->messages);
        diag_clear(&diag);

        /* The kiosk starts and shows version 1, the only valid survey. */
        snprintf(p, sizeof p, "%s/buurtkiosk.ini", dir);
        bi_copy(BI_DATA "/kiosk.ini", p);
        snprintf(q, sizeof q, "%s/kiosk.db", dir);
        char id[80];
        int version = 0;
        size_t n = 0;
        bi_app_active(p, q, id, sizeof id, &version, &n);
        if (strcmp(id, "kort") != 0 || version != 1 || n != 1)
            fail_msg("%s: the kiosk shows %s version %d of %zu surveys, not kort version 1",
                     c->file, id, version, n);
        bi_rmtree(dir);
    }
}

/* ---- Broken configuration files ---- */

typedef struct config_case {
    const char *file; /* in tests/bad_input/configs/; NULL = no file at all */
    int exit_status;
    const char *messages[BI_MAX_MSG]; /* stderr, line by line, exactly */
} config_case;

static const config_case config_cases[] = {
    {"typo-key.ini", 2, {"buurtkiosk.ini:9: unknown key \"idle_timout_s\" in [kiosk]"}},
    {"remote-http.ini",
     2,
     {"buurtkiosk.ini:27: base_url uses http:// for \"collector.example.nl\", which is not this "
      "computer; use https:// (plain http is only allowed for 127.0.0.1, ::1 or localhost)"}},
    {"password-in-url.ini",
     2,
     {"buurtkiosk.ini:27: base_url must not contain a user name or password (the token goes in "
      "token_file)"}},
    {"no-staff.ini", 2, {"buurtkiosk.ini:34: section [staff] is missing (it must set pin_hash)"}},
    {"duplicate-key.ini",
     2,
     {"buurtkiosk.ini:11: duplicate key \"mode\" in [kiosk] (first on line 10)"}},
    {"default-language.ini",
     2,
     {"buurtkiosk.ini:8: default_language \"fr\" is not one of languages (nl, en)"}},
    {"idle-range.ini",
     2,
     {"buurtkiosk.ini:9: idle_timeout_s must be a whole number from 10 to 3600, not \"5\""}},
    {"long-line.ini", 2, {"buurtkiosk.ini:5: line is too long (at most 198 characters)"}},
    {"latin1.ini", 2, {"buurtkiosk.ini:5: line is not valid UTF-8; save the file as UTF-8"}},
    {"area-undeclared.ini",
     2,
     {"buurtkiosk.ini:6: area \"zuid\" is not one of the ids in [areas]"}},
    {"cert-without-key.ini",
     2,
     {"buurtkiosk.ini:29: client_cert is set but client_key is not (a client certificate needs "
      "both)"}},
    {"bad-bool.ini",
     2,
     {"buurtkiosk.ini:13: fullscreen must be true or false (or yes/no, 1/0), not \"misschien\""}},
    {"empty.ini",
     2,
     {"buurtkiosk.ini:1: section [kiosk] is missing (it must set id, languages)",
      "buurtkiosk.ini:1: section [storage] is missing (it must set database)",
      "buurtkiosk.ini:1: section [survey] is missing (it must set directory, active)",
      "buurtkiosk.ini:1: section [staff] is missing (it must set pin_hash)"}},
    {"binary.ini",
     2,
     {"buurtkiosk.ini:1: line contains a NUL byte (is this a text file?)",
      "buurtkiosk.ini:2: line contains a NUL byte (is this a text file?)",
      "buurtkiosk.ini:3: line contains a NUL byte (is this a text file?)",
      "buurtkiosk.ini:4: line contains a NUL byte (is this a text file?)",
      "buurtkiosk.ini:5: line is not valid UTF-8; save the file as UTF-8",
      "buurtkiosk.ini:5: section [kiosk] is missing (it must set id, languages)",
      "buurtkiosk.ini:5: section [storage] is missing (it must set database)",
      "buurtkiosk.ini:5: section [survey] is missing (it must set directory, active)",
      "buurtkiosk.ini:5: section [staff] is missing (it must set pin_hash)"}},
    {NULL, 2, {"buurtkiosk.ini: cannot open: No such file or directory"}},
};

/* Runs BK_BINARY with args in dir; its stderr (NUL-terminated, caller
 * frees) in *err. Returns the exit status (128 + signal when killed). */
static int bi_run(const char *dir, const char *const *args, char **err)
{
    char errpath[PATH_MAX];
    snprintf(errpath, sizeof errpath, "%s.stderr", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_WRONLY);
        if (fd < 0 || null < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(fd, 2);
        dup2(null, 1);
        const char *argv[16] = {BK_BINARY};
        size_t n = 1;
        for (size_t i = 0; args[i] && n < 15; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(BK_BINARY, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    *err = bi_read(errpath, NULL);
    unlink(errpath);
    assert_non_null(*err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_broken_configs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof config_cases / sizeof config_cases[0]; i++) {
        const config_case *c = &config_cases[i];
        const char *name = c->file ? c->file : "(no file)";
        char dir[512], p[PATH_MAX], q[PATH_MAX];
        bi_tmpdir(dir, sizeof dir, "config");
        snprintf(p, sizeof p, "%s/surveys", dir);
        assert_int_equal(mkdir(p, 0755), 0);
        snprintf(p, sizeof p, "%s/surveys/kort.json", dir);
        bi_copy(BI_DATA "/kort.json", p);
        snprintf(p, sizeof p, "%s/token", dir);
        bi_write(p, "s3cret\n", 7, 0600);
        if (c->file) {
            snprintf(p, sizeof p, "%s/buurtkiosk.ini", dir);
            snprintf(q, sizeof q, "%s/configs/%s", BI_DATA, c->file);
            bi_copy(q, p);
        }
        snprintf(p, sizeof p, "%s/kiosk.db", dir);
        bi_make_db(p);
        size_t db_len = 0;
        char *db_before = bi_read(p, &db_len);
        char *listing_before = bi_listing(dir);

        const char *args[] = {"run", "--config", "buurtkiosk.ini", NULL};
        char *err = NULL;
        int rc = bi_run(dir, args, &err);
        /* stderr is exactly the messages, one per line. */
        char want[4096] = "";
        for (size_t k = 0; k < BI_MAX_MSG && c->messages[k]; k++) {
            strcat(want, c->messages[k]);
            strcat(want, "\n");
        }
        if (rc != c->exit_status || strcmp(err, want) != 0)
            fail_msg("%s: exit %d (want %d), stderr:\n%s\nwant:\n%s", name, rc, c->exit_status, err,
                     want);
        free(err);

        /* The database is untouched, and nothing was created next to it. */
        size_t db_len_after = 0;
        char *db_after = bi_read(p, &db_len_after);
        assert_non_null(db_after);
        if (db_len != db_len_after || memcmp(db_before, db_after, db_len) != 0)
            fail_msg("%s: the database changed", name);
        char *listing_after = bi_listing(dir);
        if (strcmp(listing_before, listing_after) != 0)
            fail_msg("%s: files appeared or went:\n%s\nwas:\n%s", name, listing_after,
                     listing_before);
        free(db_before);
        free(db_after);
        free(listing_before);
        free(listing_after);
        bi_rmtree(dir);
    }
}

/* ---- The fake server for downloads and uploads ---- */

typedef struct bi_fake {
    long batch_status; /* 0 = 201 with the acknowledgement */
    const char *batch_body;
    size_t batch_body_len; /* 0 = strlen */
    const char *retry_after;
    long surveys_status; /* 0 = 404 */
    const char *surveys_body;
    size_t surveys_body_len; /* 0 = strlen */
    const char *etag;
    /* Seen. */
    char batch_ids[8][STORE_UUID_LEN + 1];
    size_t n_batches;
    char *heartbeat; /* the last heartbeat body */
} bi_fake;

static void bi_reply(sync_http_response *resp, long status, const char *body, size_t len)
{
    resp->err = BK_OK;
    resp->status = status;
    if (body) {
        if (!len)
            len = strlen(body);
        resp->body = malloc(len + 1);
        assert_non_null(resp->body);
        memcpy(resp->body, body, len);
        resp->body[len] = '\0';
        resp->body_len = len;
    }
}

static void bi_fake_send(void *ctx, const sync_http_request *req, sync_http_response *resp)
{
    bi_fake *f = ctx;
    memset(resp, 0, sizeof *resp);
    if (strstr(req->url, "/v1/batches")) {
        const char *id = NULL;
        for (size_t i = 0; i < req->n_headers; i++)
            if (strncmp(req->headers[i], "Idempotency-Key: ", 17) == 0)
                id = req->headers[i] + 17;
        assert_non_null(id);
        if (f->n_batches < 8)
            snprintf(f->batch_ids[f->n_batches++], STORE_UUID_LEN + 1, "%s", id);
        if (!f->batch_status) {
            char ack[160];
            snprintf(ack, sizeof ack, "{\"batch_id\":\"%s\",\"accepted\":3,\"duplicates\":0}", id);
            bi_reply(resp, 201, ack, 0);
            return;
        }
        /* "$BATCH" in the body: this batch's id. */
        const char *body = f->batch_body;
        char buf[16384];
        const char *mark = body ? strstr(body, "$BATCH") : NULL;
        if (mark) {
            snprintf(buf, sizeof buf, "%.*s%s%s", (int)(mark - body), body, id, mark + 6);
            body = buf;
        }
        bi_reply(resp, f->batch_status, body, mark ? 0 : f->batch_body_len);
        if (f->retry_after)
            snprintf(resp->retry_after, sizeof resp->retry_after, "%s", f->retry_after);
        return;
    }
    if (strstr(req->url, "/surveys")) {
        if (!f->surveys_status) {
            bi_reply(resp, 404, NULL, 0);
            return;
        }
        bi_reply(resp, f->surveys_status, f->surveys_body, f->surveys_body_len);
        if (f->etag)
            snprintf(resp->etag, sizeof resp->etag, "%s", f->etag);
        return;
    }
    if (strstr(req->url, "/status")) {
        free(f->heartbeat);
        f->heartbeat = malloc(req->body_len + 1);
        assert_non_null(f->heartbeat);
        memcpy(f->heartbeat, req->body, req->body_len);
        f->heartbeat[req->body_len] = '\0';
        bi_reply(resp, 204, NULL, 0);
        return;
    }
    bi_reply(resp, 404, NULL, 0);
}

/* A kiosk with sync to the fake: its directory, configuration, store. */
typedef struct bi_kiosk {
    char dir[512];
    char cfg_path[PATH_MAX];
    char db[PATH_MAX];
    bk_config cfg;
    bk_virtual_clock vc;
    bi_fake fake;
    sync_client *c;
} bi_kiosk;

static int bi_sleep(void *ctx, int64_t ms)
{
    bi_kiosk *k = ctx;
    clock_virtual_advance(&k->vc, ms);
    return 0;
}

static uint64_t bi_random(void *ctx)
{
    (void)ctx;
    return 12345;
}

/* Sets up the kiosk with n_responses finished responses. */
static void bi_kiosk_open(bi_kiosk *k, const char *tag, int n_responses)
{
    memset(k, 0, sizeof *k);
    bi_tmpdir(k->dir, sizeof k->dir, tag);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/surveys", k->dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/surveys/kort.json", k->dir);
    bi_copy(BI_DATA "/kort.json", p);
    snprintf(p, sizeof p, "%s/token", k->dir);
    bi_write(p, "s3cret-token\n", 13, 0600);
    /* kiosk.ini with sync to a loopback address the fake stands in for. */
    char *ini = bi_read(BI_DATA "/kiosk.ini", NULL);
    assert_non_null(ini);
    char *at = strstr(ini, "base_url =\ntoken_file =\n");
    assert_non_null(at);
    snprintf(k->cfg_path, sizeof k->cfg_path, "%s/buurtkiosk.ini", k->dir);
    FILE *f = fopen(k->cfg_path, "w");
    assert_non_null(f);
    fprintf(f, "%.*sbase_url = http://127.0.0.1:9/buurtkiosk\ntoken_file = token\n%s",
            (int)(at - ini), ini, at + strlen("base_url =\ntoken_file =\n"));
    fclose(f);
    free(ini);
    bk_diag diag = {0};
    if (config_load(k->cfg_path, &k->cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        fail_msg("config");
    }
    diag_clear(&diag);
    snprintf(k->db, sizeof k->db, "%s/kiosk.db", k->dir);
    k->vc.mono_ms = 1000000;
    k->vc.wall_ms = 1795959912000LL;
    bk_clock clk = clock_virtual(&k->vc);
    store *st = NULL;
    assert_int_equal(store_open(k->db, &clk, &st, NULL), BK_OK);
    for (int i = 0; i < n_responses; i++) {
        store_response_meta meta = {.survey_id = "kort",
                                    .survey_version = 1,
                                    .mode = "survey",
                                    .language = "nl",
                                    .area = NULL};
        store_response_ref ref;
        assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
        answer_value v = {.kind = ANSWER_INT, .integer = 1 + i % 5};
        assert_int_equal(store_answer_set(st, ref.rowid, "prettig", &v), BK_OK);
        assert_int_equal(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                         BK_OK);
    }
    store_close(st);
    sync_options opt = sync_options_default();
    opt.clock = clock_virtual(&k->vc);
    opt.sleep_ms = bi_sleep;
    opt.sleep_ctx = k;
    opt.random = bi_random;
    sync_transport tr = {.send = bi_fake_send, .ctx = &k->fake};
    assert_int_equal(sync_client_create(&k->cfg, &opt, &tr, &k->c, &diag), BK_OK);
    diag_clear(&diag);
    assert_int_equal(sync_client_open_store(k->c, k->db), BK_OK);
    sync_surveys_load_installed(k->c);
}

static void bi_kiosk_close(bi_kiosk *k)
{
    sync_client_destroy(k->c);
    config_free(&k->cfg);
    free(k->fake.heartbeat);
    bi_rmtree(k->dir);
}

/* One pass; the status after it in *st. */
static void bi_pass(bi_kiosk *k, sync_status *st)
{
    sync_pass_result r;
    sync_client_pass(k->c, &r);
    pthread_mutex_lock(&k->c->mu);
    *st = k->c->status;
    pthread_mutex_unlock(&k->c->mu);
    clock_virtual_advance(&k->vc, r.retry_in_ms > 0 ? r.retry_in_ms : 1);
}

/* A meta value (new string or NULL). */
static char *bi_meta(bi_kiosk *k, const char *key)
{
    char *v = NULL;
    if (store_meta_get(k->c->st, key, &v) != BK_OK)
        return NULL;
    return v;
}

/* The heartbeat has last_error set to the expected staff text. */
static void bi_expect_heartbeat_error(const char *what, const bi_fake *f, const char *want)
{
    json_error_t jerr;
    json_t *hb = f->heartbeat ? json_loads(f->heartbeat, 0, &jerr) : NULL;
    if (!hb)
        fail_msg("%s: no heartbeat was sent", what);
    json_t *le = json_object_get(hb, "last_error");
    if (!json_is_string(le) || strcmp(json_string_value(le), want) != 0)
        fail_msg("%s: heartbeat last_error is %s, want \"%s\"", what, f->heartbeat, want);
    json_decref(hb);
}

/* ---- Broken downloads ---- */

/* Version 3 of "kort", as the municipality publishes it. */
static const char good_bundle[] =
    "{\"active\":\"kort\",\"surveys\":[{\"id\":\"kort\",\"version\":3,\"languages\":[\"nl\",\"en\"]"
    ","
    "\"title\":{\"nl\":\"Korte peiling\",\"en\":\"Short survey\"},\"questions\":[{\"id\":\"bus\","
    "\"type\":\"choice\",\"text\":{\"nl\":\"Neemt u de bus?\",\"en\":\"Do you take the bus?\"},"
    "\"options\":[{\"id\":\"ja\",\"label\":{\"nl\":\"Ja\",\"en\":\"Yes\"}},{\"id\":\"nee\","
    "\"label\":{\"nl\":\"Nee\",\"en\":\"No\"}}]}]}]}";

typedef struct bundle_case {
    const char *file; /* in tests/bad_input/bundles/; the body of a 200 */
    const char *detail;
} bundle_case;

static const bundle_case bundle_cases[] = {
    {"html-login-page.json", "download:1:1: '[' or '{' expected near '<'"},
    {"cut-off.json", "download:1:101: premature end of input near '\"Korte pei'"},
    {"array.json", "download: the answer is not a JSON object"},
    {"no-surveys.json", "download: \"surveys\" must be a non-empty list of survey definitions"},
    {"surveys-empty.json", "download: \"surveys\" must be a non-empty list of survey definitions"},
    {"active-missing.json", "download: \"active\" must be the id of one of the surveys"},
    {"active-unknown.json",
     "download: \"active\" is \"kort-oud\", which is not one of the surveys"},
    {"invalid-survey.json",
     "download: surveys[0]: questions[0] \"bus\": \"text\" has no \"en\" text"},
    {"same-id-twice.json", "download: surveys[1]: survey id \"kort\" appears twice"},
    {"duplicate-key.json", "download:1:62: duplicate object key near '\"version\"'"},
    {"latin1.json", "download:1:106: unable to decode byte 0xe9 near '\"Korte peiling '"},
    {"nul-byte.json", "download: empty answer or NUL bytes"},
    {"empty.json", "download: empty answer or NUL bytes"},
};

static void test_broken_downloads(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bundle_cases / sizeof bundle_cases[0]; i++) {
        const bundle_case *c = &bundle_cases[i];
        bi_kiosk k;
        bi_kiosk_open(&k, "bundle", 0);
        /* First the good bundle is installed. */
        k.fake.surveys_status = 200;
        k.fake.surveys_body = good_bundle;
        k.fake.etag = "\"v3\"";
        sync_status st;
        bi_pass(&k, &st);
        assert_int_equal(st.error, SYNC_ERROR_NONE);
        char *bundle = bi_meta(&k, "surveys.bundle");
        char *active = bi_meta(&k, "surveys.active");
        char *etag = bi_meta(&k, "surveys.etag");
        assert_string_equal(bundle, good_bundle);
        assert_string_equal(active, "kort");
        assert_string_equal(etag, "\"v3\"");

        /* Then the broken one. */
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/bundles/%s", BI_DATA, c->file);
        size_t len = 0;
        char *body = bi_read(p, &len);
        if (!body)
            fail_msg("cannot read %s", p);
        k.fake.surveys_body = len ? body : NULL;
        k.fake.surveys_body_len = len;
        k.fake.etag = "\"v4\"";
        bi_pass(&k, &st);
        if (st.error != SYNC_ERROR_SURVEY || strcmp(st.detail, c->detail) != 0)
            fail_msg("%s: staff see \"%s: %s\", want \"%s: %s\"", c->file,
                     sync_error_title(st.error, "nl"), st.detail,
                     sync_error_title(SYNC_ERROR_SURVEY, "nl"), c->detail);
        char want[512];
        snprintf(want, sizeof want, "Ongeldige enquête ontvangen: %s", c->detail);
        bi_expect_heartbeat_error(c->file, &k.fake, want);

        /* Nothing in use was replaced. */
        char *bundle2 = bi_meta(&k, "surveys.bundle");
        char *active2 = bi_meta(&k, "surveys.active");
        char *etag2 = bi_meta(&k, "surveys.etag");
        if (!bundle2 || strcmp(bundle, bundle2) != 0 || !active2 || strcmp(active, active2) != 0 ||
            !etag2 || strcmp(etag, etag2) != 0)
            fail_msg("%s: the installed bundle, active or ETag changed", c->file);
        char id[80];
        int version = 0;
        size_t n = 0;
        bi_app_active(k.cfg_path, k.db, id, sizeof id, &version, &n);
        if (strcmp(id, "kort") != 0 || version != 3)
            fail_msg("%s: the kiosk shows %s version %d, not kort version 3", c->file, id, version);
        free(bundle);
        free(active);
        free(etag);
        free(bundle2);
        free(active2);
        free(etag2);
        free(body);
        bi_kiosk_close(&k);
    }
}

/* ---- Replies to an upload ---- */

typedef struct reply_case {
    const char *name;
    long status;
    const char *body; /* "$BATCH": the batch's id */
    size_t body_len;  /* 0 = strlen */
    const char *retry_after;
    sync_error error;           /* what staff see */
    const char *detail;         /* "$BATCH" replaced; NULL: rejected with reject_message */
    const char *reject_message; /* the message the batch is set aside with */
    int64_t wait_ms;            /* expected wait before the next try; -1 = backoff */
} reply_case;

static const reply_case reply_cases[] = {
    {"captive portal login page", 200,
     "<html><head><title>Bibliotheek wifi</title></head><body>Log in</body></html>", 0, NULL,
     SYNC_ERROR_SERVER,
     "HTTP 200 without an acknowledgement of batch $BATCH (a proxy or login page in between?)",
     NULL, -1},
    {"acknowledgement of another batch", 201,
     "{\"batch_id\":\"00000000-0000-4000-8000-000000000000\",\"accepted\":3,\"duplicates\":0}", 0,
     NULL, SYNC_ERROR_SERVER,
     "HTTP 201 without an acknowledgement of batch $BATCH (a proxy or login page in between?)",
     NULL, -1},
    {"acknowledgement cut off", 201, "{\"batch_id\":\"$BATCH\",\"accep", 0, NULL, SYNC_ERROR_SERVER,
     "HTTP 201 without an acknowledgement of batch $BATCH (a proxy or login page in between?)",
     NULL, -1},
    {"empty 200", 200, NULL, 0, NULL, SYNC_ERROR_SERVER,
     "HTTP 200 without an acknowledgement of batch $BATCH (a proxy or login page in between?)",
     NULL, -1},
    {"batch_id as a number", 201, "{\"batch_id\":42}", 0, NULL, SYNC_ERROR_SERVER,
     "HTTP 201 without an acknowledgement of batch $BATCH (a proxy or login page in between?)",
     NULL, -1},
    {"redirect", 302, "<a href=\"https://login.example.nl/\">moved</a>", 0, NULL, SYNC_ERROR_SERVER,
     "HTTP 302: <a href=\"https://login.example.nl/\">moved</a>", NULL, -1},
    {"401 token revoked", 401, "{\"error\":\"token revoked\"}", 0, NULL, SYNC_ERROR_AUTH,
     "HTTP 401: token revoked", NULL, 0},
    {"503 with an unreadable Retry-After", 503, "{\"error\":\"maintenance\"}", 0, "soon",
     SYNC_ERROR_SERVER, "HTTP 503", NULL, -1},
    {"429 with Retry-After a year away", 429, NULL, 0, "31536000", SYNC_ERROR_SERVER,
     "HTTP 429, Retry-After: 31536000", NULL, 6LL * 3600 * 1000},
    {"500 with control characters", 500, "{\"error\":\"disk\\nfull\\u0007\"}\n", 0, NULL,
     SYNC_ERROR_SERVER, "HTTP 500: disk full ", NULL, -1},
    {"500 with a binary body", 500, "\x1f\x8b\x08\x00\xff\xfe\xc3", 7, NULL, SYNC_ERROR_SERVER,
     "HTTP 500:  ? ", NULL, -1},
    {"400 with the server's reason", 400, "{\"error\":\"response 2: unknown survey \\\"kort\\\"\"}",
     0, NULL, SYNC_ERROR_REJECTED, NULL, "HTTP 400: response 2: unknown survey \"kort\"", 0},
    {"422 with a text and a line break", 422, "answers do not fit\r\nthe survey\xff", 0, NULL,
     SYNC_ERROR_REJECTED, NULL, "HTTP 422: answers do not fit  the survey?", 0},
};

static int bi_last_event(const char *at, const char *kind, const char *message, void *ctx)
{
    (void)at;
    char **out = ctx;
    if (strcmp(kind, "rejected") == 0 && !*out)
        *out = strdup(message);
    return 0;
}

static void test_bad_replies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reply_cases / sizeof reply_cases[0]; i++) {
        const reply_case *c = &reply_cases[i];
        bi_kiosk k;
        bi_kiosk_open(&k, "reply", 3);
        k.fake.batch_status = c->status;
        k.fake.batch_body = c->body;
        k.fake.batch_body_len = c->body_len;
        k.fake.retry_after = c->retry_after;
        sync_pass_result r;
        sync_client_pass(k.c, &r);
        sync_status st;
        pthread_mutex_lock(&k.c->mu);
        st = k.c->status;
        pthread_mutex_unlock(&k.c->mu);
        assert_int_equal(k.fake.n_batches, 1);
        const char *id = k.fake.batch_ids[0];
        char want[1024];
        if (c->detail) {
            const char *mark = strstr(c->detail, "$BATCH");
            if (mark)
                snprintf(want, sizeof want, "%.*s%s%s", (int)(mark - c->detail), c->detail, id,
                         mark + 6);
            else
                snprintf(want, sizeof want, "%s", c->detail);
        } else {
            snprintf(want, sizeof want, "%s", c->reject_message);
        }
        if (st.error != c->error || strcmp(st.detail, want) != 0)
            fail_msg("%s: staff see \"%s: %s\", want \"%s: %s\"", c->name,
                     sync_error_title(st.error, "nl"), st.detail, sync_error_title(c->error, "nl"),
                     want);
        if (c->wait_ms >= 0 && c->error != SYNC_ERROR_AUTH && c->error != SYNC_ERROR_REJECTED &&
            r.retry_in_ms != c->wait_ms)
            fail_msg("%s: next try in %lld ms, want %lld", c->name, (long long)r.retry_in_ms,
                     (long long)c->wait_ms);
        if (c->wait_ms < 0 && !(r.retryable && r.retry_in_ms >= 0 && r.retry_in_ms <= 5000))
            fail_msg("%s: not a first backoff (retryable %d, %lld ms)", c->name, r.retryable,
                     (long long)r.retry_in_ms);
        bool told_to_wait = c->retry_after && c->wait_ms >= 0;
        if (!told_to_wait) {
            /* Staff's text reaches the municipality too (the heartbeat
               waits, like every request, for a Retry-After). */
            char hb[1200];
            snprintf(hb, sizeof hb, "%s: %s", sync_error_title(c->error, "nl"), want);
            bi_expect_heartbeat_error(c->name, &k.fake, hb);
        }

        store_counts n;
        assert_int_equal(store_count(k.c->st, &n), BK_OK);
        if (n.delivered != 0)
            fail_msg("%s: marked delivered", c->name);
        if (c->reject_message) {
            /* Set aside with the server's reason, kept, never sent again. */
            char *msg = NULL;
            assert_int_equal(store_foreach_event(k.c->st, 10, bi_last_event, &msg), BK_OK);
            char ev[1024];
            snprintf(ev, sizeof ev, "batch %s (3 responses) rejected by the server: %s", id,
                     c->reject_message);
            if (!msg || strcmp(msg, ev) != 0)
                fail_msg("%s: staff event \"%s\", want \"%s\"", c->name, msg ? msg : "(none)", ev);
            free(msg);
            if (n.rejected != 3 || n.queued != 0 || n.total != 3)
                fail_msg("%s: %lld rejected, %lld queued of %lld", c->name, (long long)n.rejected,
                         (long long)n.queued, (long long)n.total);
        } else {
            if (n.queued != 3 || n.rejected != 0)
                fail_msg("%s: %lld queued, %lld rejected; want 3 queued", c->name,
                         (long long)n.queued, (long long)n.rejected);
            /* When the server answers properly, the same batch goes again. */
            k.fake.batch_status = 0;
            clock_virtual_advance(&k.vc, 7LL * 3600 * 1000);
            bi_pass(&k, &st);
            assert_int_equal(k.fake.n_batches, 2);
            if (strcmp(k.fake.batch_ids[1], id) != 0)
                fail_msg("%s: a new batch %s instead of %s", c->name, k.fake.batch_ids[1], id);
            assert_int_equal(st.error, SYNC_ERROR_NONE);
            assert_int_equal(store_count(k.c->st, &n), BK_OK);
            assert_int_equal(n.delivered, 3);
            assert_int_equal(n.queued, 0);
        }
        bi_kiosk_close(&k);
    }
}

/* The table is as long as issue 8 asks. */
static void test_table_size(void **state)
{
    (void)state;
    size_t n = sizeof survey_cases / sizeof survey_cases[0] +
               sizeof config_cases / sizeof config_cases[0] +
               sizeof bundle_cases / sizeof bundle_cases[0] +
               sizeof reply_cases / sizeof reply_cases[0];
    print_message("bad input cases: %zu\n", n);
    assert_true(n >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_size),     cmocka_unit_test(test_broken_surveys),
        cmocka_unit_test(test_broken_configs), cmocka_unit_test(test_broken_downloads),
        cmocka_unit_test(test_bad_replies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
