/* cm_err.c: names and HTTP statuses of cm_err, in one table. */
#include "cm_err.h"

static const struct {
    const char *name;
    int http_status;
} err_table[CM__COUNT] = {
    [CM_OK] = {"ok", 200},
    [CM_EINVAL] = {"invalid", 400},
    [CM_ENOTFOUND] = {"not_found", 404},
    [CM_ECONFLICT] = {"conflict", 409},
    [CM_EDENIED] = {"forbidden", 403},
    [CM_EUNAVAIL] = {"unavailable", 503},
    [CM_ETIMEOUT] = {"timeout", 504},
    [CM_ENOMEM] = {"out_of_memory", 500},
    [CM_EINTERNAL] = {"internal", 500},
    [CM_EUNAUTH] = {"unauthorized", 401},
    [CM_ETOOBIG] = {"too_large", 413},
    [CM_ENOTIMPL] = {"not_implemented", 501},
    [CM_EMETHOD] = {"method_not_allowed", 405},
    [CM_ELIMIT] = {"too_many_requests", 429},
    [CM_ELOCKED] = {"locked", 423},
};

const char *cm_err_name(cm_err err)
{
    if ((int)err < 0 || err >= CM__COUNT)
        return "internal";
    return err_table[err].name;
}

int cm_err_http_status(cm_err err)
{
    if ((int)err < 0 || err >= CM__COUNT)
        return 500;
    return err_table[err].http_status;
}

cm_err cm_err_from_http_status(int status)
{
    if (status >= 200 && status < 300)
        return CM_OK;
    if (status == 500)
        return CM_EINTERNAL; /* not CM_ENOMEM, which shares the status */
    for (int i = 1; i < CM__COUNT; i++)
        if (err_table[i].http_status == status)
            return (cm_err)i;
    return status >= 500 ? CM_EINTERNAL : CM_EINVAL;
}

cm_err cm_err_from_wire(int code)
{
    if (code < 0 || code >= CM__COUNT)
        return CM_EINTERNAL;
    return (cm_err)code;
}
