# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from psycopg2.extras import execute_values

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from ..lib import stock_keys


class StockInventory(models.Model):
    """A cycle's adjustment, posted set-wise: a few statements whatever its size.

    Odoo 11 validates an adjustment move by move (a create, then quant look-ups
    over a ``stock_quant`` table without indexes, and a ``quantity_done``
    recomputation that grows with the batch): two minutes for 2,500 moves at
    50,000 quants, past a production worker's CPU limit. The set-wise posting writes the same
    records (inventory lines, one done move and move line per line, quants
    changed the way ``stock.quant._update_available_quantity`` changes them)
    in one INSERT or UPDATE each. Whatever Odoo must decide move by move goes
    through Odoo's own validation: stock reserved by other transfers (Odoo frees
    those reservations) and, with ``stock_account``, every move (valuation).
    """

    _inherit = "stock.inventory"

    def _post_counted_variances(self, line_values):
        """Write the lines of this (confirmed) adjustment and validate it.

        ``line_values``: dicts as ``foreman.cycle.count.cycle._prepare_adjustment_line``
        makes them; their ``theoretical_qty`` is today's stock outside packages.
        """
        self.ensure_one()
        if not self._can_post_setwise():
            self.write({"line_ids": [(0, 0, self._orm_line_values(vals)) for vals in line_values]})
            return self._validate_natively()
        changes = [vals for vals in line_values if self._line_delta(vals)]
        products = self._product_data({vals["product_id"] for vals in changes})
        self._check_stockable(products)
        reserved = self._keys_freeing_reservations(changes)
        setwise, by_odoo = [], []
        for vals in changes:
            (by_odoo if self._stock_key(vals) in reserved else setwise).append(vals)
        self._insert_lines(setwise, products)
        self._insert_done_moves(setwise)
        self._apply_quant_changes(setwise)
        self.invalidate_cache()     # every model: the rows above were written around the ORM
        # done before Odoo's own moves, as Odoo's validation does: OCA's lockdown then lets the
        # transfers whose reservations those moves free through
        self.write({"state": "done"})
        if by_odoo:
            self._create_orm_lines(by_odoo)._generate_moves()._action_done()
        return True

    # ------------------------------------------------------------------
    # Override points
    # ------------------------------------------------------------------
    def _can_post_setwise(self):
        """False where moves need Odoo's per-move validation for their side effects.

        ``stock_account`` values each move as it is done (journal entries, average
        cost): set-wise posting would skip that, so it is not used there.
        Integrators who add such per-move effects return False here.
        """
        return not hasattr(self.env["stock.move"], "_account_entry_move")

    def _validate_natively(self):
        """Odoo's own validation, whatever other addons add to the Validate button.

        Where OCA stock_inventory_discrepancy is installed its forced validation is
        used (our approval tiers replace its thresholds), and its form-only
        'normal_view' key, which parks an adjustment as pending, never reaches it.
        """
        inventory = self.with_context(normal_view=False)
        if hasattr(inventory, "action_force_done"):
            return inventory.action_force_done()
        return inventory.action_done()

    # ------------------------------------------------------------------
    # Set-wise posting
    # ------------------------------------------------------------------
    @staticmethod
    def _stock_key(vals):
        return vals["product_id"], vals["location_id"], vals["prod_lot_id"], vals["partner_id"]

    @staticmethod
    def _line_delta(vals):
        """The quantity the line moves: counted minus on hand (0 when they agree)."""
        delta = vals["product_qty"] - vals["theoretical_qty"]
        return 0.0 if float_is_zero(delta, precision_rounding=vals["rounding"]) else delta

    def _orm_line_values(self, vals):
        return {"inventory_id": self.id, "product_id": vals["product_id"], "product_uom_id": vals["product_uom_id"],
                "location_id": vals["location_id"], "prod_lot_id": vals["prod_lot_id"],
                "partner_id": vals["partner_id"], "product_qty": vals["product_qty"]}

    def _create_orm_lines(self, line_values):
        lines = self.env["stock.inventory.line"]
        for vals in line_values:
            lines |= lines.create(self._orm_line_values(vals))
        return lines

    def _keys_freeing_reservations(self, line_values):
        """Stock keys whose decrease would take stock reserved by other transfers."""
        deltas = ((self._stock_key(vals), self._line_delta(vals)) for vals in line_values)
        decreases = {key: delta for key, delta in deltas if delta < 0}
        if not decreases:
            return set()
        join, params = stock_keys.quants_join(list(decreases))
        self.env.cr.execute("""
            SELECT q.product_id, q.location_id, q.lot_id, q.owner_id, SUM(q.quantity), SUM(q.reserved_quantity)
              FROM stock_quant q %s
             WHERE q.reserved_quantity <> 0
             GROUP BY q.product_id, q.location_id, q.lot_id, q.owner_id""" % join, params)
        return {stock_keys.key_of(row) for row in self.env.cr.fetchall()
                if row[4] + decreases[stock_keys.key_of(row)] < row[5]}

    def _new_ids(self, table, count):
        self.env.cr.execute("SELECT nextval(%s) FROM generate_series(1, %s)", ("%s_id_seq" % table, count))
        return [row[0] for row in self.env.cr.fetchall()]

    @staticmethod
    def _check_stockable(products):
        """What stock.inventory.line checks of each line it creates."""
        consumables = sorted(name for name, _code, product_type in products.values() if product_type != "product")
        if consumables:
            raise UserError(_("You can only adjust stockable products: %s is not (any more).")
                            % ", ".join(consumables))

    def _insert_lines(self, line_values, products):
        """The adjustment's lines, with the stored names Odoo relates from the product, location and lot."""
        if not line_values:
            return
        place = {location.id: location.complete_name for location in self.env["stock.location"].browse(
            {vals["location_id"] for vals in line_values})}
        lot_name = {lot.id: lot.name for lot in self.env["stock.production.lot"].browse(
            {vals["prod_lot_id"] for vals in line_values if vals["prod_lot_id"]})}
        uid, now = self.env.uid, fields.Datetime.now()
        execute_values(self.env.cr, """
            INSERT INTO stock_inventory_line (
                inventory_id, company_id, product_id, product_name, product_code, product_uom_id,
                location_id, location_name, prod_lot_id, prodlot_name, partner_id,
                theoretical_qty, product_qty, create_uid, create_date, write_uid, write_date)
            VALUES %s""", [(
                self.id, self.company_id.id, vals["product_id"], products[vals["product_id"]][0],
                products[vals["product_id"]][1], vals["product_uom_id"], vals["location_id"],
                place[vals["location_id"]], vals["prod_lot_id"] or None,
                lot_name.get(vals["prod_lot_id"]), vals["partner_id"] or None,
                vals["theoretical_qty"], vals["product_qty"], uid, now, uid, now) for vals in line_values],
            page_size=1000)

    def _product_data(self, product_ids):
        """{product: (name, internal reference, type)} without loading whole products and templates."""
        if not product_ids:
            return {}
        self.env.cr.execute("""
            SELECT pp.id, pt.name, pp.default_code, pt.type FROM product_product pp
              JOIN product_template pt ON pt.id = pp.product_tmpl_id WHERE pp.id IN %s""", (tuple(product_ids),))
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def _move_ends(self, vals):
        """(source, destination) of the line's move: to or from the product's inventory-loss location."""
        if self._line_delta(vals) > 0:
            return vals["loss_location_id"], vals["location_id"]
        return vals["location_id"], vals["loss_location_id"]

    def _insert_done_moves(self, line_values):
        """One done move with its done move line per line, as Odoo's validation leaves them."""
        if not line_values:
            return
        move_ids = self._new_ids("stock_move", len(line_values))
        name = _("INV:") + (self.name or "")
        scrapped = {location.id: location.scrap_location for location in self.env["stock.location"].browse(
            {vals["loss_location_id"] for vals in line_values} | {vals["location_id"] for vals in line_values})}
        uid, now = self.env.uid, fields.Datetime.now()
        moves, move_lines = [], []
        for move_id, vals in zip(move_ids, line_values):
            source, destination = self._move_ends(vals)
            qty = abs(self._line_delta(vals))
            moves.append((
                move_id, name, 10, "1", now, now, self.company_id.id, now, vals["product_id"], qty, qty, qty,
                vals["product_uom_id"], source, destination, "done", "make_to_stock", scrapped[destination],
                True, self.id, vals["partner_id"] or None, False, name, uid, uid, now))
            move_lines.append((
                move_id, vals["product_id"], vals["product_uom_id"], 0.0, 0.0, 0.0, qty,
                vals["prod_lot_id"] or None, now, vals["partner_id"] or None, source, destination, "done", name,
                uid, now, uid, now))
        execute_values(self.env.cr, """
            INSERT INTO stock_move (
                id, name, sequence, priority, create_date, date, company_id, date_expected, product_id,
                ordered_qty, product_qty, product_uom_qty, product_uom, location_id, location_dest_id, state,
                procure_method, scrapped, propagate, inventory_id, restrict_partner_id, additional, reference,
                create_uid, write_uid, write_date)
            VALUES %s""", moves, page_size=1000)
        execute_values(self.env.cr, """
            INSERT INTO stock_move_line (
                move_id, product_id, product_uom_id, product_qty, product_uom_qty, ordered_qty, qty_done,
                lot_id, date, owner_id, location_id, location_dest_id, state, reference,
                create_uid, create_date, write_uid, write_date)
            VALUES %s""", move_lines, page_size=1000)

    def _apply_quant_changes(self, line_values):
        """Change quants the way Odoo's ``_update_available_quantity`` does, for all moves at once.

        Per stock key (product, location, lot, owner, no package): the first quant in
        first-in first-out order takes the change and the key's oldest incoming date
        (at a destination, the source's too); an emptied quant is deleted; a key
        without a quant gets one.
        """
        changes, rounding = self._quant_changes(line_values)
        quants = self._quants_of_keys(list(changes))
        in_dates = self._incoming_dates(changes, quants)
        updates, deletes, creates = [], [], []
        for key, delta in changes.items():
            rows = quants.get(key)
            if not rows:
                creates.append((key, delta, in_dates[key]))
                continue
            quant_id, quantity, _in_date, reserved = rows[0]
            if float_is_zero(quantity + delta, precision_rounding=rounding[key[0]]) \
                    and float_is_zero(reserved, precision_rounding=rounding[key[0]]):
                deletes.append(quant_id)
            else:
                updates.append((quant_id, quantity + delta, in_dates[key]))
        self._write_quants(updates, deletes, creates)

    def _quant_changes(self, line_values):
        """({stock key: quantity it gains or loses}, {product: unit rounding}) of the lines' moves."""
        changes, rounding = defaultdict(float), {}
        for vals in line_values:
            source, destination = self._move_ends(vals)
            qty = abs(self._line_delta(vals))
            product, lot, owner = vals["product_id"], vals["prod_lot_id"], vals["partner_id"]
            changes[(product, source, lot, owner)] -= qty
            changes[(product, destination, lot, owner)] += qty
            rounding[product] = vals["rounding"]
        return changes, rounding

    @staticmethod
    def _incoming_dates(changes, quants):
        """{stock key: the incoming date its quant keeps}: the oldest of the key's quants, at a
        destination the oldest of the source's as well, else now."""
        now = fields.Datetime.now()

        def oldest(key, *more):
            dates = [quant[2] for quant in quants.get(key, ()) if quant[2]] + [date for date in more if date]
            return min(dates) if dates else now
        source = {(key[0], key[2], key[3]): oldest(key) for key, delta in changes.items() if delta < 0}
        return {key: oldest(key) if delta < 0 else oldest(key, source.get((key[0], key[2], key[3])))
                for key, delta in changes.items()}

    def _write_quants(self, updates, deletes, creates):
        """Quant rows changed ((id, quantity, in date)), deleted (ids) and new ((key, quantity, in date))."""
        cr, uid, now = self.env.cr, self.env.uid, fields.Datetime.now()
        if updates:
            execute_values(cr, """
                UPDATE stock_quant q SET quantity = u.quantity, in_date = u.in_date,
                       write_uid = u.write_uid, write_date = u.write_date
                  FROM (VALUES %s) AS u (id, quantity, in_date, write_uid, write_date)
                 WHERE q.id = u.id""", [row + (uid, now) for row in updates],
                           template="(%s, %s::float8, %s::timestamp, %s, %s::timestamp)", page_size=1000)
        if deletes:
            cr.execute("DELETE FROM stock_quant WHERE id IN %s", (tuple(deletes),))
        if creates:
            company = {location.id: location.company_id.id or None for location in self.env["stock.location"].browse(
                {key[1] for key, _delta, _date in creates})}
            execute_values(cr, """
                INSERT INTO stock_quant (
                    product_id, location_id, company_id, lot_id, owner_id, quantity, reserved_quantity, in_date,
                    create_uid, create_date, write_uid, write_date)
                VALUES %s""", [(product, location, company[location], lot or None, owner or None, delta, 0.0,
                                in_date, uid, now, uid, now)
                               for (product, location, lot, owner), delta, in_date in creates], page_size=1000)

    def _quants_of_keys(self, keys):
        """Package-less quants of the keys, locked, in Odoo's removal order: {key: [(id, qty, in_date, reserved)]}."""
        found = defaultdict(list)
        for start in range(0, len(keys), 5000):
            join, params = stock_keys.quants_join(keys[start:start + 5000])
            self.env.cr.execute("""
                SELECT q.product_id, q.location_id, q.lot_id, q.owner_id, q.id, q.quantity, q.in_date,
                       q.reserved_quantity
                  FROM stock_quant q %s
                 WHERE q.package_id IS NULL
                 ORDER BY q.in_date ASC NULLS FIRST, q.id
                   FOR UPDATE OF q""" % join, params)
            for row in self.env.cr.fetchall():
                found[stock_keys.key_of(row)].append(row[4:])
        return found
