"""Survey scoring, pure: reverse-scoring, the 80% rule, Cronbach's alpha, the confidence interval, and what
the privacy threshold lets a scale result and an item distribution show.

No database: these functions take an instrument and answers and return numbers.
"""

from __future__ import annotations

import math

import pytest

from intervision.instruments import Instrument
from intervision.surveys import (
    MIN_RELIABILITY_ANSWERS,
    GroupResults,
    ItemDistribution,
    confidence_interval,
    cronbach_alpha,
    item_distributions,
    pooled_reliability,
    scale_result,
    scale_score,
    scored,
)


def _both(text: str) -> dict[str, str]:
    return {"nl": f"{text} (nl)", "en": text}


def make_instrument(scales: dict[str, int], reverse: tuple[str, ...] = (), lowest: int = 1, highest: int = 5):
    """An instrument with the given scales (id → number of items), items named <scale>_<n>, counted from 1."""
    items = [
        {
            "id": f"{scale}_{n}",
            "scale": scale,
            "text": _both(f"Statement {n} of {scale}"),
            "reverse": f"{scale}_{n}" in reverse,
        }
        for scale, count in scales.items()
        for n in range(1, count + 1)
    ]
    return Instrument.model_validate(
        {
            "id": "test_scales",
            "version": 1,
            "name": _both("Test scales"),
            "description": _both("Scales for the tests."),
            "own": True,
            "citations": [],
            "options": [{"value": v, "label": _both(f"Option {v}")} for v in range(lowest, highest + 1)],
            "scales": [
                {"id": scale, "name": _both(scale), "description": _both(f"The {scale} scale.")} for scale in scales
            ],
            "items": items,
            "reverse_scored": list(reverse),
        }
    )


# --- reverse-scoring -------------------------------------------------------------------------------


def test_reverse_scoring_on_a_five_point_scale_turns_the_answer_around():
    instrument = make_instrument({"a": 2}, reverse=("a_2",))
    assert [scored(instrument, "a_2", value) for value in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    # An item that is not reverse-scored counts as answered.
    assert [scored(instrument, "a_1", value) for value in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 5]


def test_reverse_scoring_on_a_seven_point_scale_uses_eight_minus_the_answer():
    instrument = make_instrument({"a": 2}, reverse=("a_1",), lowest=1, highest=7)
    assert [scored(instrument, "a_1", value) for value in range(1, 8)] == [7, 6, 5, 4, 3, 2, 1]


def test_reverse_scoring_on_a_scale_from_zero():
    instrument = make_instrument({"a": 2}, reverse=("a_1",), lowest=0, highest=4)
    assert [scored(instrument, "a_1", value) for value in range(5)] == [4, 3, 2, 1, 0]


def test_a_scale_score_counts_reverse_scored_items_turned_around():
    instrument = make_instrument({"a": 2}, reverse=("a_2",))
    # a_1 = 5, a_2 answered 1 → counts as 5: the mean is 5, not 3.
    assert scale_score(instrument, "a", {"a_1": 5, "a_2": 1}) == 5.0


# --- the 80% rule ----------------------------------------------------------------------------------


def test_five_of_six_items_answered_gives_the_mean_of_the_five():
    instrument = make_instrument({"a": 6})
    answers = {"a_1": 1, "a_2": 2, "a_3": 3, "a_4": 4, "a_5": 5, "a_6": None}
    assert scale_score(instrument, "a", answers) == pytest.approx(3.0)
    # A missing key is the same as a skipped item.
    del answers["a_6"]
    assert scale_score(instrument, "a", answers) == pytest.approx(3.0)


def test_four_of_six_items_answered_gives_no_score():
    instrument = make_instrument({"a": 6})
    assert scale_score(instrument, "a", {"a_1": 4, "a_2": 4, "a_3": 4, "a_4": 4, "a_5": None}) is None


def test_four_of_five_items_answered_is_exactly_eighty_percent_and_gives_a_score():
    instrument = make_instrument({"a": 5})
    assert scale_score(instrument, "a", {"a_1": 2, "a_2": 3, "a_3": 4, "a_4": 5}) == pytest.approx(3.5)
    assert scale_score(instrument, "a", {"a_1": 2, "a_2": 3, "a_3": 4}) is None


def test_exactly_eighty_percent_of_larger_scales_is_enough():
    # Guard against floating point: 0.8 × n must not creep above the 4n/5 items answered.
    for count in range(5, 61, 5):
        instrument = make_instrument({"a": count})
        needed = 4 * count // 5
        answers = {f"a_{n}": 3 for n in range(1, needed + 1)}
        assert scale_score(instrument, "a", answers) == 3.0, count
        answers.pop("a_1")
        assert scale_score(instrument, "a", answers) is None, count


def test_a_scale_score_uses_only_the_items_of_that_scale():
    instrument = make_instrument({"a": 2, "b": 2})
    answers = {"a_1": 1, "a_2": 1, "b_1": 5, "b_2": None}
    assert scale_score(instrument, "a", answers) == 1.0
    assert scale_score(instrument, "b", answers) is None  # 1 of 2 is 50%


# --- Cronbach's alpha ------------------------------------------------------------------------------


def test_alpha_of_a_small_matrix_matches_the_hand_computation():
    rows = [
        [2, 3, 3],  # total 8
        [4, 4, 5],  # total 13
        [3, 3, 4],  # total 10
        [5, 4, 4],  # total 13
    ]
    # Sample variances (divide by n − 1 = 3):
    #   item 1: 2, 4, 3, 5; mean 3.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5 → 5/3
    #   item 2: 3, 4, 3, 4; mean 3.5; squared deviations 0.25 × 4 = 1                    → 1/3
    #   item 3: 3, 5, 4, 4; mean 4;   squared deviations 1 + 1 + 0 + 0 = 2                → 2/3
    #   sum of the item variances: 8/3
    #   totals: 8, 13, 10, 13; mean 11; squared deviations 9 + 4 + 1 + 4 = 18            → 6
    # alpha = k/(k − 1) × (1 − Σ item variances / total variance) = 3/2 × (1 − (8/3)/6) = 3/2 × 5/9 = 5/6
    assert cronbach_alpha(rows) == pytest.approx(5 / 6, abs=1e-12)


def _own_alpha(rows: list[list[float]]) -> float:
    """Cronbach's alpha written out longhand, to check the product's implementation independently."""

    def sample_variance(values: list[float]) -> float:
        mean = sum(values) / len(values)
        return sum((value - mean) ** 2 for value in values) / (len(values) - 1)

    k = len(rows[0])
    columns = [[row[j] for row in rows] for j in range(k)]
    item_variance_sum = sum(sample_variance(column) for column in columns)
    total_variance = sample_variance([sum(row) for row in rows])
    return (k / (k - 1)) * (1 - item_variance_sum / total_variance)


def test_alpha_of_a_five_by_four_data_set_matches_an_independent_computation():
    rows = [
        [4, 5, 4, 5],
        [3, 4, 3, 3],
        [5, 5, 4, 5],
        [2, 3, 2, 2],
        [4, 4, 5, 4],
    ]
    expected = _own_alpha(rows)
    # Worked out: item variances 1.3, 0.7, 1.3, 1.7 (sum 5.0); totals 18, 13, 19, 9, 17 (mean 15.2, squared
    # deviations 7.84 + 4.84 + 14.44 + 38.44 + 3.24 = 68.8) → variance 17.2; alpha = 4/3 × (1 − 5/17.2) = 0.94573643...
    assert expected == pytest.approx(4 / 3 * (1 - 5.0 / 17.2), abs=1e-12)
    assert cronbach_alpha(rows) == pytest.approx(expected, abs=1e-9)


def test_alpha_is_undefined_for_fewer_than_two_respondents_or_items_or_no_variance():
    assert cronbach_alpha([]) is None
    assert cronbach_alpha([[3, 4, 5]]) is None
    assert cronbach_alpha([[3], [4], [5]]) is None  # one item
    assert cronbach_alpha([[3, 3, 3], [3, 3, 3], [3, 3, 3]]) is None  # zero total variance


def test_alpha_can_be_negative_when_items_disagree():
    # Two items that always go opposite ways: totals constant → undefined; nearly opposite → negative.
    assert cronbach_alpha([[1, 5], [5, 1], [3, 3]]) is None
    value = cronbach_alpha([[1, 5], [5, 2], [3, 3]])
    assert value is not None and value < 0
    assert value == pytest.approx(_own_alpha([[1, 5], [5, 2], [3, 3]]), abs=1e-12)


# --- confidence interval ---------------------------------------------------------------------------


def test_confidence_interval_uses_the_t_value_for_small_n():
    scores = [3.0, 3.5, 4.0, 4.5]
    # n = 4, 3 degrees of freedom → t = 3.182.
    # mean 3.75; squared deviations 0.5625 + 0.0625 + 0.0625 + 0.5625 = 1.25; sample variance 1.25/3;
    # standard error sqrt(1.25/3) / sqrt(4); half width 3.182 × that ≈ 1.02698.
    half = 3.182 * math.sqrt(1.25 / 3) / 2
    low, high = confidence_interval(scores)
    assert low == pytest.approx(3.75 - half, abs=1e-9)
    assert high == pytest.approx(3.75 + half, abs=1e-9)
    assert half == pytest.approx(1.02698, abs=1e-5)


def test_confidence_interval_with_two_scores_uses_twelve_point_seven_and_beyond_thirty_the_normal_value():
    low, high = confidence_interval([2.0, 4.0])
    # mean 3, sd sqrt(2), se 1 → half 12.706
    assert (low, high) == pytest.approx((3 - 12.706, 3 + 12.706), abs=1e-9)
    many = [1.0, 2.0] * 20  # n = 40
    sd = math.sqrt(sum((x - 1.5) ** 2 for x in many) / 39)
    low, high = confidence_interval(many)
    assert high - 1.5 == pytest.approx(1.96 * sd / math.sqrt(40), abs=1e-9)


def test_confidence_interval_needs_two_scores():
    assert confidence_interval([]) is None
    assert confidence_interval([4.0]) is None


# --- scale results and the threshold ---------------------------------------------------------------


def test_a_scale_result_under_the_threshold_shows_only_n():
    instrument = make_instrument({"a": 3})
    responses = [{"a_1": 4, "a_2": 4, "a_3": 4}, {"a_1": 2, "a_2": 2, "a_3": 2}]
    result = scale_result(instrument, "a", responses, threshold=3)
    assert result.n == 2
    assert result.shown is False
    assert result.mean is None and result.spread is None and result.ci is None


def test_a_scale_result_at_the_threshold_is_shown():
    instrument = make_instrument({"a": 3})
    responses = [
        {"a_1": 4, "a_2": 5, "a_3": 4},
        {"a_1": 2, "a_2": 2, "a_3": 3},
        {"a_1": 3, "a_2": 4, "a_3": 3},
    ]
    result = scale_result(instrument, "a", responses, threshold=3)
    scores = [13 / 3, 7 / 3, 10 / 3]
    assert result.shown is True
    assert result.n == 3
    assert result.mean == pytest.approx(sum(scores) / 3)
    assert result.spread == pytest.approx(math.sqrt(sum((s - 10 / 3) ** 2 for s in scores) / 2))
    assert result.ci == pytest.approx(confidence_interval(scores))
    assert not hasattr(result, "alpha"), "a single small wave carries no reliability estimate"


def test_respondents_without_a_scale_score_do_not_count_towards_the_threshold():
    instrument = make_instrument({"a": 5})
    full = {"a_1": 3, "a_2": 3, "a_3": 3, "a_4": 3, "a_5": 3}
    too_few = {"a_1": 5, "a_2": 5, "a_3": 5}  # 60%: no score
    result = scale_result(instrument, "a", [full, dict(full), too_few], threshold=3)
    assert result.n == 2
    assert result.shown is False


def _rows_for_alpha(count: int) -> list[dict[str, int | None]]:
    """`count` complete answers to a 5-item scale a (a_5 reverse-scored) that vary, so alpha is defined."""
    return [
        {"a_1": 1 + n % 5, "a_2": 1 + (n + 1) % 5, "a_3": 1 + n % 5, "a_4": 1 + (n * 2) % 5, "a_5": 5 - n % 5}
        for n in range(count)
    ]


def test_alpha_is_computed_from_complete_rows_only():
    instrument = make_instrument({"a": 5}, reverse=("a_5",))
    complete = _rows_for_alpha(MIN_RELIABILITY_ANSWERS)
    partial = {"a_1": 5, "a_2": 1, "a_3": 5, "a_4": 1, "a_5": None}  # scored (4 of 5) but not complete
    reliability = pooled_reliability(instrument, "a", [*complete, partial])
    assert reliability.complete == MIN_RELIABILITY_ANSWERS
    # Reverse-scored before alpha: a_5 = 5 − n % 5 counts as 1 + n % 5.
    rows = [[row["a_1"], row["a_2"], row["a_3"], row["a_4"], 6 - row["a_5"]] for row in complete]
    assert reliability.alpha == pytest.approx(_own_alpha(rows), abs=1e-12)


def test_no_alpha_below_twenty_complete_answers_and_a_number_from_twenty():
    instrument = make_instrument({"a": 5}, reverse=("a_5",))
    assert MIN_RELIABILITY_ANSWERS == 20
    below = pooled_reliability(instrument, "a", _rows_for_alpha(19))
    assert below.alpha is None and below.too_few and below.complete == 19
    at = pooled_reliability(instrument, "a", _rows_for_alpha(20))
    assert at.alpha is not None and not at.too_few and at.complete == 20
    assert isinstance(at.alpha, float) and -1 < at.alpha <= 1


def test_incomplete_answers_do_not_count_towards_the_twenty():
    instrument = make_instrument({"a": 5})
    rows = _rows_for_alpha(20)
    rows[0]["a_3"] = None
    reliability = pooled_reliability(instrument, "a", rows)
    assert reliability.complete == 19
    assert reliability.alpha is None


# --- item distributions ----------------------------------------------------------------------------


def test_item_distributions_count_raw_answers_per_option():
    instrument = make_instrument({"a": 2}, reverse=("a_2",))
    responses = [{"a_1": 5, "a_2": 1}, {"a_1": 5, "a_2": 1}, {"a_1": 3, "a_2": 2}]
    distributions = {d.item_id: d for d in item_distributions(instrument, responses, threshold=3)}
    # Raw answers, as given: the reverse-scored a_2 is counted at 1 and 2, not turned around.
    assert distributions["a_2"].counts == {1: 2, 2: 1, 3: 0, 4: 0, 5: 0}
    assert distributions["a_1"].counts == {1: 0, 2: 0, 3: 1, 4: 0, 5: 2}
    assert distributions["a_1"].n == 3
    assert distributions["a_1"].spread == pytest.approx(math.sqrt(((5 - 13 / 3) ** 2 * 2 + (3 - 13 / 3) ** 2) / 2))


def test_item_distributions_leave_out_items_with_fewer_answers_than_the_threshold():
    instrument = make_instrument({"a": 3})
    responses = [
        {"a_1": 4, "a_2": 4, "a_3": None},
        {"a_1": 3, "a_2": None, "a_3": None},
        {"a_1": 2, "a_2": 5},
    ]
    distributions = item_distributions(instrument, responses, threshold=3)
    assert [d.item_id for d in distributions] == ["a_1"]
    assert item_distributions(instrument, responses, threshold=4) is None


def test_least_agreement_is_the_item_with_the_largest_spread():
    instrument = make_instrument({"a": 3})
    items = [
        ItemDistribution("a_1", {}, 4, 0.5),
        ItemDistribution("a_2", {}, 4, 1.9),
        ItemDistribution("a_3", {}, 4, 0.0),
    ]
    assert GroupResults(instrument, 3, [], items).least_agreement.item_id == "a_2"
    assert GroupResults(instrument, 3, [], None).least_agreement is None


def test_least_agreement_from_real_answers():
    instrument = make_instrument({"a": 2})
    responses = [{"a_1": 3, "a_2": 1}, {"a_1": 3, "a_2": 5}, {"a_1": 4, "a_2": 3}]
    items = item_distributions(instrument, responses, threshold=3)
    assert GroupResults(instrument, 3, [], items).least_agreement.item_id == "a_2"
