"""`make docs-check`: every document and spreadsheet the demo offers, fetched through its web
route and checked as printed.

1. The demo tenant is built in a scratch SQLite database (a temporary directory, never
   var/peixun.sqlite3).
2. Every row of scripts/docs_check/table.py is fetched with Django's test client as the demo
   login the row names (names, scoping and the audited export paths all run); the run fails if
   the URLconf has a download route the table does not list. Files land in
   test-artifacts/docs-check/files/.
3. The .docx and .xlsx files go through LibreOffice headless to PDF in one call; every PDF (the
   app's and LibreOffice's) is checked: A4 in the expected orientation, nothing within the
   margin of the paper's edge (documents), fonts embedded and Chinese set in Noto CJK SC or AR
   PL UKai (no JP/KR face), the page count in range, and for 台账 the title and header rows on
   every page; the workbook itself must be A4 and fit to one page wide.
4. The first two pages of each become PNGs in test-artifacts/docs-check/png/, and
   test-artifacts/docs-check/report.md has one row per file.
5. Exit status 1 on any failure, with a summary.

Usage: .venv/bin/python -m scripts.docs_check [--members N] [--branches N] [--only SUBSTRING]
       [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command

from .checks import Finding, check_pdf, check_repeated, executable, read_pdf, workbook_facts
from .faces import probe_faces, probe_finding

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-artifacts" / "docs-check"
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


@dataclass
class Result:
    key: str
    route: str
    login: str
    ext: str
    url: str = ""
    name: str = ""
    findings: list[Any] = field(default_factory=list)
    pages: int = 0
    fonts: str = ""
    pngs: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def failed(self) -> list[Any]:
        return [f for f in self.findings if not f.ok]


def setup_django(var_dir: Path, members: int, branches: int) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "peixun.settings_test",
            "PEIXUN_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'docs-check.sqlite3'}",
            "PEIXUN_LOG_LEVEL": "ERROR",
        }
    )
    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command(
        "load_demo",
        "--members",
        str(members),
        "--branches",
        str(branches),
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )


def coverage(rows: tuple[Any, ...]) -> list[str]:
    """The table against the URLconf: routes it misses, and rows naming no route."""
    # Only now: the route finder reads the URLconf, which needs Django set up.
    from .discover import download_routes

    found = download_routes()
    listed = {row.route for row in rows}
    problems = [
        f"download route {name} ({route}) is not in scripts/docs_check/table.py"
        for name, route in sorted(found.items())
        if name not in listed
    ]
    problems += [
        f"table row for {name} names no download route of the URLconf"
        for name in sorted(listed - set(found))
    ]
    return problems


def fetch(row: Any, demo: Any, files: Path, result: Result) -> Path | None:
    try:
        result.url = row.url(demo)
        client = demo.client(row.login)
        if row.method == "POST":
            answer = client.post(result.url, row.data(demo) if row.data else {})
        else:
            answer = client.get(result.url)
    except Exception as error:  # the demo lacks the object, or the view raised: a finding
        result.findings.append(Finding("fetch", False, f"{type(error).__name__}: {error}"))
        return None
    kind = answer.get("Content-Type", "")
    if answer.status_code != 200 or not kind.startswith(CONTENT_TYPES[row.ext]):
        result.findings.append(
            Finding("fetch", False, f"HTTP {answer.status_code} {kind} (wanted .{row.ext})")
        )
        return None
    disposition = answer.get("Content-Disposition", "")
    result.name = disposition.split("filename", 1)[-1].lstrip("*=\"'").rstrip('"')
    named = "attachment" in disposition and f".{row.ext}" in disposition
    result.findings.append(Finding("fetch", named, disposition or "no Content-Disposition"))
    path = files / f"{row.key}.{row.ext}"
    path.write_bytes(answer.content)
    if row.ext == "zip":
        return _first_of_zip(path, result)
    return path


def _first_of_zip(path: Path, result: Result) -> Path | None:
    """A batch: every entry must be a document; the first is checked like a single file."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            kinds = {name.rpartition(".")[2] for name in names}
            ok = bool(names) and kinds <= {"docx", "pdf", "xlsx"}
            result.findings.append(Finding("zip", ok, f"{len(names)} files ({', '.join(kinds)})"))
            if not ok:
                return None
            first = path.with_name(f"{path.stem}-first.{names[0].rpartition('.')[2]}")
            first.write_bytes(archive.read(names[0]))
            return first
    except zipfile.BadZipFile as error:
        result.findings.append(Finding("zip", False, str(error)))
        return None


def libreoffice(paths: list[Path], out: Path, profiles: Path, workers: int = 2) -> None:
    """Each file through its own soffice call, `workers` at a time, each worker with a private
    profile. One call for many files would be faster, but LibreOffice keeps the fallback face it
    chose for a missing font (仿宋_GB2312, 黑体) across the documents of one call, so a file's
    fonts would depend on the files converted before it."""

    def convert(path: Path) -> None:
        profile = profiles / threading.current_thread().name
        subprocess.run(
            [
                executable("soffice"),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(path),
            ],
            check=False,
            capture_output=True,
            timeout=300,
        )

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lo") as pool:
        list(pool.map(convert, paths))


def pngs(pdf: Path, png: Path, key: str, pages: int) -> list[str]:
    made = []
    for page in range(1, min(pages, 2) + 1):
        stem = png / f"{key}-p{page}"
        subprocess.run(
            [
                executable("pdftoppm"),
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-png",
                str(pdf),
                str(stem),
            ],
            check=False,
        )
        made.append(f"{stem.name}.png")
    return made


def judge(
    row: Any, path: Path, pdf: Path, result: Result, png: Path, *, faces_chinese: bool
) -> None:
    if not pdf.exists():
        result.findings.append(Finding("LibreOffice", False, "no PDF came out"))
        return
    facts = read_pdf(pdf)
    result.pages = facts.pages
    result.fonts = ", ".join(sorted({f.name for f in facts.fonts}))
    # LibreOffice's PDFs name Noto's Chinese faces for the Japanese cut (faces.py).
    result.findings += check_pdf(
        facts, row.expect, noto_shared_is_chinese=faces_chinese and path.suffix != ".pdf"
    )
    if row.ext == "xlsx":
        setup, headers = workbook_facts(path)
        if row.setup:
            result.findings += setup
        if row.ledger:
            result.findings.append(check_repeated(facts, headers))
    result.pngs = pngs(pdf, png, row.key, facts.pages)


def report(results: list[Result], problems: list[str], timing: str) -> str:
    lines = [
        "# docs-check",
        "",
        f"{len(results)} rows, {sum(1 for r in results if r.failed)} failing, "
        f"{sum(1 for r in results if r.skipped)} not fetched; {timing}. "
        "Files in files/, LibreOffice's PDFs in pdf/, first pages in png/.",
        "",
    ]
    if problems:
        lines += ["## The table against the URLconf", "", *[f"- {p}" for p in problems], ""]
    lines += [
        "| file | route | as | pages | fonts | passed | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.skipped:
            lines.append(
                f"| {r.key} | {r.route} | {r.login} | – | – | not fetched: {r.skipped} | |"
            )
            continue
        passed = ", ".join(f.check for f in r.findings if f.ok)
        failed = "; ".join(f"**{f.check}**: {f.detail}" for f in r.failed)
        lines.append(
            f"| {r.key}.{r.ext} ({r.name}) | {r.route} `{r.url}` | {r.login} | {r.pages} "
            f"| {r.fonts} | {passed} | {failed} |"
        )
    return "\n".join(lines).replace("\u00a0", " ") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=2000, help="demo size (the demo's own)")
    parser.add_argument("--branches", type=int, default=150)
    parser.add_argument("--only", default="", help="only the rows whose key holds this")
    parser.add_argument("--workers", type=int, default=2, help="LibreOffice calls at a time")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()

    clock = [time.monotonic()]
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        clock.append(time.monotonic())
        phases[name] = clock[-1] - clock[-2]

    scratch = Path(tempfile.mkdtemp(prefix="peixun-docs-check-"))
    try:
        print(f"docs-check: demo tenant ({args.members} members) in {scratch}", flush=True)
        setup_django(scratch, args.members, args.branches)
        lap("demo")
        # Only now: both read the models, which need Django set up on the scratch database.
        from .demo import Demo
        from .table import TABLE

        problems = coverage(TABLE)
        if OUT.exists():
            shutil.rmtree(OUT)
        files, pdfs, png = OUT / "files", OUT / "pdf", OUT / "png"
        for folder in (files, pdfs, png):
            folder.mkdir(parents=True)
        demo = Demo()
        rows = [row for row in TABLE if args.only in row.key]
        results: list[Result] = []
        fetched: list[tuple[Any, Path, Result]] = []
        print(f"docs-check: fetching {len(rows)} files", flush=True)
        for row in rows:
            result = Result(row.key, row.route, row.login, row.ext, skipped=row.skip)
            results.append(result)
            if not row.skip and (path := fetch(row, demo, files, result)) is not None:
                fetched.append((row, path, result))
        lap("fetch")
        office = [path for _row, path, _r in fetched if path.suffix in (".docx", ".xlsx")]
        print(f"docs-check: LibreOffice converts {len(office)} files", flush=True)
        libreoffice(office, pdfs, scratch / "lo-profiles", args.workers)
        probes = probe_faces(scratch / "lo-profiles" / "faces")
        faces = probe_finding(probes)
        print(f"docs-check: {faces.check}: {faces.detail}", flush=True)
        if not faces.ok:
            problems.append(f"LibreOffice draws Japanese forms: {faces.detail}")
        lap("LibreOffice")
        for row, path, result in fetched:
            pdf = path if path.suffix == ".pdf" else pdfs / f"{path.stem}.pdf"
            judge(row, path, pdf, result, png, faces_chinese=faces.ok)
        lap("checks")
        timing = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
        (OUT / "report.md").write_text(report(results, problems, timing), encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    failing = [r for r in results if r.failed]
    for problem in problems:
        print(f"FAIL {problem}")
    for r in results:
        status = "skip" if r.skipped else ("FAIL" if r.failed else "ok  ")
        detail = "; ".join(f"{f.check}: {f.detail}" for f in r.failed)
        print(f"{status} {r.key:<32} {r.pages:>3} p  {detail}")
    checked = [r for r in results if not r.skipped]
    print(
        f"docs-check: {len(checked) - len(failing)} of {len(checked)} files pass"
        f" ({len(results) - len(checked)} upload routes not fetched), {len(problems)} route"
        f" problem(s); {timing}; report: {(OUT / 'report.md').relative_to(ROOT)}"
    )
    return 1 if failing or problems else 0


if __name__ == "__main__":
    sys.exit(main())
