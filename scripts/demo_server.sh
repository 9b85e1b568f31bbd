#!/usr/bin/env bash
# The web app of `make demo`, in the background: start | stop | status.
#
#   bash scripts/demo_server.sh start   # serves the demo store on 127.0.0.1 (8000 or the next
#                                       # free port), logs to out/server.log, pid in out/server.pid
#   bash scripts/demo_server.sh stop
#
# The server runs in its own session (setsid) with no terminal, so `make demo` returns at once
# and nothing waits on it; it keeps running until `make demo-stop` (or this script's stop).
set -euo pipefail

OUT=out
PID_FILE="$OUT/server.pid"
LOG_FILE="$OUT/server.log"
PY=.venv/bin/python

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

free_port() {
    "$PY" - <<'PYEOF'
import socket
for port in range(8000, 8100):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PYEOF
}

wait_ready() {
    local url=$1
    for _ in $(seq 1 100); do
        if "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$url" 2>/dev/null; then
            return 0
        fi
        running || { echo "the demo server stopped; see $LOG_FILE" >&2; tail -n 20 "$LOG_FILE" >&2; return 1; }
        sleep 0.2
    done
    echo "the demo server did not answer at $url; see $LOG_FILE" >&2
    return 1
}

start() {
    mkdir -p "$OUT"
    if running; then
        echo "demo server already running: $(cat "$OUT/server.url") (pid $(cat "$PID_FILE"))"
        return 0
    fi
    local port
    port=$(free_port)
    setsid nohup .venv/bin/hiplab serve --host 127.0.0.1 --port "$port" \
        >"$LOG_FILE" 2>&1 < /dev/null &
    echo $! >"$PID_FILE"
    echo "http://127.0.0.1:$port/" >"$OUT/server.url"
    wait_ready "http://127.0.0.1:$port/login"
    echo "demo server: http://127.0.0.1:$port/ (log $LOG_FILE; stop with: make demo-stop)"
}

stop() {
    if running; then
        kill "$(cat "$PID_FILE")"
        echo "demo server stopped"
    else
        echo "no demo server running"
    fi
    rm -f "$PID_FILE" "$OUT/server.url"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) running && echo "running: $(cat "$OUT/server.url")" || { echo "not running"; exit 1; } ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
