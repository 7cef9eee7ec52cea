/* agreements_gate.h: what identity remembers of onboarding's answers about
 * service documents: which organizations (and whether the platform) have a
 * current required document, as the last CheckAgreements reply that named
 * them said (process memory, one table per daemon in identity_state,
 * thread-safe). Used only when onboarding does
 * not answer: a person all of whose organizations are known to have no
 * required document (and the platform none) still logs in; anyone else
 * gets 503 (fail closed). */
#ifndef IDENTITY_AGREEMENTS_GATE_H
#define IDENTITY_AGREEMENTS_GATE_H

#include <stddef.h>

struct agreements_gate;

/* A new, empty table (nothing known: every organization gated); caller
 * frees with agreements_gate_free. */
struct agreements_gate *agreements_gate_new(void);

/* Frees g; NULL is a no-op. */
void agreements_gate_free(struct agreements_gate *g);

/* Learns from one reply: orgs were asked; gated (ngated) of them, and the
 * platform when platform_gated, have required documents. */
void agreements_gate_learn(struct agreements_gate *g, char *const *orgs, size_t n,
                           int platform_gated, char *const *gated, size_t ngated);

/* 1 when the platform and every one of orgs are known to have no required
 * document, else 0 (unknown counts as gated). */
int agreements_gate_open(struct agreements_gate *g, char *const *orgs, size_t n);

#endif
