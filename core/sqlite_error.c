/* sqlite_error.c: SQLite result codes as bk_err. */
#include "sqlite_error.h"

#include <sqlite3.h>

bk_err bk_err_from_sqlite(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return BK_OK;
    case SQLITE_FULL:
        return BK_ERR_FULL;
    case SQLITE_IOERR:
        return BK_ERR_IO;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return BK_ERR_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return BK_ERR_BUSY;
    case SQLITE_NOMEM:
        return BK_ERR_NOMEM;
    case SQLITE_CONSTRAINT:
        return BK_ERR_STATE;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
        return BK_ERR_INVALID;
    default: /* CANTOPEN, READONLY, PERM, PROTOCOL, ... */
        return BK_ERR_IO;
    }
}
