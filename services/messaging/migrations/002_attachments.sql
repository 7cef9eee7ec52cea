-- 002_attachments.sql: uploaded attachments (POST attachment) and their
-- content. The content is kept in Postgres as rows of at most 256 KiB
-- (attachment_chunks), written in the upload's transaction: the same backups,
-- roles and transactions as everything else, no shared file system between
-- replicas, and a download streams it row by row without holding it whole.
CREATE TABLE attachments (
    id              text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{24}$'),
    organization_id text NOT NULL,
    user_id         text NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    mime_type       text NOT NULL,
    size            bigint NOT NULL CHECK (size >= 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage         text NOT NULL DEFAULT 'pg-chunks' CHECK (storage IN ('pg-chunks')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_org ON attachments (organization_id, created_at);

CREATE TABLE attachment_chunks (
    attachment_id text NOT NULL REFERENCES attachments (id) ON DELETE CASCADE
                  DEFERRABLE INITIALLY DEFERRED, -- chunks are written before their row
    seq           integer NOT NULL CHECK (seq >= 0),
    data          bytea NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
