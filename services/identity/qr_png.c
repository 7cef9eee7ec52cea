/* qr_png.c: QR code PNGs for TOTP provisioning (qr_png.h). The symbol from
 * libqrencode is scaled into a grayscale bitmap and written with libpng's
 * simplified API, which reports errors by return value (no longjmp). */
#include "qr_png.h"

#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

/* Draws qr into a new bitmap of side *out_side pixels (caller frees). */
static uint8_t *draw(const QRcode *qr, int *out_side)
{
    int side = (qr->width + 2 * QR_PNG_BORDER) * QR_PNG_MODULE_PX;
    uint8_t *px = cm_xmalloc((size_t)side * (size_t)side);

    memset(px, 0xff, (size_t)side * (size_t)side);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++) {
            if (!(qr->data[y * qr->width + x] & 1)) /* bit 0: dark module */
                continue;
            for (int dy = 0; dy < QR_PNG_MODULE_PX; dy++) {
                size_t row = (size_t)((y + QR_PNG_BORDER) * QR_PNG_MODULE_PX + dy) * (size_t)side;
                memset(px + row + (size_t)((x + QR_PNG_BORDER) * QR_PNG_MODULE_PX), 0x00,
                       QR_PNG_MODULE_PX);
            }
        }
    *out_side = side;
    return px;
}

cm_err qr_png_encode(const char *text, struct qr_png *out)
{
    png_image img;
    png_alloc_size_t size = 0;
    QRcode *qr;
    uint8_t *px, *buf = NULL;
    int side;
    cm_err err = CM_OK;

    errno = 0;
    qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr)
        return errno == ERANGE || errno == EINVAL ? CM_EINVAL : CM_ENOMEM;
    px = draw(qr, &side);
    QRcode_free(qr);

    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)side;
    img.height = (png_uint_32)side;
    img.format = PNG_FORMAT_GRAY;
    /* First pass measures, second writes. */
    if (!png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL) || size == 0)
        err = CM_EINTERNAL;
    if (err == CM_OK) {
        buf = cm_xmalloc(size);
        if (!png_image_write_to_memory(&img, buf, &size, 0, px, 0, NULL))
            err = CM_EINTERNAL;
    }
    png_image_free(&img);
    free(px);
    if (err != CM_OK) {
        free(buf);
        return err;
    }
    out->data = buf;
    out->len = size;
    out->width = side;
    out->height = side;
    return CM_OK;
}

void qr_png_release(struct qr_png *png)
{
    free(png->data);
    memset(png, 0, sizeof *png);
}
