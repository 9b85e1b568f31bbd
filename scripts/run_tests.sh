#!/usr/bin/env bash
# Run the whole pytest suite against SQLite and a throw-away PostgreSQL server.
# The server is installed (Debian package) if missing, started on a free port in a
# temporary data directory, and stopped on exit whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
# Real terminals for the interactive CLI tests.
if ! command -v tmux >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq tmux) >/dev/null
fi
cleanup() { bash scripts/pg_test_server.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
eval "$(bash scripts/pg_test_server.sh start)"
echo "PostgreSQL test server: ${HIPLAB_TEST_PG_URL}"
export HIPLAB_REQUIRE_PG=1
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
