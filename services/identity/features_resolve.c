/* features_resolve.c: feature flag resolution (features_resolve.h). */
#include "features_resolve.h"

#include <string.h>

/* 1 when state decides (neither none nor dontcare). */
static int decides(const char *state)
{
    return state && state[0] && strcmp(state, "dontcare") != 0;
}

int features_resolve(int global_enabled, const char *org_state, int org_force,
                     const char *user_state, int user_force)
{
    if (user_force && decides(user_state))
        return !strcmp(user_state, "enabled");
    if (org_force && decides(org_state))
        return !strcmp(org_state, "enabled");
    if (decides(user_state))
        return !strcmp(user_state, "enabled");
    if (decides(org_state))
        return !strcmp(org_state, "enabled");
    return global_enabled != 0;
}

int features_enabled(const struct feature_rec *f)
{
    return features_resolve(f->global_enabled, f->org_state, f->org_force, f->user_state,
                            f->user_force);
}

void features_keep_enabled(struct feature_list *l, long limit, long offset)
{
    size_t kept = 0;
    long seen = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (!features_enabled(&l->items[i]))
            continue;
        if (seen++ < offset || (long)kept >= limit)
            continue;
        l->items[kept++] = l->items[i];
    }
    l->n = kept;
}

int features_state_valid(const char *s)
{
    return s && (!strcmp(s, "enabled") || !strcmp(s, "disabled") || !strcmp(s, "dontcare"));
}

int features_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return 0;
    }
    return 1;
}
