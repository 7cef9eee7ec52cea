-- 010_replication.sql: which services hold a copy of a user (#144, #145
-- user-replications) and the services that do (#115, #116 replicators).
-- A replicator whose feed is identity's user events (feeds_on_create) gets
-- a user_replications row for every user in the transaction that writes the
-- user's "created" event (replication.h); others report theirs through
-- POST /v1/user-replications/. The deletion saga (privacy) reads them.

CREATE TABLE replicators (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
    classpath        text NOT NULL DEFAULT '', -- what it copies and from which feed
    feeds_on_create  boolean NOT NULL DEFAULT false,
    created_time     timestamptz NOT NULL DEFAULT now(),
    last_poll_time   timestamptz               -- its latest report (POST user-replications)
);

CREATE TABLE user_replications (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service      text NOT NULL REFERENCES replicators (name) ON DELETE CASCADE,
    created_time timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, service)
);

-- authz projects every user from evt.identity.user.* (README "Events").
INSERT INTO replicators (name, classpath, feeds_on_create) VALUES
    ('authz', 'authz projection: users, memberships, roles from evt.identity.>', true),
    ('messaging', 'messaging clinical profiles of accounts made through /api admin/users', false),
    ('onboarding', 'onboarding sign-up and check-in records', false);
INSERT INTO user_replications (user_id, service) SELECT id, 'authz' FROM users;
