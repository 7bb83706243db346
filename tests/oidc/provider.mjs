// A real OpenID Provider (node-oidc-provider) on loopback, for the tracker's log-in tests.
//
// Started by tests/oidc_support.py: `node provider.mjs ACCOUNTS.json`. It listens on a free
// port of 127.0.0.1 and prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"}, when
// it is ready. Everything else is the provider's own behaviour, except a few test controls
// under /__test__/ (loopback only) that change what a real provider can change too:
//
//   POST /__test__/clients  {client_id, client_secret, redirect_uris, post_logout_redirect_uris,
//                            alias_of?}   register a client (alias_of: answer for this id with
//                                         another client's registration, so its ID tokens name
//                                         that other client as their audience)
//   POST /__test__/clock    {offset}      run the provider's clock `offset` seconds off
//   POST /__test__/keys     {mode}        "rotate": sign with a new key under a new key id;
//                                         "same-kid": a new key under the old key id
//   POST /__test__/reset                  the clock right and the first key back
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const accounts = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// Standard output carries the one ready line; the provider's notices go to the log instead,
// where nobody needs to read them for the pipe to stay open.
console.log = console.info = console.error;

// The provider's clock: every time it reads (token lifetimes, expiry checks) goes through it.
let clockOffset = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + clockOffset * 1000;

function newKey(kid = randomUUID()) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

const firstKey = newKey();
let signingKey = firstKey;

// Clients live here rather than in the configuration, so tests can add them while it runs.
const clients = new Map();

class Adapter extends MemoryAdapter {
  async find(id) {
    if (this.model === 'Client') {
      return clients.get(id);
    }
    return super.find(id);
  }
}

// The claims each scope releases; the Feide-like ones are namespaced as Feide names them.
const FEIDE_USERID_SEC = 'https://n.feide.no/claims/userid_sec';
const FEIDE_EPPN = 'https://n.feide.no/claims/eduPersonPrincipalName';
const claims = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  'userid-feide': [FEIDE_USERID_SEC, FEIDE_EPPN],
};

const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function configuration() {
  return {
    adapter: Adapter,
    jwks: { keys: [signingKey] },
    claims,
    scopes: Object.keys(claims),
    cookies: { keys: ['test-provider-cookie-key'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page(
            'Sign out of the test provider?',
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">`
              + 'Yes, sign me out</button>'
              + '<button type="submit" form="op.logoutForm">No, stay signed in</button>',
          );
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You are signed out of the test provider.</p>');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Test provider error', `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
    // Long enough that a clock set hours back does not expire the log-in cookies at once.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 24 * 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    async findAccount(ctx, sub) {
      const account = Object.values(accounts).find((a) => a.claims.sub === sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ ...account.claims }) };
    },
    // A first-party provider: the person consents by logging in, as at an institution's.
    async loadExistingGrant(ctx) {
      const { client, session, params } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      const grant = (grantId && await ctx.oidc.provider.Grant.find(grantId))
        || new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(params.scope);
      await grant.save();
      // Under the registered id too, for a client asked for by an alias (see /__test__/clients).
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
  };
}

async function readBody(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

function loginPage(uid, error = '') {
  return page(
    'Sign in at the test provider',
    `${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <p><label for="login">Username</label> <input id="login" name="login" autocomplete="username"></p>
      <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
      <p><button type="submit">Sign in</button></p>
    </form>
    <form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`,
  );
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Wrong interaction', ''));
  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The person cancelled the log-in.',
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'login' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const account = accounts[form.get('login')];
    if (!account || account.password !== form.get('password')) {
      return send(res, 200, loginPage(uid, 'Wrong username or password.'));
    }
    return provider.interactionFinished(req, res, {
      login: { accountId: account.claims.sub },
    }, { mergeWithLastSubmission: false });
  }
  return send(res, 200, loginPage(uid));
}

async function control(req, res, what) {
  const data = JSON.parse((await readBody(req)) || '{}');
  if (what === 'clients') {
    const { alias_of: aliasOf, ...metadata } = data;
    const registration = aliasOf ? clients.get(aliasOf) : {
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...metadata,
    };
    clients.set(data.client_id, registration);
  } else if (what === 'clock') {
    clockOffset = Number(data.offset) || 0;
  } else if (what === 'keys') {
    signingKey = data.mode === 'same-kid' ? newKey(signingKey.kid) : newKey();
    current = build();
  } else if (what === 'reset') {
    clockOffset = 0;
    if (signingKey !== firstKey) {
      signingKey = firstKey;
      current = build();
    }
  } else {
    return send(res, 404, '{}', 'application/json');
  }
  return send(res, 200, '{}', 'application/json');
}

let issuer;
let current;

function build() {
  const provider = new Provider(issuer, configuration());
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  provider.on('grant.error', (ctx, error) => console.error('grant.error', error.message, error.error_detail));
  return provider;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const provider = current;
  try {
    const test = url.pathname.match(/^\/__test__\/(\w+)$/);
    if (test && req.method === 'POST') return await control(req, res, test[1]);
    const step = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|abort))?$/);
    if (step) return await interaction(provider, req, res, step[1], step[2]);
    return provider.callback()(req, res);
  } catch (error) {
    console.error(error);
    return send(res, 400, page('Test provider error', `<p>${escape(error.message)}</p>`));
  }
});

server.listen(0, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  current = build();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
