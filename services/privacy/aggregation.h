/* aggregation.h: the columns an aggregation request (#1) may name, and
 * which service owns each. Pure, unit-tested.
 *   authz (an individual's record): first-name, last-name, email, phone,
 *     birth-date, group-ids (the groups that hold it directly)
 *   privacy: privacy-level (the levels its account's person set; [] when
 *     it has no account or set none) */
#ifndef PRIVACY_AGGREGATION_H
#define PRIVACY_AGGREGATION_H

#define AGG_ENTRIES_MAX 100

enum agg_owner {
    AGG_NONE,    /* not a column */
    AGG_AUTHZ,   /* authz.rpc.PrivacyIndividuals */
    AGG_PRIVACY, /* privacy's own tables */
};

/* Who owns column (AGG_NONE when it is not one). */
enum agg_owner agg_column_owner(const char *column);

#endif
