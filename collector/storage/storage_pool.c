/* storage_pool.c: see storage_pool.h. */
#include "storage_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct timespec storage_deadline(int ms, clockid_t clk)
{
    struct timespec d;
    clock_gettime(clk, &d);
    d.tv_sec += ms / 1000;
    d.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (d.tv_nsec >= 1000000000L) {
        d.tv_sec++;
        d.tv_nsec -= 1000000000L;
    }
    return d;
}

bk_err storage_pool_init(storage_pool *p, int size, int timeout_ms)
{
    memset(p, 0, sizeof *p);
    p->idle = calloc((size_t)(size > 0 ? size : 1), sizeof *p->idle);
    if (!p->idle)
        return BK_ERR_NOMEM;
    p->size = size;
    p->timeout_ms = timeout_ms;
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->freed, &ca);
    pthread_condattr_destroy(&ca);
    return BK_OK;
}

void storage_pool_destroy(storage_pool *p)
{
    if (!p->idle)
        return;
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    free(p->idle);
    p->idle = NULL;
}

void *storage_pool_get(storage_pool *p)
{
    struct timespec deadline = storage_deadline(p->timeout_ms, CLOCK_MONOTONIC);
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (p->n_idle == 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->freed, &p->mu, &deadline);
    void *conn = p->n_idle ? p->idle[--p->n_idle] : NULL;
    pthread_mutex_unlock(&p->mu);
    if (!conn)
        log_warn("storage", "all %d database connections stayed in use for %d ms", p->size,
                 p->timeout_ms);
    return conn;
}

void storage_pool_put(storage_pool *p, void *conn)
{
    if (!conn)
        return;
    pthread_mutex_lock(&p->mu);
    if (p->n_idle < p->size)
        p->idle[p->n_idle++] = conn;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
}

void storage_copy_text(const char *text, char *buf, size_t size)
{
    size_t n = text ? strlen(text) : 0;
    if (n >= size) {
        n = size - 1;
        /* Back off to the start of a UTF-8 character. */
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
            n--;
    }
    if (n)
        memcpy(buf, text, n);
    buf[n] = '\0';
}
