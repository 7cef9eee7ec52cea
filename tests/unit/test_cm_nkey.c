/* test_cm_nkey.c: NKey seeds, nonce signatures and credentials files
 * (cm_nkey.h), and the server list of cm_wire_servers.h: pure parts. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_nkey.h"
#include "cm_wire_servers.h"

Test(cm_nkey, a_seed_round_trips_and_signs_what_its_public_key_verifies)
{
    uint8_t raw[32], sk[64], pk[32], sig[64];
    char seed[CM_NKEY_SEED_LEN + 1], pub[CM_NKEY_PUBLIC_LEN + 1], b64[128];
    size_t siglen = 0;

    cr_assert(ge(int, sodium_init(), 0));
    randombytes_buf(raw, sizeof raw);
    cm_nkey_encode_seed(raw, seed);
    cr_assert(eq(sz, strlen(seed), (size_t)CM_NKEY_SEED_LEN));
    cr_assert(eq(int, strncmp(seed, "SU", 2), 0));
    cr_assert(eq(int, cm_nkey_from_seed(seed, strlen(seed), pub, sk), 0));
    cr_assert(eq(sz, strlen(pub), (size_t)CM_NKEY_PUBLIC_LEN));
    cr_assert(eq(int, pub[0], 'U'));
    cr_assert(eq(int, cm_nkey_sign(sk, "nonce-1", 7, b64, sizeof b64), 0));
    cr_assert(eq(int,
                 sodium_base642bin(sig, sizeof sig, b64, strlen(b64), NULL, &siglen, NULL,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                 0));
    memcpy(pk, sk + 32, 32);
    cr_assert(eq(int, crypto_sign_verify_detached(sig, (const uint8_t *)"nonce-1", 7, pk), 0));
    seed[10] = seed[10] == 'A' ? 'B' : 'A'; /* the checksum catches a changed character */
    cr_assert(eq(int, cm_nkey_from_seed(seed, strlen(seed), pub, sk), -1));
    cr_assert(eq(int, cm_nkey_from_seed("SUxyz", 5, pub, sk), -1));
}

Test(cm_nkey, a_credentials_file_gives_its_jwt_and_seed)
{
    char path[] = "/tmp/test-creds-XXXXXX", jwt[256], seed[128];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    cr_assert(not(zero(ptr, f)));
    fprintf(f, "-----BEGIN NATS USER JWT-----\neyJhbGciOi.payload.sig\n------END NATS USER "
               "JWT------\n\n************************* IMPORTANT *************************\n"
               "NKEY Seed printed below can be used to sign and prove identity.\n\n"
               "-----BEGIN USER NKEY SEED-----\nSUAEXAMPLE\n------END USER NKEY SEED------\n");
    fclose(f);
    cr_assert(eq(int, cm_nkey_read_creds(path, jwt, sizeof jwt, seed, sizeof seed), 0));
    cr_assert(eq(str, jwt, "eyJhbGciOi.payload.sig"));
    cr_assert(eq(str, seed, "SUAEXAMPLE"));
    f = fopen(path, "w");
    fprintf(f, "-----BEGIN USER NKEY SEED-----\nSUAEXAMPLE\n------END USER NKEY SEED------\n");
    fclose(f);
    cr_assert(eq(int, cm_nkey_read_creds(path, jwt, sizeof jwt, seed, sizeof seed), -1),
              "no JWT: not a credentials file");
    unlink(path);
}

Test(cm_wire_servers, announced_servers_join_the_round_shuffled_and_named_for_tls)
{
    static const char info[] =
        "{\"server_id\":\"x\",\"connect_urls\":[\"10.0.0.2:4222\",\"10.0.0.3:4222\","
        "\"nats-0.nats:4222\"],\"ldm\":false}";
    struct cm_wire_url u[CM_WIRE_MAX_URLS];
    uint64_t rng = 7;
    char why[128];
    int n, seen_first_at_0 = 0;

    cm_wire_servers_forget();
    cm_wire_servers_learn(info, strlen(info));
    cm_wire_servers_learn(info, strlen(info)); /* learnt once */
    n = cm_wire_servers_round("tls://tok@nats-0.nats:4222", u, CM_WIRE_MAX_URLS, &rng, why,
                              sizeof why);
    cr_assert(eq(int, n, 3), "the configured one and two new ones (its own address not twice)");
    for (int i = 0; i < n; i++) {
        cr_assert(eq(int, u[i].tls, 1));
        cr_assert(eq(str, u[i].token, "tok"));
        if (!strcmp(u[i].host, "10.0.0.2") || !strcmp(u[i].host, "10.0.0.3"))
            cr_assert(eq(str, u[i].tls_name, "nats-0.nats"), "checked against the configured name");
    }
    for (int r = 0; r < 50; r++) {
        n = cm_wire_servers_round("tls://tok@nats-0.nats:4222", u, CM_WIRE_MAX_URLS, &rng, why,
                                  sizeof why);
        seen_first_at_0 += !strcmp(u[0].host, "nats-0.nats");
    }
    cr_assert(lt(int, seen_first_at_0, 50), "the order is random, not NATS_URL's first always");
    cr_assert(gt(int, seen_first_at_0, 0));
    cr_assert(cm_wire_info_ldm("{\"ldm\":true}", 12));
    cr_assert(not(cm_wire_info_ldm(info, strlen(info))));
    cm_wire_servers_forget();
}
