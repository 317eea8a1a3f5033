#!/usr/bin/env bash
# Debian packages the test suite and the documents need beyond Python: Chromium for browser
# tests; CJK fonts (fonts-noto-cjk: Noto Serif / Sans CJK SC, the stand-ins for 仿宋, 宋体,
# 小标宋 and 黑体; fonts-arphic-ukai: AR PL UKai CN for 楷体) so Chinese renders in screenshots,
# PDFs and LibreOffice; gettext for the message-catalogue check. And the project's fontconfig
# aliases (peixun/core/fonts/65-peixun-cjk.conf), which map the official font names a .docx asks
# for (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, …) to those fonts, into /etc/fonts/conf.d.
# Installs what is missing when run as root with apt-get; otherwise says what to do.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
conf_name="65-peixun-cjk.conf"
conf_source="$here/peixun/core/fonts/$conf_name"
conf_target="/etc/fonts/conf.d/$conf_name"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
installed fonts-noto-cjk || fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || need+=(fonts-noto-cjk)
installed fonts-arphic-ukai || fc-list 2>/dev/null | grep -qi "AR PL UKai" || need+=(fonts-arphic-ukai)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
# The aliases are in place when the installed file is ours and fontconfig answers with it.
alias_ok() {
  cmp -s "$conf_source" "$conf_target" 2>/dev/null \
    && fc-match -f '%{family[0]}' '仿宋_GB2312' 2>/dev/null | grep -q "Noto Serif CJK SC"
}
if [ ${#need[@]} -eq 0 ] && alias_ok; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  if [ ${#need[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if ! alias_ok; then
    echo "== installing the fontconfig aliases for the official Chinese fonts: $conf_target"
    install -m 0644 "$conf_source" "$conf_target"
    fc-cache -f >/dev/null 2>&1 || true
  fi
  alias_ok || { echo "fontconfig does not answer 仿宋_GB2312 with Noto Serif CJK SC" >&2; exit 1; }
elif [ ${#need[@]} -gt 0 ]; then
  echo "Please install these Debian packages first: sudo apt-get install ${need[*]}" >&2
  exit 1
else
  # Not fatal without root: documents still render, LibreOffice then picks its own fallbacks.
  echo "Please install the font aliases: sudo install -m 0644 $conf_source $conf_target && sudo fc-cache -f" >&2
fi
