/* synthetic_claims.h: the additional-claims of a synthetic user token (#130)
 * checked and turned into the members a token carries. Pure; unit-tested.
 * A claim may never name anything that says who the token is for, what it
 * may do or where: the token's own claims (typ, sub, sid, org, imp, roles,
 * iat, exp, gen), JWT's registered ones (iss, aud, nbf, jti), the id
 * token's identity facts and the marker "synthetic" are refused. */
#ifndef IDENTITY_SYNTHETIC_CLAIMS_H
#define IDENTITY_SYNTHETIC_CLAIMS_H

#include <jansson.h>
#include <stddef.h>

#include "cm_err.h"

#define SYNTHETIC_MAX_CLAIMS 16
#define SYNTHETIC_CLAIM_VALUE_MAX 256 /* bytes of UTF-8 */

/* 1 when name (any case) is reserved as above. */
int synthetic_claim_reserved(const char *name);

/* Reads arr, an array (NULL or null: none) of {"claim": name, "value":
 * string} whose JSON pointer is prefix, into a new object claim → value
 * (*out, caller json_decref). A name is 1..64 of letters, digits and
 * "_-.:", starting with a letter; not reserved; not repeated. On
 * CM_EINVAL the pointer at fault goes to pointer (pcap bytes) and why to
 * detail (dcap bytes); *out is then untouched. */
cm_err synthetic_claims_read(const json_t *arr, const char *prefix, json_t **out, char *pointer,
                             size_t pcap, char *detail, size_t dcap);

#endif
