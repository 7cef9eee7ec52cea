-- 004_anonymous_accesses.sql: anonymous accesses (#2-#5): a person's
-- scoped, expiring access whose id is the credential of whoever holds it;
-- allowed_endpoints is the allow-list [{service, path, method}] of what
-- proxy (#5) relays (anonymous_access.h).
CREATE TABLE anonymous_accesses (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid NOT NULL,
    allowed_endpoints jsonb NOT NULL,
    expired_at        timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_modified_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX anonymous_accesses_user ON anonymous_accesses (user_id);
