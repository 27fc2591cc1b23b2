"""The Naive Bayes sentiment model: its answers come from the input, and v1 and v2 differ."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from shared.local.model.classifier import (
    VERSIONS,
    NaiveBayesClassifier,
    extract_features,
    tokenize,
    train_versions,
)
from shared.local.model.dataset import LabelledText, load_examples

LABELS = ("negative", "neutral", "positive")
# Negation the unigram model reads word by word ("great" wins) and the bigram model sees
# as a phrase ("not great"): the inputs that tell the versions apart.
VERSION_DISAGREEMENTS = {
    "The coffee was not great": {"v1": "positive", "v2": "negative"},
    "not bad at all": {"v1": "negative", "v2": "positive"},
}


@pytest.fixture(scope="module")
def models() -> dict[str, NaiveBayesClassifier]:
    return train_versions()


def test_shipped_dataset_is_a_balanced_three_label_set() -> None:
    examples = load_examples()
    per_label = Counter(example.label for example in examples)

    assert set(per_label) == set(LABELS)
    assert 150 <= len(examples) <= 300
    assert min(per_label.values()) >= 50
    assert len({example.text.lower() for example in examples}) == len(examples)


def test_tokenize_lowercases_and_splits_on_punctuation() -> None:
    assert tokenize("Great, GREAT service!! Don't stop.") == [
        "great",
        "great",
        "service",
        "don't",
        "stop",
    ]
    assert tokenize("  ...  ") == []


def test_extract_features_joins_ngrams_of_each_size() -> None:
    tokens = ["not", "good", "food"]

    assert extract_features(tokens, (1,)) == ["not", "good", "food"]
    assert extract_features(tokens, (1, 2)) == ["not", "good", "food", "not good", "good food"]


def test_versions_differ_in_features_and_smoothing() -> None:
    assert VERSIONS["v1"].ngram_sizes == (1,)
    assert VERSIONS["v2"].ngram_sizes == (1, 2)
    assert VERSIONS["v1"].alpha != VERSIONS["v2"].alpha


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I love this phone, the screen is beautiful", "positive"),
        ("Fantastic service and a friendly team", "positive"),
        ("This was awful and the food was cold", "negative"),
        ("The app keeps crashing and support is useless", "negative"),
        ("The store opens at nine on Monday", "neutral"),
        ("The package contains a cable", "neutral"),
    ],
)
def test_prediction_follows_the_sentiment_of_the_input(
    models: dict[str, NaiveBayesClassifier], version: str, text: str, expected: str
) -> None:
    [prediction] = models[version].predict([text])

    assert prediction.label == expected
    assert prediction.score > 0.5


@pytest.mark.parametrize(("text", "expected_by_version"), VERSION_DISAGREEMENTS.items())
def test_v1_and_v2_disagree_on_negated_phrases(
    models: dict[str, NaiveBayesClassifier], text: str, expected_by_version: dict[str, str]
) -> None:
    labels = {version: models[version].predict([text])[0].label for version in VERSIONS}

    assert labels == expected_by_version


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_scores_cover_every_label_and_sum_to_one(
    models: dict[str, NaiveBayesClassifier], version: str
) -> None:
    texts = ["I love it", "I hate it", "The meeting is at noon", "zzz qqq"]

    for prediction in models[version].predict(texts):
        assert set(prediction.scores) == set(LABELS)
        assert math.isclose(sum(prediction.scores.values()), 1.0)
        assert prediction.score == max(prediction.scores.values())
        assert prediction.scores[prediction.label] == prediction.score


def test_top_k_keeps_the_best_labels_in_descending_order(
    models: dict[str, NaiveBayesClassifier],
) -> None:
    full, top_two, top_one = (
        models["v1"].predict(["The hotel was clean and quiet"], top_k=k)[0] for k in (3, 2, 1)
    )
    ranked = sorted(full.scores, key=full.scores.__getitem__, reverse=True)

    assert list(full.scores) == ranked
    assert list(top_two.scores) == ranked[:2]
    assert top_one.scores == {full.label: full.score}
    assert top_one.label == top_two.label == full.label


def test_one_prediction_per_text_in_input_order(models: dict[str, NaiveBayesClassifier]) -> None:
    texts = ["I hate it", "I love it", "The bus leaves at six", "I hate it"]

    labels = [prediction.label for prediction in models["v2"].predict(texts)]

    assert labels == ["negative", "positive", "neutral", "negative"]


def test_text_of_unknown_words_gets_the_label_priors(
    models: dict[str, NaiveBayesClassifier],
) -> None:
    examples = load_examples()
    per_label = Counter(example.label for example in examples)

    [prediction] = models["v1"].predict(["qwertyuiop zxcvbnm"])

    for label, count in per_label.items():
        assert math.isclose(prediction.scores[label], count / len(examples))


def test_training_on_other_examples_changes_the_answers() -> None:
    # Same input, opposite labels in training: proves the answer is learned, not fixed.
    examples = [LabelledText("bright sunny day", "happy"), LabelledText("grey rainy day", "sad")]
    swapped = [
        LabelledText("bright sunny day", "sad"),
        LabelledText("grey rainy day", "happy"),
    ]

    model = NaiveBayesClassifier(VERSIONS["v1"], examples)
    swapped_model = NaiveBayesClassifier(VERSIONS["v1"], swapped)

    assert model.predict(["sunny"])[0].label == "happy"
    assert swapped_model.predict(["sunny"])[0].label == "sad"


def test_predict_rejects_a_bare_string_and_out_of_range_top_k(
    models: dict[str, NaiveBayesClassifier],
) -> None:
    with pytest.raises(TypeError):
        models["v1"].predict("I love it")  # type: ignore[arg-type]
    for top_k in (0, 4):
        with pytest.raises(ValueError, match="top_k"):
            models["v1"].predict(["I love it"], top_k=top_k)
    with pytest.raises(TypeError, match="top_k"):
        models["v1"].predict(["I love it"], top_k=True)
