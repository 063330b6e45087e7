/* cli_check.c: `buurtkiosk check SURVEY.json...` */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "survey.h"

int cli_check(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "usage: buurtkiosk check SURVEY.json...\n\n"
                   "Validates survey definitions and lists every problem found.\n"
                   "Exit status: 0 when all files are valid, 1 otherwise.\n");
        return argc < 2 ? 2 : 0;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        bk_diag diag = {0};
        survey *s = survey_load_file(argv[i], &diag);
        if (s) {
            printf("%s: ok (survey \"%s\" version %d, %zu questions)\n", argv[i], s->id, s->version,
                   s->n_questions);
        } else {
            diag_print(&diag, stderr);
            failed = 1;
        }
        survey_free(s);
        diag_clear(&diag);
    }
    return failed;
}
