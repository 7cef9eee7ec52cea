-- 006_clinical_counters.sql: user/counters kept server-side (issue 11).
-- Counting a user's unread receipts at each request grew with their backlog
-- (count DISTINCT over every unread receipt, joined to the threads); these
-- two tables hold the answer instead. A trigger on clinical_receipts keeps
-- them in the same transaction as the receipt change (insert, read, delete
-- by cascade), so they are exact: each (user, thread) row counts the unread
-- receipts of that thread, each (user, organization, kind) row the unread
-- receipts and the threads with at least one. Row locks serialize
-- concurrent changes; receipts are inserted in user_id order so that
-- transactions take the users' rows in one order (no deadlock).

CREATE TABLE clinical_unread_threads (
    user_id         text NOT NULL,
    thread_id       uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind            text NOT NULL,
    unread          integer NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

CREATE TABLE clinical_counters (
    user_id         text NOT NULL,
    organization_id uuid NOT NULL,
    kind            text NOT NULL,
    unread          bigint NOT NULL DEFAULT 0,
    unseen          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, organization_id, kind)
);

-- Applies delta (+1: a receipt became unread, -1: it stopped being unread)
-- for user u in thread t of kind k.
CREATE FUNCTION clinical_counters_apply(u text, t uuid, k text, delta integer)
RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
    org uuid;
    n   integer;
BEGIN
    IF delta > 0 THEN
        SELECT organization_id INTO org FROM clinical_threads WHERE id = t;
        IF org IS NULL THEN
            RETURN;
        END IF;
        INSERT INTO clinical_unread_threads AS x (user_id, thread_id, organization_id, kind, unread)
        VALUES (u, t, org, k, 1)
        ON CONFLICT (user_id, thread_id) DO UPDATE SET unread = x.unread + 1
        RETURNING x.unread INTO n;
        INSERT INTO clinical_counters AS c (user_id, organization_id, kind, unread, unseen)
        VALUES (u, org, k, 1, CASE WHEN n = 1 THEN 1 ELSE 0 END)
        ON CONFLICT (user_id, organization_id, kind) DO UPDATE
        SET unread = c.unread + 1, unseen = c.unseen + CASE WHEN n = 1 THEN 1 ELSE 0 END;
    ELSE
        UPDATE clinical_unread_threads SET unread = unread - 1
        WHERE user_id = u AND thread_id = t
        RETURNING organization_id, unread INTO org, n;
        IF org IS NULL THEN
            RETURN;
        END IF;
        IF n <= 0 THEN
            DELETE FROM clinical_unread_threads WHERE user_id = u AND thread_id = t;
        END IF;
        UPDATE clinical_counters
        SET unread = unread - 1, unseen = unseen - CASE WHEN n <= 0 THEN 1 ELSE 0 END
        WHERE user_id = u AND organization_id = org AND kind = k;
    END IF;
END $$;

CREATE FUNCTION clinical_receipts_count() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.read_at IS NULL THEN
            PERFORM clinical_counters_apply(NEW.user_id, NEW.thread_id, NEW.kind, 1);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.read_at IS NULL THEN
            PERFORM clinical_counters_apply(OLD.user_id, OLD.thread_id, OLD.kind, -1);
        END IF;
    ELSIF OLD.read_at IS NULL AND NEW.read_at IS NOT NULL THEN
        PERFORM clinical_counters_apply(OLD.user_id, OLD.thread_id, OLD.kind, -1);
    ELSIF OLD.read_at IS NOT NULL AND NEW.read_at IS NULL THEN
        PERFORM clinical_counters_apply(NEW.user_id, NEW.thread_id, NEW.kind, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER clinical_receipts_count AFTER INSERT OR UPDATE OF read_at OR DELETE
    ON clinical_receipts FOR EACH ROW EXECUTE FUNCTION clinical_receipts_count();

-- The receipts already there.
INSERT INTO clinical_unread_threads (user_id, thread_id, organization_id, kind, unread)
SELECT r.user_id, r.thread_id, t.organization_id, r.kind, count(*)
FROM clinical_receipts r JOIN clinical_threads t ON t.id = r.thread_id
WHERE r.read_at IS NULL
GROUP BY r.user_id, r.thread_id, t.organization_id, r.kind;

INSERT INTO clinical_counters (user_id, organization_id, kind, unread, unseen)
SELECT user_id, organization_id, kind, sum(unread), count(*)
FROM clinical_unread_threads
GROUP BY user_id, organization_id, kind;
