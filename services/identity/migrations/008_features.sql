-- 008_features.sql: feature flags (#23-#28, #85-#88, #138-#141). A feature is
-- a global definition named by a client-chosen id; an organization layer and
-- a user layer each say enabled, disabled or dontcare, with "force". How the
-- layers combine is features_resolve.h (and the README, "Feature flags").

CREATE TABLE features (
    id                 text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    description        text NOT NULL DEFAULT '',
    global_enabled     boolean NOT NULL DEFAULT false,
    assignable         boolean NOT NULL DEFAULT true,
    stage              text NOT NULL DEFAULT 'alpha',
    created_time       timestamptz NOT NULL DEFAULT now(),
    last_modified_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organization_features (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    feature_id         text NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    state              text NOT NULL CHECK (state IN ('enabled', 'disabled', 'dontcare')),
    force              boolean NOT NULL DEFAULT false,
    created_time       timestamptz NOT NULL DEFAULT now(),
    last_modified_time timestamptz NOT NULL DEFAULT now(),
    UNIQUE (feature_id, organization_id)
);
CREATE INDEX organization_features_org ON organization_features (organization_id);

-- organization_id NULL: the setting holds in every organization of the user
-- (add-users, #27); otherwise only there.
CREATE TABLE user_features (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    feature_id         text NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id    uuid REFERENCES organizations (id) ON DELETE CASCADE,
    state              text NOT NULL CHECK (state IN ('enabled', 'disabled', 'dontcare')),
    force              boolean NOT NULL DEFAULT false,
    created_time       timestamptz NOT NULL DEFAULT now(),
    last_modified_time timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (feature_id, user_id, organization_id)
);
CREATE INDEX user_features_user ON user_features (user_id);
