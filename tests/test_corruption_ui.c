/* test_corruption_ui.c: a damaged database, end to end with the real kiosk.
 *
 * A database with answers is made by the store, then copied as a power cut
 * would leave it: the main file and its -wal with transactions not yet
 * checkpointed. Bytes are flipped in the copy: in the file header, in a
 * b-tree page, in a WAL frame of an early transaction (later transactions
 * behind it), in the WAL header. The kiosk binary then starts on it with a
 * replay that opens staff mode by the 3 s corner hold and PIN 1234 and
 * expects the notice "De database was beschadigd..." on the status screen,
 * and a resident's answers are stored in the fresh database. Afterwards the
 * damaged files must lie beside it byte for byte as they were (moved, never
 * deleted or changed), the fresh database must hold only the new response
 * and the event. Random flips anywhere must never crash the kiosk or lose a
 * file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "test_chaos_util.h"
#include "test_ui_util.h"

#define N_RESPONSES 60
#define NOTICE_NL "De database was beschadigd. Er is een nieuwe gestart; de oude is bewaard."

typedef struct fixture {
    char dir[512];
    char golden[PATH_MAX]; /* the database (and -wal) as a power cut left it */
    char clean[PATH_MAX];  /* the same after a clean close: no -wal */
    long wal_size;
    int page_size;
} fixture;

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* The whole file (caller frees); its length in *len. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void copy(const char *from, const char *to)
{
    size_t len = 0;
    char *data = slurp(from, &len);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    free(data);
}

/* Responses with answers, one transaction each, so the -wal holds many
 * commits; the files are copied while the store is still open (nothing
 * checkpointed: what a power cut leaves). */
static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ut_tmpdir(fx->dir, sizeof fx->dir, "corrupt");
    char live[PATH_MAX];
    snprintf(live, sizeof live, "%s/live.db", fx->dir);
    bk_clock clk = clock_system();
    store *st = NULL;
    assert_int_equal(store_open(live, &clk, &st, NULL), BK_OK);
    for (int i = 0; i < N_RESPONSES; i++) {
        store_response_meta meta = {
            .survey_id = "stroom", .survey_version = 1, .mode = "survey", .language = "nl"};
        store_response_ref ref;
        assert_int_equal(store_response_begin(st, &meta, &ref), BK_OK);
        answer_value v1 = {.kind = ANSWER_INT, .integer = 1 + i % 5};
        assert_int_equal(store_answer_set(st, ref.rowid, "q1", &v1), BK_OK);
        char text[41];
        snprintf(text, sizeof text, "idee nummer %d voor de buurt", i);
        answer_value v2 = {.kind = ANSWER_TEXT, .text = text};
        assert_int_equal(store_answer_set(st, ref.rowid, "q2", &v2), BK_OK);
        assert_int_equal(store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0),
                         BK_OK);
    }
    snprintf(fx->golden, sizeof fx->golden, "%s/golden.db", fx->dir);
    char from[PATH_MAX + 8], to[PATH_MAX + 8];
    copy(live, fx->golden);
    snprintf(from, sizeof from, "%s-wal", live);
    snprintf(to, sizeof to, "%s-wal", fx->golden);
    copy(from, to);
    store_close(st);
    fx->wal_size = file_size(to);
    snprintf(fx->clean, sizeof fx->clean, "%s/clean.db", fx->dir);
    copy(live, fx->clean);
    snprintf(from, sizeof from, "%s-wal", live);
    assert_int_equal(access(from, F_OK), -1); /* checkpointed and removed */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(live, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    fx->page_size = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    /* Far more than one page of frames: committed work lies behind frame 3. */
    assert_true(fx->wal_size > 32 + 20L * (24 + fx->page_size));
    print_message("golden database: %ld bytes of -wal (%ld frames of %d bytes)\n", fx->wal_size,
                  (fx->wal_size - 32) / (24 + fx->page_size), fx->page_size);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    ut_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* A fresh case folder with kiosk.db (+ -wal) copied from the golden one. */
static void case_begin(const fixture *fx, const char *tag, char *dir, size_t size, char *db,
                       size_t dbsize)
{
    snprintf(dir, size, "%s/%s", fx->dir, tag);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(db, dbsize, "%s/kiosk.db", dir);
    copy(fx->golden, db);
    char from[PATH_MAX + 8], to[PATH_MAX + 8];
    int n = snprintf(from, sizeof from, "%s-wal", fx->golden);
    assert_true(n > 0 && (size_t)n < sizeof from);
    n = snprintf(to, sizeof to, "%s-wal", db);
    assert_true(n > 0 && (size_t)n < sizeof to);
    copy(from, to);
}

static void flip(const char *path, long offset, unsigned char mask)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, SEEK_SET), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, offset, SEEK_SET), 0);
    fputc(c ^ mask, f);
    fclose(f);
}

/* The files in dir whose names start with prefix: how many, and the first. */
static int find_moved(const char *dir, const char *prefix, char *first, size_t size)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        size_t len = strlen(e->d_name);
        if (len > 4 &&
            (strcmp(e->d_name + len - 4, "-wal") == 0 || strcmp(e->d_name + len - 4, "-shm") == 0))
            continue;
        if (n++ == 0)
            snprintf(first, size, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    return n;
}

static bool same_bytes(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    bool same = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static const char *const staff_replay =
    "# The kiosk started on a fresh database after moving the damaged one aside.\n"
    "expect-text \"Doe mee\"\n"
    "hold 10 10 3000\n"
    "expect-text \"Beheer: typ de pincode\"\n"
    "wait 300\n"
    "tap-text \"1\"\n"
    "tap-text \"2\"\n"
    "tap-text \"3\"\n"
    "tap-text \"4\"\n"
    "tap-text \"OK\"\n"
    "expect-text \"Beheer\"\n"
    "expect-text \"" NOTICE_NL "\"\n"
    "screenshot staff-notice\n"
    "tap-text \"Terug naar de kiosk\"\n"
    "wait 300\n"
    "# A resident's answers go into the fresh database.\n"
    "tap-text \"Doe mee\"\n"
    "wait 2000\n"
    "tap-text \"Mee eens\"\n"
    "wait 2000\n"
    "type \"na de schade\"\n"
    "tap-text \"Klaar\"\n"
    "expect-text \"Bedankt!\"\n";

/* Runs the kiosk with the staff replay on the damaged database in dir and
 * checks everything the issue asks for. damaged_wal: the -wal was damaged
 * (and must have been moved with the database). */
static void expect_recovered(const char *dir, const char *db, bool with_wal)
{
    /* What the damaged files look like before the kiosk touches them. */
    char before[PATH_MAX + 16], before_wal[PATH_MAX + 16], wal[PATH_MAX + 8];
    snprintf(before, sizeof before, "%s/damaged.copy", dir);
    snprintf(before_wal, sizeof before_wal, "%s/damaged.copy-wal", dir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    copy(db, before);
    if (with_wal)
        copy(wal, before_wal);

    char ini[PATH_MAX], script[PATH_MAX], shots[PATH_MAX];
    snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
    snprintf(script, sizeof script, "%s/staff.replay", dir);
    snprintf(shots, sizeof shots, "%s/shots", dir);
    mkdir(shots, 0755);
    hc_write_config(ini, NULL);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs(staff_replay, f);
    fclose(f);
    int rc = ut_run_kiosk(dir, ini, db, "1280x800", script, shots);
    assert_int_equal(rc, 0);

    /* Moved aside, byte for byte, never deleted. */
    char moved[PATH_MAX];
    assert_int_equal(find_moved(dir, "kiosk.db.corrupt-", moved, sizeof moved), 1);
    if (!same_bytes(before, moved))
        fail_msg("%s is not the damaged file as it was", moved);
    char moved_wal[PATH_MAX + 8];
    snprintf(moved_wal, sizeof moved_wal, "%s-wal", moved);
    if (with_wal) {
        if (access(moved_wal, F_OK) != 0)
            fail_msg("the damaged -wal was not moved with the database (%s)", moved_wal);
        if (!same_bytes(before_wal, moved_wal))
            fail_msg("%s is not the damaged -wal as it was", moved_wal);
    }

    /* The fresh database: only the new resident, and the event. */
    ut_db rows;
    ut_db_load(db, &rows);
    assert_int_equal(rows.n, 1);
    assert_int_equal(rows.r[0].seq, 1);
    assert_string_equal(rows.r[0].status, "complete");
    ut_expect_answer(&rows.r[0], "q2", "\"na de schade\"");
    ut_db_free(&rows);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(h, "SELECT message FROM events WHERE kind = 'corrupt'", -1, &s, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *msg = (const char *)sqlite3_column_text(s, 0);
    print_message("event: %s\n", msg);
    assert_non_null(strstr(msg, "kiosk.db.corrupt-"));
    sqlite3_finalize(s);
    sqlite3_close(h);
}

/* The case folder tag with kiosk.db copied from the cleanly closed one. */
static void clean_begin(const fixture *fx, const char *tag, char *dir, size_t size, char *db,
                        size_t dbsize)
{
    snprintf(dir, size, "%s/%s", fx->dir, tag);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(db, dbsize, "%s/kiosk.db", dir);
    copy(fx->clean, db);
}

/* The first 16 bytes ("SQLite format 3\0") damaged: SQLITE_NOTADB. (With a
 * -wal beside it, SQLite reads page 1 from the -wal and the next checkpoint
 * overwrites the damage: nothing is lost then, so the clean copy is used.) */
static void test_db_header(void **state)
{
    fixture *fx = *state;
    char dir[PATH_MAX], db[PATH_MAX + 16];
    clean_begin(fx, "header", dir, sizeof dir, db, sizeof db);
    flip(db, 3, 0x5a);
    flip(db, 9, 0x21);
    expect_recovered(dir, db, false);
}

/* The page header of every b-tree page after the first (page type, first
 * freeblock, cell count) damaged in a database closed cleanly (no -wal, as
 * after a normal shutdown): quick_check finds it. */
static void test_db_btree_page(void **state)
{
    fixture *fx = *state;
    char dir[PATH_MAX], db[PATH_MAX + 16];
    clean_begin(fx, "btree", dir, sizeof dir, db, sizeof db);
    long pages = file_size(db) / fx->page_size;
    assert_true(pages >= 3);
    for (long p = 1; p < pages; p++) {
        flip(db, p * fx->page_size + 3, 0xff); /* the cell count */
        flip(db, p * fx->page_size + 4, 0x7f);
    }
    expect_recovered(dir, db, false);
}

/* One byte of page data in an early -wal frame: SQLite's recovery stops at
 * the frame whose checksum fails and silently forgets every later commit.
 * The store must see that committed transactions lie behind the damage. */
static void test_wal_frame(void **state)
{
    fixture *fx = *state;
    char dir[PATH_MAX], db[PATH_MAX + 16], wal[PATH_MAX + 24];
    case_begin(fx, "walframe", dir, sizeof dir, db, sizeof db);
    snprintf(wal, sizeof wal, "%s-wal", db);
    long frame = 32 + 5L * (24 + fx->page_size);
    flip(wal, frame + 24 + fx->page_size / 2, 0x01);
    expect_recovered(dir, db, true);
}

/* The -wal header damaged (a salt; the page size): SQLite ignores the whole
 * -wal. */
static void test_wal_header(void **state)
{
    fixture *fx = *state;
    char dir[PATH_MAX], db[PATH_MAX + 16], wal[PATH_MAX + 24];
    case_begin(fx, "walheader", dir, sizeof dir, db, sizeof db);
    snprintf(wal, sizeof wal, "%s-wal", db);
    flip(wal, 17, 0x10);
    expect_recovered(dir, db, true);
    case_begin(fx, "walheader-pagesize", dir, sizeof dir, db, sizeof db);
    snprintf(wal, sizeof wal, "%s-wal", db);
    flip(wal, 10, 0x40);
    expect_recovered(dir, db, true);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The frames of the golden -wal that belong to its header (same salts), and
 * which of them end a transaction. */
static long wal_frames(const fixture *fx, bool *commit, long max)
{
    char wal[PATH_MAX + 8];
    snprintf(wal, sizeof wal, "%s-wal", fx->golden);
    size_t len = 0;
    unsigned char *w = (unsigned char *)slurp(wal, &len);
    long n = 0;
    size_t fsize = 24 + (size_t)fx->page_size;
    while (n < max && 32 + (size_t)(n + 1) * fsize <= len) {
        const unsigned char *f = w + 32 + (size_t)n * fsize;
        if (memcmp(f + 8, w + 16, 8) != 0)
            break;
        commit[n++] = be32(f + 4) != 0;
    }
    free(w);
    return n;
}

static const char *const resident_replay = "expect-text \"Doe mee\"\n"
                                           "tap-text \"Doe mee\"\n"
                                           "wait 2000\n"
                                           "tap-text \"Neutraal\"\n"
                                           "wait 2000\n"
                                           "tap-text \"Klaar\"\n"
                                           "expect-text \"Bedankt!\"\n";

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The first n responses of x and y are the same, field by field. */
static bool same_rows(const ut_db *x, const ut_db *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ut_response *a = &x->r[i], *b = &y->r[i];
        if (a->seq != b->seq || a->survey_version != b->survey_version ||
            !same_str(a->response_id, b->response_id) || !same_str(a->survey_id, b->survey_id) ||
            !same_str(a->mode, b->mode) || !same_str(a->status, b->status) ||
            !same_str(a->language, b->language) || !same_str(a->area, b->area) ||
            !same_str(a->started_at, b->started_at) ||
            !same_str(a->completed_at, b->completed_at) || a->n_flags != b->n_flags ||
            a->n_answers != b->n_answers)
            return false;
        for (size_t k = 0; k < a->n_answers; k++)
            if (!same_str(a->answers[k].question_id, b->answers[k].question_id) ||
                !same_str(a->answers[k].value_json, b->answers[k].value_json))
                return false;
    }
    return true;
}

/* Single bits flipped at random: in the -wal (header or a frame with at
 * least two later commits behind it: SQLite would drop them) the damage must
 * be found every time; in a cleanly closed database file it is found when
 * it breaks the structure or an index (integrity_check), otherwise the
 * kiosk must still run and keep a sound database, and the test counts
 * whether the bit hit unused space or changed a stored value unseen (SQLite
 * keeps no checksum of values). Never a crash, never a file lost.
 * BK_CORRUPT_CASES (default 12) cases, BK_CORRUPT_SEED repeats a run. */
static void test_random_flips(void **state)
{
    fixture *fx = *state;
    long cases = hc_env_long("BK_CORRUPT_CASES", 12);
    hc_rng rng = {hc_seed("BK_CORRUPT_SEED")};
    bool commit[4096];
    long frames = wal_frames(fx, commit, 4096);
    /* The last frame a flip may hit: two commits at or after frame i + 2. */
    long last_ok = -1;
    for (long i = 0, later = 0; i < frames; i++) {
        later = 0;
        for (long k = i + 2; k < frames && later < 2; k++)
            later += commit[k];
        if (later >= 2)
            last_ok = i;
    }
    assert_true(last_ok > 10);
    int wal_found = 0, db_found = 0, db_cases = 0, db_sound = 0, db_changed = 0;
    ut_db golden;
    ut_db_load(fx->clean, &golden);
    assert_int_equal(golden.n, N_RESPONSES);
    for (long c = 0; c < cases; c++) {
        char tag[32], dir[PATH_MAX], db[PATH_MAX + 16], target[PATH_MAX + 24];
        snprintf(tag, sizeof tag, "random-%ld", c);
        bool in_wal = c % 2 == 0;
        long offset;
        if (in_wal) {
            case_begin(fx, tag, dir, sizeof dir, db, sizeof db);
            snprintf(target, sizeof target, "%s-wal", db);
            long frame = (long)hc_below(&rng, (uint64_t)last_ok + 2) - 1; /* -1: the header */
            offset = frame < 0 ? (long)hc_below(&rng, 32)
                               : 32 + frame * (24L + fx->page_size) +
                                     (long)hc_below(&rng, 24 + (uint64_t)fx->page_size);
        } else {
            clean_begin(fx, tag, dir, sizeof dir, db, sizeof db);
            snprintf(target, sizeof target, "%s", db);
            offset = (long)hc_below(&rng, (uint64_t)file_size(db));
            db_cases++;
        }
        unsigned char mask = (unsigned char)(1u << hc_below(&rng, 8));
        flip(target, offset, mask);
        char damaged[PATH_MAX + 32];
        snprintf(damaged, sizeof damaged, "%s/damaged.copy", dir);
        copy(target, damaged);

        char ini[PATH_MAX + 16], script[PATH_MAX + 16];
        snprintf(ini, sizeof ini, "%s/kiosk.ini", dir);
        snprintf(script, sizeof script, "%s/resident.replay", dir);
        hc_write_config(ini, NULL);
        FILE *f = fopen(script, "w");
        assert_non_null(f);
        fputs(resident_replay, f);
        fclose(f);
        int rc = ut_run_kiosk(dir, ini, db, "1280x800", script, NULL);
        if (rc != 0)
            fail_msg("%s: bit %#x at %s offset %ld: the kiosk exited with %d", tag, mask,
                     in_wal ? "-wal" : "database", offset, rc);
        char moved[PATH_MAX];
        bool found = find_moved(dir, "kiosk.db.corrupt-", moved, sizeof moved) == 1;
        if (found) {
            char moved_target[PATH_MAX + 8];
            snprintf(moved_target, sizeof moved_target, "%s%s", moved, in_wal ? "-wal" : "");
            if (!same_bytes(damaged, moved_target))
                fail_msg("%s: %s is not the damaged file as it was", tag, moved_target);
        }
        if (in_wal) {
            if (!found)
                fail_msg("%s: bit %#x at -wal offset %ld (frame %ld): not detected", tag, mask,
                         offset, offset < 32 ? -1 : (offset - 32) / (24L + fx->page_size));
            wal_found++;
        } else if (found) {
            db_found++;
        } else {
            /* Not found: the kiosk ran on it, so it must still be sound. */
            char msg[512];
            char scratch[PATH_MAX + 16];
            snprintf(scratch, sizeof scratch, "%s/scratch", dir);
            mkdir(scratch, 0755);
            if (!hc_integrity_ok(db, scratch, msg, sizeof msg))
                fail_msg("%s: bit %#x at database offset %ld: not detected at start, and now %s",
                         tag, mask, offset, msg);
            /* Sound; did the bit change a stored value, or unused space? */
            ut_db now;
            ut_db_load(db, &now);
            if (now.n != N_RESPONSES + 1 || !same_rows(&golden, &now, N_RESPONSES))
                db_changed++;
            else
                db_sound++;
            ut_db_free(&now);
        }
        ut_rmtree(dir);
    }
    ut_db_free(&golden);
    print_message("random single-bit flips: -wal %d of %d detected; database file %d of %d "
                  "detected, %d in unused space (nothing changed), %d changed a stored value "
                  "unseen (SQLite keeps no checksum of values)\n",
                  wal_found, (int)(cases - db_cases), db_found, db_cases, db_sound, db_changed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_header),    cmocka_unit_test(test_db_btree_page),
        cmocka_unit_test(test_wal_frame),    cmocka_unit_test(test_wal_header),
        cmocka_unit_test(test_random_flips),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
