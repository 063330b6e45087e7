/* test_store_crash.c: kills a writing process (store_crash_child) with
 * SIGKILL at random moments, 200 times on the same database, and checks
 * after every kill that the database is intact and that every response the
 * child reported as committed is there, complete, with its 8 answers.
 *
 * Real time is used only for the moment of the kill. STORE_CRASH_SEED in the
 * environment repeats a run's random choices. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "test_store_util.h"

#ifndef STORE_CRASH_CHILD
#error "STORE_CRASH_CHILD must name the child binary"
#endif

#define KILLS 200
#define MAX_REPORTED 200000

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct reported {
    char (*ids)[STORE_UUID_LEN + 1];
    size_t n;
} reported;

/* Starts the child writing to path; its stdout is *fd_out. */
static pid_t spawn_child(const char *path, int *fd_out)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(STORE_CRASH_CHILD, "store_crash_child", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    *fd_out = fds[0];
    return pid;
}

/* Waits up to timeout_us for the first byte on fd. */
static bool wait_readable(int fd, int64_t timeout_us)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, (int)(timeout_us / 1000)) == 1;
}

/* Reads every complete line left in the pipe after the child died. */
static void read_reports(int fd, reported *r)
{
    char buf[65536 + STORE_UUID_LEN + 2];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
            if (buf[i] != '\n')
                continue;
            assert_int_equal(i - start, STORE_UUID_LEN);
            assert_true(r->n < MAX_REPORTED);
            memcpy(r->ids[r->n], buf + start, STORE_UUID_LEN);
            r->ids[r->n][STORE_UUID_LEN] = '\0';
            r->n++;
            start = i + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    close(fd);
    /* write(2) of one line to a pipe is atomic: no half lines. */
    assert_int_equal(len, 0);
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The checks after one kill, on a raw connection (not store_open, which
 * would move a damaged file aside and hide the failure). */
static void check_database(const char *path, const reported *r, int kill_no)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    /* Leave the -wal as the child left it, for the next child to recover. */
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    sqlite3_busy_timeout(db, 5000);

    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *ic = (const char *)sqlite3_column_text(s, 0);
    if (strcmp(ic, "ok") != 0)
        fail_msg("kill %d: integrity_check: %s", kill_no, ic);
    sqlite3_finalize(s);

    /* The schema may not exist yet when the very first child died early. */
    if (one_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'answers'") == 0) {
        assert_int_equal(r->n, 0);
        sqlite3_close(db);
        return;
    }
    assert_int_equal(one_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(one_int(db, "SELECT count(*) FROM answers a LEFT JOIN responses p"
                                 " ON p.id = a.response WHERE p.id IS NULL"),
                     0);
    assert_int_equal(one_int(db, "SELECT count(*) - count(DISTINCT seq) FROM responses"), 0);

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT p.status, (SELECT count(*) FROM answers"
                                        " WHERE response = p.id) FROM responses p"
                                        " WHERE response_id = ?1",
                                        -1, &s, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < r->n; i++) {
        sqlite3_bind_text(s, 1, r->ids[i], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_ROW)
            fail_msg("kill %d: reported response %s is missing", kill_no, r->ids[i]);
        const char *status = (const char *)sqlite3_column_text(s, 0);
        int64_t answers = sqlite3_column_int64(s, 1);
        if (!status || strcmp(status, "complete") != 0 || answers != 8)
            fail_msg("kill %d: reported response %s: status %s, %lld answers", kill_no, r->ids[i],
                     status ? status : "-", (long long)answers);
        if (sqlite3_step(s) != SQLITE_DONE)
            fail_msg("kill %d: response %s is there twice", kill_no, r->ids[i]);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static bool any_moved_aside(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".corrupt-"))
            found = true;
    closedir(d);
    return found;
}

static void test_kill_writer_200_times(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    const char *env = getenv("STORE_CRASH_SEED");
    if (env)
        seed = (unsigned)strtoul(env, NULL, 10);
    print_message("STORE_CRASH_SEED=%u\n", seed);
    srand(seed);

    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "kiosk.db");
    reported r = {.ids = calloc(MAX_REPORTED, sizeof *r.ids)};
    assert_non_null(r.ids);

    const int64_t t_start = now_us();
    int64_t startup_us = 0; /* how long a child takes to its first commit */
    int early = 0, in_loop = 0, exited = 0;
    for (int k = 0; k < KILLS; k++) {
        int fd;
        int64_t t0 = now_us();
        pid_t pid = spawn_child(path, &fd);
        int64_t delay;
        if (k > 0 && rand() % 4 == 0) {
            /* During start-up: open, WAL recovery, quick_check, migration,
             * closing abandoned responses, the first response. */
            delay = rand() % (startup_us + 1);
            early++;
        } else {
            /* In the middle of storing: after the first commit. */
            if (!wait_readable(fd, 20 * 1000000))
                fail_msg("kill %d: the child reported nothing in 20 s", k);
            startup_us = now_us() - t0;
            delay = rand() % 50000;
            in_loop++;
        }
        usleep((useconds_t)delay);
        kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status)) {
            /* It may only end on its own when it had nothing to report. */
            if (WEXITSTATUS(status) != 0)
                fail_msg("kill %d: child exited with %d", k, WEXITSTATUS(status));
            exited++;
        }
        read_reports(fd, &r);
        check_database(path, &r, k);
        assert_false(any_moved_aside(dir));
    }
    int64_t elapsed_ms = (now_us() - t_start) / 1000;

    /* Finally through the store itself: nothing lost, the rest closed. */
    bk_virtual_clock vc = {.wall_ms = TU_T0_MS};
    store *st = tu_open(path, &vc);
    assert_int_equal(store_close_abandoned(st, NULL), BK_OK);
    store_counts c;
    assert_int_equal(store_count(st, &c), BK_OK);
    assert_true(c.total >= (int64_t)r.n);
    assert_int_equal(c.started, 0);
    int64_t complete = tu_sql_int(st, "SELECT count(*) FROM responses WHERE status = 'complete'");
    assert_true(complete >= (int64_t)r.n);
    /* Each complete one has all 8 answers: no half-finished response. */
    assert_int_equal(tu_sql_int(st, "SELECT count(*) FROM responses p WHERE status = 'complete'"
                                    " AND (SELECT count(*) FROM answers WHERE response = p.id)"
                                    " <> 8"),
                     0);
    store_close(st);
    print_message("%d kills (%d during start-up, %d while storing, %d ended early) in %lld ms;"
                  " start-up %lld us; %zu responses reported, %lld in the database\n",
                  KILLS, early, in_loop, exited, (long long)elapsed_ms, (long long)startup_us, r.n,
                  (long long)c.total);
    assert_true(r.n > 0);

    free(r.ids);
    free(path);
    tu_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_writer_200_times),
    };
    return cmocka_run_group_tests_name("store_crash", tests, NULL, NULL);
}
