-- 001_api_clients.sql: API users (service accounts) authenticating with
-- HTTP Basic (api_user_id + key) or an x-api-key header. Keys are random and
-- stored only as a BLAKE2b-256 hash; the key itself is shown once.
CREATE TABLE api_clients (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    api_user_id     text NOT NULL UNIQUE CHECK (length(api_user_id) BETWEEN 1 AND 128),
    key_hash        bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    name            text NOT NULL DEFAULT '',
    organization_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
