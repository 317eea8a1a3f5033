"""Fill empty msgstr entries of the zh_Hans catalogue from a Python dict file.

Usage: python scripts/fill_translations.py TRANSLATIONS.py  (a file defining T = {msgid: msgstr} and
P = {msgid: [plural forms]}); prints the msgids still untranslated.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "peixun/locale/zh_Hans/LC_MESSAGES/django.po"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unquote(chunk: str) -> str:
    return "".join(re.findall(r'"(.*)"', chunk)).replace('\\"', '"').replace("\\\\", "\\")


def main(path: str) -> int:
    ns = runpy.run_path(path)
    singular: dict[str, str] = ns.get("T", {})
    plural: dict[str, list[str]] = ns.get("P", {})
    blocks = re.split(r"\n\n", PO.read_text(encoding="utf-8"))
    missing: list[str] = []
    out = [
        blocks[0].replace(
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            '"Plural-Forms: nplurals=1; plural=0;\\n"',
        )
    ]
    for block in blocks[1:]:
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not m:
            out.append(block)
            continue
        msgid = unquote(m.group(1))
        # A msgid with a context is looked up as "context\x04msgid" (gettext's own key) first.
        ctx = re.search(r'^msgctxt ((?:".*"\n?)+)', block, re.M)
        key = f"{unquote(ctx.group(1))}\x04{msgid}" if ctx else msgid
        if re.search(r"^#,.*fuzzy", block, re.M):
            # A fuzzy entry carries makemessages' guess from a similar msgid: never keep it.
            block = re.sub(r"^#, fuzzy\n|, fuzzy", "", block, flags=re.M)
            block = re.sub(r"^#\|.*\n", "", block, flags=re.M)
            block = re.sub(
                r'^(msgstr(?:\[\d\])?) (?:".*"\n?)+', r'\1 ""\n', block, flags=re.M
            ).rstrip("\n")
        if "msgid_plural" in block:
            forms = plural.get(msgid)
            if forms and re.search(r'^msgstr\[0\] ""$', block, re.M):
                block = re.sub(r'^msgstr\[\d\] .*(\n".*")*', "", block, flags=re.M).rstrip("\n")
                block += "\n" + "\n".join(f"msgstr[{i}] {quote(f)}" for i, f in enumerate(forms))
            elif not forms and re.search(r'^msgstr\[0\] ""$', block, re.M):
                missing.append(msgid)
        else:
            current = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
            if current and unquote(current.group(1)) == "":
                if key in singular:
                    block = (
                        block[: current.start()]
                        + "msgstr "
                        + quote(singular[key])
                        + block[current.end() :].lstrip("\n")
                    )
                    block = block.rstrip("\n")
                else:
                    missing.append(msgid)
        out.append(block)
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for msgid in missing:
        print("MISSING:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
