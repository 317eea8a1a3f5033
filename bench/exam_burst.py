"""Benchmark: 2,000 takers each start a knowledge test, autosave 20 answers and submit, through
gunicorn on loopback.

    .venv/bin/python bench/exam_burst.py [--db sqlite|postgres|both] [--takers 2000]
        [--questions 20] [--concurrency 50] [--workers N] [--threads 1] [--conn-max-age S]
        [--floor N] [--resubmits 200] [--restart-takers 200] [--know 0.7] [--seed 1]
        [--no-probe]

Builds a fresh database (SQLite under /tmp, or PostgreSQL database `peixun_bench_exam` at
127.0.0.1:5432, created and dropped here) holding a generated tenant of `--takers` members in
branches of about 50, each member with a User and a personal API token; a bank of a few hundred
questions of the four kinds owned by the root (fields computed by `clean_question_fields`); a
rules paper drawing `--questions` (20: 8 single, 4 multiple, 4 judge, 4 blank, through
`paper_create`); and an exam (`exam_create`: 600-minute limit, one attempt, shuffled questions
and options) published with a fixed seed to every member (Candidate rows in bulk). Setup data is
written with the ORM in bulk or the services; the requests go through the API.

gunicorn then serves `peixun.wsgi` with `bench/_signin_settings.py` (peixun's settings plus the
floor view, see `_burst.py`) and a bounded asyncio client drives it, each request carrying the
taker's bearer token:

- floor: `PUT /bench/floor/` with a save's JSON body (a bare Django view: same gunicorn, handler
  and middleware; no authentication, no database), `--floor` times (default: as many as saves);
- takers: each taker is one coroutine: `POST /api/v1/exams/{id}/attempts` (start), one
  `PUT /api/v1/exams/attempts/{a}/answers/{q}` per question in the order shown (save, seq 1, a
  response chosen per kind: single an index, multiple a list in random order and sometimes with a
  repeat, judge a bool, blank a string, often full-width or with spaces and 。; with probability
  `--know` the right answer, worked out from the bank and the options as shown), then
  `POST /api/v1/exams/attempts/{a}/submit`. `--concurrency` takers are in progress at once, so
  as many requests are in flight, and starts, saves and submits of different takers interleave;
- resubmit: `--resubmits` takers submit again → 200 and the first result;
- restart: on a second exam, `--restart-takers` takers start and save half their answers;
  gunicorn is stopped and started again (as a deployment restarts it); each taker starts again
  and must get the same attempt with every answer saved before the restart and less time left,
  then saves the rest and submits. Verified like the burst.

Then, from the database: exactly one submitted attempt per taker, one Answer per question, each
Answer.response equal to the last response the client sent (as the service stores it: single
[i], multiple a sorted unique list), each answer's grade and each attempt's score equal to a
recomputation from the frozen items with `peixun.exams.logic.grade_item`, every answer the taker
meant to be right graded right, and one start and one submit audit event per attempt. Finally an
in-process probe counts the SQL queries of one start, save, re-save, submit and resubmit on a
second exam. Reports p50/p95/max per request type, throughput, errors (anything but 200) and the
CPU time of gunicorn and of the client; exits non-zero on any error or mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from _burst import (  # bench/ is first on sys.path; _burst puts the project root after it
    FLOOR_PATH,
    PROXY_HEADERS,
    add_server_arguments,
    drop_database,
    free_port,
    log_tail,
    percentile,
    prepare_environment,
    raw_request,
    run_each_database,
    seed_members,
    server_cpu,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)

SQLITE_PATH = Path("/tmp/peixun-bench-exam.sqlite3")
PG_NAME = "peixun_bench_exam"
TENANT_CODE = "BENCHE"
EXAM_SEED = "bench-exam-burst"
BRANCH_SIZE = 50
KINDS = ("single", "multiple", "judge", "blank")
BANK = {"single": 120, "multiple": 60, "judge": 60, "blank": 60}  # 300 questions at least
TOPICS = ("党章党规", "理论学习", "党史学习", "廉洁纪律", "基层治理")
API = "/api/v1/exams"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    p.add_argument("--takers", type=int, default=2000)
    p.add_argument("--questions", type=int, default=20, help="questions per paper (≥ 5)")
    p.add_argument(
        "--concurrency", type=int, default=50, help="takers in progress = requests in flight"
    )
    add_server_arguments(p)
    p.add_argument("--floor", type=int, default=None, help="floor requests (default: saves)")
    p.add_argument("--resubmits", type=int, default=200, help="second submits (a sample)")
    p.add_argument(
        "--restart-takers", type=int, default=200,
        help="takers of a second exam across a gunicorn restart",
    )  # fmt: skip
    p.add_argument("--know", type=float, default=0.7, help="share of answers a taker knows")
    p.add_argument("--seed", type=int, default=1, help="seed of the client's choices")
    p.add_argument("--no-probe", action="store_true", help="skip the query-count probe")
    args = p.parse_args()
    if args.questions < 5:
        p.error("--questions must be at least 5 (one of each kind)")
    return args


def paper_mix(questions: int) -> dict[str, int]:
    """20 → 8 single, 4 multiple, 4 judge, 4 blank."""
    fifth = questions // 5
    return {"single": questions - 3 * fifth, "multiple": fifth, "judge": fifth, "blank": fifth}


# -- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankQuestion:
    kind: str
    options: list[str]
    answer: list[Any]  # as stored: indices into options, [bool], or accepted texts


@dataclass
class Fixture:
    exam_id: int
    bearers: list[str]
    bank: dict[int, BankQuestion]
    seconds: float = 0.0


def question_data(kind: str, n: int) -> dict[str, Any]:
    """The n-th generated question of a kind, as a person would fill in the form."""
    topic = TOPICS[n % len(TOPICS)]
    data: dict[str, Any] = {"kind": kind, "topics": topic, "difficulty": 1 + n % 3}
    label = f"【{topic}】第{n + 1}题"
    if kind == "single":
        data["stem"] = f"{label}：关于第{n + 1}项规定，下列表述正确的是？"
        data["options"] = [f"表述{n + 1}{c}" for c in "甲乙丙丁"]
        data["answer"] = "ABCD"[n % 4]
    elif kind == "multiple":
        data["stem"] = f"{label}：关于第{n + 1}项要求，下列说法正确的有？"
        data["options"] = [f"要点{n + 1}{c}" for c in "甲乙丙丁戊"]
        data["answer"] = "".join(sorted({"ABCDE"[n % 5], "ABCDE"[(n + 2) % 5]}))
        if n % 3 == 0:
            data["answer"] += "ABCDE"[(n + 4) % 5]
    elif kind == "judge":
        data["stem"] = f"{label}：第{n + 1}条规定自发布之日起施行。"
        data["answer"] = "对" if n % 2 == 0 else "错"
    else:
        data["stem"] = f"{label}：第{n + 1}项工作的代号是____。"
        data["answer"] = f"GDP{n + 1}|国内生产总值{n + 1}"
    data["explanation"] = f"见第{n + 1}项规定。"
    return data


def build(takers: int, questions: int) -> Fixture:
    """The tenant, its members' users and tokens, the bank, the paper and the published exam."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from peixun.exams import services
    from peixun.exams.models import Candidate, Exam, Question

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seeded = seed_members(
        code=TENANT_CODE,
        name="基准县直机关工委",
        members=takers,
        branches=max(1, takers // BRANCH_SIZE),
    )
    root, organiser = seeded.root, seeded.organiser

    mix = paper_mix(questions)
    rows = []
    for kind in KINDS:
        for n in range(max(BANK[kind], 3 * mix[kind])):
            clean = services.clean_question_fields(question_data(kind, n))
            rows.append(Question(org=root, created_by=organiser, **clean))
    Question.objects.bulk_create(rows, batch_size=500)
    paper = services.paper_create(
        actor=organiser,
        org=root,
        title="基准：应知应会随机组卷",
        mode="rules",
        rules=[{"topic": "", "kind": k, "difficulty": 0, "count": mix[k]} for k in KINDS],
    )
    now = timezone.now()
    exam = services.exam_create(
        actor=organiser,
        org=root,
        data={
            "title": "基准：第四季度应知应会测试",
            "kind": "quarterly",
            "paper": paper,
            "opens_at": now - dt.timedelta(minutes=1),
            "closes_at": now + dt.timedelta(days=1),
            "time_limit_minutes": 600,  # the longest allowed: far beyond any run
            "attempts_allowed": 1,
            "pass_percent": 60,
        },
    )
    # Published to every seeded member (exam_publish would filter statuses and exemptions).
    Candidate.objects.bulk_create(
        [Candidate(exam=exam, member=m, org_id=m.org_id) for m in seeded.people], batch_size=2000
    )
    Exam.objects.filter(pk=exam.pk).update(
        state=Exam.State.PUBLISHED, seed=EXAM_SEED, published_at=now
    )
    bank = {
        q.pk: BankQuestion(q.kind, list(q.options), list(q.answer))
        for q in Question.objects.filter(org=root)
    }
    return Fixture(exam.pk, seeded.bearers, bank, time.perf_counter() - started)


# -- the taker's choices -------------------------------------------------------------------------


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms, spaces ideographic."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


def blank_variant(text: str, rng: random.Random) -> str:
    """How a phone keyboard may type an answer: as is, full-width, spaced, with a full stop."""
    roll = rng.random()
    if roll < 0.3:
        return full_width(text)
    if roll < 0.5:
        return " ".join(text) + "。"
    if roll < 0.7:
        return full_width(text.lower()) + "。"
    return text


def choose(item: dict[str, Any], known: BankQuestion, right: bool, rng: random.Random) -> Any:
    """What the taker sends for one item; `right`: they know the answer."""
    kind, shown = item["kind"], item["options"]
    if kind == "single":
        index = shown.index(known.options[known.answer[0]]) if right else rng.randrange(len(shown))
        return [index] if rng.random() < 0.1 else index  # the phone page may send either
    if kind == "multiple":
        if right:
            picks = [shown.index(known.options[i]) for i in known.answer]
        else:
            picks = rng.sample(range(len(shown)), rng.randint(1, len(shown)))
        rng.shuffle(picks)
        if rng.random() < 0.2:
            picks.append(picks[0])  # a double tap
        return picks
    if kind == "judge":
        return bool(known.answer[0]) if right else rng.random() < 0.5
    if right:
        return blank_variant(rng.choice(known.answer), rng)
    return blank_variant(rng.choice(["不知道", "GDP", "国内生产总值", "ABC"]), rng)


def stored_form(kind: str, sent: Any) -> Any:
    """What the service stores for what was sent (peixun.exams.logic.clean_response)."""
    if kind == "single":
        return sent if isinstance(sent, list) else [sent]
    if kind == "multiple":
        return sorted(set(sent))
    return sent


def canonical(value: Any) -> str:
    """Strict equality of JSON values (True is not 1, [1] is not 1)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# -- the client ----------------------------------------------------------------------------------


@dataclass
class Calls:
    """One request type's results."""

    label: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return self.requests - self.statuses[200]

    def record(self, status: int, body: bytes, seconds: float) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1
        if status != 200:
            text = " ".join(body.decode(errors="replace").split())[:200]
            sample = f"{status}: {text}"
            if sample not in self.samples and len(self.samples) < 3:
                self.samples.append(sample)


@dataclass
class Taker:
    index: int
    bearer: str
    attempt: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    sent: dict[int, Any] = field(default_factory=dict)  # question → last response sent
    stored: dict[int, Any] = field(default_factory=dict)  # question → as the service stores it
    meant_right: set[int] = field(default_factory=set)
    result: dict[str, Any] | None = None  # the first submit's answer
    done: bool = False
    remaining: int = 0  # seconds left when the attempt started (the restart phase)


@dataclass
class Run:
    label: str
    calls: dict[str, Calls]
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.calls.values())


class Client:
    def __init__(self, port: int, concurrency: int) -> None:
        self.port = port
        self.gate = asyncio.Semaphore(concurrency)

    async def call(
        self, calls: Calls, method: str, path: str, bearer: str | None, payload: Any = None
    ) -> tuple[int, Any]:
        """One request; returns the status and the decoded JSON body (None unless 200)."""
        headers = dict(PROXY_HEADERS)
        body = b""
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        sent = time.perf_counter()
        try:
            status, data = await raw_request(self.port, method, path, headers, body)
        except (OSError, ValueError, IndexError) as exc:
            status, data = 0, f"{type(exc).__name__}: {exc}".encode()
        calls.record(status, data, time.perf_counter() - sent)
        if status != 200:
            return status, None
        try:
            return status, json.loads(data)
        except ValueError:
            calls.statuses[200] -= 1
            calls.statuses[-1] += 1  # 200 with a body that is not JSON: an error too
            calls.samples.append(f"200 but not JSON: {data[:120]!r}")
            return -1, None


async def take(
    client: Client,
    run: Run,
    fx: Fixture,
    taker: Taker,
    questions: int,
    know: float,
    rng: random.Random,
) -> None:
    """One taker, start to submit; the gate keeps `concurrency` takers in progress."""
    async with client.gate:
        status, view = await client.call(
            run.calls["start"], "POST", f"{API}/{fx.exam_id}/attempts", taker.bearer
        )
        if view is None:
            return
        taker.attempt, taker.items = view["id"], view["items"]
        if len(taker.items) != questions or view["answers"] or view["submitted_at"]:
            run.problems.append(
                f"start of taker {taker.index}: {len(taker.items)} items, "
                f"answers {view['answers']!r}, submitted {view['submitted_at']!r}"
            )
        if any("key" in item for item in taker.items):
            run.problems.append(f"start of taker {taker.index} sent the key")
        for item in taker.items:
            qid, kind = item["q"], item["kind"]
            right = rng.random() < know
            response = choose(item, fx.bank[qid], right, rng)
            taker.sent[qid] = response
            taker.stored[qid] = stored_form(kind, response)
            if right:
                taker.meant_right.add(qid)
            status, saved = await client.call(
                run.calls["save"],
                "PUT",
                f"{API}/attempts/{taker.attempt}/answers/{qid}",
                taker.bearer,
                {"response": response, "seq": 1},
            )
            if saved is not None and canonical(saved["response"]) != canonical(taker.stored[qid]):
                run.problems.append(
                    f"save of attempt {taker.attempt} q{qid} answered {saved['response']!r}, "
                    f"sent {response!r}"
                )
        status, result = await client.call(
            run.calls["submit"], "POST", f"{API}/attempts/{taker.attempt}/submit", taker.bearer
        )
        if result is not None:
            taker.result = result
            if result["submitted_at"] is None or result["score"] is None:
                run.problems.append(f"submit of attempt {taker.attempt} left it open")
        taker.done = True


async def resubmit(client: Client, run: Run, taker: Taker) -> None:
    async with client.gate:
        status, result = await client.call(
            run.calls["resubmit"], "POST", f"{API}/attempts/{taker.attempt}/submit", taker.bearer
        )
    first = taker.result or {}
    if result is not None:
        # The same result: compared as numbers ("30" and "30.0" are the same score).
        same = result["submitted_at"] == first.get("submitted_at") and all(
            Decimal(str(result[k])) == Decimal(str(first.get(k))) for k in ("score", "percent")
        )
        if not same:
            run.problems.append(
                f"resubmit of attempt {taker.attempt}: {result['score']} at "
                f"{result['submitted_at']}, first {first.get('score')} at "
                f"{first.get('submitted_at')}"
            )
        elif result["score"] != first.get("score"):
            note = "same score written differently by submit and resubmit, e.g. "
            note += f"{first.get('score')!r} → {result['score']!r}"
            known = next((n for n in run.notes if n.startswith(note[:40])), note)
            run.notes[known] += 1


async def floor(client: Client, run: Run, count: int) -> None:
    payload = {"response": [0, 2], "seq": 1}

    async def one() -> None:
        async with client.gate:
            await client.call(run.calls["floor"], "PUT", FLOOR_PATH, None, payload)

    await asyncio.gather(*(one() for _ in range(count)))


async def warm(client: Client, run: Run, fx: Fixture, count: int) -> None:
    """Every worker imports the URLconf and the API and opens its database connection: the
    floor, and a taker's GET of an attempt that does not exist (404, nothing written)."""

    async def one(i: int) -> None:
        async with client.gate:
            await client.call(run.calls["warm"], "PUT", FLOOR_PATH, None, {})
            await client.call(run.calls["warm"], "GET", f"{API}/attempts/0", fx.bearers[i])

    await asyncio.gather(*(one(i % len(fx.bearers)) for i in range(count)))


async def take_half(
    client: Client, run: Run, fx: Fixture, exam_id: int, taker: Taker, rng: random.Random
) -> None:
    """Before the restart: start and save the first half of the answers."""
    async with client.gate:
        status, view = await client.call(
            run.calls["start"], "POST", f"{API}/{exam_id}/attempts", taker.bearer
        )
        if view is None:
            return
        taker.attempt, taker.items = view["id"], view["items"]
        taker.remaining = view["remaining_seconds"]
        for item in taker.items[: len(taker.items) // 2]:
            await save_one(client, run, fx, taker, item, rng)


async def save_one(
    client: Client, run: Run, fx: Fixture, taker: Taker, item: dict[str, Any], rng: random.Random
) -> None:
    qid = item["q"]
    right = rng.random() < 0.7
    response = choose(item, fx.bank[qid], right, rng)
    taker.sent[qid] = response
    taker.stored[qid] = stored_form(item["kind"], response)
    if right:
        taker.meant_right.add(qid)
    await client.call(
        run.calls["save"], "PUT", f"{API}/attempts/{taker.attempt}/answers/{qid}",
        taker.bearer, {"response": response, "seq": 1},
    )  # fmt: skip


async def resume_and_finish(
    client: Client, run: Run, fx: Fixture, exam_id: int, taker: Taker, rng: random.Random
) -> None:
    """After the restart: the same attempt resumes with every answer saved before it and the
    clock still running; the rest are saved and the attempt submitted."""
    async with client.gate:
        status, view = await client.call(
            run.calls["resume"], "POST", f"{API}/{exam_id}/attempts", taker.bearer
        )
        if view is None:
            return
        if view["id"] != taker.attempt:
            run.problems.append(f"taker {taker.index} resumed {view['id']}, not {taker.attempt}")
        got = {int(q): canonical(r) for q, r in view["answers"].items()}
        want = {q: canonical(r) for q, r in taker.stored.items()}
        if got != want:
            run.problems.append(f"attempt {taker.attempt} resumed with {len(got)} answers, "
                                f"saved {len(want)} (or they differ)")  # fmt: skip
        if view["remaining_seconds"] > taker.remaining:
            run.problems.append(f"attempt {taker.attempt}: the clock went back over the restart")
        for item in taker.items[len(taker.items) // 2 :]:
            await save_one(client, run, fx, taker, item, rng)
        status, result = await client.call(
            run.calls["submit"], "POST", f"{API}/attempts/{taker.attempt}/submit", taker.bearer
        )
        taker.result = result
        taker.done = result is not None


def restart_exam(fx: Fixture, takers: int) -> int:
    """A second exam on the same paper for the first `takers` members (the restart phase)."""
    from django.db import connection
    from django.utils import timezone

    from peixun.exams.models import Candidate, Exam

    exam = Exam.objects.get(pk=fx.exam_id)
    first = list(Candidate.objects.filter(exam=exam).order_by("member_id")[:takers])
    exam.pk = None
    exam.title = "基准：重启中的随机抽测"
    exam.kind = "spot"
    exam.save()
    Candidate.objects.bulk_create(
        Candidate(exam=exam, member_id=c.member_id, org_id=c.org_id) for c in first
    )
    Exam.objects.filter(pk=exam.pk).update(published_at=timezone.now())
    connection.close()
    return int(exam.pk)


def measure(label: str, master: int, kinds: list[str], body: Any) -> Run:
    """Run `body(run)` (a coroutine function) and time it, with the CPU of both sides."""
    run = Run(label, {k: Calls(k) for k in kinds})
    cpu, server = time.process_time(), server_cpu(master)
    started = time.perf_counter()
    asyncio.run(body(run))
    run.seconds = time.perf_counter() - started
    run.client_cpu = time.process_time() - cpu
    run.server_cpu = server_cpu(master) - server
    return run


# -- verification --------------------------------------------------------------------------------


def verify(exam_id: int, takers: list[Taker], questions: int) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) from the database against what the client sent."""
    from peixun.core.models import AuditEvent
    from peixun.exams.logic import grade_item
    from peixun.exams.models import Answer, Attempt

    checks: list[tuple[str, bool, str]] = []
    n = len(takers)
    attempts = {a.pk: a for a in Attempt.objects.filter(exam_id=exam_id)}
    by_attempt = {t.attempt: t for t in takers if t.attempt}
    checks.append(
        (f"exactly {n:,} attempts", len(attempts) == n, f"{len(attempts):,} attempts in the exam")
    )
    submitted = sum(a.submitted_at is not None for a in attempts.values())
    auto = sum(a.auto_submitted for a in attempts.values())
    checks.append(
        ("all submitted by the taker", submitted == n and not auto, f"{submitted:,}, {auto} auto")
    )
    unknown = [pk for pk in attempts if pk not in by_attempt]
    checks.append(("each attempt is a taker's", not unknown, f"{len(unknown)} unknown attempts"))

    rows = list(
        Answer.objects.filter(attempt__exam_id=exam_id).values_list(
            "attempt_id", "question_id", "response", "correct", "points"
        )
    )
    expected_rows = n * questions
    checks.append(
        (f"exactly {expected_rows:,} answers", len(rows) == expected_rows, f"{len(rows):,} rows")
    )
    wrong_response, wrong_grade, missed_right = 0, 0, 0
    examples: list[str] = []
    seen: set[tuple[int, int]] = set()
    for attempt_id, qid, response, correct, points in rows:
        seen.add((attempt_id, qid))
        taker = by_attempt.get(attempt_id)
        if taker is None or qid not in taker.stored:
            wrong_response += 1
            continue
        if canonical(response) != canonical(taker.stored[qid]):
            wrong_response += 1
            if len(examples) < 3:
                examples.append(f"a{attempt_id} q{qid}: {response!r} ≠ {taker.stored[qid]!r}")
        item = next(i for i in attempts[attempt_id].items if i["q"] == qid)
        good, earned = grade_item(item, taker.stored[qid])
        if correct is not good or points != earned:
            wrong_grade += 1
        if qid in taker.meant_right and not good:
            missed_right += 1
            if len(examples) < 3:
                examples.append(
                    f"a{attempt_id} q{qid}: right answer {taker.sent[qid]!r} graded wrong"
                )
    missing = sum((t.attempt, q) not in seen for t in takers for q in t.stored)
    detail = f"{wrong_response:,} differ, {missing:,} sent but not stored"
    checks.append(
        ("each response = the client's last sent", not wrong_response and not missing, detail)
    )
    checks.append(("each answer graded as grade_item", not wrong_grade, f"{wrong_grade:,} differ"))
    meant = sum(len(t.meant_right) for t in takers)
    checks.append(
        (
            "answers meant right graded right (full-width etc.)",
            not missed_right,
            f"{meant - missed_right:,} of {meant:,}",
        )
    )

    bad_score, bad_result, total = 0, 0, Decimal(0)
    for pk, attempt in attempts.items():
        taker = by_attempt.get(pk)
        if taker is None:
            continue
        score = sum(
            (
                grade_item(i, taker.stored[i["q"]])[1]
                for i in attempt.items
                if i["q"] in taker.stored
            ),
            Decimal(0),
        )
        total += score
        if attempt.score != score:
            bad_score += 1
            if len(examples) < 3:
                examples.append(f"a{pk}: score {attempt.score} ≠ recomputed {score}")
        if taker.result is None or Decimal(str(taker.result["score"])) != score:
            bad_result += 1
    mean = total / len(attempts) if attempts else Decimal(0)
    checks.append(
        (
            "each score = recomputed from the frozen items",
            not bad_score,
            f"{bad_score:,} differ; mean score {mean:.1f}",
        )
    )
    checks.append(("each submit answered that score", not bad_result, f"{bad_result:,} differ"))
    audits = Counter(
        AuditEvent.objects.filter(
            verb__in=["exams.attempt.start", "exams.attempt.submit"],
            object_type="exams.attempt",
            object_id__in=[str(pk) for pk in attempts],
        ).values_list("verb", flat=True)
    )
    starts, submits = audits["exams.attempt.start"], audits["exams.attempt.submit"]
    checks.append(
        (
            "one start and one submit audit event per attempt",
            starts == n and submits == n,
            f"{starts:,} starts, {submits:,} submits",
        )
    )
    for example in examples:
        checks.append(("  e.g.", False, example))
    return checks


def probe(fx: Fixture, taker_bearer: str) -> list[tuple[str, int, float]]:
    """SQL queries of one start, save, re-save, submit and resubmit on a copy of the exam (same
    paper, one candidate), in process through Django's test client, after one start on another
    copy has warmed the process as a gunicorn worker is warm."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from peixun.accounts.models import ApiToken, hash_token
    from peixun.exams.models import Candidate, Exam

    member = ApiToken.objects.get(key_hash=hash_token(taker_bearer)).user.member
    assert member is not None
    copies = []
    for title in ("基准：预热", "基准：查询计数"):
        exam = Exam.objects.get(pk=fx.exam_id)
        exam.pk, exam.title = None, title
        exam.save()
        Candidate.objects.create(exam=exam, member=member, org_id=member.org_id)
        copies.append(exam)
    client = TestClient(
        HTTP_HOST="127.0.0.1",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_AUTHORIZATION=f"Bearer {taker_bearer}",
    )
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    # Not counted: imports the URLconf and the API and loads the bank into the process's pool,
    # as every gunicorn worker has after its first start.
    client.post(f"{API}/{copies[0].pk}/attempts", secure=True)
    exam = copies[1]
    out: list[tuple[str, int, float]] = []

    def count(label: str, method: str, path: str, payload: Any = None) -> Any:
        kwargs: dict[str, Any] = {}
        if payload is not None:
            kwargs = {"data": json.dumps(payload), "content_type": "application/json"}
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = getattr(client, method)(path, **kwargs)
            seconds = time.perf_counter() - started
        if os.environ.get("BENCH_SHOW_SQL"):
            print(f"   -- {label}")
            for q in ctx.captured_queries:
                print(f"      {q['sql'][:220]}")
        if response.status_code != 200:
            raise SystemExit(f"probe {label}: {response.status_code} {response.content[:300]!r}")
        out.append((label, len(ctx.captured_queries), seconds * 1000))
        return response.json()

    view = count("start", "post", f"{API}/{exam.pk}/attempts")
    first = view["items"][0]
    save = f"{API}/attempts/{view['id']}/answers/{first['q']}"
    response = True if first["kind"] == "judge" else "GDP" if first["kind"] == "blank" else [0]
    count("save (first)", "put", save, {"response": response, "seq": 1})
    count("save (again)", "put", save, {"response": response, "seq": 2})
    for item in view["items"][1:]:
        kind = item["kind"]
        value = True if kind == "judge" else "GDP" if kind == "blank" else [0]
        client.put(
            f"{API}/attempts/{view['id']}/answers/{item['q']}",
            data=json.dumps({"response": value, "seq": 1}),
            content_type="application/json",
        )
    count("submit", "post", f"{API}/attempts/{view['id']}/submit")
    count("resubmit", "post", f"{API}/attempts/{view['id']}/submit")
    return out


# -- one database --------------------------------------------------------------------------------


def run_one(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="peixun-bench-exam-"))
    prepare_environment(args.db, workdir, SQLITE_PATH, PG_NAME)
    import django

    django.setup()
    import gunicorn
    from django.conf import settings
    from django.db import connection

    t_all = time.perf_counter()
    mix = paper_mix(args.questions)
    print(
        f"== {args.db}: {args.takers:,} takers × {args.questions} questions "
        f"({', '.join(f'{v} {k}' for k, v in mix.items())}), gunicorn {gunicorn.__version__} "
        f"({args.workers} {'gthread' if args.threads > 1 else 'sync'} workers × {args.threads} "
        f"thread(s), {os.cpu_count()} cores), client: asyncio (raw HTTP/1.1), "
        f"{args.concurrency} takers in progress",
        flush=True,
    )
    served = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    if args.conn_max_age is not None:
        served = args.conn_max_age
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"   CONN_MAX_AGE {served} s; machine load average before the run: {load}")
    fx = build(args.takers, args.questions)
    print(
        f"   setup (migrate, tenant, users, tokens, {len(fx.bank)} questions, paper, exam, "
        f"candidates): {fx.seconds:.1f} s",
        flush=True,
    )
    connection.close()  # gunicorn's workers open their own

    rng = random.Random(args.seed)
    takers = [Taker(i, b) for i, b in enumerate(fx.bearers)]
    floor_count = args.takers * args.questions if args.floor is None else args.floor
    port = free_port()
    log = workdir / "gunicorn.log"
    proc = start_gunicorn(args, port, log)
    runs: list[Run] = []
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, log)

        async def warm_up(run: Run) -> None:
            await warm(Client(port, args.concurrency), run, fx, args.workers * 8)

        measure("warm-up", proc.pid, ["warm"], warm_up)

        async def floor_phase(run: Run) -> None:
            await floor(Client(port, args.concurrency), run, floor_count)

        runs.append(measure("floor: PUT a bare view", proc.pid, ["floor"], floor_phase))
        print(f"   floor done: {runs[-1].seconds:.1f} s", flush=True)

        async def takers_phase(run: Run) -> None:
            client = Client(port, args.concurrency)
            order = list(takers)
            rng.shuffle(order)
            seeds = {t.index: rng.random() for t in order}
            await asyncio.gather(
                *(
                    take(
                        client,
                        run,
                        fx,
                        t,
                        args.questions,
                        args.know,
                        random.Random(seeds[t.index]),
                    )
                    for t in order
                )
            )

        label = f"takers: start → {args.questions} saves → submit"
        runs.append(measure(label, proc.pid, ["start", "save", "submit"], takers_phase))
        print(f"   takers done: {runs[-1].seconds:.1f} s", flush=True)

        finished = [t for t in takers if t.result]
        sample = rng.sample(finished, min(args.resubmits, len(finished)))

        async def resubmit_phase(run: Run) -> None:
            client = Client(port, args.concurrency)
            await asyncio.gather(*(resubmit(client, run, t) for t in sample))

        label = "resubmit: a sample submits again"
        runs.append(measure(label, proc.pid, ["resubmit"], resubmit_phase))

        # A restart in the middle of an exam: half the answers saved, gunicorn stopped and
        # started again (a deployment's restart), then each taker resumes and finishes.
        restart_id = restart_exam(fx, args.restart_takers)
        restarted = [Taker(i, b) for i, b in enumerate(fx.bearers[: args.restart_takers])]
        seeds = {t.index: random.Random(rng.random()) for t in restarted}

        async def before_restart(run: Run) -> None:
            client = Client(port, args.concurrency)
            await asyncio.gather(
                *(take_half(client, run, fx, restart_id, t, seeds[t.index]) for t in restarted)
            )

        label = f"restart: {args.restart_takers} start, save {args.questions // 2}"
        runs.append(measure(label, proc.pid, ["start", "save"], before_restart))
        stop_gunicorn(proc)
        port = free_port()
        proc = start_gunicorn(args, port, log)
        wait_ready(f"http://127.0.0.1:{port}", proc, log)

        async def after_restart(run: Run) -> None:
            client = Client(port, args.concurrency)
            await asyncio.gather(
                *(resume_and_finish(client, run, fx, restart_id, t, seeds[t.index])
                  for t in restarted)
            )  # fmt: skip

        label = "restart: resume, save rest, submit"
        runs.append(measure(label, proc.pid, ["resume", "save", "submit"], after_restart))
    finally:
        stop_gunicorn(proc)

    status = report(runs)
    checks = verify(fx.exam_id, takers, args.questions)
    checks += [
        (f"restart: {check}", passed, detail) if not check.startswith("  ") else
        (check, passed, detail)
        for check, passed, detail in verify(restart_id, restarted, args.questions)
    ]  # fmt: skip
    print("\n   verification from the database")
    for check, passed, detail in checks:
        if check.startswith("  "):
            print(f"      {detail}")
            continue
        status |= not passed
        print(f"   {'OK  ' if passed else 'FAIL'} {check}: {detail}")
    if not args.no_probe:
        print("\n   queries per request (in process, one taker, a copy of the exam; warm process)")
        for label, queries, ms in probe(fx, fx.bearers[0]):
            print(f"   {label:<14} {queries:>3} queries  {ms:6.1f} ms")
    if status and log.exists():
        print("   gunicorn log, distinct lines (tail):\n      " + log_tail(log))
    print(f"   whole run: {time.perf_counter() - t_all:.1f} s\n", flush=True)

    connection.close()
    drop_database(args.db, SQLITE_PATH, PG_NAME)
    shutil.rmtree(workdir, ignore_errors=True)
    return int(bool(status))


def report(runs: list[Run]) -> int:
    status = 0
    print(
        f"\n   {'request':<10} {'count':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'max ms':>7} {'mean ms':>7}"
    )
    for run in runs:
        for calls in run.calls.values():
            mean = sum(calls.latencies) / calls.requests * 1000 if calls.requests else 0.0
            print(
                f"   {calls.label:<10} {calls.requests:>7,} {calls.errors:>6,} "
                f"{percentile(calls.latencies, 50):>7.1f} {percentile(calls.latencies, 95):>7.1f} "
                f"{max(calls.latencies, default=0) * 1000:>7.1f} {mean:>7.1f}"
            )
            for sample in calls.samples:
                print(f"      e.g. {sample}")
            status |= bool(calls.errors)
    print(
        f"\n   {'phase':<36} {'requests':>8} {'seconds':>7} {'req/s':>6} {'server':>7} "
        f"{'server':>7} {'client':>7}"
    )
    print(f"   {'':<36} {'':>8} {'':>7} {'':>6} {'CPU s':>7} {'ms/req':>7} {'CPU s':>7}")
    for run in runs:
        rate = run.requests / run.seconds if run.seconds else 0.0
        per = run.server_cpu / run.requests * 1000 if run.requests else 0.0
        print(
            f"   {run.label:<36} {run.requests:>8,} {run.seconds:>7.1f} {rate:>6.0f} "
            f"{run.server_cpu:>7.1f} {per:>7.2f} {run.client_cpu:>7.1f}"
        )
        for problem in run.problems[:5]:
            print(f"      FAIL: {problem}")
        if len(run.problems) > 5:
            print(f"      … {len(run.problems) - 5:,} more problems")
        for note, times in run.notes.items():
            print(f"      note: {note} ({times:,} times)")
        status |= bool(run.problems)
    print(
        "   server CPU = gunicorn's CPU time (master + workers, from /proc; the database server's "
        "own processes are not in it); client CPU = the load client's"
    )
    return status


def main() -> int:
    args = parse()
    if args.db != "both":
        return run_one(args)
    options = (
        "takers", "questions", "concurrency", "workers", "threads", "conn_max_age", "floor",
        "resubmits", "restart_takers", "know", "seed",
    )  # fmt: skip
    return run_each_database(__file__, args, options, flags=("no_probe",))


if __name__ == "__main__":
    sys.exit(main())
