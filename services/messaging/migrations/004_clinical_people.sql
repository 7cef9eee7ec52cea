-- 002_clinical_people.sql: the clinical profile of the clinical messaging
-- API's users (their accounts are identity's: user_id is the identity
-- account's id, org_id the identity organization of their primary OU), the
-- services (roles) of each OU, the pagers assigned to services, and
-- recipient groups. OU names and the OU hierarchy live in identity only.
CREATE TABLE clinical_users (
    user_id           uuid PRIMARY KEY,
    org_id            uuid NOT NULL,
    specialty         text NOT NULL DEFAULT '',
    title             text NOT NULL DEFAULT '',
    sso               boolean NOT NULL DEFAULT false,
    managed           boolean NOT NULL DEFAULT true,
    has_password      boolean NOT NULL DEFAULT true,
    associated_ou     text NOT NULL DEFAULT '',   -- pipe-delimited OU names
    admin_permissions text NOT NULL DEFAULT '',   -- <action>:<scope>|...
    legal_agreement   text NOT NULL DEFAULT '',
    pager_number      text NOT NULL DEFAULT '',
    tags              jsonb NOT NULL DEFAULT '[]',
    location          text NOT NULL DEFAULT '',
    location_detail   text NOT NULL DEFAULT '',
    city              text NOT NULL DEFAULT '',
    state             text NOT NULL DEFAULT '',
    zip_code          text NOT NULL DEFAULT '',
    bounced_emails    boolean NOT NULL DEFAULT false,
    status            text NOT NULL DEFAULT 'available',
    status_message    text NOT NULL DEFAULT '',
    activation_sent_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clinical_users_org ON clinical_users (org_id);
-- a pager number reaches one person of an OU
CREATE UNIQUE INDEX clinical_users_pager ON clinical_users (org_id, pager_number)
    WHERE pager_number <> '';

-- The services of an OU, in the order PUT admin/services gave them.
CREATE TABLE clinical_services (
    org_id   uuid NOT NULL,
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    position integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, name)
);

-- A user's services are services of the user's primary OU; removing a
-- service clears it from its users (and pagers) by cascade.
CREATE TABLE clinical_user_services (
    user_id uuid NOT NULL REFERENCES clinical_users (user_id) ON DELETE CASCADE,
    org_id  uuid NOT NULL,
    service text NOT NULL,
    position integer NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, service),
    FOREIGN KEY (org_id, service) REFERENCES clinical_services (org_id, name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX clinical_user_services_service ON clinical_user_services (org_id, service);

-- A pager number assigned to a service of an OU (pager/service).
CREATE TABLE clinical_service_pagers (
    org_id       uuid NOT NULL,
    pager_number text NOT NULL CHECK (length(pager_number) BETWEEN 1 AND 32),
    service      text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, pager_number),
    FOREIGN KEY (org_id, service) REFERENCES clinical_services (org_id, name)
        ON DELETE CASCADE ON UPDATE CASCADE
);

-- Recipient groups of a root OU: named lists of users.
CREATE TABLE clinical_recipient_groups (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

CREATE TABLE clinical_recipient_group_members (
    group_id uuid NOT NULL REFERENCES clinical_recipient_groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES clinical_users (user_id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
