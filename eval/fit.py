"""Fit the ranker and the abstention model on the dev split and write answer/ranker.json.

Example:
    python -m eval.fit --questions eval/practitioners.jsonl eval/questions.jsonl eval/heldout2.jsonl eval/heldout3.jsonl
    python -m eval.fit --questions eval/practitioners.jsonl --out /tmp/ranker.json --false-abstention 0.02
    python -m eval.fit --questions eval/heldout3.jsonl --also eval/realdocs.jsonl /tmp/realindex --keep-passage-model

Only dev questions (a stable hash of their id, see eval/questions.py) are read: the test
split stays untouched for the final run. With --also, the abstention model also learns from
questions read over another corpus (a large one: among thousands of passages the nearest is
nearer by chance); with --keep-passage-model only the abstention model is refitted.
Cross-validated scores on dev are printed and kept in the file beside the weights, the
questions they came from and what they were fitted with.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from eval.match import holds
from eval.questions import Question, QuestionFileError, in_split, load_questions

FOLDS = 5
STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0)  # inverse regularisation tried for each model
SEED = 0


@dataclass
class Sample:
    question: Question
    evidence: object  # answer.evidence.Evidence
    labels: np.ndarray  # per candidate: holds a gold quote
    off_topic: bool  # refused before the question model is asked (answer.rank.off_topic)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.fit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, nargs="+", required=True, help="question files in the shared format")
    parser.add_argument("--out", type=Path, help="where to write the ranker (default: the configured answer/ranker.json)")
    parser.add_argument(
        "--also", nargs=2, action="append", default=[], metavar=("QUESTIONS", "INDEX"),
        help="the abstention model also learns from this file's dev questions read over this index "
        "(repeatable), e.g. guidance questions over a corpus holding the guidance PDFs",
    )
    parser.add_argument("--keep-passage-model", action="store_true", help="keep the configured ranker's passage model; refit only the abstention model")
    parser.add_argument("--false-abstention", type=float, default=0.03, help="most answerable dev questions it may refuse (default 0.03)")
    return parser.parse_args(argv)


def samples(assistant, questions: list[Question]) -> list[Sample]:
    from tqdm import tqdm

    out = []
    for question in tqdm(questions, desc="evidence", unit="q"):
        reading = assistant.read(question.question, list(question.history))
        chunks, evidence = reading.index.chunks, reading.evidence
        labels = np.array([any(holds(chunks[r].text, g.quote, g.file) for g in question.gold) for r in evidence.rows], dtype=bool)
        out.append(Sample(question, evidence, labels, reading.unrelated is not None))
    return out


def folds(count: int) -> list[np.ndarray]:
    order = np.random.default_rng(SEED).permutation(count)
    return [order[k::FOLDS] for k in range(FOLDS)]


def _fit(x: np.ndarray, y: np.ndarray, strength: float, names: tuple[str, ...]):
    """A logistic model in the features' own units, fitted on standardised ones so that
    regularisation weighs every feature alike whatever its scale."""
    from sklearn.linear_model import LogisticRegression

    from answer.rank import LinearModel

    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    model = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000).fit((x - mean) / spread, y)
    weights = (model.coef_[0] / spread).astype(np.float32)
    return LinearModel(names, weights, float(model.intercept_[0] - weights @ mean))


PAIRS_PER_QUESTION = 60  # (answering, other) candidate pairs a question contributes, at most


def _fit_ranking(samples: list[Sample], strength: float, names: tuple[str, ...]):
    """A linear ranking model: logistic regression on the feature differences of (passage that
    answers, passage that does not) pairs within each question, so every question counts alike,
    however many candidates it has (a long guidance PDF brings many more than a short page)."""
    from sklearn.linear_model import LogisticRegression

    from answer.rank import LinearModel

    rng = np.random.default_rng(SEED)
    diffs = []
    for sample in samples:
        good, bad = np.flatnonzero(sample.labels), np.flatnonzero(~sample.labels)
        if not good.size or not bad.size:
            continue
        pairs = [(g, b) for g in good for b in bad]
        chosen = rng.permutation(len(pairs))[:PAIRS_PER_QUESTION]
        x = sample.evidence.passage
        diffs += [x[pairs[k][0]] - x[pairs[k][1]] for k in chosen]
    d = np.asarray(diffs, dtype=np.float64)
    spread = d.std(axis=0)
    spread[spread == 0] = 1.0
    both = np.concatenate([d, -d]) / spread
    labels = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
    model = LogisticRegression(C=strength, fit_intercept=False, max_iter=5000).fit(both, labels)
    return LinearModel(names, (model.coef_[0] / spread).astype(np.float32), 0.0)


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
        "answerable_questions": len(found),
    }


def out_of_fold_passage_logits(data: list[Sample], strength: float) -> list[np.ndarray]:
    """Each question's candidate scores from a model fitted without it."""
    from answer.evidence import PASSAGE_FEATURES

    logits: list[np.ndarray] = [np.zeros(0)] * len(data)
    trainable = [i for i, s in enumerate(data) if s.labels.any()]
    for held in folds(len(data)):
        held_set = set(held.tolist())
        train = [i for i in trainable if i not in held_set]
        model = _fit_ranking([data[i] for i in train], strength, PASSAGE_FEATURES)
        for i in held:
            logits[i] = model.logit(data[i].evidence.passage, PASSAGE_FEATURES)
    return logits


def fit_passages(data: list[Sample]):
    from answer.evidence import PASSAGE_FEATURES

    answerable = [i for i, s in enumerate(data) if s.labels.any()]
    best = None
    for strength in STRENGTHS:
        logits = out_of_fold_passage_logits(data, strength)
        scores = retrieval_scores(ranks([logits[i] for i in answerable], [data[i].labels for i in answerable]))
        print(f"passage model C={strength}: {scores}")
        if best is None or (scores["mrr"], scores["hit@1"]) > (best[1]["mrr"], best[1]["hit@1"]):
            best = (strength, scores, logits)
    strength, scores, logits = best
    return _fit_ranking([data[i] for i in answerable], strength, PASSAGE_FEATURES), strength, scores, logits


def fit_abstention(data: list[Sample], logits: list[np.ndarray], false_abstention: float):
    """The question model, fitted on the questions that reach it (not refused as off-topic),
    and the lowest threshold that keeps all refusals of answerable dev questions, off-topic
    ones included, within `false_abstention` (out-of-fold probabilities: not flattered)."""
    from answer.rank import RANKED_QUESTION_FEATURES, question_row, sigmoid

    unanswerable = np.array([not s.question.gold for s in data])
    reaching = np.array([not s.off_topic for s in data])
    budget = int(np.floor(false_abstention * (~unanswerable).sum())) - int((~unanswerable & ~reaching).sum())
    x = np.array([question_row(s.evidence.question, logit) for s, logit in zip(data, logits)])[reaching]
    y = unanswerable[reaching]
    best = None
    for strength in STRENGTHS:
        probability = np.zeros(len(y))
        for held in folds(len(y)):
            train = np.setdiff1d(np.arange(len(y)), held)
            model = _fit(x[train], y[train], strength, RANKED_QUESTION_FEATURES)
            probability[held] = sigmoid(model.logit(x[held], RANKED_QUESTION_FEATURES))
        threshold = _threshold(probability[~y], max(0, budget))
        caught = int(((probability >= threshold) & y).sum() + (unanswerable & ~reaching).sum())
        recall = caught / max(1, int(unanswerable.sum()))
        print(f"question model C={strength}: threshold {threshold:.3f}, abstention recall {recall:.3f} (off-topic refusals included)")
        if best is None or recall > best[2]:
            best = (strength, threshold, recall)
    strength, threshold, recall = best
    model = _fit(x, y, strength, RANKED_QUESTION_FEATURES)
    return model, threshold, {"abstention_recall": round(recall, 3), "false_abstention_allowed": false_abstention, "question_C": strength}


def _threshold(answerable_probability: np.ndarray, refusals: int) -> float:
    """The lowest threshold at which at most `refusals` of these probabilities reach it."""
    ordered = np.sort(answerable_probability)[::-1]
    return float(ordered[refusals] + 1e-6) if refusals < len(ordered) else 0.5


def _kept_passage_model(path: Path):
    """The ranker file's passage model, its regularisation, what it scored on dev and the
    questions it was fitted on: what --keep-passage-model keeps."""
    from answer.rank import RankerError, parse_ranker

    try:
        raw = path.read_text(encoding="utf-8")
        model, data = parse_ranker(raw, path).passage, json.loads(raw)
        measured = data["measured_on_dev"]
        retrieval = {k: measured[k] for k in ("hit@1", "hit@3", "mrr", "answerable_questions")}
        return model, measured["passage_C"], retrieval, data["chosen_on"].split("; ")[0]
    except (OSError, KeyError, TypeError) as problem:
        raise RankerError(f"{path}: no passage model to keep, with how it was fitted ({problem})") from None


def _inputs(args: argparse.Namespace, settings) -> tuple:
    """The kept passage model (with --keep-passage-model), the dev questions, and each other
    corpus's dev questions with its index: all read before minutes of reading evidence, so a
    file that cannot be used fails first (QuestionFileError, IndexUnavailable, RankerError)."""
    from searchindex.store import IndexUnavailable, read_manifest

    kept = _kept_passage_model(settings.ranker_path) if args.keep_passage_model else None
    dev = [q for path in args.questions for q in in_split(load_questions(path), "dev")]
    also = [(in_split(load_questions(Path(path)), "dev"), path, Path(index)) for path, index in args.also]
    for _, _, index in also:
        if read_manifest(index) is None:
            raise IndexUnavailable(f"{index}: no index here (build one with python -m ingest FOLDER --index {index})")
    return kept, dev, also


def _passage_model(data: list[Sample], kept: tuple | None, described: str) -> tuple:
    """(model, its regularisation, its dev scores, out-of-fold logits, what it was fitted on):
    the kept one, its logits out of fold as they were when it was fitted, or a new fit."""
    if kept:
        model, strength, retrieval, chosen_on = kept
        return model, strength, retrieval, out_of_fold_passage_logits(data, strength), chosen_on
    model, strength, retrieval, logits = fit_passages(data)
    return model, strength, retrieval, logits, described


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from answer.assistant import Assistant
    from answer.evidence import PASSAGE_FEATURES
    from answer.rank import Ranker, RankerError, save_ranker, unfitted
    from config import load_settings
    from searchindex.store import IndexUnavailable

    settings = load_settings()
    out = args.out or settings.ranker_path
    try:
        kept, dev, also = _inputs(args, settings)
    except (QuestionFileError, IndexUnavailable, RankerError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    assistant = Assistant.open(settings, ranker=unfitted())  # evidence needs no ranker: the one on disk may be stale
    data = samples(assistant, dev)
    described = f"dev split of {', '.join(str(p) for p in args.questions)} ({len(dev)} questions)"
    passage_model, strength, retrieval, logits, chosen_on = _passage_model(data, kept, described)
    for questions, path, index in also:
        there = Assistant.open(replace(settings, index_dir=index), embedder=assistant.embedder, ranker=unfitted())
        more = samples(there, questions)
        data += more
        logits += [passage_model.logit(s.evidence.passage, PASSAGE_FEATURES) for s in more]  # questions it never saw
        chosen_on += f"; the abstention model also on the dev split of {path} over {index.name} ({len(more)} questions)"
    question_model, threshold, abstention = fit_abstention(data, logits, args.false_abstention)
    ranker = Ranker(passage_model, question_model, threshold, chosen_on)
    fitted_with = {"model_sha256": assistant.embedder.identity.sha256, "off_topic_below": settings.off_topic_below}
    save_ranker(ranker, out, {**retrieval, "passage_C": strength, **abstention}, fitted_with)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
