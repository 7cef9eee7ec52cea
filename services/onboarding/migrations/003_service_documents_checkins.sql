-- 003_service_documents_checkins.sql: service documents (terms, privacy
-- policies) people must agree to, the agreements they gave, and the
-- check-ins of their devices and apps.
--
-- A document belongs to the platform (organization_id NULL: everyone) or
-- to one organization (its members, and people signing up with its codes).
-- The current version of a (organization, type) is the one created last;
-- a newer version of a required document makes everyone agree again. The
-- API has no operation that writes documents: they are published by an
-- operator inserting rows here (README "Service documents").
CREATE TABLE service_documents (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid,                  -- NULL: a platform document
    type            text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
    version         text NOT NULL CHECK (length(version) BETWEEN 1 AND 64),
    title           text NOT NULL,
    html_link       text NOT NULL DEFAULT '',
    html            text NOT NULL DEFAULT '',
    translations    jsonb NOT NULL DEFAULT '[]', -- [{locale, title, html-link}]
    required        boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX service_documents_current ON service_documents (organization_id, type, created_at DESC);

-- One row per (person, document version) agreed to. user_id is identity's.
CREATE TABLE service_document_agreements (
    user_id     uuid NOT NULL,
    document_id uuid NOT NULL REFERENCES service_documents (id),
    agreed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, document_id)
);

-- A person's device and app at one check-in. organization_id is the
-- caller's organization at the time (who else may read it).
CREATE TABLE user_checkins (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL,
    organization_id uuid,
    source          text NOT NULL CHECK (source IN ('android', 'ios', 'web')),
    model           text NOT NULL DEFAULT '',
    os_version      text NOT NULL DEFAULT '',
    app_version     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX user_checkins_user ON user_checkins (user_id, created_at);
