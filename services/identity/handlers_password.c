/* handlers_password.c: identity's password operations on the /v1 surface.
 * Passwords are never logged. */
#include <string.h>

#include "cm_body.h"
#include "handlers.h"
#include "password_policy.h"

cm_err password_strength(struct cm_req *rq, struct cm_resp *out)
{
    static const char *const allowed[] = {"password", "check-pwned", NULL};
    json_t *body = NULL, *pw, *check, *suggestions;
    struct pw_strength st;
    size_t len, chars;
    cm_err err;

    err = cm_req_json_object(rq, allowed, &body);
    if (err != CM_OK)
        return err;
    pw = json_object_get(body, "password");
    check = json_object_get(body, "check-pwned");
    if (!pw)
        err = cm_fail_at(rq, CM_EINVAL, "/password", NULL, "password is required");
    else if (!json_is_string(pw))
        err = cm_fail_at(rq, CM_EINVAL, "/password", NULL, "password must be a string");
    else if (check && !json_is_boolean(check))
        err = cm_fail_at(rq, CM_EINVAL, "/check-pwned", NULL, "check-pwned must be a boolean");
    if (err == CM_OK) {
        len = json_string_length(pw);
        chars = pw_chars(json_string_value(pw), len);
        if (chars < 1 || chars > PW_MAX_CHARS)
            err = cm_fail_at(rq, CM_EINVAL, "/password", NULL,
                             "password must have 1 to %d characters", PW_MAX_CHARS);
    }
    if (err != CM_OK) {
        json_decref(body);
        return err;
    }
    pw_strength_rate(json_string_value(pw), len, &st);
    suggestions = json_array();
    for (int i = 0; i < st.nsuggestions; i++)
        json_array_append_new(suggestions, json_string(st.suggestions[i]));
    /* No network here: "pwned" consults the built-in list of common
     * passwords; times -1 means not checked, as in the seed's sample. */
    cm_resp_json(out, rq, 201,
                 json_pack("{s:{s:s, s:i}, s:{s:s, s:i}, s:o}", "pwned", "message",
                           !json_is_true(check) ? "not checked"
                           : st.common          ? "found in the list of common passwords"
                                                : "not found in the list of common passwords",
                           "times", !json_is_true(check) ? -1 : st.common ? 1 : 0, "strength",
                           "label", st.label, "value", st.score, "suggestions", suggestions));
    json_decref(body);
    return CM_OK;
}
