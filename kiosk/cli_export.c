/* cli_export.c: `buurtkiosk export [--config FILE] [--db FILE]
 * --format csv|jsonl --out FILE [--since DATE]`: the kiosk's responses as
 * a CSV or JSON Lines file (the same files staff mode writes to a USB
 * stick; format in docs/staff.md), plus FILE.sha256 for `sha256sum -c`.
 * Only reads: nothing is marked as delivered. Exit status: 0 written, 1
 * reading or writing failed, 2 usage or configuration. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "store_export.h"
#include "store.h"
#include "survey.h"
#include "sync.h"

#define CLI_EXPORT_DEFAULT_CONFIG "config/buurtkiosk.ini"
#define CLI_EXPORT_MAX_SURVEYS 256

static void usage(FILE *f)
{
    fprintf(f,
            "usage: buurtkiosk export [--config FILE] [--db FILE] --format csv|jsonl\n"
            "                         --out FILE [--since DATE]\n\n"
            "Writes the responses stored on this kiosk to FILE, and FILE.sha256 with its\n"
            "checksum (check it with `sha256sum -c FILE.sha256`). Nothing is marked as\n"
            "sent: an export never changes what the kiosk still has to send.\n\n"
            "  --config FILE   configuration (default " CLI_EXPORT_DEFAULT_CONFIG ")\n"
            "  --db FILE       database (default: [storage] database)\n"
            "  --format csv    for Excel: UTF-8 with BOM, ';' between fields, one row per\n"
            "                  response, one column per question\n"
            "  --format jsonl  one response per line as in PROTOCOL.md\n"
            "  --out FILE      where to write; '-' writes to standard output (no checksum file)\n"
            "  --since DATE    only responses started on or after DATE (YYYY-MM-DD, from\n"
            "                  midnight local time)\n");
}

/* The surveys that name the CSV columns: the configured folder, with the
 * last downloaded bundle on top (same id: the download wins). */
static size_t load_surveys(const bk_config *cfg, store *st, survey_catalog **cat, survey ***bundle,
                           size_t *n_bundle, const survey **out, size_t max)
{
    size_t n = 0;
    char *dir = config_resolve_path(cfg, cfg->survey.directory);
    bk_diag diag = {0};
    if (!dir || survey_catalog_load(dir, cat, &diag) != BK_OK)
        *cat = NULL;
    diag_clear(&diag);
    free(dir);
    char *active = NULL;
    if (sync_surveys_from_store(st, bundle, n_bundle, &active, NULL) != BK_OK) {
        *bundle = NULL;
        *n_bundle = 0;
    }
    free(active);
    for (size_t i = 0; i < *n_bundle && n < max; i++)
        out[n++] = (*bundle)[i];
    for (size_t i = 0; i < survey_catalog_count(*cat) && n < max; i++) {
        const survey *s = survey_catalog_at(*cat, i);
        bool shadowed = false;
        for (size_t k = 0; k < *n_bundle; k++)
            shadowed = shadowed || strcmp((*bundle)[k]->id, s->id) == 0;
        if (!shadowed)
            out[n++] = s;
    }
    return n;
}

int cli_export(int argc, char **argv)
{
    const char *config_path = CLI_EXPORT_DEFAULT_CONFIG, *db_arg = NULL, *format = NULL,
               *out_path = NULL, *since_arg = NULL;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"since", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            db_arg = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 's':
            since_arg = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "buurtkiosk export: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    export_format fmt;
    if (!format || export_format_parse(format, &fmt) != BK_OK) {
        fprintf(stderr, "buurtkiosk export: --format wants csv or jsonl\n");
        return 2;
    }
    if (!out_path || !out_path[0]) {
        fprintf(stderr, "buurtkiosk export: --out FILE is missing\n");
        return 2;
    }
    int64_t since = 0;
    if (since_arg && export_parse_date(since_arg, &since) != BK_OK) {
        fprintf(stderr, "buurtkiosk export: --since wants a date as YYYY-MM-DD, e.g. 2026-11-29\n");
        return 2;
    }

    bk_diag diag = {0};
    bk_config cfg;
    if (config_load(config_path, &cfg, &diag) != BK_OK) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        return 2;
    }
    diag_clear(&diag);
    char *db_path = db_arg ? strdup(db_arg) : config_resolve_path(&cfg, cfg.storage.database);
    bk_clock clock = clock_system();
    store *st = NULL;
    bk_err err = db_path ? store_open(db_path, &clock, &st, NULL) : BK_ERR_NOMEM;
    if (err != BK_OK) {
        fprintf(stderr, "buurtkiosk export: cannot open the database %s: %s\n",
                db_path ? db_path : "?", bk_err_str(err));
        free(db_path);
        config_free(&cfg);
        return 1;
    }
    survey_catalog *cat = NULL;
    survey **bundle = NULL;
    size_t n_bundle = 0;
    const survey *surveys[CLI_EXPORT_MAX_SURVEYS];
    size_t n_surveys =
        load_surveys(&cfg, st, &cat, &bundle, &n_bundle, surveys, CLI_EXPORT_MAX_SURVEYS);

    export_result res;
    export_source src = store_export_source(st);
    int rc = 0;
    if (strcmp(out_path, "-") == 0) {
        err = export_write(&src, surveys, n_surveys, fmt, since, stdout, &res);
    } else {
        err = export_write_file(&src, surveys, n_surveys, fmt, since, out_path, &res);
        if (err == BK_OK) {
            char sums[EXPORT_PATH_MAX + 8];
            snprintf(sums, sizeof sums, "%s.sha256", out_path);
            const char *slash = strrchr(out_path, '/');
            const char *name = slash ? slash + 1 : out_path;
            const char *hex = res.sha256;
            err = export_write_checksums(sums, &name, &hex, 1);
        }
    }
    if (err != BK_OK) {
        fprintf(stderr, "buurtkiosk export: writing %s failed: %s\n", out_path, bk_err_str(err));
        rc = 1;
    } else {
        fprintf(stderr, "buurtkiosk export: %lld responses written to %s (sha256 %s)\n",
                (long long)res.n_responses, out_path, res.sha256);
    }
    survey_catalog_free(cat);
    sync_surveys_free(bundle, n_bundle);
    store_close(st);
    free(db_path);
    config_free(&cfg);
    return rc;
}
