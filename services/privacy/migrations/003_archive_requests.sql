-- 003_archive_requests.sql: archive requests (#6-#8) and the answers to
-- their interview (archive.h: the questions and the state machine).
CREATE TABLE archive_requests (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_by    uuid NOT NULL,             -- the person who asked (re-authenticated)
    email         text NOT NULL DEFAULT '',  -- theirs, as identity had it
    individual_id uuid NOT NULL,             -- authz's individual to archive
    interview_id  uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    request_state text NOT NULL DEFAULT 'interview-pending'
                  CHECK (request_state IN ('interview-pending', 'archive-requested', 'archive-canceled')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_modified timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX archive_requests_creator ON archive_requests (created_by, created_at);
CREATE INDEX archive_requests_individual ON archive_requests (individual_id);

CREATE TABLE archive_answers (
    request_id  uuid NOT NULL REFERENCES archive_requests (id) ON DELETE CASCADE,
    question_id uuid NOT NULL,
    value       text NOT NULL CHECK (length(value) <= 255),
    answered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, question_id)
);
