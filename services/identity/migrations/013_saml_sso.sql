-- 013_saml_sso.sql: SAML 2.0 sign-in (#123-#125). saml_providers: an
-- organization's identity provider, found by the email domain saml-login is
-- given (its id is the {id} of /v1/saml-acs/{id}/...): its entity id, SSO
-- and SLO URLs, signing certificate (PEM), the entity id the suite uses
-- with it (the audience) and the account policy (as oauth2_clients).
-- Rows are written by an operator (no API yet). saml_requests are the
-- AuthnRequests sent (InResponseTo, used once); saml_assertions_seen keeps
-- the ids of accepted assertions until they expire (replays refused);
-- saml_sessions ties a provider session (NameID, SessionIndex) to the
-- suite's session for single logout. Links of NameIDs to users live in
-- oidc_links (issuer = the provider's entity id).

CREATE TABLE saml_providers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain          text NOT NULL UNIQUE CHECK (domain = lower(domain)),
    idp_entity_id   text NOT NULL UNIQUE,
    idp_sso_url     text NOT NULL,
    idp_slo_url     text NOT NULL DEFAULT '',
    idp_cert_pem    text NOT NULL,
    sp_entity_id    text NOT NULL,
    account_policy  text NOT NULL DEFAULT 'link' CHECK (account_policy IN ('link', 'provision')),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE saml_requests (
    id         text PRIMARY KEY,
    provider   uuid NOT NULL REFERENCES saml_providers (id) ON DELETE CASCADE,
    next       text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL
);

CREATE TABLE saml_assertions_seen (
    provider     uuid NOT NULL REFERENCES saml_providers (id) ON DELETE CASCADE,
    assertion_id text NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (provider, assertion_id)
);

CREATE TABLE saml_sessions (
    session_id    uuid PRIMARY KEY,
    provider      uuid NOT NULL REFERENCES saml_providers (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name_id       text NOT NULL,
    session_index text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saml_sessions_name ON saml_sessions (provider, name_id);
