"""Fit the role advisor's model on the labelled set and write src/pmfit/data/roles/model.json.

    PYTHONPATH=src python tools/train_advisor.py          # refit and write model.json
    PYTHONPATH=src python tools/train_advisor.py --show   # print the weights of the reading features

The model is regularised multinomial logistic regression over the reading's features (see
pmfit.engine.advise.learn); the settings are fixed in advance (learn.Settings), not searched
on the set. The temperature comes from inner 5-fold out-of-fold predictions. The cross-
validated accuracy recorded in the file is computed with everything fitted inside each fold.
Deterministic: the same set gives the same file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from advise_set import ROOT, load_cases, read_cases

from pmfit.engine.advise import learn

OUT = ROOT / "src" / "pmfit" / "data" / "roles" / "model.json"


def show() -> None:
    """Print the shipped model's weights on the reading features (per unit of the feature)."""
    data = json.loads(OUT.read_text(encoding="utf-8"))
    print(f"{'feature':34s} {'general':>8s} {'IT':>8s} {'technical':>10s}")
    for i, name in enumerate(data["dense_features"]):
        w = [data["weights"][c][i] / data["scale"][i] for c in ("general", "it", "technical")]
        print(f"{name:34s} {w[0]:8.2f} {w[1]:8.2f} {w[2]:10.2f}")
    print(f"temperature {data['temperature']}; {len(data['words'])} words")


def main() -> None:
    if "--show" in sys.argv:
        show()
        return
    cases = load_cases()
    readings = read_cases(cases)
    labels = [c.label for c in cases]
    kinds = [c.kind for c in cases]
    settings = learn.Settings()
    cv = learn.cross_validate(readings, labels, k=5, seed=0, settings=settings, strata=kinds)
    desc = [k == "description" for k in kinds]
    adv = [k == "advert" for k in kinds]
    model = learn.fit_calibrated(readings, labels, settings, inner_k=5, seed=0, strata=kinds)
    data = model.to_dict()
    data["about"] = ("pmfit role advisor: multinomial logistic regression over the reading of a brief or plan "
                     "(pmfit.engine.advise.reading / learn). Trained by tools/train_advisor.py on "
                     f"tests/data/advise ({sum(desc)} project descriptions, {sum(adv)} job adverts with titles "
                     "removed, each labelled by the definitions in docs/explanation/advisor.md).")
    data["cross_validation"] = {
        "folds": 5, "seed": 0,
        "accuracy_descriptions": round(cv.accuracy(desc), 4),
        "accuracy_adverts": round(cv.accuracy(adv), 4),
        "recall_descriptions": {c: round(cv.recall(c, desc), 4) for c in learn.CLASSES},
        "expected_calibration_error": round(learn.expected_calibration_error(cv.proba, labels, cv.predicted), 4),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(model.dense_names)} reading features, {len(model.words)} words, "
          f"temperature {model.temperature:.3f}")
    print(json.dumps(data["cross_validation"], indent=1))


if __name__ == "__main__":
    main()
