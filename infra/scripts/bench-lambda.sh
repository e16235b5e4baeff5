#!/usr/bin/env bash
# The Lambda benchmarks of BENCHMARKS.md: each function's zipped bootstrap size, and its init
# time against a bare lambda_runtime function, from the artifacts `sam build` made (x86_64).
#   make sam-build && infra/scripts/bench-lambda.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-50}
target=x86_64-unknown-linux-gnu
for f in SenderFunction BounceHandlerFunction ResponseApiFunction; do
  [ -f ".aws-sam/build/$f/bootstrap" ] || { echo "no .aws-sam/build/$f/bootstrap: run 'make sam-build' first" >&2; exit 1; }
done
cargo build --release --target "$target" -p init-bench >&2
python3 - <<'PY'
import io, os, zipfile
print("| function | bootstrap | zipped |")
print("| --- | --- | --- |")
for f, name in [("SenderFunction", "sender"), ("BounceHandlerFunction", "bounce-handler"), ("ResponseApiFunction", "response-api")]:
    path = f".aws-sam/build/{f}/bootstrap"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(path, "bootstrap")
    print(f"| {name} | {os.path.getsize(path)/1e6:.2f} MB | {len(buf.getvalue())/1e6:.2f} MB |")
PY
bins=(
  "hello-lambda (bare)=target/$target/release/hello-lambda"
  "sender=.aws-sam/build/SenderFunction/bootstrap"
  "bounce-handler=.aws-sam/build/BounceHandlerFunction/bootstrap"
  "response-api=.aws-sam/build/ResponseApiFunction/bootstrap"
)
echo
echo "Init time, this machine's certificate store (one bundle and a directory of $(ls /etc/ssl/certs | wc -l) files):"
"target/$target/release/init-bench" "$runs" "${bins[@]}"
# Lambda's image keeps its CA certificates in one bundle file: the TLS set-up reads that alone.
empty=$(mktemp -d)
bundle=""
for f in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt; do
  if [ -f "$f" ]; then bundle=$f; break; fi
done
echo
echo "Init time, certificates in one bundle file ($bundle), as in Lambda's image:"
SSL_CERT_DIR="$empty" SSL_CERT_FILE="$bundle" "target/$target/release/init-bench" "$runs" "${bins[@]}"
rmdir "$empty"
