/* clinical_templates.c: the clinical API's texts from delivery's templates
 * (clinical_templates.h). */
#include "clinical_templates.h"

#include "cm_log.h"

cm_err clinical_render(PGconn *pg, const char *channel, const char *type, const char *org_id,
                       const char *const *names, const char *const *values, size_t n,
                       struct compose_out *out)
{
    struct compose_in in = {channel, type, "", org_id, "", {n, names, values}};
    char why[128] = "";
    cm_err err = compose_check(&in, why, sizeof why);

    if (err == CM_OK)
        err = compose(pg, &in, out, why, sizeof why);
    if (err != CM_OK)
        cm_warn("clinical %s text not rendered: %s", type, why);
    return err;
}
