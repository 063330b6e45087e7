/* test_diskfull.c: a full disk and I/O errors under the kiosk.
 *
 * The app runs in-process (headless, virtual clock, the real store) and
 * residents answer the short survey "stroom" one after another, each typing
 * "df-N" so their response can be found. Then the disk fills up or writes
 * fail, three ways:
 *   - SQLite's page limit (store_set_max_pages): works everywhere;
 *   - a real filesystem that fills up: a 4 MiB tmpfs mounted by the test
 *     (as root, in its own mount namespace, so nothing is left mounted
 *     even when the test dies), with a filler file taking the rest; skipped
 *     when mounting is not allowed;
 *   - injected I/O errors: an SQLite VFS shim (the default VFS while the
 *     test runs) that fails every write, or every fsync, after a random
 *     number of good ones.
 * For every resident: "Bedankt!" is shown only when their response is
 * stored complete; otherwise the out-of-service screen ("Deze kiosk werkt
 * even niet") is shown instead and their response is not complete. After
 * every failure the database passes integrity_check, every response is
 * valid against its survey (nothing half), and every earlier "Bedankt!"
 * response is still there. When space returns (or the errors stop) the
 * kiosk is back on the start screen by itself within the 10 s retry, the
 * response that was cut off is kept as partial (so it is uploaded), and the
 * next resident is thanked again. */
#define _GNU_SOURCE /* unshare */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strings.h"
#include "test_chaos_util.h"
#include "test_ui_util.h"

#define MAX_RESIDENTS 4000

/* ---- An SQLite VFS that fails writes or fsyncs on command ---- */

typedef struct fault_vfs {
    sqlite3_vfs base;
    sqlite3_vfs *real;
    long write_budget; /* writes that still succeed; -1: no limit */
    long sync_budget;  /* fsyncs that still succeed; -1: no limit */
    long failed;       /* calls failed so far */
} fault_vfs;

typedef struct fault_file {
    sqlite3_file base;
    fault_vfs *vfs;
    sqlite3_file *real; /* follows this struct in the same allocation */
} fault_file;

static bool fault_now(fault_vfs *v, long *budget)
{
    if (*budget < 0)
        return false;
    if (*budget > 0) {
        (*budget)--;
        return false;
    }
    v->failed++;
    return true;
}

#define REAL(f) (((fault_file *)(f))->real)
static int ff_close(sqlite3_file *f)
{
    return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}
static int ff_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int ff_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    fault_file *ff = (fault_file *)f;
    if (fault_now(ff->vfs, &ff->vfs->write_budget))
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    fault_file *ff = (fault_file *)f;
    if (ff->vfs->write_budget == 0) {
        ff->vfs->failed++;
        return SQLITE_IOERR_TRUNCATE;
    }
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
    fault_file *ff = (fault_file *)f;
    if (fault_now(ff->vfs, &ff->vfs->sync_budget))
        return SQLITE_IOERR_FSYNC;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int ff_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_caps(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}
static int ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int ff_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
    *pp = NULL; /* no memory-mapped reads: every read goes through xRead */
    (void)f;
    (void)o;
    (void)n;
    return SQLITE_OK;
}
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
    (void)f;
    (void)o;
    (void)p;
    return SQLITE_OK;
}

static const sqlite3_io_methods ff_methods = {
    3,           ff_close,       ff_read,       ff_write,   ff_truncate, ff_sync, ff_size,
    ff_lock,     ff_unlock,      ff_check_lock, ff_control, ff_sector,   ff_caps, ff_shm_map,
    ff_shm_lock, ff_shm_barrier, ff_shm_unmap,  ff_fetch,   ff_unfetch,
};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    fault_file *ff = (fault_file *)f;
    ff->vfs = v;
    ff->real = (sqlite3_file *)(ff + 1);
    memset(ff->real, 0, (size_t)v->real->szOsFile);
    int rc = v->real->xOpen(v->real, name, ff->real, flags, out);
    f->pMethods = ff->real->pMethods ? &ff_methods : NULL;
    return rc;
}
static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xDelete(v->real, name, sync);
}
static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xAccess(v->real, name, flags, out);
}
static int fv_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xFullPathname(v->real, name, n, out);
}
static int fv_random(sqlite3_vfs *vfs, int n, char *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xRandomness(v->real, n, out);
}
static int fv_sleep(sqlite3_vfs *vfs, int us)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xSleep(v->real, us);
}
static int fv_time(sqlite3_vfs *vfs, double *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xCurrentTime(v->real, out);
}
static int fv_error(sqlite3_vfs *vfs, int n, char *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xGetLastError(v->real, n, out);
}
static int fv_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    fault_vfs *v = (fault_vfs *)vfs;
    return v->real->xCurrentTimeInt64(v->real, out);
}

static void fault_vfs_install(fault_vfs *v)
{
    memset(v, 0, sizeof *v);
    v->real = sqlite3_vfs_find(NULL);
    assert_non_null(v->real);
    v->write_budget = v->sync_budget = -1;
    v->base.iVersion = 2;
    v->base.szOsFile = (int)sizeof(fault_file) + v->real->szOsFile;
    v->base.mxPathname = v->real->mxPathname;
    v->base.zName = "bk-fault";
    v->base.xOpen = fv_open;
    v->base.xDelete = fv_delete;
    v->base.xAccess = fv_access;
    v->base.xFullPathname = fv_full;
    v->base.xRandomness = fv_random;
    v->base.xSleep = fv_sleep;
    v->base.xCurrentTime = fv_time;
    v->base.xGetLastError = fv_error;
    v->base.xCurrentTimeInt64 = fv_time64;
    assert_int_equal(sqlite3_vfs_register(&v->base, 1), SQLITE_OK);
}

static void fault_vfs_remove(fault_vfs *v)
{
    sqlite3_vfs_unregister(&v->base);
}

/* ---- Residents ---- */

typedef enum outcome {
    THANKED,
    OOS_BEFORE, /* the kiosk was already out of service */
    OOS_START,  /* at "Doe mee" */
    OOS_ANSWER, /* at the scale answer */
    OOS_END,    /* at "Klaar" */
    N_OUTCOMES
} outcome;

static const char *const outcome_name[] = {"thanked", "already out of service", "at the start",
                                           "at an answer", "at \"Klaar\""};

typedef struct run {
    ut_app u;
    char dir[PATH_MAX];
    char db[PATH_MAX + 32];
    hc_surveys surveys;
    bool thanked[MAX_RESIDENTS];
    bool cut_off[MAX_RESIDENTS]; /* out of service while answering */
    long n;                      /* residents so far */
    long outcomes[N_OUTCOMES];
} run;

static bool label_visible(app *a, const char *label)
{
    ut_app_layout(a);
    for (size_t i = 0; i < a->frame->n_widgets; i++)
        if (a->frame->widgets[i].label && strcmp(a->frame->widgets[i].label, label) == 0)
            return true;
    return false;
}

static void expect_out_of_service(app *a, long n)
{
    if (a->screen != APP_SCREEN_OUT_OF_SERVICE)
        fail_msg("resident %ld: screen %d, expected out of service", n, (int)a->screen);
    assert_true(label_visible(a, "Deze kiosk werkt even niet"));
    assert_false(label_visible(a, "Bedankt!"));
}

/* One resident: Doe mee, "Neutraal", "df-N", Klaar. */
static outcome resident(run *r)
{
    app *a = r->u.a;
    long n = r->n++;
    assert_true(n < MAX_RESIDENTS);
    outcome o;
    ut_wait(a, 400);
    if (a->screen == APP_SCREEN_OUT_OF_SERVICE) {
        o = OOS_BEFORE;
        goto out;
    }
    assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
    ut_tap_action(a, UI_ACT_START, INT32_MIN);
    if (a->screen == APP_SCREEN_OUT_OF_SERVICE) {
        o = OOS_START;
        goto out;
    }
    ut_wait(a, 1500);
    ut_tap_action(a, UI_ACT_ANSWER, 3);
    ut_wait(a, 1500);
    if (a->screen == APP_SCREEN_OUT_OF_SERVICE) {
        o = OOS_ANSWER;
        r->cut_off[n] = true;
        goto out;
    }
    char text[32];
    snprintf(text, sizeof text, "df-%ld", n);
    app_text_input(a, text);
    ut_tap_action(a, UI_ACT_NEXT, INT32_MIN);
    if (a->screen == APP_SCREEN_THANKS) {
        assert_true(label_visible(a, "Bedankt!"));
        r->thanked[n] = true;
        ut_wait(a, APP_THANKS_MS + 100);
        assert_int_equal(a->screen, APP_SCREEN_ATTRACT);
        o = THANKED;
        goto out_counted;
    }
    o = OOS_END;
    r->cut_off[n] = true;
out:
    expect_out_of_service(a, n);
out_counted:
    r->outcomes[o]++;
    return o;
}

typedef struct tally {
    const run *r;
    long found[MAX_RESIDENTS]; /* complete responses with df-N */
    long started, partial, complete;
} tally;

static int tally_row(const store_response_row *row, void *ctx)
{
    tally *t = ctx;
    if (strcmp(row->status, "started") == 0)
        t->started++;
    else if (strcmp(row->status, "partial") == 0)
        t->partial++;
    else
        t->complete++;
    for (size_t i = 0; i < row->n_answers; i++) {
        long n = -1;
        if (strcmp(row->answers[i].question_id, "q2") == 0 &&
            sscanf(row->answers[i].value_json, "\"df-%ld\"", &n) == 1 && n >= 0 &&
            n < MAX_RESIDENTS && strcmp(row->status, "complete") == 0)
            t->found[n]++;
    }
    return 0;
}

/* Everything that must hold after any failure. */
static void check_store(run *r, const char *when)
{
    char msg[512], scratch[PATH_MAX + 16];
    snprintf(scratch, sizeof scratch, "%s/../scratch", r->dir);
    mkdir(scratch, 0755);
    if (!hc_integrity_ok(r->db, scratch, msg, sizeof msg))
        fail_msg("%s: %s", when, msg);
    size_t checked = 0;
    size_t bad = hc_check_all_responses(r->u.a->store, &r->surveys, &r->u.cfg, &checked);
    if (bad)
        fail_msg("%s: %zu of %zu stored responses are not valid (above)", when, bad, checked);
    tally *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->r = r;
    assert_int_equal(store_foreach_response(r->u.a->store, 0, 0, tally_row, t), BK_OK);
    for (long k = 0; k < r->n; k++) {
        if (r->thanked[k] && t->found[k] != 1)
            fail_msg("%s: resident %ld was thanked but has %ld complete responses", when, k,
                     t->found[k]);
        if (!r->thanked[k] && t->found[k] != 0)
            fail_msg("%s: resident %ld saw \"out of service\" but is stored complete", when, k);
    }
    free(t);
}

/* The kiosk comes back by itself: within the retry interval it is on the
 * start screen, no response is left "started", and a resident is thanked. */
static void expect_resumed(run *r, const char *how)
{
    app *a = r->u.a;
    ut_wait(a, APP_OUT_OF_SERVICE_RETRY_MS + 100);
    if (a->screen != APP_SCREEN_ATTRACT)
        fail_msg("%s: still out of service %d ms after the disk was fine again", how,
                 APP_OUT_OF_SERVICE_RETRY_MS + 100);
    tally *t = calloc(1, sizeof *t);
    assert_non_null(t);
    assert_int_equal(store_foreach_response(a->store, 0, 0, tally_row, t), BK_OK);
    long started = t->started;
    free(t);
    if (started != 0)
        fail_msg("%s: back in service, but %ld response(s) of residents who are gone are still "
                 "\"started\" (never uploaded until a restart)",
                 how, started);
    if (resident(r) != THANKED)
        fail_msg("%s: the first resident after the kiosk came back was not thanked", how);
    check_store(r, how);
}

static void run_open(run *r, const char *tag, const char *db_dir)
{
    memset(r, 0, sizeof *r);
    ut_tmpdir(r->dir, sizeof r->dir, tag);
    char ini[PATH_MAX + 16];
    snprintf(ini, sizeof ini, "%s/kiosk.ini", r->dir);
    hc_write_config(ini, NULL);
    ut_app_open(&r->u, ini, db_dir ? db_dir : r->dir, 1280, 800);
    snprintf(r->db, sizeof r->db, "%s/app-1280x800.db", db_dir ? db_dir : r->dir);
    hc_surveys_load(&r->surveys, HC_SURVEYS);
}

static void run_close(run *r)
{
    ut_app_close(&r->u);
    hc_surveys_free(&r->surveys);
    ut_rmtree(r->dir);
}

static void print_outcomes(const run *r, const char *what)
{
    print_message("%s: %ld residents;", what, r->n);
    for (int i = 0; i < N_OUTCOMES; i++)
        if (r->outcomes[i])
            print_message(" %s %ld;", outcome_name[i], r->outcomes[i]);
    print_message("\n");
}

/* ---- SQLite's page limit ---- */

static void test_page_limit(void **state)
{
    (void)state;
    run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    run_open(r, "diskfull-pages", NULL);
    for (int i = 0; i < 5; i++)
        assert_int_equal(resident(r), THANKED);
    /* Five times: the database may not grow; residents until one is cut off. */
    for (int cycle = 0; cycle < 5; cycle++) {
        assert_int_equal(store_set_max_pages(r->u.a->store, 1), BK_OK);
        outcome o;
        long guard = 0;
        while ((o = resident(r)) == THANKED)
            assert_true(++guard < 1000);
        check_store(r, "page limit reached");
        /* Still full. The retry may bring the kiosk back (a small write can
           still fit), but nobody is thanked for answers that were not kept. */
        for (int k = 0; k < 3; k++) {
            ut_wait(r->u.a, APP_OUT_OF_SERVICE_RETRY_MS + 100);
            resident(r);
        }
        check_store(r, "still full");
        assert_int_equal(store_set_max_pages(r->u.a->store, 0), BK_OK);
        expect_resumed(r, "page limit lifted");
    }
    print_outcomes(r, "page limit");
    run_close(r);
    free(r);
}

/* ---- A real filesystem that fills up ---- */

static bool mount_tmpfs(const char *dir, const char *size, char *why, size_t wsize)
{
    if (geteuid() != 0) {
        snprintf(why, wsize, "not root");
        return false;
    }
    if (unshare(CLONE_NEWNS) != 0) {
        snprintf(why, wsize, "unshare(CLONE_NEWNS): %s", strerror(errno));
        return false;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(why, wsize, "making / private: %s", strerror(errno));
        return false;
    }
    char opts[64];
    snprintf(opts, sizeof opts, "size=%s,mode=0755", size);
    if (mount("bk-diskfull", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
        snprintf(why, wsize, "mount -t tmpfs: %s", strerror(errno));
        return false;
    }
    return true;
}

/* Fills the filesystem of dir with path until ENOSPC; returns the bytes. */
static long fill(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    static const char block[4096];
    long total = 0;
    for (;;) {
        ssize_t n = write(fd, block, sizeof block);
        if (n <= 0)
            break;
        total += n;
    }
    assert_int_equal(errno, ENOSPC);
    close(fd);
    return total;
}

static void test_tmpfs_full(void **state)
{
    (void)state;
    char base[512], mnt[600], why[256];
    ut_tmpdir(base, sizeof base, "diskfull-mnt");
    snprintf(mnt, sizeof mnt, "%s/disk", base);
    assert_int_equal(mkdir(mnt, 0755), 0);
    if (!mount_tmpfs(mnt, "4m", why, sizeof why)) {
        print_message("no tmpfs (%s): this part is covered by the page limit and the VFS "
                      "below\n",
                      why);
        ut_rmtree(base);
        skip();
    }
    run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    run_open(r, "diskfull-tmpfs", mnt);
    char filler[700];
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    for (int i = 0; i < 5; i++)
        assert_int_equal(resident(r), THANKED);
    hc_rng rng = {hc_seed("BK_DISKFULL_SEED")};
    for (int cycle = 0; cycle < 6; cycle++) {
        long filled = fill(filler);
        /* Leave a little room (0 to 60 KiB), so residents are cut off at
           different places. */
        long room = (long)hc_below(&rng, 16) * 4096;
        assert_int_equal(truncate(filler, filled > room ? filled - room : 0), 0);
        outcome o;
        long guard = 0;
        while ((o = resident(r)) == THANKED) {
            assert_true(++guard < 3000);
            if (guard % 50 == 0)
                fill(filler); /* SQLite freed some (a checkpoint): take it too */
        }
        check_store(r, "the disk is full");
        for (int k = 0; k < 3; k++) {
            ut_wait(r->u.a, APP_OUT_OF_SERVICE_RETRY_MS + 100);
            resident(r);
        }
        check_store(r, "still full");
        print_message("cycle %d: %ld KiB of filler, %ld KiB left free; %ld residents thanked, "
                      "then one cut off %s\n",
                      cycle, filled / 1024, room / 1024, guard, outcome_name[o]);
        assert_int_equal(unlink(filler), 0);
        expect_resumed(r, "space returned");
    }
    print_outcomes(r, "tmpfs");
    run_close(r);
    free(r);
    umount2(mnt, MNT_DETACH);
    ut_rmtree(base);
}

/* ---- Injected I/O errors ---- */

static void test_io_errors(void **state)
{
    (void)state;
    fault_vfs *v = calloc(1, sizeof *v);
    assert_non_null(v);
    fault_vfs_install(v);
    run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    run_open(r, "diskfull-io", NULL);
    hc_rng rng = {hc_seed("BK_DISKFULL_SEED")};
    long rounds = hc_env_long("BK_IO_ERROR_ROUNDS", 60);
    long cut = 0;
    for (long i = 0; i < rounds; i++) {
        /* Writes (or fsyncs) fail after a random number of good ones,
           somewhere in this resident's answers. */
        bool sync = hc_below(&rng, 2) == 0;
        long budget = (long)hc_below(&rng, 24);
        if (sync)
            v->sync_budget = budget;
        else
            v->write_budget = budget;
        outcome o = resident(r);
        if (o != THANKED) {
            cut++;
            check_store(r, sync ? "fsync failed" : "write failed");
        }
        v->write_budget = v->sync_budget = -1;
        check_store(r, "after the errors stopped");
        if (o != THANKED)
            expect_resumed(r, "the errors stopped");
    }
    print_outcomes(r, "I/O errors");
    print_message("%ld residents cut off by %ld failed writes and fsyncs\n", cut, v->failed);
    assert_true(cut > rounds / 4);
    run_close(r);
    fault_vfs_remove(v);
    free(r);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_limit),
        cmocka_unit_test(test_io_errors),
        cmocka_unit_test(test_tmpfs_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
