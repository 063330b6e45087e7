/* cli_common.c: configuration and storage opening shared by the commands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "clock.h"
#include "diag.h"

int cli_config_only(int argc, char **argv, void (*usage)(FILE *f), const char **config_path)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *config_path = CLI_DEFAULT_CONFIG;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        if (ch == 'c') {
            *config_path = optarg;
        } else if (ch == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "buurtkiosk-collector %s: unexpected argument '%s'\n", argv[0],
                argv[optind]);
        usage(stderr);
        return 2;
    }
    return -1;
}

int cli_load_config(const char *cmd, const char *path, collector_config *cfg)
{
    bk_diag diag = {0};
    bk_err e = collector_config_load(path, cfg, &diag);
    if (e != BK_OK) {
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "%s: %s\n", cmd, diag.messages[i]);
        if (diag.dropped)
            fprintf(stderr, "%s: ... and %zu more problems\n", cmd, diag.dropped);
        if (diag.count == 0)
            fprintf(stderr, "%s: %s: %s\n", cmd, path, bk_err_str(e));
        diag_clear(&diag);
        return 2;
    }
    diag_clear(&diag);
    return 0;
}

storage *cli_open_storage(const char *cmd, const collector_config *cfg, int pool_size)
{
    return cli_open_storage_found(cmd, cfg, pool_size, NULL);
}

storage *cli_open_storage_found(const char *cmd, const collector_config *cfg, int pool_size,
                                int *schema_found)
{
    char *db = collector_config_database(cfg);
    if (!db) {
        fprintf(stderr, "%s: out of memory\n", cmd);
        return NULL;
    }
    storage_options opt = {
        .database = db,
        .busy_timeout_ms = cfg->storage.busy_timeout_ms,
        .pool_size = pool_size,
        .clock = clock_system(),
        .schema_found = schema_found,
    };
    bk_diag diag = {0};
    storage *st = NULL;
    bk_err e = storage_open(&opt, &st, &diag);
    if (e != BK_OK) {
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "%s: %s\n", cmd, diag.messages[i]);
        if (diag.count == 0)
            fprintf(stderr, "%s: %s: %s\n", cmd, db, bk_err_str(e));
        st = NULL;
    }
    diag_clear(&diag);
    free(db);
    return st;
}

void cli_report(const char *cmd, const char *what, bk_err err)
{
    const char *hint = "";
    if (err == BK_ERR_BUSY)
        hint = " (the database is locked by another program; try again)";
    else if (err == BK_ERR_NETWORK)
        hint = " (the database server cannot be reached; is it running?)";
    fprintf(stderr, "%s: %s: %s%s\n", cmd, what, bk_err_str(err), hint);
}
