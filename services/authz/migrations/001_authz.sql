-- 001_authz.sql: authz's own resources (individuals, the group tree with its
-- individuals, leaders and members, their audit log, background tasks) and
-- its projection of identity's users, memberships and roles, which identity's
-- events feed (durable JetStream consumer "authz", inbox table) and a full
-- re-population from identity repairs.

-- ---- projection of identity (written only by the projection) ----
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    username          text NOT NULL DEFAULT '',
    email             text NOT NULL DEFAULT '',
    first_name        text NOT NULL DEFAULT '',
    last_name         text NOT NULL DEFAULT '',
    enabled           boolean NOT NULL DEFAULT true,
    platform_admin    boolean NOT NULL DEFAULT false,
    last_populated_at timestamptz,          -- last full re-population that covered this user
    latest_event_at   timestamptz,          -- occurred_at of the newest event applied to this user
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE memberships (
    user_id         uuid NOT NULL,
    organization_id uuid NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX memberships_org ON memberships (organization_id);

CREATE TABLE user_roles (
    user_id         uuid NOT NULL,
    organization_id uuid NOT NULL,
    role_name       text NOT NULL,
    PRIMARY KEY (user_id, organization_id, role_name)
);
CREATE INDEX user_roles_org ON user_roles (organization_id, role_name);

-- one row: when the last full re-population finished
CREATE TABLE projection_state (
    id                  integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    last_populated_at   timestamptz,
    latest_event_at     timestamptz
);
INSERT INTO projection_state DEFAULT VALUES;

-- ---- individuals: a person's record id, owned by an organization ----
CREATE TABLE individuals (
    id             uuid PRIMARY KEY,        -- the individual-id
    owner_id       uuid NOT NULL,           -- owning organization
    user_id        uuid,                    -- the individual's own account, when it has one
    first_name     text NOT NULL DEFAULT '',
    last_name      text NOT NULL DEFAULT '',
    email          text NOT NULL DEFAULT '',
    phone          text NOT NULL DEFAULT '',
    birth_date     date,
    account_type   text NOT NULL DEFAULT '',
    email_verified boolean NOT NULL DEFAULT false,
    phone_verified boolean NOT NULL DEFAULT false,
    registered     boolean NOT NULL DEFAULT false,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX individuals_owner ON individuals (owner_id);
CREATE INDEX individuals_user ON individuals (user_id);

-- ---- groups: one tree (divisions and groups) per organization ----
CREATE TABLE groups (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id    uuid NOT NULL,
    parent_id          uuid REFERENCES groups (id),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    node_type          text NOT NULL DEFAULT 'group' CHECK (node_type IN ('division', 'group')),
    type               text NOT NULL DEFAULT 'regular'
                       CHECK (type IN ('all_participants', 'provider_only', 'regular', 'unassigned')),
    tags               text[] NOT NULL DEFAULT '{}',
    is_active          boolean NOT NULL DEFAULT true,
    members_can_write  boolean NOT NULL DEFAULT false, -- members may write the group's individuals
    created_by         uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_modified_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groups_org ON groups (organization_id);
CREATE INDEX groups_parent ON groups (parent_id);

-- Closure of the tree: (a, d, depth) for every ancestor a of d, including
-- (g, g, 0). Kept in the same transaction as every create and move.
CREATE TABLE group_tree (
    ancestor_id   uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    descendant_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    depth         integer NOT NULL CHECK (depth >= 0),
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX group_tree_descendant ON group_tree (descendant_id, ancestor_id);

CREATE TABLE group_individuals (
    group_id      uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    individual_id uuid NOT NULL REFERENCES individuals (id) ON DELETE CASCADE,
    added_by      uuid,
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, individual_id)
);
CREATE INDEX group_individuals_individual ON group_individuals (individual_id, group_id);

CREATE TABLE group_leaders (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL,
    added_by uuid,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_leaders_user ON group_leaders (user_id, group_id);

CREATE TABLE group_members (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL,
    added_by uuid,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, group_id);

-- individual-group-logs: who added or removed whom
CREATE TABLE group_logs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id     uuid NOT NULL,
    subject      text NOT NULL CHECK (subject IN ('individual', 'leader', 'member', 'group')),
    subject_id   uuid NOT NULL,
    event        text NOT NULL CHECK (event IN ('add', 'remove', 'move')),
    created_by   uuid,
    created_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_logs_group ON group_logs (group_id, created_time);
CREATE INDEX group_logs_subject ON group_logs (subject_id, created_time);

-- background work with a task id (move-group)
CREATE TABLE tasks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL,
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    detail      jsonb NOT NULL DEFAULT '{}',
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
