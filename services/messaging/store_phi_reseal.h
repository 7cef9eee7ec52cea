/* store_phi_reseal.h: re-sealing PHI under the first key of PHI_KEYS at
 * start (the only SQL of it): every patient record and thread patient name
 * sealed under another key is opened and sealed again, page by page in key
 * order, each row written only if no one rewrote it meanwhile. */
#ifndef MESSAGING_STORE_PHI_RESEAL_H
#define MESSAGING_STORE_PHI_RESEAL_H

#include <libpq-fe.h>

#include "cm_err.h"
#include "phi_crypt.h"

struct phi_reseal_counts {
    long patients; /* re-sealed */
    long threads;
    long failed;   /* sealed under a key not listed, or that do not open: left as they are */
};

/* Re-seals every box not under ring's first key. *out counts what it did
 * (written on CM_OK). Database errors stop it (CM_EUNAVAIL...). */
cm_err phi_reseal(PGconn *pg, const struct phi_keyring *ring, struct phi_reseal_counts *out);

#endif
