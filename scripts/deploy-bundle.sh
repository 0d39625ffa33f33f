#!/usr/bin/env bash
# Writes the self-contained `headroom` bundle to DIR (what the Dockerfile copies): @headroom/scaler
# with its production dependencies (`pnpm deploy --prod`), plus the cloud adapters, which are
# optional peer dependencies of the scaler found by package name at run time.
# Usage: scripts/deploy-bundle.sh DIR   (after `pnpm install` and `pnpm build`)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: scripts/deploy-bundle.sh DIR}
PNPM=${PNPM:-"npx -y pnpm@10.34.9"}
# Default: every adapter the scaler names as an optional peer dependency.
ALL_ADAPTERS=$(node -p "Object.keys(require('./packages/scaler/package.json').peerDependencies ?? {}).filter((name) => name.startsWith('@headroom/provider-')).map((name) => name.slice('@headroom/'.length)).join(' ')")
ADAPTERS=${HEADROOM_ADAPTERS:-$ALL_ADAPTERS}
$PNPM --filter @headroom/scaler deploy --prod --legacy "$OUT" >/dev/null
for adapter in $ADAPTERS; do
  rm -rf "$OUT/node_modules/@headroom/$adapter"
  $PNPM --filter "@headroom/$adapter" deploy --prod --legacy "$OUT/node_modules/@headroom/$adapter" >/dev/null
done
