-- 004_login_by_address.sql: failed logins counted per client address as well
-- as per username (login_throttle.h), so that a stranger cannot lock a user
-- out. login_attempts (002) stays the record of a username from any address:
-- it only slows addresses the user never logged in from, and never locks.
-- login_attempts_pair: one username from one address (throttles, then locks
-- that pair). login_attempts_ip: one address, any username (locks the
-- address). login_known_addrs: where a username logged in successfully.
-- Addresses are text as the edge saw them ("127.0.0.1", "::1").

CREATE TABLE login_attempts_pair (
    addr            text NOT NULL,
    username        text NOT NULL, -- lower-cased, as in users
    failures        integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz,
    PRIMARY KEY (addr, username)
);
CREATE INDEX login_attempts_pair_username ON login_attempts_pair (username);

CREATE TABLE login_attempts_ip (
    addr            text PRIMARY KEY,
    failures        integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz
);

CREATE TABLE login_known_addrs (
    username      text NOT NULL,
    addr          text NOT NULL,
    last_login_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, addr)
);

-- a username's own record no longer locks it
UPDATE login_attempts SET locked_until = NULL WHERE locked_until IS NOT NULL;
