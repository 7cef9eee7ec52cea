-- 003_mfa_totp.sql: TOTP second-factor configurations (mfa-totp, #55-#59).
-- A user may have several configurations being set up, and at most one
-- enabled; login then requires a code from the enabled one. last_step is the
-- last 30-second time step whose code was accepted (at enable or login):
-- codes of that step or older are refused, so none can be replayed.
-- secret is the raw shared key (20 bytes); it is shown to the user once, at
-- creation, and never logged.

CREATE TABLE mfa_totp (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret     bytea NOT NULL CHECK (length(secret) BETWEEN 16 AND 64),
    enabled    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    enabled_at timestamptz,
    last_used  timestamptz,
    last_step  bigint,
    CHECK (enabled = (enabled_at IS NOT NULL))
);
CREATE INDEX mfa_totp_user ON mfa_totp (user_id, created_at);
CREATE UNIQUE INDEX mfa_totp_one_enabled ON mfa_totp (user_id) WHERE enabled;
