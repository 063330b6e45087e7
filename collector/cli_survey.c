/* cli_survey.c: `buurtkiosk-collector survey publish FILE.json [--kiosk ID |
 * --area AREA | --all]`: validates a definition with the kiosk's own
 * validator (core/survey.c, the messages of `buurtkiosk check`), stores it
 * as a new version and makes it the active survey for those kiosks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "survey.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector survey publish FILE.json [--kiosk ID | --area AREA |\n"
               "                                   --all] [--config FILE]\n\n"
               "Validates the survey definition (the same checks and messages as\n"
               "`buurtkiosk check`), stores it, and makes it the active survey of one\n"
               "kiosk, of the kiosks of an area, or of all kiosks (the default: --all).\n"
               "A kiosk gets the survey published to itself before its area's, and its\n"
               "area's before the one for all. Publishing a changed definition needs a\n"
               "higher \"version\": responses name the version they answered.\n\n"
               "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n");
}

/* Reads the file at path whole (a new string, caller frees). */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(SURVEY_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, SURVEY_FILE_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > SURVEY_FILE_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

int cli_survey(int argc, char **argv)
{
    const char *config_path = CLI_DEFAULT_CONFIG, *kiosk = NULL, *area = NULL;
    int all = 0;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"kiosk", required_argument, NULL, 'k'},
        {"area", required_argument, NULL, 'a'},   {"all", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:k:a:Ah", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 'k':
            kiosk = optarg;
            break;
        case 'a':
            area = optarg;
            break;
        case 'A':
            all = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "publish") != 0) {
        usage(stderr);
        return 2;
    }
    if ((kiosk != NULL) + (area != NULL) + all > 1) {
        fprintf(stderr, "buurtkiosk-collector survey publish: give one of --kiosk, --area and "
                        "--all\n");
        return 2;
    }
    const char *file = argv[optind + 1];
    bk_diag diag = {0};
    survey *s = survey_load_file(file, &diag);
    if (!s) {
        diag_print(&diag, stderr);
        diag_clear(&diag);
        return 1;
    }
    diag_clear(&diag);
    char *text = read_text(file);
    if (!text) {
        fprintf(stderr, "buurtkiosk-collector survey publish: %s: cannot read it again\n", file);
        survey_free(s);
        return 1;
    }
    collector_config cfg;
    int cfg_rc = cli_load_config("buurtkiosk-collector survey", config_path, &cfg);
    int rc = cfg_rc;
    storage *st = rc ? NULL : cli_open_storage("buurtkiosk-collector survey", &cfg, 1);
    if (!rc && !st)
        rc = 1;
    if (st) {
        storage_target target = kiosk  ? STORAGE_TARGET_KIOSK
                                : area ? STORAGE_TARGET_AREA
                                       : STORAGE_TARGET_ALL;
        const char *target_id = kiosk ? kiosk : area;
        bk_err e = storage_survey_publish(st, s->id, s->version, text, target, target_id);
        if (e == BK_ERR_STATE) {
            fprintf(stderr,
                    "buurtkiosk-collector survey publish: %s: survey \"%s\" version %d is "
                    "published already with other content; raise \"version\" in the file\n",
                    file, s->id, s->version);
            rc = 1;
        } else if (e != BK_OK) {
            cli_report("buurtkiosk-collector survey publish", "storing the survey", e);
            rc = 1;
        } else {
            printf("%s: survey \"%s\" version %d is the active survey for %s%s%s\n", file, s->id,
                   s->version,
                   kiosk  ? "kiosk "
                   : area ? "area "
                          : "all kiosks",
                   kiosk  ? kiosk
                   : area ? area
                          : "",
                   "");
        }
        storage_close(st);
    }
    if (cfg_rc == 0)
        collector_config_free(&cfg);
    free(text);
    survey_free(s);
    return rc;
}
