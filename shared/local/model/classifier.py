"""A multinomial Naive Bayes sentiment classifier in plain Python, in two versions.

Small enough to train at start-up in milliseconds, real enough that its answers depend
on the input. Both versions learn from the same shipped sentences and differ only in
what they count and how they smooth:

- `v1`: unigrams (single words), Laplace smoothing (alpha = 1).
- `v2`: unigrams + bigrams (adjacent word pairs), Lidstone smoothing (alpha = 0.5).
  Bigrams let it see short phrases such as "not good" as evidence of their own, so it
  handles simple negation that `v1` reads word by word; the lighter smoothing trusts
  the (sparser) phrase counts more.

Because of that, the two versions disagree on some inputs, which is what lets a test
or a canary check tell which version answered.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.local.model.dataset import LabelledText, load_examples

MODEL_NAME = "sentiment-nb"

# Words are runs of letters/digits, keeping inner apostrophes so "don't" stays one token.
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


@dataclass(frozen=True)
class ModelVersion:
    name: str
    ngram_sizes: tuple[int, ...]
    alpha: float
    description: str


VERSIONS: dict[str, ModelVersion] = {
    "v1": ModelVersion(
        name="v1",
        ngram_sizes=(1,),
        alpha=1.0,
        description="unigrams, Laplace smoothing (alpha=1)",
    ),
    "v2": ModelVersion(
        name="v2",
        ngram_sizes=(1, 2),
        alpha=0.5,
        description="unigrams + bigrams, Lidstone smoothing (alpha=0.5)",
    ),
}


@dataclass(frozen=True)
class Prediction:
    """The best label for one text, and the top-k label probabilities, best first."""

    label: str
    score: float
    scores: dict[str, float]


def tokenize(text: str) -> list[str]:
    """Lowercase words; punctuation and whitespace only separate them."""
    return _WORD.findall(text.lower())


def extract_features(tokens: Sequence[str], ngram_sizes: Iterable[int]) -> list[str]:
    """Every n-gram of the requested sizes, as space-joined strings ("not good")."""
    features: list[str] = []
    for size in ngram_sizes:
        features.extend(
            " ".join(tokens[start : start + size]) for start in range(len(tokens) - size + 1)
        )
    return features


class NaiveBayesClassifier:
    """Multinomial Naive Bayes over n-gram counts, trained once in the constructor."""

    def __init__(self, version: ModelVersion, examples: Sequence[LabelledText]) -> None:
        if not examples:
            raise ValueError("cannot train on zero examples")
        self.version = version
        self.labels: tuple[str, ...] = tuple(sorted({example.label for example in examples}))

        documents_per_label = Counter(example.label for example in examples)
        counts_per_label: dict[str, Counter[str]] = {label: Counter() for label in self.labels}
        for example in examples:
            counts_per_label[example.label].update(self._features(example.text))
        vocabulary = set().union(*counts_per_label.values())

        self._log_prior = {
            label: math.log(documents_per_label[label] / len(examples)) for label in self.labels
        }
        # Additive smoothing: a feature never seen with a label still gets a small share,
        # so one unseen word cannot veto a label with log(0).
        self._log_likelihood: dict[str, dict[str, float]] = {}
        self._log_unseen: dict[str, float] = {}
        for label, counts in counts_per_label.items():
            denominator = sum(counts.values()) + version.alpha * len(vocabulary)
            self._log_likelihood[label] = {
                feature: math.log((count + version.alpha) / denominator)
                for feature, count in counts.items()
            }
            self._log_unseen[label] = math.log(version.alpha / denominator)
        self._vocabulary = frozenset(vocabulary)

    def _features(self, text: str) -> list[str]:
        return extract_features(tokenize(text), self.version.ngram_sizes)

    def probabilities(self, text: str) -> dict[str, float]:
        """P(label | text) for every label; the values sum to 1.

        Features never seen in training carry no evidence and are skipped, so a text of
        only unknown words gets the label priors.
        """
        known = [feature for feature in self._features(text) if feature in self._vocabulary]
        log_joint = {
            label: self._log_prior[label]
            + sum(self._log_likelihood[label].get(f, self._log_unseen[label]) for f in known)
            for label in self.labels
        }
        # Softmax, shifted by the maximum so exp() cannot overflow or underflow to all 0.
        highest = max(log_joint.values())
        exponentials = {label: math.exp(value - highest) for label, value in log_joint.items()}
        total = sum(exponentials.values())
        return {label: value / total for label, value in exponentials.items()}

    def predict(self, texts: Sequence[str], top_k: int | None = None) -> list[Prediction]:
        """One prediction per text; `scores` holds the `top_k` best labels (default: all)."""
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings, not a single string")
        top_k = len(self.labels) if top_k is None else top_k
        if isinstance(top_k, bool) or not isinstance(top_k, int):
            raise TypeError("top_k must be an integer")
        if not 1 <= top_k <= len(self.labels):
            raise ValueError(f"top_k must be between 1 and {len(self.labels)}")

        predictions = []
        for text in texts:
            # Ties broken by label name so the same input always gives the same answer.
            ranked = sorted(self.probabilities(text).items(), key=lambda item: (-item[1], item[0]))
            best_label, best_score = ranked[0]
            predictions.append(
                Prediction(label=best_label, score=best_score, scores=dict(ranked[:top_k]))
            )
        return predictions


def train_versions(
    examples: Sequence[LabelledText] | None = None,
) -> dict[str, NaiveBayesClassifier]:
    """Every version in VERSIONS, trained on the shipped data unless examples are given."""
    examples = load_examples() if examples is None else examples
    return {name: NaiveBayesClassifier(version, examples) for name, version in VERSIONS.items()}
