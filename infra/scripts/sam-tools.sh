#!/usr/bin/env bash
# Installs the SAM CLI and cargo-lambda (with Zig) into .venv-sam, pinned; idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=infra/requirements-sam.txt
stamp=.venv-sam/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x .venv-sam/bin/sam ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> installing the SAM CLI and cargo-lambda into .venv-sam"
[ -x .venv-sam/bin/python ] || python3 -m venv .venv-sam
.venv-sam/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
