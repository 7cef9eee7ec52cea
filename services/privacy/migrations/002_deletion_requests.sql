-- 002_deletion_requests.sql: deletion requests (#18-#21) and their saga's
-- steps, one per service that keeps data of a person, in the order they run
-- (saga.c). While a request runs it holds the person's id, email and the
-- texts that identify them (needles); when it is done, they are cleared and
-- the row is the tombstone: id, status, steps, times, archive, type, and
-- email_hash = SHA-256 of a random key kept here ‖ lower(email), which only
-- lets GET ?user-email= find it again.

CREATE TABLE privacy_key (
    id  integer PRIMARY KEY CHECK (id = 1),
    key bytea NOT NULL
);
INSERT INTO privacy_key (id, key)
VALUES (1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

CREATE TABLE deletion_requests (
    id           uuid PRIMARY KEY,
    user_id      uuid,                         -- NULL once done
    email        text NOT NULL DEFAULT '',     -- '' once done
    needles      text[] NOT NULL DEFAULT '{}', -- id, email, username; '{}' once done
    email_hash   bytea NOT NULL,
    archive      boolean NOT NULL DEFAULT false,
    type         text NOT NULL DEFAULT 'indv',
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
    lease_until  timestamptz,                  -- a saga runner holds it until then
    created_at   timestamptz NOT NULL DEFAULT now(),
    done_at      timestamptz
);
CREATE UNIQUE INDEX deletion_requests_running ON deletion_requests (user_id) WHERE status = 'running';
CREATE INDEX deletion_requests_email ON deletion_requests (email_hash);

CREATE TABLE deletion_steps (
    request_id   uuid NOT NULL REFERENCES deletion_requests (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    app          text NOT NULL,
    operation    text NOT NULL DEFAULT 'purge',
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    reference_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    attempts     integer NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, app)
);
