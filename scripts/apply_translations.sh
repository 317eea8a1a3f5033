#!/usr/bin/env bash
# Regenerate the zh_Hans catalogue, fill it from translation dict files and compile it.
# Usage: scripts/apply_translations.sh DICT.py [DICT.py ...]  (each defines T and optionally P).
# Serialised with flock: several people (or helpers) may run it at once.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/peixun-translations.lock
flock 9
(cd peixun && ../.venv/bin/python ../manage.py makemessages -l zh_Hans --no-location --no-obsolete >/dev/null)
for dict in "$@"; do
  .venv/bin/python scripts/fill_translations.py "$dict" >/dev/null || true
done
.venv/bin/python scripts/fill_translations.py /dev/null | head -50 || true
.venv/bin/python manage.py compilemessages -l zh_Hans >/dev/null
