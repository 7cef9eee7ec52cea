/* test_cm_keyring.c: the keyring that seals TOTP secrets and PHI at rest
 * (libcommon/cm_keyring.c): TOTP_KEYS / PHI_KEYS parsing, seal and open,
 * and that a box opens only under its own key and unchanged. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "cm_keyring.h"

TestSuite(cm_keyring, .timeout = 10, .init = (void (*)(void))sodium_init);

#define K1 "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "k2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="

Test(cm_keyring, parses_ids_and_32_byte_keys)
{
    struct cm_keyring ring = {0};
    char why[160];

    cr_assert(eq(int, cm_keyring_parse(K2 ", " K1, &ring, why, sizeof why), CM_OK), "%s", why);
    cr_assert(eq(int, ring.n, 2));
    cr_assert(eq(str, ring.keys[0].id, "k2"), "the first key seals");
    cr_assert(eq(u8, ring.keys[1].key[0], 1));
    memset(&ring, 0, sizeof ring);
    cr_assert(eq(int, cm_keyring_parse("", &ring, why, sizeof why), CM_OK));
    cr_assert(eq(int, ring.n, 0));
    cr_assert(eq(int, cm_keyring_parse("nokey", &ring, why, sizeof why), CM_EINVAL));
    cr_assert(eq(int, cm_keyring_parse("k:AQID", &ring, why, sizeof why), CM_EINVAL), "3 bytes");
    cr_assert(eq(int,
                 cm_keyring_parse("b@d:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", &ring, why,
                                    sizeof why),
                 CM_EINVAL),
              "bad id");
    memset(&ring, 0, sizeof ring);
    cr_assert(eq(int, cm_keyring_parse(K1 "," K1, &ring, why, sizeof why), CM_EINVAL), "twice");
    cr_assert(strstr(why, "AQEB") == NULL, "no key material in the reason");
}

Test(cm_keyring, a_box_opens_only_with_its_key_and_unchanged)
{
    struct cm_keyring one = {0}, both = {0}, other = {0};
    const uint8_t secret[20] = "0123456789abcdefghij";
    uint8_t box[20 + CM_BOX_OVERHEAD], out[64];
    char id[CM_KEY_ID_MAX], why[160];
    size_t n = 0;

    cr_assert(eq(int, cm_keyring_parse(K1, &one, why, sizeof why), CM_OK));
    cr_assert(eq(int, cm_keyring_parse(K2 "," K1, &both, why, sizeof why), CM_OK));
    cr_assert(eq(int,
                 cm_keyring_parse("k1:"
                                    "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=",
                                    &other, why, sizeof why),
                 CM_OK));
    cm_keyring_seal(&one, secret, sizeof secret, box, id);
    cr_assert(eq(str, id, "k1"));
    cr_assert(memmem(box, sizeof box, secret, sizeof secret) == NULL, "no clear secret in the box");
    cr_assert(eq(int, cm_keyring_open(&both, id, box, sizeof box, out, sizeof out, &n), CM_OK));
    cr_assert(eq(sz, n, sizeof secret));
    cr_assert(memcmp(out, secret, n) == 0);
    cr_assert(eq(int, cm_keyring_open(&both, "k9", box, sizeof box, out, sizeof out, &n),
                 CM_ENOTFOUND));
    cr_assert(
        eq(int, cm_keyring_open(&other, "k1", box, sizeof box, out, sizeof out, &n), CM_EINVAL),
        "another key under the same id");
    box[sizeof box - 1] ^= 1;
    cr_assert(
        eq(int, cm_keyring_open(&both, id, box, sizeof box, out, sizeof out, &n), CM_EINVAL),
        "tampered");
}
