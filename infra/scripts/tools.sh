#!/usr/bin/env bash
# Installs the project's tools into .venv (idempotent: reinstalls only when the pinned
# requirements change). Needs Python 3 with venv; nothing else by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Chromium and ChromeDriver (Debian's packages) for the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "==> installing Chromium and ChromeDriver (Debian packages chromium, chromium-driver) for the browser tests"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null || { echo "apt-get is missing: install chromium and chromedriver at /usr/bin by hand" >&2; exit 1; }
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

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
