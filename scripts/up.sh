#!/usr/bin/env bash
# The README's main command: set up what is missing, then start the local Suyuan network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec pnpm start "$@"
