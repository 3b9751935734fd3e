// A real OpenID Connect provider (the `oidc-provider` package) for Chorus's single sign-on tests.
//
// Configured by the environment: OIDC_CONFIG is JSON
//   {"clients": [{client_id, client_secret, redirect_uris, ...}],
//    "accounts": {"<login>": {email, email_verified, name, ...}}}
// It listens on a free loopback port and prints one line `READY <issuer>` once it answers.
// Sign-in uses the package's development interactions: a form that takes a login (the key of
// `accounts`, i.e. the email) and any password. PKCE (S256) is required of every client, and
// the test client's consent is granted up front, as an IT department does for a company app.
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_CONFIG || '{}');
const accounts = config.accounts || {};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients || [],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // the ID token carries the scopes' claims, as Okta's, Google's and Entra ID's do
    conformIdTokenClaims: false,
    cookies: { keys: ['chorus-tests-only'] },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
