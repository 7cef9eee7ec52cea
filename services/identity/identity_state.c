/* identity_state.c: identity's service-wide state (identity_state.h). */
#include "identity_state.h"

#include <sodium.h>
#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_pg.h"

void identity_state_free(void *state)
{
    struct identity_state *st = state;

    if (!st)
        return;
    code_mailer_free(st->mail);
    pw_hashers_free(st->hashers);
    agreements_gate_free(st->gate);
    sodium_memzero(&st->signing, sizeof st->signing);
    sodium_memzero(&st->totp, sizeof st->totp);
    free(st);
}

cm_err identity_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct identity_state *st = cm_xcalloc(1, sizeof *st);
    PGconn *pg = NULL;
    cm_err err;

    err = cm_pg_connect(cfg, &pg);
    if (err == CM_OK)
        err = signing_keys_load(cfg, pg, &st->signing);
    if (err == CM_OK)
        err = totp_keys_load(cfg, pg, &st->totp);
    if (err == CM_OK) /* rows in clear, or under an older key */
        err = totp_keys_reseal(&st->totp, pg);
    PQfinish(pg);
    st->mail = code_mailer_new();
    st->gate = agreements_gate_new();
    if (err == CM_OK)
        err = pw_hashers_new(cfg, &st->hashers);
    if (err == CM_OK)
        err = code_mailer_start(st->mail, cfg, nc);
    if (err != CM_OK) {
        identity_state_free(st);
        return err;
    }
    *out_state = st;
    return CM_OK;
}
