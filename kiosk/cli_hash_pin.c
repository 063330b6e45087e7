/* cli_hash_pin.c: `buurtkiosk hash-pin`: reads a staff PIN (4 to 12 digits)
 * from standard input and prints the configuration line for [staff]:
 *   pin_hash = $argon2id$v=19$m=65536,t=2,p=1$...
 * On a terminal it asks twice without showing the digits. Exit status: 0,
 * 1 when the PIN is not 4 to 12 digits or the two entries differ, 2 for a
 * usage error. */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "pin.h"

#define HASH_PIN_LINE_MAX 256

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk hash-pin < FILE\n\n"
               "Reads a staff PIN (4 to 12 digits) from standard input and prints the line\n"
               "to put in the [staff] section of the configuration, e.g.\n\n"
               "  echo 2468 | buurtkiosk hash-pin\n"
               "  pin_hash = $argon2id$v=19$m=65536,t=2,p=1$...\n\n"
               "On a terminal it asks for the PIN twice without showing it. The line holds\n"
               "a salted, slow hash (libsodium crypto_pwhash_str), never the PIN itself.\n");
}

/* Reads one line from stdin into buf without the line end; on a terminal
 * with echo off after showing prompt on stderr. Returns false at EOF or
 * for a line too long. */
static bool read_line(const char *prompt, bool tty, char *buf, size_t size)
{
    struct termios old, quiet;
    bool restore = false;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= (tcflag_t)~ECHO;
            restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    bool ok = fgets(buf, (int)size, stdin) != NULL;
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (!ok)
        return false;
    size_t n = strlen(buf);
    if (n == size - 1 && buf[n - 1] != '\n')
        return false; /* longer than any PIN */
    while (n > 0 &&
           (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        buf[--n] = '\0';
    return true;
}

int cli_hash_pin(int argc, char **argv)
{
    if (argc > 1) {
        bool help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
        usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    bool tty = isatty(STDIN_FILENO) == 1;
    char pin[HASH_PIN_LINE_MAX], again[HASH_PIN_LINE_MAX];
    int rc = 1;
    if (!read_line("New staff PIN (4 to 12 digits): ", tty, pin, sizeof pin)) {
        fprintf(stderr, "buurtkiosk hash-pin: no PIN on standard input\n");
        goto done;
    }
    if (!pin_is_valid(pin)) {
        fprintf(stderr,
                "buurtkiosk hash-pin: the PIN must be %d to %d digits (0-9), nothing "
                "else\n",
                PIN_MIN_DIGITS, PIN_MAX_DIGITS);
        goto done;
    }
    if (tty) {
        if (!read_line("The same PIN again: ", tty, again, sizeof again) ||
            strcmp(pin, again) != 0) {
            fprintf(stderr, "buurtkiosk hash-pin: the two PINs differ; nothing changed\n");
            goto done;
        }
    }
    char hash[PIN_HASH_MAX];
    bk_err err = pin_hash(pin, hash, sizeof hash);
    if (err != BK_OK) {
        fprintf(stderr, "buurtkiosk hash-pin: cannot make the hash: %s\n", bk_err_str(err));
        goto done;
    }
    printf("pin_hash = %s\n", hash);
    rc = fflush(stdout) == 0 ? 0 : 1;
done:
    sodium_memzero(pin, sizeof pin);
    sodium_memzero(again, sizeof again);
    return rc;
}
