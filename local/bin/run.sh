#!/bin/sh
# Entry of every npm script: installs the project's npm packages on a fresh clone, then hands the
# command to the TypeScript CLI (local/cli/main.ts), which installs what else is missing.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
exec node --import tsx local/cli/main.ts "$@"
