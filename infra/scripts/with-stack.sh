#!/usr/bin/env bash
# Runs a command with the local AWS stack up: moto on a free loopback port, its address in
# MORALE_MOTO_URL. The stack is stopped afterwards, whatever happened.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ -x "$root/.venv/bin/moto_server" ] || { echo "moto is not installed: run 'make tools'" >&2; exit 1; }
port=$("$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# moto with DynamoDB's item operations made atomic, as DynamoDB's are (see the launcher).
"$root/.venv/bin/python" "$root/infra/localstack/python/moto_server.py" -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/morale-moto-$port.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 300); do
  if "$root/.venv/bin/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  kill -0 "$moto_pid" 2>/dev/null || { echo "moto exited at start; see ${TMPDIR:-/tmp}/morale-moto-$port.log" >&2; exit 1; }
  sleep 0.1
done
export MORALE_MOTO_URL="http://127.0.0.1:$port"
echo "==> local AWS stack (moto) at $MORALE_MOTO_URL"
"$@"
