// nats_operator.mjs: what `nsc` would make for a nats-server in operator
// mode, for suite nats_creds (tests/integration/test_nats_creds.c): an
// operator, a system account and an application account (JetStream on), a
// user of that account, and a user of another account the server does not
// know. Node's own crypto only (ed25519), NKeys in NATS's base32 form with
// their CRC-16, JWTs signed "ed25519-nkey" as the nats-io/jwt v2 library does.
//
// usage: node nats_operator.mjs <folder>
// writes <folder>/auth.conf (operator, system_account, resolver: MEMORY,
// resolver_preload: to `include` in the server's configuration),
// <folder>/good.creds and <folder>/wrong.creds (credentials files: user JWT and
// seed, as nsc writes them), and prints the application account's public key.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = { seed: 18 << 3, operator: 14 << 3, account: 0, user: 20 << 3 };
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function crc16(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(bytes) {
  let out = '', buf = 0, bits = 0;
  for (const b of bytes) {
    buf = (buf << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(buf >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buf &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(buf << (5 - bits)) & 31];
  return out;
}

function withCrc(bytes) {
  const crc = crc16(bytes);
  return Buffer.concat([bytes, Buffer.from([crc & 0xff, crc >> 8])]);
}

// A new key pair of kind ('operator' | 'account' | 'user'): its public key
// ("O...", "A...", "U..."), seed ("SO...", "SA...", "SU...") and signer.
function keyPair(kind) {
  const raw = randomBytes(32);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw]);
  const priv = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32);
  const p = PREFIX[kind];
  return {
    pub: base32(withCrc(Buffer.concat([Buffer.from([p]), pub]))),
    seed: base32(withCrc(Buffer.concat([Buffer.from([PREFIX.seed | (p >> 5), (p & 31) << 3]), raw]))),
    sign: (data) => sign(null, Buffer.from(data), priv),
  };
}

const b64url = (b) => Buffer.from(b).toString('base64url');

// A JWT of claims `nats` about subject, issued (signed) by issuer.
function jwt(issuer, subject, name, nats) {
  const claims = { jti: '', iat: Math.floor(Date.now() / 1000), iss: issuer.pub, name, sub: subject, nats };
  claims.jti = base32(createHash('sha256').update(JSON.stringify(claims)).digest());
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${b64url(issuer.sign(`${head}.${body}`))}`;
}

const unlimited = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

function accountJwt(operator, account, name, jetstream) {
  const limits = { ...unlimited, mem_storage: jetstream ? -1 : 0, disk_storage: jetstream ? -1 : 0,
                   streams: jetstream ? -1 : 0, consumer: jetstream ? -1 : 0 };
  return jwt(operator, account.pub, name, { limits, default_permissions: { pub: {}, sub: {} },
                                            type: 'account', version: 2 });
}

function userCreds(account, name) {
  const user = keyPair('user');
  const token = jwt(account, user.pub, name, { pub: {}, sub: {}, subs: -1, data: -1, payload: -1,
                                               type: 'user', version: 2 });
  return `-----BEGIN NATS USER JWT-----\n${token}\n------END NATS USER JWT------\n\n` +
    '************************* IMPORTANT *************************\n' +
    'NKEY Seed printed below can be used to sign and prove identity.\n' +
    'NKEYs are sensitive and should be treated as secrets.\n\n' +
    `-----BEGIN USER NKEY SEED-----\n${user.seed}\n------END USER NKEY SEED------\n\n` +
    '*************************************************************\n';
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node nats_operator.mjs <folder>');
  process.exit(2);
}
const operator = keyPair('operator');
const sys = keyPair('account');
const app = keyPair('account');
const stranger = keyPair('account'); // signs a user; the server never hears of it
const opJwt = jwt(operator, operator.pub, 'it-operator',
                  { system_account: sys.pub, type: 'operator', version: 2 });
writeFileSync(join(dir, 'auth.conf'),
  `operator: "${opJwt}"\nsystem_account: ${sys.pub}\nresolver: MEMORY\nresolver_preload: {\n` +
  `  ${sys.pub}: "${accountJwt(operator, sys, 'SYS', false)}"\n` +
  `  ${app.pub}: "${accountJwt(operator, app, 'APP', true)}"\n}\n`);
writeFileSync(join(dir, 'good.creds'), userCreds(app, 'it-suite'), { mode: 0o600 });
writeFileSync(join(dir, 'wrong.creds'), userCreds(stranger, 'it-stranger'), { mode: 0o600 });
console.log(app.pub);
