#!/usr/bin/env bash
# Times efficientnet-java (./efficientnet bench ... --json) against ONNX Runtime Java
# (dev.efficientnet.bench.OnnxRuntimeBench, com.microsoft.onnxruntime) on issue 6's inference
# configurations, back to back, and prints a Markdown table of ratios (see compare_onnxruntime.py).
# Options: --iters N (10) --warmup N (2) --threads T (ORT intra-op, 2) --only 'B0 eval @224 b1'
#          --no-spin --json FILE --md FILE
# Exports the torchvision models to $ONNX_DIR (default efficientnet-bench/target/onnx) when missing,
# which needs python3 with torch + torchvision; on Debian/Ubuntu:
#   apt-get install -y python3-torch python3-torchvision
# Builds the bench module and its classpath (Maven, offline first) when sources changed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PYTHON:-/usr/bin/python3}"
ONNX_DIR="${ONNX_DIR:-$HERE/target/onnx}"
CP_FILE="$HERE/target/ort-classpath.txt"

if ! "$PY" -c 'import sys' >/dev/null 2>&1; then
  echo "compare-onnxruntime: no python3 at $PY (set PYTHON=...)." >&2
  exit 2
fi

# 1. The ONNX models (torchvision, random weights, opset 13, dynamic batch).
missing=()
for arch in efficientnet_b0 efficientnet_v2_s; do
  [ -s "$ONNX_DIR/$arch.onnx" ] || missing+=("$arch")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! "$PY" -c 'import torch, torchvision' >/dev/null 2>&1; then
    echo "compare-onnxruntime: $ONNX_DIR lacks ${missing[*]} (.onnx), and $PY cannot import torch" >&2
    echo "  and torchvision to export them: apt-get install -y python3-torch python3-torchvision" >&2
    exit 2
  fi
  models="$(IFS=,; echo "${missing[*]}")"
  echo "compare-onnxruntime: exporting $models to $ONNX_DIR" >&2
  log="$(mktemp)"
  if ! "$PY" "$HERE/export_onnx.py" "$ONNX_DIR" --models "$models" >"$log" 2>&1; then
    echo "compare-onnxruntime: export failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  grep '^wrote' "$log" >&2 || true
  rm -f "$log"
fi

# 2. The bench module's classes and dependency classpath (as ./efficientnet does for the CLI).
stale() {
  [ ! -s "$CP_FILE" ] && return 0
  [ ! -f "$HERE/target/classes/dev/efficientnet/bench/OnnxRuntimeBench.class" ] && return 0
  [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$CP_FILE" -type f -print -quit 2>/dev/null)" ] && return 0
  [ -n "$(find "$ROOT" -maxdepth 2 -name pom.xml -newer "$CP_FILE" -print -quit 2>/dev/null)" ] && return 0
  return 1
}
if stale; then
  echo "compare-onnxruntime: building efficientnet-bench" >&2
  log="$(mktemp)"
  build=(mvn -B -q -f "$ROOT/pom.xml" -pl efficientnet-bench -am package dependency:build-classpath
         -Dmaven.test.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dbench.skipShade=true
         -DincludeScope=runtime -Dmdep.outputFile=target/ort-classpath.txt)
  # Offline first (quiet and fast once dependencies are cached), online if something is missing.
  if ! "${build[@]}" -o >"$log" 2>&1 && ! "${build[@]}" >"$log" 2>&1; then
    echo "compare-onnxruntime: build failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$CP_FILE"
fi

# 3. The runs, one after the other.
exec "$PY" "$HERE/compare_onnxruntime.py" --root "$ROOT" --classpath-file "$CP_FILE" --onnx-dir "$ONNX_DIR" "$@"
