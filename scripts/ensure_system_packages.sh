#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: Chromium for browser tests, CJK fonts so
# Chinese renders in screenshots, gettext for the message-catalogue check. Installs what is
# missing when run as root with apt-get; otherwise says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" \
  || fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Please install these Debian packages first: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
