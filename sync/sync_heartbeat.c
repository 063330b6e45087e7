/* sync_heartbeat.c: POST /v1/kiosks/{id}/status after every pass, so staff
 * can see which kiosks are offline or stuck. Its failure is reported but
 * blocks nothing. */
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "sync_private.h"

/* Free space in MiB on the file system of the database, or -1. */
static long long disk_free_mb(const char *db_path)
{
    if (!db_path)
        return -1;
    char *copy = strdup(db_path);
    if (!copy)
        return -1;
    struct statvfs sv;
    int rc = statvfs(dirname(copy), &sv);
    free(copy);
    if (rc != 0)
        return -1;
    return (long long)((unsigned long long)sv.f_bavail * sv.f_frsize / (1024ull * 1024ull));
}

/* The heartbeat body (new string, caller frees), or NULL when out of memory. */
static char *heartbeat_body(sync_client *c, const sync_pass_result *pass)
{
    char when[40];
    int64_t now_mono = clock_mono_ms(&c->opt.clock);
    int64_t uptime = (now_mono - c->opt.process_start_mono_ms) / 1000;
    store_counts n;
    memset(&n, 0, sizeof n);
    bool counted = c->st && store_count(c->st, &n) == BK_OK;

    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "kiosk_id", json_string(c->set.kiosk_id));
    json_object_set_new(o, "version", json_string(BK_VERSION));
    json_object_set_new(o, "uptime_s", json_integer(uptime > 0 ? uptime : 0));
    json_object_set_new(o, "queued", counted ? json_integer(n.queued) : json_null());
    json_object_set_new(o, "rejected", counted ? json_integer(n.rejected) : json_null());

    pthread_mutex_lock(&c->mu);
    int64_t last_ok = c->status.last_ok_wall_ms;
    char *shown = c->shown_id ? strdup(c->shown_id) : NULL;
    int shown_version = c->shown_version;
    pthread_mutex_unlock(&c->mu);
    if (last_ok > 0)
        json_object_set_new(o, "last_sync_ok_at",
                            json_string(clock_format_rfc3339(last_ok, when, sizeof when)));
    else
        json_object_set_new(o, "last_sync_ok_at", json_null());
    if (pass->error != SYNC_ERROR_NONE) {
        char text[SYNC_DETAIL_MAX + 64];
        snprintf(text, sizeof text, "%s: %s", sync_error_title(pass->error, "nl"), pass->detail);
        sync_text_clean(text); /* json_string refuses invalid UTF-8 */
        json_object_set_new(o, "last_error", json_string(text));
    } else {
        json_object_set_new(o, "last_error", json_null());
    }
    if (shown) {
        json_object_set_new(o, "survey_id", json_string(shown));
        json_object_set_new(o, "survey_version", json_integer(shown_version));
    } else if (c->bundle_survey_id) {
        json_object_set_new(o, "survey_id", json_string(c->bundle_survey_id));
        json_object_set_new(o, "survey_version", json_integer(c->bundle_survey_version));
    } else {
        json_object_set_new(o, "survey_id",
                            c->set.config_survey ? json_string(c->set.config_survey) : json_null());
        json_object_set_new(o, "survey_version", json_null());
    }
    free(shown);
    long long mb = disk_free_mb(c->db_path);
    json_object_set_new(o, "disk_free_mb", mb >= 0 ? json_integer(mb) : json_null());
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return body;
}

void sync_heartbeat_send(sync_client *c, const sync_pass_result *pass, sync_pass_result *r)
{
    char path[512] = "/v1/kiosks/";
    if (!sync_url_append_escaped(path, sizeof path, c->set.kiosk_id) ||
        strlen(path) + strlen("/status") + 1 > sizeof path) {
        r->error = SYNC_ERROR_CONFIG;
        sync_set_text(r->detail, sizeof r->detail, "kiosk id too long for a URL");
        return;
    }
    strcat(path, "/status");
    char *url = sync_client_url(c, path);
    char *body = heartbeat_body(c, pass);
    if (!url || !body) {
        free(url);
        free(body);
        r->error = SYNC_ERROR_STORE;
        sync_set_text(r->detail, sizeof r->detail, "out of memory");
        return;
    }
    sync_http_request req = {
        .method = "POST",
        .url = url,
        .token = c->token,
        .headers = {"Content-Type: application/json"},
        .n_headers = 1,
        .body = body,
        .body_len = strlen(body),
        .max_response = SYNC_BATCH_RESPONSE_MAX,
    };
    sync_http_response resp;
    memset(&resp, 0, sizeof resp);
    c->tr.send(c->tr.ctx, &req, &resp);
    free(url);
    free(body);
    if (resp.err != BK_OK) {
        sync_result_from_transport(&resp, r);
    } else if (resp.status == 401 || resp.status == 403) {
        r->error = SYNC_ERROR_AUTH;
        sync_set_text(r->detail, sizeof r->detail, "HTTP %ld", resp.status);
    } else if (resp.status < 200 || resp.status > 299) {
        r->error = SYNC_ERROR_SERVER;
        sync_set_text(r->detail, sizeof r->detail, "HTTP %ld", resp.status);
    }
    sync_http_response_free(&resp);
}
