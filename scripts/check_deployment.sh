#!/usr/bin/env bash
# Follows docs/deployment.md ("步骤") literally, in a copy of the checkout with a venv of its own:
# pip install ., production settings from the environment, migrate on PostgreSQL, collectstatic,
# check --deploy, gunicorn; then fetches the login page and every static file it links and fails
# unless each answers 200. Run by .ci/run; `bash scripts/check_deployment.sh` by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
work="$(mktemp -d /tmp/peixun-deploy-XXXXXX)"
db="peixun_deploy_check"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
  if command -v psql >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS ${db}" 2>/dev/null || true
  fi
}
trap cleanup EXIT

git -C "$repo" archive HEAD | tar -x -C "$work"
# The compiled catalogue and vendored assets are tracked; nothing else is copied from the checkout.
cd "$work"

if command -v psql >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS ${db}" -c "CREATE DATABASE ${db}"
  database_url="postgres://postgres@127.0.0.1:5432/${db}"
else
  echo "PostgreSQL not reachable on 127.0.0.1:5432: following the steps on SQLite instead."
  database_url="sqlite:///$work/var/peixun.sqlite3"
fi

echo "== the documented steps (docs/deployment.md)"
python3 -m venv .venv && .venv/bin/pip install -q . 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import peixun, django, gunicorn" # the install itself worked
export PEIXUN_DEBUG=0 DATABASE_URL="$database_url" PEIXUN_VAR_DIR="$work/var"
PEIXUN_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
PEIXUN_FIELD_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
export PEIXUN_SECRET_KEY PEIXUN_FIELD_KEY
export PEIXUN_ALLOWED_HOSTS=127.0.0.1
# Plain HTTP on loopback for this check only; a deployment keeps these on behind nginx.
export PEIXUN_SSL_REDIRECT=0 PEIXUN_SECURE_COOKIES=0
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0
# The secure-cookie and redirect warnings are for this loopback run only; everything else fails.
.venv/bin/python manage.py check --deploy --fail-level ERROR
# The background worker (docs/deployment.md): it starts against the migrated database, finds
# its task table, runs whatever waits (nothing here) and exits.
.venv/bin/python manage.py db_worker --batch --no-reload --no-startup-delay -v 0
.venv/bin/gunicorn peixun.wsgi -w 2 -b "127.0.0.1:${port}" --chdir "$work" \
  --error-logfile "$work/gunicorn.log" &
pid=$!

echo "== serving"
base="http://127.0.0.1:${port}"
for _ in $(seq 1 40); do
  curl -fs -o /dev/null "$base/accounts/login/" && break
  sleep 0.5
done
page="$(curl -fsS "$base/accounts/login/")" || { cat "$work/gunicorn.log"; exit 1; }
grep -q "登录" <<<"$page" || { echo "the login page is not the Chinese login page"; exit 1; }
assets="$(grep -oE '(href|src)="/static/[^"]+"' <<<"$page" | sed -E 's/^(href|src)="//; s/"$//' | sort -u)"
[ -n "$assets" ] || { echo "the login page links no static files"; exit 1; }
for asset in $assets; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "$base$asset")"
  [ "$code" = "200" ] || { echo "static file $asset answered $code"; exit 1; }
done
missing="$(curl -s -o /dev/null -w '%{http_code}' "$base/no-such-page/")"
[ "$missing" = "404" ] || { echo "a missing page answered $missing"; exit 1; }
echo "deployment as documented: login page 200, $(wc -w <<<"$assets") static files 200, 404 page served"
