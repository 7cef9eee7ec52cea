/* test_cm_err.c: the one cm_err ↔ HTTP status table. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "cm_err.h"

Test(cm_err, maps_each_error_to_its_status)
{
    cr_assert(eq(int, cm_err_http_status(CM_OK), 200));
    cr_assert(eq(int, cm_err_http_status(CM_EINVAL), 400));
    cr_assert(eq(int, cm_err_http_status(CM_EUNAUTH), 401));
    cr_assert(eq(int, cm_err_http_status(CM_EDENIED), 403));
    cr_assert(eq(int, cm_err_http_status(CM_ENOTFOUND), 404));
    cr_assert(eq(int, cm_err_http_status(CM_EMETHOD), 405));
    cr_assert(eq(int, cm_err_http_status(CM_ECONFLICT), 409));
    cr_assert(eq(int, cm_err_http_status(CM_ETOOBIG), 413));
    cr_assert(eq(int, cm_err_http_status(CM_EINTERNAL), 500));
    cr_assert(eq(int, cm_err_http_status(CM_ENOTIMPL), 501));
    cr_assert(eq(int, cm_err_http_status(CM_EUNAVAIL), 503));
    cr_assert(eq(int, cm_err_http_status(CM_ETIMEOUT), 504));
}

Test(cm_err, round_trips_through_the_status)
{
    for (int e = 1; e < CM__COUNT; e++) {
        if (e == CM_ENOMEM) /* shares 500 with CM_EINTERNAL */
            continue;
        cr_assert(eq(int, cm_err_from_http_status(cm_err_http_status((cm_err)e)), e));
    }
}

Test(cm_err, unknown_values_are_internal)
{
    cr_assert(eq(int, cm_err_from_wire(-1), CM_EINTERNAL));
    cr_assert(eq(int, cm_err_from_wire(9999), CM_EINTERNAL));
    cr_assert(eq(str, (char *)cm_err_name((cm_err)9999), "internal"));
    cr_assert(eq(int, cm_err_http_status((cm_err)9999), 500));
}
