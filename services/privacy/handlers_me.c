/* handlers_me.c: a participant's own privacy level, with their own Bearer
 * token (/configure/me/privacy): what they set, what their care groups and
 * organizations requested, and whether they are asked to review it. Setting
 * it (even to the same levels) is their review: the check-in notice stops
 * until a request asks more again. Nobody but the participant sets it. */
#include "cm_principal.h"
#include "handlers.h"
#include "levels.h"
#include "peers.h"
#include "store_levels.h"

#include <stdlib.h>

/* Access: the caller's user id when it is a person. */
static cm_err participant(struct cm_req *rq, const char **out_user)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER || !p->user_id[0])
        return cm_fail(rq, CM_EUNAUTH, "a participant's own token is required");
    *out_user = p->user_id;
    return CM_OK;
}

cm_err me_privacy_get(struct cm_req *rq, struct cm_resp *out)
{
    const char *user = NULL;
    struct peer_group *g = NULL;
    size_t n = 0;
    struct standing st = {0};
    cm_err err = participant(rq, &user);

    if (err == CM_OK)
        err = peers_user_groups(rq->w, user, &g, &n);
    if (err == CM_OK)
        err = store_standing(rq->w->pg, user, g, n, &st);
    free(g);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200,
                 json_pack("{s:o,s:o,s:b}", "privacyLevel", levels_json(st.set),
                           "requestedPrivacyLevel", levels_json(st.requested), "reviewRequested",
                           st.notice));
    return CM_OK;
}

cm_err me_privacy_set(struct cm_req *rq, struct cm_resp *out)
{
    const char *user = NULL;
    char msg[160];
    int levels = 0;
    cm_err err = participant(rq, &user);

    if (err != CM_OK)
        return err;
    if (levels_read_body((const char *)rq->http->body.data, rq->http->body.len, "privacyLevel",
                         &levels, msg, sizeof msg) != CM_OK)
        return cm_fail(rq, CM_EINVAL, "%s", msg);
    err = store_settings_set(rq->w->pg, user, levels);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200, json_pack("{s:s}", "message", "success"));
    return CM_OK;
}
