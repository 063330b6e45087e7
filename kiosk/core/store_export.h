/* store_export.h: the kiosk's store as an export source (core/export.h),
 * and where staff mode puts an export: a USB stick, as one bundle of CSV,
 * JSON Lines and their checksum file. Used by staff mode and by
 * `buurtkiosk export`. Exporting only reads: it never marks anything as
 * delivered. */
#ifndef BK_STORE_EXPORT_H
#define BK_STORE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"
#include "store.h"
#include "survey.h"

/* The responses of st, in seq order, as an export source (st not owned;
 * valid while st is open). */
export_source store_export_source(store *st);

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

#endif
