#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests.
#
#   eval "$(bash scripts/pg_test_server.sh start)"   # prints: export HIPLAB_TEST_PG_URL=...
#   .venv/bin/pytest tests/store -q
#   bash scripts/pg_test_server.sh stop              # stops it and deletes its data
#
# start: installs PostgreSQL with apt-get if no server binaries are found under
# /usr/lib/postgresql/*/bin (Debian, as root), initialises a cluster in a new temporary
# folder (as the system user "hiplabpg" when run as root: postgres refuses root), listens
# on 127.0.0.1 at a free port with trust authentication for the superuser "hiplab", and
# prints the export line on stdout (everything else goes to stderr). Starting again while
# a server is running prints the same line. State (folder, port) is kept in $STATE_FILE.
# status: prints the export line if running, exits 1 otherwise.
set -euo pipefail

STATE_FILE="${HIPLAB_PG_STATE:-/tmp/hiplab-pg-test-server.state}"
DB_USER=hiplab
RUN_AS=hiplabpg

log() { echo "pg_test_server: $*" >&2; }
die() { log "$*"; exit 1; }

find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/pg_ctl" ]]; then echo "$dir"; fi
}

install_postgres() {
    [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed; run as root or: apt-get install postgresql"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is missing"
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
}

free_port() {
    local py
    for py in python3 python "$(dirname "$0")/../.venv/bin/python"; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
            return
        fi
    done
    die "python is needed to pick a free port"
}

# Run a command as the server's owner (a system user when we are root).
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

ensure_owner() {
    [[ $(id -u) -eq 0 ]] || return 0
    if ! id "$RUN_AS" >/dev/null 2>&1; then
        log "creating system user $RUN_AS"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_AS"
    fi
}

print_url() {
    echo "export HIPLAB_TEST_PG_URL=postgresql+psycopg://$DB_USER@127.0.0.1:$1/postgres"
}

load_state() {
    [[ -f "$STATE_FILE" ]] || return 1
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    [[ -n "${PG_DIR:-}" && -n "${PG_PORT:-}" && -n "${PG_BIN:-}" ]]
}

is_running() {
    load_state && (cd / && as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1)
}

start() {
    if is_running; then
        log "already running on port $PG_PORT (state in $STATE_FILE)"
        print_url "$PG_PORT"
        return
    fi
    local bin dir port
    bin=$(find_bin)
    if [[ -z "$bin" ]]; then
        install_postgres
        bin=$(find_bin)
        [[ -n "$bin" ]] || die "no pg_ctl under /usr/lib/postgresql/*/bin after installing"
    fi
    ensure_owner
    dir=$(mktemp -d /tmp/hiplab-pg.XXXXXX)
    chmod 700 "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown "$RUN_AS" "$dir"; fi
    port=$(free_port)
    printf 'PG_DIR=%q\nPG_PORT=%q\nPG_BIN=%q\n' "$dir" "$port" "$bin" >"$STATE_FILE"
    cd "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U "$DB_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >&2 \
        || as_owner "$bin/initdb" -D "$dir/data" -U "$DB_USER" --auth=trust -E UTF8 --no-locale >&2
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -h 127.0.0.1" start >&2 \
        || { cat "$dir/server.log" >&2 || true; die "the server did not start (log above)"; }
    log "$("$bin/pg_ctl" --version) on 127.0.0.1:$port, data in $dir"
    print_url "$port"
}

stop() {
    if ! load_state; then
        log "no server recorded in $STATE_FILE"
        return 0
    fi
    if [[ -d "$PG_DIR/data" ]]; then
        (cd / && as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >&2) \
            || log "pg_ctl stop failed; removing the data anyway"
    fi
    case "$PG_DIR" in
        /tmp/hiplab-pg.*) rm -rf -- "$PG_DIR" ;;
        *) log "not removing unexpected folder $PG_DIR" ;;
    esac
    rm -f -- "$STATE_FILE"
    log "stopped"
}

status() {
    if is_running; then print_url "$PG_PORT"; else log "not running"; return 1; fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
