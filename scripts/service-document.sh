#!/usr/bin/env bash
# service-document.sh: the operator's way to publish a service document
# (terms, privacy policy) in onboarding's table service_documents: the
# catalogue (#126, #127) has no operation that writes documents. A new row
# of an (organization, type) is its current version; a required one makes
# everyone concerned agree again at their next login or refresh.
#
#   scripts/service-document.sh --type terms --version 2026-12 --title "Terms" \
#       [--org <uuid>] [--link https://...] [--html-file terms.html] [--optional] \
#       [--translations '[{"locale":"es_US","title":"Términos","html-link":"https://..."}]']
#
# It runs psql through $PSQL (default: scripts/stack.sh psql, the local stack;
# for another database set PSQL, e.g. PSQL="psql postgresql://admin@db/health").
# Values go to psql as variables (:'name'), never spliced into the SQL.
# Prints the new document's id.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
type= version= title= org= link= html_file= required=true translations='[]'
while [ $# -gt 0 ]; do
    case "$1" in
        --type) type=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --title) title=$2; shift 2 ;;
        --org) org=$2; shift 2 ;;
        --link) link=$2; shift 2 ;;
        --html-file) html_file=$2; shift 2 ;;
        --optional) required=false; shift ;;
        --translations) translations=$2; shift 2 ;;
        *) echo "service-document.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "$type" ] || [ -z "$version" ] || [ -z "$title" ]; then
    echo "service-document.sh: --type, --version and --title are required" >&2
    exit 2
fi
if [ -n "$org" ] && ! [[ $org =~ ^[0-9a-fA-F-]{36}$ ]]; then
    echo "service-document.sh: --org must be an organization uuid" >&2
    exit 2
fi
html=
if [ -n "$html_file" ]; then html=$(cat "$html_file"); fi
read -r -a psql_cmd <<<"${PSQL:-$here/stack.sh psql}"
"${psql_cmd[@]}" -X -q -t -A -v ON_ERROR_STOP=1 \
    -v org="$org" -v type="$type" -v version="$version" -v title="$title" \
    -v link="$link" -v html="$html" -v required="$required" -v translations="$translations" <<'SQL'
INSERT INTO onboarding.service_documents
    (organization_id, type, version, title, html_link, html, required, translations)
VALUES (nullif(:'org', '')::uuid, :'type', :'version', :'title', :'link', :'html',
        :'required'::boolean, :'translations'::jsonb)
RETURNING id;
SQL
