// Validates Kubernetes manifests (multi-document YAML, from files or stdin) against the OpenAPI schemas of
// Kubernetes and KEDA shipped in kubernetes-models. Exit 1 on the first document that does not validate.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const CRD_PACKAGES = { "keda.sh": "@kubernetes-models/keda" };

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = group === "" ? `kubernetes-models/${version}`
    : CRD_PACKAGES[group] ? `${CRD_PACKAGES[group]}/${group}/${version}`
    : `kubernetes-models/${group}/${version}`;
  let mod;
  try {
    mod = await import(path);
  } catch (e) {
    throw new Error(`no schema for ${apiVersion} (${path})`);
  }
  if (!mod[kind]) throw new Error(`no schema for ${kind} in ${apiVersion}`);
  return mod[kind];
}

const inputs = process.argv.length > 2
  ? process.argv.slice(2).map((f) => [f, readFileSync(f, "utf8")])
  : [["<stdin>", readFileSync(0, "utf8")]];
let count = 0;
for (const [name, text] of inputs) {
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) { console.error(`${name}: YAML error: ${doc.errors[0].message}`); process.exit(1); }
    const obj = doc.toJS();
    if (obj == null) continue;
    const what = `${name}: ${obj.kind} ${obj.metadata?.name ?? "?"}`;
    try {
      const Model = await modelFor(obj.apiVersion, obj.kind);
      new Model(obj).validate();
    } catch (e) {
      console.error(`${what}: INVALID: ${e.message}`);
      process.exit(1);
    }
    console.log(`${what}: valid`);
    count++;
  }
}
if (count === 0) { console.error("no manifests given"); process.exit(1); }
console.log(`${count} manifests valid`);
