/* store_features.h: identity's SQL for feature flags: global definitions
 * (features), the organization layer (organization_features) and the user
 * layer (user_features), and the effective flags of a user or organization
 * (the resolution rule is features_resolve.h). All parameterized; nothing
 * here knows about NATS or HTTP. */
#ifndef IDENTITY_STORE_FEATURES_H
#define IDENTITY_STORE_FEATURES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "store_orgs.h"

/* One feature definition; strings "" for SQL NULL, owned by the list. When
 * the list was read for a subject, org_state / user_state (and their force)
 * are that subject's layers ("" when it has none), which
 * features_resolve.h combines; otherwise they are "". */
struct feature_rec {
    const char *id;
    const char *description;
    const char *stage;
    const char *created_time;
    const char *last_modified_time;
    const char *org_state;
    const char *user_state;
    int global_enabled;
    int assignable;
    int org_force;
    int user_force;
};

/* Features read (release with store_feature_list_free; zeroed is empty). */
struct feature_list {
    size_t n;
    struct feature_rec *items;
    char *mem;
};

void store_feature_list_free(struct feature_list *l);

/* A features list request (#23). user and org are uuids or "": the layers
 * of that subject are read with each feature (a user in org; org "" = only
 * the user's settings that hold in every organization). */
struct feature_query {
    int assignable; /* -1: any, else 0 or 1 */
    char user[40];
    char org[40];
    long limit; /* <= 0: all */
    long offset;
};

/* The features matching q, by id, one page (all when q->limit <= 0). */
cm_err store_features_list(PGconn *pg, const struct feature_query *q, struct feature_list *out);

/* Feature id into out->items[0]; CM_ENOTFOUND when there is none. */
cm_err store_feature_get(PGconn *pg, const char *id, struct feature_list *out);

/* Attributes of create (#24) and update (#26); NULL or -1 = not given. */
struct feature_fields {
    const char *id;
    const char *description;
    const char *stage;
    int global_enabled;
    int assignable;
};

/* Inserts feature f (id required); the new one to *out. CM_ECONFLICT when
 * the id is taken. */
cm_err store_feature_create(PGconn *pg, const struct feature_fields *f, struct feature_list *out);

/* Applies f to feature id; the updated one to *out; CM_ENOTFOUND. */
cm_err store_feature_update(PGconn *pg, const char *id, const struct feature_fields *f,
                            struct feature_list *out);

/* Sets the every-organization user layer (#27) of feature for user. */
cm_err store_feature_user_set(PGconn *pg, const char *feature, const char *user, const char *state,
                              int force);

/* Removes every user-layer setting of feature for user (#28). */
cm_err store_feature_user_remove(PGconn *pg, const char *feature, const char *user);

/* The organization the flags of user are resolved in: org when given (a
 * uuid, user must be a member of it), else the user's default organization
 * ("" when none); into org_out (40 bytes). CM_ENOTFOUND for no such user or
 * a user who is not a member of org. */
cm_err store_feature_subject(PGconn *pg, const char *user, const char *org, char *org_out);

/* --- layers --- */

/* One organization-layer or user-layer setting ("" for SQL NULL; the user
 * fields are "" for an organization layer). */
struct layer_rec {
    const char *id;
    const char *feature_id;
    const char *organization_id;
    const char *organization_name;
    const char *user_id;
    const char *user_email;
    const char *state;
    int feature_assignable;
    int force;
};

struct layer_list {
    size_t n;
    struct layer_rec *items;
    char *mem;
};

void store_layer_list_free(struct layer_list *l);

/* Organization layers of the organizations scope sees, narrowed by org and
 * feature ("" = any), by organization name then feature, one page. */
cm_err store_org_layers_list(PGconn *pg, const struct org_scope *scope, const char *org,
                             const char *feature, long limit, long offset, struct layer_list *out);

/* Organization layer id (a uuid) when scope sees its organization;
 * CM_ENOTFOUND otherwise. */
cm_err store_org_layer_get(PGconn *pg, const char *id, const struct org_scope *scope,
                           struct layer_list *out);

/* New organization layer; CM_ECONFLICT when org already has one for
 * feature. The new one to *out. */
cm_err store_org_layer_create(PGconn *pg, const char *feature, const char *org, const char *state,
                              int force, struct layer_list *out);

/* Sets state (NULL: unchanged) and force (-1: unchanged) of layer id of
 * either table (user = 1: user_features). CM_ENOTFOUND. */
cm_err store_layer_update(PGconn *pg, int user, const char *id, const char *state, int force);

/* Who sees which user layers: all; those of self (a user id); those whose
 * user is a member of admin_org, set there or everywhere. uuids or "". */
struct user_layer_query {
    int all;
    char self[40];
    char admin_org[40];
    char user[40]; /* filters, "" when not given */
    char org[40];
    char email[1024];
    char feature[256];
    long limit;
    long offset;
};

/* The visible user layers matching q, by user email then feature. */
cm_err store_user_layers_list(PGconn *pg, const struct user_layer_query *q, struct layer_list *out);

/* User layer id when visible under q's visibility; CM_ENOTFOUND else. */
cm_err store_user_layer_get(PGconn *pg, const char *id, const struct user_layer_query *q,
                            struct layer_list *out);

/* New user layer (org "" = every organization); CM_ECONFLICT when the
 * user already has one for feature there. The new one to *out. */
cm_err store_user_layer_create(PGconn *pg, const char *feature, const char *user, const char *org,
                               const char *state, int force, struct layer_list *out);

#endif
