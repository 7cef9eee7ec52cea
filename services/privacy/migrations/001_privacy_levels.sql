-- 001_privacy_levels.sql: the privacy levels organizations request (per care
-- group, per participant) and the level each participant sets. A level set
-- is a bit mask: 1 = "mhci", 2 = "transcript" (levels.h); 0 = none.
-- Groups and participants are authz's and identity's: this schema keeps
-- only their ids (no names, no emails), so erasing a person here is
-- deleting the rows of their user id.

-- What an API client of organization_id asked of a care group.
CREATE TABLE group_requests (
    group_id        uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    group_number    bigint NOT NULL,          -- the API's groupID (authz groups.number)
    levels          integer NOT NULL CHECK (levels BETWEEN 0 AND 3),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_requests_org ON group_requests (organization_id, group_number);

-- What an API client of organization_id asked of one participant.
CREATE TABLE participant_requests (
    organization_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    levels          integer NOT NULL CHECK (levels BETWEEN 0 AND 3),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organization_id)
);

-- What the participant set, and when they last reviewed it (a notice at
-- check-in stops once they review after the latest request).
CREATE TABLE participant_settings (
    user_id     uuid PRIMARY KEY,
    levels      integer NOT NULL CHECK (levels BETWEEN 0 AND 3),
    reviewed_at timestamptz NOT NULL DEFAULT now()
);
