/* config.h: the kiosk's INI configuration (config/buurtkiosk.ini, libinih).
 * Unknown sections or keys are errors; every error names file and line.
 * Every key, default and rule: docs/configuration.md. */
#ifndef BK_CONFIG_H
#define BK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "error.h"
#include "ini_areas.h"

#define CONFIG_MAX_LANGUAGES 8
#define CONFIG_MAX_AREAS 64

typedef enum config_mode { CONFIG_MODE_SURVEY, CONFIG_MODE_LIVE } config_mode;
typedef enum config_presenter {
    CONFIG_PRESENTER_AUTO,
    CONFIG_PRESENTER_OFF,
    CONFIG_PRESENTER_ON
} config_presenter;

typedef ini_area config_area; /* core/ini_areas.h */
_Static_assert(INI_AREA_LANGS == CONFIG_MAX_LANGUAGES,
               "an area has a name in each of the kiosk's languages at most");

typedef struct bk_config {
    char *path; /* the file this was read from */
    struct {
        char *id;
        char *name; /* defaults to id */
        char *area; /* NULL or "" when the resident is asked */
        char *languages[CONFIG_MAX_LANGUAGES];
        size_t n_languages;
        char *default_language; /* defaults to languages[0] */
        int idle_timeout_s;     /* default 60 */
        config_mode mode;       /* default survey */
    } kiosk;
    struct {
        bool fullscreen;   /* default true */
        int width, height; /* 0 = the display's native size */
        int dpi;           /* 0 = ask SDL, else 96 */
        config_presenter presenter;
    } display;
    struct {
        char *database;     /* relative paths are relative to the config file */
        int retention_days; /* default 30 */
    } storage;
    struct {
        char *directory; /* relative to the config file */
        char *active;    /* id of the survey shown */
    } survey;
    struct {
        char *base_url;    /* NULL: no sync; never ends in '/' */
        char *token_file;  /* set whenever base_url is */
        char *ca_file;     /* NULL when not set */
        char *client_cert; /* client_cert and client_key: both or neither */
        char *client_key;
        int interval_s; /* default 300 */
        int batch_max;  /* default 100 */
    } sync;
    struct {
        char *pin_hash; /* a crypto_pwhash_str string */
    } staff;
    config_area areas[CONFIG_MAX_AREAS];
    size_t n_areas;
} bk_config;

/* Reads and validates the configuration at path into *out (zeroed first).
 * Every problem goes to diag as "FILE:LINE: problem" (FILE = path as given),
 * in line order. Returns BK_OK, BK_ERR_IO when the file cannot be read (the
 * message is "FILE: cannot ..."), BK_ERR_INVALID, or BK_ERR_NOMEM; *out is
 * freed on error. diag may be NULL. */
bk_err config_load(const char *path, bk_config *out, bk_diag *diag);

/* Frees what cfg owns and zeroes it. NULL is a no-op. */
void config_free(bk_config *cfg);

/* Resolves a path from the configuration relative to the configuration
 * file's directory (absolute paths unchanged). Returns a new string (caller
 * frees), or NULL when out of memory or when path is NULL or empty. */
char *config_resolve_path(const bk_config *cfg, const char *path);

/* The display name of area id in language lang (falls back to the plain
 * name), or NULL when the area is not configured. */
const char *config_area_name(const bk_config *cfg, const char *id, const char *lang);

/* Reads the sync token from cfg->sync.token_file (resolved with
 * config_resolve_path). Refuses (BK_ERR_INVALID, message in diag) a file
 * that group or others can read or write (mode & 077), an empty token, and
 * one with spaces or control characters inside. BK_ERR_IO when the file
 * cannot be opened or read. Returns a new string without surrounding
 * whitespace in *token (caller frees); *token is NULL on error. The token
 * never appears in a message. diag may be NULL. */
bk_err config_read_token(const bk_config *cfg, char **token, bk_diag *diag);

#endif
