"""The scoring formula, without the database."""
import pytest

from crm.scoring import HIGH, LOW, NORMAL, automatic_score, effective_score

DEFAULTS = [HIGH, NORMAL, HIGH, NORMAL]  # the four shipped criteria


@pytest.mark.parametrize("met, all_weights, stars", [
    ([], [], 0),                          # no criteria at all
    ([], DEFAULTS, 0),                    # none met
    (DEFAULTS, DEFAULTS, 5),              # all met
    ([HIGH], DEFAULTS, 2),                # 5·3/10 = 1.5 → 2 (halves round up)
    ([NORMAL], DEFAULTS, 1),              # 5·2/10 = 1
    ([HIGH, NORMAL], DEFAULTS, 3),        # 5·5/10 = 2.5 → 3
    ([HIGH, HIGH], DEFAULTS, 3),          # 5·6/10 = 3
    ([HIGH, HIGH, NORMAL], DEFAULTS, 4),  # 5·8/10 = 4
    ([LOW], [LOW, HIGH], 1),              # 5·1/4 = 1.25 → 1
    ([HIGH], [LOW, HIGH], 4),             # 5·3/4 = 3.75 → 4
    ([LOW], [LOW], 5),
])
def test_automatic_score(met, all_weights, stars):
    assert automatic_score(met, all_weights) == stars


def test_ticking_raises_and_unticking_lowers():
    assert automatic_score([HIGH, NORMAL], DEFAULTS) > automatic_score([HIGH], DEFAULTS)
    assert automatic_score([HIGH], DEFAULTS) < automatic_score([HIGH, HIGH], DEFAULTS)


def test_manual_score_stands_regardless_of_criteria():
    assert effective_score("manual", 1, automatic=5) == 1
    assert effective_score("manual", None, automatic=5) == 0
    assert effective_score("automatic", 4, automatic=2) == 2
    assert effective_score("manual", 9, automatic=0) == 5
