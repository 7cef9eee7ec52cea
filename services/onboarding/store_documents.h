/* store_documents.h: onboarding's SQL for service documents, the
 * agreements people gave to them, and user check-ins (tables in
 * migrations/003_service_documents_checkins.sql). Records only: no
 * PGresult leaves this file. Times are RFC 3339 UTC text. */
#ifndef ONBOARDING_STORE_DOCUMENTS_H
#define ONBOARDING_STORE_DOCUMENTS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* A service document; strings "" for SQL NULL. */
struct doc_rec {
    const char *id;
    const char *organization_id; /* "" for a platform document */
    const char *type;
    const char *version;
    const char *title;
    const char *html_link;
    const char *html;         /* only filled by store_doc_get */
    const char *translations; /* JSON array text [{locale, title, html-link}] */
    const char *created_at;
    int required;
};

/* Documents; items and the strings they point into are owned
 * (store_doc_list_free). */
struct doc_list {
    size_t n;
    struct doc_rec *items;
    char *mem;
};

void store_doc_list_free(struct doc_list *l);

/* The documents of the platform and of the organizations in orgs_json (a
 * JSON array text of uuids; "[]" for none); with latest, only the current
 * version of each (organization, type). Platform first, then by type. */
cm_err store_docs_list(PGconn *pg, const char *orgs_json, int latest, struct doc_list *out);

/* Document id (a uuid) with its html; CM_ENOTFOUND when none. */
cm_err store_doc_get(PGconn *pg, const char *id, struct doc_list *out);

/* The current required documents of the platform and of orgs_json that
 * are neither in given_json (a JSON array text of uuids, "[]" for none)
 * nor agreed to by user_id (NULL: nobody yet, as at sign-up). */
cm_err store_docs_missing(PGconn *pg, const char *user_id, const char *orgs_json,
                          const char *given_json, struct doc_list *out);

/* Which of orgs_json and the platform have a current required document. */
struct gated_list {
    int platform;   /* the platform has one */
    char **org_ids; /* the organizations (uuids) that have one; n of them */
    size_t n;
};

/* Fills *out for orgs_json (a JSON array text of uuids); on CM_OK the
 * caller frees it with store_gated_list_free. */
cm_err store_docs_gated(PGconn *pg, const char *orgs_json, struct gated_list *out);

/* Frees what l holds; l is zeroed. */
void store_gated_list_free(struct gated_list *l);

/* Records that user_id agrees to the documents in ids_json (a JSON array
 * text of uuids); agreeing twice changes nothing, and ids that are no
 * document are skipped (the first of them goes to unknown, 37 bytes, ""
 * when none): whatever is still missing is named by the refusal. How many
 * agreements are new goes to *out_added. */
cm_err store_agreements_add(PGconn *pg, const char *user_id, const char *ids_json, char unknown[37],
                            long *out_added);

/* Forgets every agreement of user_id; how many to *out_deleted. */
cm_err store_agreements_delete(PGconn *pg, const char *user_id, long *out_deleted);

/* --- check-ins --- */

struct checkin_rec {
    const char *id;
    const char *user_id;
    const char *organization_id; /* "" none */
    const char *source;
    const char *model;
    const char *os_version;
    const char *app_version;
    const char *created_at;
};

struct checkin_list {
    size_t n;
    struct checkin_rec *items;
    char *mem;
};

void store_checkin_list_free(struct checkin_list *l);

/* A new check-in (strings borrowed; organization_id "" for none); the row
 * as stored goes to *out (one item). */
cm_err store_checkin_insert(PGconn *pg, const struct checkin_rec *c, struct checkin_list *out);

/* The check-ins of user_id, newest first, of source ("" any); skipping
 * offset, at most limit. */
cm_err store_checkins_list(PGconn *pg, const char *user_id, const char *source, long limit,
                           long offset, struct checkin_list *out);

#endif
