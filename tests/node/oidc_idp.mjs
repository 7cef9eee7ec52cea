// oidc_idp.mjs: a real OpenID provider (npm oidc-provider) for the OIDC
// integration tests (tests/integration/test_oidc.c), on 127.0.0.1 only.
//
//   node oidc_idp.mjs <redirect_uri> [tamper]
//
// Listens on a free port and prints "READY <issuer>" on stdout. One client:
// client_id "suite-rp", secret "suite-rp-secret" (client_secret_basic),
// redirect_uri as given, PKCE required. Interactions: GET /interaction/<uid>
// serves a form; POST it with login=<subject>&email=<address>&verified=1|0
// and the provider signs that subject in and grants every requested scope.
// tamper (for refusal tests) changes the ID token the token endpoint hands
// out: "sig" (claims changed, signature kept), "aud", "iss", "exp", "nonce"
// (re-signed with that claim wrong), "none" (alg none, no signature).
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

process.stdout.on('error', () => {}); // the test may stop reading
const redirectUri = process.argv[2];
const tamper = process.argv[3] || '';
const accounts = new Map(); // subject -> {email, verified}

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'suite-rp', client_secret: 'suite-rp-secret', redirect_uris: [redirectUri],
      grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-idp-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const a = accounts.get(sub) || { email: `${sub}@idp.test`, verified: false };
      return { accountId: sub, async claims() { return { sub, email: a.email, email_verified: a.verified }; } };
    },
  });
  const callback = provider.callback();

  async function interaction(req, res, uid) {
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="/interaction/${uid}"><input name="login"></form>`);
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    const sub = form.get('login') || 'nobody';
    accounts.set(sub, { email: form.get('email') || `${sub}@idp.test`, verified: form.get('verified') === '1' });
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } },
                                       { mergeWithLastSubmission: false });
  }

  function b64(o) { return Buffer.from(JSON.stringify(o)).toString('base64url'); }
  function spoil(idToken) {
    const [h, p, s] = idToken.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const now = Math.floor(Date.now() / 1000);
    if (tamper === 'sig') return `${h}.${b64({ ...claims, email: 'mallory@idp.test' })}.${s}`;
    if (tamper === 'none') return `${b64({ ...header, alg: 'none' })}.${p}.`;
    if (tamper === 'aud') claims.aud = 'someone-else';
    if (tamper === 'iss') claims.iss = 'http://127.0.0.1:1/other';
    if (tamper === 'exp') { claims.iat = now - 7200; claims.exp = now - 3600; }
    if (tamper === 'nonce') claims.nonce = 'not-the-nonce';
    const input = `${h}.${b64(claims)}`;
    return `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    const m = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (m) {
      interaction(req, res, m[1]).catch((e) => { res.statusCode = 500; res.end(String(e)); });
      return;
    }
    if (url.pathname === '/token' && tamper) {
      const end = res.end.bind(res);
      res.end = (chunk, ...rest) => {
        try {
          const doc = JSON.parse(chunk.toString());
          if (doc.id_token) doc.id_token = spoil(doc.id_token);
          chunk = JSON.stringify(doc);
          res.setHeader('content-length', Buffer.byteLength(chunk));
        } catch (e) { /* not JSON: leave it */ }
        return end(chunk, ...rest);
      };
    }
    callback(req, res);
  });
  process.stdout.write(`READY ${issuer}\n`);
});
process.on('SIGTERM', () => process.exit(0));
