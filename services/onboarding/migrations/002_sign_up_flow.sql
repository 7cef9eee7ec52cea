-- 002_sign_up_flow.sql: sign-up as a flow that survives a lost reply
-- (README "Flows that span services"), and the per-user and per-address
-- limits of sign-up codes and anonymous lookups.
--
-- A sign-up request is written BEFORE identity is asked for the account,
-- with the account id onboarding chose (user_id), so a retry or the sweeper
-- asks again for the same account. step says how far the flow got:
--   pending          intent recorded; the account may or may not exist yet
--   account_created  identity has the account; a code is still to be sent
--   code_sent        a code went out (what every request was before this)
-- step_at is when step last changed or the sweeper last tried the row.
-- password_check is a keyed BLAKE2b-256 of the password (key: user_id),
-- kept only while the row is pending, so that only the same person can
-- resume a pending sign-up; it is cleared when identity answers.
ALTER TABLE sign_up_requests
    ADD COLUMN step text NOT NULL DEFAULT 'code_sent'
        CHECK (step IN ('pending', 'account_created', 'code_sent')),
    ADD COLUMN step_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN password_check bytea CHECK (length(password_check) = 32),
    ADD COLUMN preferred_name text NOT NULL DEFAULT '',
    ADD COLUMN gender text NOT NULL DEFAULT '';
CREATE INDEX sign_up_requests_unfinished ON sign_up_requests (step_at)
    WHERE step <> 'code_sent';

-- What limits sign-up codes and anonymous lookups, one row per event, kept
-- a day (the sweeper prunes): kind
--   sent     a confirmation code was issued for username (key)
--   wrong    a wrong confirmation code was tried for username (key), known or not
--   sign-up  a sign-up was tried for username (key)
--   addr     a sign-up or confirm-sign-up came from client address (key)
-- Rows outlive the codes they count: voiding or replacing a code forgets
-- nothing.
CREATE TABLE sign_up_limits (
    id   bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('sent', 'wrong', 'sign-up', 'addr')),
    key  text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_up_limits_key ON sign_up_limits (kind, key, at);
CREATE INDEX sign_up_limits_at ON sign_up_limits (at);
