#!/usr/bin/env bash
# lint-python.sh: check the Python of the embedded emulator: the launcher
# (localstack/launcher/moto_launcher.py) and its test scripts
# (localstack/launcher/tests/*.py).
#
# Every file must byte-compile (python3 -m py_compile). pyflakes runs too when
# the interpreter can import it (python3 -m pyflakes); otherwise this says it
# was skipped. Exits non-zero on any error.
#
# Environment:
#   LAMBDAKIT_PYTHON  interpreter to use (default: python3).
set -euo pipefail

PYTHON="${LAMBDAKIT_PYTHON:-python3}"
cd "$(dirname "$0")/.."
files=(localstack/launcher/moto_launcher.py localstack/launcher/tests/*.py)

# The byte code goes to a scratch directory, not into the work tree.
cache="$(mktemp -d)"
trap 'rm -rf "${cache}"' EXIT

status=0
if PYTHONPYCACHEPREFIX="${cache}" "${PYTHON}" -m py_compile "${files[@]}"; then
  echo "lint-python: py_compile ok (${#files[@]} files)"
else
  echo "lint-python: py_compile failed" >&2
  status=1
fi

if "${PYTHON}" -c 'import pyflakes' >/dev/null 2>&1; then
  if "${PYTHON}" -m pyflakes "${files[@]}"; then
    echo "lint-python: pyflakes ok"
  else
    echo "lint-python: pyflakes found problems" >&2
    status=1
  fi
else
  echo "lint-python: pyflakes not installed for ${PYTHON}; skipped"
fi
exit "${status}"
