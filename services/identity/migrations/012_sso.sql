-- 012_sso.sql: sign-in through an organization's external OpenID provider
-- (OIDC). oauth2_clients are the oauth2-client-settings (#60-#64): an
-- application of the organization (client-id, secret stored only as its
-- BLAKE2b-256 hash in hex, redirect-uris) and the OpenID provider its users
-- sign in with (issuer, the suite's client id and secret there, scopes, and
-- the account policy: 'link' existing members by verified email only, or
-- 'provision' new members too). oidc_flows hold one launch in progress
-- (state, nonce, PKCE verifier), used once; oidc_links tie a provider's
-- subject to a user; oauth2_codes are the one-time codes the application
-- trades for the suite's tokens (#67), stored hashed.

CREATE TABLE oauth2_clients (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    client_id              text NOT NULL UNIQUE,
    secret_hash            text NOT NULL,
    redirect_uris          text[] NOT NULL,
    scopes                 text[] NOT NULL DEFAULT '{openid,email,profile}',
    grant_type             text NOT NULL DEFAULT 'authorization_code',
    issuer                 text UNIQUE,  -- NULL: no OpenID provider configured
    provider_client_id     text NOT NULL DEFAULT '',
    provider_client_secret text NOT NULL DEFAULT '',
    account_policy         text NOT NULL DEFAULT 'link' CHECK (account_policy IN ('link', 'provision')),
    created_at             timestamptz NOT NULL DEFAULT now(),
    last_modified_time     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth2_clients_org ON oauth2_clients (organization_id);

CREATE TABLE oidc_flows (
    state          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client         uuid NOT NULL REFERENCES oauth2_clients (id) ON DELETE CASCADE,
    nonce          text NOT NULL,
    code_verifier  text NOT NULL,
    redirect_uri   text NOT NULL,  -- the suite's redirector URL sent to the provider
    launch         text NOT NULL,
    expires_at     timestamptz NOT NULL
);

CREATE TABLE oidc_links (
    issuer     text NOT NULL,
    subject    text NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);

CREATE TABLE oauth2_codes (
    code_hash  text PRIMARY KEY,
    client     uuid NOT NULL REFERENCES oauth2_clients (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
