/* handlers_configure.c: the privacy API of the seed (000) for an
 * organization's API client: the privacy level it requests of one of its
 * care groups (by number, authz's groups.number) or of one participant (by
 * external id), the matching reads, and the list of its groups with their
 * numbers. Only API clients (x-api-key or Basic) are accepted here: a
 * person's Bearer token gets 401 like no credentials. Groups and
 * participants of another organization are 404, as if they did not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_principal.h"
#include "configure_input.h"
#include "handlers.h"
#include "levels.h"
#include "peers.h"
#include "store_levels.h"

#define LEVEL_MEMBER "requestedPrivacyLevel"

/* Access: the caller's organization when it is an API client ("" for a
 * client of no organization, e.g. the bootstrap one: it has no groups and
 * no participants). */
static cm_err client_org(struct cm_req *rq, const char **out_org)
{
    const Envelope__Principal *p = cm_principal_of(rq);
    if (p->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT)
        return cm_fail(rq, CM_EUNAUTH, "Unauthorized");
    *out_org = p->organization_id;
    return CM_OK;
}

/* Input: the group of the path, found among org's groups. */
static cm_err group_of(struct cm_req *rq, const char *org, struct peer_group *g)
{
    char err[128];
    long long number;
    cm_err rc;

    if (configure_group_number(cm_req_param(rq, "groupID"), &number, err, sizeof err) != CM_OK)
        return cm_fail(rq, CM_EINVAL, "%s", err);
    rc = org[0] ? peers_group(rq->w, org, number, g) : CM_ENOTFOUND;
    if (rc == CM_ENOTFOUND)
        return cm_fail(rq, CM_ENOTFOUND, "group not found");
    return rc;
}

/* Input: the participant the path names in org, its user id to user. */
static cm_err participant_of(struct cm_req *rq, const char *org, char user[40])
{
    char err[128];
    const char *ext = cm_req_param(rq, "externalID");
    cm_err rc;

    if (configure_external_id(ext, err, sizeof err) != CM_OK)
        return cm_fail(rq, CM_EINVAL, "%s", err);
    rc = org[0] ? peers_participant(rq->w, org, ext, user) : CM_ENOTFOUND;
    if (rc == CM_ENOTFOUND)
        return cm_fail(rq, CM_ENOTFOUND, "participant not found");
    return rc;
}

/* Input: the body's level list. */
static cm_err body_levels(struct cm_req *rq, const char *member, int *levels)
{
    char err[160];
    if (levels_read_body((const char *)rq->http->body.data, rq->http->body.len, member, levels,
                         err, sizeof err) != CM_OK)
        return cm_fail(rq, CM_EINVAL, "%s", err);
    return CM_OK;
}

/* Render: the seed's success answer. */
static cm_err success(struct cm_req *rq, struct cm_resp *out)
{
    cm_resp_json(out, rq, 200, json_pack("{s:s}", "message", "success"));
    return CM_OK;
}

cm_err configure_groups_list(struct cm_req *rq, struct cm_resp *out)
{
    const char *org = NULL;
    struct peer_group *g = NULL;
    size_t n = 0;
    json_t *list;
    cm_err err = client_org(rq, &org);

    if (err == CM_OK && org[0])
        err = peers_groups(rq->w, org, &g, &n);
    if (err != CM_OK)
        return err;
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I,s:s,s:s}", "groupID", (json_int_t)g[i].number,
                                              "id", g[i].group_id, "name", g[i].name));
    free(g);
    cm_resp_json(out, rq, 200, json_pack("{s:o}", "groups", list));
    return CM_OK;
}

cm_err configure_group_privacy_set(struct cm_req *rq, struct cm_resp *out)
{
    const char *org = NULL;
    struct peer_group g;
    int levels = 0;
    cm_err err = client_org(rq, &org);

    if (err == CM_OK)
        err = group_of(rq, org, &g);
    if (err == CM_OK)
        err = body_levels(rq, LEVEL_MEMBER, &levels);
    if (err == CM_OK)
        err = store_group_request_set(rq->w->pg, &g, levels);
    return err == CM_OK ? success(rq, out) : err;
}

cm_err configure_group_privacy_get(struct cm_req *rq, struct cm_resp *out)
{
    const char *org = NULL;
    struct peer_group g;
    int levels = 0;
    cm_err err = client_org(rq, &org);

    if (err == CM_OK)
        err = group_of(rq, org, &g);
    if (err == CM_OK)
        err = store_group_request_get(rq->w->pg, g.group_id, &levels);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200,
                 json_pack("{s:I,s:o}", "groupID", (json_int_t)g.number, LEVEL_MEMBER,
                           levels_json(levels)));
    return CM_OK;
}

cm_err configure_participant_privacy_set(struct cm_req *rq, struct cm_resp *out)
{
    const char *org = NULL;
    char user[40];
    int levels = 0;
    cm_err err = client_org(rq, &org);

    if (err == CM_OK)
        err = participant_of(rq, org, user);
    if (err == CM_OK)
        err = body_levels(rq, LEVEL_MEMBER, &levels);
    if (err == CM_OK)
        err = store_participant_request_set(rq->w->pg, org, user, levels);
    return err == CM_OK ? success(rq, out) : err;
}

/* Keeps the groups of org among g (n), in place; returns how many. */
static size_t only_org(struct peer_group *g, size_t n, const char *org)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(g[i].organization_id, org))
            g[k++] = g[i];
    return k;
}

cm_err configure_participant_privacy_get(struct cm_req *rq, struct cm_resp *out)
{
    const char *org = NULL;
    char user[40];
    int own = 0, groups = 0;
    struct peer_group *g = NULL;
    size_t n = 0;
    struct standing st = {0};
    cm_err err = client_org(rq, &org);

    if (err == CM_OK)
        err = participant_of(rq, org, user);
    if (err == CM_OK)
        err = store_participant_request_get(rq->w->pg, org, user, &own);
    if (err == CM_OK)
        err = peers_user_groups(rq->w, user, &g, &n);
    if (err == CM_OK)
        err = store_groups_requested(rq->w->pg, g, only_org(g, n, org), &groups);
    if (err == CM_OK)
        err = store_standing(rq->w->pg, user, NULL, 0, &st);
    free(g);
    if (err != CM_OK)
        return err;
    cm_resp_json(out, rq, 200,
                 json_pack("{s:o,s:o,s:o,s:o}", LEVEL_MEMBER, levels_json(own | groups),
                           "participantRequestedPrivacyLevel", levels_json(own),
                           "groupsRequestedPrivacyLevel", levels_json(groups), "privacyLevel",
                           levels_json(st.set)));
    return CM_OK;
}
