"""verify.py: the chaos suite's checks once the load has stopped: acknowledged
writes against Postgres (as the admin role, through psql), accounts usable
(every sign-up either finished or resumable), outboxes drained, authz's
projection equal to identity's data, the EVENTS stream against the outboxes
and the acknowledged writes, and the request log (no 500, no request without
an answer, retries that got the first answer). Each check is one result line."""
import os
import subprocess
import threading
import time

import load as loadmod
import natsraw

SCHEMAS = ["identity", "authz", "messaging", "onboarding", "privacy"]


class Checks:
    def __init__(self, say):
        self.say = say
        self.results = []  # (name, ok, detail lines)

    def add(self, name, ok, summary, details=()):
        self.results.append((name, ok, summary))
        self.say("%s %-22s %s" % ("PASS" if ok else "FAIL", name, summary))
        for d in list(details)[:12]:
            self.say("       %s" % d)
        if len(details) > 12:
            self.say("       ... and %d more" % (len(details) - 12))

    def synthesis(self):
        n = len(self.results)
        p = sum(1 for r in self.results if r[1])
        return "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: 0" % (n, p, n - p)


def psql(url, sql, timeout_s=30.0):
    """Rows (lists of strings) of one query; retried while Postgres is away."""
    until = time.monotonic() + timeout_s
    while True:
        p = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, PGCONNECT_TIMEOUT="5"))
        if p.returncode == 0:
            return [line.split("\t") for line in p.stdout.splitlines() if line != ""]
        if time.monotonic() > until:
            raise RuntimeError("psql failed: %s" % p.stderr.strip()[-300:])
        time.sleep(1)


def check_acked_writes(chk, url, run, led):
    users = {r[0]: (r[1], r[2] == "t") for r in psql(
        url, "SELECT username, id, registered FROM identity.users WHERE username LIKE 'chaos-%s-%%'"
        % run)}
    orgs = {r[0] for r in psql(
        url, "SELECT id FROM identity.organizations WHERE name LIKE 'chaos-%s-org-%%'" % run)}
    mems = {(r[0], r[1]) for r in psql(url, "SELECT user_id, organization_id FROM identity.user_organizations")}
    bad = []
    for u in sorted(led.acked):
        if u not in users:
            bad.append("sign-up answered 201, no identity.users row: %s" % u)
    for u, uid in sorted(led.confirmed.items()):
        if u in users and not users[u][1]:
            bad.append("confirm answered 201, identity.users.registered false: %s (%s)" % (u, uid))
    for oid, name in sorted(led.orgs.items()):
        if oid not in orgs:
            bad.append("organization create answered 201, no row: %s (%s)" % (oid, name))
    for uid, oid in sorted(led.memberships):
        if (uid, oid) not in mems:
            bad.append("add-user answered 201, no user_organizations row: user %s org %s" % (uid, oid))
    chk.add("acknowledged_writes", not bad,
            "%d missing of %d sign-ups, %d confirmations, %d organizations, %d memberships acknowledged"
            % (len(bad), len(led.acked), len(led.confirmed), len(led.orgs), len(led.memberships)), bad)
    return users


def check_usable(chk, url, run, led, env, log, spool):
    """Every attempted sign-up must end in an account that logs in: the
    confirmed ones log in; the others are resumed as a person would (sign up
    again, the new code, confirm) and must then log in too."""
    names = sorted(led.attempted)
    unusable, resumed = [], []
    mu = threading.Lock()
    work = list(names)

    def worker():
        c = loadmod.Client(env, log, led, spool, run)
        while True:
            with mu:
                if not work:
                    return
                u = work.pop()
            if c.login(u, op="verify_login") is not None:
                continue
            if u in led.confirmed:
                with mu:
                    unusable.append("%s: confirmed during the load, login now refused" % u)
                continue
            why = led.stuck.get(u, "unfinished when the load stopped")
            uid = c.sign_up_flow(u, led.attempted[u])
            if uid and c.login(u, op="verify_login"):
                with mu:
                    resumed.append(u)
            else:
                with mu:
                    unusable.append("%s: %s; resumed after the load: %s" % (
                        u, why, led.stuck.get(u, "login refused")))

    ts = [threading.Thread(target=worker) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    orphans = psql(url, "SELECT u.username, u.registered FROM identity.users u WHERE u.username LIKE "
                   "'chaos-%s-%%' AND NOT EXISTS (SELECT 1 FROM onboarding.sign_up_requests s "
                   "WHERE s.user_id = u.id)" % run)
    refused = [f for f in log.findings if f["kind"] == "login_failed"]
    details = ["%d logins of confirmed accounts refused during the load" % len(refused)] if refused else []
    details += sorted(unusable) + ["identity account without onboarding's sign-up row: %s "
                                  "(registered %s)" % (o[0], o[1]) for o in orphans]
    chk.add("usable_accounts", not unusable and not orphans and not refused,
            "%d unusable of %d sign-ups tried (%d finished only by a resume after the load), "
            "%d accounts without onboarding's row" % (len(unusable), len(names), len(resumed),
                                                      len(orphans)), details)


def wait_until(fn, timeout_s, step=1.0):
    """Calls fn() -> (ok, value) until ok or timeout; returns (ok, value, seconds)."""
    t0 = time.monotonic()
    while True:
        ok, val = fn()
        if ok or time.monotonic() - t0 > timeout_s:
            return ok, val, time.monotonic() - t0
        time.sleep(step)


def check_outboxes(chk, url, timeout_s):
    def pending():
        rows = []
        for s in SCHEMAS:
            have = psql(url, "SELECT to_regclass('%s.outbox') IS NOT NULL" % s)
            if have and have[0][0] == "t":
                n = int(psql(url, "SELECT count(*) FROM %s.outbox WHERE sent_at IS NULL" % s)[0][0])
                if n:
                    rows.append("%s.outbox: %d unsent" % (s, n))
        return not rows, rows

    ok, rows, secs = wait_until(pending, timeout_s)
    chk.add("outbox_drained", ok, ("0 unsent rows in every outbox (after %.0f s)" % secs) if ok else
            "unsent rows after %.0f s" % secs, rows)


PROJ = [
    ("users", "SELECT id, username, email, first_name, last_name, enabled, is_platform_admin "
              "FROM identity.users",
     "SELECT id, username, email, first_name, last_name, enabled, platform_admin FROM authz.users"),
    ("memberships", "SELECT user_id, organization_id FROM identity.user_organizations",
     "SELECT user_id, organization_id FROM authz.memberships"),
    ("roles", "SELECT ru.user_id, r.organization_id, r.name FROM identity.role_users ru "
              "JOIN identity.roles r ON r.id = ru.role_id",
     "SELECT user_id, organization_id, role_name FROM authz.user_roles"),
]


def check_projection(chk, url, timeout_s):
    def diff():
        out = []
        for name, ident, authz in PROJ:
            for a, b, what in ((ident, authz, "in identity, not in authz"),
                               (authz, ident, "in authz, not in identity")):
                rows = psql(url, "(%s) EXCEPT (%s) LIMIT 20" % (a, b))
                out += ["%s %s: %s" % (name, what, " ".join(r)) for r in rows]
        return not out, out

    ok, rows, secs = wait_until(diff, timeout_s, 2.0)
    counts = {name: int(psql(url, "SELECT count(*) FROM (%s) x" % ident)[0][0]) for name, ident, _ in PROJ}
    chk.add("projection_equal", ok, "%s (%d users, %d memberships, %d roles in identity; waited %.0f s)"
            % ("authz's projection equals identity's data" if ok else "authz's projection differs",
               counts["users"], counts["memberships"], counts["roles"], secs), rows)


def check_stream(chk, url, nats_url, run, led, users):
    try:
        msgs = natsraw.read_stream(nats_url)
    except Exception as e:  # noqa: BLE001 - reported as the check's failure
        chk.add("events_stream", False, "could not read the EVENTS stream: %s" % e)
        return
    bad = []
    ids = {}
    for m in msgs:
        ids.setdefault(m["msg_id"], []).append(m)
    dups = [k for k, v in ids.items() if len(v) > 1]
    bad += ["Nats-Msg-Id %s appears %d times" % (k, len(ids[k])) for k in dups]
    n_rows = 0
    for s in SCHEMAS:
        have = psql(url, "SELECT to_regclass('%s.outbox') IS NOT NULL" % s)
        if not have or have[0][0] != "t":
            continue
        every = {r[0]: (r[1], r[2] == "t") for r in psql(
            url, "SELECT id, subject, sent_at IS NOT NULL FROM %s.outbox" % s)}
        n_rows += sum(1 for v in every.values() if v[1])
        for rid, (subj, sent) in every.items():
            if sent and rid not in ids:
                bad.append("%s.outbox row %s (%s) marked sent, not in the stream" % (s, rid, subj))
        for m in msgs:
            if m["subject"].startswith("evt.%s." % s) and m["msg_id"] not in every:
                bad.append("stream seq %d %s (Nats-Msg-Id %s) has no %s.outbox row: an event of "
                           "a write Postgres no longer has" % (m["seq"], m["subject"], m["msg_id"], s))
    # the events of the acknowledged writes
    by_subj = {}
    for m in msgs:
        by_subj.setdefault(m["subject"], []).append(m["data"])

    def has(subj, *needles):
        return any(all(n.encode() in d for n in needles) for d in by_subj.get(subj, ()))

    for u in sorted(led.acked):
        if u in users and not has("evt.identity.user.created", users[u][0]):
            bad.append("no evt.identity.user.created for acknowledged sign-up %s (%s)" % (u, users[u][0]))
    for oid in sorted(led.orgs):
        if not has("evt.identity.organization.created", oid):
            bad.append("no evt.identity.organization.created for %s" % oid)
    for uid, oid in sorted(led.memberships):
        if not has("evt.identity.membership.added", uid, oid):
            bad.append("no evt.identity.membership.added for user %s org %s" % (uid, oid))
    chk.add("events_stream", not bad, "%d messages in EVENTS, %d sent outbox rows; %d problems"
            % (len(msgs), n_rows, len(bad)), bad)


def phase_of(t, faults):
    """The fault whose injection precedes time t (None before the first)."""
    cur = None
    for f in faults:
        if f.t_inject is not None and f.t_inject <= t:
            cur = f
    return cur


def check_requests(chk, log, faults, t_origin):
    rows = log.rows
    five = [r for r in rows if r[3] == 500]
    det = []
    for r in five[:40]:
        f = phase_of(r[1], faults)
        det.append("500 %s %s at +%.1f s (after '%s') request id %s: %s" % (
            r[0], r[8], r[1] - t_origin, f.name if f else "-", r[6] or "?", r[7][:120]))
    chk.add("no_500", not five, "%d answers 500 of %d requests" % (len(five), len(rows)), det)

    edge_kills = [f for f in faults if f.name == "kill -9 edge"]

    def during_edge_kill(r):
        return any(f.t_inject - 0.05 <= r[1] <= f.t_restored for f in edge_kills)

    lost = [r for r in rows if r[3] == 0 and r[4] != "refused"]
    excused = [r for r in lost if r[4] == "cut" and during_edge_kill(r)]
    real = [r for r in lost if r not in excused]
    refused = sum(1 for r in rows if r[3] == 0 and r[4] == "refused")
    det = []
    for r in real[:40]:
        f = phase_of(r[1], faults)
        det.append("%s %s: %s after %.1f s at +%.1f s (after '%s')" % (
            r[0], r[8], r[4], r[2] - r[1], r[1] - t_origin, f.name if f else "-"))
    chk.add("no_unanswered", not real,
            "%d requests without an answer (client timeout %.0f s); not counted: %d cut by the "
            "edge's own kill -9, %d connections refused while no edge listened"
            % (len(real), loadmod.CLIENT_TIMEOUT_S, len(excused), refused), det)

    retry = [f for f in log.findings if f["kind"] == "retry_refused"]
    chk.add("retries_first_answer", not retry,
            "%d retries of a write after a lost answer refused (4xx) instead of the first answer"
            % len(retry), ["%s: %s" % (f["op"], f["detail"]) for f in retry])
    bugs = [f for f in log.findings if f["kind"] == "harness_error"]
    chk.add("harness_ok", not bugs, "%d exceptions in the load's clients" % len(bugs),
            ["%s: %s" % (f["op"], f["detail"]) for f in bugs])
    gave = [f for f in log.findings if f["kind"] == "write_gave_up"]
    chk.add("writes_completed", not gave,
            "%d writes still failing after %.0f s of retries" % (len(gave), loadmod.RETRY_FOR_S),
            ["%s: %s" % (f["op"], f["detail"]) for f in gave])


def error_windows(say, log, faults, t_end):
    """Per fault: how long its operations failed and the failures by status."""
    rows = sorted(log.rows, key=lambda r: r[2])
    say("error window of each fault (from the fault to the first success, after its last "
        "5xx, 429 or unanswered request, of an operation it affects; non-2xx answers by status):")
    for i, f in enumerate(faults):
        if f.t_inject is None:
            continue
        t1 = faults[i + 1].t_inject if i + 1 < len(faults) and faults[i + 1].t_inject else t_end
        mine = [r for r in rows if f.t_inject <= r[2] < t1 and r[0] != "verify_login"
                and loadmod.OP_SERVICE.get(r[0]) in f.affects]
        fails = [r for r in mine if not loadmod.ok_status(r[0], r[3])]
        by = {}
        for r in fails:
            k = str(r[3]) if r[3] else "no-answer(%s)" % r[4]
            by[k] = by.get(k, 0) + 1
        if not fails:
            say("  %-28s no failed request (%d answered)" % (f.name, len(mine)))
            continue
        down = [r for r in fails if r[3] == 0 or r[3] >= 500 or r[3] == 429]
        last_fail = max(r[2] for r in down) if down else f.t_inject
        ok_after = [r[2] for r in mine if r[1] >= last_fail and loadmod.ok_status(r[0], r[3])]
        end = min(ok_after) if ok_after else None
        say("  %-28s %s; %d non-2xx of %d: %s; restore took %.1f s" % (
            f.name, ("window %.1f s" % (end - f.t_inject)) if end and down else
            "window 0 s" if not down else "no success after the last failure",
            len(fails), len(mine), " ".join("%s×%d" % kv for kv in sorted(by.items())),
            f.t_restored - f.t_inject))


def client_errors(say, log, faults, t_origin):
    """Informational: 4xx answers of the load by operation and status, with the
    faults they followed (a 404 on authz-user-status is authz's projection
    lagging behind a fresh sign-up)."""
    by = {}
    for r in log.rows:
        if 400 <= r[3] < 500 and not loadmod.ok_status(r[0], r[3]):
            f = phase_of(r[1], faults)
            k = (r[0], r[3])
            e = by.setdefault(k, [0, {}, r[7][:100]])
            e[0] += 1
            name = f.name if f else "before the faults"
            e[1][name] = e[1].get(name, 0) + 1
    if not by:
        say("4xx answers during the load: none")
        return
    say("4xx answers during the load (informational; retries are checked above):")
    for (op, st), (n, where, body) in sorted(by.items()):
        say("  %s %d ×%d, after: %s; e.g. %s" % (op, st, n, ", ".join(
            "%s ×%d" % kv for kv in sorted(where.items())), body))
