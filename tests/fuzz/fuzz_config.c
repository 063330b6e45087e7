/* fuzz_config.c: libFuzzer target for the configuration parser
 * (config_load, docs/configuration.md). config_load reads a file, so each
 * input is written to one memfd and read back through /proc/self/fd/N.
 * Checks: a rejected file always has messages, each one line starting with
 * the file name; an accepted one keeps the documented ranges and rules. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "fuzz_check.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The one memfd every input goes through, and its path. */
static int fuzz_fd = -1;
static char fuzz_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_LEVEL_ERROR);
    fuzz_fd = memfd_create("buurtkiosk.ini", MFD_CLOEXEC);
    FUZZ_CHECK(fuzz_fd >= 0, "memfd_create");
    snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
    return 0;
}

static int in_range(long v, long lo, long hi)
{
    return v >= lo && v <= hi;
}

static void check_valid(const bk_config *c)
{
    FUZZ_CHECK(c->path && strcmp(c->path, fuzz_path) == 0, "path");
    FUZZ_CHECK(c->kiosk.id && c->kiosk.id[0] && strlen(c->kiosk.id) <= 64, "kiosk id");
    FUZZ_CHECK(c->kiosk.name, "kiosk name defaults to the id");
    FUZZ_CHECK(c->kiosk.n_languages >= 1 && c->kiosk.n_languages <= CONFIG_MAX_LANGUAGES,
               "languages");
    int found = 0;
    for (size_t i = 0; i < c->kiosk.n_languages; i++) {
        FUZZ_CHECK(c->kiosk.languages[i], "language");
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(strcmp(c->kiosk.languages[i], c->kiosk.languages[k]) != 0, "language twice");
        found |= c->kiosk.default_language &&
                 strcmp(c->kiosk.default_language, c->kiosk.languages[i]) == 0;
    }
    FUZZ_CHECK(found, "default_language is one of languages");
    FUZZ_CHECK(in_range(c->kiosk.idle_timeout_s, 10, 3600), "idle_timeout_s");
    FUZZ_CHECK(c->display.width == 0 || in_range(c->display.width, 320, 8192), "width");
    FUZZ_CHECK(c->display.height == 0 || in_range(c->display.height, 320, 8192), "height");
    FUZZ_CHECK(c->display.dpi == 0 || in_range(c->display.dpi, 50, 600), "dpi");
    FUZZ_CHECK(c->storage.database && c->storage.database[0], "database");
    FUZZ_CHECK(in_range(c->storage.retention_days, 1, 3650), "retention_days");
    FUZZ_CHECK(c->survey.directory && c->survey.active, "survey directory and active");
    FUZZ_CHECK(c->staff.pin_hash, "pin_hash");
    if (c->sync.base_url && c->sync.base_url[0]) {
        size_t n = strlen(c->sync.base_url);
        FUZZ_CHECK(c->sync.base_url[n - 1] != '/', "base_url ends in /");
        FUZZ_CHECK(c->sync.token_file && c->sync.token_file[0], "token_file with base_url");
    }
    FUZZ_CHECK(!c->sync.client_cert == !c->sync.client_key, "client_cert and client_key");
    FUZZ_CHECK(in_range(c->sync.interval_s, 10, 86400), "interval_s");
    FUZZ_CHECK(in_range(c->sync.batch_max, 1, 1000), "batch_max");
    FUZZ_CHECK(c->n_areas <= CONFIG_MAX_AREAS, "areas");
    for (size_t i = 0; i < c->n_areas; i++) {
        const config_area *a = &c->areas[i];
        FUZZ_CHECK(a->id && a->name, "area id and name");
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(strcmp(a->id, c->areas[k].id) != 0, "area twice");
        for (size_t l = 0; l < c->kiosk.n_languages; l++)
            FUZZ_CHECK(config_area_name(c, a->id, c->kiosk.languages[l]), "area name");
    }
    if (c->kiosk.area && c->kiosk.area[0])
        FUZZ_CHECK(config_area_name(c, c->kiosk.area, c->kiosk.languages[0]),
                   "[kiosk] area not declared");
    char *p = config_resolve_path(c, c->storage.database);
    FUZZ_CHECK(p, "config_resolve_path");
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(ftruncate(fuzz_fd, 0) == 0, "ftruncate");
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fuzz_fd, data + done, size - done, (off_t)done);
        FUZZ_CHECK(n > 0, "pwrite");
        done += (size_t)n;
    }
    bk_config cfg;
    bk_diag diag = {0};
    bk_err e = config_load(fuzz_path, &cfg, &diag);
    if (e == BK_OK) {
        FUZZ_CHECK(diag.count == 0, "an accepted configuration with problems reported");
        check_valid(&cfg);
        config_free(&cfg);
    } else {
        FUZZ_CHECK(e == BK_ERR_INVALID || e == BK_ERR_NOMEM, "unexpected error code");
        FUZZ_CHECK(diag.count + diag.dropped > 0, "a rejected configuration without a message");
        FUZZ_CHECK(fuzz_diag_lines_ok(&diag), "a message that is empty or spans lines");
        for (size_t i = 0; i < diag.count; i++)
            FUZZ_CHECK(strncmp(diag.messages[i], fuzz_path, strlen(fuzz_path)) == 0,
                       "a message without the file name");
        FUZZ_CHECK(cfg.path == NULL && cfg.kiosk.id == NULL, "not freed on error");
    }
    diag_clear(&diag);
    return 0;
}
