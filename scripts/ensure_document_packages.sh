#!/usr/bin/env bash
# Debian packages `make docs-check` needs beyond the test suite's: LibreOffice (Writer and Calc,
# headless) to print the .docx and .xlsx files to PDF, and poppler-utils (pdftotext, pdffonts,
# pdftoppm) to read what was printed. Installs what is missing when run as root with apt-get;
# otherwise says what to install. The CJK fonts come with scripts/ensure_system_packages.sh.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 \
  && command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "Please install these Debian packages first: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
