/* export.h: responses as files for people and programs: CSV for Excel
 * users and JSON Lines with one PROTOCOL.md response object per line, each
 * with a SHA-256 checksum that `sha256sum -c` can check. Shared by the
 * kiosk (staff mode's USB export, `buurtkiosk export`; kiosk/core/
 * store_export.h) and the collector (`buurtkiosk-collector export`): the
 * responses come from an export_source, so one writer serves both stores.
 * Exporting only reads.
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
 * no definition knows get their own columns at the end. A text that starts
 * with '=', '+', '-', '@', TAB or CR gets a "'" in front so a spreadsheet
 * shows it instead of running it as a formula; the JSON Lines file always
 * has the exact text. A source with kiosks (the collector's) puts a
 * kiosk_id column first, and a "kiosk_id" member in each JSON line. */
#ifndef BK_EXPORT_H
#define BK_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "response.h"
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

/* Calls fn for every response the source holds that started at or after
 * since_wall_ms (all when since_wall_ms <= 0), one at a time in a stable
 * order; the row is valid only during the call; fn returns non-zero to
 * stop. Returns the source's error, or BK_OK. */
typedef int (*export_row_fn)(const response_row *row, void *ctx);
typedef struct export_source {
    bk_err (*foreach)(void *src, int64_t since_wall_ms, export_row_fn fn, void *ctx);
    void *src;
    bool with_kiosk; /* rows carry kiosk_id: a kiosk_id column in the CSV */
} export_source;

/* Writes every response of src started at or after since_wall_ms (all when
 * since_wall_ms <= 0), in the source's order, to f in format fmt. surveys
 * (may be NULL when n_surveys is 0) are the definitions that name the CSV
 * columns; not owned. Reads the source twice for CSV (the surveys and the
 * questions answered without a column of their definition, then the
 * rows), once for JSON Lines; constant memory per response.
 * Returns BK_OK with what was written in *out (may be NULL), BK_ERR_IO when
 * writing fails, the source's error, BK_ERR_CORRUPT when a stored value is
 * not valid JSON, or BK_ERR_NOMEM. */
bk_err export_write(const export_source *src, const survey *const *surveys, size_t n_surveys,
                    export_format fmt, int64_t since_wall_ms, FILE *f, export_result *out);

/* Like export_write, into the file at path: written as path + ".part",
 * flushed to the disk (fsync), then renamed over path and the folder
 * synced, so a stick pulled out halfway (or a server that stops) never
 * leaves a file that looks complete. The ".part" file is removed on
 * error. */
bk_err export_write_file(const export_source *src, const survey *const *surveys, size_t n_surveys,
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

/* Parses a date "YYYY-MM-DD" as local midnight, in ms since 1970. Returns
 * BK_ERR_INVALID for anything else (also 2026-02-30). */
bk_err export_parse_date(const char *text, int64_t *out_wall_ms);

#endif
