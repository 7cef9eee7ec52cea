-- 004_onboarding_requests.sql: onboarding requests (#69-#73): a provider
-- or an organization admin onboards a patient or a provider, optionally
-- creating the account at once (auto-sign-up, with the account id chosen
-- here: the row is the intent, written before identity is asked), and
-- invites the person by email and/or SMS. The person claims the request by
-- signing up with its code as referral-code.
--   account_step  none     no account is made by this request
--                 pending  intent recorded, identity asked (or about to be)
--                 created  identity has the account (patient)
--   status        created  → claimed (claimed_by, claimed_time)
-- last_invite_email / _sms: the latest send per channel, as the API shows
-- it ({id, type, status created|sent|error, error, created-time,
-- respond-time}); status "created" is written before messaging is asked.
-- email_dsn: a bounce report fed back from messaging's delivery events
-- (NULL until such events exist; see README).
CREATE TABLE onboarding_requests (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code                      text NOT NULL UNIQUE,
    organization_id           uuid NOT NULL,
    onboard_type              text NOT NULL CHECK (onboard_type IN ('patient', 'provider')),
    created_by                text NOT NULL DEFAULT '',
    patient                   uuid,
    patient_email             text NOT NULL DEFAULT '',
    phone_number              text NOT NULL DEFAULT '',
    username                  text NOT NULL DEFAULT '',
    auto_sign_up              boolean NOT NULL DEFAULT false,
    auto_confirm              boolean NOT NULL DEFAULT false,
    individual_group_ids      jsonb NOT NULL DEFAULT '[]',
    provider_roles            jsonb NOT NULL DEFAULT '[]',
    notifications             jsonb NOT NULL DEFAULT '[]',
    communication_preferences jsonb,
    account_step              text NOT NULL DEFAULT 'none'
                              CHECK (account_step IN ('none', 'pending', 'created')),
    status                    text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'claimed')),
    claimed_by                uuid,
    claimed_time              timestamptz,
    last_invite_email         jsonb,
    last_invite_sms           jsonb,
    email_dsn                 jsonb,
    created_at                timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_modified_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX onboarding_requests_org ON onboarding_requests (organization_id, created_at);
CREATE INDEX onboarding_requests_email ON onboarding_requests (lower(patient_email));
CREATE INDEX onboarding_requests_phone ON onboarding_requests (phone_number);
CREATE INDEX onboarding_requests_pending ON onboarding_requests (last_modified_time)
    WHERE account_step = 'pending';

-- Registration invitations (#112-#114): an organization invites an email
-- address to sign up; the person claims it by signing up with its code as
-- referral-code (claimed at confirmation, as onboarding requests are).
CREATE TABLE registration_invitations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code            text NOT NULL UNIQUE,
    organization_id uuid NOT NULL,
    invited_email   text NOT NULL,
    created_by      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    claimed_by      uuid,
    claimed_at      timestamptz,
    last_invite     jsonb
);
CREATE INDEX registration_invitations_org ON registration_invitations (organization_id, created_at);
