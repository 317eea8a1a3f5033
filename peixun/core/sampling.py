"""A reproducible random sample per branch (随机抽测, 学习笔记抽查): N members, or N% of each
branch (rounded up, at least one), drawn with a recorded seed, so that anybody can draw the same
sample again from the same seed and roster and see it was not chosen by hand."""

from __future__ import annotations

import random
from collections import defaultdict


def sample_per_branch(
    population: list[tuple[int, int]], *, seed: str, count: int | None, percent: int | None
) -> list[tuple[int, int]]:
    """(member id, branch id) pairs drawn from `population` (in its order: give it sorted): `count` members of each branch
    (all of a smaller one), or `percent` of it. Each branch is drawn with its own generator
    seeded `<seed>:<branch id>`, so a branch's sample does not depend on the others."""
    by_branch: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for member_id, org_id in population:
        by_branch[org_id].append((member_id, org_id))
    chosen: list[tuple[int, int]] = []
    for org_id in sorted(by_branch):
        people = by_branch[org_id]
        share = -(-len(people) * (percent or 0) // 100)  # rounded up
        size = min(count, len(people)) if count else max(1, share)
        rng = random.Random(f"{seed}:{org_id}")
        chosen.extend(sorted(rng.sample(people, size)))
    return chosen
