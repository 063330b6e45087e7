/* receive.h: taking in a parsed batch, whichever way it came (an upload
 * over HTTP or a kiosk's USB export): each response is checked against the
 * survey definition the collector holds for it (kept parsed in a cache),
 * then the batch is stored in one transaction. Between ingest (pure
 * parsing) and storage; no HTTP. */
#ifndef BK_RECEIVE_H
#define BK_RECEIVE_H

#include "error.h"
#include "ingest.h"
#include "storage.h"

typedef struct receiver receiver;

/* A new receiver over st (not owned; must outlive it), or NULL when out of
 * memory. Thread-safe: one receiver serves every thread. */
receiver *receive_create(storage *st);

/* Frees r and its parsed definitions. NULL is a no-op. */
void receive_destroy(receiver *r);

/* Sets each response's quarantine reason (ingest_check_response against
 * the definition of its survey and version, or "no definition"), then
 * stores b for kiosk_id with storage_batch_store. Returns BK_OK with the
 * counts in *out only once the batch has committed; otherwise the storage's
 * error (BK_ERR_BUSY: try again) and nothing of b is stored. */
bk_err receive_batch(receiver *r, const char *kiosk_id, ingest_batch *b, storage_batch_result *out);

#endif
