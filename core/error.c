#include "error.h"

static const char *const bk_err_messages[BK_ERR_COUNT] = {
    [BK_OK] = "ok",
    [BK_ERR_NOMEM] = "out of memory",
    [BK_ERR_IO] = "input/output error",
    [BK_ERR_FULL] = "disk full",
    [BK_ERR_CORRUPT] = "damaged file or database",
    [BK_ERR_INVALID] = "invalid input",
    [BK_ERR_NOT_FOUND] = "not found",
    [BK_ERR_BUSY] = "database busy",
    [BK_ERR_STATE] = "not possible in the current state",
    [BK_ERR_NETWORK] = "no connection to the server",
    [BK_ERR_TLS] = "certificate or TLS error",
    [BK_ERR_AUTH] = "access refused (token)",
    [BK_ERR_SERVER] = "server error",
    [BK_ERR_ABORTED] = "aborted",
};

const char *bk_err_str(bk_err err)
{
    if ((int)err < 0 || err >= BK_ERR_COUNT || !bk_err_messages[err])
        return "unknown error";
    return bk_err_messages[err];
}
