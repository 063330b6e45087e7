/* sqlite_error.h: what an SQLite result code means as a bk_err, for the
 * kiosk's store and the collector's storage alike. */
#ifndef BK_SQLITE_ERROR_H
#define BK_SQLITE_ERROR_H

#include "error.h"

/* Maps the primary part of an SQLite result code (rc & 0xff): OK, ROW and
 * DONE to BK_OK, BUSY and LOCKED to BK_ERR_BUSY, FULL, CORRUPT and NOTADB,
 * NOMEM, CONSTRAINT to BK_ERR_STATE, TOOBIG, RANGE and MISMATCH to
 * BK_ERR_INVALID, everything else (IOERR, CANTOPEN, READONLY, ...) to
 * BK_ERR_IO. A caller that tells extended codes apart does so first. */
bk_err bk_err_from_sqlite(int rc);

#endif
