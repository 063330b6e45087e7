/* report_xlsx.h: the collector's responses as a real Excel workbook (.xlsx),
 * for the municipality's staff who open exports in Excel: one worksheet per
 * survey, Dutch headers and labels, numbers as numbers, free text always as
 * text (never a formula). The only code that includes libxlsxwriter. The
 * responses come from an export_source (core/export.h), as for the CSV and
 * JSON Lines exports. Exporting only reads.
 *
 * Each worksheet is named by its survey id (cut to Excel's 31 characters,
 * made unique with "~2", "~3", ...). Its header row (bold, frozen) is
 * "Antwoord-id", "Kiosk", "Volgnummer", "Versie", "Taal", "Wijk", "Status",
 * "Begonnen", "Voltooid", "Vlaggen", then one column per question of the
 * survey's definition in definition order, headed by the question's Dutch
 * text (the first language's when the survey has no "nl"); area and info
 * questions have no column. One row per response: a scale, smiley or number
 * answer, the seq and the version as numbers; a choice as the option's
 * Dutch label, several choices as labels joined with ", "; free text as
 * typed. Answers marked hidden (moderated) are left out. Answers to
 * questions the definition does not have, and every answer of a survey
 * without a definition, get a column per question id at the end, headed by
 * the id, with the stored value: a number as a number, anything else as
 * its JSON text. */
#ifndef BK_REPORT_XLSX_H
#define BK_REPORT_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"
#include "survey.h"

/* Writes every response of src started at or after since_wall_ms (all when
 * since_wall_ms <= 0) into an Excel workbook at path, as described above.
 * surveys (may be NULL when n_surveys is 0) are the definitions that name
 * the columns and labels; not owned. Reads the source once; the workbook
 * is built in memory (every cell of the export) and written at the end as
 * path + ".part" (libxlsxwriter's temporary files go to the folder of
 * path), flushed to the disk, then renamed over path; the ".part" file is
 * removed on error and an existing file at path is then left as it was.
 * Returns BK_OK with the number of responses, the file's size and its
 * SHA-256 in *out (may be NULL), BK_ERR_INVALID for a NULL source or path,
 * BK_ERR_IO when the workbook cannot be written (logged with the path and
 * libxlsxwriter's reason), the source's error, BK_ERR_CORRUPT when a stored
 * value is not valid JSON, or BK_ERR_NOMEM. */
bk_err report_xlsx_write_file(const export_source *src, const survey *const *surveys,
                              size_t n_surveys, int64_t since_wall_ms, const char *path,
                              export_result *out);

#endif
