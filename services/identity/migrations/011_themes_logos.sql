-- 011_themes_logos.sql: organization themes (#97-#100) and organization
-- logos (#108 upload-logo, #106 process-logo-upload): an upload target,
-- the bytes put to it, and the logo made from them (logos.h).

CREATE TABLE organization_themes (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain             text NOT NULL DEFAULT '' CHECK (length(domain) <= 255),
    support_email      text NOT NULL DEFAULT '' CHECK (length(support_email) <= 255),
    support_email_name text NOT NULL DEFAULT '' CHECK (length(support_email_name) <= 255),
    is_active          boolean NOT NULL DEFAULT true,
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    last_modified_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_time       timestamptz NOT NULL DEFAULT now(),
    last_modified_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE logo_uploads (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    content_type    text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    filename        text NOT NULL,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    data            bytea,           -- NULL until the bytes are put
    uploaded_at     timestamptz,
    processed_at    timestamptz
);
CREATE INDEX logo_uploads_org ON logo_uploads (organization_id, uploaded_at);

CREATE TABLE organization_logos (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    png             bytea NOT NULL,
    width           integer NOT NULL,
    height          integer NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
