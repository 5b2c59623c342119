"""A generated plan file for the end-to-end benchmark (and the scale tests).

``plan_text(n, links_per_task)`` writes a realistic plan as YAML text: a WBS of
phases (summary tasks, two levels), leaf tasks with durations or three-point
estimates, FS/SS/FF/SF links with lags and leads, some links that name a whole
phase, milestones, resource needs, a deadline, holidays and a country calendar.
The same seed gives the same text.
"""

from __future__ import annotations

import random

PHASE_SIZE = 50  # leaves per phase
PHASES_PER_STREAM = 10  # phases per top-level work stream (500 leaves; links stay inside a stream)


def plan_text(n: int, links_per_task: float = 3.0, seed: int = 1, *, chain: bool = False) -> str:
    """A plan with about ``n`` tasks (leaves and summaries) and ``links_per_task * n`` written links.

    With ``chain``, the tasks form one long finish-to-start chain in a deep WBS
    instead (the worst case for outline and driving-chain lookups).
    """
    if chain:
        return _chain_text(n)
    rng = random.Random(seed)
    lines = [
        "version: 1",
        "project:",
        "  name: Generated programme",
        "  start: 2027-01-04",
        "  deadline: 2040-12-31",
        "  calendar:",
        "    country: US",
        "    holidays:",
        "      - {date: 2027-12-24, until: 2027-12-31, name: Year-end shutdown}",
        "      - {date: 2028-12-22, until: 2028-12-29, name: Year-end shutdown}",
        "resources:",
    ]
    resources = [f"r{k}" for k in range(40)]
    for k, rid in enumerate(resources):
        lines.append(f"  - {{id: {rid}, name: Team {k}, units: {1 + k % 5}, rate: {60 + 5 * (k % 10)}/h}}")
    lines.append("tasks:")
    leaves: list[str] = []
    written = 0
    target_links = int(n * links_per_task)
    phase = stream = stream_start = 0
    count = 0
    while count < n:
        if phase % PHASES_PER_STREAM == 0:
            sid = f"s{stream}"
            lines.append(f"  - {{id: {sid}, name: Work stream {stream}}}")
            stream += 1
            count += 1
        pid = f"p{phase}"
        lines.append(f"  - {{id: {pid}, name: Phase {phase}, parent: s{stream - 1}}}")
        count += 1
        stream_start = len(leaves) if phase % PHASES_PER_STREAM == 0 else stream_start
        for _ in range(min(PHASE_SIZE, n - count)):
            index = len(leaves)
            tid = f"t{index}"
            parts = [f"id: {tid}", f"name: Task {index} of phase {phase}", f"parent: {pid}"]
            roll = rng.random()
            if roll < 0.04:
                parts.append("milestone: true")
            elif roll < 0.55:
                likely = rng.randint(2, 15)
                parts.append(f"estimate: [{max(1, likely - rng.randint(0, 2))}d, {likely}d, "
                             f"{likely + rng.randint(1, 10)}d]")
            else:
                parts.append(f"duration: {rng.randint(1, 20)}d")
            if rng.random() < 0.4:
                parts.append(f"needs: {{{rng.choice(resources)}: 1}}")
            links: list[str] = []
            in_stream = index - stream_start
            want = min(in_stream, max(0, round(rng.gauss(links_per_task, 1.0))))
            if written + want > target_links:
                want = max(0, target_links - written)
            chosen: set[int] = set()
            for _ in range(want * 3):
                if len(chosen) >= want:
                    break
                back = min(in_stream, 1 + int(rng.expovariate(1 / 120)))
                pred = index - back
                if pred in chosen:
                    continue
                chosen.add(pred)
                kind = rng.random()
                if kind < 0.80:
                    text = f"t{pred}"
                elif kind < 0.90:
                    text = f"t{pred} SS+{rng.randint(1, 4)}d"
                elif kind < 0.97:
                    text = f"t{pred} FF-{rng.randint(0, 2)}d"
                else:
                    text = f"t{pred} SF"
                if rng.random() < 0.1 and text == f"t{pred}":
                    text += f" FS+{rng.randint(1, 3)}d"
                links.append(text)
            if phase % PHASES_PER_STREAM >= 2 and rng.random() < 0.01:
                links.append(f"p{phase - 2}")  # after a whole earlier phase (every leaf of it)
            written += len(links)
            if links:
                parts.append(f"after: [{', '.join(links)}]")
            if rng.random() < 0.002:
                parts.append("constraint: {start_no_earlier_than: 2027-06-01}")
            lines.append("  - {" + ", ".join(parts) + "}")
            leaves.append(tid)
            count += 1
        phase += 1
    lines.append("risks:")
    for k in range(20):
        lines.append(f"  - {{id: risk{k}, name: Risk {k}, probability: 0.{k % 9 + 1}, "
                     f"delays: {{t{rng.randrange(len(leaves))}: {rng.randint(2, 10)}d}}}}")
    return "\n".join(lines) + "\n"


def _chain_text(n: int) -> str:
    """``n`` tasks in one FS chain, each group of ten under a summary, summaries nested ten deep."""
    lines = ["version: 1", "project: {name: Chain, start: 2027-01-04}", "tasks:"]
    depth_of_group = 10
    leaf = 0
    group = 0
    while leaf < n:
        parent = f", parent: g{group - 1}" if group % depth_of_group else ""
        lines.append(f"  - {{id: g{group}, name: Group {group}{parent}}}")
        for _ in range(min(10, n - leaf)):
            after = f", after: [c{leaf - 1}]" if leaf else ""
            lines.append(f"  - {{id: c{leaf}, name: Step {leaf}, parent: g{group}, duration: 1d{after}}}")
            leaf += 1
        group += 1
    return "\n".join(lines) + "\n"
