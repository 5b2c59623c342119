"""Benchmark: the role advisor's accuracy, side by side with the old advisor and a keyword rule.

    PYTHONPATH=src .venv/bin/python bench/advise.py            # 5-fold CV, seeds 0-2
    PYTHONPATH=src .venv/bin/python bench/advise.py --seeds 1  # a quick run

The set: tests/data/advise (real public project descriptions and real job adverts with the
title removed, labelled by the definitions in docs/explanation/advisor.md).

- pmfit: the reading + model, stratified 5-fold cross-validation (by label and kind): the
  word list, scaling, weights and the calibration temperature are fitted inside each fold,
  and the texts of a fold are scored by a model that never saw them. Mean over the seeds;
  the confusion matrices and the reliability table are those of seed 0.
- pmfit ablations (same CV): the reading only (no words), the words only (no reading).
- old advisor: pmfit before this reading (signals + capability thresholds, BM25 vocabulary);
  it has no training, so it is scored on every text as is.
- keyword rule: a fixed rule of the kind a person writes after looking at such texts —
  counts of class keywords, the largest count wins (ties: general). No training.

Also: the bundled examples and the shared real project files with a clear kind, and whether
each example plan and its own description (as a brief) agree.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from advise_set import load_cases, read_cases

from pmfit.advising import shipped_role_data
from pmfit.engine.advise import learn
from pmfit.engine.advise.advisor import advise_profile
from pmfit.engine.advise.brief import profile_from_brief
from pmfit.engine.advise.data import RoleData

CLASSES = learn.CLASSES
KEYWORDS = {
    "technical": r"software|firmware|hardware|engineer\w*|develop\w*|architect\w*|api|code|platform|product|"
                 r"prototype|design|chip|embedded|microservice\w*|latency|scal\w+|app\b|sdk|algorithm\w*",
    "it": r"erp|crm|ehr|sap|workday|salesforce|network\w*|server\w*|infrastructure|migrat\w*|roll-?out|"
          r"implement\w*|go-live|cloud|security|users|laptops|microsoft 365|helpdesk|it\b|system\b",
    "general": r"construct\w*|building|renovat\w*|event\w*|venue|campaign|marketing|move|relocat\w*|"
               r"budget|contractor\w*|permit\w*|festival|exhibition|volunteer\w*|grant\w*|park\b",
}


def keyword_rule(text: str) -> str:
    low = text.lower()
    counts = {c: len(re.findall(rf"\b(?:{p})", low)) for c, p in KEYWORDS.items()}
    best = max(counts.values())
    return next(c for c in ("general", "it", "technical") if counts[c] == best)


def scores(labels: Sequence[str], predicted: Sequence[str], kinds: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind in ("description", "advert"):
        pairs = [(a, b) for a, b, k in zip(labels, predicted, kinds, strict=True) if k == kind]
        out[f"acc_{kind}"] = sum(a == b for a, b in pairs) / len(pairs)
    for c in CLASSES:
        pairs = [(a, b) for a, b, k in zip(labels, predicted, kinds, strict=True) if k == "description" and a == c]
        out[f"recall_{c}"] = sum(a == b for a, b in pairs) / len(pairs)
    return out


def confusion(labels: Sequence[str], predicted: Sequence[str], kinds: Sequence[str], kind: str) -> list[list[int]]:
    m = [[0] * 3 for _ in CLASSES]
    for a, b, k in zip(labels, predicted, kinds, strict=True):
        if k == kind:
            m[CLASSES.index(a)][CLASSES.index(b)] += 1
    return m


def cv_predictions(readings: list, labels: list[str], kinds: list[str], seed: int,
                   settings: learn.Settings) -> learn.CvResult:
    return learn.cross_validate(readings, labels, k=5, seed=seed, settings=settings, strata=kinds)


def drop_reading(readings: list) -> list:
    """The same readings without the dense reading features (words only)."""
    from dataclasses import replace

    return [replace(r, dense={"bias": 0.0}) for r in readings]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    cases = load_cases()
    labels = [c.label for c in cases]
    kinds = [c.kind for c in cases]
    shipped_role_data()  # load the data once, outside the timing
    t0 = time.perf_counter()
    readings = read_cases(cases)
    read_ms = (time.perf_counter() - t0) / len(cases) * 1000
    n_desc = kinds.count("description")
    print(f"set: {n_desc} project descriptions, {len(cases) - n_desc} job adverts (titles removed); "
          f"labels {', '.join(f'{c} {labels.count(c)}' for c in CLASSES)}")

    systems: dict[str, list[dict[str, float]]] = {}
    seed0: dict[str, list[str]] = {}
    cv0: learn.CvResult | None = None
    variants: dict[str, tuple[list, learn.Settings]] = {
        "pmfit (reading + words)": (readings, learn.Settings()),
        "pmfit, reading only": (readings, learn.Settings(min_df=10**9)),
        "pmfit, words only": (drop_reading(readings), learn.Settings()),
    }
    t0 = time.perf_counter()
    for name, (rs, settings) in variants.items():
        for seed in range(args.seeds):
            cv = cv_predictions(rs, labels, kinds, seed, settings)
            systems.setdefault(name, []).append(scores(labels, cv.predicted, kinds))
            if seed == 0:
                seed0[name] = cv.predicted
                if name.startswith("pmfit (reading"):
                    cv0 = cv
    cv_s = time.perf_counter() - t0

    data = shipped_role_data()
    old = RoleData(data.vocabulary, data.salaries)  # no reading model: the old signal thresholds
    t0 = time.perf_counter()
    old_pred = [advise_profile(profile_from_brief(old.vocabulary, c.text, name=c.id), old).recommended
                for c in cases]
    old_ms = (time.perf_counter() - t0) / len(cases) * 1000
    t0 = time.perf_counter()
    for c in cases:
        advise_profile(profile_from_brief(data.vocabulary, c.text, name=c.id), data)
    new_ms = (time.perf_counter() - t0) / len(cases) * 1000
    systems["old advisor (no training)"] = [scores(labels, old_pred, kinds)]
    seed0["old advisor (no training)"] = old_pred
    kw = [keyword_rule(c.text) for c in cases]
    systems["keyword rule (no training)"] = [scores(labels, kw, kinds)]
    seed0["keyword rule (no training)"] = kw

    print(f"\nAccuracy (pmfit: stratified 5-fold CV, mean of {args.seeds} seed(s); descriptions / adverts; "
          "recall on descriptions)")
    head = f"{'system':32s} {'descr.':>7s} {'adverts':>8s} {'rec gen':>8s} {'rec IT':>7s} {'rec tech':>9s}"
    print(head)
    print("-" * len(head))
    for name, runs in systems.items():
        m = {k: statistics.mean(r[k] for r in runs) for k in runs[0]}
        print(f"{name:32s} {m['acc_description']:7.1%} {m['acc_advert']:8.1%} {m['recall_general']:8.1%} "
              f"{m['recall_it']:7.1%} {m['recall_technical']:9.1%}")
    base = statistics.mean(r["acc_description"] for r in systems["old advisor (no training)"])
    ours = statistics.mean(r["acc_description"] for r in systems["pmfit (reading + words)"])
    print(f"pmfit vs old advisor on descriptions: errors {1 - ours:.1%} vs {1 - base:.1%} "
          f"({(1 - base) / max(1 - ours, 1e-9):.1f}x fewer)")

    for kind in ("description", "advert"):
        print(f"\nConfusion matrices, {kind}s (rows: label general/IT/technical; columns: predicted; seed 0)")
        names = ["pmfit (reading + words)", "old advisor (no training)", "keyword rule (no training)"]
        print("          " + "".join(f"{n[:26]:>28s}" for n in names))
        for i, c in enumerate(CLASSES):
            row = "".join(f"{confusion(labels, seed0[n], kinds, kind)[i]!s:>28s}" for n in names)
            print(f"{c:10s}{row}")

    assert cv0 is not None
    print("\nCalibration (pmfit, out-of-fold, seed 0): confidence of the chosen kind vs how often it is right")
    print(f"{'confidence':>12s} {'texts':>6s} {'mean conf.':>11s} {'accuracy':>9s}")
    for row in learn.reliability(cv0.proba, labels, predicted=cv0.predicted):
        span = f"{row['low']:.1f}-{row['high']:.1f}"
        print(f"{span:>12s} {int(row['n']):6d} {row['mean_confidence']:11.2f} {row['accuracy']:9.2f}"
              if row["n"] else f"{span:>12s} {0:6d} {'—':>11s} {'—':>9s}")
    print(f"expected calibration error: {learn.expected_calibration_error(cv0.proba, labels, cv0.predicted):.3f}")
    wrong = [(c.id, c.label, p) for c, p in zip(cases, cv0.predicted, strict=True) if p != c.label]
    print("misread (seed 0): " + ", ".join(f"{i} {a}->{b}" for i, a, b in wrong))

    plans_table(data, old)
    print(f"\ntime: reading {read_ms:.1f} ms per text; advice per brief {new_ms:.1f} ms (old advisor {old_ms:.1f} ms); "
          f"cross-validation of {len(variants)} variants x {args.seeds} seed(s) {cv_s:.1f} s")


def plans_table(data: RoleData, old: RoleData) -> None:
    from pmfit.engine.advise.profile import profile_from_plan
    from pmfit.io.formats import load

    root = Path(__file__).resolve().parents[1]
    shared = root.parent / "shared" / "data" / "projects"
    plans = {root / "src/pmfit/examples/software-release.yaml": "technical",
             root / "src/pmfit/examples/it-infrastructure-rollout.yaml": "it",
             root / "src/pmfit/examples/office-move.yaml": "general",
             shared / "gan/ganttproject-house-building-sample.gan": "general",
             shared / "xer/p6viewer-terminal-building-airport.xer": "general",
             shared / "xer/xer-parser-construction.xer": "general",
             shared / "xer/xernative-takt-sample.xer": "general",
             shared / "mpp/projectlibre-ms-project-2003-deployment.mpp": "it",
             shared / "planner/gnome-planner-sample-1.planner": "technical",
             shared / "clickup/nox-analytics-every-task-excerpt60.csv": "technical"}
    print("\nPlans (the bundled examples and shared real project files with a clear kind)")
    print(f"{'plan':46s} {'kind':10s} {'pmfit':22s} {'old advisor':12s} {'own description':16s}")
    for path, kind in plans.items():
        if not path.exists():
            continue
        try:
            plan = load(path)
        except Exception as exc:  # e.g. .mpp without Java
            print(f"{path.name:46s} {kind:10s} (cannot import here: {type(exc).__name__})")
            continue
        a = advise_profile(profile_from_plan(plan), data)
        b = advise_profile(profile_from_plan(plan), old)
        own = "—"
        if plan.project.description:
            text = "\n".join([plan.project.description, *plan.project.objectives])
            own = advise_profile(profile_from_brief(data.vocabulary, text, name="own"), data).recommended
            own += " (agrees)" if own == a.recommended else " (differs)"
        print(f"{path.name[:46]:46s} {kind:10s} {a.recommended + ' ' + a.confidence.level + ' ' + format(a.confidence.value, '.2f'):22s} "
              f"{b.recommended:12s} {own:16s}")


if __name__ == "__main__":
    main()
