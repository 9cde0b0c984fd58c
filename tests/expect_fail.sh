#!/bin/sh
# expect_fail.sh CODE REGEX COMMAND [ARG]...
# Run COMMAND; pass when it exits with exactly CODE and its stderr matches
# the extended regular expression REGEX (grep -E).  Used by the CLI
# rejection tests in tests/integration.cmake: ctest alone cannot check an
# exit code and a message together.
set -u

if [ $# -lt 3 ]; then
  echo "usage: expect_fail.sh CODE REGEX COMMAND [ARG]..." >&2
  exit 2
fi
want=$1
regex=$2
shift 2

err=$(mktemp "${TMPDIR:-/tmp}/liqsim-expect.XXXXXX")
trap 'rm -f "$err"' EXIT

"$@" >/dev/null 2>"$err"
got=$?

echo "command: $*"
echo "stderr:"
sed 's/^/  | /' "$err"
status=0
if [ "$got" -ne "$want" ]; then
  echo "FAIL: exit code $got, expected $want"
  status=1
fi
if ! grep -Eq -e "$regex" "$err"; then
  echo "FAIL: stderr does not match /$regex/"
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "ok: exit $got, stderr matches /$regex/"
fi
exit "$status"
