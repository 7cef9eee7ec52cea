// validate.mjs: checks every object of a rendered kustomize output (a YAML
// stream on stdin or in the file named by argv[2]) against the Kubernetes
// schemas, for make deploy-check. Two pinned packages (package.json,
// package-lock.json) do it:
//   - kubernetes-models: the OpenAPI schema of each kind (types, required
//     fields, enums, formats), through each model's validate();
//   - @kubernetes/client-node: each model's attribute map, walked recursively
//     so that a field the API does not know is refused (kubectl's
//     --validate=strict), which the schemas above let through.
// Prints one line per object and exits 1 when any object is invalid.
import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

const text = readFileSync(process.argv[2] || 0, "utf8");
const docs = parseAllDocuments(text)
  .map((d) => d.toJS())
  .filter((o) => o);

// "apps/v1" -> ["apps", "v1"]; "v1" -> ["", "v1"]
function groupVersion(apiVersion) {
  const i = apiVersion.lastIndexOf("/");
  return i < 0 ? ["", apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

// The client-node class for a kind: V1Deployment, V2HorizontalPodAutoscaler, ...
function modelClass(apiVersion, kind) {
  const [, version] = groupVersion(apiVersion);
  return k8s[version.charAt(0).toUpperCase() + version.slice(1) + kind];
}

// Unknown fields under value of type (a client-node type name), as paths.
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, arr[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === "object")
      for (const [key, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${key}`, out);
    return;
  }
  const cls = k8s[type];
  if (!cls || typeof cls.getAttributeTypeMap !== "function" || typeof value !== "object") return;
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value)) {
    if (!attrs.has(key)) out.push(`${path}.${key}: unknown field`);
    else unknownFields(v, attrs.get(key), `${path}.${key}`, out);
  }
}

let bad = 0;
for (const obj of docs) {
  const name = `${obj.kind}/${obj.metadata?.name} (${obj.apiVersion})`;
  const errors = [];
  const [group, version] = groupVersion(obj.apiVersion || "");
  let Model;
  try {
    Model = (await import(`kubernetes-models/${group ? group + "/" : ""}${version}/${obj.kind}`))[obj.kind];
  } catch {
    errors.push("no schema for this apiVersion and kind");
  }
  if (Model) {
    try {
      new Model(obj).validate();
    } catch (e) {
      errors.push(String(e.message || e).replace(/\s+/g, " "));
    }
  }
  const cls = modelClass(obj.apiVersion || "", obj.kind || "");
  if (!cls) errors.push("no model of this kind to check its fields against");
  else unknownFields(obj, cls.name, obj.kind, errors);
  console.log(`${errors.length ? "INVALID" : "valid  "} ${name}`);
  for (const e of errors) console.log(`    ${e}`);
  if (errors.length) bad++;
}
console.log(`${docs.length} objects, ${bad} invalid`);
process.exit(bad || docs.length === 0 ? 1 : 0);
