#!/usr/bin/env bash
# Validates what deploy/ and docker-compose.yml describe, offline after the installs (CI runs this):
#  - docker-compose.yml with `docker-compose config` (the Compose v1 CLI from Debian; the v2 plugin is not
#    packaged there), with and without the gpu profile;
#  - the kustomize overlays, built with `kubectl kustomize`, against the Kubernetes and KEDA schemas
#    (kubernetes-models from npm); without kubectl, each base manifest on its own;
#  - and that the validator rejects a broken manifest (it is not a no-op);
#  - the Prometheus alert rules (deploy/prometheus) with promtool: syntax, and unit tests that they fire when they should.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need_apt docker-compose docker-compose
need_apt node nodejs
need_apt npm npm
need_apt promtool prometheus

docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile gpu config -q
echo "docker-compose.yml: valid (default and gpu profiles)"

(cd deploy/validate && npm ci --no-audit --no-fund --silent)
V="node deploy/validate/validate.mjs"
if command -v kubectl >/dev/null; then
  for overlay in cpu gpu; do
    echo "overlay $overlay:"
    kubectl kustomize "deploy/overlays/$overlay" | $V
  done
else
  echo "WARNING: no kubectl here: validating the base manifests one by one, not the built overlays" >&2
  $V $(ls deploy/base/*.yaml | grep -v kustomization.yaml)
fi
if printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken}\nspec: {replicas: "two"}\n' | $V >/dev/null 2>&1; then
  echo "the validator accepted a broken Deployment" >&2
  exit 1
fi
echo "deploy/: valid"

promtool check rules deploy/prometheus/decree-rules.yml
(cd deploy/prometheus && promtool test rules decree-rules.test.yml)
