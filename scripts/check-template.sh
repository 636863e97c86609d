#!/usr/bin/env bash
# check-template.sh: static checks of template.yaml, run by `make check-template`
# and `make test`. Both checks are offline; no AWS account or network is used.
#
#   1. cfn-lint must report zero findings (errors, warnings and informational).
#   2. The SAM transform must succeed with aws-sam-translator. The translator
#      does what `sam deploy` asks CloudFormation to do, so a template that
#      lints but does not transform (a wrong policy template parameter, an
#      event property SAM does not know) is caught here. Local CodeUri and
#      DefinitionUri paths are replaced by s3:// placeholders first, as
#      `sam package` would replace them by uploaded artifacts.
#
# Environment: CFN_LINT (default cfn-lint), PYTHON (default python3),
# TEMPLATE (default template.yaml at the repository root).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="${TEMPLATE:-$root/template.yaml}"
cfn_lint="${CFN_LINT:-cfn-lint}"
python="${PYTHON:-python3}"

if ! command -v "$cfn_lint" >/dev/null 2>&1; then
	echo "check-template: $cfn_lint not found; install it with: pip install cfn-lint" >&2
	exit 1
fi
if ! "$python" -c 'import samtranslator' >/dev/null 2>&1; then
	echo "check-template: aws-sam-translator not found; install it with: pip install aws-sam-translator" >&2
	exit 1
fi

echo "check-template: cfn-lint $("$cfn_lint" --version 2>&1 | awk '{print $NF}') on ${template#"$root"/}"
# Informational rules (I*) are included and any finding fails the check.
"$cfn_lint" --include-checks I --non-zero-exit-code informational --format parseable -- "$template"

echo "check-template: SAM transform (aws-sam-translator $("$python" -c 'import samtranslator; print(samtranslator.__version__)'))"
# The translator reads the region from the environment to build ARNs and
# partition-specific values; any region works for this check.
AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" "$python" - "$template" <<'PY'
import json
import sys

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.public.translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    template = yaml_parse(f.read())

placeholders = 0
for name, resource in template.get("Resources", {}).items():
    props = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
        props["CodeUri"] = "s3://lambdakit-placeholder/%s.zip" % name
        placeholders += 1
    if resource.get("Type") == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
        props["DefinitionUri"] = "s3://lambdakit-placeholder/%s.asl.json" % name
        placeholders += 1


class OfflinePolicyLoader(ManagedPolicyLoader):
    """Answers managed-policy lookups without calling IAM.

    The translator only needs ARNs for the AWS managed policies SAM attaches
    (AWSLambdaBasicExecutionRole, AWSXrayWriteOnlyAccess, ...); they follow a
    fixed pattern, so no IAM client is needed.
    """

    def __init__(self):
        pass

    def load(self):
        return {}


class Policies(dict):
    def __missing__(self, key):
        return "arn:aws:iam::aws:policy/" + key

    def get(self, key, default=None):
        return self[key]


loader = OfflinePolicyLoader()
loader.load = lambda: Policies()
try:
    out = transform(template, {}, loader)
except InvalidDocumentException as err:
    for cause in err.causes:
        print("check-template: SAM transform: %s" % cause.message, file=sys.stderr)
    sys.exit(1)

resources = out.get("Resources", {})
kinds = {}
for resource in resources.values():
    kinds[resource["Type"]] = kinds.get(resource["Type"], 0) + 1
summary = ", ".join("%d %s" % (n, t) for t, n in sorted(kinds.items()))
print("check-template: transform ok (%d local paths replaced): %s" % (placeholders, summary))
PY
