/* logo_image.c: logos through libvips (logo_image.h). */
#include "logo_image.h"

#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

/* The loader name prefix libvips reports for a declared type, or NULL. */
static const char *loader_of(const char *content_type)
{
    if (!strcmp(content_type, "image/png"))
        return "pngload";
    if (!strcmp(content_type, "image/jpeg"))
        return "jpegload";
    if (!strcmp(content_type, "image/webp"))
        return "webpload";
    return NULL;
}

cm_err logo_image_make(const void *buf, size_t len, const char *content_type, void **png,
                       size_t *png_len, int *w, int *h, char *why, size_t whylen)
{
    const char *want = loader_of(content_type), *loader = NULL;
    VipsImage *img = NULL, *thumb = NULL;
    void *out = NULL;
    size_t out_len = 0;
    cm_err err = CM_OK;

    if (!want) {
        snprintf(why, whylen, "only image/png, image/jpeg and image/webp are accepted");
        return CM_EINVAL;
    }
    img =
        len ? vips_image_new_from_buffer(buf, len, "", "fail_on", VIPS_FAIL_ON_ERROR, NULL) : NULL;
    if (!img || vips_image_get_string(img, "vips-loader", &loader) != 0 || !loader) {
        snprintf(why, whylen, "the data is not an image");
        err = CM_EINVAL;
    } else if (strncmp(loader, want, strlen(want)) != 0) {
        snprintf(why, whylen, "the image is not of the declared type %s", content_type);
        err = CM_EINVAL;
    } else if ((long)vips_image_get_width(img) * vips_image_get_height(img) > LOGO_MAX_PIXELS) {
        snprintf(why, whylen, "the image has more than %ld pixels", LOGO_MAX_PIXELS);
        err = CM_ETOOBIG;
    } else if (vips_thumbnail_image(img, &thumb, LOGO_MAX_SIDE, "height", LOGO_MAX_SIDE, "size",
                                    VIPS_SIZE_DOWN, NULL) != 0 ||
               vips_pngsave_buffer(thumb, &out, &out_len, NULL) != 0) {
        /* pixels are decoded here: a truncated or damaged image fails now */
        snprintf(why, whylen, "the image is damaged or incomplete");
        err = CM_EINVAL;
    }
    if (err == CM_OK) {
        *png = out;
        *png_len = out_len;
        *w = vips_image_get_width(thumb);
        *h = vips_image_get_height(thumb);
    } else {
        g_free(out);
    }
    vips_error_clear();
    if (thumb)
        g_object_unref(thumb);
    if (img)
        g_object_unref(img);
    return err;
}

void logo_image_free(void *png)
{
    g_free(png);
}
