"""faults.py: the faults the chaos suite injects, each through scripts/stack.sh
on the private stack ($TEST_STACK, VAR_DIR exported by with-test-stack.sh):
kill -9 of a daemon then its restart, nats-server stop/start and kill -9/start,
Postgres restarted with pg_ctl stop -m fast and -m immediate."""
import subprocess
import time

DAEMONS = ["identity", "authz", "messaging", "onboarding", "privacy", "edge"]
ALL = set(DAEMONS)


class Fault:
    def __init__(self, name, affects, steps, down_s=1.0):
        self.name = name          # printed
        self.affects = affects    # services whose operations it disturbs
        self.steps = steps        # lists of stack.sh arguments; a pause of down_s after the first
        self.down_s = down_s
        self.t_inject = None      # monotonic time of the first step
        self.t_restored = None    # when the last step returned
        self.errors = []          # stack.sh failures
        self.notes = []           # a step that failed once, then passed on a retry

    def run(self, stack, say):
        self.t_inject = time.monotonic()
        for i, args in enumerate(self.steps):
            if i == 1:
                time.sleep(self.down_s)  # the load meets the fault meanwhile
            for attempt in range(3):
                p = subprocess.run([stack] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
                if p.returncode == 0:
                    break
                msg = "stack.sh %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                    p.stdout.strip().splitlines()[-1:])
                # a restart step may be retried: stack.sh start/start-nats can take a
                # process still between fork and exec for a dead one ("exited");
                # the retry then finds it running (or starts it)
                if i == 0 or attempt == 2:
                    self.errors.append(msg)
                    break
                self.notes.append(msg)
                time.sleep(0.5)
        self.t_restored = time.monotonic()
        say("fault %-28s injected, restored after %.1f s%s%s" % (
            self.name, self.t_restored - self.t_inject,
            "" if not self.errors else " (ERRORS: %s)" % "; ".join(self.errors),
            "" if not self.notes else " (passed on a retry: %s)" % "; ".join(self.notes)))


def daemon_kill(svc):
    return Fault("kill -9 %s" % svc, {svc} if svc != "edge" else ALL,
                 [["kill9", svc], ["start", svc]])


def nats_restart():
    return Fault("nats-server stop/start", ALL, [["stop-nats"], ["start-nats"]])


def nats_kill():
    return Fault("nats-server kill -9/start", ALL, [["kill9-nats"], ["start-nats"]])


def pg_restart(mode):
    return Fault("postgres restart -m %s" % mode, ALL - {"edge"}, [["restart-pg", mode]])


def schedule(mode):
    """The faults of a run, in order."""
    if mode == "short":
        # the subset that must pass once issue 10's fixes are in
        return [daemon_kill("identity"), daemon_kill("onboarding"), nats_restart(),
                pg_restart("fast")]
    return ([daemon_kill(s) for s in DAEMONS] +
            [nats_restart(), nats_kill(), pg_restart("fast"), pg_restart("immediate")])
