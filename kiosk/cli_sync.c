/* cli_sync.c: `buurtkiosk sync [--config FILE] [--db FILE] [--retries N]`:
 * one sync pass from the command line (uploads until nothing is left or an
 * error stops it, the survey download, the heartbeat), progress on stderr.
 * Exit status: 0 nothing left to send, 1 something left, 2 configuration. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "sync.h"

#define CLI_SYNC_DEFAULT_CONFIG "config/buurtkiosk.ini"

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk sync [--config FILE] [--db FILE] [--retries N]\n\n"
               "Sends the answers waiting on this kiosk to the server in [sync] base_url,\n"
               "fetches new survey definitions and reports the kiosk's status: one pass.\n\n"
               "  --config FILE   configuration (default " CLI_SYNC_DEFAULT_CONFIG ")\n"
               "  --db FILE       database (default: [storage] database)\n"
               "  --retries N     after a temporary failure, wait and try again up to N\n"
               "                  times (default 0: stop at the first failure)\n\n"
               "Exit status: 0 when nothing is left to send, 1 when something is left\n"
               "(the reason is printed), 2 when the configuration is wrong.\n");
}

static void on_progress(void *ctx, int64_t sent, int64_t total)
{
    (void)ctx;
    fprintf(stderr, "%lld of %lld responses sent\n", (long long)sent, (long long)total);
}

int cli_sync(int argc, char **argv)
{
    const char *config_path = CLI_SYNC_DEFAULT_CONFIG, *db_arg = NULL;
    long retries = 0;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"db", required_argument, NULL, 'd'},
        {"retries", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:d:r:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            db_arg = optarg;
            break;
        case 'r': {
            char *end = NULL;
            retries = strtol(optarg, &end, 10);
            if (!end || *end || retries < 0 || retries > 1000) {
                fprintf(stderr, "buurtkiosk sync: --retries wants a number from 0 to 1000\n");
                return 2;
            }
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "buurtkiosk sync: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    bk_diag diag = {0};
    bk_config cfg;
    if (config_load(config_path, &cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        return 2;
    }
    char *db_path = db_arg ? strdup(db_arg) : config_resolve_path(&cfg, cfg.storage.database);
    if (!db_path) {
        fprintf(stderr, "buurtkiosk sync: out of memory\n");
        config_free(&cfg);
        return 2;
    }
    if (sync_global_init() != BK_OK) {
        fprintf(stderr, "buurtkiosk sync: cannot initialise libcurl\n");
        free(db_path);
        config_free(&cfg);
        return 2;
    }
    sync_options opt = sync_options_default();
    opt.max_retries_in_pass = (int)retries;
    opt.on_progress = on_progress;
    sync_pass_outcome out;
    bk_err e = sync_run_once(&cfg, db_path, &opt, &out, &diag);
    int rc;
    if (e != BK_OK) {
        diag_print(&diag, stderr);
        if (diag.count == 0)
            fprintf(stderr, "buurtkiosk sync: %s\n", bk_err_str(e));
        rc = 2;
    } else {
        const sync_status *s = &out.status;
        if (s->error != SYNC_ERROR_NONE)
            fprintf(stderr, "buurtkiosk sync: %s / %s: %s\n", sync_error_title(s->error, "nl"),
                    sync_error_title(s->error, "en"), s->detail);
        if (out.left) {
            fprintf(stderr, "buurtkiosk sync: %lld responses not sent yet\n", (long long)s->queued);
            rc = 1;
        } else {
            fprintf(stderr, "buurtkiosk sync: nothing left to send");
            if (s->rejected > 0)
                fprintf(stderr, " (%lld responses set aside by the server: see staff mode)",
                        (long long)s->rejected);
            fprintf(stderr, "\n");
            rc = 0;
        }
    }
    diag_clear(&diag);
    sync_global_cleanup();
    free(db_path);
    config_free(&cfg);
    return rc;
}
