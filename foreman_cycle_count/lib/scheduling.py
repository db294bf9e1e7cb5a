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


def balance_pieces(pieces, bins, rank=None):
    """Assign work pieces to ``bins`` cycles so that the loads stay level.

    ``pieces`` is a list of (key, size). Largest pieces go first, each to the
    cycle with the least work so far (ties: the earliest cycle), so the
    busiest cycle ends at most one piece heavier than the quietest. Pieces of
    one size go in the order of ``rank(piece)`` (default: their keys as text).
    Returns a list of ``bins`` lists of keys.
    """
    rank = rank or (lambda piece: str(piece[0]))
    loads = [0] * bins
    assignment = [[] for _ in range(bins)]
    for key, size in sorted(pieces, key=lambda piece: (-piece[1], rank(piece))):
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


def split_parts(parts, capacity):
    """Cut one unit's ordered parts into runs of consecutive parts, as even as they can be.

    ``parts`` is a list of (part key, size) in their stable order (the products of
    a location). The unit is cut into ceil(total / capacity) runs whose sizes
    differ by at most one part. Returns (tuple of part keys, size) pairs.
    """
    total = sum(size for _key, size in parts)
    runs = min(len(parts), max(1, -(-total // capacity))) if capacity > 0 else 1
    pieces, current, current_size, done = [], [], 0, 0
    for key, size in parts:
        current.append(key)
        current_size += size
        done += size
        # cut once this run reaches its share of the running total
        if len(pieces) < runs - 1 and done * runs >= total * (len(pieces) + 1):
            pieces.append((tuple(current), current_size))
            current, current_size = [], 0
    if current:
        pieces.append((tuple(current), current_size))
    return pieces


def distribute(groups, parts, bins, partial=()):
    """Spread the units of ``groups`` over ``bins`` cycles, splitting what is too big.

    ``groups`` maps a group (a segment) to its units (locations), ``parts`` maps a
    unit to its (part key, size) list (its products, in a stable order). Each cycle's
    share is ceil(total / bins): a group within it stays whole, a bigger group is cut
    into its units, and a unit bigger than the share is cut into runs of its parts.
    Units in ``partial`` are never whole (some of their parts are counted elsewhere).
    Returns ``bins`` lists of (unit, part keys or None for the whole unit), each unit
    at most once per cycle.
    """
    sizes = {unit: sum(size for _key, size in unit_parts) for unit, unit_parts in parts.items()}
    total = sum(sizes[unit] for units in groups.values() for unit in units)
    capacity = -(-total // bins)

    def whole(unit):
        return (unit, tuple(key for key, _size in parts[unit]) if unit in partial else None)

    pieces, run_of = [], {}
    for units in groups.values():
        group_size = sum(sizes[unit] for unit in units)
        if group_size <= capacity:
            pieces.append((tuple(whole(unit) for unit in units), group_size))
            continue
        for unit in units:
            if sizes[unit] <= capacity or len(parts[unit]) < 2:
                pieces.append(((whole(unit),), sizes[unit]))
                continue
            for number, (run, size) in enumerate(split_parts(parts[unit], capacity)):
                run_of[((unit, run),)] = number
                pieces.append((((unit, run),), size))
    # the runs of a location go to the cycles in their order: the first products to the first cycle
    assignment = balance_pieces(pieces, bins, rank=lambda piece: (
        str(tuple(unit for unit, _keys in piece[0])), run_of.get(piece[0], 0)))
    return [_merge_units([element for piece in cycle_pieces for element in piece]) for cycle_pieces in assignment]


def _merge_units(elements):
    """Two runs of one unit in the same cycle become one entry."""
    merged = {}
    for unit, keys in elements:
        if unit in merged and merged[unit] is not None and keys is not None:
            merged[unit] = merged[unit] + keys
        else:
            merged[unit] = keys
    return list(merged.items())


def remaining_windows(today, last_day, parts):
    """Windows tiling [today, last_day] for ``parts`` cycles still to count (fewer if fewer days).

    Used when part of a count's time is already past: what is left of the
    count is spread over what is left of its time. Empty when ``last_day`` is past.
    """
    days = (last_day - today).days + 1
    if days < 1 or parts < 1:
        return []
    return split_period(today, last_day, min(parts, days))


def reminder_date(date_start, lead_days):
    """The day a counter is reminded of a cycle starting on ``date_start``."""
    return date_start - datetime.timedelta(days=lead_days)
