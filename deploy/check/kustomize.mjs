// kustomize.mjs: renders deploy/kustomization.yaml the way `kubectl kustomize`
// does, for the few kustomize features the base uses, so that `make
// deploy-check` also runs on a machine without a kubectl that reads it
// (Debian 12's kubernetes-client is 1.20, whose kustomize knows no `labels:`).
// Supported: resources (files), namespace, labels (pairs, includeSelectors
// false, includeTemplates), images (name, newName, newTag, digest). Any other
// field of the kustomization is refused, so nothing is silently ignored.
// deploy-check compares this renderer with kubectl's output where kubectl is
// present (--compare).
//   node kustomize.mjs DIR                 prints the rendered objects (YAML)
//   node kustomize.mjs DIR --compare FILE  exit 1 unless FILE holds the same objects
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const KNOWN = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images']);
// kinds that are not namespaced (of those a base like ours may hold)
const CLUSTER = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'PersistentVolume', 'StorageClass', 'PriorityClass']);

function die(msg) {
  console.error(`kustomize.mjs: ${msg}`);
  process.exit(2);
}

function render(dir) {
  const k = YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  for (const key of Object.keys(k))
    if (!KNOWN.has(key)) die(`unsupported kustomization field: ${key}`);
  const objs = [];
  for (const r of k.resources ?? []) {
    const file = path.join(dir, r);
    if (!fs.statSync(file).isFile()) die(`resource ${r} is not a file (bases are not supported)`);
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length) die(`${r}: ${doc.errors[0].message}`);
      const o = doc.toJS();
      if (o) objs.push(o);
    }
  }
  for (const o of objs) {
    o.metadata ??= {};
    if (k.namespace && !CLUSTER.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const l of k.labels ?? []) {
      if (l.includeSelectors) die('labels with includeSelectors are not supported');
      o.metadata.labels = { ...(o.metadata.labels ?? {}), ...l.pairs };
      const tpl = o.spec?.template;
      if (l.includeTemplates && tpl) {
        tpl.metadata ??= {};
        tpl.metadata.labels = { ...(tpl.metadata.labels ?? {}), ...l.pairs };
      }
    }
    const pod = o.spec?.template?.spec ?? (o.kind === 'Pod' ? o.spec : null);
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])])
      for (const img of k.images ?? []) c.image = retag(c.image, img);
  }
  return objs;
}

// image "name[:tag|@digest]" with the kustomization's entry applied when its name matches
function retag(image, img) {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const colon = base.lastIndexOf(':');
  const name = colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
  const tag = colon > base.lastIndexOf('/') ? base.slice(colon + 1) : null;
  if (name !== img.name) return image;
  const newName = img.newName ?? name;
  if (img.digest) return `${newName}@${img.digest}`;
  if (img.newTag) return `${newName}:${img.newTag}`;
  return tag ? `${newName}:${tag}` : at >= 0 ? newName + image.slice(at) : newName;
}

const key = (o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

// objects with keys sorted, so that two renderings compare as text
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}

const [dir, flag, other] = process.argv.slice(2);
if (!dir) die('usage: kustomize.mjs DIR [--compare FILE]');
const mine = render(dir);
if (flag === '--compare') {
  const theirs = YAML.parseAllDocuments(fs.readFileSync(other, 'utf8')).map((d) => d.toJS()).filter(Boolean);
  const a = new Map(mine.map((o) => [key(o), JSON.stringify(canon(o))]));
  const b = new Map(theirs.map((o) => [key(o), JSON.stringify(canon(o))]));
  const diffs = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
  for (const d of diffs) console.log(`differs: ${d}`);
  console.log(`${a.size} objects rendered here, ${b.size} by kubectl, ${diffs.length} different`);
  process.exit(diffs.length ? 1 : 0);
}
process.stdout.write(mine.map((o) => YAML.stringify(o)).join('---\n'));
