#!/usr/bin/env python3
"""chaos.py: the fault suite of issue 10, run inside scripts/with-test-stack.sh
(scripts/chaos.sh does that). Starts the mixed load (load.py), injects the
faults of faults.py one after another with load in between, stops the load
once every fault is done and the quotas of acknowledged sign-ups,
organizations and memberships are met, lets the stack settle, then runs the
checks of verify.py and prints the error window of each fault. Ends with a
Criterion-style "Synthesis:" line (one test per check) so that `make test`
totals it; exit 0 only when every check passes.

usage: chaos.py short|full    (env: CHAOS_CLIENTS, CHAOS_QUOTA, CHAOS_GAP_S,
CHAOS_OUT: folder for requests.jsonl and findings.json)"""
import base64
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults as faultmod  # noqa: E402
import load as loadmod  # noqa: E402
import verify  # noqa: E402

MODES = {
    # clients, quota of each write kind, seconds of load before/between faults, max load seconds
    "short": dict(clients=4, quota=25, gap=4.0, warmup=3.0, max_load=60.0, settle=30.0),
    "full": dict(clients=6, quota=300, gap=8.0, warmup=5.0, max_load=600.0, settle=90.0),
}

T0 = time.monotonic()


def say(msg):
    print("chaos [%6.1f s] %s" % (time.monotonic() - T0, msg), flush=True)


def env_or(name, default, conv):
    v = os.environ.get(name, "")
    return conv(v) if v else default


def setup(env, log, ledger, spool, run):
    """The platform admin's token, an organization and two codes to sign up with."""
    c = loadmod.Client(env, log, ledger, spool, run)
    until = time.monotonic() + 60
    while True:
        st, doc, text, _ = c.write("setup", "POST", "/v1/login/",
                                   {"username": os.environ["TEST_ADMIN_EMAIL"],
                                    "password": os.environ["TEST_ADMIN_PASSWORD"]})
        tok = loadmod.find_key(doc, "access-token") if st == 201 else None
        if tok:
            break
        if time.monotonic() > until:
            raise SystemExit("chaos: the platform admin cannot log in: %d %s" % (st, text))
        time.sleep(1)
    c.admin = tok
    env["admin_token"] = tok
    oid = c.org_create(0)
    if not oid:
        raise SystemExit("chaos: cannot create the sign-up organization")
    codes = []
    for _ in range(2):
        body = {"data": {"type": "organization-codes",
                         "attributes": {"organization-id": oid, "expires-at": None,
                                        "enrollment-schema": {"version": "1"}}}}
        st, doc, text, _ = c.write("setup", "POST", "/v1/organization-codes/", body, tok)
        code = (doc or {}).get("data", {}).get("id") if st == 201 and isinstance(doc, dict) else None
        if not code:
            raise SystemExit("chaos: cannot create an organization code: %d %s" % (st, text))
        codes.append(code)
    env["codes"] = codes
    # the setup organization is not one of the load's (its name ends in -org-0)
    with ledger.mu:
        ledger.orgs.pop(oid, None)
    return oid


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "short"
    if mode not in MODES:
        raise SystemExit(__doc__)
    cfg = dict(MODES[mode])
    cfg["clients"] = env_or("CHAOS_CLIENTS", cfg["clients"], int)
    cfg["quota"] = env_or("CHAOS_QUOTA", cfg["quota"], int)
    cfg["gap"] = env_or("CHAOS_GAP_S", cfg["gap"], float)
    edge = os.environ["TEST_EDGE_URL"].split("://", 1)[1]
    host, port = edge.rsplit(":", 1)
    run = "%x" % int(time.time())
    env = {"edge": (host, int(port)),
           "api_auth": base64.b64encode(("%s:%s" % (os.environ["TEST_API_USER"],
                                                    os.environ["TEST_API_KEY"])).encode()).decode()}
    stack, pg_url = os.environ["TEST_STACK"], os.environ["TEST_PG_URL"]
    out = os.environ.get("CHAOS_OUT", "")
    log, ledger = loadmod.Log(), loadmod.Ledger()
    spool = loadmod.Spool(os.environ["TEST_SPOOL_DIR"])

    say("mode %s: %d clients, quota %d sign-ups/organizations/memberships, run id %s"
        % (mode, cfg["clients"], cfg["quota"], run))
    setup(env, log, ledger, spool, run)
    load = loadmod.Load(env, log, ledger, spool, run, cfg["clients"], cfg["quota"])
    load.start()
    time.sleep(cfg["warmup"])
    faults = faultmod.schedule(mode)
    for f in faults:
        f.run(stack, say)
        time.sleep(cfg["gap"])
    t_faults_done = time.monotonic()
    while not load.quotas_met() and time.monotonic() - t_faults_done < cfg["max_load"]:
        time.sleep(0.5)
    say("stopping the load (%d requests so far)" % len(log.rows))
    load.stop()
    t_end = time.monotonic()
    with ledger.mu:
        say("acknowledged: %d sign-ups (%d confirmed), %d organizations, %d memberships; "
            "%d sign-ups tried" % (len(ledger.acked), len(ledger.confirmed), len(ledger.orgs),
                                   len(ledger.memberships), len(ledger.attempted)))

    verify.error_windows(say, log, faults, t_end)
    chk = verify.Checks(say)
    fault_errors = [e for f in faults for e in f.errors]
    chk.add("faults_injected", not fault_errors, "%d faults, %d failed to inject or restore"
            % (len(faults), len(fault_errors)), fault_errors)
    quota_ok = (len(ledger.acked) >= cfg["quota"] and len(ledger.orgs) >= cfg["quota"] and
                len(ledger.memberships) >= cfg["quota"])
    chk.add("volume", quota_ok, "%d sign-ups, %d organizations, %d memberships acknowledged "
            "(at least %d each)" % (len(ledger.acked), len(ledger.orgs), len(ledger.memberships),
                                    cfg["quota"]))
    users = verify.check_acked_writes(chk, pg_url, run, ledger)
    n_before = len(log.rows)
    verify.check_usable(chk, pg_url, run, ledger, env, log, spool)
    verify.check_outboxes(chk, pg_url, cfg["settle"])
    verify.check_projection(chk, pg_url, cfg["settle"])
    users = {r[0]: (r[1], r[2] == "t") for r in verify.psql(
        pg_url, "SELECT username, id, registered FROM identity.users WHERE username LIKE "
        "'chaos-%s-%%'" % run)} or users
    verify.check_stream(chk, pg_url, os.environ["TEST_NATS_URL"], run, ledger, users)
    # the request log of the load (the verification's own requests excluded)
    load_log = loadmod.Log()
    load_log.rows = log.rows[:n_before]
    load_log.findings = log.findings
    verify.check_requests(chk, load_log, faults, T0)
    verify.client_errors(say, load_log, faults, T0)
    spool.stop = True

    if out:
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "requests.jsonl"), "w") as fh:
            for r in log.rows:
                fh.write(json.dumps({"op": r[0], "sent_s": round(r[1] - T0, 4),
                                     "answered_s": round(r[2] - T0, 4), "status": r[3],
                                     "error": r[4], "try": r[5], "request_id": r[6], "key": r[8],
                                     "body": r[7]}) + "\n")
        with open(os.path.join(out, "faults.json"), "w") as fh:
            json.dump([{"name": f.name, "at_s": round(f.t_inject - T0, 3),
                        "restored_s": round(f.t_restored - T0, 3), "errors": f.errors,
                        "notes": f.notes}
                       for f in faults if f.t_inject], fh, indent=1)
        with open(os.path.join(out, "findings.json"), "w") as fh:
            json.dump(log.findings, fh, indent=1)
        say("request log: %s/requests.jsonl" % out)
    print(chk.synthesis(), flush=True)
    failing = [r[0] for r in chk.results if not r[1]]
    say("%s (%.0f s)" % ("all checks pass" if not failing else "FAILED: " + ", ".join(failing),
                         time.monotonic() - T0))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
