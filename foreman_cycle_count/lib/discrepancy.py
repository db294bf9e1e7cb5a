"""Classify count variances into approval tiers and measure accuracy."""

MINOR = "minor"
MAJOR = "major"


def classify_tier(variance_qty, variance_value, minor_qty_limit, minor_value_limit,
                  high_value_category=False):
    """Return 'minor' or 'major' for a variance.

    Minor means a small count difference (at most ``minor_qty_limit`` units
    either way) of small value (under ``minor_value_limit`` in company
    currency) on an ordinary category. Anything else is major: between the
    knowledge base's minor band (1-5 units) and its major band (10+ units)
    the conservative choice is the stricter approval.
    """
    if high_value_category:
        return MAJOR
    if abs(variance_qty) > minor_qty_limit:
        return MAJOR
    if abs(variance_value) >= minor_value_limit:
        return MAJOR
    return MINOR


def discrepancy_rate(items_with_discrepancy, items_counted):
    """Share of counted items that differ from the books, in percent."""
    if not items_counted:
        return 0.0
    return 100.0 * items_with_discrepancy / items_counted
