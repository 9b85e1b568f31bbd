#!/usr/bin/env bash
# Run the whole pytest suite against SQLite and a throw-away PostgreSQL server.
# The server is installed (Debian package) if missing, started on a free port in a
# temporary data directory, and stopped on exit whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages the tests need: tmux (real terminals for the interactive CLI),
# Pango (WeasyPrint's PDF rendering), Chromium (pages in a real browser, driven by
# Playwright with executable_path; Playwright's own browser download is never used),
# espeak-ng (guided-session voice cues, written to WAV files) and sox (reads them back).
# Installed from Debian only when missing.
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ldconfig -p | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#missing[@]} -gt 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
fi
# A server of this run's own (its own state file), so that stopping it at the end never
# stops a server another run or a developer started.
HIPLAB_PG_STATE=$(mktemp -u /tmp/hiplab-pg-run.XXXXXX.state)
export HIPLAB_PG_STATE
cleanup() { bash scripts/pg_test_server.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
eval "$(bash scripts/pg_test_server.sh start)"
echo "PostgreSQL test server: ${HIPLAB_TEST_PG_URL}"
export HIPLAB_REQUIRE_PG=1 HIPLAB_REQUIRE_BROWSER=1 HIPLAB_REQUIRE_VOICE=1 HIPLAB_REQUIRE_VIDEO=1
# --durations: the 25 slowest tests are listed at the end of every full run.
# Two worker processes (pytest-xdist), each test module on one worker so its module
# fixtures (a browser, a server) start once: the suite is waits as much as CPU, so two
# workers on two cores take 11.7 min where one took 17.3 (2026-12-07, this machine).
# HIPLAB_TEST_WORKERS=0 runs in this process (for a debugger).
workers=${HIPLAB_TEST_WORKERS:-2}
parallel=()
[ "$workers" != 0 ] && parallel=(-n "$workers" --dist loadfile)
.venv/bin/python -m pytest -q -p no:cacheprovider --durations=25 "${parallel[@]}" "$@"
