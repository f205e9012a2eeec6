// A real OpenID Connect provider for the tests (the npm package oidc-provider, in its quick-start
// mode with devInteractions), on loopback. Usage: node provider.mjs CONFIG.json
//
// CONFIG: {"port", "issuer", "clients": [...], "jwks": {"keys": [private JWK]}, "accounts": {login: claims},
//          "otherKey": private JWK (not published: signs the "wrong-key" tokens)}
//
// GET /__test/mode?set=MODE changes what the token endpoint hands back, to test the app's refusals:
//   normal    the ID token as issued
//   tamper    a claim changed after signing (the signature no longer matches)
//   wrong-key re-signed with a key of the same kid that the provider does not publish
//   audience  re-signed with the provider's own key, for another audience
//   expired   re-signed with the provider's own key, expired an hour ago
//   nonce     re-signed with the provider's own key, with another sign-in's nonce
//   issuer    re-signed with the provider's own key, naming another issuer
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let mode = 'normal';

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: ['test-cookie-key-one', 'test-cookie-key-two'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  conformIdTokenClaims: false, // the claims in the ID token, as Entra ID and Google send them
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = config.accounts[id] || { email: `${id}@council.example`, email_verified: true, name: id };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

async function resign(header, payload, jwk) {
  const key = await jose.importJWK(jwk, header.alg);
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
}

async function alter(idToken) {
  const [h, p, s] = idToken.split('.');
  const header = decode(h);
  const payload = decode(p);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'tamper':
      return `${h}.${b64({ ...payload, email: 'someone.else@council.example', sub: 'someone-else' })}.${s}`;
    case 'wrong-key':
      return resign(header, payload, config.otherKey);
    case 'audience':
      return resign(header, { ...payload, aud: 'another-app' }, config.jwks.keys[0]);
    case 'expired':
      return resign(header, { ...payload, iat: now - 7200, exp: now - 3600 }, config.jwks.keys[0]);
    case 'nonce':
      return resign(header, { ...payload, nonce: 'a-nonce-from-another-sign-in' }, config.jwks.keys[0]);
    case 'issuer':
      return resign(header, { ...payload, iss: 'https://login.example.net/other-tenant' }, config.jwks.keys[0]);
    default:
      return idToken;
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/mode') {
    mode = ctx.query.set || 'normal';
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token && mode !== 'normal') {
    ctx.body = { ...ctx.body, id_token: await alter(ctx.body.id_token) };
  }
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${config.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
