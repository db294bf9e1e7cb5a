"""Split a timeframe into count cycles and spread the work over them."""
import datetime

from dateutil.relativedelta import relativedelta

CALENDAR_YEAR = "calendar_year"
ROLLING_YEAR = "rolling_year"


def timeframe_bounds(timeframe, today, rolling_start=None):
    """Return (first_day, last_day) of the timeframe that contains ``today``.

    A calendar year runs January 1st to December 31st. A rolling year starts
    on the anniversary of ``rolling_start`` (Feb 29 falls back to Feb 28 in
    common years) and lasts twelve months.
    """
    if timeframe == CALENDAR_YEAR:
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    if timeframe != ROLLING_YEAR:
        raise ValueError("unknown timeframe %r" % timeframe)
    if rolling_start is None:
        raise ValueError("a rolling year needs its start date")
    years = today.year - rolling_start.year
    start = rolling_start + relativedelta(years=years)
    if start > today:
        start = rolling_start + relativedelta(years=years - 1)
    following = rolling_start + relativedelta(years=start.year - rolling_start.year + 1)
    return start, following - datetime.timedelta(days=1)


def split_period(first_day, last_day, parts):
    """Tile [first_day, last_day] with ``parts`` consecutive windows.

    Windows follow month boundaries when the parts divide twelve (quarters,
    months, ...), otherwise they are equal runs of days. Every day belongs to
    exactly one window. Returns a list of (start, end) date pairs.
    """
    if parts < 1:
        raise ValueError("at least one window is needed")
    total_days = (last_day - first_day).days + 1
    if parts > total_days:
        raise ValueError("more windows than days in the period")
    if 12 % parts == 0 and _is_twelve_months(first_day, last_day):
        step = 12 // parts
        starts = [first_day + relativedelta(months=step * i) for i in range(parts)]
    else:
        starts = [first_day + datetime.timedelta(days=total_days * i // parts) for i in range(parts)]
    ends = [start - datetime.timedelta(days=1) for start in starts[1:]] + [last_day]
    return list(zip(starts, ends))


def _is_twelve_months(first_day, last_day):
    return first_day + relativedelta(months=12) - datetime.timedelta(days=1) == last_day


def balance_pieces(pieces, bins):
    """Assign work pieces to ``bins`` cycles so that the loads stay level.

    ``pieces`` is a list of (key, size). Largest pieces go first, each to the
    cycle with the least work so far (ties: the earliest cycle), so the
    busiest cycle ends at most one piece heavier than the quietest. Returns a
    list of ``bins`` lists of keys.
    """
    loads = [0] * bins
    assignment = [[] for _ in range(bins)]
    for key, size in sorted(pieces, key=lambda piece: (-piece[1], str(piece[0]))):
        target = min(range(bins), key=lambda index: (loads[index], index))
        assignment[target].append(key)
        loads[target] += size
    return assignment


def split_into_pieces(groups, capacity):
    """Keep each group whole when it fits in ``capacity``, else split it.

    ``groups`` maps a group key (a segment) to a list of (unit key, size)
    (its locations). A group larger than ``capacity`` is cut into its units.
    Returns (piece key, size) pairs where a piece key is a tuple of unit keys.
    """
    pieces = []
    for units in groups.values():
        size = sum(unit_size for _key, unit_size in units)
        if size <= capacity:
            pieces.append((tuple(key for key, _size in units), size))
        else:
            pieces.extend(((key,), unit_size) for key, unit_size in units)
    return pieces


def reminder_date(date_start, lead_days):
    """The day a counter is reminded of a cycle starting on ``date_start``."""
    return date_start - datetime.timedelta(days=lead_days)
