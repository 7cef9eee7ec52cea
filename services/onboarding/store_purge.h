/* store_purge.h: SQL of onboarding's deletion-saga step (purge_rpc.c). */
#ifndef ONBOARDING_STORE_PURGE_H
#define ONBOARDING_STORE_PURGE_H

/* The statements of onboarding's step of privacy's deletion saga, in order, for
 * cm_purge_serve ($1 the person's id, $2 their names: libcommon/cm_purge.h);
 * a table that holds a person's data gets one line here. */
extern const char *const store_purge_statements[];

#endif
