/* aggregation.c: aggregation columns (aggregation.h). */
#include "aggregation.h"

#include <string.h>

enum agg_owner agg_column_owner(const char *column)
{
    static const char *const authz_columns[] = {"first-name", "last-name", "email",
                                                "phone",      "birth-date", "group-ids", NULL};
    for (const char *const *c = authz_columns; *c; c++)
        if (!strcmp(*c, column))
            return AGG_AUTHZ;
    return strcmp(column, "privacy-level") ? AGG_NONE : AGG_PRIVACY;
}
