/* ini_areas.c: the shared [areas] section; see ini_areas.h. */
#include "ini_areas.h"

#include <stdlib.h>
#include <string.h>

int ini_areas_find(const ini_area *areas, size_t n, const char *id, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(areas[i].id) == len && memcmp(areas[i].id, id, len) == 0)
            return (int)i;
    return -1;
}

const char *ini_areas_name(const ini_area *a, const char *lang)
{
    for (size_t i = 0; lang && i < a->n_translations; i++)
        if (strcmp(a->lang[i], lang) == 0)
            return a->name_in[i];
    return a->name;
}

/* `id.lang = Name`: a translation of an area declared above. */
static void translation_key(ini_file *ini, ini_area_table *t, const char *name, const char *dot,
                            const char *v, int line)
{
    size_t idlen = (size_t)(dot - name);
    const char *lang = dot + 1;
    if (!ini_lang_valid(lang)) {
        ini_problem(ini, line,
                    "\"%s\": the part after \".\" must be a language code such as \"en\"", name);
        return;
    }
    int a = ini_areas_find(t->areas, *t->n, name, idlen);
    if (a < 0) {
        ini_problem(ini, line, "translation \"%s\" for area \"%.*s\", which is not declared above",
                    name, (int)idlen, name);
        return;
    }
    ini_area *area = &t->areas[a];
    for (size_t i = 0; i < area->n_translations; i++) {
        if (strcmp(area->lang[i], lang) == 0) {
            ini_duplicate_key(ini, line, t->section, name, area->translation_line[i]);
            return;
        }
    }
    if (!*v) {
        ini_problem(ini, line, "\"%s\" has no name", name);
        return;
    }
    if (area->n_translations == INI_AREA_LANGS) {
        ini_problem(ini, line, "area \"%s\" has more than %d translations", area->id,
                    INI_AREA_LANGS);
        return;
    }
    size_t i = area->n_translations;
    area->lang[i] = strdup(lang);
    area->name_in[i] = strdup(v);
    if (!area->lang[i] || !area->name_in[i]) {
        free(area->lang[i]);
        free(area->name_in[i]);
        area->lang[i] = area->name_in[i] = NULL;
        ini_out_of_memory(ini);
        return;
    }
    area->translation_line[i] = line;
    area->n_translations++;
}

void ini_areas_key(ini_file *ini, ini_area_table *t, const char *name, const char *v, int line)
{
    const char *dot = strchr(name, '.');
    if (dot) {
        translation_key(ini, t, name, dot, v, line);
        return;
    }
    if (!ini_id_valid(name)) {
        ini_problem(ini, line, "area id \"%s\" is not valid: use %s", name, INI_ID_RULE);
        return;
    }
    int prev = ini_areas_find(t->areas, *t->n, name, strlen(name));
    if (prev >= 0) {
        ini_duplicate_key(ini, line, t->section, name, t->areas[prev].line);
        return;
    }
    if (!*v) {
        ini_problem(ini, line, "area \"%s\" has no name", name);
        return;
    }
    if (*t->n == t->max) {
        if (!t->too_many)
            ini_problem(ini, line, "too many areas (at most %zu)", t->max);
        t->too_many = true;
        return;
    }
    ini_area *area = &t->areas[*t->n];
    memset(area, 0, sizeof *area);
    area->id = strdup(name);
    area->name = strdup(v);
    if (!area->id || !area->name) {
        free(area->id);
        free(area->name);
        area->id = area->name = NULL;
        ini_out_of_memory(ini);
        return;
    }
    area->line = line;
    (*t->n)++;
}

void ini_areas_free(ini_area *areas, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(areas[i].id);
        free(areas[i].name);
        for (size_t t = 0; t < areas[i].n_translations; t++) {
            free(areas[i].lang[t]);
            free(areas[i].name_in[t]);
        }
    }
}
