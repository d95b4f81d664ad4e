#!/usr/bin/env bash
# Brings a fresh machine of this kind (Debian, Node >= 20.19, root or sudo) to where Suyuan runs:
# Debian packages, pnpm 10, and the workspace's dependencies exactly as locked.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != 10.* ]]; then
  npm install -g pnpm@10
fi
# Skip the install when node_modules already matches the lockfile (pnpm writes this marker).
if [[ ! -f node_modules/.modules.yaml || pnpm-lock.yaml -nt node_modules/.modules.yaml ]]; then
  pnpm install --frozen-lockfile
fi
