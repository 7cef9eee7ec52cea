/* test_identity_saml_xml.c: the pure parts of SAML (services/identity/saml_xml.c):
 * an AuthnRequest survives the HTTP-Redirect encoding (DEFLATE, base64)
 * with its ID, destination, ACS and issuer escaped; Responses that are not
 * XML, carry a DTD, are not Responses, repeat an ID, hold two assertions or
 * are unsigned are refused before any signature check; a LogoutRequest is
 * read and checked for issuer and expiry. Signed responses are covered end
 * to end by the integration suite saml. */
// links: services/identity/saml_xml.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/identity/saml_xml.h"

static void setup(void)
{
    cr_assert(eq(int, saml_xml_init(), 0));
}

TestSuite(saml_xml, .init = setup, .fini = saml_xml_shutdown);

static const struct saml_expect E = {"https://idp.test/m", "", "https://sp.test/m",
                                     "https://sp.test/acs/"};

#define RESP_OPEN                                                                                 \
    "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "                     \
    "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\"><samlp:Status>"            \
    "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"

static cm_err verify(const char *xml, char *detail)
{
    struct saml_assertion a;
    return saml_response_verify(xml, strlen(xml), &E, 1700000000, &a, detail, 160);
}

Test(saml_xml, authn_request_round_trips_through_the_redirect_encoding)
{
    char *enc = saml_authn_request_encoded("_abc", 1700000000, "https://idp.test/sso?a=1&b=2",
                                           "https://sp.test/acs/", "https://sp.test/m");
    char *xml = NULL;
    size_t len = 0;

    cr_assert(enc != NULL);
    cr_assert(eq(int, saml_redirect_inflate(enc, &xml, &len), CM_OK));
    cr_assert(strstr(xml, "ID=\"_abc\"") != NULL);
    cr_assert(strstr(xml, "Destination=\"https://idp.test/sso?a=1&amp;b=2\"") != NULL);
    cr_assert(strstr(xml, "AssertionConsumerServiceURL=\"https://sp.test/acs/\"") != NULL);
    cr_assert(strstr(xml, ">https://sp.test/m</saml:Issuer>") != NULL);
    cr_assert(strstr(xml, "IssueInstant=\"2023-11-14T22:13:20Z\"") != NULL);
    free(enc);
    free(xml);
    cr_assert(eq(int, saml_redirect_inflate("%%%", &xml, &len), CM_EINVAL));
}

Test(saml_xml, malformed_or_unsigned_responses_are_refused)
{
    char d[160];

    cr_assert(eq(int, verify("not xml", d), CM_EINVAL));
    cr_assert(eq(int, verify("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", d), CM_EINVAL));
    cr_assert(eq(str, d, "SAMLResponse must not have a DTD"));
    cr_assert(eq(int, verify("<x/>", d), CM_EINVAL));
    cr_assert(eq(str, d, "SAMLResponse is not a SAML Response"));
    cr_assert(eq(int, verify(RESP_OPEN "<saml:Assertion ID=\"_r1\"/></samlp:Response>", d),
                 CM_EUNAUTH));
    cr_assert(eq(str, d, "SAMLResponse repeats an ID"));
    cr_assert(eq(int,
                 verify(RESP_OPEN "<saml:Assertion ID=\"_a1\"/><saml:Assertion ID=\"_a2\"/>"
                                  "</samlp:Response>",
                        d),
                 CM_EUNAUTH));
    cr_assert(eq(str, d, "the SAML response must hold one plain assertion"));
    cr_assert(eq(int, verify(RESP_OPEN "<saml:Assertion ID=\"_a1\"/></samlp:Response>", d),
                 CM_EUNAUTH));
    cr_assert(eq(str, d, "the SAML assertion is not signed"));
}

Test(saml_xml, logout_request_is_read_and_checked)
{
    const char *xml = "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                      "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_l1\" "
                      "NotOnOrAfter=\"2023-11-14T22:20:00Z\"><saml:Issuer>https://idp.test/m"
                      "</saml:Issuer><saml:NameID>a@b.test</saml:NameID></samlp:LogoutRequest>";
    char id[SAML_ID_MAX], name[256], d[160];

    cr_assert(eq(int, saml_logout_request_parse(xml, strlen(xml), "https://idp.test/m",
                                                1700000000, id, name, d, sizeof d),
                 CM_OK));
    cr_assert(eq(str, id, "_l1"));
    cr_assert(eq(str, name, "a@b.test"));
    cr_assert(eq(int, saml_logout_request_parse(xml, strlen(xml), "https://other.test/m",
                                                1700000000, id, name, d, sizeof d),
                 CM_EUNAUTH));
    cr_assert(eq(int, saml_logout_request_parse(xml, strlen(xml), "https://idp.test/m",
                                                1700000000 + 3600, id, name, d, sizeof d),
                 CM_EUNAUTH));
    cr_assert(eq(str, d, "the logout request has expired"));
}
