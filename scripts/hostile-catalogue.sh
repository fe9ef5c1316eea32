#!/usr/bin/env bash
# Writes docs/entrees-hostiles.md: every hostile or broken input of tests/hostile_xml.rs and
# tests/workbook_hostile.rs with the exact message the user gets, recorded by the tests
# themselves (tests/support/catalogue.rs) while they check it.
# Usage: scripts/hostile-catalogue.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
ACCROCHAGE_CATALOGUE="$rows" cargo test --quiet --test hostile_xml --test workbook_hostile >/dev/null
{
  echo "# Entrées hostiles et messages"
  echo
  echo "Écrit par \`scripts/hostile-catalogue.sh\` à partir des tests \`tests/hostile_xml.rs\` (fichiers"
  echo "XML à vérifier) et \`tests/workbook_hostile.rs\` (classeurs à convertir) : chaque ligne est une"
  echo "entrée que ces tests construisent et le message exact que l'utilisateur reçoit, vérifié par le"
  echo "test. Chaque cas se termine en temps et en mémoire bornés (voir les tests)."
  echo
  echo "| cas | entrée | message |"
  echo "|---|---|---|"
  sort -u "$rows"
} > docs/entrees-hostiles.md
echo "docs/entrees-hostiles.md : $(sort -u "$rows" | wc -l) cas" >&2
