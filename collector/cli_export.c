/* cli_export.c: `buurtkiosk-collector export --format csv|jsonl|xlsx --out
 * FILE [--area AREA] [--since DATE]`: every counted response the collector
 * holds (quarantined ones and conflicting versions stay out; `status`
 * lists them), written with the kiosk's own exporter (core/export.h), so a
 * kiosk's USB export and the collector's read the same; CSV and JSON Lines
 * are streamed, one response in memory at a time. xlsx is an Excel
 * workbook with a worksheet per survey (collector/report/report_xlsx.h),
 * built in memory and written to a file only. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "export.h"
#include "report_surveys.h"
#include "report_xlsx.h"
#include "survey.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector export --format csv|jsonl|xlsx --out FILE\n"
               "                                   [--area AREA] [--since DATE] [--config FILE]\n\n"
               "Writes every counted response as CSV for Excel (';', UTF-8 with BOM, one\n"
               "row per response, a kiosk_id column, then one column per question), as\n"
               "JSON Lines (one PROTOCOL.md response per line, with \"kiosk_id\") or as an\n"
               "Excel workbook (xlsx: one worksheet per survey, Dutch headers and labels).\n"
               "The file is written as FILE.part and renamed when complete; --out - writes\n"
               "to standard output (not for xlsx). Quarantined responses and conflicts are\n"
               "not exported (see `status`) unless --with-quarantined is given.\n\n"
               "  --area AREA     only responses of this area (the response's own area,\n"
               "                  else its kiosk's)\n"
               "  --since DATE    only responses started on or after DATE (YYYY-MM-DD,\n"
               "                  local midnight)\n"
               "  --with-quarantined  also the quarantined responses (kept, never\n"
               "                  counted: for admins who check them)\n"
               "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n");
}

typedef struct cli_export_src {
    storage *st;
    const char *area;
    bool with_quarantined;
} cli_export_src;

static bk_err cli_export_foreach(void *src, int64_t since_wall_ms, export_row_fn fn, void *ctx)
{
    const cli_export_src *s = src;
    storage_filter filter = {
        .area = s->area, .since_ms = since_wall_ms, .with_quarantined = s->with_quarantined};
    return storage_foreach_response(s->st, &filter, fn, ctx);
}

static void cli_export_missing(void *ctx, const char *survey_id, int version)
{
    fprintf(stderr,
            "%s: no definition of survey %s version %d is held; its columns come from the "
            "answers\n",
            (const char *)ctx, survey_id, version);
}

int cli_export(int argc, char **argv)
{
    const char *cmd = "buurtkiosk-collector export";
    const char *config_path = CLI_DEFAULT_CONFIG, *format = NULL, *out_path = NULL;
    const char *area = NULL, *since_text = NULL;
    bool with_quarantined = false;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},    {"area", required_argument, NULL, 'a'},
        {"since", required_argument, NULL, 's'},  {"with-quarantined", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:f:o:a:s:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'a':
            area = optarg;
            break;
        case 's':
            since_text = optarg;
            break;
        case 'q':
            with_quarantined = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    export_format fmt = EXPORT_CSV;
    if (optind != argc || !format || !out_path) {
        usage(stderr);
        return 2;
    }
    bool xlsx = strcmp(format, "xlsx") == 0;
    if (!xlsx && export_format_parse(format, &fmt) != BK_OK) {
        fprintf(stderr, "%s: --format must be csv, jsonl or xlsx, not \"%s\"\n", cmd, format);
        return 2;
    }
    if (xlsx && strcmp(out_path, "-") == 0) {
        fprintf(stderr,
                "%s: an xlsx workbook cannot be written to standard output (--out -); give a "
                "file name, e.g. --out antwoorden.xlsx\n",
                cmd);
        return 2;
    }
    if (area && !survey_id_valid(area)) {
        fprintf(stderr, "%s: --area must be an area id (a-z, 0-9, _ and -), not \"%s\"\n", cmd,
                area);
        return 2;
    }
    int64_t since = 0;
    if (since_text && export_parse_date(since_text, &since) != BK_OK) {
        fprintf(stderr, "%s: --since must be a date YYYY-MM-DD, not \"%s\"\n", cmd, since_text);
        return 2;
    }

    collector_config cfg;
    if (cli_load_config(cmd, config_path, &cfg) != 0)
        return 2;
    storage *st = cli_open_storage(cmd, &cfg, 1);
    collector_config_free(&cfg);
    if (!st)
        return 1;

    cli_export_src src_data = {.st = st, .area = area, .with_quarantined = with_quarantined};
    export_source src = {.foreach = cli_export_foreach, .src = &src_data, .with_kiosk = true};
    survey *defs[REPORT_MAX_SURVEYS];
    size_t n_defs = xlsx || fmt == EXPORT_CSV ? report_surveys_load(st, with_quarantined, defs,
                                                                    cli_export_missing, (void *)cmd)
                                              : 0;

    export_result res;
    bk_err err;
    if (xlsx)
        err = report_xlsx_write_file(&src, (const survey *const *)defs, n_defs, since, out_path,
                                     &res);
    else if (strcmp(out_path, "-") == 0)
        err = export_write(&src, (const survey *const *)defs, n_defs, fmt, since, stdout, &res);
    else
        err = export_write_file(&src, (const survey *const *)defs, n_defs, fmt, since, out_path,
                                &res);
    int rc = 0;
    if (err != BK_OK) {
        cli_report(cmd, strcmp(out_path, "-") == 0 ? "standard output" : out_path, err);
        rc = 1;
    } else if (strcmp(out_path, "-") != 0) {
        printf("%lld %s written to %s (sha256 %s)\n", (long long)res.n_responses,
               res.n_responses == 1 ? "response" : "responses", out_path, res.sha256);
    }
    for (size_t i = 0; i < n_defs; i++)
        survey_free(defs[i]);
    storage_close(st);
    return rc;
}
