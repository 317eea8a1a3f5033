#!/usr/bin/env bash
# `make run`: the demo served the way production runs it — DEBUG off, keys of its own, static
# files collected and served by WhiteNoise, the Chinese error pages, gunicorn, and the periodic
# jobs (warnings, meeting reminders, exam autosubmit) and the background worker running beside it. Plain HTTP on loopback,
# so HTTPS redirects, HSTS and secure-only cookies are off (a deployment keeps them on).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
BIN=.venv/bin
mkdir -p var/keys
chmod 700 var/keys

# Keys of this demo's own, made once and kept under var/keys (never in the repository).
if [ ! -s var/keys/field_key ] && [ -e var/peixun.sqlite3 ]; then
  # A database made by an older `make run` encrypted its ID numbers under the development key.
  mv var/peixun.sqlite3 "var/peixun.sqlite3.before-keys-$(date +%Y%m%d%H%M%S)"
  rm -f var/peixun.sqlite3-wal var/peixun.sqlite3-shm var/peixun.sqlite3.writers
  echo "Moved the old demo database aside (made under the development key); loading it anew."
fi
for name in secret_key field_key; do
  if [ ! -s "var/keys/$name" ]; then
    "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(48))" > "var/keys/$name"
    chmod 600 "var/keys/$name"
  fi
done

export PEIXUN_DEBUG=0
export PEIXUN_SECRET_KEY_FILE="$PWD/var/keys/secret_key"
export PEIXUN_FIELD_KEY_FILE="$PWD/var/keys/field_key"
export PEIXUN_ALLOWED_HOSTS="${PEIXUN_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export PEIXUN_SSL_REDIRECT=0 PEIXUN_HSTS_SECONDS=0 PEIXUN_SECURE_COOKIES=0
export PEIXUN_LOG_LEVEL="${PEIXUN_LOG_LEVEL:-INFO}"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/python" manage.py load_demo

"$BIN/python" manage.py run_jobs &
JOBS=$!
# The background worker (django-tasks' database backend): runs the external records imports.
"$BIN/python" manage.py db_worker --no-reload --interval 1 &
WORKER=$!
trap 'kill "$JOBS" "$WORKER" 2>/dev/null || true' EXIT INT TERM

echo ""
echo "peixun 演示环境: http://127.0.0.1:${PORT}/  (密码均为 peixun-demo)"
echo "  admin      平台管理员 / platform admin"
echo "  org_admin  县直机关工委管理员 / org admin of the working committee"
echo "  secretary  党支部书记 / branch secretary"
echo "  member     党员 / member of that branch"
echo "  viewer     只读督查 / read-only viewer of the whole tenant"
echo "  (DEBUG off as in production; the periodic jobs and the task worker run beside the server: see docs/deployment.md)"
echo ""
"$BIN/gunicorn" peixun.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 \
  --access-logfile - --error-logfile -
