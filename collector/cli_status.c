/* cli_status.c: `buurtkiosk-collector status`: what the collector holds:
 * responses per survey, area and kiosk, and the quarantined responses and
 * conflicting versions that an admin should look at. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define CLI_STATUS_PROBLEMS_SHOWN 20

static void usage(FILE *f)
{
    fprintf(f,
            "usage: buurtkiosk-collector status [--config FILE]\n\n"
            "Counts per survey, area and kiosk (counted responses, quarantined ones,\n"
            "conflicts), then the quarantined responses and conflicts with their\n"
            "reasons (the first %d).\n\n"
            "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n",
            CLI_STATUS_PROBLEMS_SHOWN);
}

typedef struct status_totals {
    int64_t responses, quarantined, conflicts;
    int rows;
} status_totals;

static int print_count(const storage_count_row *row, void *ctx)
{
    status_totals *t = ctx;
    if (t->rows++ == 0)
        printf("%-28s %-16s %-24s %9s %11s %9s\n", "survey (version)", "area", "kiosk", "responses",
               "quarantined", "conflicts");
    char name[INGEST_ID_MAX + 24];
    snprintf(name, sizeof name, "%s (%d)", row->survey_id, row->survey_version);
    printf("%-28s %-16s %-24s %9lld %11lld %9lld\n", name, row->area[0] ? row->area : "-",
           row->kiosk_id, (long long)row->responses, (long long)row->quarantined,
           (long long)row->conflicts);
    t->responses += row->responses;
    t->quarantined += row->quarantined;
    t->conflicts += row->conflicts;
    return 0;
}

static int print_problem(const storage_problem_row *p, void *ctx)
{
    int *n = ctx;
    if (*n == 0)
        printf("\nto look at (kept, never counted):\n");
    if ((*n)++ >= CLI_STATUS_PROBLEMS_SHOWN)
        return 0;
    if (p->reason)
        printf("  %s response %s from %s: %s\n", p->kind, p->response_id, p->kiosk_id, p->reason);
    else
        printf("  %s: response %s from %s came again with other content (batch %s); both "
               "versions are kept\n",
               p->kind, p->response_id, p->kiosk_id, p->batch_id ? p->batch_id : "-");
    return 0;
}

int cli_status(int argc, char **argv)
{
    const char *cmd = "buurtkiosk-collector status";
    const char *config_path;
    int done = cli_config_only(argc, argv, usage, &config_path);
    if (done >= 0)
        return done;
    collector_config cfg;
    int rc = cli_load_config(cmd, config_path, &cfg);
    if (rc)
        return rc;
    storage *st = cli_open_storage(cmd, &cfg, 1);
    if (!st) {
        collector_config_free(&cfg);
        return 1;
    }
    status_totals t = {0};
    bk_err e = storage_counts(st, print_count, &t);
    int problems = 0;
    if (e == BK_OK) {
        if (t.rows == 0)
            printf("no responses yet\n");
        printf("total: %lld responses counted, %lld quarantined, %lld conflicts\n",
               (long long)t.responses, (long long)t.quarantined, (long long)t.conflicts);
        e = storage_foreach_problem(st, print_problem, &problems);
    }
    if (e == BK_OK && problems > CLI_STATUS_PROBLEMS_SHOWN)
        printf("  ... and %d more\n", problems - CLI_STATUS_PROBLEMS_SHOWN);
    if (e != BK_OK) {
        cli_report(cmd, "reading the counts", e);
        rc = 1;
    }
    storage_close(st);
    collector_config_free(&cfg);
    return rc;
}
