/* cli_import.c: `buurtkiosk-collector import FILE.jsonl [--kiosk ID]`: a
 * kiosk's USB export (staff mode: buurtkiosk-KIOSK-YYYYMMDD-HHMMSS.jsonl
 * and, beside it, the .sha256 file) taken in under the same exactly-once
 * rules as an upload: the file's checksum is checked first, every line is
 * checked before anything is stored, and a response that arrives again
 * later by sync is a duplicate. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "receive.h"
#include "uuid.h"

#define CLI_IMPORT_LINE_MAX (16 * 1024 * 1024) /* bytes in one line */

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector import FILE.jsonl [--kiosk ID] [--config FILE]\n\n"
               "Takes in a kiosk's USB export: the JSON Lines file and, beside it, its\n"
               "SHA-256 file (same name with .sha256 for .jsonl, or FILE.jsonl.sha256),\n"
               "which is checked first. Every line is\n"
               "checked before anything is stored; responses the collector already holds\n"
               "(by sync or an earlier import) count as duplicates.\n\n"
               "  --kiosk ID      the kiosk the file came from (default: from the file name,\n"
               "                  buurtkiosk-KIOSK-YYYYMMDD-HHMMSS.jsonl); it must be a kiosk\n"
               "                  of this collector (kiosk add)\n"
               "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n");
}

/* The kiosk id in "buurtkiosk-KIOSK-YYYYMMDD-HHMMSS.jsonl", into out. */
static bool kiosk_from_name(const char *base, char *out, size_t size)
{
    const char *prefix = "buurtkiosk-", *suffix = "-YYYYMMDD-HHMMSS.jsonl";
    size_t n = strlen(base), p = strlen(prefix), s = strlen(suffix);
    if (n <= p + s || strncmp(base, prefix, p) != 0 || strcmp(base + n - 6, ".jsonl") != 0)
        return false;
    size_t id_len = n - p - s;
    if (id_len >= size)
        return false;
    memcpy(out, base + p, id_len);
    out[id_len] = '\0';
    return true;
}

/* Checks path against the checksum file beside it. Returns 0 or prints
 * why and returns 1. */
static int check_sha256(const char *cmd, const char *path)
{
    /* Staff mode writes NAME.sha256 beside NAME.jsonl and NAME.csv;
     * `buurtkiosk export --out FILE` writes FILE.sha256. */
    size_t n = strlen(path);
    char *staff = malloc(n + 8), *plain = malloc(n + 8), *copy = strdup(path);
    if (!staff || !plain || !copy) {
        free(staff);
        free(plain);
        free(copy);
        return 1;
    }
    snprintf(staff, n + 8, "%.*s.sha256", (int)(n - strlen(".jsonl")), path);
    snprintf(plain, n + 8, "%s.sha256", path);
    const char *base = basename(copy), *sums = staff;
    FILE *f = fopen(staff, "r");
    if (!f) {
        sums = plain;
        f = fopen(plain, "r");
    }
    if (!f) {
        fprintf(stderr,
                "%s: %s: the checksum file %s (or %s.sha256) is missing; copy it from the "
                "stick too\n",
                cmd, path, staff, base);
        free(staff);
        free(plain);
        free(copy);
        return 1;
    }
    char line[1024], want[EXPORT_SHA256_HEX] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *sep = strstr(line, "  ");
        if (sep && sep - line == 64 && strcmp(sep + 2, base) == 0) {
            memcpy(want, line, 64);
            want[64] = '\0';
        }
    }
    fclose(f);
    int rc = 0;
    char have[EXPORT_SHA256_HEX];
    if (!want[0]) {
        fprintf(stderr, "%s: %s does not list %s\n", cmd, sums, base);
        rc = 1;
    } else if (export_sha256_file(path, have) != BK_OK) {
        fprintf(stderr, "%s: %s cannot be read\n", cmd, path);
        rc = 1;
    } else if (strcmp(have, want) != 0) {
        fprintf(stderr,
                "%s: %s does not match its checksum in %s: the file is damaged or "
                "changed; nothing imported\n",
                cmd, path, sums);
        rc = 1;
    }
    free(staff);
    free(plain);
    free(copy);
    return rc;
}

typedef struct import_state {
    const char *cmd, *path;
    receiver *rx;
    const char *kiosk_id;
    ingest_batch chunk;
    size_t chunk_max;
    storage_batch_result total;
} import_state;

/* Stores the responses gathered in s->chunk as one batch. */
static bk_err import_flush(import_state *s)
{
    if (s->chunk.n_responses == 0)
        return BK_OK;
    bk_uuid_v4(s->chunk.batch_id);
    snprintf(s->chunk.kiosk_id, sizeof s->chunk.kiosk_id, "%s", s->kiosk_id);
    storage_batch_result r = {0};
    bk_err e = receive_batch(s->rx, s->kiosk_id, &s->chunk, &r);
    if (e == BK_OK) {
        s->total.accepted += r.accepted;
        s->total.duplicates += r.duplicates;
        s->total.conflicts += r.conflicts;
        s->total.quarantined += r.quarantined;
    }
    ingest_batch_clear(&s->chunk);
    s->chunk.responses = calloc(s->chunk_max, sizeof *s->chunk.responses);
    if (e == BK_OK && !s->chunk.responses)
        e = BK_ERR_NOMEM;
    return e;
}

/* Reads the file; with store false only checks every line, else stores
 * them in chunks. Returns 0, or 1 after printing the problems. */
static int import_pass(import_state *s, bool store)
{
    FILE *f = fopen(s->path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s cannot be opened\n", s->cmd, s->path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0, bad = 0;
    int rc = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (got && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0)
            continue;
        char msg[INGEST_MSG_MAX];
        ingest_response r;
        ingest_verdict v = got > CLI_IMPORT_LINE_MAX
                               ? INGEST_INVALID
                               : ingest_response_parse(line, (size_t)got, &r, msg);
        if (got > CLI_IMPORT_LINE_MAX)
            snprintf(msg, sizeof msg, "the line is longer than %d bytes", CLI_IMPORT_LINE_MAX);
        if (v != INGEST_OK) {
            if (bad++ < 20)
                fprintf(stderr, "%s:%ld: %s\n", s->path, lineno, msg);
            continue;
        }
        if (!store) {
            ingest_response_clear(&r);
            continue;
        }
        s->chunk.responses[s->chunk.n_responses++] = r;
        if (s->chunk.n_responses == s->chunk_max) {
            bk_err e = import_flush(s);
            if (e != BK_OK) {
                cli_report(s->cmd, "storing", e);
                rc = 1;
                break;
            }
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: %s: reading failed\n", s->cmd, s->path);
        rc = 1;
    }
    free(line);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: %s: %ld line%s not valid; nothing imported\n", s->cmd, s->path, bad,
                bad == 1 ? " is" : "s are");
        rc = 1;
    }
    if (store && rc == 0) {
        bk_err e = import_flush(s);
        if (e != BK_OK) {
            cli_report(s->cmd, "storing", e);
            rc = 1;
        }
    }
    return rc;
}

int cli_import(int argc, char **argv)
{
    const char *cmd = "buurtkiosk-collector import";
    const char *config_path = CLI_DEFAULT_CONFIG, *kiosk_arg = NULL;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"kiosk", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:k:h", longopts, NULL)) != -1) {
        if (ch == 'c') {
            config_path = optarg;
        } else if (ch == 'k') {
            kiosk_arg = optarg;
        } else if (ch == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[optind];
    size_t n = strlen(path);
    if (n < 7 || strcmp(path + n - 6, ".jsonl") != 0) {
        fprintf(stderr, "%s: %s: give the .jsonl file of the export\n", cmd, path);
        return 2;
    }
    char kiosk_id[INGEST_ID_MAX + 1];
    char *copy = strdup(path);
    bool named = copy && kiosk_from_name(basename(copy), kiosk_id, sizeof kiosk_id);
    free(copy);
    if (kiosk_arg)
        snprintf(kiosk_id, sizeof kiosk_id, "%s", kiosk_arg);
    else if (!named) {
        fprintf(stderr, "%s: %s: the file name does not name the kiosk; give --kiosk ID\n", cmd,
                path);
        return 2;
    }
    if (check_sha256(cmd, path))
        return 1;

    collector_config cfg;
    int rc = cli_load_config(cmd, config_path, &cfg);
    if (rc)
        return rc;
    storage *st = cli_open_storage(cmd, &cfg, 1);
    receiver *rx = st ? receive_create(st) : NULL;
    storage_kiosk k;
    bk_err e = rx ? storage_kiosk_get(st, kiosk_id, &k) : BK_ERR_NOMEM;
    if (!st) {
        rc = 1;
    } else if (e == BK_ERR_NOT_FOUND) {
        fprintf(stderr, "%s: no kiosk \"%s\" at this collector: add it with `kiosk add %s`\n", cmd,
                kiosk_id, kiosk_id);
        rc = 1;
    } else if (e != BK_OK) {
        cli_report(cmd, "reading the kiosk", e);
        rc = 1;
    } else {
        import_state s = {
            .cmd = cmd,
            .path = path,
            .rx = rx,
            .kiosk_id = kiosk_id,
            .chunk_max = (size_t)cfg.limits.max_responses,
        };
        rc = import_pass(&s, false);
        if (rc == 0) {
            s.chunk.responses = calloc(s.chunk_max, sizeof *s.chunk.responses);
            rc = s.chunk.responses ? import_pass(&s, true) : 1;
        }
        ingest_batch_clear(&s.chunk);
        if (rc == 0)
            printf("%s: %d new (%d quarantined), %d duplicates, %d conflicts, from kiosk %s\n",
                   path, s.total.accepted, s.total.quarantined, s.total.duplicates,
                   s.total.conflicts, kiosk_id);
    }
    receive_destroy(rx);
    storage_close(st);
    collector_config_free(&cfg);
    return rc;
}
