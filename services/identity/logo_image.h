/* logo_image.h: an uploaded organization logo checked and resized with
 * libvips (a maintained image library; no hand-written decoder): PNG, JPEG
 * or WebP, of the format declared, at most LOGO_MAX_PIXELS, scaled down to
 * fit LOGO_MAX_SIDE x LOGO_MAX_SIDE and written as PNG. No I/O; vips_init
 * must have run (main.c). */
#ifndef IDENTITY_LOGO_IMAGE_H
#define IDENTITY_LOGO_IMAGE_H

#include <stddef.h>

#include "cm_err.h"

#define LOGO_MAX_SIDE 512
#define LOGO_MAX_PIXELS (25L * 1000 * 1000) /* a decompression bomb stops here */

/* Decodes buf (len bytes) declared as content_type ("image/png",
 * "image/jpeg", "image/webp") and makes the logo: a new PNG buffer (*png,
 * caller g_free / free via logo_image_free) of *png_len bytes and its size
 * *w x *h. CM_EINVAL (why in why) for data that is not a complete image of
 * the declared format, CM_ETOOBIG for more than LOGO_MAX_PIXELS. */
cm_err logo_image_make(const void *buf, size_t len, const char *content_type, void **png,
                       size_t *png_len, int *w, int *h, char *why, size_t whylen);

/* Frees a buffer logo_image_make returned (NULL is a no-op). */
void logo_image_free(void *png);

#endif
