/* store_crash_child: the writer that test_store_crash kills with SIGKILL.
 *
 * Usage: store_crash_child DB_PATH
 * Opens the store as the kiosk does (closing abandoned responses), then
 * stores responses in a loop: begin, 8 answers each in its own transaction,
 * finish complete. After each finish has returned BK_OK it writes the
 * response_id and a newline to stdout with one write(2) (a pipe: atomic, no
 * stdio buffer), so the parent knows which responses were committed. Exits
 * by itself after 30 s so it can never be left behind. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "store.h"

static int fail(const char *what, bk_err err)
{
    fprintf(stderr, "store_crash_child: %s: %s\n", what, bk_err_str(err));
    return 3;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: store_crash_child DB_PATH\n");
        return 2;
    }
    log_set_level(LOG_LEVEL_WARN);
    bk_clock clock = clock_system();
    store *st = NULL;
    bk_err err = store_open(argv[1], &clock, &st, NULL);
    if (err)
        return fail("open", err);
    err = store_close_abandoned(st, NULL);
    if (err)
        return fail("close abandoned", err);
    store_response_meta meta = {.survey_id = "buurtpeiling-2026",
                                .survey_version = 3,
                                .mode = "survey",
                                .language = "nl",
                                .area = "dorst"};
    static const char *const list[] = {"park", "speeltuin", "bankjes"};
    const int64_t start = clock_mono_ms(&clock);
    for (long n = 0; n < 1000000 && clock_mono_ms(&clock) - start < 30000; n++) {
        store_response_ref ref;
        err = store_response_begin(st, &meta, &ref);
        if (err)
            return fail("begin", err);
        for (int q = 0; q < 8; q++) {
            char qid[8];
            snprintf(qid, sizeof qid, "q%d", q + 1);
            answer_value v = {.kind = ANSWER_INT, .integer = q};
            if (q % 3 == 1) {
                v.kind = ANSWER_TEXT;
                v.text = "Meer bankjes; \"echt\"\nbij de vijver \xc3\xa9";
            } else if (q % 3 == 2) {
                v.kind = ANSWER_LIST;
                v.list = list;
                v.n_list = 3;
            }
            err = store_answer_set(st, ref.rowid, qid, &v);
            if (err)
                return fail("answer", err);
        }
        err = store_response_finish(st, ref.rowid, STORE_STATUS_COMPLETE, NULL, 0);
        if (err)
            return fail("finish", err);
        char line[STORE_UUID_LEN + 2];
        memcpy(line, ref.response_id, STORE_UUID_LEN);
        line[STORE_UUID_LEN] = '\n';
        if (write(STDOUT_FILENO, line, STORE_UUID_LEN + 1) != STORE_UUID_LEN + 1)
            return 4;
    }
    store_close(st);
    return 0;
}
