/* error.h: the one error enum of Buurtkiosk and its message table. */
#ifndef BK_ERROR_H
#define BK_ERROR_H

typedef enum bk_err {
    BK_OK = 0,
    BK_ERR_NOMEM,     /* out of memory */
    BK_ERR_IO,        /* reading or writing a file or the database failed */
    BK_ERR_FULL,      /* the disk (or the database's page limit) is full */
    BK_ERR_CORRUPT,   /* a file or database is damaged */
    BK_ERR_INVALID,   /* input does not follow its format; details in a bk_diag */
    BK_ERR_NOT_FOUND, /* the thing asked for does not exist */
    BK_ERR_BUSY,      /* the database stayed locked past the busy timeout */
    BK_ERR_STATE,     /* the call does not fit the object's current state */
    BK_ERR_NETWORK,   /* no connection, timeout, dropped transfer */
    BK_ERR_TLS,       /* certificate or TLS failure: nothing was sent */
    BK_ERR_AUTH,      /* credentials refused by the server */
    BK_ERR_SERVER,    /* the server answered with an error */
    BK_ERR_ABORTED,   /* stopped on request (shutdown) */
    BK_ERR_COUNT
} bk_err;

/* Returns a short English description of err; never NULL, static storage. */
const char *bk_err_str(bk_err err);

#endif
