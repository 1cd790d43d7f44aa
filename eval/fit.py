"""Fit the ranker and the abstention model on the dev split and write answer/ranker.json.

Example:
    python -m eval.fit --questions eval/practitioners.jsonl eval/questions.jsonl
    python -m eval.fit --questions eval/practitioners.jsonl --out /tmp/ranker.json --false-abstention 0.02

Only dev questions (a stable hash of their id, see eval/questions.py) are read: the test
split stays untouched for the final run. Cross-validated scores on dev are printed and kept
in the file beside the weights and the questions they came from.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.match import holds
from eval.questions import Question, in_split, load_questions

FOLDS = 5
STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0)  # inverse regularisation tried for each model
SEED = 0


@dataclass
class Sample:
    question: Question
    evidence: object  # answer.evidence.Evidence
    labels: np.ndarray  # per candidate: holds a gold quote


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.fit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, nargs="+", required=True, help="question files in the shared format")
    parser.add_argument("--out", type=Path, help="where to write the ranker (default: the configured answer/ranker.json)")
    parser.add_argument("--false-abstention", type=float, default=0.03, help="most answerable dev questions it may refuse (default 0.03)")
    return parser.parse_args(argv)


def samples(assistant, questions: list[Question]) -> list[Sample]:
    from tqdm import tqdm

    out = []
    for question in tqdm(questions, desc="evidence", unit="q"):
        _, evidence = assistant.evidence(question.question, list(question.history))
        chunks = assistant.index().chunks
        labels = np.array([any(holds(chunks[r].text, g.quote) for g in question.gold) for r in evidence.rows], dtype=bool)
        out.append(Sample(question, evidence, labels))
    return out


def folds(count: int) -> list[np.ndarray]:
    order = np.random.default_rng(SEED).permutation(count)
    return [order[k::FOLDS] for k in range(FOLDS)]


@dataclass(frozen=True)
class Fitted:
    """A logistic model in the features' own units (fitted on standardised ones, so that
    regularisation weighs every feature alike whatever its scale)."""

    weights: np.ndarray
    bias: float

    def logit(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights + self.bias

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-self.logit(x)))


def _fit(x: np.ndarray, y: np.ndarray, strength: float) -> Fitted:
    from sklearn.linear_model import LogisticRegression

    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    model = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000).fit((x - mean) / spread, y)
    weights = model.coef_[0] / spread
    return Fitted(weights, float(model.intercept_[0] - weights @ mean))


def ranks(logits: list[np.ndarray], labels: list[np.ndarray]) -> list[int | None]:
    out = []
    for score, label in zip(logits, labels):
        found = np.nonzero(label[np.argsort(-score, kind="stable")])[0]
        out.append(int(found[0]) + 1 if found.size else None)
    return out


def retrieval_scores(found: list[int | None]) -> dict:
    n = max(1, len(found))
    return {
        "hit@1": round(sum(r == 1 for r in found) / n, 3),
        "hit@3": round(sum(r is not None and r <= 3 for r in found) / n, 3),
        "mrr": round(sum(1 / r for r in found if r) / n, 3),
        "questions": len(found),
    }


def out_of_fold_passage_logits(data: list[Sample], strength: float) -> list[np.ndarray]:
    """Each question's candidate scores from a model fitted without it."""
    logits: list[np.ndarray] = [np.zeros(0)] * len(data)
    trainable = [i for i, s in enumerate(data) if s.labels.any()]
    for held in folds(len(data)):
        held_set = set(held.tolist())
        train = [i for i in trainable if i not in held_set]
        model = _fit(np.concatenate([data[i].evidence.passage for i in train]), np.concatenate([data[i].labels for i in train]), strength)
        for i in held:
            logits[i] = model.logit(data[i].evidence.passage) if data[i].evidence.rows.size else np.zeros(0)
    return logits


def fit_passages(data: list[Sample]):
    answerable = [i for i, s in enumerate(data) if s.labels.any()]
    best = None
    for strength in STRENGTHS:
        logits = out_of_fold_passage_logits(data, strength)
        scores = retrieval_scores(ranks([logits[i] for i in answerable], [data[i].labels for i in answerable]))
        print(f"passage model C={strength}: {scores}")
        if best is None or (scores["mrr"], scores["hit@1"]) > (best[1]["mrr"], best[1]["hit@1"]):
            best = (strength, scores, logits)
    strength, scores, logits = best
    x = np.concatenate([data[i].evidence.passage for i in answerable])
    y = np.concatenate([data[i].labels for i in answerable])
    return _fit(x, y, strength), strength, scores, logits


def question_rows(data: list[Sample], logits: list[np.ndarray]) -> np.ndarray:
    rows = []
    for sample, logit in zip(data, logits):
        ordered = np.sort(logit)[::-1] if logit.size else np.zeros(1)
        margin = ordered[0] - ordered[1] if len(ordered) > 1 else 0.0
        rows.append(np.concatenate([sample.evidence.question, [ordered[0], margin]]))
    return np.array(rows, dtype=np.float32)


def fit_abstention(data: list[Sample], logits: list[np.ndarray], false_abstention: float, off_topic_below: float):
    """The question model, fitted on questions near enough the procedures to reach it, and the
    lowest threshold that keeps all refusals of answerable dev questions (off-topic ones
    included) within `false_abstention` (out-of-fold probabilities: the threshold is not flattered)."""
    x = question_rows(data, logits)
    y = np.array([not s.question.gold for s in data])
    near = x[:, 0] >= off_topic_below  # column 0 is best_sentence
    budget = false_abstention * (~y).sum() - (~y & ~near).sum()  # answerable questions it may still refuse
    x, y = x[near], y[near]
    best = None
    for strength in STRENGTHS:
        probability = np.zeros(len(y))
        for held in folds(len(y)):
            train = np.setdiff1d(np.arange(len(y)), held)
            probability[held] = _fit(x[train], y[train], strength).probability(x[held])
        threshold = _threshold(probability[~y], max(0, int(np.floor(budget))))
        recall = float(((probability >= threshold) & y).sum() + (~near & np.array([not s.question.gold for s in data])).sum())
        recall /= max(1, sum(not s.question.gold for s in data))
        print(f"question model C={strength}: threshold {threshold:.3f}, abstention recall {recall:.3f} (off-topic floor included)")
        if best is None or recall > best[2]:
            best = (strength, threshold, recall)
    strength, threshold, recall = best
    return _fit(x, y, strength), threshold, {"abstention_recall": round(recall, 3), "false_abstention_allowed": false_abstention, "C": strength}


def _threshold(answerable_probability: np.ndarray, refusals: int) -> float:
    """The lowest threshold at which at most `refusals` of these probabilities reach it."""
    ordered = np.sort(answerable_probability)[::-1]
    return float(ordered[refusals] + 1e-6) if refusals < len(ordered) else 0.5


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from answer.assistant import Assistant
    from answer.evidence import PASSAGE_FEATURES
    from answer.rank import RANKED_QUESTION_FEATURES, LinearModel, Ranker, save_ranker
    from config import load_settings

    settings = load_settings()
    dev = [q for path in args.questions for q in in_split(load_questions(path), "dev")]
    assistant = Assistant.open(settings)
    data = samples(assistant, dev)
    passage_model, strength, retrieval, logits = fit_passages(data)
    question_model, threshold, abstention = fit_abstention(data, logits, args.false_abstention, settings.off_topic_below)
    ranker = Ranker(
        LinearModel(PASSAGE_FEATURES, passage_model.weights, passage_model.bias),
        LinearModel(RANKED_QUESTION_FEATURES, question_model.weights, question_model.bias),
        threshold,
        f"dev split of {', '.join(str(p) for p in args.questions)} ({len(dev)} questions)",
    )
    out = args.out or settings.ranker_path
    save_ranker(ranker, out, {**retrieval, "passage_C": strength, **abstention})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
