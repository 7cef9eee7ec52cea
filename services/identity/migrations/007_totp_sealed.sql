-- 005_totp_sealed.sql: TOTP shared secrets encrypted at rest (totp_keys.h).
-- secret_box is nonce (24 bytes) || crypto_secretbox (XSalsa20-Poly1305) of
-- the secret under the key named key_id (from TOTP_KEYS, or "db" for the
-- key in totp_db_key used while TOTP_KEYS is not configured). The clear
-- column stays only until identity's next start seals the row (or a row
-- written before this migration); afterwards it is NULL.
ALTER TABLE mfa_totp ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE mfa_totp ADD COLUMN secret_box bytea;
ALTER TABLE mfa_totp ADD COLUMN key_id text;
ALTER TABLE mfa_totp ADD CONSTRAINT mfa_totp_secret_clear_or_sealed
    CHECK ((secret IS NULL) <> (secret_box IS NULL) AND (secret_box IS NULL) = (key_id IS NULL));

-- The fallback key when TOTP_KEYS is empty (local development): one row,
-- made at the first start. Production sets TOTP_KEYS, so the key does not
-- sit beside the data; the row then still opens secrets sealed with it
-- until the start that reseals them.
CREATE TABLE totp_db_key (
    id         integer PRIMARY KEY CHECK (id = 1),
    key        bytea NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
