#!/usr/bin/env bash
# Compile the translations (.po -> .mo; the .mo files are git-ignored build output).
# With --extract, first refresh the catalogue template and merge it into each language.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pybabel="$(command -v pybabel || echo "$root/.venv/bin/pybabel")"

if [ "${1:-}" = "--extract" ]; then
  "$pybabel" extract -F babel.cfg -k _l -k N_ --no-location --sort-output \
    -o archive/translations/messages.pot archive
  "$pybabel" update --no-fuzzy-matching --ignore-obsolete -i archive/translations/messages.pot -d archive/translations
fi
"$pybabel" compile -d archive/translations
