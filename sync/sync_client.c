/* sync_client.c: what every pass needs (settings copied from the
 * configuration, the transport, the store connection, the status), the
 * option defaults, and the staff texts of the error categories. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sync_private.h"

/* ---- Error titles ---- */

static const char *const titles_nl[SYNC_ERROR_COUNT] = {
    [SYNC_ERROR_NONE] = "Geen problemen",
    [SYNC_ERROR_NETWORK] = "Geen verbinding met de server",
    [SYNC_ERROR_TLS] = "Certificaat klopt niet",
    [SYNC_ERROR_AUTH] = "Toegang geweigerd (token)",
    [SYNC_ERROR_REJECTED] = "Server weigert de gegevens",
    [SYNC_ERROR_SERVER] = "Server heeft een storing",
    [SYNC_ERROR_SURVEY] = "Ongeldige enquête ontvangen",
    [SYNC_ERROR_CONFIG] = "Instellingen voor verzenden kloppen niet",
    [SYNC_ERROR_STORE] = "Opslag van de kiosk geeft een fout",
};

static const char *const titles_en[SYNC_ERROR_COUNT] = {
    [SYNC_ERROR_NONE] = "No problems",
    [SYNC_ERROR_NETWORK] = "No connection to the server",
    [SYNC_ERROR_TLS] = "Certificate is not right",
    [SYNC_ERROR_AUTH] = "Access refused (token)",
    [SYNC_ERROR_REJECTED] = "Server refuses the data",
    [SYNC_ERROR_SERVER] = "Server has a fault",
    [SYNC_ERROR_SURVEY] = "Invalid survey received",
    [SYNC_ERROR_CONFIG] = "Sync settings are not right",
    [SYNC_ERROR_STORE] = "The kiosk's storage reports an error",
};

const char *sync_error_title(sync_error e, const char *lang)
{
    if ((int)e < 0 || e >= SYNC_ERROR_COUNT)
        e = SYNC_ERROR_SERVER;
    bool nl = !lang || strcmp(lang, "nl") == 0;
    return nl ? titles_nl[e] : titles_en[e];
}

/* ---- Options ---- */

sync_options sync_options_default(void)
{
    sync_options o;
    memset(&o, 0, sizeof o);
    o.clock = clock_system();
    o.backoff_base_ms = 5000;
    o.backoff_cap_ms = 900000;
    o.retry_after_max_ms = 6LL * 3600 * 1000;
    o.connect_timeout_ms = 15000;
    o.timeout_ms = 120000;
    o.low_speed_time_s = 30;
    o.batch_max_bytes = 1024 * 1024;
    return o;
}

/* ---- Create / destroy ---- */

static int sleep_real(void *ctx, int64_t ms)
{
    sync_client *c = ctx;
    /* Short slices so a stop is noticed (only the CLI uses this). */
    while (ms > 0) {
        if (atomic_load(&c->stop))
            return 1;
        int64_t step = ms < 100 ? ms : 100;
        struct timespec ts = {.tv_sec = (time_t)(step / 1000),
                              .tv_nsec = (long)(step % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        ms -= step;
    }
    return atomic_load(&c->stop) ? 1 : 0;
}

static void settings_free(sync_settings *s)
{
    free(s->kiosk_id);
    free(s->base_url);
    free(s->config_path);
    free(s->token_file);
    free(s->ca_file);
    free(s->client_cert);
    free(s->client_key);
    free(s->config_survey);
    memset(s, 0, sizeof *s);
}

static bool blank(const char *s)
{
    return !s || !*s;
}

/* Resolves an optional file path and checks that it can be read. */
static bool resolve_file(const bk_config *cfg, const char *key, const char *value, char **out,
                         bk_diag *diag)
{
    *out = NULL;
    if (blank(value))
        return true;
    *out = config_resolve_path(cfg, value);
    if (!*out) {
        diag_add(diag, "%s: out of memory", key);
        return false;
    }
    if (access(*out, R_OK) != 0) {
        diag_add(diag, "%s: [sync] %s = %s: cannot read %s: %s", cfg->path ? cfg->path : "config",
                 key, value, *out, strerror(errno));
        return false;
    }
    return true;
}

bk_err sync_client_create(const bk_config *cfg, const sync_options *opt, const sync_transport *tr,
                          sync_client **out, bk_diag *diag)
{
    *out = NULL;
    sync_client *c = calloc(1, sizeof *c);
    if (!c)
        return BK_ERR_NOMEM;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return BK_ERR_NOMEM;
    }
    atomic_init(&c->stop, false);
    c->opt = opt ? *opt : sync_options_default();
    if (!c->opt.clock.mono_ms || !c->opt.clock.wall_ms)
        c->opt.clock = clock_system();
    if (c->opt.backoff_base_ms <= 0)
        c->opt.backoff_base_ms = 5000;
    if (c->opt.backoff_cap_ms < c->opt.backoff_base_ms)
        c->opt.backoff_cap_ms = c->opt.backoff_base_ms;
    if (c->opt.slow_retry_ms <= 0)
        c->opt.slow_retry_ms = c->opt.backoff_cap_ms;
    if (c->opt.retry_after_max_ms <= 0)
        c->opt.retry_after_max_ms = 6LL * 3600 * 1000;
    if (c->opt.connect_timeout_ms <= 0)
        c->opt.connect_timeout_ms = 15000;
    if (c->opt.timeout_ms <= 0)
        c->opt.timeout_ms = 120000;
    if (c->opt.low_speed_time_s <= 0)
        c->opt.low_speed_time_s = 30;
    if (c->opt.batch_max_bytes < 1024)
        c->opt.batch_max_bytes = 1024 * 1024;
    if (c->opt.max_retries_in_pass < 0)
        c->opt.max_retries_in_pass = 0;
    if (!c->opt.random)
        c->opt.random = sync_random_os;
    if (c->opt.process_start_mono_ms == 0)
        c->opt.process_start_mono_ms = clock_mono_ms(&c->opt.clock);
    c->wait_fn = sleep_real;
    c->wait_ctx = c;

    const char *where = cfg->path ? cfg->path : "config";
    bool ok = true;
    sync_settings *s = &c->set;
    if (blank(cfg->kiosk.id)) {
        diag_add(diag, "%s: [kiosk] id is not set; the server needs it", where);
        ok = false;
    }
    if (blank(cfg->sync.base_url)) {
        diag_add(diag, "%s: [sync] base_url is not set: this kiosk has nowhere to send to", where);
        ok = false;
    } else {
        char why[256];
        if (sync_url_check(cfg->sync.base_url, &s->loopback, why, sizeof why) != BK_OK) {
            diag_add(diag, "%s: [sync] base_url = %s: %s", where, cfg->sync.base_url, why);
            ok = false;
        }
    }
    if (blank(cfg->sync.token_file)) {
        diag_add(diag, "%s: [sync] token_file is not set", where);
        ok = false;
    }
    if (!ok)
        goto fail;

    s->kiosk_id = strdup(cfg->kiosk.id);
    s->base_url = strdup(cfg->sync.base_url);
    s->config_path = strdup(cfg->path ? cfg->path : "");
    s->token_file = config_resolve_path(cfg, cfg->sync.token_file);
    s->config_survey = blank(cfg->survey.active) ? NULL : strdup(cfg->survey.active);
    if (!s->kiosk_id || !s->base_url || !s->config_path || !s->token_file ||
        (!blank(cfg->survey.active) && !s->config_survey)) {
        diag_add(diag, "out of memory");
        goto fail;
    }
    size_t blen = strlen(s->base_url);
    while (blen > 0 && s->base_url[blen - 1] == '/')
        s->base_url[--blen] = '\0';
    if (!resolve_file(cfg, "ca_file", cfg->sync.ca_file, &s->ca_file, diag) ||
        !resolve_file(cfg, "client_cert", cfg->sync.client_cert, &s->client_cert, diag) ||
        !resolve_file(cfg, "client_key", cfg->sync.client_key, &s->client_key, diag))
        goto fail;
    if ((s->client_cert == NULL) != (s->client_key == NULL)) {
        diag_add(diag, "%s: [sync] client_cert and client_key go together: set both or neither",
                 where);
        goto fail;
    }
    s->batch_max = cfg->sync.batch_max > 0 ? (size_t)cfg->sync.batch_max : 100;
    s->retention_days = cfg->storage.retention_days > 0 ? cfg->storage.retention_days : 30;
    s->interval_ms = c->opt.interval_ms > 0     ? c->opt.interval_ms
                     : cfg->sync.interval_s > 0 ? (int64_t)cfg->sync.interval_s * 1000
                                                : 300000;

    /* The token must be readable now (and only by us); it is read again
       before every pass so a replaced token works without a restart. */
    char *token = NULL;
    if (sync_client_read_token(c, &token, diag) != BK_OK)
        goto fail;
    memset(token, 0, strlen(token));
    free(token);

    if (tr) {
        c->tr = *tr;
    } else {
        sync_http_config hc = {
            .ca_file = s->ca_file,
            .client_cert = s->client_cert,
            .client_key = s->client_key,
            .connect_timeout_ms = c->opt.connect_timeout_ms,
            .timeout_ms = c->opt.timeout_ms,
            .low_speed_time_s = c->opt.low_speed_time_s,
            .stop = &c->stop,
        };
        bk_err e = sync_http_create(&hc, &c->http, diag);
        if (e != BK_OK)
            goto fail_err;
        c->tr.send = sync_http_send;
        c->tr.ctx = c->http;
    }
    *out = c;
    return BK_OK;

fail:
    sync_client_destroy(c);
    return BK_ERR_INVALID;
fail_err:
    sync_client_destroy(c);
    return BK_ERR_NETWORK;
}

void sync_client_destroy(sync_client *c)
{
    if (!c)
        return;
    store_close(c->st);
    sync_http_destroy(c->http);
    settings_free(&c->set);
    free(c->shown_id);
    free(c->bundle_survey_id);
    free(c->db_path);
    if (c->token) {
        memset(c->token, 0, strlen(c->token));
        free(c->token);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

bk_err sync_client_read_token(sync_client *c, char **token, bk_diag *diag)
{
    /* config_read_token only needs the file's path (and the configuration's
       own path for relative names): a minimal view of the configuration. */
    bk_config view;
    memset(&view, 0, sizeof view);
    view.path = NULL; /* set.token_file is already resolved: do not resolve it twice */
    view.sync.token_file = c->set.token_file;
    *token = NULL;
    bk_err e = config_read_token(&view, token, diag);
    if (e != BK_OK)
        return e;
    bool ok = *token && **token;
    /* Only visible ASCII: a token can never add lines to a request. */
    for (const char *p = *token; ok && *p; p++)
        ok = *p > 0x20 && *p < 0x7f;
    if (!ok) {
        diag_add(diag, "%s: the token must be one word of visible ASCII characters",
                 c->set.token_file);
        if (*token)
            memset(*token, 0, strlen(*token));
        free(*token);
        *token = NULL;
        return BK_ERR_INVALID;
    }
    return BK_OK;
}

bk_err sync_client_open_store(sync_client *c, const char *db_path)
{
    if (c->st)
        return BK_ERR_STATE;
    if (!c->db_path) {
        c->db_path = strdup(db_path);
        if (!c->db_path)
            return BK_ERR_NOMEM;
    }
    bk_err e = store_open(db_path, &c->opt.clock, &c->st, NULL);
    if (e != BK_OK) {
        c->st = NULL;
        return e;
    }
    char *v = NULL;
    if (store_meta_get(c->st, "sync.last_ok_ms", &v) == BK_OK && v) {
        long long ms = strtoll(v, NULL, 10);
        pthread_mutex_lock(&c->mu);
        c->status.last_ok_wall_ms = ms > 0 ? ms : 0;
        pthread_mutex_unlock(&c->mu);
    }
    free(v);
    return BK_OK;
}

/* ---- Status ---- */

void sync_client_publish(sync_client *c)
{
    if (c->opt.on_status)
        c->opt.on_status(c->opt.status_ctx);
}

void sync_client_refresh_counts(sync_client *c)
{
    store_counts n;
    if (!c->st || store_count(c->st, &n) != BK_OK)
        return;
    pthread_mutex_lock(&c->mu);
    c->status.queued = n.queued;
    c->status.rejected = n.rejected;
    pthread_mutex_unlock(&c->mu);
}

int sync_client_sleep(sync_client *c, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    if (atomic_load(&c->stop))
        return 1;
    if (c->opt.sleep_ms)
        return c->opt.sleep_ms(c->opt.sleep_ctx, ms) || atomic_load(&c->stop);
    return c->wait_fn(c->wait_ctx, ms);
}

char *sync_client_url(const sync_client *c, const char *path)
{
    size_t len = strlen(c->set.base_url) + strlen(path) + 1;
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "%s%s", c->set.base_url, path);
    return url;
}
