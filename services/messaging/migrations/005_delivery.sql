-- 005_delivery.sql: organization email and SMS templates (#81-#84,
-- #93-#96), what email-logs (#22) needs to show sends, deliveries and
-- bounces, the per-request idempotency of Deliver, and the addresses a
-- permanent bounce closed.
CREATE TABLE templates (
    id                  uuid PRIMARY KEY,
    channel             text NOT NULL CHECK (channel IN ('email', 'sms')),
    organization_id     uuid NOT NULL,
    theme_id            uuid,
    type                text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
    locale              text NOT NULL CHECK (locale IN ('en_US', 'es_US')),
    format              text NOT NULL DEFAULT 'txt' CHECK (format IN ('html', 'txt')),
    subject             text NOT NULL DEFAULT '',
    support_email       text NOT NULL DEFAULT '',
    support_email_title text NOT NULL DEFAULT '',
    body                text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- One template per organization, theme, type, locale and format.
CREATE UNIQUE INDEX templates_one ON templates (channel, organization_id,
    coalesce(theme_id, '00000000-0000-0000-0000-000000000000'::uuid), type, locale, format);

ALTER TABLE email_logs DROP CONSTRAINT email_logs_status_check;
ALTER TABLE email_logs ADD CONSTRAINT email_logs_status_check
    CHECK (status IN ('sent', 'failed', 'suppressed', 'bounced', 'queued'));
-- The integer id email-logs shows, in insertion order.
ALTER TABLE email_logs ADD COLUMN seq bigserial;
CREATE UNIQUE INDEX email_logs_seq ON email_logs (seq);
ALTER TABLE email_logs ADD COLUMN idempotency_key text;
ALTER TABLE email_logs ADD COLUMN bounce_type text NOT NULL DEFAULT '';
ALTER TABLE email_logs ADD COLUMN bounce_subtype text NOT NULL DEFAULT '';
ALTER TABLE email_logs ADD COLUMN message_ref uuid; -- a bounce: the send it reports on
-- A request's message goes to a recipient once: a second 'sent' (or
-- 'queued') row with the same key and recipient cannot commit.
CREATE UNIQUE INDEX email_logs_once ON email_logs (idempotency_key, lower(recipient))
    WHERE idempotency_key IS NOT NULL AND status IN ('sent', 'queued');

-- Addresses closed by a permanent bounce, lower-case; cleared by ClearBounce.
CREATE TABLE suppressed_addresses (
    address    text PRIMARY KEY CHECK (address = lower(address)),
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The queue of messages for a remote transport (SMTP, the SMS endpoint):
-- one row per email_logs row in status 'queued', written in the same
-- transaction. The body is kept only while the message waits and is
-- deleted with the row once it is sent or has failed for good.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY REFERENCES email_logs (id),
    channel         text NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       text NOT NULL,
    subject         text NOT NULL DEFAULT '',
    body            text NOT NULL,
    format          text NOT NULL DEFAULT 'txt',
    attempts        int NOT NULL DEFAULT 0,
    next_at         timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_due ON deliveries (next_at);

-- URL shorteners (#131-#134): /s/<code> on the edge redirects to
-- scheme://netloc full_path and counts it. organization_id is NULL for the
-- links messaging makes for SMS sent for no organization.
CREATE TABLE short_links (
    id              uuid PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9]{1,8}$'),
    organization_id uuid,
    scheme          text NOT NULL DEFAULT 'https' CHECK (scheme IN ('http', 'https')),
    netloc          text NOT NULL CHECK (length(netloc) BETWEEN 1 AND 255),
    full_path       text NOT NULL CHECK (length(full_path) BETWEEN 1 AND 2048),
    expires_at      timestamptz,
    redirect_count  bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX short_links_org ON short_links (organization_id);

-- Organization general messages (#89-#92): texts an organization shows its
-- people (e.g. "contact"), one per name and locale.
CREATE TABLE general_messages (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    locale          text NOT NULL CHECK (locale IN ('en_US', 'es_US')),
    message         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name, locale)
);

-- Feedback comments (#29-#31): what a person wrote about a page of an app.
CREATE TABLE feedback_comments (
    id              uuid PRIMARY KEY,
    created_by      text NOT NULL,   -- the author's user id (or API client id)
    organization_id uuid,            -- the author's organization at the time
    individual_id   uuid,
    comment         text NOT NULL,
    current_page    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_comments_org ON feedback_comments (organization_id, created_at);
