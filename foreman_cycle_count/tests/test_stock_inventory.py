# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields
from odoo.tests.common import SavepointCase

MOVE_FIELDS = ("product_id", "location_id", "location_dest_id", "product_uom_qty", "product_qty", "quantity_done",
               "product_uom", "state", "restrict_partner_id", "scrapped", "procure_method",
               "company_id", "picking_id", "partner_id")
MOVE_LINE_FIELDS = ("product_id", "location_id", "location_dest_id", "qty_done", "product_qty", "product_uom_qty",
                    "product_uom_id", "lot_id", "owner_id", "package_id", "result_package_id", "state")
LINE_FIELDS = ("product_id", "location_id", "prod_lot_id", "partner_id", "theoretical_qty", "product_qty",
               "product_name", "product_code", "location_name", "prodlot_name", "company_id")
QUANT_FIELDS = ("product_id", "location_id", "lot_id", "owner_id", "quantity", "reserved_quantity", "in_date",
                "removal_date")
ENTRY_LINE_FIELDS = ("account_id", "debit", "credit", "product_id", "quantity", "partner_id")


class TestAdjustmentThroughOdoo(SavepointCase):
    """A cycle's adjustment leaves what Odoo's own adjustment of the same stock leaves, field by field.

    Whatever is installed applies to both: in the test database stock_account values
    the moves in real time at average cost, product_expiry dates the lots, and a
    location removes last in, first out.
    """

    @classmethod
    def setUpClass(cls):
        super(TestAdjustmentThroughOdoo, cls).setUpClass()
        env = cls.env
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.user.company_id.id)], limit=1)
        Location = env["stock.location"]
        cls.shelf = Location.create({"name": "Adjustment Shelf", "location_id": warehouse.lot_stock_id.id})
        cls.lifo_shelf = Location.create({
            "name": "Last In First Out Shelf", "location_id": warehouse.lot_stock_id.id,
            "removal_strategy_id": env.ref("stock.removal_lifo").id})
        cls.customer = env["res.partner"].create({"name": "Hosting Customer"})
        category = env["product.category"].create({"name": "Valued Spares"})
        if "property_valuation" in category._fields:
            category.write({"property_valuation": "real_time", "property_cost_method": "average"})
        Product = env["product.product"].with_context(default_categ_id=category.id, default_type="product")
        cls.psu = Product.create({"name": "PSU APW12", "default_code": "PSU-12", "standard_price": 180.0})
        cls.fan = Product.create({"name": "Fan 120mm", "standard_price": 12.0})
        cls.cable = Product.create({"name": "C13 cable", "standard_price": 4.0})
        cls.board = Product.create({"name": "Hashboard", "standard_price": 120.0})
        cls.rig = Product.create({"name": "Hosted rig", "standard_price": 0.0})
        cls.fuse = Product.create({"name": "Fuse", "standard_price": 1.0})
        cls.miner = Product.create({"name": "Antminer S19", "tracking": "serial", "standard_price": 3500.0})
        cls.paste = Product.create({"name": "Thermal paste", "tracking": "lot", "standard_price": 9.0})
        if "removal_time" in cls.paste._fields:
            cls.paste.write({"life_time": 720, "use_time": 540, "removal_time": 360, "alert_time": 300})
        Lot = env["stock.production.lot"]
        cls.serial = Lot.create({"name": "S19-0001", "product_id": cls.miner.id})
        cls.paste_lot = Lot.create({"name": "PASTE-2026-11", "product_id": cls.paste.id})
        cls.new_paste_lot = Lot.create({"name": "PASTE-2026-12", "product_id": cls.paste.id})
        Quant = env["stock.quant"]
        received = datetime.datetime(2026, 6, 1, 8, 0)
        Quant._update_available_quantity(cls.psu, cls.shelf, 10.0, in_date=received)
        Quant._update_available_quantity(cls.fan, cls.shelf, 5.0, in_date=received)
        Quant._update_available_quantity(cls.miner, cls.shelf, 1.0, lot_id=cls.serial, in_date=received)
        Quant._update_available_quantity(cls.rig, cls.shelf, 6.0, owner_id=cls.customer, in_date=received)
        Quant._update_available_quantity(cls.paste, cls.shelf, 20.0, lot_id=cls.paste_lot, in_date=received)
        # one item held in two quants, as Odoo does when the first is locked
        for location, product in ((cls.shelf, cls.board), (cls.lifo_shelf, cls.fuse)):
            for quantity, date in ((3.0, "2026-01-05 08:00:00"), (4.0, "2026-03-01 08:00:00")):
                Quant.create({"product_id": product.id, "location_id": location.id, "quantity": quantity,
                              "in_date": date})

    def _counts(self):
        """(product, location, counted, lot, owner) of the changes, as a cycle would have counted them."""
        return [
            (self.psu, self.shelf, 7.0, None, None),                     # three missing
            (self.fan, self.shelf, 8.0, None, None),                     # three found
            (self.miner, self.shelf, 0.0, self.serial, None),            # a missing serial: its quant goes
            (self.cable, self.shelf, 2.0, None, None),                   # found where the books had none
            (self.board, self.shelf, 5.0, None, None),                   # split over two quants: oldest first
            (self.fuse, self.lifo_shelf, 5.0, None, None),               # split, newest first
            (self.rig, self.shelf, 4.0, None, self.customer),            # a customer's stock
            (self.paste, self.shelf, 15.0, self.paste_lot, None),        # a lot with an expiry date
            (self.paste, self.shelf, 2.0, self.new_paste_lot, None),   # a lot the books do not have there
        ]

    def _cycle_line_values(self):
        Cycle = self.env["foreman.cycle.count.cycle"]
        return [Cycle._prepare_adjustment_line(
            (product.id, location.id, lot.id if lot else False, owner.id if owner else False),
            counted, product.uom_id.id, "Cycle count CC/TEST/0001: Theft or loss - %s" % product.name)
            for product, location, counted, lot, owner in self._counts()]

    def _native(self, inventory):
        """Odoo's own adjustment: lines typed on the form, then Validate."""
        inventory.write({"line_ids": [(0, 0, {
            "product_id": product.id, "location_id": location.id, "product_qty": counted,
            "prod_lot_id": lot.id if lot else False, "partner_id": owner.id if owner else False})
            for product, location, counted, lot, owner in self._counts()]})
        inventory.action_done()

    def _ours(self, inventory):
        inventory._post_counted_variances(self._cycle_line_values())

    def _new_inventory(self):
        inventory = self.env["stock.inventory"].create({
            "name": "CC/TEST/0001", "filter": "partial", "location_id": self.shelf.location_id.id})
        inventory.action_start()
        return inventory

    def _products(self):
        return self.psu | self.fan | self.cable | self.board | self.fuse | self.rig | self.miner | self.paste

    @staticmethod
    def _rows(records, names):
        def plain(value):
            return value.id if hasattr(value, "_name") else value
        names = [name for name in names if name in records._fields]
        return sorted(tuple(str(plain(record[name])) for name in names) for record in records)

    def _quant_rows(self, products):
        """Quants as rows; an incoming date set by the posting itself reads 'now' (the two postings are
        seconds apart)."""
        rows = self._rows(self.env["stock.quant"].search([("product_id", "in", products.ids)]), QUANT_FIELDS)
        date = QUANT_FIELDS.index("in_date")
        return [row[:date] + ("now" if row[date] >= self.posting_started else row[date],) + row[date + 1:]
                for row in rows]

    def _entries(self, moves):
        if "account_move_ids" not in moves._fields:
            return []
        return self._rows(moves.mapped("account_move_ids.line_ids"), ENTRY_LINE_FIELDS)

    def _posting_result(self, inventory):
        self.env.cache.invalidate()
        moves = inventory.move_ids
        products = self._products()
        return {
            "state": inventory.state,
            "lines": self._rows(inventory.line_ids, LINE_FIELDS),
            "moves": self._rows(moves, MOVE_FIELDS),
            "move_lines": self._rows(moves.mapped("move_line_ids"), MOVE_LINE_FIELDS),
            "quants": self._quant_rows(products),
            "entries": self._entries(moves),
            "costs": [product.standard_price for product in products],
            "names": sorted(set(moves.mapped("name"))),
            "labels": sorted(set(moves.mapped("account_move_ids.line_ids.name")))
            if "account_move_ids" in moves._fields else [],
        }

    def _posted(self, post):
        """What posting leaves, rolled back afterwards so that both ways start from the same stock."""
        self.env.cr.execute("SAVEPOINT compare_posting")
        try:
            self.posting_started = fields.Datetime.now()
            inventory = self._new_inventory()
            post(inventory)
            return self._posting_result(inventory)
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT compare_posting")
            self.env.clear()

    def test_a_cycle_adjustment_leaves_what_odoos_own_adjustment_leaves(self):
        native = self._posted(self._native)
        ours = self._posted(self._ours)
        self.assertEqual(native["state"], "done")
        self.assertEqual(len(native["moves"]), 9)
        for part in ("state", "lines", "moves", "move_lines", "quants", "entries", "costs"):
            self.assertEqual(ours[part], native[part], part)
        if "account_move_ids" in self.env["stock.move"]._fields:
            self.assertTrue(native["entries"], "real-time valuation posts a journal entry per move")

    def test_each_move_and_its_journal_items_say_why_the_books_changed(self):
        ours = self._posted(self._ours)
        self.assertIn("Cycle count CC/TEST/0001: Theft or loss - PSU APW12", ours["names"])
        self.assertNotIn("INV:CC/TEST/0001", ours["names"])
        if "account_move_ids" in self.env["stock.move"]._fields:
            self.assertIn("Cycle count CC/TEST/0001: Theft or loss - PSU APW12", ours["labels"])
            self.assertLessEqual(set(ours["labels"]), set(ours["names"]), "the journal items carry the move's reason")

    def test_counted_figures_are_on_hand_after_posting(self):
        inventory = self._new_inventory()
        self._ours(inventory)
        self.env.cache.invalidate()
        on_hand = {(q.product_id, q.location_id, q.lot_id, q.owner_id): q.quantity
                   for q in self.env["stock.quant"].search([("product_id", "in", self._products().ids)])}
        no_lot, nobody = self.serial.browse(), self.customer.browse()
        self.assertEqual(on_hand[(self.psu, self.shelf, no_lot, nobody)], 7.0)
        self.assertEqual(on_hand[(self.cable, self.shelf, no_lot, nobody)], 2.0)
        self.assertEqual(on_hand[(self.rig, self.shelf, no_lot, self.customer)], 4.0)
        self.assertEqual(on_hand[(self.paste, self.shelf, self.paste_lot, nobody)], 15.0)
        self.assertNotIn((self.miner, self.shelf, self.serial, nobody), on_hand)
        boards = self.env["stock.quant"].search([("product_id", "=", self.board.id),
                                                  ("location_id", "=", self.shelf.id)], order="in_date, id")
        self.assertEqual(boards.mapped("quantity"), [1.0, 4.0], "the oldest quant takes the change, first in first out")
        fuses = self.env["stock.quant"].search([("product_id", "=", self.fuse.id),
                                                 ("location_id", "=", self.lifo_shelf.id)], order="in_date, id")
        self.assertEqual(fuses.mapped("quantity"), [3.0, 2.0], "the newest quant takes the change, last in first out")
        if "removal_date" in boards._fields:
            paste = self.env["stock.quant"].search([("lot_id", "=", self.paste_lot.id),
                                                     ("location_id", "=", self.shelf.id)])
            self.assertTrue(paste.removal_date, "product_expiry dates the lot's quant")
        self.assertEqual(set(inventory.move_ids.mapped("state")), {"done"})

    def test_stock_reserved_by_a_delivery_is_freed_as_odoo_frees_it(self):
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create({
            "picking_type_id": self.env.ref("stock.picking_type_out").id, "location_id": self.shelf.id,
            "location_dest_id": customers.id,
            "move_lines": [(0, 0, {"name": "PSU out", "product_id": self.psu.id, "product_uom": self.psu.uom_id.id,
                                   "product_uom_qty": 9.0, "location_id": self.shelf.id,
                                   "location_dest_id": customers.id})]})
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(picking.move_lines.reserved_availability, 9.0)
        native = self._posted(self._native)
        ours = self._posted(self._ours)
        self.assertEqual(ours["quants"], native["quants"])
        psu = [row for row in ours["quants"] if row[0] == str(self.psu.id) and row[1] == str(self.shelf.id)]
        self.assertEqual([(row[4], row[5]) for row in psu], [("7.0", "6.0")],
                         "seven PSUs are left; Odoo freed the three missing ones from the delivery's nine")
