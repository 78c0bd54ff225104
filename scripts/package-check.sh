#!/usr/bin/env bash
# Build remediator as a user would get it and use it outside the checkout.
#
# Builds the sdist and, from it, the wheel (python -m build); installs the wheel into a
# new venv in a temporary directory; then, from another temporary directory, runs
# ingest -> plan -> generate on the scans and policy the wheel itself ships, and checks
# the generated project with ansible-playbook --syntax-check and ansible-lint
# (--profile production). Prints the wheel's size and the install time.
# Usage: scripts/package-check.sh [KEEP_DIR]   (default: a temporary directory, removed)
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOUT=$PWD
WORK=${1:-$(mktemp -d /tmp/remediator-package.XXXXXX)}
[ -n "${1:-}" ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"
PYTHON=${PYTHON:-/usr/bin/python3}

echo "package: building the sdist, then the wheel from it"
.venv/bin/python -m build --outdir "$WORK/dist" . >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log"; exit 1; }
WHEEL=$(ls "$WORK"/dist/remediator-*.whl)
echo "package: $(basename "$WHEEL"): $(du -k "$WHEEL" | cut -f1) KiB," \
    "$("$PYTHON" -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$WHEEL") files"

echo "package: installing it into a new venv"
"$PYTHON" -m venv "$WORK/venv"
start=$SECONDS
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "$WHEEL"
echo "package: installed in $((SECONDS - start)) s ($(du -sm "$WORK/venv" | cut -f1) MiB venv)"

# From here on nothing of the checkout may be used: another directory, the new venv only.
mkdir -p "$WORK/try"
cd "$WORK/try"
export PATH="$WORK/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin"
unset PYTHONPATH
where=$(python -c 'import remediator; print(remediator.__file__)')
examples=$(dirname "$where")/examples  # the wheel's own copy: nothing else is looked at
case "$where:$examples" in
    "$CHECKOUT"*|*":$CHECKOUT"*) echo "package: remediator ran from the checkout ($where)" >&2; exit 1 ;;
esac
echo "package: remediator from $where"

set -x
remediator ingest "$examples/scans/lab-v4.xml" "$examples/scans/lab-v6.xml" \
    --inventory "$examples/lab-inventory.yml" -o findings.json
remediator plan findings.json --policy "$examples/lab-policy.yml" \
    --inventory "$examples/lab-inventory.yml" -o plan.json >/dev/null
remediator generate plan.json -o project --window now+2h --inventory "$examples/lab-inventory.yml"
cd project
for playbook in playbooks/*.yml; do
    ansible-playbook --syntax-check -i inventory.yml "$playbook" >/dev/null
done
"$CHECKOUT/.venv/bin/ansible-lint" --profile production --offline -q .
set +x
echo "package: ok"
