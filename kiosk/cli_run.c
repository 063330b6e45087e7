/* cli_run.c: `buurtkiosk [run] [--config FILE] [--db FILE] [--fullscreen]
 * [--replay SCRIPT --screenshots DIR]` */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "replay.h"
#include "sync.h"

#define CLI_DEFAULT_CONFIG "config/buurtkiosk.ini"

static void run_usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk [run] [--config FILE] [--db FILE] [--fullscreen]\n"
               "                  [--size WxH] [--replay SCRIPT [--screenshots DIR]]\n\n"
               "Runs the kiosk.\n"
               "  --config FILE      configuration (default " CLI_DEFAULT_CONFIG ")\n"
               "  --db FILE          database (default: [storage] database)\n"
               "  --fullscreen       fill the screen, hide the mouse cursor\n"
               "  --size WxH         window size (default: [display] width/height)\n"
               "  --replay SCRIPT    drive the kiosk from a script with a virtual clock\n"
               "                     (docs/replay.md); exit 0 when every line held, else 1\n"
               "  --screenshots DIR  where `screenshot NAME` writes NAME.png\n");
}

int cli_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
        {"fullscreen", no_argument, NULL, 'f'},   {"size", required_argument, NULL, 's'},
        {"replay", required_argument, NULL, 'r'}, {"screenshots", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *config_path = CLI_DEFAULT_CONFIG, *replay_path = NULL, *shots = NULL;
    app_options opt = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            opt.db_path = optarg;
            break;
        case 'f':
            opt.fullscreen = true;
            break;
        case 's':
            if (sscanf(optarg, "%dx%d", &opt.width, &opt.height) != 2 || opt.width < 100 ||
                opt.height < 100 || opt.width > 16384 || opt.height > 16384) {
                fprintf(stderr, "buurtkiosk run: --size wants WIDTHxHEIGHT, e.g. 1920x1080\n");
                return 2;
            }
            break;
        case 'r':
            replay_path = optarg;
            break;
        case 'o':
            shots = optarg;
            break;
        case 'h':
            run_usage(stdout);
            return 0;
        default:
            run_usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "buurtkiosk run: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }

    bk_diag diag = {0};
    replay_script *script = NULL;
    if (replay_path) {
        script = replay_load_file(replay_path, &diag);
        if (!script) {
            diag_print(&diag, stderr);
            diag_clear(&diag);
            return 1;
        }
        opt.virtual_time = true;
        if (shots && mkdir(shots, 0755) != 0) {
            struct stat st;
            if (stat(shots, &st) != 0 || !S_ISDIR(st.st_mode)) {
                fprintf(stderr, "buurtkiosk run: cannot create %s\n", shots);
                replay_free(script);
                return 1;
            }
        }
    }
    bk_config cfg;
    if (config_load(config_path, &cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        replay_free(script);
        return 2;
    }
    diag_clear(&diag);
    if (sync_global_init() != BK_OK) { /* once, before the worker thread */
        config_free(&cfg);
        replay_free(script);
        return 1;
    }
    app *a = app_create(&cfg, &opt);
    if (!a) {
        sync_global_cleanup();
        config_free(&cfg);
        replay_free(script);
        return 1;
    }
    a->screenshot_dir = shots;
    int rc;
    if (script)
        rc = app_replay(a, script);
    else
        rc = app_run(a);
    app_destroy(a);
    sync_global_cleanup();
    config_free(&cfg);
    replay_free(script);
    return rc;
}
