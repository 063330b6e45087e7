/* cli.h: the subcommands of `buurtkiosk-collector`, one file each, and the
 * few steps they share. Every command has --help; exit status 0 on
 * success, 1 when the work failed, 2 on a usage or configuration error. */
#ifndef BK_COLLECTOR_CLI_H
#define BK_COLLECTOR_CLI_H

#include <stdio.h>

#include "collector_config.h"
#include "storage.h"

#define CLI_DEFAULT_CONFIG "config/collector.ini"

int cli_serve(int argc, char **argv);
int cli_kiosk(int argc, char **argv);
int cli_survey(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_user(int argc, char **argv);

/* Reads the options of a command that takes only --config FILE and
 * --help: *config_path gets the file (default CLI_DEFAULT_CONFIG).
 * Returns -1 to go on, or the exit status after printing usage (0 for
 * --help, 2 for anything else). */
int cli_config_only(int argc, char **argv, void (*usage)(FILE *f), const char **config_path);

/* Loads the configuration at path (every problem printed to stderr as
 * "FILE:LINE: problem", prefixed with cmd). Returns 0, or 2 after
 * printing. */
int cli_load_config(const char *cmd, const char *path, collector_config *cfg);

/* Opens the configured storage with a pool of pool_size connections.
 * Returns a new handle, or NULL after printing why (prefixed with cmd). */
storage *cli_open_storage(const char *cmd, const collector_config *cfg, int pool_size);

/* cli_open_storage, with the schema version found before migrating in
 * *schema_found. */
storage *cli_open_storage_found(const char *cmd, const collector_config *cfg, int pool_size,
                                int *schema_found);

/* The one place a storage error of a command is printed: "cmd: what: why". */
void cli_report(const char *cmd, const char *what, bk_err err);

#endif
