/* cli_serve.c: `buurtkiosk-collector serve [--config FILE]`: serves until
 * SIGTERM or SIGINT, then lets the requests in flight finish and stops. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "cli.h"
#include "web.h"
#include "http_server.h"
#include "log.h"

#define CLI_SERVE_PEM_MAX (1024 * 1024) /* bytes in a certificate or key file */
#define CLI_SERVE_GRACE_MS 10000        /* requests in flight get this long at the end */

static void usage(FILE *f)
{
    fprintf(f, "usage: buurtkiosk-collector serve [--config FILE]\n\n"
               "Receives kiosks' batches and serves their surveys on [server] listen and\n"
               "port, under base_path. Writes \"listening on URL\" when it accepts\n"
               "connections. SIGTERM or SIGINT: finishes the requests in flight, stops.\n\n"
               "  --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n");
}

/* Reads a whole PEM file (a new string, caller frees), or NULL after
 * printing why. */
static char *read_pem(const collector_config *cfg, const char *key, const char *value)
{
    char *path = collector_config_resolve(cfg, value);
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        fprintf(stderr, "buurtkiosk-collector serve: [server] %s: cannot open %s: %s\n", key,
                path ? path : value, strerror(errno));
        free(path);
        return NULL;
    }
    char *buf = malloc(CLI_SERVE_PEM_MAX + 1);
    size_t n = buf ? fread(buf, 1, CLI_SERVE_PEM_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > CLI_SERVE_PEM_MAX;
    fclose(f);
    if (bad) {
        fprintf(stderr,
                "buurtkiosk-collector serve: [server] %s: %s cannot be read or is over "
                "1 MiB\n",
                key, path);
        free(buf);
        free(path);
        return NULL;
    }
    buf[n] = '\0';
    free(path);
    return buf;
}

int cli_serve(int argc, char **argv)
{
    const char *config_path;
    int done = cli_config_only(argc, argv, usage, &config_path);
    if (done >= 0)
        return done;
    collector_config cfg;
    int rc = cli_load_config("buurtkiosk-collector serve", config_path, &cfg);
    if (rc)
        return rc;
    char *cert = NULL, *key = NULL;
    if (cfg.server.tls_cert) {
        cert = read_pem(&cfg, "tls_cert", cfg.server.tls_cert);
        key = cert ? read_pem(&cfg, "tls_key", cfg.server.tls_key) : NULL;
        if (!key) {
            free(cert);
            collector_config_free(&cfg);
            return 2;
        }
    }
    /* The signals are waited for with sigwait: block them before any
     * thread starts, so every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    storage *st = cli_open_storage("buurtkiosk-collector serve", &cfg, cfg.storage.pool_size);
    if (!st) {
        free(cert);
        free(key);
        collector_config_free(&cfg);
        return 1;
    }
    web *dashboard = NULL;
    bk_diag web_diag = {0};
    web_options wo = {.st = st, .cfg = &cfg, .clock = clock_system()};
    if (web_create(&wo, &dashboard, &web_diag) != BK_OK) {
        for (size_t i = 0; i < web_diag.count; i++)
            fprintf(stderr, "buurtkiosk-collector serve: the dashboard: %s\n",
                    web_diag.messages[i]);
        diag_clear(&web_diag);
        free(cert);
        free(key);
        storage_close(st);
        collector_config_free(&cfg);
        return 1;
    }
    http_server_options opt = {
        .listen = cfg.server.listen,
        .port = cfg.server.port,
        .base_path = cfg.server.base_path,
        .tls_cert = cert,
        .tls_key = key,
        .threads = cfg.server.threads,
        .max_connections = cfg.server.max_connections,
        .max_pending = cfg.server.max_pending,
        .request_timeout_s = cfg.server.request_timeout_s,
        .retry_after_s = cfg.server.retry_after_s,
        .max_body_bytes = cfg.limits.max_body_bytes,
        .max_inflated_bytes = cfg.limits.max_inflated_bytes,
        .max_responses = cfg.limits.max_responses,
        .st = st,
        .clock = clock_system(),
        .web = web_handle,
        .web_ctx = dashboard,
    };
    http_server *srv = NULL;
    bk_diag diag = {0};
    bk_err e = http_server_start(&opt, &srv, &diag);
    if (key)
        sodium_memzero(key, strlen(key));
    free(cert);
    free(key);
    if (e != BK_OK) {
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "buurtkiosk-collector serve: %s\n", diag.messages[i]);
        diag_clear(&diag);
        web_destroy(dashboard);
        storage_close(st);
        collector_config_free(&cfg);
        return 1;
    }
    bool v6 = strchr(cfg.server.listen, ':') != NULL;
    printf("listening on %s://%s%s%s:%d\n", cfg.server.tls_cert ? "https" : "http", v6 ? "[" : "",
           cfg.server.listen, v6 ? "]" : "", http_server_port(srv));
    printf("dashboard: %s://%s%s%s:%d/\n", cfg.server.tls_cert ? "https" : "http", v6 ? "[" : "",
           cfg.server.listen, v6 ? "]" : "", http_server_port(srv));
    fflush(stdout);
    sd_notify(0, "READY=1");

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;
    log_info("collector", "signal %d: finishing the requests in flight", sig);
    sd_notify(0, "STOPPING=1");
    http_server_stop(srv, CLI_SERVE_GRACE_MS);
    web_destroy(dashboard);
    storage_close(st);
    collector_config_free(&cfg);
    log_info("collector", "stopped");
    return 0;
}
