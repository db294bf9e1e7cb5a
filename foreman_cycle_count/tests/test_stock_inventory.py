# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests.common import SavepointCase

MOVE_FIELDS = ("product_id", "location_id", "location_dest_id", "product_uom_qty", "product_qty", "quantity_done",
               "product_uom", "state", "name", "reference", "restrict_partner_id", "scrapped", "procure_method",
               "company_id", "picking_id", "partner_id")
MOVE_LINE_FIELDS = ("product_id", "location_id", "location_dest_id", "qty_done", "product_qty", "product_uom_qty",
                    "product_uom_id", "lot_id", "owner_id", "package_id", "result_package_id", "state", "reference")
LINE_FIELDS = ("product_id", "location_id", "prod_lot_id", "partner_id", "theoretical_qty", "product_qty",
               "product_name", "product_code", "location_name", "prodlot_name", "company_id")


class TestSetwiseAdjustment(SavepointCase):
    """A cycle's adjustment posted set-wise leaves what Odoo's own validation leaves."""

    @classmethod
    def setUpClass(cls):
        super(TestSetwiseAdjustment, cls).setUpClass()
        env = cls.env
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.user.company_id.id)], limit=1)
        cls.shelf = env["stock.location"].create({"name": "Adjustment Shelf", "location_id": warehouse.lot_stock_id.id})
        cls.customer = env["res.partner"].create({"name": "Hosting Customer"})
        product = env["product.product"]
        cls.psu = product.create({"name": "PSU APW12", "type": "product", "default_code": "PSU-12"})
        cls.fan = product.create({"name": "Fan 120mm", "type": "product"})
        cls.cable = product.create({"name": "C13 cable", "type": "product"})
        cls.board = product.create({"name": "Hashboard", "type": "product"})
        cls.rig = product.create({"name": "Hosted rig", "type": "product"})
        cls.miner = product.create({"name": "Antminer S19", "type": "product", "tracking": "serial"})
        cls.serial = env["stock.production.lot"].create({"name": "S19-0001", "product_id": cls.miner.id})
        Quant = env["stock.quant"]
        Quant._update_available_quantity(cls.psu, cls.shelf, 10.0)
        Quant._update_available_quantity(cls.fan, cls.shelf, 5.0)
        Quant._update_available_quantity(cls.miner, cls.shelf, 1.0, lot_id=cls.serial)
        Quant._update_available_quantity(cls.rig, cls.shelf, 6.0, owner_id=cls.customer)
        # one item held in two quants, as Odoo does when the first is locked
        for quantity, date in ((3.0, "2026-01-05 08:00:00"), (4.0, "2026-03-01 08:00:00")):
            Quant.create({"product_id": cls.board.id, "location_id": cls.shelf.id, "quantity": quantity,
                          "in_date": date})

    def _line(self, product, theoretical, counted, lot=None, owner=None):
        return {
            "product_id": product.id, "product_uom_id": product.uom_id.id, "rounding": product.uom_id.rounding,
            "location_id": self.shelf.id, "prod_lot_id": lot.id if lot else False,
            "partner_id": owner.id if owner else False,
            "loss_location_id": product.property_stock_inventory.id,
            "theoretical_qty": theoretical, "product_qty": counted,
        }

    def _changes(self):
        return [
            self._line(self.psu, 10.0, 7.0),                        # three missing
            self._line(self.fan, 5.0, 8.0),                         # three found
            self._line(self.miner, 1.0, 0.0, lot=self.serial),      # a missing serial: its quant goes
            self._line(self.cable, 0.0, 2.0),                       # found where the books had none
            self._line(self.board, 7.0, 5.0),                       # split over two quants
            self._line(self.rig, 6.0, 4.0, owner=self.customer),    # a customer's stock
        ]

    def _new_inventory(self):
        inventory = self.env["stock.inventory"].create({
            "name": "CC/TEST/0001", "filter": "partial", "location_id": self.shelf.id})
        inventory.action_start()
        return inventory

    def _stock(self):
        products = self.psu | self.fan | self.cable | self.board | self.rig | self.miner
        quants = self.env["stock.quant"].search([("product_id", "in", products.ids)])
        return sorted((q.product_id.name, q.location_id.complete_name, q.lot_id.name or "", q.owner_id.name or "",
                       q.quantity, q.reserved_quantity) for q in quants)

    @staticmethod
    def _rows(records, names):
        def plain(value):
            return value.id if hasattr(value, "_name") else value
        return sorted(tuple(str(plain(record[name])) for name in names) for record in records)

    def _posting_result(self, inventory):
        inventory.invalidate_cache()
        return {
            "state": inventory.state,
            "lines": self._rows(inventory.line_ids, LINE_FIELDS),
            "moves": self._rows(inventory.move_ids, MOVE_FIELDS),
            "move_lines": self._rows(inventory.move_ids.mapped("move_line_ids"), MOVE_LINE_FIELDS),
            "stock": self._stock(),
        }

    def _posted(self, post):
        """What posting leaves, rolled back afterwards so that both ways start from the same stock."""
        self.env.cr.execute("SAVEPOINT compare_posting")
        try:
            inventory = self._new_inventory()
            post(inventory)
            self.env["stock.quant"].invalidate_cache()
            return self._posting_result(inventory)
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT compare_posting")
            self.env.clear()

    def _native(self, inventory):
        inventory.write({"line_ids": [(0, 0, inventory._orm_line_values(vals)) for vals in self._changes()]})
        inventory._validate_natively()

    def test_setwise_posting_leaves_what_odoo_validation_leaves(self):
        before = self._stock()
        native = self._posted(self._native)
        setwise = self._posted(lambda inventory: inventory._post_counted_variances(self._changes()))
        self.assertEqual(native["state"], "done")
        self.assertEqual(len(native["moves"]), 6)
        for part in ("state", "lines", "moves", "move_lines", "stock"):
            self.assertEqual(setwise[part], native[part], part)
        self.assertNotEqual(setwise["stock"], before)

    def test_counted_figures_are_on_hand_after_posting(self):
        inventory = self._new_inventory()
        inventory._post_counted_variances(self._changes())
        self.env["stock.quant"].invalidate_cache()
        on_hand = {(q.product_id, q.lot_id, q.owner_id): q.quantity for q in self.env["stock.quant"].search(
            [("location_id", "=", self.shelf.id)])}
        self.assertEqual(on_hand[(self.psu, self.serial.browse(), self.customer.browse())], 7.0)
        self.assertEqual(on_hand[(self.cable, self.serial.browse(), self.customer.browse())], 2.0)
        self.assertEqual(on_hand[(self.rig, self.serial.browse(), self.customer)], 4.0)
        self.assertNotIn((self.miner, self.serial, self.customer.browse()), on_hand)
        boards = self.env["stock.quant"].search([("product_id", "=", self.board.id),
                                                  ("location_id", "=", self.shelf.id)], order="in_date, id")
        self.assertEqual(boards.mapped("quantity"), [1.0, 4.0], "the oldest quant takes the change, first in first out")
        self.assertEqual(inventory.move_ids.mapped("state"), ["done"] * 6)

    def test_stock_reserved_by_a_delivery_goes_through_odoo_which_frees_the_reservation(self):
        delivery_type = self.env.ref("stock.picking_type_out")
        picking = self.env["stock.picking"].create({
            "picking_type_id": delivery_type.id, "location_id": self.shelf.id,
            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            "move_lines": [(0, 0, {"name": "PSU out", "product_id": self.psu.id, "product_uom": self.psu.uom_id.id,
                                   "product_uom_qty": 9.0, "location_id": self.shelf.id,
                                   "location_dest_id": self.env.ref("stock.stock_location_customers").id})]})
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(picking.move_lines.reserved_availability, 9.0)

        def reserved_outcome(post):
            def run(inventory):
                post(inventory)
                picking.invalidate_cache()
            outcome = self._posted(run)
            return outcome["stock"], outcome["moves"]
        native = reserved_outcome(self._native)
        setwise = reserved_outcome(lambda inventory: inventory._post_counted_variances(self._changes()))
        self.assertEqual(setwise, native)
        psu = [row for row in setwise[0] if row[0] == "PSU APW12" and row[1] == self.shelf.complete_name]
        self.assertEqual(psu, [("PSU APW12", self.shelf.complete_name, "", "", 7.0, 6.0)],
                         "seven PSUs are left; Odoo freed the three missing ones from the delivery's nine")
