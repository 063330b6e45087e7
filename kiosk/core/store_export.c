/* store_export.c: the kiosk's store as an export source, and exports to a
 * USB stick; see store_export.h. */
#include "store_export.h"

#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static bk_err store_export_foreach(void *src, int64_t since_wall_ms, export_row_fn fn, void *ctx)
{
    return store_foreach_response(src, 0, since_wall_ms, fn, ctx);
}

export_source store_export_source(store *st)
{
    return (export_source){.foreach = store_export_foreach, .src = st};
}

bk_err export_find_mount(const char *mounts_file, const char *const *prefixes, size_t n_prefixes,
                         char *out, size_t size)
{
    if (size)
        out[0] = '\0';
    FILE *f = setmntent(mounts_file, "r");
    if (!f)
        return BK_ERR_IO;
    bk_err err = BK_ERR_NOT_FOUND;
    struct mntent *m;
    while (err == BK_ERR_NOT_FOUND && (m = getmntent(f))) {
        for (size_t i = 0; i < n_prefixes; i++) {
            size_t len = strlen(prefixes[i]);
            while (len > 1 && prefixes[i][len - 1] == '/')
                len--;
            if (strncmp(m->mnt_dir, prefixes[i], len) != 0 || m->mnt_dir[len] != '/' ||
                !m->mnt_dir[len + 1])
                continue;
            if (hasmntopt(m, "ro") || access(m->mnt_dir, W_OK) != 0)
                continue;
            if (strlen(m->mnt_dir) >= size)
                continue;
            snprintf(out, size, "%s", m->mnt_dir);
            err = BK_OK;
            break;
        }
    }
    endmntent(f);
    return err;
}

bk_err export_find_target(char *out, size_t size)
{
    const char *env = getenv("BK_EXPORT_DIR");
    if (env && env[0]) {
        struct stat sb;
        if (strlen(env) >= size || stat(env, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
            access(env, W_OK) != 0)
            return BK_ERR_NOT_FOUND;
        snprintf(out, size, "%s", env);
        return BK_OK;
    }
    static const char *const prefixes[] = {"/media", "/run/media"};
    return export_find_mount("/proc/mounts", prefixes, 2, out, size);
}

bk_err export_bundle_write(store *st, const survey *const *surveys, size_t n_surveys,
                           const char *dir, const char *kiosk_id, int64_t wall_ms,
                           export_bundle *out)
{
    memset(out, 0, sizeof *out);
    if (!dir || !kiosk_id || strlen(dir) >= sizeof out->dir - 300)
        return BK_ERR_INVALID;
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char base[160];
    snprintf(base, sizeof base, "buurtkiosk-%.64s-%s", kiosk_id, stamp);
    snprintf(out->csv_name, sizeof out->csv_name, "%s.csv", base);
    snprintf(out->jsonl_name, sizeof out->jsonl_name, "%s.jsonl", base);
    snprintf(out->sums_name, sizeof out->sums_name, "%s.sha256", base);

    char path[EXPORT_PATH_MAX + 300];
    export_result csv, jsonl;
    export_source src = store_export_source(st);
    snprintf(path, sizeof path, "%s/%s", dir, out->csv_name);
    bk_err err = export_write_file(&src, surveys, n_surveys, EXPORT_CSV, 0, path, &csv);
    if (err != BK_OK)
        return err;
    snprintf(path, sizeof path, "%s/%s", dir, out->jsonl_name);
    err = export_write_file(&src, surveys, n_surveys, EXPORT_JSONL, 0, path, &jsonl);
    if (err != BK_OK)
        return err;
    const char *names[2] = {out->csv_name, out->jsonl_name};
    const char *sums[2] = {csv.sha256, jsonl.sha256};
    snprintf(path, sizeof path, "%s/%s", dir, out->sums_name);
    err = export_write_checksums(path, names, sums, 2);
    if (err != BK_OK)
        return err;
    out->n_responses = csv.n_responses;
    log_info("export", "%lld responses exported to %s/%s (.csv, .jsonl, .sha256)",
             (long long)csv.n_responses, dir, base);
    return BK_OK;
}
