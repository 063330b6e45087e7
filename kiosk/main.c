/* main.c: dispatches `buurtkiosk [SUBCOMMAND] [OPTIONS]` to its subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command cli_commands[] = {
    {"run", cli_run, "run the kiosk (the default)"},
    {"check", cli_check, "validate survey definition files"},
    {"render", cli_render, "write every screen of the active survey to PNG"},
    {"sync", cli_sync, "send waiting answers to the server now (one pass)"},
    {"export", cli_export, "write the stored responses to a CSV or JSON Lines file"},
    {"hash-pin", cli_hash_pin, "turn a staff PIN from standard input into its pin_hash line"},
    {"results", cli_results, "print the live results counted from the database"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk [COMMAND] [OPTIONS]\n\n"
               "Buurtkiosk: a touch-screen survey kiosk for the municipality of Oosterhout.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(f, "\nOptions:\n  --help     this text (COMMAND --help for a command's options)\n"
               "  --version  print the version\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("buurtkiosk %s\n", BK_VERSION);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && argv[1][0] != '-') {
        for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
            if (strcmp(argv[1], cli_commands[i].name) == 0)
                return cli_commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "buurtkiosk: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    /* No command: `buurtkiosk [--config FILE] ...` runs the kiosk. */
    argv[0] = "run";
    return cli_run(argc, argv);
}
