"""Lead scoring rules, as pure functions (no database).

The criteria score leads and business contacts alike (``crm.models.scoring``),
so the rules live in crm; the leads app uses them.

A criterion has a weight: Low 1, Normal 2, High 3. The automatic score in
stars is round(5 × sum of the weights of the met criteria ÷ sum of all
weights), rounding halves up, and 0 when there are no criteria. A manual
score (0–5 stars) stands regardless of the criteria.
"""
from collections.abc import Iterable

MAX_STARS = 5
LOW, NORMAL, HIGH = 1, 2, 3


def automatic_score(met_weights: Iterable[int], all_weights: Iterable[int]) -> int:
    """Stars from the weights of the met criteria and of all criteria.

    Integer arithmetic, so the SQL re-score (``sql_score_expression``) gives
    exactly the same result: floor((10·met + total) / (2·total)).
    """
    total = sum(all_weights)
    if total <= 0:
        return 0
    met = sum(met_weights)
    return (2 * MAX_STARS * met + total) // (2 * total)


def effective_score(score_type: str, manual_score: int | None, automatic: int) -> int:
    """The score a record shows: the manual stars when the type is manual."""
    if score_type == "manual":
        return max(0, min(MAX_STARS, manual_score or 0))
    return automatic
