#!/usr/bin/env bash
# Times efficientnet-java against ONNX Runtime Java and DJL + libtorch 2.7.1 in one run (issue 13):
# B0 b1@224, B0 b16@224, V2-S b1@384, each side in a fresh process, never concurrently; prints a
# Markdown table of ratios (see compare_engines.py).
# Options: --iters N (10) --warmup N (3) --threads T (2) --only 'B0 eval @224 b1' --precision bf16
#          --engines ours,ort[,djl] (default all three) --json FILE --md FILE --log FILE
# Exports the torchvision models (ONNX and TorchScript) into efficientnet-bench/target/ when missing,
# which needs python3 with torch + torchvision (apt-get install -y python3-torch python3-torchvision),
# and builds the bench module and its classpath (Maven; DJL's natives come from Maven Central).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PYTHON:-/usr/bin/python3}"
ONNX_DIR="${ONNX_DIR:-$HERE/target/onnx}"
TS_DIR="${TS_DIR:-$HERE/target/torchscript}"
CP_FILE="$HERE/target/engines-classpath.txt"

need_torch() {
  if ! "$PY" -c 'import torch, torchvision' >/dev/null 2>&1; then
    echo "compare-engines: $1 missing and $PY cannot import torch and torchvision to export them:" >&2
    echo "  apt-get install -y python3-torch python3-torchvision" >&2
    exit 2
  fi
}
for arch in efficientnet_b0 efficientnet_v2_s; do
  if [ ! -s "$ONNX_DIR/$arch.onnx" ]; then
    need_torch "$ONNX_DIR/$arch.onnx"
    "$PY" "$HERE/export_onnx.py" "$ONNX_DIR" --models "$arch"
  fi
  if [ ! -s "$TS_DIR/$arch.check.bin" ]; then
    need_torch "$TS_DIR/$arch.*.pt"
    "$PY" "$HERE/export_torchscript.py" "$TS_DIR" --models "$arch"
  fi
done

stale() {
  [ ! -s "$CP_FILE" ] && return 0
  [ ! -f "$HERE/target/classes/dev/efficientnet/bench/DjlBench.class" ] && return 0
  [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$CP_FILE" -type f -print -quit 2>/dev/null)" ] && return 0
  [ -n "$(find "$ROOT" -maxdepth 2 -name pom.xml -newer "$CP_FILE" -print -quit 2>/dev/null)" ] && return 0
  return 1
}
if stale; then
  echo "compare-engines: building efficientnet-bench" >&2
  log="$(mktemp)"
  build=(mvn -B -q -f "$ROOT/pom.xml" -pl efficientnet-bench -am package dependency:build-classpath
         -Dmaven.test.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dbench.skipShade=true
         -DincludeScope=runtime -Dmdep.outputFile=target/engines-classpath.txt)
  if ! "${build[@]}" -o >"$log" 2>&1 && ! "${build[@]}" >"$log" 2>&1; then
    echo "compare-engines: build failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$CP_FILE"
fi

# no cd: --json/--md/--log paths stay relative to the caller's directory
exec "$PY" "$HERE/compare_engines.py" --root "$ROOT" --classpath-file "$CP_FILE" --onnx-dir "$ONNX_DIR" --ts-dir "$TS_DIR" "$@"
