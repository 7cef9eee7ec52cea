#!/usr/bin/env bash
# deploy-check.sh: `make deploy-check`: proves the Dockerfile, docker-compose.yml
# and the Kubernetes manifests of deploy/ on a Debian 12 machine with no image
# registry (CI's kind), with podman. Steps, each timed:
#   deps      podman, runc, podman-compose, mmdebstrap (only what is missing),
#             the validator's npm packages (deploy/check/package-lock.json);
#   base      a Debian 12 root filesystem made with mmdebstrap from the apt
#             sources of this machine, imported as debian:bookworm and
#             debian:bookworm-slim (the bases the Dockerfile names);
#   images    every service image (--format docker, HEALTHCHECK kept), sizes;
#   standins  nats:2.10 and postgres:15 built from Debian's packages
#             (deploy/check/nats, deploy/check/postgres);
#   compose   docker-compose.yml run unchanged with podman-compose, util/test
#             through the edge, a second copy of authz and of messaging, and
#             both copies of each shown taking requests on their /metrics;
#   kube      deploy/ rendered with kubectl kustomize, every object validated
#             with unknown fields refused (deploy/check/validate.mjs), the
#             Deployments played with podman kube play, every probe and
#             util/test through the edge pod checked;
#   leftovers no container, pod, volume or network of the check remains.
# Podman reads deploy/check/containers.conf (runc, explicit ulimits); nothing
# in /etc is changed. Images are kept as a cache; everything else is removed,
# on failure too. Run as root (CI is). Usage: scripts/deploy-check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export CONTAINERS_CONF=$ROOT/deploy/check/containers.conf
export DEBIAN_FRONTEND=noninteractive
SERVICES=(edge identity authz messaging onboarding privacy)
PROJECT=healthdc            # compose project: containers healthdc_<svc>_<n>
KNET=healthdc-kube          # the network of the kube play pods
KSUBNET=10.89.77.0/24
NATS_IP=10.89.77.10         # stand in for the Services "nats" and "postgres"
PG_IP=10.89.77.11
WORK=$(mktemp -d /tmp/deploy-check.XXXXXX)
UTIL_TEST=/api/2015-02-01/util/test/1
START=$(date +%s)
declare -a TIMES=() PROVED=()
HC_PID=

say() { printf '== %s\n' "$*"; }
fail() {
    printf 'deploy-check: FAILED: %s\n' "$*" >&2
    exit 1
}
step_t0=0
step() {
    step_t0=$(date +%s)
    say "$1"
    CUR_STEP=$1
}
step_done() {
    local s=$(($(date +%s) - step_t0))
    TIMES+=("$(printf '%-10s %4d s' "$CUR_STEP" "$s")")
    say "$CUR_STEP done in ${s} s"
}
proved() { PROVED+=("$*"); }

# podman-compose with the repository's file, unchanged, as project PROJECT.
compose() { podman-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }

# poll <seconds> <what> <command...>: runs command every second until it
# succeeds; fails the check after the deadline.
poll() {
    local secs=$1 what=$2
    shift 2
    local end=$(($(date +%s) + secs))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$end" ] || fail "$what: not within ${secs} s"
        sleep 1
    done
}

CLEANED=
cleanup() {
    local rc=${1:-$?}
    [ -z "$CLEANED" ] || return 0
    CLEANED=1
    set +e
    trap - INT TERM
    say "cleanup"
    [ -n "$HC_PID" ] && kill "$HC_PID" 2>/dev/null
    if command -v podman >/dev/null; then
        for f in "$WORK"/kube/daemons.yaml "$WORK"/kube/nats.yaml "$WORK"/kube/postgres.yaml; do
            [ -f "$f" ] && podman kube down "$f" >/dev/null 2>&1
        done
        podman network exists "$KNET" 2>/dev/null && podman network rm -f "$KNET" >/dev/null 2>&1
        if command -v podman-compose >/dev/null; then
            compose down -v >/dev/null 2>&1
        fi
        for c in $(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" 2>/dev/null); do
            podman rm -f "$c" >/dev/null 2>&1
        done
        for v in $(podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" 2>/dev/null); do
            podman volume rm -f "$v" >/dev/null 2>&1
        done
        podman network exists "${PROJECT}_default" 2>/dev/null && podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
    fi
    rm -rf "$WORK"
    [ $rc -eq 0 ] || echo "deploy-check: failed after $(($(date +%s) - START)) s" >&2
    exit $rc
}
trap cleanup EXIT
trap 'cleanup 130' INT TERM

[ "$(id -u)" = 0 ] || fail "run as root (podman's rootful storage and networks)"

# --- deps ----------------------------------------------------------------------
step deps
need=()
for p in podman runc podman-compose mmdebstrap containernetworking-plugins \
    golang-github-containernetworking-plugin-dnsname catatonit curl; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || need+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# kubectl is optional: Debian 12 has none whose kustomize reads `labels:`
# (kubernetes-client is 1.20); without it deploy/check/kustomize.mjs renders
# (the same objects: compared with kubectl's output wherever kubectl exists)
HAVE_KUBECTL=0
command -v kubectl >/dev/null && HAVE_KUBECTL=1
(cd deploy/check && npm ci --no-audit --no-fund --silent)
[ "$(podman info --format '{{.Host.OCIRuntime.Name}}')" = runc ] || fail "podman does not use runc"
echo "podman $(podman version --format '{{.Client.Version}}'), runc, podman-compose $(podman-compose version 2>&1 | sed -n 's/^podman-compose[r]* version *//p' | head -1), $([ $HAVE_KUBECTL = 1 ] && kubectl version --client 2>/dev/null | tr '\n' ' ' || echo 'no kubectl: kustomize.mjs renders')"
step_done

# --- base ----------------------------------------------------------------------
step base
# the machine's own apt sources (deb822 or one-line), comments dropped
sources=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v '^#' || true)
[ -n "$sources" ] || sources=$(grep -hv '^#' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$sources" ] || fail "no apt sources on this machine"
printf '%s\n' "$sources" | nice -n 5 mmdebstrap --quiet --variant=apt --format=tar \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$WORK/rootfs.tar" - || fail "mmdebstrap"
podman import --quiet --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$WORK/rootfs.tar" docker.io/library/debian:bookworm >/dev/null
podman tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
rm -f "$WORK/rootfs.tar"
podman run --rm docker.io/library/debian:bookworm-slim sh -c '. /etc/os-release; echo "base: $PRETTY_NAME"'
proved "a Debian 12 base image made with mmdebstrap from this machine's apt sources runs"
step_done

# --- images --------------------------------------------------------------------
step images
for s in "${SERVICES[@]}"; do
    t0=$(date +%s)
    nice -n 5 podman build --quiet --format docker --target "$s" -t "health-$s:dev" . \
        >"$WORK/build-$s.log" 2>&1 || {
        tail -30 "$WORK/build-$s.log"
        fail "image health-$s"
    }
    hc=$(podman image inspect --format '{{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}}' "health-$s:dev")
    [ -n "$hc" ] || fail "health-$s has no HEALTHCHECK"
    printf '  health-%-10s %s  built in %d s\n' "$s" \
        "$(podman image inspect --format '{{.Size}}' "health-$s:dev" | awk '{printf "%.0f MB", $1/1e6}')" \
        $(($(date +%s) - t0))
done
proved "every service image builds from the Dockerfile (--format docker) and keeps its HEALTHCHECK"
step_done

# --- standins ------------------------------------------------------------------
step standins
nice -n 5 podman build --quiet --format docker -t docker.io/library/nats:2.10 deploy/check/nats >/dev/null
nice -n 5 podman build --quiet --format docker -t docker.io/library/postgres:15 deploy/check/postgres >/dev/null
for i in nats:2.10 postgres:15; do
    printf '  %-12s %s (stand-in from Debian packages)\n' "$i" \
        "$(podman image inspect --format '{{.Size}}' "docker.io/library/$i" | awk '{printf "%.0f MB", $1/1e6}')"
done
step_done

# --- compose -------------------------------------------------------------------
step compose
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export EDGE_PUBLISH=$port
api_user=api-dev api_key=dev-api-key-0123456789abcdef0123 # docker-compose.yml's development defaults
compose up -d >"$WORK/compose-up.log" 2>&1 || {
    tail -30 "$WORK/compose-up.log"
    fail "podman-compose up"
}
# no systemd here: move the health states as a Docker engine would
(while sleep 3; do
    for c in $(podman ps -q --filter "label=io.podman.compose.project=$PROJECT"); do
        podman healthcheck run "$c" >/dev/null 2>&1
    done
done) &
HC_PID=$!
util_test() { curl -fsS -o /dev/null -u "$api_user:$api_key" "http://127.0.0.1:$port$UTIL_TEST"; }
poll 240 "util/test through the compose stack's edge" util_test
echo "  util/test through the edge: 200"
enc=$(podman exec "${PROJECT}_postgres_1" psql -U postgres -d postgres -tAc \
    "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'health'")
[ "$enc" = UTF8 ] || fail "the postgres stand-in's database health is not UTF8 ($enc)"
echo "  postgres stand-in: database health (POSTGRES_DB), encoding $enc"
proved "docker-compose.yml runs unchanged under podman-compose and util/test answers 200 through the edge"
# a second copy of authz and of messaging, from the same service definitions
for s in authz messaging; do
    compose run -d --no-deps --name "${PROJECT}_${s}_2" "$s" >"$WORK/run-$s.log" 2>&1 || {
        tail -20 "$WORK/run-$s.log"
        fail "second copy of $s"
    }
done
declare -A ADMIN=([authz]=9102 [messaging]=9103)
copy_ready() { podman exec "$1" curl -fsS -o /dev/null "http://127.0.0.1:$2/readyz"; }
requests_total() {
    podman exec "$1" curl -fsS "http://127.0.0.1:$2/metrics" |
        awk '/^requests_total\{/ {n += $NF} END {printf "%d\n", n}'
}
for s in authz messaging; do
    for n in 1 2; do
        poll 120 "${PROJECT}_${s}_$n ready" copy_ready "${PROJECT}_${s}_$n" "${ADMIN[$s]}"
    done
done
declare -A BEFORE=()
for s in authz messaging; do for n in 1 2; do
    BEFORE[$s$n]=$(requests_total "${PROJECT}_${s}_$n" "${ADMIN[$s]}")
done; done
# util/test is messaging's; authz-user-status is authz's (any answer counts)
for i in $(seq 1 100); do
    curl -sS -o /dev/null -u "$api_user:$api_key" "http://127.0.0.1:$port$UTIL_TEST"
    curl -sS -o /dev/null -u "$api_user:$api_key" "http://127.0.0.1:$port/v1/authz-user-status/1/"
done
for s in authz messaging; do for n in 1 2; do
    after=$(requests_total "${PROJECT}_${s}_$n" "${ADMIN[$s]}")
    d=$((after - BEFORE[$s$n]))
    printf '  %-10s copy %d: %3d requests of the 100 sent (requests_total on /metrics)\n' "$s" "$n" "$d"
    [ "$d" -gt 0 ] || fail "$s copy $n took no requests"
done; done
proved "a second copy of authz and of messaging joins its queue group: both copies of each take requests (/metrics)"
kill "$HC_PID" 2>/dev/null || true
wait "$HC_PID" 2>/dev/null || true
HC_PID=
for s in authz messaging; do podman rm -f "${PROJECT}_${s}_2" >/dev/null 2>&1; done
compose down -v >"$WORK/compose-down.log" 2>&1 || fail "podman-compose down"
podman network rm -f "${PROJECT}_default" >/dev/null # podman-compose 1.0.3 leaves it
step_done

# --- kube ----------------------------------------------------------------------
step kube
if [ $HAVE_KUBECTL = 1 ]; then
    kubectl kustomize deploy/ >"$WORK/rendered.yaml" || fail "kubectl kustomize deploy/"
    node deploy/check/kustomize.mjs deploy --compare "$WORK/rendered.yaml" | sed 's/^/  kustomize.mjs: /'
    [ "${PIPESTATUS[0]}" = 0 ] || fail "deploy/check/kustomize.mjs renders other objects than kubectl"
    proved "deploy/check/kustomize.mjs (used where kubectl is missing) renders exactly kubectl kustomize's objects"
else
    echo "  kubectl not found: rendering with deploy/check/kustomize.mjs (checked equal to kubectl where it exists)"
    node deploy/check/kustomize.mjs deploy >"$WORK/rendered.yaml" || fail "kustomize.mjs deploy/"
fi
echo "  rendered deploy/: $(grep -c '^kind:' "$WORK/rendered.yaml") objects"
node deploy/check/validate.mjs "$WORK/rendered.yaml" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "the manifests do not validate"
# the validator must refuse an unknown field and a wrong type (self-test)
sed -e '0,/^      automountServiceAccountToken: false$/s//&\n      hostNetwrok: true/' \
    -e '0,/^  minReplicas: [0-9]*$/s//  minReplicas: "two"/' "$WORK/rendered.yaml" >"$WORK/broken.yaml"
if node deploy/check/validate.mjs "$WORK/broken.yaml" >"$WORK/broken.out"; then
    fail "the validator took an unknown field"
fi
grep -q 'hostNetwrok: unknown field' "$WORK/broken.out" || fail "the validator missed an unknown field"
grep -q 'minReplicas must be integer' "$WORK/broken.out" || fail "the validator missed a wrong type"
echo "  self-test: an unknown field (hostNetwrok) and a string minReplicas are refused"
proved "every object of deploy/ validates against the Kubernetes schemas with unknown fields refused"
node deploy/check/kubeplay.mjs "$WORK/rendered.yaml" "$WORK/kube" "$NATS_IP" "$PG_IP" | sed 's/^/  /'
podman network create --subnet "$KSUBNET" "$KNET" >/dev/null
podman kube play --network "$KNET" --ip "$NATS_IP" "$WORK/kube/nats.yaml" >"$WORK/play-nats.log" 2>&1 ||
    { cat "$WORK/play-nats.log"; fail "kube play nats"; }
podman kube play --network "$KNET" --ip "$PG_IP" "$WORK/kube/postgres.yaml" >"$WORK/play-pg.log" 2>&1 ||
    { cat "$WORK/play-pg.log"; fail "kube play postgres"; }
podman kube play --network "$KNET" "$WORK/kube/daemons.yaml" >"$WORK/play-daemons.log" 2>&1 ||
    { cat "$WORK/play-daemons.log"; fail "kube play of the Deployments"; }
# container <deployment> <container>: the name podman gave it (<deployment>-pod-0-<container>)
container_of() {
    podman ps --format '{{.Names}}' | awk -v d="$1" -v c="$2" \
        'index($1, d "-pod") == 1 && substr($1, length($1) - length(c)) == "-" c {print $1; exit}'
}
pod_ip() {
    local pod infra
    pod=$(podman inspect --format '{{.Pod}}' "$1")
    infra=$(podman pod inspect --format '{{.InfraContainerID}}' "$pod")
    podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$infra"
}
# run_probe <container> <path|-> <port> <exec json|->: one probe, as the kubelet would
run_probe() {
    local ip
    if [ "$2" != - ]; then
        ip=$(pod_ip "$1") && curl -fsS -o /dev/null --max-time 3 "http://$ip:$3$2"
    else
        podman exec "$1" sh -c "$4"
    fi
}
nprobes=0
while IFS=$'\t' read -r dep ctr kind path port cmd; do
    c=$(container_of "$dep" "$ctr")
    [ -n "$c" ] || fail "no running container for $dep/$ctr"
    poll 240 "$kind of $dep/$ctr" run_probe "$c" "$path" "$port" "$cmd"
    printf '  %-11s %-15s %s\n' "$dep/$ctr" "$kind" "$([ "$path" != - ] && echo "GET :$port$path" || echo "exec")"
    nprobes=$((nprobes + 1))
done < <(node -e '
    for (const p of require(process.argv[1]))
      console.log([p.deployment, p.container, p.kind, p.path || "-", p.port || "-",
                   p.exec ? (p.exec[0] === "sh" && p.exec[1] === "-c" ? p.exec[2] : p.exec.join(" ")) : "-"].join("\t"));
  ' "$WORK/kube/probes.json")
proved "podman kube play runs the six Deployments (and nats, postgres): all $nprobes probes pass"
# util/test on the edge pod, with the bootstrap credential of deploy/secrets.yaml
k_user=$(sed -n 's/^  BOOTSTRAP_API_USER: //p' deploy/secrets.yaml)
k_key=$(sed -n 's/^  BOOTSTRAP_API_KEY: //p' deploy/secrets.yaml)
edge_ip=$(pod_ip "$(container_of edge edge)")
kube_util_test() { curl -fsS -o /dev/null -u "$k_user:$k_key" "http://$edge_ip:8080$UTIL_TEST"; }
poll 120 "util/test through the edge pod" kube_util_test
echo "  util/test through the edge pod: 200"
proved "util/test answers 200 through the edge pod"
for f in daemons nats postgres; do podman kube down "$WORK/kube/$f.yaml" >>"$WORK/kube-down.log" 2>&1; done
podman network rm "$KNET" >/dev/null
step_done

# --- leftovers -----------------------------------------------------------------
step leftovers
left=$(
    podman ps -aq --filter "label=io.podman.compose.project=$PROJECT"
    podman pod ps -q
    podman volume ls -q
    podman network ls -q --filter "name=^($PROJECT|$KNET)"
)
[ -z "$left" ] || {
    podman ps -a
    podman pod ps
    podman volume ls
    fail "left behind: $left"
}
echo "  no container, pod, volume or network of the check is left (images are kept as a cache)"
proved "nothing is left behind"
step_done

cat <<EOF

== deploy-check passed in $(($(date +%s) - START)) s
Time of each step:
$(printf '  %s\n' "${TIMES[@]}")
Proved:
$(printf '  - %s\n' "${PROVED[@]}")
Not covered (no cluster, no registry here):
  - a real Kubernetes API server: admission, defaulting, RBAC, the namespace;
  - the scheduler, resource requests as placement, rolling updates;
  - Services and cluster DNS (hostAliases stand in for "nats" and "postgres"),
    HorizontalPodAutoscalers (one copy each), StatefulSet identity and volume claims
    (emptyDir here), ConfigMap/Secret mounting by the kubelet (values put into env);
  - the official nats and postgres images (Debian-built stand-ins: README, "make deploy-check").
EOF
