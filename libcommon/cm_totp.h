/* cm_totp.h: time-based one-time passwords (RFC 6238 over RFC 4226 HOTP,
 * HMAC-SHA1, 30-second steps, 6 digits) and the RFC 4648 base32 alphabet
 * their shared secrets travel in. Pure functions: the caller passes the
 * time, so tests compute the codes a device would show. */
#ifndef CM_TOTP_H
#define CM_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define CM_TOTP_STEP_S 30       /* seconds per time step */
#define CM_TOTP_DIGITS 6        /* digits of a code */
#define CM_TOTP_WINDOW 1        /* steps accepted on either side of the current one */
#define CM_TOTP_SECRET_BYTES 20 /* 160-bit shared secrets (RFC 4226 §4) */
#define CM_TOTP_CODE_MAX 9      /* longest code (8 digits) plus its NUL */

/* Length of the base32 text for n bytes, without the NUL: with '=' padding
 * to a multiple of 8 when pad, else the shortest form. */
size_t cm_base32_len(size_t n, int pad);

/* Writes the base32 form of in (len bytes), upper case, NUL-terminated,
 * into out (cap bytes, at least cm_base32_len(len, pad) + 1). CM_EINVAL
 * when it does not fit (out is then ""). */
cm_err cm_base32_encode(const uint8_t *in, size_t len, int pad, char *out, size_t cap);

/* Decodes base32 text (either case, '=' padding optional but only at the
 * end) into out (cap bytes); *out_len gets the byte count on CM_OK.
 * CM_EINVAL for a character outside the alphabet, an impossible length,
 * non-zero leftover bits, or an output over cap. */
cm_err cm_base32_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len);

/* The time step of unix time t (seconds): floor(t / CM_TOTP_STEP_S). */
int64_t cm_totp_step(int64_t t);

/* The HOTP value of key (keylen bytes) at counter, reduced to digits
 * (6..8) decimal digits. CM_EINVAL for other digit counts, CM_EINTERNAL
 * when libcrypto's HMAC fails. *out is written only on CM_OK. */
cm_err cm_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits, uint32_t *out);

/* The code of key at time step step, zero-padded to digits characters,
 * into out (CM_TOTP_CODE_MAX bytes). Errors as cm_hotp. */
cm_err cm_totp_code(const uint8_t *key, size_t keylen, int64_t step, int digits, char *out);

/* Checks a CM_TOTP_DIGITS-digit code against key at unix time t, accepting
 * steps t's step - CM_TOTP_WINDOW .. + CM_TOTP_WINDOW, but only steps after
 * after_step (the last step consumed; -1 when none), so that a code once
 * used is refused. Returns 1 and the matching step in *out_step, or 0 when
 * the code is malformed, wrong, or already used (*out_step untouched). The
 * comparison does not stop at the first differing digit. */
int cm_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t t,
                   int64_t after_step, int64_t *out_step);

#endif
