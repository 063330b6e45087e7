/* main.c: dispatches `buurtkiosk-collector COMMAND [OPTIONS]`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command cli_commands[] = {
    {"serve", cli_serve, "receive kiosks' batches and serve their surveys"},
    {"kiosk", cli_kiosk, "add, list or revoke kiosks and their tokens"},
    {"survey", cli_survey, "publish a survey definition to kiosks"},
    {"export", cli_export, "write the stored responses as CSV or JSON Lines"},
    {"import", cli_import, "take in a kiosk's USB export (JSON Lines + SHA-256)"},
    {"status", cli_status, "counts per survey, area and kiosk; quarantine and conflicts"},
    {"migrate", cli_migrate, "bring the database's schema to this version, then stop"},
    {"user", cli_user, "add, list or remove accounts of the web interface"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector COMMAND [OPTIONS]\n\n"
               "The municipality's server for Buurtkiosk: receives every kiosk's answers\n"
               "exactly once, keeps them, and hands out surveys.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
        fprintf(f, "  %-8s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(f, "\nEvery command takes --config FILE (default " CLI_DEFAULT_CONFIG ")\n"
               "and --help. --version prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("buurtkiosk-collector %s\n", BK_VERSION);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2) {
        for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
            if (strcmp(argv[1], cli_commands[i].name) == 0)
                return cli_commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "buurtkiosk-collector: unknown command '%s'\n\n", argv[1]);
    }
    usage(stderr);
    return 2;
}
