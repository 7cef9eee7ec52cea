-- 002_clinical_threads.sql: the clinical API's threads, their participants,
-- messages and per-recipient read receipts (the counters are counts of
-- unread receipts, so they are exact under concurrent posting and reading),
-- patients and their subscriptions (PHI sealed, phi_crypt.c), and the
-- database key that seals PHI when PHI_KEYS is not set.
-- Users are identity accounts: user_id is the account uuid, or an API
-- client's API user id ("api-..."); username/email/ou are copied at the time
-- the thread is made, for the answers' "users".

CREATE TABLE clinical_threads (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    ou               text NOT NULL DEFAULT '',  -- the organization's name (primary_ou) then
    kind             text NOT NULL DEFAULT 'msg' CHECK (kind IN ('msg', 'ctn')),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 1000),
    creator_id       text NOT NULL,
    phi_key_id       text NOT NULL DEFAULT '',
    patient_name_box bytea,                 -- sealed patient_name; NULL when none
    pid              text NOT NULL DEFAULT '',
    patient_event_id text NOT NULL DEFAULT '',
    urgent           boolean NOT NULL DEFAULT false,
    services         jsonb NOT NULL DEFAULT '[]',
    last_seq         integer NOT NULL DEFAULT 0, -- taken under the row lock: seq order = commit order
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clinical_threads_org ON clinical_threads (organization_id, created_at);

CREATE TABLE clinical_participants (
    thread_id  uuid NOT NULL REFERENCES clinical_threads (id) ON DELETE CASCADE,
    user_id    text NOT NULL,
    username   text NOT NULL,
    email      text NOT NULL DEFAULT '',
    ou         text NOT NULL DEFAULT '',
    person     boolean NOT NULL,            -- false for an API client
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX clinical_participants_user ON clinical_participants (user_id);

CREATE TABLE clinical_messages (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    thread_id      uuid NOT NULL REFERENCES clinical_threads (id) ON DELETE CASCADE,
    seq            integer NOT NULL,
    author_id      text NOT NULL,
    content        text NOT NULL,
    attachment_ids jsonb NOT NULL DEFAULT '[]', -- as given; checked against attachments at merge
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (thread_id, seq)
);

-- One row per message and person of its thread other than its author.
CREATE TABLE clinical_receipts (
    message_id uuid NOT NULL REFERENCES clinical_messages (id) ON DELETE CASCADE,
    thread_id  uuid NOT NULL,
    user_id    text NOT NULL,
    kind       text NOT NULL,               -- the thread's kind: the counters' msg / ctn
    read_at    timestamptz,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX clinical_receipts_unread ON clinical_receipts (user_id, thread_id) WHERE read_at IS NULL;

-- A patient of an organization (primary_ou), by the organization's pid.
-- Everything but the key is PHI and lives sealed in record_box (a JSON
-- document: name, dob, sex, ssn, medicaid_id, address, phones, ...).
CREATE TABLE clinical_patients (
    organization_id uuid NOT NULL,
    pid             text NOT NULL CHECK (length(pid) BETWEEN 1 AND 255),
    phi_key_id      text NOT NULL,
    record_box      bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, pid)
);

CREATE TABLE clinical_patient_subscriptions (
    organization_id uuid NOT NULL,
    pid             text NOT NULL,
    sid             text NOT NULL CHECK (length(sid) BETWEEN 1 AND 255),
    tags            jsonb NOT NULL DEFAULT '[]',
    consents        jsonb NOT NULL DEFAULT '[]',
    enabled         boolean NOT NULL DEFAULT true, -- false once tags is []
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, pid, sid),
    FOREIGN KEY (organization_id, pid) REFERENCES clinical_patients (organization_id, pid)
        ON DELETE CASCADE
);

-- The key sealing PHI when PHI_KEYS is unset (id "db"); fine for make up only.
CREATE TABLE phi_db_key (
    id  text PRIMARY KEY,
    key bytea NOT NULL CHECK (length(key) = 32)
);
