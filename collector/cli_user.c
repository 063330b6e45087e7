/* cli_user.c: `buurtkiosk-collector user add|list|remove`: the accounts of
 * the web interface. The password is read from standard input (asked twice
 * without echo on a terminal) and only its argon2id hash is stored
 * (libsodium's crypto_pwhash_str). Every change is in the audit log, with
 * the operating system user who made it. */
#include <getopt.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"

#define CLI_PASSWORD_MIN 10
#define CLI_PASSWORD_MAX 1024

static void usage(FILE *f)
{
    fprintf(f,
            "usage: buurtkiosk-collector user add NAME --role admin|wijkmakelaar|viewer\n"
            "                                 [--areas AREA,AREA] [--config FILE]\n"
            "       buurtkiosk-collector user list [--config FILE]\n"
            "       buurtkiosk-collector user remove NAME [--config FILE]\n\n"
            "The accounts of the web interface. `add` reads the password from standard\n"
            "input (one line; on a terminal it is asked twice, without echo): at least\n"
            "%d characters. Only its argon2id hash is kept. A wijkmakelaar needs\n"
            "--areas (the area ids they work in); an admin and a viewer see every area.\n"
            "Every change is written to the audit log.\n\n"
            "  --role ROLE     admin (everything, also kiosks, surveys and users),\n"
            "                  wijkmakelaar (only their areas), viewer (everything,\n"
            "                  changes nothing)\n"
            "  --areas LIST    comma-separated area ids, for a wijkmakelaar\n"
            "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n",
            CLI_PASSWORD_MIN);
}

/* Reads one line from stdin into buf (without its line end), with the
 * terminal's echo off when prompt is given. Returns its length or -1. */
static long read_line(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    bool tty = prompt && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs(prompt, stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    size_t n = strlen(buf);
    if (n == size - 1 && buf[n - 1] != '\n')
        return -2; /* too long */
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return (long)n;
}

/* The password from stdin, hashed into hash[crypto_pwhash_STRBYTES].
 * Returns 0, or 2 after saying what is wrong. */
static int read_password(const char *cmd, char hash[crypto_pwhash_STRBYTES])
{
    char pw[CLI_PASSWORD_MAX + 2], again[CLI_PASSWORD_MAX + 2];
    bool tty = isatty(STDIN_FILENO);
    long n = read_line(tty ? "Password: " : NULL, pw, sizeof pw);
    int rc = 0;
    if (n == -2) {
        fprintf(stderr, "%s: the password is longer than %d characters\n", cmd, CLI_PASSWORD_MAX);
        rc = 2;
    } else if (n < 0) {
        fprintf(stderr, "%s: no password on standard input\n", cmd);
        rc = 2;
    } else if (n < CLI_PASSWORD_MIN) {
        fprintf(stderr, "%s: the password needs at least %d characters\n", cmd, CLI_PASSWORD_MIN);
        rc = 2;
    } else if (tty && (read_line("Again: ", again, sizeof again) != n || strcmp(pw, again) != 0)) {
        fprintf(stderr, "%s: the two passwords differ\n", cmd);
        rc = 2;
    } else if (crypto_pwhash_str(hash, pw, (unsigned long long)n,
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        fprintf(stderr, "%s: out of memory hashing the password\n", cmd);
        rc = 1;
    }
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(again, sizeof again);
    return rc;
}

/* "cli:NAME" of the operating system user running the command. */
static void actor_name(char *buf, size_t size)
{
    struct passwd *pw = getpwuid(geteuid());
    snprintf(buf, size, "cli:%s", pw && pw->pw_name ? pw->pw_name : "?");
}

static int print_user(const storage_user *u, void *ctx)
{
    int *n = ctx;
    if ((*n)++ == 0)
        printf("%-24s %-13s %-30s %s\n", "name", "role", "areas", "created");
    char at[40];
    printf("%-24s %-13s %-30s %s\n", u->name, storage_role_name(u->role),
           u->areas[0] ? u->areas : "(all)", clock_format_rfc3339(u->created_ms, at, sizeof at));
    return 0;
}

int cli_user(int argc, char **argv)
{
    const char *cmd = "buurtkiosk-collector user";
    const char *config_path = CLI_DEFAULT_CONFIG, *role_text = NULL, *areas = NULL;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"role", required_argument, NULL, 'r'},
        {"areas", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:r:a:h", longopts, NULL)) != -1) {
        if (ch == 'c') {
            config_path = optarg;
        } else if (ch == 'r') {
            role_text = optarg;
        } else if (ch == 'a') {
            areas = optarg;
        } else if (ch == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    const char *verb = optind < argc ? argv[optind] : NULL;
    const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    int want = verb && strcmp(verb, "list") == 0 ? 1 : 2;
    if (!verb ||
        (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "remove") != 0) ||
        argc - optind != want) {
        usage(stderr);
        return 2;
    }
    storage_user u;
    memset(&u, 0, sizeof u);
    if (strcmp(verb, "add") == 0) {
        if (!role_text || !storage_role_parse(role_text, &u.role)) {
            fprintf(stderr, "%s add: --role must be admin, wijkmakelaar or viewer%s%s\n", cmd,
                    role_text ? ", not " : "", role_text ? role_text : "");
            return 2;
        }
        snprintf(u.name, sizeof u.name, "%s", name);
        snprintf(u.areas, sizeof u.areas, "%s", areas ? areas : "");
        const char *problem =
            strlen(name) >= sizeof u.name || (areas && strlen(areas) >= sizeof u.areas)
                ? "the name or the areas are too long"
                : storage_user_problem(&u);
        if (problem) {
            fprintf(stderr, "%s add %s: %s\n", cmd, name, problem);
            return 2;
        }
    } else if (role_text || areas) {
        fprintf(stderr, "%s %s: --role and --areas belong to add\n", cmd, verb);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "%s: libsodium cannot be initialised\n", cmd);
        return 1;
    }
    collector_config cfg;
    int rc = cli_load_config(cmd, config_path, &cfg);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES] = "";
    if (strcmp(verb, "add") == 0 &&
        (rc = read_password("buurtkiosk-collector user add", hash)) != 0) {
        collector_config_free(&cfg);
        return rc;
    }
    storage *st = cli_open_storage(cmd, &cfg, 1);
    if (!st) {
        collector_config_free(&cfg);
        return 1;
    }
    char actor[128];
    actor_name(actor, sizeof actor);
    bk_err e = BK_OK;
    if (strcmp(verb, "add") == 0) {
        e = storage_user_add(st, &u, hash, actor);
        if (e == BK_OK)
            printf("user %s added (%s%s%s)\n", u.name, storage_role_name(u.role),
                   u.areas[0] ? ", areas " : "", u.areas);
        else if (e == BK_ERR_STATE)
            fprintf(stderr, "%s add: there is already a user %s\n", cmd, u.name);
    } else if (strcmp(verb, "remove") == 0) {
        e = storage_user_remove(st, name, actor);
        if (e == BK_OK)
            printf("user %s removed\n", name);
        else if (e == BK_ERR_NOT_FOUND)
            fprintf(stderr, "%s remove: there is no user %s\n", cmd, name);
    } else {
        int n = 0;
        e = storage_user_foreach(st, print_user, &n);
        if (e == BK_OK && n == 0)
            printf("no users yet\n");
    }
    if (e != BK_OK && e != BK_ERR_STATE && e != BK_ERR_NOT_FOUND)
        cli_report(cmd, verb, e);
    sodium_memzero(hash, sizeof hash);
    storage_close(st);
    collector_config_free(&cfg);
    return e == BK_OK ? 0 : 1;
}
