#!/usr/bin/env bash
# Times efficientnet-java (./efficientnet bench ... --json) against PyTorch/torchvision on the
# issue-6 configurations, back to back, and prints a Markdown table of ratios.
# Options: --iters N (10) --warmup N (2) --threads T (torch, 2) --only 'B0 eval' --json FILE --md FILE --no-flush-denormal
# Needs python3 with torch + torchvision; on Debian/Ubuntu:
#   apt-get install -y python3-torch python3-torchvision libopenblas0-openmp
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PYTHON:-/usr/bin/python3}"
if ! "$PY" -c 'import torch, torchvision' >/dev/null 2>&1; then
  echo "compare-pytorch: $PY cannot import torch and torchvision." >&2
  echo "  apt-get install -y python3-torch python3-torchvision libopenblas0-openmp" >&2
  exit 2
fi
exec "$PY" "$HERE/compare_pytorch.py" --root "$ROOT" "$@"
