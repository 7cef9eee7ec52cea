/* store_phi_keys.h: the SQL of the PHI keys (phi_crypt.h): the database
 * key (table phi_db_key), and re-sealing under the first key of PHI_KEYS at
 * start: every patient record and thread patient name sealed under another
 * key is opened and sealed again, page by page in key order, each row
 * written only if no one rewrote it meanwhile. */
#ifndef MESSAGING_STORE_PHI_KEYS_H
#define MESSAGING_STORE_PHI_KEYS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "cm_err.h"
#include "phi_crypt.h"

struct phi_reseal_counts {
    long patients; /* re-sealed */
    long threads;
    long failed; /* sealed under a key not listed, or that do not open: left as they are */
};

/* Re-seals every box not under ring's first key. *out counts what it did
 * (written on CM_OK). Database errors stop it (CM_EUNAVAIL...). */
cm_err phi_reseal(PGconn *pg, const struct cm_keyring *ring, struct phi_reseal_counts *out);

/* The database key (id "db") into key (32 bytes) and *found = 1; when it
 * is missing, a random one is stored first if make, else *found = 0. */
cm_err store_phi_db_key(PGconn *pg, int make, uint8_t key[32], int *found);

#endif
