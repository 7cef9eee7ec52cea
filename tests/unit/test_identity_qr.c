/* test_identity_qr.c: the provisioning QR code PNG (services/identity/qr_png.c):
 * signature, IHDR, a libpng round trip, quiet zone and finder pattern. */
// links: services/identity/qr_png.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/identity/qr_png.h"

static const char uri[] = "otpauth://totp/Health:alice%40example.org?secret="
                          "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Health&algorithm=SHA1"
                          "&digits=6&period=30";

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

Test(identity_qr, writes_a_png_with_matching_ihdr)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    struct qr_png png = {0};
    int modules;

    cr_assert(eq(int, qr_png_encode(uri, &png), CM_OK));
    cr_assert(png.len > 33);
    cr_assert(memcmp(png.data, sig, sizeof sig) == 0);
    cr_assert(memcmp(png.data + 12, "IHDR", 4) == 0);
    cr_assert(eq(u32, be32(png.data + 16), (uint32_t)png.width));
    cr_assert(eq(u32, be32(png.data + 20), (uint32_t)png.height));
    cr_assert(eq(int, png.width, png.height));
    /* Whole modules, and a QR symbol width (21 + 4k) inside the border. */
    cr_assert(eq(int, png.width % QR_PNG_MODULE_PX, 0));
    modules = png.width / QR_PNG_MODULE_PX - 2 * QR_PNG_BORDER;
    cr_assert(modules >= 21 && (modules - 21) % 4 == 0, "modules %d", modules);
    qr_png_release(&png);
    cr_assert(png.data == NULL);
}

Test(identity_qr, decodes_with_libpng_to_the_same_image)
{
    struct qr_png png = {0};
    png_image img;
    uint8_t *px;
    int side, b = QR_PNG_BORDER * QR_PNG_MODULE_PX;

    cr_assert(eq(int, qr_png_encode(uri, &png), CM_OK));
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    cr_assert(png_image_begin_read_from_memory(&img, png.data, png.len), "%s", img.message);
    cr_assert(eq(u32, img.width, (uint32_t)png.width));
    cr_assert(eq(u32, img.height, (uint32_t)png.height));
    img.format = PNG_FORMAT_GRAY;
    side = png.width;
    px = malloc(PNG_IMAGE_SIZE(img));
    cr_assert(px != NULL);
    cr_assert(png_image_finish_read(&img, NULL, px, 0, NULL), "%s", img.message);
    /* Quiet zone white; the top-left finder pattern's corner module dark,
     * with a light ring one module in. */
    cr_assert(eq(u8, px[0], 0xff));
    cr_assert(eq(u8, px[(size_t)(b - 1) * side + (b - 1)], 0xff));
    cr_assert(eq(u8, px[(size_t)b * side + b], 0x00));
    cr_assert(eq(u8, px[(size_t)(b + QR_PNG_MODULE_PX) * side + b + QR_PNG_MODULE_PX], 0xff));
    cr_assert(
        eq(u8, px[(size_t)(b + 3 * QR_PNG_MODULE_PX) * side + b + 3 * QR_PNG_MODULE_PX], 0x00));
    free(px);
    qr_png_release(&png);
}

Test(identity_qr, longer_text_needs_a_larger_symbol)
{
    struct qr_png small = {0}, large = {0};

    cr_assert(eq(int, qr_png_encode("otpauth://totp/x", &small), CM_OK));
    cr_assert(eq(int, qr_png_encode(uri, &large), CM_OK));
    cr_assert(large.width > small.width);
    qr_png_release(&small);
    qr_png_release(&large);
}

Test(identity_qr, refuses_text_too_long_for_any_version)
{
    size_t n = 4000;
    char *text = malloc(n + 1);
    struct qr_png png = {0};

    cr_assert(text != NULL);
    memset(text, 'A', n);
    text[n] = '\0';
    cr_assert(eq(int, qr_png_encode(text, &png), CM_EINVAL));
    cr_assert(png.data == NULL);
    free(text);
}
