"""Which fields a search domain, an ORDER BY clause or a grouping names.

Odoo 11 checks a field's ``groups=`` when it is read, not when it is used to
filter, sort or aggregate. Models that hide figures from some users call these
to find the fields a query touches before running it.
"""

import re

_ORDER_TERM = re.compile(r"^\s*\"?([\w.]+)\"?")


def domain_fields(domain):
    """First field name of every leaf of a domain (``a.b`` gives ``a``)."""
    names = set()
    for leaf in domain or ():
        if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
            names.add(leaf[0].split(".", 1)[0])
    return names


def order_fields(order):
    """Field names of an ``order`` string such as ``"name desc, id"``."""
    names = set()
    for term in (order or "").split(","):
        match = _ORDER_TERM.match(term)
        if match:
            names.add(match.group(1).split(".", 1)[0])
    return names


def grouping_fields(groupby):
    """Field names of a read_group ``groupby`` (``"date:month"`` gives ``date``)."""
    if isinstance(groupby, str):
        groupby = [groupby]
    return {spec.split(":", 1)[0] for spec in groupby or ()}
