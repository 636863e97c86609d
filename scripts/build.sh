#!/usr/bin/env bash
# Builds every function of template.yaml the way `sam build` does for
# Runtime provided.al2023, Architectures arm64 and Metadata BuildMethod go1.x:
# GOOS=linux GOARCH=arm64 CGO_ENABLED=0, -tags lambda.norpc, one `bootstrap`
# per function, in .build/<LogicalId>/bootstrap (sam uses .aws-sam/build/).
# GOARCH can be overridden (GOARCH=amd64 make build) to run the binaries here.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BUILD_DIR:-.build}
arch=${GOARCH:-arm64}

# Logical id and CodeUri of every AWS::Serverless::Function, from the
# template's two-space layout (the template check keeps that layout valid).
mapfile -t functions < <(awk '
  /^  [A-Za-z0-9]+:$/ { id = substr($1, 1, length($1) - 1); isfn = 0 }
  /^    Type: AWS::Serverless::Function$/ { isfn = 1 }
  isfn && /^      CodeUri: / { print id " " $2; isfn = 0 }
' template.yaml)
if [ "${#functions[@]}" -eq 0 ]; then
  echo "build: no AWS::Serverless::Function with a CodeUri found in template.yaml" >&2
  exit 1
fi
for f in "${functions[@]}"; do
  id=${f%% *}
  dir=${f#* }
  mkdir -p "$out/$id"
  GOOS=linux GOARCH=$arch CGO_ENABLED=0 go build -tags lambda.norpc \
    -o "$out/$id/bootstrap" "./$dir"
  printf 'built %-40s %s\n' "$id" "$(du -h "$out/$id/bootstrap" | cut -f1)"
done
