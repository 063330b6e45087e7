/* receive.c: the survey check and the store of one batch. */
#include "receive.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "survey.h"

#define RECEIVE_CACHE_MAX 64 /* parsed survey definitions kept */

/* One parsed definition, by id and version. A definition never changes
 * once published under a version, so the cache is never stale. */
typedef struct receive_cached {
    char id[INGEST_ID_MAX + 1];
    int version;
    survey *def;
} receive_cached;

struct receiver {
    storage *st;
    pthread_mutex_t mu; /* guards the cache */
    receive_cached cache[RECEIVE_CACHE_MAX];
    size_t n_cache;
};

receiver *receive_create(storage *st)
{
    receiver *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->st = st;
    pthread_mutex_init(&r->mu, NULL);
    return r;
}

void receive_destroy(receiver *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_cache; i++)
        survey_free(r->cache[i].def);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* The cached definition of (id, version), or NULL. Called with mu held. */
static survey *receive_cached_find(receiver *r, const char *id, int version)
{
    for (size_t i = 0; i < r->n_cache; i++)
        if (r->cache[i].version == version && strcmp(r->cache[i].id, id) == 0)
            return r->cache[i].def;
    return NULL;
}

/* Finds or loads the definition of (id, version). Returns BK_OK with *def
 * (NULL when the collector holds none) and *own false when the cache keeps
 * it for the receiver's lifetime, true when the cache was full and the
 * caller frees it; else the storage's error. */
static bk_err receive_survey(receiver *r, const char *id, int version, const survey **def,
                             bool *own)
{
    *def = NULL;
    *own = false;
    pthread_mutex_lock(&r->mu);
    *def = receive_cached_find(r, id, version);
    pthread_mutex_unlock(&r->mu);
    if (*def)
        return BK_OK;

    char *json = NULL;
    bk_err e = storage_survey_get(r->st, id, version, &json);
    if (e == BK_ERR_NOT_FOUND)
        return BK_OK;
    if (e != BK_OK)
        return e;
    bk_diag diag = {0};
    survey *s = survey_load_string(json, strlen(json), id, &diag);
    free(json);
    if (!s) {
        /* Published definitions were validated; this one no longer is (a
         * stricter validator since): treat it as absent, so its responses
         * are quarantined rather than counted against it. */
        log_error("receive", "stored survey %s version %d no longer validates: %s", id, version,
                  diag.count ? diag.messages[0] : "(no message)");
        diag_clear(&diag);
        return BK_OK;
    }
    diag_clear(&diag);

    pthread_mutex_lock(&r->mu);
    survey *held = receive_cached_find(r, id, version);
    if (held) {
        survey_free(s); /* another thread loaded it meanwhile */
        *def = held;
    } else if (r->n_cache < RECEIVE_CACHE_MAX) {
        receive_cached *c = &r->cache[r->n_cache++];
        snprintf(c->id, sizeof c->id, "%s", id);
        c->version = version;
        c->def = s;
        *def = s;
    } else {
        *def = s;
        *own = true;
    }
    pthread_mutex_unlock(&r->mu);
    return BK_OK;
}

bk_err receive_batch(receiver *r, const char *kiosk_id, ingest_batch *b, storage_batch_result *out)
{
    bk_err e = BK_OK;
    for (size_t i = 0; e == BK_OK && i < b->n_responses; i++) {
        ingest_response *resp = &b->responses[i];
        const survey *def = NULL;
        bool own = false;
        e = receive_survey(r, resp->survey_id, resp->survey_version, &def, &own);
        if (e == BK_OK)
            e = ingest_check_response(resp, def);
        if (own)
            survey_free((survey *)def);
    }
    if (e == BK_OK)
        e = storage_batch_store(r->st, kiosk_id, b, out);
    return e;
}
