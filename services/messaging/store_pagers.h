/* store_pagers.h: who a pager number reaches in an organization: one
 * user, or the members of a service (seed 001, POST page); and who a
 * service is (thread/create's `services`). Reads the tables the admin users
 * and pager/service operations write (004_clinical_people.sql):
 * clinical_users.pager_number, clinical_service_pagers and
 * clinical_user_services. */
#ifndef MESSAGING_STORE_PAGERS_H
#define MESSAGING_STORE_PAGERS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define PAGER_MAX_TARGETS 200

struct pager_targets {
    int service;                          /* 1: a service's pager (answer with "messages") */
    size_t n;                             /* 0 for a service without members */
    char user_ids[PAGER_MAX_TARGETS][64]; /* account uuids */
};

/* The targets of number in organization org. CM_ENOTFOUND when the number
 * is nobody's there. *out written on CM_OK (caller's storage, large). */
cm_err pager_directory_lookup(PGconn *pg, const char *org, const char *number,
                              struct pager_targets *out);

/* The members (account uuids) of service in organization org, at most
 * PAGER_MAX_TARGETS, into out (service = 1; n = 0 when it has none). */
cm_err pager_directory_service(PGconn *pg, const char *org, const char *service,
                               struct pager_targets *out);

#endif
