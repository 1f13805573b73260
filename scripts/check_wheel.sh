#!/usr/bin/env bash
# Builds the wheel of this checkout, installs it into a fresh virtual environment and runs the
# demo headless from an unrelated folder, as a user of the wheel would: a packaging slip that
# leaves the model, the demo clip or the default profile out of the wheel fails here.
#
#     bash scripts/check_wheel.sh        (CI runs it after the tests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m pip wheel -q --no-deps --wheel-dir "$work/dist" "$root"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$work"/dist/livedigit-*.whl
mkdir "$work/elsewhere" && cd "$work/elsewhere"
"$work/venv/bin/livedigit" --version
"$work/venv/bin/livedigit" --demo --no-display --max-frames 5 --jsonl demo.jsonl
"$work/venv/bin/python" - <<'PY'
import json

lines = [json.loads(line) for line in open("demo.jsonl")]
digits = sum(len(line["detections"]) for line in lines)
assert len(lines) == 5 and digits > 50, (len(lines), digits)
print(f"wheel: the installed demo read {digits} digits in {len(lines)} frames")
PY
