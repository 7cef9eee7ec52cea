// kubeplay.mjs: turns the rendered deploy/ (a YAML stream, argv[2]) into
// what `podman kube play` runs, for make deploy-check, writing into the
// folder argv[3]:
//   nats.yaml, postgres.yaml  the two StatefulSets as one-copy Deployments
//                             (podman plays no StatefulSet), each claim
//                             template an emptyDir;
//   daemons.yaml              the six Deployments, one copy each;
//   probes.json               every container's probes, for the script to run.
// What podman 4.3 cannot take from the manifests is done here, and only this:
// ConfigMap and Secret values (envFrom, configMapKeyRef, secretKeyRef) are
// put into env, and $(VAR) in command and args expanded, as the kubelet
// would; the Services' names "nats" and
// "postgres" become hostAliases to the fixed addresses argv[4] and argv[5]
// (no cluster DNS); HPA-owned replica counts become 1. Everything else
// (images, commands, ports, probes, security contexts, resources, volumes)
// is played as rendered.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

const [, , input, outDir, natsIp, pgIp] = process.argv;
const objs = parseAllDocuments(readFileSync(input, "utf8"))
  .map((d) => d.toJS())
  .filter((o) => o);
const configMaps = new Map();
const secrets = new Map();
for (const o of objs) {
  if (o.kind === "ConfigMap") configMaps.set(o.metadata.name, o.data || {});
  if (o.kind === "Secret")
    secrets.set(o.metadata.name, {
      ...Object.fromEntries(Object.entries(o.data || {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()])),
      ...(o.stringData || {}),
    });
}

function lookup(store, what, ref) {
  const m = store.get(ref.name);
  if (!m || !(ref.key in m)) throw new Error(`${what} ${ref.name}/${ref.key} is not in the manifests`);
  return String(m[ref.key]);
}

// The container's env with every reference resolved (envFrom first, as the
// kubelet does, then env, which wins).
function resolveEnv(c) {
  const env = new Map();
  for (const f of c.envFrom || []) {
    if (f.configMapRef) for (const [k, v] of Object.entries(configMaps.get(f.configMapRef.name) || {})) env.set(k, String(v));
    if (f.secretRef) for (const [k, v] of Object.entries(secrets.get(f.secretRef.name) || {})) env.set(k, String(v));
  }
  for (const e of c.env || []) {
    if (e.value !== undefined) env.set(e.name, String(e.value));
    else if (e.valueFrom?.configMapKeyRef) env.set(e.name, lookup(configMaps, "ConfigMap", e.valueFrom.configMapKeyRef));
    else if (e.valueFrom?.secretKeyRef) env.set(e.name, lookup(secrets, "Secret", e.valueFrom.secretKeyRef));
    else if (e.valueFrom?.fieldRef) env.set(e.name, e.valueFrom.fieldRef.fieldPath === "metadata.name" ? c.name : "");
  }
  delete c.envFrom;
  c.env = [...env].map(([name, value]) => ({ name, value }));
  // $(VAR) in command and args, expanded from env as the kubelet does
  const expand = (a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => (env.has(v) ? env.get(v) : m));
  for (const k of ["command", "args"]) if (c[k]) c[k] = c[k].map((a) => expand(String(a)));
}

const probes = [];
function playable(o, aliases) {
  const d = structuredClone(o);
  const spec = d.spec.template.spec;
  if (d.kind === "StatefulSet") {
    d.kind = "Deployment";
    for (const t of d.spec.volumeClaimTemplates || []) (spec.volumes ||= []).push({ name: t.metadata.name, emptyDir: {} });
    delete d.spec.volumeClaimTemplates;
    delete d.spec.serviceName;
  }
  d.spec.replicas = 1;
  delete d.metadata.namespace;
  if (aliases) spec.hostAliases = aliases;
  for (const c of spec.containers) {
    resolveEnv(c);
    const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
    for (const kind of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const p = c[kind];
      if (!p) continue;
      const port = p.httpGet ? (typeof p.httpGet.port === "string" ? ports[p.httpGet.port] : p.httpGet.port) : null;
      probes.push({ deployment: o.metadata.name, container: c.name, kind, path: p.httpGet?.path, port, exec: p.exec?.command });
    }
  }
  return d;
}

const aliases = [
  { ip: natsIp, hostnames: ["nats"] },
  { ip: pgIp, hostnames: ["postgres"] },
];
mkdirSync(outDir, { recursive: true });
const sets = objs.filter((o) => o.kind === "StatefulSet");
for (const s of sets) writeFileSync(`${outDir}/${s.metadata.name}.yaml`, stringify(playable(s, null)));
const deps = objs.filter((o) => o.kind === "Deployment").map((o) => playable(o, aliases));
writeFileSync(`${outDir}/daemons.yaml`, deps.map((d) => stringify(d)).join("---\n"));
writeFileSync(`${outDir}/probes.json`, JSON.stringify(probes, null, 1));
console.log(`${sets.length} StatefulSets and ${deps.length} Deployments to play, ${probes.length} probes`);
