"""load.py: the chaos suite's mixed load (Python 3 stdlib only). Several client
threads sign people up (onboarding, code read back from the spool, confirm),
create organizations and add members as the platform admin, log in and read.
Every request is recorded (time sent, time answered, status, error kind,
X-Request-Id); every acknowledged write goes into the ledger that the checks
compare with Postgres and the EVENTS stream. A write whose answer was lost
(no answer, 5xx, 429, or 409 "idempotency_key_in_use": the first try still
runs) is retried with the same Idempotency-Key; another 4xx on such
a retry is recorded as a finding."""
import http.client
import json
import os
import random
import socket
import threading
import time
import uuid

PASSWORD = "vG7#kq2!Lm9zR-pine"  # passes identity's policy (as tests/integration)
CLIENT_TIMEOUT_S = 20.0          # the edge answers 504 after REQUEST_TIMEOUT_MS (2 s)
RETRY_FOR_S = 40.0               # a client keeps retrying a lost write this long
CODE_WAIT_S = 8.0                # how long a client waits for its sign-up code
RETRYABLE = {0, 429, 500, 502, 503, 504}

# which service answers each operation (for the error window of a daemon's fault)
OP_SERVICE = {
    "sign_up": "onboarding", "confirm": "onboarding",
    "org_create": "identity", "add_user": "identity", "login": "identity",
    "user_read": "identity", "org_read": "identity",
    "authz_status": "authz", "util_test": "messaging", "privacy_read": "privacy",
}
# answers that are a success for an operation besides 2xx
OP_OK = {}


def ok_status(op, status):
    return 200 <= status < 300 or status in OP_OK.get(op, ())


class Log:
    """Every request: (op, t_sent, t_answered, status, err, try_no, rid)."""

    def __init__(self):
        self.mu = threading.Lock()
        self.rows = []
        self.findings = []  # dicts: kind, op, detail

    def add(self, row):
        with self.mu:
            self.rows.append(row)

    def finding(self, **kw):
        with self.mu:
            self.findings.append(kw)


class Ledger:
    """What the clients were told was done, and what they tried."""

    def __init__(self):
        self.mu = threading.Lock()
        self.attempted = {}      # username -> code it signed up with
        self.acked = {}          # username -> time of the first 201 to its sign-up
        self.confirmed = {}      # username -> user id (confirm 201)
        self.stuck = {}          # username -> why the client could not finish it
        self.orgs = {}           # org id -> name (create 201)
        self.org_names_tried = set()
        self.memberships = set()  # (user id, org id) (add-user 201)
        self.pairs_tried = set()


class Spool:
    """Watches messaging's spool and keeps the newest sign-up code per address."""

    def __init__(self, folder):
        self.folder = folder
        self.cv = threading.Condition()
        self.seen = set()
        self.codes = {}  # to -> (file name, code)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _scan(self):
        try:
            names = [e.name for e in os.scandir(self.folder)
                     if e.name.endswith(".json") and not e.name.startswith(".")]
        except FileNotFoundError:
            return
        fresh = []
        for n in names:
            if n in self.seen:
                continue
            self.seen.add(n)
            try:
                with open(os.path.join(self.folder, n)) as f:
                    doc = json.load(f)
            except (OSError, ValueError):
                self.seen.discard(n)  # half written: read it next time
                continue
            if doc.get("kind") != "sign-up-code":
                continue
            body, code = doc.get("body", ""), ""
            for tok in "".join(c if c.isdigit() else " " for c in body).split():
                if len(tok) >= 6:
                    code = tok
                    break
            fresh.append((doc.get("to", ""), n, code))
        if fresh:
            with self.cv:
                for to, n, code in fresh:
                    if to not in self.codes or self.codes[to][0] < n:
                        self.codes[to] = (n, code)
                self.cv.notify_all()

    def _run(self):
        while not self.stop:
            self._scan()
            time.sleep(0.1)

    def latest(self, to):
        with self.cv:
            return self.codes.get(to)

    def wait_newer(self, to, than, timeout):
        """A code for `to` from a file newer than `than` (a (name, code) or None)."""
        until = time.monotonic() + timeout
        with self.cv:
            while True:
                cur = self.codes.get(to)
                if cur and (than is None or cur[0] > than[0]):
                    return cur
                left = until - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(min(left, 0.2))


class Client:
    def __init__(self, env, log, ledger, spool, run_id):
        self.host, self.port = env["edge"]
        self.api_auth = env["api_auth"]
        self.log, self.ledger, self.spool, self.run = log, ledger, spool, run_id
        self.admin = env.get("admin_token", "")
        self.codes = env.get("codes", [])
        self.rng = random.Random()
        self.last_err = ""

    # --- one HTTP exchange, recorded ---
    def call(self, op, method, path, body=None, token=None, key=None, try_no=1, basic=None, tag=""):
        headers = {"Connection": "close", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        elif basic:
            headers["Authorization"] = "Basic " + basic
        if key:
            headers["Idempotency-Key"] = key
        t0 = time.monotonic()
        status, err, rid, doc, text = 0, "", "", None, ""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=CLIENT_TIMEOUT_S)
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            status = resp.status
            rid = resp.getheader("X-Request-Id", "") or ""
            text = raw[:300].decode(errors="replace")
            try:
                doc = json.loads(raw) if raw else None
            except ValueError:
                doc = None
        except ConnectionRefusedError:
            err = "refused"
        except socket.timeout:
            err = "timeout"
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                http.client.IncompleteRead, ConnectionAbortedError):
            err = "cut"
        except OSError as e:
            err = "oserror:%s" % e.__class__.__name__
        finally:
            conn.close()
        t1 = time.monotonic()
        self.log.add((op, t0, t1, status, err, try_no, rid, text if status >= 400 else "", tag))
        self.last_err = err
        return status, doc, text

    def write(self, op, method, path, body, token=None, tag=""):
        """A write retried with one Idempotency-Key while its answer is lost.
        Returns (status, doc, text, lost_before) of the last try."""
        key = str(uuid.uuid4())
        until = time.monotonic() + RETRY_FOR_S
        lost, try_no, delay = False, 0, 0.2
        while True:
            try_no += 1
            st, doc, text = self.call(op, method, path, body, token, key, try_no, tag=tag)
            if 200 <= st < 300:
                return st, doc, text, lost
            # 409 idempotency_key_in_use: the first try is still running (or
            # its claim is not stale yet): the answer says "retry later"
            in_use = st == 409 and "idempotency_key_in_use" in text
            if st in RETRYABLE or in_use:
                refused = st == 0 and self.last_err == "refused"
                if st != 429 and not refused and not in_use:
                    lost = True  # it may have been done: the retry must say so
                if time.monotonic() > until:
                    self.log.finding(kind="write_gave_up", op=op, detail="%s %s (%s): last %d after %d tries"
                                     % (method, path, tag, st, try_no))
                    return st, doc, text, lost
                time.sleep(delay + self.rng.random() * delay)
                delay = min(delay * 2, 2.0)
                continue
            if lost:
                self.log.finding(kind="retry_refused", op=op,
                                 detail="%s %s (%s): %d on a retry after a lost answer (key %s): %s"
                                 % (method, path, tag, st, key, text[:160]))
            return st, doc, text, lost

    # --- operations ---
    def sign_up_flow(self, username, code):
        """Sign-up, code from the spool, confirm with login. Resumes (signs up
        again) when no code comes. Returns the user id or None."""
        led = self.ledger
        with led.mu:
            led.attempted[username] = code
        body = {"first-name": "Chaos", "last-name": "Load", "organization-code": code,
                "password": PASSWORD, "username": username}
        got = None
        for attempt in range(3):
            before = self.spool.latest(username)
            st, doc, text, lost = self.write("sign_up", "POST", "/v1/sign-up/", body, tag=username)
            if st == 201:
                with led.mu:
                    led.acked.setdefault(username, time.monotonic())
            elif st != 409:
                with led.mu:
                    led.stuck[username] = "sign-up %d: %s" % (st, text[:120])
                return None
            got = self.spool.wait_newer(username, before, CODE_WAIT_S)
            if got:
                break
            # no code: as a person would, sign up again (a new intent, a new key)
        if not got:
            got = self.spool.latest(username)  # a code kept pending may still be good
        if not got:
            with led.mu:
                led.stuck[username] = "no code after 3 sign-ups (last %d: %s)" % (st, text[:120])
            return None
        for _ in range(3):
            st, doc, text, lost = self.write("confirm", "POST", "/v1/confirm-sign-up/",
                                             {"username": username, "confirmation-code": got[1],
                                              "login": True}, tag=username)
            # two codes may be on their way (a sign-up retried after a lost answer
            # sends a new one): like a person, use the newest message
            newer = self.spool.wait_newer(username, got, 3.0) if st == 400 else None
            if not newer:
                break
            got = newer
        uid = find_key(doc, "user-id") if st == 201 else None
        # a 409 "confirmed already" after a lost answer is a finding (recorded by
        # write), but the account is confirmed: the person logs in
        if (st == 201 and not uid) or (st == 409 and lost):
            uid = self.login(username)
        if not uid:
            with led.mu:
                led.stuck[username] = "confirm %d: %s" % (st, text[:120])
            return None
        with led.mu:
            led.confirmed[username] = uid
        return uid

    def login(self, username, op="login"):
        """POST /v1/login/ (retried while lost); the user id, or None."""
        st, doc, text, _ = self.write(op, "POST", "/v1/login/",
                                      {"username": username, "password": PASSWORD}, tag=username)
        if st != 201 or not isinstance(doc, dict):
            return None
        return find_key(doc, "user-id")

    def org_create(self, n):
        name = "chaos-%s-org-%d" % (self.run, n)
        with self.ledger.mu:
            self.ledger.org_names_tried.add(name)
        body = {"data": {"type": "organizations",
                         "attributes": {"name": name, "display-name": "Chaos clinic %d" % n}}}
        st, doc, text, _ = self.write("org_create", "POST", "/v1/organizations/", body, self.admin,
                                      tag=name)
        if st == 201 and isinstance(doc, dict):
            oid = (doc.get("data") or {}).get("id")
            if oid:
                with self.ledger.mu:
                    self.ledger.orgs[oid] = name
                return oid
        return None

    def add_user(self, uid, oid):
        with self.ledger.mu:
            self.ledger.pairs_tried.add((uid, oid))
        body = {"data": {"type": "organizations", "attributes": {"user-id": uid}}}
        st, doc, text, _ = self.write("add_user", "POST", "/v1/organizations/%s/add-user/" % oid,
                                      body, self.admin, tag="%s:%s" % (uid, oid))
        if st == 201:
            with self.ledger.mu:
                self.ledger.memberships.add((uid, oid))
            return True
        return False

    def read(self, op, path, token=None, basic=None):
        st, _, _ = self.call(op, "GET", path, token=token, basic=basic)
        return st


def find_key(doc, key):
    """The first value of `key` anywhere in a JSON document."""
    if isinstance(doc, dict):
        if key in doc and isinstance(doc[key], str):
            return doc[key]
        for v in doc.values():
            r = find_key(v, key)
            if r:
                return r
    elif isinstance(doc, list):
        for v in doc:
            r = find_key(v, key)
            if r:
                return r
    return None


class Load:
    """N client threads doing the mixed load until stop() (and the quotas)."""

    def __init__(self, env, log, ledger, spool, run_id, clients, quota):
        self.env, self.log, self.ledger, self.spool = env, log, ledger, spool
        self.run, self.n_clients, self.quota = run_id, clients, quota
        self.stopping = threading.Event()
        self.counter = 0
        self.cmu = threading.Lock()
        self.threads = []

    def next_n(self):
        with self.cmu:
            self.counter += 1
            return self.counter

    def quotas_met(self):
        led = self.ledger
        with led.mu:
            return (len(led.acked) >= self.quota and len(led.orgs) >= self.quota and
                    len(led.memberships) >= self.quota)

    def start(self):
        for i in range(self.n_clients):
            t = threading.Thread(target=self._client, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(RETRY_FOR_S + CLIENT_TIMEOUT_S + 3 * CODE_WAIT_S + 30)

    def _pick(self, c):
        led = self.ledger
        with led.mu:
            n_users, n_orgs = len(led.confirmed), len(led.orgs)
            need_su = len(led.acked) < self.quota
            need_org = n_orgs < self.quota
            need_mem = len(led.memberships) < self.quota
        w = [("sign_up", 4 if need_su else 1), ("org_create", 3 if need_org else 1),
             ("add_user", (4 if need_mem else 1) if n_users and n_orgs else 0),
             ("login", 1 if n_users else 0), ("user_read", 2 if n_users else 0),
             ("org_read", 1 if n_orgs else 0), ("authz_status", 1 if n_users else 0),
             ("util_test", 2), ("privacy_read", 1)]
        total = sum(x for _, x in w)
        r = c.rng.random() * total
        for name, x in w:
            r -= x
            if r < 0:
                return name
        return "util_test"

    def _client(self, idx):
        c = Client(self.env, self.log, self.ledger, self.spool, self.run)
        led = self.ledger
        while not self.stopping.is_set():
            op = self._pick(c)
            try:
                if op == "sign_up":
                    n = self.next_n()
                    c.sign_up_flow("chaos-%s-u%d@example.com" % (self.run, n),
                                   c.rng.choice(c.codes))
                elif op == "org_create":
                    c.org_create(self.next_n())
                elif op == "add_user":
                    with led.mu:
                        uids = list(led.confirmed.values())
                        oids = list(led.orgs)
                    for _ in range(10):
                        pair = (c.rng.choice(uids), c.rng.choice(oids))
                        with led.mu:
                            fresh = pair not in led.pairs_tried
                        if fresh:
                            c.add_user(*pair)
                            break
                elif op == "login":
                    with led.mu:
                        names = list(led.confirmed)
                    who = c.rng.choice(names)
                    if c.login(who) is None:
                        self.log.finding(kind="login_failed", op="login", detail="%s: a confirmed "
                                         "account could not log in during the load" % who)
                elif op == "user_read":
                    with led.mu:
                        uid = c.rng.choice(list(led.confirmed.values()))
                    c.read(op, "/v1/users/%s/" % uid, token=c.admin)
                elif op == "org_read":
                    with led.mu:
                        oid = c.rng.choice(list(led.orgs))
                    c.read(op, "/v1/organizations/%s/" % oid, token=c.admin)
                elif op == "authz_status":
                    with led.mu:
                        uid = c.rng.choice(list(led.confirmed.values()))
                    c.read(op, "/v1/authz-user-status/%s/" % uid, token=c.admin)
                elif op == "util_test":
                    c.read(op, "/api/2015-02-01/util/test/%d" % idx, basic=c.api_auth)
                elif op == "privacy_read":
                    c.read(op, "/v1/deletion-requests/?user-email=nobody%40example.com",
                           token=c.admin)
            except IndexError:
                pass  # nothing to pick from yet
            except Exception as e:  # noqa: BLE001 - a harness bug: counted, the client goes on
                self.log.finding(kind="harness_error", op=op, detail="%s: %r" % (
                    e.__class__.__name__, e))
            time.sleep(0.02 + c.rng.random() * 0.04)
