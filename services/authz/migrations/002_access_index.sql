-- 002_access_index.sql: the change log that keeps every authz copy's
-- in-memory access index (access_index.h) current. Every change to a table
-- the access rules read is written by triggers, in the same transaction, as
-- rows of index_log in commit order: the triggers take one transaction-level
-- advisory lock before they number their rows, so a transaction that commits
-- later never holds a lower seq (a TRUNCATE logs every row it removes,
-- before). The triggers fire under session_replication_role = replica too
-- (scripts/authz_dataset.sql's bulk load). NOTIFY authz_index wakes every copy after
-- the commit; each reads the rows past the last seq it applied.
-- index_copies: each running copy's applied seq (read-your-writes: a write
-- answers once every live copy has applied it).

CREATE SEQUENCE index_log_seq;

-- tbl: u users (a id, f1 enabled, f2 platform_admin), m memberships
-- (a user, b organization), r admin roles (a user, b organization),
-- i individuals (a id, b owner, c user), g groups (a id, b organization,
-- c parent, f1 members_can_write), gi group_individuals (a group,
-- b individual), gl group_leaders and gm group_members (a group, b user).
-- put: true = the row exists (insert or new version), false = removed.
CREATE TABLE index_log (
    seq bigint PRIMARY KEY,
    tbl text NOT NULL,
    put boolean NOT NULL,
    a   uuid NOT NULL,
    b   uuid,
    c   uuid,
    f1  boolean NOT NULL DEFAULT false,
    f2  boolean NOT NULL DEFAULT false
);

CREATE TABLE index_copies (
    id      uuid PRIMARY KEY,
    applied bigint NOT NULL DEFAULT 0,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- TG_ARGV: 0 tbl, 1 the select list for (a, b, c, f1, f2), 2 a filter,
-- 3 'link' (an update removes the old row) or 'entity' (keyed by an id that
-- never changes: an update is a new version).
-- search_path pinned to authz's schema: other roles (tests, the bench data
-- set) write these tables too.
CREATE FUNCTION index_log_rows() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('authz.index_log'));
    IF TG_OP = 'TRUNCATE' THEN -- before it: every row goes
        EXECUTE format('INSERT INTO index_log (seq, tbl, put, a, b, c, f1, f2)'
                       ' SELECT nextval(''index_log_seq''), %L, false, %s FROM %I WHERE %s',
                       TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME, TG_ARGV[2]);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND TG_ARGV[3] = 'link') THEN
        EXECUTE format('INSERT INTO index_log (seq, tbl, put, a, b, c, f1, f2)'
                       ' SELECT nextval(''index_log_seq''), %L, false, %s FROM old_rows WHERE %s',
                       TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('INSERT INTO index_log (seq, tbl, put, a, b, c, f1, f2)'
                       ' SELECT nextval(''index_log_seq''), %L, true, %s FROM new_rows WHERE %s',
                       TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]);
    END IF;
    PERFORM pg_notify('authz_index', '');
    RETURN NULL;
END $$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('users', 'u', 'id, NULL::uuid, NULL::uuid, enabled, platform_admin', 'true', 'entity'),
        ('memberships', 'm', 'user_id, organization_id, NULL::uuid, false, false', 'true', 'link'),
        ('user_roles', 'r', 'user_id, organization_id, NULL::uuid, false, false',
         'role_name = ''admin''', 'link'),
        ('individuals', 'i', 'id, owner_id, user_id, false, false', 'true', 'entity'),
        ('groups', 'g', 'id, organization_id, parent_id, members_can_write, false', 'true', 'entity'),
        ('group_individuals', 'gi', 'group_id, individual_id, NULL::uuid, false, false', 'true', 'link'),
        ('group_leaders', 'gl', 'group_id, user_id, NULL::uuid, false, false', 'true', 'link'),
        ('group_members', 'gm', 'group_id, user_id, NULL::uuid, false, false', 'true', 'link')
    ) AS v(tab, code, cols, filter, kind) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION index_log_rows(%L, %L, %L, %L)',
                       t.tab || '_index_ins', t.tab, t.code, t.cols, t.filter, t.kind);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' NEW TABLE AS new_rows FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION index_log_rows(%L, %L, %L, %L)',
                       t.tab || '_index_upd', t.tab, t.code, t.cols, t.filter, t.kind);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION index_log_rows(%L, %L, %L, %L)',
                       t.tab || '_index_del', t.tab, t.code, t.cols, t.filter, t.kind);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION index_log_rows(%L, %L, %L, %L)',
                       t.tab || '_index_trunc', t.tab, t.code, t.cols, t.filter, t.kind);
        -- also under session_replication_role = replica (bulk loads)
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I,'
                       ' ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I', t.tab,
                       t.tab || '_index_ins', t.tab || '_index_upd', t.tab || '_index_del',
                       t.tab || '_index_trunc');
    END LOOP;
END $$;

-- one row: the log rows up to upto were deleted, every copy seen within 10
-- minutes having applied them (access_index_sync.c prunes once a minute); a
-- copy whose applied seq is below reads the tables again
CREATE TABLE index_pruned (
    id   integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    upto bigint NOT NULL DEFAULT 0
);
INSERT INTO index_pruned DEFAULT VALUES;
