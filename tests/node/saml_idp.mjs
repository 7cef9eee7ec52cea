// saml_idp.mjs: a SAML 2.0 identity provider (npm samlify, IdP role) for
// the SAML integration tests (tests/integration/test_saml.c), on 127.0.0.1.
//
//   node saml_idp.mjs <dir> <sp_entity_id> <acs_url> [mode]
//
// Makes an RSA key and a self-signed certificate (openssl) in <dir>, listens
// on a free port and prints "READY <base> <dir>/idp.crt". Its entity id is
// <base>/metadata. GET /sso takes an AuthnRequest (HTTP-Redirect binding) and
// serves a login form; POST /login/<uid> with email=<address> answers the
// HTTP-POST binding's form: SAMLResponse (assertion signed, RSA-SHA256) and
// RelayState, for <acs_url>. mode spoils the answer for refusal tests:
// "tamper" (NameID changed after signing), "expired" (issued an hour ago),
// "audience" (for another service provider), "recipient" (for another ACS).
// GET /logout?email=<address> answers 302 to the service provider's single
// logout URL (<acs_url> with "logout/" for "acs/") with a signed
// LogoutRequest (HTTP-Redirect binding, RelayState "relay-1").
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as saml from 'samlify';

process.stdout.on('error', () => {});
const [dir, spEntity, acsUrl, mode = ''] = process.argv.slice(2);
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
  '-subj', '/CN=test-idp', '-keyout', `${dir}/idp.key`, '-out', `${dir}/idp.crt`], { stdio: 'ignore' });
const key = fs.readFileSync(`${dir}/idp.key`, 'utf8');
const cert = fs.readFileSync(`${dir}/idp.crt`, 'utf8');
saml.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

const pending = new Map(); // uid -> {extract, relayState}
const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const idp = saml.IdentityProvider({
    entityID: `${base}/metadata`, privateKey: key, signingCert: cert,
    singleSignOnService: [{ Binding: saml.Constants.namespace.binding.redirect, Location: `${base}/sso` }],
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  const spOf = (entity, acs) => saml.ServiceProvider({
    entityID: entity, wantAssertionsSigned: true, authnRequestsSigned: false,
    wantLogoutRequestSigned: true,
    assertionConsumerService: [{ Binding: saml.Constants.namespace.binding.post, Location: acs }],
    singleLogoutService: [{ Binding: saml.Constants.namespace.binding.redirect,
      Location: acs.replace(/acs\/$/, 'logout/') }],
  });
  const sp = spOf(spEntity, acsUrl);

  async function handle(req, res) {
    const url = new URL(req.url, base);
    if (req.method === 'GET' && url.pathname === '/sso') {
      const query = Object.fromEntries(url.searchParams);
      const { extract } = await idp.parseLoginRequest(sp, 'redirect', { query });
      const uid = crypto.randomUUID();
      pending.set(uid, { extract, relayState: query.RelayState || '' });
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="/login/${uid}"><input name="email"></form>`);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/logout') { // IdP-initiated single logout
      const { context } = idp.createLogoutRequest(sp, 'redirect',
        { logoutNameID: url.searchParams.get('email'), sessionIndex: '' }, 'relay-1');
      res.statusCode = 302;
      res.setHeader('location', context);
      res.end();
      return;
    }
    const m = url.pathname.match(/^\/login\/([^/]+)$/);
    if (req.method === 'POST' && m && pending.has(m[1])) {
      const { extract, relayState } = pending.get(m[1]);
      pending.delete(m[1]);
      let body = '';
      for await (const chunk of req) body += chunk;
      const email = new URLSearchParams(body).get('email');
      let target = sp;
      if (mode === 'audience') target = spOf('https://other-sp.test/metadata', acsUrl);
      if (mode === 'recipient') target = spOf(spEntity, 'https://other-sp.test/acs');
      const RealDate = Date;
      if (mode === 'expired') {
        globalThis.Date = class extends RealDate {
          constructor(...a) { super(...(a.length ? a : [RealDate.now() - 3600 * 1000])); }
          static now() { return RealDate.now() - 3600 * 1000; }
        };
      }
      let context;
      try {
        ({ context } = await idp.createLoginResponse(target, { extract }, 'post', { email }));
      } finally {
        globalThis.Date = RealDate;
      }
      if (mode === 'tamper') {
        const xml = Buffer.from(context, 'base64').toString('utf8')
          .replace(email, 'mallory@evil.test');
        context = Buffer.from(xml).toString('base64');
      }
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="${acsUrl}">` +
        `<input type="hidden" name="SAMLResponse" value="${context}"/>` +
        `<input type="hidden" name="RelayState" value="${relayState.replace(/[&"<>]/g, '')}"/></form>`);
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  }
  server.on('request', (req, res) => {
    handle(req, res).catch((e) => { res.statusCode = 400; res.end(String(e && e.message || e)); });
  });
  process.stdout.write(`READY ${base} ${dir}/idp.crt\n`);
});
process.on('SIGTERM', () => process.exit(0));
