# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Scans listed on the screen, latest first.
SCAN_HISTORY = 15
# What a scan keeps on the screen.
SCREEN_FIELDS = ("cycle_id", "location_id", "mode", "set_qty", "line_id", "history")


class CycleCountScan(models.TransientModel):
    """Counting screen driven by a barcode scanner."""

    _name = "foreman.cycle.count.scan"
    _description = "Cycle Count Barcode Scanning"
    _inherit = ["barcodes.barcode_events_mixin"]

    cycle_id = fields.Many2one("foreman.cycle.count.cycle", required=True, readonly=True)
    location_id = fields.Many2one(
        "stock.location", "Current Location", domain=[("usage", "=", "internal")],
        help="Scan a location barcode first; products and serials scanned next are counted here.")
    mode = fields.Selection(
        [("increment", "Add one per scan"), ("set", "Set the quantity below")],
        default="increment", required=True)
    set_qty = fields.Float("Quantity to Set", default=1.0)
    line_id = fields.Many2one("foreman.cycle.count.line", "Last Line Counted", readonly=True)
    barcode_input = fields.Char(
        "Barcode", help="Type a barcode (or scan into this field) and press Enter or Tab.")
    message = fields.Char("Last Scan", readonly=True)
    scan_warning = fields.Char("Warning", readonly=True)
    history = fields.Text("Scans So Far", readonly=True, help="The latest scans first.")

    @api.onchange("barcode_input")
    def _onchange_barcode_input(self):
        """A barcode typed by hand counts like a scanned one."""
        if self.barcode_input:
            barcode, self.barcode_input = self.barcode_input, False
            self.on_barcode_scanned(barcode)

    def on_barcode_scanned(self, barcode):
        """Process a scan and say what it did; a problem is shown, never blocks the next scan."""
        screen = self._screen_values()
        try:
            result = self.process_barcode(barcode)
        except UserError as error:
            self._show_scan(screen, barcode, warning=error.name)
            return
        screen.update(location_id=result.get("location"), line_id=result.get("line"))
        self._show_scan(screen, barcode, message=result["message"])

    def _screen_values(self):
        """What the screen holds before a scan.

        The screen is an unsaved record whose values live in the cache only, and counting may
        empty the whole cache (Odoo's unlink does, e.g. of the counter's finished activity):
        the values are put back after each scan.
        """
        return {name: self[name] for name in SCREEN_FIELDS}

    def _show_scan(self, screen, barcode, message=False, warning=False):
        entry = "%s: %s" % (barcode, message or _("not counted: %s") % warning)
        history = [entry] + (screen["history"] or "").splitlines()[:SCAN_HISTORY - 1]
        self.update(dict(screen, message=message, scan_warning=warning, history="\n".join(history)))

    def process_barcode(self, barcode):
        """Select a location, or count the product/serial at the current location."""
        barcode = (barcode or "").strip()
        cycle, location = self.cycle_id, self.location_id
        if cycle.state != "in_progress":
            raise UserError(_("Cycle %s is not being counted.") % cycle.name)
        place = self.env["stock.location"].search(
            [("barcode", "=", barcode), ("usage", "=", "internal")], limit=1)
        if place:
            return {"location": place, "line": self.line_id,
                    "message": _("Location %s: scan products or serial numbers.") % place.display_name}
        lot = self.env["stock.production.lot"].search([("name", "=", barcode)], limit=1)
        product = lot.product_id or self.env["product.product"].search([("barcode", "=", barcode)], limit=1)
        if not product:
            raise UserError(_("Barcode %s is not a location, product or serial number we know.") % barcode)
        if not location:
            raise UserError(_("Scan a location barcode before scanning items."))
        if product.tracking == "serial" and not lot:
            raise UserError(_("%s is tracked by serial number: scan the serial, not the product.")
                            % product.display_name)
        line = self._count(product, lot)
        return {"location": location, "line": line,
                "message": _("%(item)s: counted %(qty)s") % {
                    "item": line._describe(), "qty": line.counted_qty}}

    def _count(self, product, lot):
        Line = self.env["foreman.cycle.count.line"]
        line = Line.search([("cycle_id", "=", self.cycle_id.id), ("product_id", "=", product.id),
                            ("location_id", "=", self.location_id.id),
                            ("lot_id", "=", lot.id or False)], limit=1)
        quantity = self._new_quantity(line, product)
        if line:
            line.write({"counted_qty": quantity})
            return line
        return Line.create({"cycle_id": self.cycle_id.id, "product_id": product.id,
                            "location_id": self.location_id.id, "lot_id": lot.id or False,
                            "counted_qty": quantity})

    def _new_quantity(self, line, product):
        if product.tracking == "serial":
            if line.is_counted and line.counted_qty:
                raise UserError(_("Serial number %s is already counted here.") % line.lot_id.name)
            return 1.0
        if self.mode == "set":
            return self.set_qty
        return (line.counted_qty if line.is_counted else 0.0) + 1.0
