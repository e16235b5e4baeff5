#!/usr/bin/env bash
# Installs AWS's cfn-guard (crates.io, pinned) into .tools; idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=3.1.2
if [ -x .tools/bin/cfn-guard ] && .tools/bin/cfn-guard --version 2>/dev/null | grep -q " $version"; then
  exit 0
fi
echo "==> installing cfn-guard $version into .tools (a few minutes, once)"
cargo install --quiet --locked --root .tools cfn-guard --version "$version"
