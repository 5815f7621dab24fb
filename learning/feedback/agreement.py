"""How far raters agree: Krippendorff's alpha on the 1-5 ratings, ordinal, overall and per pair of raters.

Alpha is 1 for perfect agreement, 0 for agreement at chance level, negative for systematic disagreement. It is
undefined (None here) when there is nothing to compare: fewer than two raters on any item, or every rating the
same value. The `krippendorff` package computes it (a well-kept implementation of the published estimator).
"""

from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model

from learning.feedback.selectors import ratings_by_item

RATING_DOMAIN = [1, 2, 3, 4, 5]


def alpha(table: list[dict[int, int]]) -> float | None:
    """Ordinal alpha over items, each {rater: rating}; None when undefined."""
    shared = [ratings for ratings in table if len(ratings) >= 2]
    raters = sorted({rater for ratings in shared for rater in ratings})
    if len(raters) < 2 or len({value for ratings in shared for value in ratings.values()}) < 2:
        return None
    matrix = np.full((len(raters), len(shared)), np.nan)
    index = {rater: row for row, rater in enumerate(raters)}
    for column, ratings in enumerate(shared):
        for rater, rating in ratings.items():
            matrix[index[rater], column] = rating
    value = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal", value_domain=RATING_DOMAIN)
    return None if np.isnan(value) else round(float(value), 4)


def agreement_report(target_type: str | None = None) -> dict:
    """Overall alpha, alpha per pair of raters who rated at least one item in common, and the overlap."""
    by_item = ratings_by_item(target_type)
    table = list(by_item.values())
    target = settings.FEEDBACK_OVERLAP
    names = dict(get_user_model().objects.filter(pk__in={r for t in table for r in t}).values_list("pk", "username"))
    pairs = []
    for first, second in combinations(sorted(names, key=names.__getitem__), 2):
        shared = [{first: t[first], second: t[second]} for t in table if first in t and second in t]
        if shared:
            pairs.append({"raters": [names[first], names[second]], "items": len(shared), "alpha": alpha(shared)})
    return {
        "alpha": alpha(table),
        "level_of_measurement": "ordinal",
        "raters": len(names),
        "rated_items": len(table),
        "overlap_target": target,
        "items_at_overlap": sum(len(ratings) >= target for ratings in table),
        "items_with_several_raters": sum(len(ratings) >= 2 for ratings in table),
        "pairs": pairs,
    }
