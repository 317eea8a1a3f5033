"""Fail when a user-facing string lacks its zh_Hans translation or the compiled catalogue is stale.

Runs makemessages on a copy of the catalogue, so the committed files are left as they are.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "peixun/locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header; plural forms joined."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        fuzzy = "#, fuzzy" in block or re.search(r"^#,.*fuzzy", block, re.M) is not None
        ids = re.findall(r'^msgid(?:_plural)? ((?:".*"\n?)+)', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if not ids:
            continue

        def join(chunk: str) -> str:
            return "".join(re.findall(r'"(.*)"', chunk))

        msgid = join(ids[0])
        if not msgid:
            continue
        out.append((msgid, "|".join(join(s) for s in strs), fuzzy))
    return out


def main() -> int:
    if not shutil.which("xgettext"):
        print(
            "check_messages: xgettext not found; install Debian's gettext package", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp) / "django.po"
        shutil.copy(PO, backup)
        mo_backup = Path(tmp) / "django.mo"
        shutil.copy(MO, mo_backup)
        try:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "makemessages",
                    "-l",
                    "zh_Hans",
                    "--no-location",
                    "--no-obsolete",
                    "-v",
                    "0",
                ],
                cwd=ROOT / "peixun",
                check=True,
            )
            fresh = PO.read_text(encoding="utf-8")
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "compilemessages",
                    "-l",
                    "zh_Hans",
                    "-v",
                    "0",
                ],
                cwd=ROOT / "peixun",
                check=True,
            )
            stale_mo = MO.read_bytes() != mo_backup.read_bytes()
            committed = entries(backup.read_text(encoding="utf-8"))
        finally:
            shutil.copy(backup, PO)
            shutil.copy(mo_backup, MO)
    problems = [f"untranslated: {m!r}" for m, s, f in entries(fresh) if not s.strip("|")]
    problems += [f"fuzzy: {m!r}" for m, s, f in entries(fresh) if f]
    if {m for m, _, _ in entries(fresh)} != {m for m, _, _ in committed}:
        problems.append("the committed catalogue is out of date: run `make messages`")
    if stale_mo:
        problems.append("django.mo does not match django.po: run `make messages`")
    for p in problems:
        print(p)
    print(f"check_messages: {len(entries(fresh))} messages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
