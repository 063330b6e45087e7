/* ini_file.h: a strict INI reader on top of libinih, shared by the kiosk's
 * configuration (kiosk/core/config.c) and the collector's
 * (collector/collector_config.c). (Not "ini.h": that name is libinih's own
 * header.)
 *
 * The caller describes its file as data: the section names, and for each
 * section either a table of known keys or a handler that takes every key
 * (such as the kiosk's [areas], where the keys are area ids). The reader
 * feeds libinih one physical line at a time, so it knows the line of every
 * value, and reports what libinih cannot: a byte order mark is skipped; a
 * NUL byte, invalid UTF-8, an over-long line, a line without "=", an
 * unclosed, repeated or unknown section header, a key outside any section,
 * an unknown or repeated key and a missing required key are problems.
 * Reading always goes on to the end; the problems (the caller's too) are
 * then added to a bk_diag as "FILE:LINE: problem", in line order (in the
 * order found within a line).
 *
 * The small validators below (UTF-8, ids, language codes, whole numbers,
 * booleans, loopback hosts) are the rules both configurations share. */
#ifndef BK_INI_FILE_H
#define BK_INI_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "error.h"

#define INI_FILE_MAX (1024 * 1024) /* bytes in a configuration file */
#define INI_MSG_MAX 1024           /* one problem's text */
#define INI_SECTIONS_MAX 32        /* sections in one ini_spec */
#define INI_KEYS_MAX 128           /* keys in one ini_spec's table */
#define INI_ID_MAX 64              /* characters in an id */
#define INI_ID_RULE "1 to 64 characters from a-z, 0-9, _ and -"

/* The state of one ini_read, handed to every callback. */
typedef struct ini_file ini_file;

/* A key = value line of a section that has a handler (ini_section.any_key):
 * section indexes ini_spec.sections; key is never empty; value is trimmed
 * (inline comments removed); line is the value's line. */
typedef void (*ini_any_key_fn)(ini_file *ini, void *user, int section, const char *key,
                               const char *value, int line);

/* A known key (the first time it appears): key indexes ini_spec.keys. */
typedef void (*ini_key_fn)(ini_file *ini, void *user, int key, const char *value, int line);

/* After the last line, when the file could be read: cross-checks between
 * keys (ini_key_line() says where each was). Not called on a read error. */
typedef void (*ini_finish_fn)(ini_file *ini, void *user);

typedef struct ini_section {
    const char *name; /* without brackets */
    /* NULL: the section's keys are those of ini_spec.keys with this section;
     * others are unknown keys. Set: every key of the section goes here, with
     * no check for unknown or repeated keys (the handler does its own). */
    ini_any_key_fn any_key;
} ini_section;

typedef struct ini_key {
    int section;           /* index into ini_spec.sections */
    const char *name;      /* as written in the file */
    int kind;              /* the caller's own: what kind of value the key takes */
    bool required;         /* missing: "[sec] is missing the required key ..." */
    int64_t min, max, def; /* for whole-number keys (ini_int_key) */
} ini_key;

typedef struct ini_spec {
    const ini_section *sections; /* at most INI_SECTIONS_MAX */
    int n_sections;
    const ini_key *keys; /* at most INI_KEYS_MAX; may be NULL when n_keys is 0 */
    int n_keys;
    ini_key_fn on_key;    /* required when n_keys > 0 */
    ini_finish_fn finish; /* may be NULL */
} ini_spec;

/* Reads the INI file at path as spec describes, calling spec's callbacks
 * with user. Every problem goes to diag (may be NULL) as "FILE:LINE:
 * problem" (FILE = path as given), in line order. Returns BK_OK when
 * nothing was wrong; BK_ERR_IO when the file cannot be opened or read (the
 * message is "FILE: cannot open: ..." or "FILE: cannot read: ..."; problems
 * found before a read error are reported too); BK_ERR_INVALID when there
 * were problems (also for a file larger than INI_FILE_MAX, reported as
 * "FILE: the file is larger than ..."); BK_ERR_NOMEM (also when a callback
 * called ini_out_of_memory). spec is not changed. */
bk_err ini_read(const char *path, const ini_spec *spec, void *user, bk_diag *diag);

/* Records a problem at line (1-based) of the file being read. */
void ini_problem(ini_file *ini, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records "duplicate key \"KEY\" in [SECTION] (first on line FIRST)" at line:
 * for any_key handlers, worded as the reader words its own. */
void ini_duplicate_key(ini_file *ini, int line, int section, const char *key, int first_line);

/* Tells the reader a callback ran out of memory: ini_read stops and
 * returns BK_ERR_NOMEM. */
void ini_out_of_memory(ini_file *ini);

/* The line of key (an index into the spec's keys) or of the first header
 * of section; 0 when absent. */
int ini_key_line(const ini_file *ini, int key);
int ini_section_line(const ini_file *ini, int section);

/* The spec being read (for the names in messages). */
const ini_spec *ini_file_spec(const ini_file *ini);

/* Replaces *field (freed) with a copy of value. Returns the copy, or NULL
 * after ini_out_of_memory (then *field is unchanged). */
char *ini_store_string(ini_file *ini, char **field, const char *value);

/* Checks value against a whole-number key k (k->min..k->max, k->def when
 * the line is removed). Returns true with the number in *out; else
 * reports at line "NAME is empty; give a whole number from MIN to MAX, or
 * remove the line for the default (DEF)" or "NAME must be a whole number
 * from MIN to MAX, not \"VALUE\"" and returns false. */
bool ini_int_key(ini_file *ini, const ini_key *k, const char *value, int line, int64_t *out);

/* Resolves path, a path written in the configuration file config_path,
 * against that file's folder (absolute paths, and any path when
 * config_path has no folder part, unchanged). Returns a new string (caller
 * frees), or NULL when out of memory or when path is NULL or empty. */
char *ini_resolve_path(const char *config_path, const char *path);

/* ---- validators (no ini_file needed) ---- */

/* True when the n bytes at s are valid UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
bool ini_utf8_valid(const unsigned char *s, size_t n);

/* An id: 1 to INI_ID_MAX characters from a-z, 0-9, _ and - (INI_ID_RULE;
 * the rule of survey ids). */
bool ini_id_valid(const char *s);

/* A language code as in survey definitions: 2 or 3 lowercase letters,
 * optionally "-" and 2 to 8 lowercase letters or digits ("nl", "pap",
 * "pt-br"). ini_lang_valid_n checks the n bytes at s. */
bool ini_lang_valid(const char *s);
bool ini_lang_valid_n(const char *s, size_t n);

/* A whole decimal number, optionally with a leading '-', nothing else (no
 * spaces, no '+', no trailing text, within int64_t). Returns true with it in
 * *out; false leaves *out unchanged. */
bool ini_int_value(const char *s, int64_t *out);

/* true/yes/1 or false/no/0, any case. Returns true with it in *out. */
bool ini_bool_value(const char *s, bool *out);

/* True when host names this computer: "localhost" (any case), an IPv4
 * address in 127.0.0.0/8 or the IPv6 address ::1 (any spelling, without
 * brackets). */
bool ini_loopback_host(const char *host);

#endif
