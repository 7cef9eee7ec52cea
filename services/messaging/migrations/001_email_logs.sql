-- 001_email_logs.sql: one row per message messaging delivered or failed to
-- deliver (messaging.rpc.Deliver), for email-logs (#22). The body is never
-- stored: it may hold confirmation and reset codes.
CREATE TABLE email_logs (
    id              uuid PRIMARY KEY,
    channel         text NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 320),
    kind            text NOT NULL DEFAULT '',
    subject         text NOT NULL DEFAULT '',
    organization_id uuid,
    status          text NOT NULL CHECK (status IN ('sent', 'failed')),
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_logs_time ON email_logs (created_at);
CREATE INDEX email_logs_recipient ON email_logs (lower(recipient));
