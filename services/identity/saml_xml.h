/* saml_xml.h: the SAML 2.0 messages of SP-initiated sign-in: the
 * AuthnRequest identity sends (HTTP-Redirect binding: raw DEFLATE, base64)
 * and the verification of the Response the identity provider posts back:
 * XML signature with xmlsec (the assertion's, or the whole response's)
 * against the provider's configured certificate only, then issuer,
 * audience, recipient, time window and status. No DTDs, no network, no
 * encrypted assertions. Assertions and names are never logged. */
#ifndef IDENTITY_SAML_XML_H
#define IDENTITY_SAML_XML_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define SAML_CLOCK_SKEW_S 60
#define SAML_ID_MAX 128

/* Once per process, before threads: libxml2 and xmlsec (OpenSSL). 0 on
 * success. */
int saml_xml_init(void);
void saml_xml_shutdown(void);

/* The AuthnRequest id (issued at unix time now, to the provider's
 * destination, answered at acs, from issuer) DEFLATEd and base64-encoded
 * into a new string (caller frees); NULL when it cannot be built. */
char *saml_authn_request_encoded(const char *id, int64_t now, const char *destination,
                                 const char *acs, const char *issuer);

/* What a Response must match. */
struct saml_expect {
    const char *idp_entity_id; /* Issuer */
    const char *cert_pem;      /* the provider's signing certificate */
    const char *sp_entity_id;  /* Audience */
    const char *acs_url;       /* Recipient (and Destination when present) */
};

/* What a verified assertion says. */
struct saml_assertion {
    char id[SAML_ID_MAX];             /* the assertion's ID (replay check) */
    char in_response_to[SAML_ID_MAX]; /* "" when unsolicited */
    char name_id[256];
    char session_index[SAML_ID_MAX];
    int64_t not_on_or_after; /* unix time the assertion stops being usable */
};

/* Verifies the Response xml (len bytes) at unix time now. On CM_OK *out is
 * filled. CM_EUNAUTH when the signature is missing, does not verify with
 * the certificate or does not cover the assertion, the issuer, audience or
 * recipient is another, the assertion is not yet or no longer valid, or the
 * status is not Success; CM_EINVAL when the XML is malformed or not a
 * Response. The reason, safe to show, goes to detail (cap bytes). */
cm_err saml_response_verify(const char *xml, size_t len, const struct saml_expect *e, int64_t now,
                            struct saml_assertion *out, char *detail, size_t cap);

/* --- single logout (HTTP-Redirect binding) --- */

#define SAML_INFLATE_MAX (64 * 1024)

/* A redirect binding's base64, raw-DEFLATEd message into a new
 * NUL-terminated buffer (*out, caller frees) of *out_len bytes, at most
 * SAML_INFLATE_MAX. CM_EINVAL when malformed or larger. */
cm_err saml_redirect_inflate(const char *b64, char **out, size_t *out_len);

/* 1 when sig is an RSA-SHA256 signature of signed_text (len bytes) by the
 * key of cert_pem. */
int saml_redirect_signature_ok(const char *cert_pem, const char *signed_text, size_t len,
                               const unsigned char *sig, size_t sig_len);

/* A LogoutRequest from idp_entity_id, unexpired at now: its ID to id
 * (SAML_ID_MAX bytes) and NameID to name_id (256 bytes). CM_EINVAL when
 * malformed, CM_EUNAUTH for another issuer or an expired request; the
 * reason to detail. */
cm_err saml_logout_request_parse(const char *xml, size_t len, const char *idp_entity_id,
                                 int64_t now, char *id, char *name_id, char *detail, size_t cap);

/* A Success LogoutResponse id to in_response_to, encoded as
 * saml_authn_request_encoded; caller frees. */
char *saml_logout_response_encoded(const char *id, const char *in_response_to, int64_t now,
                                   const char *destination, const char *issuer);

#endif
