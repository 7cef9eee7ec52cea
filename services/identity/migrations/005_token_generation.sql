-- 004_token_generation.sql: a user's token generation. Every access token
-- carries the generation of its user when it was issued (claim "gen"). A
-- change that must stop the tokens a user holds (disable, password change,
-- a role or a membership lost) raises the generation in the transaction of
-- the change and announces it (SessionRevoked.min_token_gen): the edge then
-- refuses every token of the user with a lower generation. A token is
-- issued from one statement's snapshot, so it carries either the old
-- generation (and is refused) or the new one together with the new roles:
-- exact, whatever the clocks say.

ALTER TABLE users ADD COLUMN token_gen bigint NOT NULL DEFAULT 1;
