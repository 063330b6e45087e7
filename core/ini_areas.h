/* ini_areas.h: the [areas] section both configurations share, the
 * kiosk's (kiosk/core/config.c) and the collector's
 * (collector/collector_config.c): one line `id = Name` per area (an id by
 * INI_ID_RULE) and `id.LANG = Name` for its name in another language. The
 * reader checks ids, language codes, repeats, empty names and the number
 * of areas, and reports each problem at its line. */
#ifndef BK_INI_AREAS_H
#define BK_INI_AREAS_H

#include <stdbool.h>
#include <stddef.h>

#include "ini_file.h"

#define INI_AREA_LANGS 8 /* translations of one area's name at most */

typedef struct ini_area {
    char *id;
    char *name;                    /* the display name (`id = Name`) */
    char *lang[INI_AREA_LANGS];    /* lang code of each translation */
    char *name_in[INI_AREA_LANGS]; /* `id.LANG = Name` translations */
    size_t n_translations;
    int line; /* where `id = Name` was */
    int translation_line[INI_AREA_LANGS];
} ini_area;

/* Where one configuration keeps its areas: an array of max entries (the
 * caller's) and its count. */
typedef struct ini_area_table {
    ini_area *areas;
    size_t *n;
    size_t max;
    int section;   /* the [areas] section's index in the ini_spec */
    bool too_many; /* reported once */
} ini_area_table;

/* Reads one line of [areas] (call it from the section's any_key handler).
 * Problems go to ini at line; the table gets the area or translation. */
void ini_areas_key(ini_file *ini, ini_area_table *t, const char *name, const char *value, int line);

/* The index of the area with this id (len bytes of id), or -1. */
int ini_areas_find(const ini_area *areas, size_t n, const char *id, size_t len);

/* The name of area a in language lang: its translation, else its name. */
const char *ini_areas_name(const ini_area *a, const char *lang);

/* Frees the strings of the n areas. */
void ini_areas_free(ini_area *areas, size_t n);

#endif
