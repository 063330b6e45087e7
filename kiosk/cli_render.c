/* cli_render.c: `buurtkiosk render [--config FILE] --out DIR [--size WxH]`:
 * every screen of the active survey in every language to PNG, so staff can
 * review a survey before it goes live. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "config.h"

static void render_usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk render [--config FILE] --out DIR [--size WxH]\n\n"
               "Writes every screen of the active survey, in every language, as PNG files\n"
               "into DIR (created when missing). Needs no screen. The kiosk's database is\n"
               "not touched.\n");
}

int cli_render(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},
        {"size", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = "config/buurtkiosk.ini", *out = NULL;
    app_options opt = {.virtual_time = true, .no_sync = true, .width = 1920, .height = 1080};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 's') {
            if (sscanf(optarg, "%dx%d", &opt.width, &opt.height) != 2 || opt.width < 100 ||
                opt.height < 100 || opt.width > 16384 || opt.height > 16384) {
                fprintf(stderr, "buurtkiosk render: --size wants WIDTHxHEIGHT, e.g. 1920x1080\n");
                return 2;
            }
        } else if (c == 'h') {
            render_usage(stdout);
            return 0;
        } else {
            render_usage(stderr);
            return 2;
        }
    }
    if (!out || optind < argc) {
        render_usage(stderr);
        return 2;
    }
    struct stat st;
    if (mkdir(out, 0755) != 0 && (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "buurtkiosk render: cannot create %s\n", out);
        return 1;
    }
    /* A preview needs no screen, and must not touch the kiosk's database. */
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    char tmp[] = "/tmp/buurtkiosk-render-XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("buurtkiosk render: mkdtemp");
        return 1;
    }
    char db[PATH_MAX];
    snprintf(db, sizeof db, "%s/preview.db", tmp);
    opt.db_path = db;

    bk_diag diag = {0};
    bk_config cfg;
    if (config_load(config_path, &cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        rmdir(tmp);
        return 2;
    }
    int rc = 1, count = 0;
    app *a = app_create(&cfg, &opt);
    if (a) {
        if (app_render_all(a, out, &count) == 0) {
            printf("%d screens of survey \"%s\" written to %s\n", count, a->active->id, out);
            rc = 0;
        }
        app_destroy(a);
    }
    config_free(&cfg);
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        unlink(path);
    }
    rmdir(tmp);
    return rc;
}
