#!/usr/bin/env bash
# ensure-moto.sh: make sure the embedded emulator (moto server) can run.
#
# The localstack package launches `python3 localstack/launcher/moto_launcher.py`,
# which needs exactly the moto pinned in localstack/launcher/requirements.txt,
# with its server extras (werkzeug, flask, ...). This script checks for that,
# installs the requirements file with pip where a package index is reachable,
# and otherwise fails with a message saying what to install.
#
# Environment:
#   LAMBDAKIT_PYTHON  interpreter to check (default: python3), the same one
#                     the Go package uses.
#   AWS_ENDPOINT_URL  when set, tests use that endpoint (e.g. a real LocalStack)
#                     and no moto is needed: the check is skipped.
set -euo pipefail

PYTHON="${LAMBDAKIT_PYTHON:-python3}"
REQUIREMENTS="localstack/launcher/requirements.txt"
cd "$(dirname "$0")/.."

if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then
  echo "ensure-moto: AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL}; tests use that endpoint, moto not needed"
  exit 0
fi

fail() {
  cat >&2 <<MSG
ensure-moto: $1
The integration tests need moto server ${PINNED:+${PINNED} }(the embedded AWS emulator). Install it with:
    ${PYTHON} -m pip install -r ${REQUIREMENTS}
or point the tests at a running LocalStack:
    AWS_ENDPOINT_URL=http://localhost:4566 make test
MSG
  exit 1
}

PINNED="$(sed -n 's/^moto\[server\]==\([^ ;#]*\).*/\1/p' "${REQUIREMENTS}")"
[[ -n "${PINNED}" ]] || fail "${REQUIREMENTS} does not pin moto[server]==VERSION"
command -v "${PYTHON}" >/dev/null 2>&1 || fail "Python interpreter '${PYTHON}' not found (set LAMBDAKIT_PYTHON)"

# check prints nothing and succeeds when moto, its server extras and the
# pinned version are present; otherwise it prints the reason.
check() {
  "${PYTHON}" - "${PINNED}" <<'PY'
import sys

try:
    import moto
    import moto.server  # noqa: F401  (needs the [server] extras: werkzeug, flask, flask_cors)
    import flask, flask_cors  # noqa: F401,E401
except ImportError as err:
    print("moto server not importable: %s" % err)
    sys.exit(1)
if moto.__version__ != sys.argv[1]:
    print("moto %s is installed, lambdakit pins %s" % (moto.__version__, sys.argv[1]))
    sys.exit(1)
PY
}

if reason=$(check); then
  exit 0
fi
echo "ensure-moto: ${reason}; installing ${REQUIREMENTS} with pip" >&2

# pip only when an index answers: a quick HEAD on the configured index (or
# PyPI) tells an offline machine from a slow one without a long pip timeout.
index="$("${PYTHON}" -m pip config get global.index-url 2>/dev/null || true)"
index="${PIP_INDEX_URL:-${index:-https://pypi.org/simple/}}"
if ! "${PYTHON}" - "${index}" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=5)
PY
then
  fail "${reason}, and the package index ${index} is not reachable"
fi

"${PYTHON}" -m pip install --disable-pip-version-check --quiet -r "${REQUIREMENTS}" ||
  fail "${reason}, and 'pip install -r ${REQUIREMENTS}' failed"
reason=$(check) || fail "installed ${REQUIREMENTS} but it still does not work: ${reason}"
echo "ensure-moto: installed moto ${PINNED}"
