/* export.h: the responses in the kiosk's store as files for people and
 * programs, without a network: CSV for Excel users and JSON Lines with one
 * PROTOCOL.md response object per line, each with a SHA-256 checksum that
 * `sha256sum -c` can check. Used by staff mode (to a USB stick) and by
 * `buurtkiosk export`. Exporting only reads: it never marks anything as
 * delivered.
 *
 * CSV (docs/staff.md): UTF-8 with a byte order mark, ';' between fields,
 * CRLF after each row, RFC 4180 quoting (a field with ';', '"', CR or LF is
 * put in double quotes, and '"' inside is doubled). One row per response:
 * response_id, seq, survey_id, survey_version, mode, status, language,
 * area, started_at, completed_at, flags (joined with '|'), then one column
 * per question of the surveys in the file (definition order; the area and
 * info questions have none): a scale, smiley or number as the number, one
 * choice as the option id, several choices as option ids joined with '|',
 * free text as typed. A question id used by more than one survey gets a
 * column per survey, headed "survey_id.question_id". Answers to questions
 * no installed definition knows get their own columns at the end. A text
 * that starts with '=', '+', '-', '@', TAB or CR gets a "'" in front so a
 * spreadsheet shows it instead of running it as a formula; the JSON Lines
 * file always has the exact text. */
#ifndef BK_EXPORT_H
#define BK_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "store.h"
#include "survey.h"

#define EXPORT_SHA256_HEX 65 /* 64 hex digits and NUL */
#define EXPORT_PATH_MAX 4096
#define EXPORT_MAX_COLUMNS 4096

typedef enum export_format { EXPORT_CSV, EXPORT_JSONL } export_format;

/* What one export wrote. */
typedef struct export_result {
    int64_t n_responses;
    uint64_t bytes;
    char sha256[EXPORT_SHA256_HEX]; /* of everything written, lower-case hex */
} export_result;

/* Parses "csv" or "jsonl"; BK_ERR_INVALID for anything else. */
bk_err export_format_parse(const char *name, export_format *out);

/* The file name extension of fmt, without the dot: "csv" or "jsonl". */
const char *export_format_ext(export_format fmt);

/* Writes every response of st started at or after since_wall_ms (all when
 * since_wall_ms <= 0), in seq order, to f in format fmt. surveys (may be
 * NULL when n_surveys is 0) are the definitions that name the CSV columns;
 * not owned. Reads the store twice for CSV (columns, then rows), once for
 * JSON Lines; constant memory per response. Returns BK_OK with what was
 * written in *out (may be NULL), BK_ERR_IO when writing fails, the store's
 * error, BK_ERR_CORRUPT when a stored value is not valid JSON, or
 * BK_ERR_NOMEM. */
bk_err export_write(store *st, const survey *const *surveys, size_t n_surveys, export_format fmt,
                    int64_t since_wall_ms, FILE *f, export_result *out);

/* Like export_write, into the file at path: written as path + ".part",
 * flushed to the disk (fsync), then renamed over path and the folder
 * synced, so a stick pulled out halfway never holds a file that looks
 * complete. The ".part" file is removed on error. */
bk_err export_write_file(store *st, const survey *const *surveys, size_t n_surveys,
                         export_format fmt, int64_t since_wall_ms, const char *path,
                         export_result *out);

/* Writes a checksum file at path (the same way: ".part", fsync, rename):
 * one line "HEX  NAME\n" for each of the n files, as sha256sum writes it.
 * names are file names relative to the checksum file's folder. */
bk_err export_write_checksums(const char *path, const char *const *names,
                              const char *const *sha256_hex, size_t n);

/* The SHA-256 of the file at path as lower-case hex in hex. BK_ERR_IO when
 * it cannot be read. */
bk_err export_sha256_file(const char *path, char hex[EXPORT_SHA256_HEX]);

/* Finds where an export goes: the first mount point listed in the mounts
 * file (e.g. "/proc/mounts"; read with getmntent) that lies under one of
 * the n_prefixes folders (e.g. "/media", "/run/media"), is not mounted
 * read-only and is writable by this process. Returns BK_OK and the folder
 * in out, BK_ERR_NOT_FOUND when there is none, BK_ERR_IO when the mounts
 * file cannot be read. */
bk_err export_find_mount(const char *mounts_file, const char *const *prefixes, size_t n_prefixes,
                         char *out, size_t size);

/* Where staff mode exports to: the folder in the environment variable
 * BK_EXPORT_DIR when it is set and not empty (for tests and for kiosks
 * that mount sticks elsewhere; it must exist and be writable, else
 * BK_ERR_NOT_FOUND), else the first writable USB stick under /media or
 * /run/media (export_find_mount on /proc/mounts). */
bk_err export_find_target(char *out, size_t size);

/* The files of one export to a folder (staff mode). */
typedef struct export_bundle {
    char dir[EXPORT_PATH_MAX];
    char csv_name[256], jsonl_name[256], sums_name[256]; /* in dir */
    int64_t n_responses;
} export_bundle;

/* Writes every response of st to dir as
 * buurtkiosk-KIOSK-YYYYMMDD-HHMMSS.csv and .jsonl (local time of wall_ms)
 * and the checksum file .sha256 of both. Returns BK_OK and the names in
 * *out, or the first error (files already finished stay). */
bk_err export_bundle_write(store *st, const survey *const *surveys, size_t n_surveys,
                           const char *dir, const char *kiosk_id, int64_t wall_ms,
                           export_bundle *out);

/* Parses a date "YYYY-MM-DD" as local midnight, in ms since 1970. Returns
 * BK_ERR_INVALID for anything else (also 2026-02-30). */
bk_err export_parse_date(const char *text, int64_t *out_wall_ms);

#endif
