-- authz_dataset.sql: the generated data set of the authz figures of
-- `make bench` (scripts/bench.sh), written straight into authz's schema and
-- deterministic for a given seed. Run as the database's admin role:
--
--   psql "$TEST_PG_URL" -v ON_ERROR_STOP=1 -v individuals=100000 -v seed=42 \
--        -v samples=50000 -v samples_file=/tmp/samples.tsv -f scripts/authz_dataset.sql
--
-- (those are the defaults, except samples_file: /dev/null). It prints one
-- line: the sizes and the seconds it took. With -v keep=1 the data set is
-- added beside what is there (nothing is truncated or removed; give a seed
-- not used before in that database): the property test
-- (tests/integration/test_authz_property.c) does so on the test stack.
--
-- With N = individuals (a multiple of 2000):
--   organizations  N/2000, each with 200 groups and 100 staff users
--   groups         N/10, per organization 4 root divisions and under them a
--                  5-ary tree (parent of local group k >= 4 is (k-4)/5, so
--                  depths 0..3); group_tree holds the full closure
--                  (ancestor, descendant, depth) including (g, g, 0);
--                  one in three groups has members_can_write
--   individuals    N, individual i owned by organization i % (N/2000)
--   memberships    10 N group_individuals: individual i is in 10 distinct
--                  groups of its own organization
--   staff users    N/20 in authz's projection (users, memberships,
--                  user_roles), 100 per organization; staff 0 of each
--                  organization has role "admin"; every group has 1 leader
--                  and 2 members among its organization's other staff
-- Every id is md5(seed:kind:index) read as a uuid, and every "random" pick is
-- hashint8extended(index, seed), so the same seed gives the same rows.
--
-- What it replaces: every row of authz's individuals, groups, group_tree,
-- group_individuals, group_leaders, group_members, group_logs and tasks, and
-- the projection rows of earlier bench users (email @bench.invalid). Users
-- identity knows are left alone. The bench users exist in authz's
-- projection only: a full re-population (the first start, or
-- authz.rpc.Repopulate) would remove them, so the bench runs this after the
-- first population has finished and asks for none.
--
-- Bulk load: foreign-key triggers are off for this session
-- (session_replication_role = replica; the rows are consistent by
-- construction), then ANALYZE so the planner sees the new sizes.
--
-- samples_file gets `samples` lines "user-id<TAB>query", the mix of checks
-- the bench sends:
--   40% individual:I:read by a leader of I's group or of an ancestor (allow)
--   20% individual:I:write by a member of I's group or an ancestor
--       (allow when that group has members_can_write)
--   20% group:G:read by a leader of G or of an ancestor (allow)
--   20% individual:I:read by a random staff user of I's organization
--       (mostly deny: every rule is evaluated)
\set QUIET on
\pset tuples_only on
\pset format unaligned
SET search_path = authz;
SET session_replication_role = replica;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

\if :{?individuals}
\else
  \set individuals 100000
\endif
\if :{?seed}
\else
  \set seed 42
\endif
\if :{?samples}
\else
  \set samples 50000
\endif
\if :{?keep}
\else
  \set keep 0
\endif
\if :{?samples_file}
\else
  \set samples_file /dev/null
\endif
SELECT :individuals % 2000 = 0 AND :individuals >= 2000 AS ok \gset
\if :ok
\else
  DO $$ BEGIN RAISE EXCEPTION 'individuals must be a positive multiple of 2000'; END $$;
\endif

-- the shape, as psql variables
SELECT :individuals / 2000 AS orgs, :individuals / 10 AS ngroups, :individuals / 20 AS nstaff \gset

-- (psql does not expand variables inside function bodies: format() does)
-- id of the index-th thing of a kind
SELECT format($f$CREATE FUNCTION pg_temp.bid(kind text, i bigint) RETURNS uuid LANGUAGE sql
    IMMUTABLE AS $b$ SELECT md5(%L || ':' || kind || ':' || i)::uuid $b$$f$, :'seed') \gexec
-- a deterministic pick in 0..n-1 for (index, tag)
SELECT format($f$CREATE FUNCTION pg_temp.pick(i bigint, tag int, n bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $b$ SELECT abs(hashint8extended(i * 64 + tag, %s)) %% n $b$$f$,
    :seed) \gexec
-- global staff index of local staff s (0..99) of organization o
SELECT format($f$CREATE FUNCTION pg_temp.staff(o bigint, s bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $b$ SELECT s * %s + o $b$$f$, :orgs) \gexec
-- parent of local group k (NULL for the 4 roots)
CREATE FUNCTION pg_temp.parent(k bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN k < 4 THEN NULL ELSE (k - 4) / 5 END $$;
-- the ancestor `up` steps above local group k (k itself for 0; stops at a root)
CREATE FUNCTION pg_temp.up(k bigint, up int) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    FOR s IN 1..up LOOP
        EXIT WHEN k < 4;
        k := (k - 4) / 5;
    END LOOP;
    RETURN k;
END $$;
-- staff (local index 1..99) leading / the two members of local group k
CREATE FUNCTION pg_temp.leader(k bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT 1 + (k * 7) % 99 $$;
CREATE FUNCTION pg_temp.member(k bigint, m int) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT 1 + (k * 13 + m * 37 + 1) % 99 $$;
-- local group of individual i's j-th membership (10 distinct ones)
CREATE FUNCTION pg_temp.slot(i bigint, j int) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT (pg_temp.pick(i, 0, 200) + j * 20) % 200 $$;

SELECT clock_timestamp() AS t0 \gset

BEGIN;
SELECT :keep = 0 AS replace_all \gset
\if :replace_all
TRUNCATE individuals, groups, group_tree, group_individuals, group_leaders, group_members,
         group_logs, tasks;
DELETE FROM user_roles WHERE user_id IN (SELECT id FROM users WHERE email LIKE '%@bench.invalid');
DELETE FROM memberships WHERE user_id IN (SELECT id FROM users WHERE email LIKE '%@bench.invalid');
DELETE FROM users WHERE email LIKE '%@bench.invalid';
\endif

INSERT INTO users (id, username, email, first_name, last_name, enabled, platform_admin,
                   last_populated_at)
SELECT pg_temp.bid('user', x), 'bench-' || x, 'bench-' || x || '@bench.invalid', 'Bench',
       'Staff ' || x, true, false,
       -- kept beside a live projection: ahead, so that a re-population keeps them
       now() + CASE WHEN :keep = 0 THEN interval '0' ELSE interval '1 day' END
FROM generate_series(0, :nstaff - 1) x;
INSERT INTO memberships (user_id, organization_id)
SELECT pg_temp.bid('user', x), pg_temp.bid('org', x % :orgs)
FROM generate_series(0, :nstaff - 1) x;
INSERT INTO user_roles (user_id, organization_id, role_name)
SELECT pg_temp.bid('user', x), pg_temp.bid('org', x % :orgs),
       CASE WHEN x < :orgs THEN 'admin' ELSE 'member' END
FROM generate_series(0, :nstaff - 1) x;

INSERT INTO groups (id, organization_id, parent_id, name, node_type, type, members_can_write)
SELECT pg_temp.bid('group', g), pg_temp.bid('org', g / 200),
       CASE WHEN g % 200 < 4 THEN NULL ELSE pg_temp.bid('group', (g / 200) * 200 + pg_temp.parent(g % 200)) END,
       'bench group ' || g, CASE WHEN g % 200 < 4 THEN 'division' ELSE 'group' END, 'regular',
       pg_temp.pick(g, 1, 3) = 0
FROM generate_series(0, :ngroups - 1) g;

INSERT INTO group_tree (ancestor_id, descendant_id, depth)
WITH RECURSIVE t (anc, des, depth) AS (
    SELECT g::bigint, g::bigint, 0 FROM generate_series(0, :ngroups - 1) g
    UNION ALL
    SELECT (t.anc / 200) * 200 + pg_temp.parent(t.anc % 200), t.des, t.depth + 1
    FROM t WHERE t.anc % 200 >= 4
)
SELECT pg_temp.bid('group', anc), pg_temp.bid('group', des), depth FROM t;

INSERT INTO group_leaders (group_id, user_id)
SELECT pg_temp.bid('group', g), pg_temp.bid('user', pg_temp.staff(g / 200, pg_temp.leader(g % 200)))
FROM generate_series(0, :ngroups - 1) g;
INSERT INTO group_members (group_id, user_id)
SELECT DISTINCT pg_temp.bid('group', g),
       pg_temp.bid('user', pg_temp.staff(g / 200, pg_temp.member(g % 200, m)))
FROM generate_series(0, :ngroups - 1) g, generate_series(0, 1) m;

INSERT INTO individuals (id, owner_id, first_name, last_name, account_type)
SELECT pg_temp.bid('ind', i), pg_temp.bid('org', i % :orgs), 'Bench', 'Individual ' || i,
       'participant'
FROM generate_series(0, :individuals - 1) i;

INSERT INTO group_individuals (group_id, individual_id)
SELECT pg_temp.bid('group', (i % :orgs) * 200 + pg_temp.slot(i, j)), pg_temp.bid('ind', i)
FROM generate_series(0, :individuals - 1) i, generate_series(0, 9) j;
COMMIT;

ANALYZE users, memberships, user_roles, individuals, groups, group_tree, group_individuals,
        group_leaders, group_members;

-- the sample checks: kind = k % 10 (see the header)
\o :samples_file
WITH s AS (
    SELECT k, k % 10 AS kind, pg_temp.pick(k, 2, :individuals) AS i,
           pg_temp.pick(k, 3, 10)::int AS j, pg_temp.pick(k, 4, 4)::int AS up,
           pg_temp.pick(k, 5, :ngroups) AS g, pg_temp.pick(k, 6, 99) + 1 AS rnd_staff
    FROM generate_series(0, :samples - 1) k
), c AS (
    SELECT s.*, i % :orgs AS io, pg_temp.up(pg_temp.slot(i, j), up) AS ianc,
           pg_temp.up(g % 200, up) AS ganc
    FROM s
)
SELECT CASE
         WHEN kind < 4 THEN pg_temp.bid('user', pg_temp.staff(io, pg_temp.leader(ianc)))
         WHEN kind < 6 THEN pg_temp.bid('user', pg_temp.staff(io, pg_temp.member(ianc, j % 2)))
         WHEN kind < 8 THEN pg_temp.bid('user', pg_temp.staff(g / 200, pg_temp.leader(ganc)))
         ELSE pg_temp.bid('user', pg_temp.staff(io, rnd_staff))
       END || E'\t' ||
       CASE
         WHEN kind < 4 THEN 'individual:' || pg_temp.bid('ind', i) || ':read'
         WHEN kind < 6 THEN 'individual:' || pg_temp.bid('ind', i) || ':write'
         WHEN kind < 8 THEN 'group:' || pg_temp.bid('group', g) || ':read'
         ELSE 'individual:' || pg_temp.bid('ind', i) || ':read'
       END
FROM c ORDER BY k;
\o

SELECT format('authz data set (seed %s): %s individuals, %s groups, %s group_tree rows, '
              '%s memberships, %s staff users (%s organizations), %s samples; generated in %s s',
              :'seed', (SELECT count(*) FROM individuals), (SELECT count(*) FROM groups),
              (SELECT count(*) FROM group_tree), (SELECT count(*) FROM group_individuals),
              (SELECT count(*) FROM users WHERE email LIKE '%@bench.invalid'), :orgs, :samples,
              round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 1));
