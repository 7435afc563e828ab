#!/usr/bin/env bash
# Install what the tests need and run the whole test suite.
#   bash scripts/test.sh [pytest arguments]
# Installs Debian's chromium for the browser tests if it is missing (as root,
# or through sudo), axe-core (npm ci), then the pinned Python packages into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    as_root=""
    [ "$(id -u)" = 0 ] || as_root="sudo"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
fi

# axe-core for the accessibility tests, pinned in package-lock.json (Node and npm from Debian if missing);
# installed again only when the lock file is newer than what node_modules/ holds.
if ! command -v npm >/dev/null 2>&1; then
    as_root=""
    [ "$(id -u)" = 0 ] || as_root="sudo"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -r requirements-test.txt

export NO_MKDOCS_2_WARNING=1
# One worker per core (pytest-xdist); tests of a costly shared fixture stay on one worker, and the longest groups
# are handed out first, in tests/conftest.py's order (not pytest-xdist's, which puts the groups of most tests first).
# Arguments after ours win: `-n 0` runs everything in one process, as a debugger wants.
REQUIRE_BROWSER=1 exec .venv/bin/python -m pytest -n auto --dist loadgroup --no-loadscope-reorder "$@"
