-- 004_account_codes.sql: codes sent to a user's addresses keep their history,
-- and anonymous code operations are counted (issue 9, findings 2, 3, 7).
--
-- reset_codes: every password-reset code ever sent stays recorded (used,
-- voided by wrong codes or replaced by a newer one) for 30 days, so the
-- sends of the last hour are counted per user whatever happened to the
-- codes. At most one code per user is pending (neither used nor voided).
--
-- email_changes: a new email address is pending until the code sent to it
-- is entered (POST /v1/users/{id}/verify-email/); users.email keeps the
-- verified address until then. Same shape and life as reset_codes.
--
-- code_throttle: fixed one-hour windows of counts per (scope, key): forgot-
-- password requests per username and per client address, wrong reset codes
-- per username and per client address, wrong email-verification codes per
-- user. Rows are overwritten when their window has passed and deleted two
-- hours after it started (keys are usernames and client addresses).

ALTER TABLE reset_codes DROP CONSTRAINT reset_codes_pkey;
ALTER TABLE reset_codes ADD COLUMN id bigserial PRIMARY KEY;
ALTER TABLE reset_codes ADD COLUMN channel text NOT NULL DEFAULT 'email'
    CHECK (channel IN ('email', 'sms'));
ALTER TABLE reset_codes ADD COLUMN used_at timestamptz;
ALTER TABLE reset_codes ADD COLUMN voided_at timestamptz;
ALTER TABLE reset_codes ADD COLUMN void_reason text
    CHECK (void_reason IN ('wrong_codes', 'replaced'));
CREATE UNIQUE INDEX reset_codes_pending ON reset_codes (user_id)
    WHERE used_at IS NULL AND voided_at IS NULL;
CREATE INDEX reset_codes_user_time ON reset_codes (user_id, created_at);

CREATE TABLE email_changes (
    id          bigserial PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 255),
    code_hash   bytea NOT NULL CHECK (length(code_hash) = 32),
    attempts    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    verified_at timestamptz,
    voided_at   timestamptz,
    void_reason text CHECK (void_reason IN ('wrong_codes', 'replaced'))
);
CREATE UNIQUE INDEX email_changes_pending ON email_changes (user_id)
    WHERE verified_at IS NULL AND voided_at IS NULL;
CREATE INDEX email_changes_user_time ON email_changes (user_id, created_at);

CREATE TABLE code_throttle (
    scope        text NOT NULL,
    key          text NOT NULL,
    hits         integer NOT NULL,
    window_start timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX code_throttle_window ON code_throttle (window_start);
