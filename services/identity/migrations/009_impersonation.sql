-- 009_impersonation.sql: impersonation requests (#32-#35) and the
-- attribution of what happens during one: user_activities gain the
-- impersonator and the session, and the event types "imps" (an
-- impersonation started) and "impe" (it ended). Who may impersonate whom is
-- handlers_impersonation.c (README, "Impersonation").

CREATE TABLE impersonation_requests (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,   -- who is impersonated
    created_by      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,   -- who impersonates
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
        -- the session's organization (an organization admin's); NULL: the user's default
    state           text NOT NULL CHECK (state IN ('approved', 'used', 'ended')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,  -- an approved request unused by then is expired
    session_id      uuid REFERENCES sessions (id) ON DELETE SET NULL,
    used_at         timestamptz,
    ended_at        timestamptz
);
CREATE INDEX impersonation_requests_user ON impersonation_requests (user_id);
CREATE INDEX impersonation_requests_creator ON impersonation_requests (created_by);

-- the impersonator's own session, shown as impersonated-by.session-id
ALTER TABLE sessions ADD COLUMN impersonator_session_id uuid;

ALTER TABLE user_activities
    ADD COLUMN impersonator_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN session_id uuid;
ALTER TABLE user_activities DROP CONSTRAINT user_activities_event_type_check;
ALTER TABLE user_activities ADD CONSTRAINT user_activities_event_type_check
    CHECK (event_type IN ('login', 'refr', 'sreg', 'imps', 'impe'));
