#!/usr/bin/env bash
# Installs the project's tools into .venv (idempotent: reinstalls only when the pinned
# requirements change). Needs Python 3 with venv; nothing else by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=infra/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x .venv/bin/moto_server ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
command -v python3 >/dev/null || { echo "python3 is needed (with the venv module): install Python 3" >&2; exit 1; }
echo "==> installing the local stack's tools into .venv (moto, cfn-lint, boto3)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
