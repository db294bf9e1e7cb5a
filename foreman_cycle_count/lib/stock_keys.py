"""Stock keys in SQL: an item is (product, location, lot, owner), a missing lot or owner included.

Count lines and adjustments identify stock by these four; quants match a key on
all of them, where "no lot" matches only quants without a lot.
"""


def quants_join(keys):
    """(SQL that joins ``stock_quant q`` to the keys as ``k``, its parameters)."""
    sql = ("JOIN (VALUES %s) AS k (product_id, location_id, lot_id, owner_id)"
           " ON q.product_id = k.product_id AND q.location_id = k.location_id"
           " AND q.lot_id IS NOT DISTINCT FROM k.lot_id AND q.owner_id IS NOT DISTINCT FROM k.owner_id"
           % ", ".join(["(%s, %s, %s::int, %s::int)"] * len(keys)))
    return sql, [value or None for key in keys for value in key]


def key_of(row):
    """The key of a row starting with product, location, lot and owner ids (NULLs as False)."""
    return row[0], row[1], row[2] or False, row[3] or False
