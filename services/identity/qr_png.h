/* qr_png.h: a text (the TOTP provisioning URI) drawn as a QR code PNG
 * (libqrencode, libpng), for authenticator apps to scan. */
#ifndef IDENTITY_QR_PNG_H
#define IDENTITY_QR_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define QR_PNG_MODULE_PX 4 /* pixels per QR module, each way */
#define QR_PNG_BORDER 4    /* quiet zone, in modules (ISO/IEC 18004 asks for 4) */

struct qr_png {
    uint8_t *data; /* the PNG file; owned, release with qr_png_release */
    size_t len;
    int width; /* pixels */
    int height;
};

/* Encodes text (NUL-terminated, 8-bit, error correction level M) as an
 * 8-bit grayscale PNG, black modules on white, QR_PNG_MODULE_PX pixels a
 * module with a QR_PNG_BORDER-module quiet zone. On CM_OK *out holds the
 * bytes (caller qr_png_release). CM_EINVAL when text is too long for any QR
 * version, CM_ENOMEM or CM_EINTERNAL when a library fails. */
cm_err qr_png_encode(const char *text, struct qr_png *out);

/* Frees what qr_png_encode gave; a zeroed struct is fine. */
void qr_png_release(struct qr_png *png);

#endif
