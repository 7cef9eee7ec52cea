/* saml_xml.c: AuthnRequest and Response verification (saml_xml.h), with
 * libxml2, xmlsec (OpenSSL back end) and zlib. */
#include "saml_xml.h"

#include <libxml/parser.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <libxml/tree.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <zlib.h>

#include "cm_alloc.h"

#define NS_P "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_A "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define BEARER "urn:oasis:names:tc:SAML:2.0:cm:bearer"

int saml_xml_init(void)
{
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
        xmlSecCryptoInit() < 0)
        return -1;
    /* xmlsec's messages would quote the input (personal data): refusals
     * carry their own reason instead */
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    return 0;
}

void saml_xml_shutdown(void)
{
    xmlSecCryptoShutdown();
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
}

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* doc (freed here) serialised, raw-DEFLATEd and base64-encoded into a new
 * string (caller frees); NULL on failure. */
static char *deflate_doc(xmlDocPtr doc)
{
    xmlChar *text = NULL;
    int n = 0;
    char *out = NULL;
    unsigned char *packed = NULL;
    z_stream z;

    xmlDocDumpMemoryEnc(doc, &text, &n, "UTF-8");
    xmlFreeDoc(doc);
    if (!text)
        return NULL;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
        uLong cap = deflateBound(&z, (uLong)n);
        packed = cm_xmalloc(cap);
        z.next_in = text;
        z.avail_in = (uInt)n;
        z.next_out = packed;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            size_t len = sodium_base64_ENCODED_LEN(z.total_out, sodium_base64_VARIANT_ORIGINAL);
            out = cm_xmalloc(len);
            sodium_bin2base64(out, len, packed, z.total_out, sodium_base64_VARIANT_ORIGINAL);
        }
        deflateEnd(&z);
    }
    free(packed);
    xmlFree(text);
    return out;
}

/* The root of a new SAML protocol message name (samlp namespace) in doc,
 * with ID, Version, IssueInstant now, Destination and extra (an attribute
 * of the message's own, may be NULL), and its Issuer child; the samlp
 * namespace into *out_p. */
static xmlNodePtr protocol_message(xmlDocPtr doc, const char *name, const char *id, int64_t now,
                                   const char *destination, const char *extra_name,
                                   const char *extra_value, const char *issuer, xmlNsPtr *out_p)
{
    xmlNodePtr root, iss;
    xmlNsPtr a;
    char when[32];

    iso_time(now, when);
    root = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
    xmlDocSetRootElement(doc, root);
    *out_p = xmlNewNs(root, BAD_CAST NS_P, BAD_CAST "samlp");
    a = xmlNewNs(root, BAD_CAST NS_A, BAD_CAST "saml");
    xmlSetNs(root, *out_p);
    xmlNewProp(root, BAD_CAST "ID", BAD_CAST id);
    xmlNewProp(root, BAD_CAST "Version", BAD_CAST "2.0");
    xmlNewProp(root, BAD_CAST "IssueInstant", BAD_CAST when);
    xmlNewProp(root, BAD_CAST "Destination", BAD_CAST destination);
    if (extra_name)
        xmlNewProp(root, BAD_CAST extra_name, BAD_CAST extra_value);
    iss = xmlNewChild(root, a, BAD_CAST "Issuer", NULL);
    xmlNodeAddContent(iss, BAD_CAST issuer);
    return root;
}

char *saml_authn_request_encoded(const char *id, int64_t now, const char *destination,
                                 const char *acs, const char *issuer)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr req;
    xmlNsPtr p;

    if (!doc)
        return NULL;
    req = protocol_message(doc, "AuthnRequest", id, now, destination,
                           "AssertionConsumerServiceURL", acs, issuer, &p);
    xmlNewProp(req, BAD_CAST "ProtocolBinding",
               BAD_CAST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
    return deflate_doc(doc);
}

static cm_err refuse(cm_err err, char *detail, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static cm_err refuse(cm_err err, char *detail, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
    return err;
}

/* The first element child of n named name in namespace ns; NULL if none. */
static xmlNodePtr child(xmlNodePtr n, const char *ns, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns && !strcmp((const char *)c->ns->href, ns) &&
            !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

/* How many element children of n are named name in ns. */
static int count(xmlNodePtr n, const char *ns, const char *name)
{
    int k = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns && !strcmp((const char *)c->ns->href, ns) &&
            !strcmp((const char *)c->name, name))
            k++;
    return k;
}

/* Attribute name of n copied into buf ("" when absent). */
static void attr(xmlNodePtr n, const char *name, char *buf, size_t cap)
{
    xmlChar *v = n ? xmlGetNoNsProp(n, BAD_CAST name) : NULL;
    snprintf(buf, cap, "%s", v ? (const char *)v : "");
    xmlFree(v);
}

/* Text content of n copied into buf, surrounding blanks trimmed. */
static void text_of(xmlNodePtr n, char *buf, size_t cap)
{
    xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
    const char *s = v ? (const char *)v : "";
    size_t len;

    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '\t'))
        len--;
    snprintf(buf, cap, "%.*s", (int)len, s);
    xmlFree(v);
}

/* An xs:dateTime ("2026-01-02T03:04:05[.fff]Z") as unix time; -1 when malformed. */
static int64_t parse_time(const char *s)
{
    struct tm tm = {0};
    const char *rest;

    rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return -1;
    if (*rest == '.')
        for (rest++; *rest >= '0' && *rest <= '9'; rest++)
            ;
    if (strcmp(rest, "Z"))
        return -1;
    return (int64_t)timegm(&tm);
}

/* 0 when every ID attribute of the tree under n is unique. */
static int ids_unique(xmlNodePtr n, xmlChar **seen, int *nseen, int cap)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *id = xmlGetNoNsProp(n, BAD_CAST "ID");
        if (id) {
            for (int i = 0; i < *nseen; i++)
                if (xmlStrEqual(seen[i], id)) {
                    xmlFree(id);
                    return -1;
                }
            if (*nseen == cap) {
                xmlFree(id);
                return -1;
            }
            seen[(*nseen)++] = id;
        }
        if (ids_unique(n->children, seen, nseen, cap) != 0)
            return -1;
    }
    return 0;
}

/* Verifies the ds:Signature sig, a child of signed, with the certificate:
 * it must verify and its one reference must be "#" + signed's ID. */
static cm_err signature_ok(xmlNodePtr sig, xmlNodePtr signed_node, const char *cert_pem,
                           char *detail, size_t cap)
{
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    xmlSecDSigReferenceCtxPtr ref;
    char id[SAML_ID_MAX + 2], want[SAML_ID_MAX + 4];
    cm_err err = CM_EUNAUTH;

    if (!ctx)
        return refuse(CM_EINTERNAL, detail, cap, "signature check unavailable");
    ctx->signKey = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)cert_pem,
                                                (xmlSecSize)strlen(cert_pem),
                                                xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    if (!ctx->signKey) {
        err = refuse(CM_EINTERNAL, detail, cap, "the provider's certificate cannot be read");
        goto done;
    }
    if (xmlSecDSigCtxVerify(ctx, sig) < 0 || ctx->status != xmlSecDSigStatusSucceeded) {
        refuse(err, detail, cap, "the SAML signature is wrong");
        goto done;
    }
    attr(signed_node, "ID", id, sizeof id);
    snprintf(want, sizeof want, "#%s", id);
    ref = xmlSecPtrListGetSize(&ctx->signedInfoReferences) == 1
              ? xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0)
              : NULL;
    if (!id[0] || !ref || !ref->uri || strcmp((const char *)ref->uri, want)) {
        refuse(err, detail, cap, "the SAML signature does not cover the assertion");
        goto done;
    }
    err = CM_OK;
done:
    xmlSecDSigCtxDestroy(ctx);
    return err;
}

cm_err saml_response_verify(const char *xml, size_t len, const struct saml_expect *e, int64_t now,
                            struct saml_assertion *out, char *detail, size_t cap)
{
    static const xmlChar *ids[] = {BAD_CAST "ID", NULL};
    xmlChar *seen[256];
    int nseen = 0;
    xmlDocPtr doc;
    xmlNodePtr root, as, sig, n, sc, scd = NULL, cond;
    char buf[1024], nb[64], noa[64];
    int64_t t;
    cm_err err = CM_OK;
    int audience = 0;

    memset(out, 0, sizeof *out);
    doc = xmlReadMemory(xml, (int)len, "response.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc)
        return refuse(CM_EINVAL, detail, cap, "SAMLResponse is not XML");
    root = xmlDocGetRootElement(doc);
    if (doc->intSubset || doc->extSubset) {
        err = refuse(CM_EINVAL, detail, cap, "SAMLResponse must not have a DTD");
        goto done;
    }
    if (!root || !root->ns || strcmp((const char *)root->ns->href, NS_P) ||
        strcmp((const char *)root->name, "Response")) {
        err = refuse(CM_EINVAL, detail, cap, "SAMLResponse is not a SAML Response");
        goto done;
    }
    if (ids_unique(root, seen, &nseen, 256) != 0) {
        err = refuse(CM_EUNAUTH, detail, cap, "SAMLResponse repeats an ID");
        goto done;
    }
    xmlSecAddIDs(doc, root, ids);
    attr(root, "Destination", buf, sizeof buf);
    if (buf[0] && strcmp(buf, e->acs_url)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML response is for another destination");
        goto done;
    }
    attr(child(child(root, NS_P, "Status"), NS_P, "StatusCode"), "Value", buf, sizeof buf);
    if (strcmp(buf, SUCCESS)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the identity provider did not sign the user in");
        goto done;
    }
    if (count(root, NS_A, "Assertion") != 1 || child(root, NS_A, "EncryptedAssertion")) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML response must hold one plain assertion");
        goto done;
    }
    as = child(root, NS_A, "Assertion");
    if ((sig = child(as, NS_DS, "Signature")))
        err = signature_ok(sig, as, e->cert_pem, detail, cap);
    else if ((sig = child(root, NS_DS, "Signature")))
        err = signature_ok(sig, root, e->cert_pem, detail, cap);
    else
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion is not signed");
    if (err != CM_OK)
        goto done;
    text_of(child(as, NS_A, "Issuer"), buf, sizeof buf);
    if (strcmp(buf, e->idp_entity_id)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion's issuer is not the provider");
        goto done;
    }
    cond = child(as, NS_A, "Conditions");
    attr(cond, "NotBefore", nb, sizeof nb);
    attr(cond, "NotOnOrAfter", noa, sizeof noa);
    t = noa[0] ? parse_time(noa) : -1;
    if (!cond || t < 0 || (nb[0] && parse_time(nb) < 0)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion has no valid time window");
        goto done;
    }
    if (t + SAML_CLOCK_SKEW_S <= now || (nb[0] && parse_time(nb) > now + SAML_CLOCK_SKEW_S)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion has expired or is not valid yet");
        goto done;
    }
    out->not_on_or_after = t;
    for (n = cond->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "AudienceRestriction"))
            continue;
        for (xmlNodePtr a = n->children; a; a = a->next) {
            if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "Audience"))
                continue;
            text_of(a, buf, sizeof buf);
            audience |= !strcmp(buf, e->sp_entity_id);
        }
    }
    if (!audience) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion is for another audience");
        goto done;
    }
    n = child(as, NS_A, "Subject");
    text_of(child(n, NS_A, "NameID"), out->name_id, sizeof out->name_id);
    for (sc = n ? n->children : NULL; sc; sc = sc->next) {
        if (sc->type != XML_ELEMENT_NODE || strcmp((const char *)sc->name, "SubjectConfirmation"))
            continue;
        attr(sc, "Method", buf, sizeof buf);
        if (!strcmp(buf, BEARER))
            scd = child(sc, NS_A, "SubjectConfirmationData");
    }
    attr(scd, "Recipient", buf, sizeof buf);
    if (!scd || strcmp(buf, e->acs_url)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion is for another recipient");
        goto done;
    }
    attr(scd, "NotOnOrAfter", noa, sizeof noa);
    if (noa[0] && (parse_time(noa) < 0 || parse_time(noa) + SAML_CLOCK_SKEW_S <= now)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion has expired or is not valid yet");
        goto done;
    }
    attr(scd, "InResponseTo", out->in_response_to, sizeof out->in_response_to);
    attr(as, "ID", out->id, sizeof out->id);
    attr(child(as, NS_A, "AuthnStatement"), "SessionIndex", out->session_index,
         sizeof out->session_index);
    if (!out->name_id[0] || !out->id[0]) {
        err = refuse(CM_EUNAUTH, detail, cap, "the SAML assertion names nobody");
        goto done;
    }
done:
    for (int i = 0; i < nseen; i++)
        xmlFree(seen[i]);
    xmlFreeDoc(doc);
    return err;
}

char *saml_logout_response_encoded(const char *id, const char *in_response_to, int64_t now,
                                   const char *destination, const char *issuer)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr r, st, code;
    xmlNsPtr p;

    if (!doc)
        return NULL;
    r = protocol_message(doc, "LogoutResponse", id, now, destination, "InResponseTo",
                         in_response_to, issuer, &p);
    st = xmlNewChild(r, p, BAD_CAST "Status", NULL);
    code = xmlNewChild(st, p, BAD_CAST "StatusCode", NULL);
    xmlNewProp(code, BAD_CAST "Value", BAD_CAST SUCCESS);
    return deflate_doc(doc);
}

cm_err saml_redirect_inflate(const char *b64, char **out, size_t *out_len)
{
    size_t n = strlen(b64), raw_len = 0;
    unsigned char *raw = cm_xmalloc(n + 1);
    char *buf = NULL;
    z_stream z;
    int rc;

    if (sodium_base642bin(raw, n + 1, b64, n, " \r\n\t", &raw_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(raw);
        return CM_EINVAL;
    }
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) {
        free(raw);
        return CM_EINTERNAL;
    }
    buf = cm_xmalloc(SAML_INFLATE_MAX + 1);
    z.next_in = raw;
    z.avail_in = (uInt)raw_len;
    z.next_out = (unsigned char *)buf;
    z.avail_out = SAML_INFLATE_MAX;
    rc = inflate(&z, Z_FINISH);
    *out_len = z.total_out;
    inflateEnd(&z);
    free(raw);
    if (rc != Z_STREAM_END) {
        free(buf);
        return CM_EINVAL;
    }
    buf[*out_len] = '\0';
    *out = buf;
    return CM_OK;
}

int saml_redirect_signature_ok(const char *cert_pem, const char *signed_text, size_t len,
                               const unsigned char *sig, size_t sig_len)
{
    BIO *bio = BIO_new_mem_buf(cert_pem, -1);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = x ? X509_get0_pubkey(x) : NULL;
    EVP_MD_CTX *md = key ? EVP_MD_CTX_new() : NULL;
    int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)signed_text, len) == 1;

    EVP_MD_CTX_free(md);
    X509_free(x);
    BIO_free(bio);
    return ok;
}

cm_err saml_logout_request_parse(const char *xml, size_t len, const char *idp_entity_id,
                                 int64_t now, char *id, char *name_id, char *detail, size_t cap)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "logout.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    char buf[1024];
    cm_err err = CM_OK;

    if (!root || doc->intSubset || !root->ns || strcmp((const char *)root->ns->href, NS_P) ||
        strcmp((const char *)root->name, "LogoutRequest")) {
        err = refuse(CM_EINVAL, detail, cap, "SAMLRequest is not a SAML LogoutRequest");
        goto done;
    }
    text_of(child(root, NS_A, "Issuer"), buf, sizeof buf);
    if (strcmp(buf, idp_entity_id)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the logout request's issuer is not the provider");
        goto done;
    }
    attr(root, "NotOnOrAfter", buf, sizeof buf);
    if (buf[0] && (parse_time(buf) < 0 || parse_time(buf) + SAML_CLOCK_SKEW_S <= now)) {
        err = refuse(CM_EUNAUTH, detail, cap, "the logout request has expired");
        goto done;
    }
    attr(root, "ID", id, SAML_ID_MAX);
    text_of(child(root, NS_A, "NameID"), name_id, 256);
    if (!id[0] || !name_id[0])
        err = refuse(CM_EINVAL, detail, cap, "the logout request names nobody");
done:
    xmlFreeDoc(doc);
    return err;
}
