/* cli.h: the subcommands of the buurtkiosk binary (git style). Each returns
 * the process exit code. argv[0] is the subcommand's name. */
#ifndef BK_CLI_H
#define BK_CLI_H

int cli_run(int argc, char **argv);      /* run the kiosk (default) */
int cli_check(int argc, char **argv);    /* validate survey definitions */
int cli_render(int argc, char **argv);   /* every screen to PNG */
int cli_sync(int argc, char **argv);     /* one sync pass with the server */
int cli_export(int argc, char **argv);   /* responses to a CSV or JSON Lines file */
int cli_hash_pin(int argc, char **argv); /* a staff PIN to its [staff] pin_hash line */
int cli_results(int argc, char **argv);  /* live results in the terminal */

#endif
