# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CycleCountExportController(http.Controller):
    """Export Results: the workbook built for the logged-in user, as that user (record rules and groups apply)."""

    @http.route("/foreman_cycle_count/cycle/<int:cycle_id>/results.xlsx", type="http", auth="user")
    def export_results(self, cycle_id, **kwargs):
        cycle = request.env["foreman.cycle.count.cycle"].browse(cycle_id)
        # the bytes themselves: export_results_xlsx() would base64 them for RPC clients
        content = request.env["foreman.cycle.count.results.export"]._workbook(cycle)
        return request.make_response(content, headers=[
            ("Content-Type", XLSX_MIMETYPE), ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition("%s.xlsx" % cycle.name))])
