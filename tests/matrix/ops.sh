#!/usr/bin/env bash
# ops.sh: prints every HTTP operation of every service's operation table
# (services/<svc>/ops.c), one line each, tab-separated:
#   service  method  path  metrics-name  built(1|0)  catalogue(#N or -)
# "built" is 0 for a row whose handler is NULL (the framework answers 501).
# The route x caller matrix test (tests/integration/test_matrix*.c) reads
# this to find operations missing from tests/matrix/expected.md.
#   tests/matrix/ops.sh [repo-root]            all operations
#   tests/matrix/ops.sh --missing [repo-root]  built ones without a row, as
#                                              skeleton rows to paste
set -euo pipefail
missing=0
if [[ ${1:-} == --missing ]]; then missing=1; shift; fi
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

list() {
    local f svc rows parsed
    for f in "$root"/services/*/ops.c; do
        svc=$(basename "$(dirname "$f")")
        # a row this parser cannot read (e.g. wrapped over two lines) must not
        # go unnoticed: count the rows that start like one
        rows=$(grep -cE '^[[:space:]]*\{"[A-Z]+",' "$f" || true)
        parsed=$(grep -cE '^[[:space:]]*\{"[A-Z]+", "[^"]+", "[^"]+", [A-Za-z0-9_]+\},' "$f" || true)
        if [[ $rows != "$parsed" ]]; then
            echo "ops.sh: $f: $rows operation rows, $parsed readable (keep each row on one line)" >&2
            exit 1
        fi
        # rows look like: {"GET", "/v1/x/{id}/", "x.read", handler}, /* #12 */
        sed -nE 's|^[[:space:]]*\{"([A-Z]+)", "([^"]+)", "([^"]+)", ([A-Za-z0-9_]+)\},[[:space:]]*(/\*[[:space:]]*(#[0-9]+)[^*]*\*/)?.*$|\1\t\2\t\3\t\4\t\6|p' "$f" |
            while IFS=$'\t' read -r method path name handler num; do
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$svc" "$method" "$path" "$name" \
                    "$([[ $handler == NULL ]] && echo 0 || echo 1)" "${num:--}"
            done
    done
}

if ((missing == 0)); then list; exit 0; fi
table="$root/tests/matrix/expected.md"
list | awk -F'\t' -v table="$table" '
    BEGIN { while ((getline line < table) > 0) {
                n = split(line, c, "|"); if (n < 4) continue
                m = c[2]; p = c[3]; gsub(/[ `]/, "", m); gsub(/[ `]/, "", p); have[m " " p] = 1 } }
    $5 == 1 && !have[$2 " " $3] {
        printf "| %s | `%s` | - | no | no | no | no | no | no | no | no | no | (new: %s) |\n", $2, $3, $4 }'
