-- 002_accounts.sql: organizations (tenants), users, memberships, roles,
-- sessions with their refresh tokens, login records and throttling, the
-- keys that sign access tokens, and password-reset codes.
-- Usernames are stored lower-cased. Secrets are stored only as hashes:
-- argon2id for passwords, BLAKE2b-256 for refresh tokens and codes.

CREATE TABLE organizations (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
    display_name       text NOT NULL DEFAULT '',
    classification     text NOT NULL DEFAULT 'customer',
    provider_type      text NOT NULL DEFAULT '',
    authorization_type text NOT NULL DEFAULT 'open',
    timezone           text NOT NULL DEFAULT '',
    theme_id           uuid,
    logo_url           text NOT NULL DEFAULT '',
    is_active          boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_modified_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username                  text NOT NULL UNIQUE
                              CHECK (length(username) BETWEEN 1 AND 255 AND username = lower(username)),
    email                     text NOT NULL DEFAULT '',
    first_name                text NOT NULL DEFAULT '',
    last_name                 text NOT NULL DEFAULT '',
    preferred_name            text NOT NULL DEFAULT '',
    gender                    text NOT NULL DEFAULT '',
    birth_date                date,
    phone                     text NOT NULL DEFAULT '',
    phone_type                text NOT NULL DEFAULT '',
    locale                    text NOT NULL DEFAULT 'en_US',
    locale_explicit           boolean NOT NULL DEFAULT false,
    tz                        text NOT NULL DEFAULT '',
    tz_explicit               boolean NOT NULL DEFAULT false,
    classification            text NOT NULL DEFAULT 'customer',
    communication_preferences jsonb NOT NULL DEFAULT '{}',
    password_hash             text,            -- argon2id string; NULL: no password login
    email_verified            boolean NOT NULL DEFAULT false,
    phone_verified            boolean NOT NULL DEFAULT false,
    registered                boolean NOT NULL DEFAULT false, -- sign-up confirmed
    enabled                   boolean NOT NULL DEFAULT true,
    is_platform_admin         boolean NOT NULL DEFAULT false,
    default_organization_id   uuid REFERENCES organizations (id),
    registration_completed_time timestamptz,
    last_login_time           timestamptz,
    created_at                timestamptz NOT NULL DEFAULT now(),
    last_modified_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email ON users (lower(email));

-- A user is a member of organizations; the tenancy boundary.
CREATE TABLE user_organizations (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX user_organizations_org ON user_organizations (organization_id);

-- Roles belong to one organization. Every organization gets "admin"
-- (organization administrator), "provider" and "patient" when created.
CREATE TABLE roles (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    display_name    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);

CREATE TABLE role_users (
    id         bigserial PRIMARY KEY,
    role_id    uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (role_id, user_id)
);
CREATE INDEX role_users_user ON role_users (user_id);

-- A login starts a session; its refresh tokens rotate on every use.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organizations (id),
    impersonator_id uuid REFERENCES users (id),
    interactive     boolean NOT NULL DEFAULT true,
    access_ttl_s    integer NOT NULL CHECK (access_ttl_s BETWEEN 1 AND 3600),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoke_reason   text
);
CREATE INDEX sessions_user ON sessions (user_id);

-- used_at set = rotated away; presenting it again revokes the session.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- user-activities: login, refresh ("refr") and sign-up registration ("sreg").
CREATE TABLE user_activities (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_type      text NOT NULL CHECK (event_type IN ('login', 'refr', 'sreg')),
    carium_employee boolean NOT NULL DEFAULT false,
    occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_activities_user ON user_activities (user_id, occurred_at);
CREATE INDEX user_activities_time ON user_activities (occurred_at);

-- Failed logins per (lower-cased) username, known or not.
CREATE TABLE login_attempts (
    username        text PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0,
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz
);

-- Ed25519 keys signing access tokens; the newest unretired one signs.
CREATE TABLE signing_keys (
    kid        text PRIMARY KEY,
    seed       bytea NOT NULL CHECK (length(seed) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);

-- One pending password-reset code per user.
CREATE TABLE reset_codes (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    expires_at timestamptz NOT NULL,
    attempts   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- API clients become organization service accounts with roles.
ALTER TABLE api_clients ADD COLUMN roles text[] NOT NULL DEFAULT '{}';
ALTER TABLE api_clients ADD COLUMN created_by uuid;
