/* anonymous_access.c: allow-lists of anonymous accesses (anonymous_access.h). */
#include "anonymous_access.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const services[] = {"identity", "authz", "messaging", "onboarding", "privacy",
                                       NULL};
static const char *const methods[] = {"delete", "get", "patch", "post", NULL};

static int one_of(const char *s, const char *const *set, int nocase)
{
    for (; *set; set++)
        if (nocase ? !strcasecmp(s, *set) : !strcmp(s, *set))
            return 1;
    return 0;
}

cm_err anon_endpoints_read(const json_t *list, json_t **out, int *out_index, char *err,
                           size_t cap)
{
    json_t *copy, *e;
    size_t i;

    *out_index = -1;
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > ANON_ENDPOINTS_MAX) {
        snprintf(err, cap, "allowed-endpoints must be a list of 1 to %d endpoints",
                 ANON_ENDPOINTS_MAX);
        return CM_EINVAL;
    }
    copy = json_array();
    json_array_foreach(list, i, e)
    {
        const char *svc = json_string_value(json_object_get(e, "service"));
        const char *path = json_string_value(json_object_get(e, "path"));
        const char *method = json_string_value(json_object_get(e, "method"));
        char lower[8];
        size_t k;

        *out_index = (int)i;
        if (!json_is_object(e) || !svc || !path || !method) {
            snprintf(err, cap, "an endpoint is {\"service\", \"path\", \"method\"}");
            goto bad;
        }
        if (!one_of(svc, services, 0)) {
            snprintf(err, cap, "service must be identity, authz, messaging, onboarding or privacy");
            goto bad;
        }
        if (path[0] != '/' || strlen(path) > 255 || strstr(path, "/anonymous-accesses") ||
            strpbrk(path, "?# \t\r\n")) {
            snprintf(err, cap, "path must be a path of 1 to 255 characters (no query), not the "
                               "anonymous accesses' own");
            goto bad;
        }
        if (!one_of(method, methods, 1)) {
            snprintf(err, cap, "method must be delete, get, patch or post");
            goto bad;
        }
        for (k = 0; method[k] && k + 1 < sizeof lower; k++)
            lower[k] = (char)tolower((unsigned char)method[k]);
        lower[k] = '\0';
        json_array_append_new(copy, json_pack("{s:s,s:s,s:s}", "service", svc, "path", path,
                                              "method", lower));
    }
    *out = copy;
    return CM_OK;
bad:
    json_decref(copy);
    return CM_EINVAL;
}

const char *anon_endpoint_match(const json_t *list, const char *method, const char *path)
{
    json_t *e;
    size_t i;
    json_array_foreach(list, i, e)
    {
        const char *m = json_string_value(json_object_get(e, "method"));
        const char *p = json_string_value(json_object_get(e, "path"));
        if (m && p && !strcasecmp(m, method) && !strcmp(p, path))
            return json_string_value(json_object_get(e, "service"));
    }
    return NULL;
}
