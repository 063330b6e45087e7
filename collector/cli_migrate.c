/* cli_migrate.c: `buurtkiosk-collector migrate`: brings the database's
 * schema to the version this program writes and stops, for an upgrade
 * window (serve does the same at start; this lets IT do it first, once,
 * before several instances start). Then checks the database. */
#include <stdio.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector migrate [--config FILE]\n\n"
               "Creates the database's tables, or migrates them to the schema version\n"
               "this program writes, in one transaction, then checks the database and\n"
               "stops. Instances starting at the same moment migrate once. A database\n"
               "newer than this program is left alone (exit status 1).\n\n"
               "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n");
}

int cli_migrate(int argc, char **argv)
{
    const char *cmd = "buurtkiosk-collector migrate";
    const char *config_path;
    int done = cli_config_only(argc, argv, usage, &config_path);
    if (done >= 0)
        return done;
    collector_config cfg;
    int rc = cli_load_config(cmd, config_path, &cfg);
    if (rc)
        return rc;
    int found = -1;
    storage *st = cli_open_storage_found(cmd, &cfg, 1, &found);
    if (!st) {
        collector_config_free(&cfg);
        return 1;
    }
    const int target = storage_schema_version();
    if (found == target)
        printf("schema version %d: already current\n", target);
    else if (found == 0)
        printf("schema version 0 -> %d: tables created\n", target);
    else
        printf("schema version %d -> %d: migrated\n", found, target);
    bk_diag diag = {0};
    bk_err e = storage_check(st, &diag);
    if (e == BK_OK) {
        printf("check: ok\n");
    } else {
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "%s: %s\n", cmd, diag.messages[i]);
        cli_report(cmd, "checking the database", e);
        rc = 1;
    }
    diag_clear(&diag);
    storage_close(st);
    collector_config_free(&cfg);
    return rc;
}
