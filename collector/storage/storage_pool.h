/* storage_pool.h: a bounded pool of a backend's connections, shared by
 * threads: borrow one, waiting a bounded time for one to come back, give
 * it back. Both backends keep their connections in one. Not for use
 * outside collector/storage/. */
#ifndef BK_STORAGE_POOL_H
#define BK_STORAGE_POOL_H

#include <pthread.h>
#include <time.h>

#include "error.h"

typedef struct storage_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed; /* signalled when one goes back */
    void **idle;          /* the connections not in use (a stack) */
    int n_idle, size, timeout_ms;
} storage_pool;

/* Makes an empty pool for up to size connections (storage_pool_put adds
 * them) whose borrowers wait up to timeout_ms. BK_ERR_NOMEM. */
bk_err storage_pool_init(storage_pool *p, int size, int timeout_ms);

/* Frees the pool itself (not the connections). */
void storage_pool_destroy(storage_pool *p);

/* Borrows a connection, waiting up to timeout_ms for one to be given
 * back. NULL (logged) when none came back in time. */
void *storage_pool_get(storage_pool *p);

/* Gives a connection (back) to the pool and wakes one waiting thread. */
void storage_pool_put(storage_pool *p, void *conn);

/* ms from now on clock clk, for the timed waits of pthreads. */
struct timespec storage_deadline(int ms, clockid_t clk);

/* Copies text into buf[size] ("" for NULL), cut at a UTF-8 character
 * boundary when too long. */
void storage_copy_text(const char *text, char *buf, size_t size);

#endif
