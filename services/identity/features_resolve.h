/* features_resolve.h: the one rule that turns a feature's global definition
 * and a subject's organization and user layers into "enabled or not". Pure;
 * the HTTP filters (#23) and identity.rpc.GetFeatures both use it.
 *
 * The first of these that applies decides:
 *   1. the user layer, when forced and not "dontcare";
 *   2. the organization layer, when forced and not "dontcare";
 *   3. the user layer, when not "dontcare";
 *   4. the organization layer, when not "dontcare";
 *   5. the feature's global-enabled.
 * A missing layer (state "") counts as "dontcare". The user layer is the
 * user's setting for that organization, else their setting for every
 * organization (store_features.h). */
#ifndef IDENTITY_FEATURES_RESOLVE_H
#define IDENTITY_FEATURES_RESOLVE_H

#include "store_features.h"

/* 1 when enabled under the rule above, else 0. States are "enabled",
 * "disabled", "dontcare" or "" (none). */
int features_resolve(int global_enabled, const char *org_state, int org_force,
                     const char *user_state, int user_force);

/* features_resolve of record f's fields. */
int features_enabled(const struct feature_rec *f);

/* Keeps in l only the features enabled for its subject, then only the page
 * [offset, offset + limit) of those, in order. */
void features_keep_enabled(struct feature_list *l, long limit, long offset);

/* 1 when s is a layer state a client may set: "enabled", "disabled",
 * "dontcare". */
int features_state_valid(const char *s);

/* 1 when s is a valid feature id: 1..64 of [a-z0-9._-], starting with a
 * letter or digit (as the features table checks). */
int features_id_valid(const char *s);

#endif
