/* cli_kiosk.c: `buurtkiosk-collector kiosk add|list|revoke`: the kiosks and
 * their tokens. A token is printed once, at `add`; the collector keeps only
 * its SHA-256. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "token.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector kiosk add KIOSK_ID [--area AREA] [--config FILE]\n"
               "       buurtkiosk-collector kiosk list [--config FILE]\n"
               "       buurtkiosk-collector kiosk revoke KIOSK_ID [--config FILE]\n\n"
               "add     makes a kiosk and prints its new token once, alone on the last line;\n"
               "        put it in the kiosk's token_file (only a hash of it is kept here)\n"
               "list    id, area, last heartbeat, queued, rejected, last error\n"
               "revoke  refuses the kiosk's token from now on (401)\n\n"
               "  --area AREA     the area the kiosk stands in (its surveys, its results)\n"
               "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n");
}

/* The rule of ids everywhere: 1..64 of a-z 0-9 _ -. */
static bool cli_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > INGEST_ID_MAX)
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int kiosk_add(storage *st, const char *id, const char *area)
{
    const char *cmd = "buurtkiosk-collector kiosk add";
    char token[TOKEN_TEXT_MAX], hex[65];
    token_new(token, hex);
    bk_err e = storage_kiosk_add(st, id, area ? area : "", hex);
    if (e == BK_ERR_STATE) {
        fprintf(stderr, "%s: a kiosk \"%s\" exists already (revoked ids are not reused)\n", cmd,
                id);
        return 1;
    }
    if (e != BK_OK) {
        cli_report(cmd, "storing the kiosk", e);
        return 1;
    }
    fprintf(stderr,
            "kiosk %s added%s%s. Its token follows, shown this once: put it in the\n"
            "kiosk's [sync] token_file (chmod 600).\n",
            id, area ? " in area " : "", area ? area : "");
    printf("%s\n", token);
    fflush(stdout);
    sodium_memzero(token, sizeof token);
    return 0;
}

static void cli_format_time(int64_t ms, char *buf, size_t size)
{
    if (ms <= 0) {
        snprintf(buf, size, "never");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

static int kiosk_print(const storage_kiosk *k, void *ctx)
{
    int *n = ctx;
    if ((*n)++ == 0)
        printf("%-24s %-16s %-17s %7s %8s  %s\n", "id", "area", "last heartbeat", "queued",
               "rejected", "last error");
    char when[32];
    cli_format_time(k->last_heartbeat_ms, when, sizeof when);
    char queued[24] = "-", rejected[24] = "-";
    if (k->last_heartbeat_ms > 0 && k->queued >= 0)
        snprintf(queued, sizeof queued, "%lld", (long long)k->queued);
    if (k->last_heartbeat_ms > 0 && k->rejected >= 0)
        snprintf(rejected, sizeof rejected, "%lld", (long long)k->rejected);
    printf("%-24s %-16s %-17s %7s %8s  %s%s\n", k->id, k->area[0] ? k->area : "-", when, queued,
           rejected, k->revoked ? "(revoked) " : "", k->last_error);
    return 0;
}

int cli_kiosk(int argc, char **argv)
{
    const char *config_path = CLI_DEFAULT_CONFIG, *area = NULL;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"area", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:a:h", longopts, NULL)) != -1) {
        if (ch == 'c') {
            config_path = optarg;
        } else if (ch == 'a') {
            area = optarg;
        } else if (ch == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    const char *verb = optind < argc ? argv[optind] : NULL;
    const char *id = optind + 1 < argc ? argv[optind + 1] : NULL;
    bool add = verb && strcmp(verb, "add") == 0, list = verb && strcmp(verb, "list") == 0,
         revoke = verb && strcmp(verb, "revoke") == 0;
    int want_args = list ? 1 : 2;
    if (!(add || list || revoke) || argc - optind != want_args || (area && !add)) {
        usage(stderr);
        return 2;
    }
    if (id && !cli_id_valid(id)) {
        fprintf(stderr,
                "buurtkiosk-collector kiosk: \"%s\" is not a valid kiosk id: use 1 to 64 "
                "characters from a-z, 0-9, _ and -\n",
                id);
        return 2;
    }
    if (area && !cli_id_valid(area)) {
        fprintf(stderr,
                "buurtkiosk-collector kiosk: --area \"%s\" is not a valid area id: use 1 "
                "to 64 characters from a-z, 0-9, _ and -\n",
                area);
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    collector_config cfg;
    int rc = cli_load_config("buurtkiosk-collector kiosk", config_path, &cfg);
    if (rc)
        return rc;
    storage *st = cli_open_storage("buurtkiosk-collector kiosk", &cfg, 1);
    if (!st) {
        collector_config_free(&cfg);
        return 1;
    }
    if (add) {
        rc = kiosk_add(st, id, area);
    } else if (list) {
        int n = 0;
        bk_err e = storage_kiosk_foreach(st, kiosk_print, &n);
        if (e != BK_OK) {
            cli_report("buurtkiosk-collector kiosk list", "reading the kiosks", e);
            rc = 1;
        } else if (n == 0) {
            printf("no kiosks yet: add one with `buurtkiosk-collector kiosk add KIOSK_ID`\n");
        }
    } else {
        bk_err e = storage_kiosk_revoke(st, id);
        if (e == BK_ERR_NOT_FOUND) {
            fprintf(stderr, "buurtkiosk-collector kiosk revoke: no kiosk \"%s\"\n", id);
            rc = 1;
        } else if (e != BK_OK) {
            cli_report("buurtkiosk-collector kiosk revoke", "revoking", e);
            rc = 1;
        } else {
            printf("kiosk %s revoked: its token is refused from now on\n", id);
        }
    }
    storage_close(st);
    collector_config_free(&cfg);
    return rc;
}
