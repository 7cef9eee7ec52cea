-- 005_aggregation_requests.sql: aggregation requests (#1): what was asked
-- (entries) and the result collected from the services that own the
-- columns, readable by whoever asked (aggregation.h).
CREATE TABLE aggregation_requests (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_by uuid NOT NULL,
    entries    jsonb NOT NULL,
    result     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX aggregation_requests_creator ON aggregation_requests (created_by);
