"""A small, inspectable model over the reading: regularised multinomial logistic regression.

Features (see :mod:`.reading`): the dense reading features (cues, domain shares, O*NET
closeness), standardised with the training set's mean and spread, and the stemmed words and
word pairs seen in at least ``min_df`` training texts (present = 1). The loss is the mean
cross-entropy plus ``l2_dense/2 * |w_dense|^2 + l2_words/2 * |w_words|^2`` (intercepts free):
the words are held back harder than the dense reading, so a word counts only where it adds
to what the reading already says. Fitted by Nesterov-accelerated gradient descent (the loss
is convex; numpy only).

Confidence is the model's probability after **temperature scaling** (Guo et al. 2017): one
number ``T`` chosen to minimise the cross-entropy of out-of-fold predictions on the
training set, so that "80%" means right about 80% of the time on texts the model has not
seen. :func:`cross_validate` reports stratified k-fold results with everything (word list,
standardisation, weights, temperature) fitted inside each fold.

Pure: no I/O. ``tools/train_advisor.py`` writes the fitted model to ``data/roles/model.json``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pmfit.engine.advise.reading import Reading

CLASSES = ("general", "it", "technical")
FloatArray = NDArray[np.float64]
#: below this many cue and vocabulary phrases a text says too little: its probabilities are pulled
#: towards a third each, and the advice falls back to the general PM unless one kind keeps half
MIN_EVIDENCE = 8


def shrink(p: FloatArray, evidence: int) -> FloatArray:
    """Pull probabilities towards 'can't tell' in proportion to how little there was to read."""
    alpha = max(0.0, 1.0 - evidence / MIN_EVIDENCE)
    out: FloatArray = (1 - alpha) * p + alpha / len(CLASSES)
    return out


def choose(p: FloatArray, evidence: int) -> int:
    """The chosen class: the most probable, except that a text with too little to read and no
    class at half or more gets the general PM, the least specialised role."""
    best = int(np.argmax(p))
    if evidence < MIN_EVIDENCE and p[best] < 0.5:
        return CLASSES.index("general")
    return best


@dataclass(frozen=True)
class Settings:
    l2_dense: float = 0.02
    l2_words: float = 0.5
    min_df: int = 3
    iterations: int = 600


@dataclass
class Model:
    """Fitted weights: ``W`` is classes x features, ``b`` the intercepts."""

    dense_names: list[str]
    words: list[str]
    mean: FloatArray
    scale: FloatArray
    W: FloatArray
    b: FloatArray
    temperature: float = 1.0
    settings: Settings = Settings()

    @property
    def feature_names(self) -> list[str]:
        return self.dense_names + [f"word:{w}" for w in self.words]

    def vector(self, reading: Reading) -> FloatArray:
        dense = np.array([reading.dense.get(n, 0.0) for n in self.dense_names], dtype=float)
        dense = (dense - self.mean) / self.scale
        words = np.array([1.0 if w in reading.words else 0.0 for w in self.words], dtype=float)
        return np.concatenate([dense, words])

    def logits(self, x: FloatArray) -> FloatArray:
        out: FloatArray = self.W @ x + self.b
        return out

    def proba(self, reading: Reading, calibrated: bool = True) -> FloatArray:
        z = self.logits(self.vector(reading))
        return softmax(z / (self.temperature if calibrated else 1.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(CLASSES),
            "dense_features": self.dense_names,
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "words": self.words,
            "weights": {c: [round(float(v), 5) for v in self.W[i]] for i, c in enumerate(CLASSES)},
            "intercepts": {c: round(float(self.b[i]), 5) for i, c in enumerate(CLASSES)},
            "temperature": round(self.temperature, 4),
            "settings": {"l2_dense": self.settings.l2_dense, "l2_words": self.settings.l2_words,
                         "min_df": self.settings.min_df, "iterations": self.settings.iterations},
        }


def model_from_dict(data: Mapping[str, Any]) -> Model:
    classes = list(data.get("classes", []))
    if classes != list(CLASSES):
        raise ValueError(f"model: classes must be {list(CLASSES)}, got {classes}")
    dense = [str(n) for n in data["dense_features"]]
    words = [str(w) for w in data["words"]]
    n = len(dense) + len(words)
    W = np.array([data["weights"][c] for c in CLASSES], dtype=float)
    if W.shape != (len(CLASSES), n):
        raise ValueError(f"model: weights must be {len(CLASSES)} x {n}, got {W.shape}")
    b = np.array([data["intercepts"][c] for c in CLASSES], dtype=float)
    s = data.get("settings", {})
    settings = Settings(float(s.get("l2_dense", 0.02)), float(s.get("l2_words", 0.5)), int(s.get("min_df", 3)),
                        int(s.get("iterations", 600)))
    return Model(dense, words, np.array(data["mean"], dtype=float), np.array(data["scale"], dtype=float), W, b,
                 float(data.get("temperature", 1.0)), settings)


def softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    out: FloatArray = e / np.sum(e, axis=-1, keepdims=True)
    return out


def _design(readings: Sequence[Reading], dense_names: list[str], words: list[str], mean: FloatArray,
            scale: FloatArray) -> FloatArray:
    D = np.array([[r.dense.get(n, 0.0) for n in dense_names] for r in readings], dtype=float)
    D = (D - mean) / scale
    index = {w: j for j, w in enumerate(words)}
    X = np.zeros((len(readings), len(words)), dtype=float)
    for i, r in enumerate(readings):
        for w in r.words:
            j = index.get(w)
            if j is not None:
                X[i, j] = 1.0
    return np.hstack([D, X])


def fit(readings: Sequence[Reading], labels: Sequence[str], settings: Settings = Settings()) -> Model:
    """Fit the model (temperature 1; see :func:`fit_calibrated`)."""
    y = np.array([CLASSES.index(lab) for lab in labels])
    dense_names = sorted({n for r in readings for n in r.dense})
    df: dict[str, int] = {}
    for r in readings:
        for w in r.words:
            df[w] = df.get(w, 0) + 1
    words = sorted(w for w, c in df.items() if c >= settings.min_df)
    D = np.array([[r.dense.get(n, 0.0) for n in dense_names] for r in readings], dtype=float)
    mean = D.mean(axis=0)
    scale = D.std(axis=0)
    scale[scale < 1e-9] = 1.0
    X = _design(readings, dense_names, words, mean, scale)
    n, p = X.shape
    k = len(CLASSES)
    Y = np.zeros((n, k))
    Y[np.arange(n), y] = 1.0
    lam = np.concatenate([np.full(len(dense_names), settings.l2_dense), np.full(len(words), settings.l2_words)])
    # Lipschitz bound of the gradient: 0.5 * largest eigenvalue of X'X / n, plus the largest penalty
    v = np.ones(p) / np.sqrt(p)
    for _ in range(30):
        v = X.T @ (X @ v) / n
        norm = float(np.linalg.norm(v)) or 1.0
        v /= norm
    lip = 0.5 * float(v @ (X.T @ (X @ v)) / n) + float(lam.max()) + 0.25
    step = 1.0 / lip
    W = np.zeros((k, p))
    b = np.zeros(k)
    W_prev, b_prev = W.copy(), b.copy()
    for it in range(1, settings.iterations + 1):
        mom = (it - 1) / (it + 2)
        Wm = W + mom * (W - W_prev)
        bm = b + mom * (b - b_prev)
        P = softmax(X @ Wm.T + bm)
        G = (P - Y) / n
        gW = G.T @ X + lam * Wm
        gb = G.sum(axis=0)
        W_prev, b_prev = W, b
        W = Wm - step * gW
        b = bm - step * gb
    return Model(dense_names, words, mean, scale, W, b, 1.0, settings)


def predict_logits(model: Model, readings: Sequence[Reading]) -> FloatArray:
    X = _design(readings, model.dense_names, model.words, model.mean, model.scale)
    out: FloatArray = X @ model.W.T + model.b
    return out


def best_temperature(logits: FloatArray, y: NDArray[np.int_]) -> float:
    """The temperature that minimises the cross-entropy of these (out-of-fold) logits."""
    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 121))
    best, best_t = np.inf, 1.0
    for t in grid:
        P = softmax(logits / t)
        nll = -float(np.mean(np.log(P[np.arange(len(y)), y] + 1e-12)))
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def stratified_folds(labels: Sequence[str], k: int, seed: int = 0,
                     strata: Sequence[str] | None = None) -> list[NDArray[np.int_]]:
    """k folds, each with about the same share of every label (and stratum, e.g. brief kind)."""
    rng = np.random.default_rng(seed)
    keys = [f"{lab}|{strata[i] if strata else ''}" for i, lab in enumerate(labels)]
    folds: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for key in sorted(set(keys)):
        idx = np.array([i for i, kk in enumerate(keys) if kk == key])
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(int(i))
        offset += len(idx)
    return [np.array(sorted(f), dtype=int) for f in folds]


def out_of_fold_logits(readings: Sequence[Reading], labels: Sequence[str], k: int = 5, seed: int = 0,
                       settings: Settings = Settings(), strata: Sequence[str] | None = None) -> FloatArray:
    """Logits for every text from a model that never saw it (k-fold)."""
    out = np.zeros((len(readings), len(CLASSES)))
    for test in stratified_folds(labels, k, seed, strata):
        train = np.setdiff1d(np.arange(len(readings)), test)
        model = fit([readings[i] for i in train], [labels[i] for i in train], settings)
        out[test] = predict_logits(model, [readings[i] for i in test])
    return out


def fit_calibrated(readings: Sequence[Reading], labels: Sequence[str], settings: Settings = Settings(),
                   inner_k: int = 5, seed: int = 0, strata: Sequence[str] | None = None) -> Model:
    """Fit on all texts; the temperature from inner k-fold out-of-fold logits."""
    y = np.array([CLASSES.index(lab) for lab in labels])
    oof = out_of_fold_logits(readings, labels, inner_k, seed, settings, strata)
    model = fit(readings, labels, settings)
    model.temperature = best_temperature(oof, y)
    return model


@dataclass
class CvResult:
    """Out-of-fold predictions of k-fold cross-validation (every text scored by a model that
    never saw it, calibrated by a temperature that never saw it either)."""

    labels: list[str]
    predicted: list[str]
    proba: FloatArray  # calibrated, rows in CLASSES order

    def accuracy(self, mask: Sequence[bool] | None = None) -> float:
        pairs = [(a, b) for i, (a, b) in enumerate(zip(self.labels, self.predicted, strict=True))
                 if mask is None or mask[i]]
        return sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0

    def recall(self, cls: str, mask: Sequence[bool] | None = None) -> float:
        pairs = [(a, b) for i, (a, b) in enumerate(zip(self.labels, self.predicted, strict=True))
                 if a == cls and (mask is None or mask[i])]
        return sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0

    def confusion(self, mask: Sequence[bool] | None = None) -> dict[str, dict[str, int]]:
        out = {a: {b: 0 for b in CLASSES} for a in CLASSES}
        for i, (a, b) in enumerate(zip(self.labels, self.predicted, strict=True)):
            if mask is None or mask[i]:
                out[a][b] += 1
        return out


def cross_validate(readings: Sequence[Reading], labels: Sequence[str], k: int = 5, seed: int = 0,
                   settings: Settings = Settings(), strata: Sequence[str] | None = None,
                   inner_k: int = 4) -> CvResult:
    """Stratified k-fold CV; inside each fold: word list, scaling, weights and temperature."""
    proba = np.zeros((len(readings), len(CLASSES)))
    for test in stratified_folds(labels, k, seed, strata):
        train = np.setdiff1d(np.arange(len(readings)), test)
        tr_r = [readings[i] for i in train]
        tr_l = [labels[i] for i in train]
        tr_s = [strata[i] for i in train] if strata else None
        model = fit_calibrated(tr_r, tr_l, settings, inner_k, seed + 1, tr_s)
        raw = softmax(predict_logits(model, [readings[i] for i in test]) / model.temperature)
        for row, i in zip(raw, test, strict=True):
            proba[i] = shrink(row, readings[i].evidence)
    predicted = [CLASSES[choose(proba[i], r.evidence)] for i, r in enumerate(readings)]
    return CvResult(list(labels), predicted, proba)


def reliability(proba: FloatArray, labels: Sequence[str],
                bins: Sequence[float] = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001),
                predicted: Sequence[str] | None = None) -> list[dict[str, float]]:
    """Predicted confidence (probability of the chosen class) in bins vs the observed accuracy."""
    pred = (np.array([CLASSES.index(c) for c in predicted]) if predicted is not None
            else proba.argmax(axis=1))
    conf = proba[np.arange(len(pred)), pred]
    y = np.array([CLASSES.index(lab) for lab in labels])
    rows = []
    for lo, hi in itertools.pairwise(bins):
        m = (conf >= lo) & (conf < hi)
        if m.any():
            rows.append({"low": float(lo), "high": float(min(hi, 1.0)), "n": float(m.sum()),
                         "mean_confidence": float(conf[m].mean()), "accuracy": float((pred[m] == y[m]).mean())})
        else:
            rows.append({"low": float(lo), "high": float(min(hi, 1.0)), "n": 0.0, "mean_confidence": 0.0,
                         "accuracy": 0.0})
    return rows


def expected_calibration_error(proba: FloatArray, labels: Sequence[str],
                               predicted: Sequence[str] | None = None) -> float:
    rows = reliability(proba, labels, predicted=predicted)
    n = sum(r["n"] for r in rows)
    return sum(r["n"] / n * abs(r["mean_confidence"] - r["accuracy"]) for r in rows if r["n"]) if n else 0.0
