"""Accuracy over time: value accuracy, trends, the hotspot rule and A/B/C classes."""

BETTER = "better"
WORSE = "worse"
STEADY = "steady"

# Pareto: the products making the first 80 % of the total are A, the next 15 % B, the rest C.
PARETO_CUTOFFS = (80.0, 95.0)
CLASSES = ("A", "B", "C")


def value_accuracy(abs_variance_value, book_value):
    """Share of the book value that the counts confirmed, in percent (100 when nothing is off).

    ``abs_variance_value`` is the sum of the variances' values without their signs:
    a gain does not hide a loss.
    """
    if not book_value:
        return 100.0 if not abs_variance_value else 0.0
    return max(0.0, 100.0 * (1.0 - float(abs_variance_value) / book_value))


def rate_trend(previous_rate, rate, tolerance=0.005):
    """How a rate moved from the previous cycle: 'better' (lower), 'worse', 'steady'; None without a previous."""
    if previous_rate is None or rate is None:
        return None
    if abs(rate - previous_rate) <= tolerance:
        return STEADY
    return BETTER if rate < previous_rate else WORSE


def is_hotspot(rates, target, consecutive=2):
    """True when the last ``consecutive`` rates of a series (oldest first) are all above ``target``."""
    if consecutive < 1 or len(rates) < consecutive:
        return False
    return all(rate > target for rate in rates[-consecutive:])


def is_back_on_target(rates, target):
    """True when the latest rate of a series is at or below ``target``."""
    return bool(rates) and rates[-1] <= target


def pareto_classes(amounts, cutoffs=PARETO_CUTOFFS):
    """Classify keys A/B/C by their share of the total ``amounts`` ({key: amount}).

    Keys are ranked by amount, largest first (ties by key). A key is A while the
    running share of the keys before it is below the first cut-off (so the key
    that crosses it is still A), B below the second, C after. Zero or negative
    amounts are C. Returns {key: 'A' | 'B' | 'C'}.
    """
    cut_a, cut_b = cutoffs
    if not 0 < cut_a <= cut_b <= 100:
        raise ValueError("cut-offs must satisfy 0 < A <= B <= 100, got %r" % (cutoffs,))
    total = sum(amount for amount in amounts.values() if amount > 0)
    classes, running = {}, 0.0
    for key, amount in sorted(amounts.items(), key=lambda item: (-item[1], item[0])):
        if amount <= 0 or not total:
            classes[key] = "C"
            continue
        share_before = 100.0 * running / total
        classes[key] = "A" if share_before < cut_a else "B" if share_before < cut_b else "C"
        running += amount
    return classes
