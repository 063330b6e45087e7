/* test_sync_cli.c: `buurtkiosk sync` as a program: exit status 0/1/2 with
 * the reason, progress on stderr, and kill -9 during uploads (the receiver
 * slow) 50 times, then a clean sync: nothing lost, nothing doubled. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_sync_common.h"

extern char **environ;

#define PIN_HASH                                                                                   \
    "$argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4" \
    "zMk6k"

typedef struct fixture {
    char dir[256];
    ts_receiver rcv;
} fixture;

static int group_setup(void **state)
{
    static fixture fx;
    ts_tmpdir(fx.dir, sizeof fx.dir, "cli");
    ts_receiver_start(&fx.rcv, NULL);
    *state = &fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    ts_receiver_stop(&fx->rcv);
    ts_rmtree(fx->dir);
    return 0;
}

/* Writes dir/kiosk.ini for base_url, the token file and the database. */
static void write_config(const char *dir, const char *base_url, int batch_max, char *ini,
                         size_t ini_size)
{
    char text[2048], p[600];
    snprintf(text, sizeof text,
             "[kiosk]\nid = " TS_KIOSK "\nlanguages = nl, en\n\n"
             "[storage]\ndatabase = kiosk.db\n\n"
             "[survey]\ndirectory = surveys\nactive = buurtpeiling\n\n"
             "[sync]\nbase_url = %s\ntoken_file = token\nbatch_max = %d\n\n"
             "[staff]\npin_hash = " PIN_HASH "\n",
             base_url, batch_max);
    snprintf(ini, ini_size, "%s/kiosk.ini", dir);
    ts_write_file(ini, text, 0644);
    snprintf(p, sizeof p, "%s/token", dir);
    ts_write_file(p, TS_TOKEN "\n", 0600);
}

static void make_case(fixture *fx, const char *tag, int n, const char *base_url, int batch_max,
                      char *dir, size_t dir_size, char *ini, size_t ini_size)
{
    snprintf(dir, dir_size, "%s/%s", fx->dir, tag);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    char db[600];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    if (n > 0)
        ts_seed_store(db, n);
    char url[200];
    if (!base_url) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/buurtkiosk", fx->rcv.port);
        base_url = url;
    }
    write_config(dir, base_url, batch_max, ini, ini_size);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"reset\":true,\"fault\":\"none\","
                                                   "\"every\":1,\"count\":-1,"
                                                   "\"token\":\"" TS_TOKEN "\"}"),
                     200);
}

/* Starts `buurtkiosk sync --config ini [extra]` with stderr to err_path. */
static pid_t spawn_sync(const char *ini, const char *err_path, const char *extra)
{
    const char *argv[8] = {"buurtkiosk", "sync", "--config", ini, NULL, NULL, NULL, NULL};
    if (extra) {
        argv[4] = "--retries";
        argv[5] = extra;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path ? err_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, BK_BINARY, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs the command to the end; returns its exit status and stderr. */
static int run_sync(const char *dir, const char *ini, char **err)
{
    char err_path[600];
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
    int rc = wait_exit(spawn_sync(ini, err_path, NULL));
    *err = ts_read_file(err_path, NULL);
    assert_non_null(*err);
    return rc;
}

static void test_cli_sends_everything(void **state)
{
    fixture *fx = *state;
    char dir[400], ini[600], db[600];
    make_case(fx, "ok", 45, NULL, 10, dir, sizeof dir, ini, sizeof ini);
    char *err = NULL;
    int rc = run_sync(dir, ini, &err);
    if (rc != 0)
        print_error("%s", err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(err, "10 of 45 responses sent"));
    assert_non_null(strstr(err, "45 of 45 responses sent"));
    assert_non_null(strstr(err, "nothing left to send"));
    free(err);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    json_t *dump = ts_receiver_dump(&fx->rcv);
    ts_assert_exactly_once(db, dump);
    json_decref(dump);
    /* Nothing to do is also success. */
    rc = run_sync(dir, ini, &err);
    assert_int_equal(rc, 0);
    free(err);
}

static void test_cli_exit_codes(void **state)
{
    fixture *fx = *state;
    char dir[400], ini[600], *err = NULL;

    /* Nobody listening: 1, with the reason. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t alen = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    close(s); /* now closed: connection refused */
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/bk", ntohs(a.sin_port));
    make_case(fx, "down", 12, url, 10, dir, sizeof dir, ini, sizeof ini);
    assert_int_equal(run_sync(dir, ini, &err), 1);
    assert_non_null(strstr(err, "Geen verbinding met de server"));
    assert_non_null(strstr(err, "12 responses not sent yet"));
    free(err);

    /* Token refused by the server: 1. */
    make_case(fx, "auth", 5, NULL, 10, dir, sizeof dir, ini, sizeof ini);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"token\":\"nope\"}"), 200);
    assert_int_equal(run_sync(dir, ini, &err), 1);
    assert_non_null(strstr(err, "Toegang geweigerd (token)"));
    assert_null(strstr(err, TS_TOKEN));
    free(err);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"token\":\"" TS_TOKEN "\"}"), 200);

    /* A temporary failure with --retries: it waits and gets there. */
    make_case(fx, "retries", 5, NULL, 10, dir, sizeof dir, ini, sizeof ini);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"fault\":\"429\",\"retry_after\":0,"
                                                   "\"count\":2}"),
                     200);
    char err_path[600];
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
    assert_int_equal(wait_exit(spawn_sync(ini, err_path, "3")), 0);

    /* Configuration errors: 2. */
    make_case(fx, "config", 0, NULL, 10, dir, sizeof dir, ini, sizeof ini);
    char p[600];
    snprintf(p, sizeof p, "%s/token", dir);
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(run_sync(dir, ini, &err), 2);
    assert_non_null(strstr(err, "chmod 600"));
    free(err);
    write_config(dir, "", 10, ini, sizeof ini);
    assert_int_equal(run_sync(dir, ini, &err), 2);
    assert_non_null(strstr(err, "base_url"));
    free(err);
    snprintf(p, sizeof p, "%s/missing.ini", dir);
    assert_int_equal(run_sync(dir, p, &err), 2);
    free(err);
}

/* kill -9 during uploads, 50 times, then a clean sync. */
static void test_cli_kill_9_during_upload(void **state)
{
    fixture *fx = *state;
    char dir[400], ini[600], db[600];
    const int n = 2000;
    make_case(fx, "kill", n, NULL, 10, dir, sizeof dir, ini, sizeof ini);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"fault\":\"slow\",\"slow_ms\":40}"), 200);
    unsigned seed = 20261129;
    int in_flight_kills = 0;
    for (int i = 0; i < 50; i++) {
        json_t *st = ts_receiver_stats(&fx->rcv);
        long long before = ts_dump_int(st, "batch_requests");
        json_decref(st);
        pid_t pid = spawn_sync(ini, NULL, NULL);
        /* Wait until its upload is at the server (slow to answer), then
           kill it somewhere in the next 60 ms. */
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            st = ts_receiver_stats(&fx->rcv);
            long long now = ts_dump_int(st, "batch_requests");
            json_decref(st);
            if (now > before)
                break;
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            assert_true(t1.tv_sec - t0.tv_sec < 20);
            int status;
            assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still running */
            struct timespec pause = {0, 2 * 1000000L};
            nanosleep(&pause, NULL);
        }
        seed = seed * 1103515245u + 12345u;
        struct timespec delay = {0, (long)((seed >> 8) % 60) * 1000000L};
        nanosleep(&delay, NULL);
        if (kill(pid, SIGKILL) == 0)
            in_flight_kills++;
        int rc = wait_exit(pid);
        assert_true(rc == 128 + SIGKILL || rc == 0 || rc == 1);
    }
    store_counts mid = ts_counts(db);
    print_message("after 50 x kill -9: %lld of %d delivered, %lld still queued\n",
                  (long long)mid.delivered, n, (long long)mid.queued);
    assert_true(mid.queued > 0); /* the kills really were during the uploads */
    assert_int_equal(in_flight_kills, 50);

    assert_int_equal(ts_receiver_control(&fx->rcv, "{\"fault\":\"none\"}"), 200);
    char *err = NULL;
    int rc = run_sync(dir, ini, &err);
    if (rc != 0)
        print_error("%s", err);
    assert_int_equal(rc, 0);
    free(err);
    json_t *dump = ts_receiver_dump(&fx->rcv);
    print_message("receiver: %zu responses held, %lld resent duplicates ignored\n",
                  json_object_size(json_object_get(dump, "responses")),
                  ts_dump_int(dump, "duplicates"));
    ts_assert_exactly_once(db, dump);
    assert_int_equal(json_object_size(json_object_get(dump, "responses")), (size_t)n);
    json_decref(dump);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_sends_everything),
        cmocka_unit_test(test_cli_exit_codes),
        cmocka_unit_test(test_cli_kill_9_during_upload),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
