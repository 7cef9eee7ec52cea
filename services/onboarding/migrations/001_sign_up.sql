-- 001_sign_up.sql: organization codes (a person signs up with one and joins
-- its organization) and the sign-up requests made with them. Accounts
-- themselves are identity's; onboarding keeps what it learnt at sign-up.
-- Confirmation codes are stored only as a BLAKE2b-256 hash.

CREATE TABLE organization_codes (
    id                  text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    organization_id     uuid NOT NULL,
    individual_group_id uuid,              -- an authz group; not checked here
    enrollment_schema   jsonb,             -- an object, or NULL
    expires_at          timestamptz,       -- NULL: never
    created_by          text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_modified_time  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organization_codes_org ON organization_codes (organization_id, created_at);

-- One per account created by sign-up. code_hash NULL: no live code (used,
-- or invalidated by too many wrong attempts).
CREATE TABLE sign_up_requests (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id              uuid NOT NULL UNIQUE,
    username             text NOT NULL UNIQUE CHECK (username = lower(username)),
    organization_code_id text NOT NULL REFERENCES organization_codes (id),
    organization_id      uuid NOT NULL,
    account_type         text NOT NULL DEFAULT '',
    email                text NOT NULL DEFAULT '',
    first_name           text NOT NULL DEFAULT '',
    last_name            text NOT NULL DEFAULT '',
    birth_date           date,
    locale               text NOT NULL DEFAULT 'en_US',
    tz                   text NOT NULL DEFAULT '',
    phone                text NOT NULL DEFAULT '',
    enrollment_data      jsonb,
    notifications        text[] NOT NULL DEFAULT '{}',
    service_document_agreements text[] NOT NULL DEFAULT '{}',
    referral_code        text NOT NULL DEFAULT '',
    auto_sign_up         boolean NOT NULL DEFAULT false,
    channel              text NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient            text NOT NULL,    -- where codes are sent
    state                text NOT NULL DEFAULT 'init' CHECK (state IN ('init', 'registered')),
    email_verified       boolean NOT NULL DEFAULT false,
    code_hash            bytea CHECK (length(code_hash) = 32),
    code_expires_at      timestamptz,
    attempts             integer NOT NULL DEFAULT 0,
    code_sent_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    confirmed_at         timestamptz
);
CREATE INDEX sign_up_requests_code ON sign_up_requests (organization_code_id, created_at);
