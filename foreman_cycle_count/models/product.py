# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import api, fields, models

from ..lib import accuracy


class ProductProduct(models.Model):
    _inherit = "product.product"

    cycle_count_velocity_class_id = fields.Many2one(
        "foreman.cycle.count.class", "Usage Class", readonly=True, index=True,
        default=lambda self: self._default_cycle_count_class(),
        help="A: moves most often, C: least often (outgoing moves over the classification window).")
    cycle_count_value_class_id = fields.Many2one(
        "foreman.cycle.count.class", "Value Class", readonly=True, index=True,
        default=lambda self: self._default_cycle_count_class(),
        help="A: the products holding most of the stock value, C: the least.")
    cycle_count_class_history_ids = fields.One2many(
        "foreman.cycle.count.class.history", "product_id", string="Class History", readonly=True)

    @api.model
    def _default_cycle_count_class(self):
        # until the scheduled refresh says otherwise, a product is counted like the slow movers
        return self.env.ref("foreman_cycle_count.cycle_count_class_c", raise_if_not_found=False)

    @api.model
    def _cycle_count_classify_unclassified(self):
        """Products without classes (created before the addon was installed) get the default one."""
        default = self._default_cycle_count_class()
        for name in ("cycle_count_velocity_class_id", "cycle_count_value_class_id"):
            self.with_context(active_test=False).search([(name, "=", False)]).write({name: default.id})

    @api.model
    def _cron_classify_cycle_count(self):
        """Refresh every company's A/B/C classes (scheduled action)."""
        # every company has its own moves and costs; companies are few
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            self.with_context(force_company=company.id)._classify_cycle_count(company)

    @api.model
    def _classify_cycle_count(self, company, today=None, products=None):
        """Classify stocked products by outgoing moves and stock value; history where a class changed.

        The classes are shares of ``products`` (default: every stocked product).
        Returns {product id: (usage class code, value class code)}.
        """
        today = today or fields.Date.from_string(fields.Date.context_today(self))
        if products is None:
            products = self.search([("type", "=", "product")])
        if not products:
            return {}
        date_from = today - datetime.timedelta(days=company.cycle_count_class_window_days)
        moves = self._cycle_count_move_counts(company, date_from, products)
        values = self._cycle_count_stock_values(company, products)
        velocity_cutoffs, value_cutoffs = self._cycle_count_class_cutoffs(company)
        velocity = accuracy.pareto_classes({product.id: moves.get(product.id, 0) for product in products},
                                           velocity_cutoffs)
        value = accuracy.pareto_classes({product.id: values.get(product.id, 0.0) for product in products},
                                        value_cutoffs)
        classes = {product_class.code: product_class for product_class in self.env["foreman.cycle.count.class"].search(
            [("code", "in", list(accuracy.CLASSES))])}
        self._write_cycle_count_classes(products, velocity, value, classes, moves, values, company, today)
        return {product_id: (velocity[product_id], value[product_id]) for product_id in products.ids}

    def _write_cycle_count_classes(self, products, velocity, value, classes, moves, values, company, today):
        """One write per pair of classes; a history line for each product whose classes changed."""
        history, groups = [], {}
        for product in products:
            pair = (classes[velocity[product.id]], classes[value[product.id]])
            if (product.cycle_count_velocity_class_id, product.cycle_count_value_class_id) != pair \
                    or not product.cycle_count_class_history_ids:
                history.append({
                    "product_id": product.id, "company_id": company.id, "date": fields.Date.to_string(today),
                    "velocity_class_id": pair[0].id, "value_class_id": pair[1].id,
                    "move_count": moves.get(product.id, 0), "stock_value": values.get(product.id, 0.0)})
                groups.setdefault(pair, self.browse())
                groups[pair] |= product
        for (velocity_class, value_class), group in groups.items():
            group.write({"cycle_count_velocity_class_id": velocity_class.id,
                         "cycle_count_value_class_id": value_class.id})
        History = self.env["foreman.cycle.count.class.history"]
        for vals in history:
            History.create(vals)

    @api.model
    def _cycle_count_class_cutoffs(self, company):
        """((A, B) cut-offs of the usage classes, (A, B) of the value classes), in percent.

        Override point: a policy other than the company's Pareto cut-offs.
        """
        cutoffs = (company.cycle_count_class_cutoff_a, company.cycle_count_class_cutoff_b)
        return cutoffs, cutoffs

    @api.model
    def _cycle_count_move_counts(self, company, date_from, products):
        """{product id: done moves out of internal locations since ``date_from``}, adjustments left out."""
        self.env.cr.execute("""
            SELECT move.product_id, COUNT(*)
              FROM stock_move move
              JOIN stock_location src ON src.id = move.location_id
              JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE move.state = 'done' AND move.company_id = %s AND move.date >= %s
               AND src.usage = 'internal' AND dest.usage NOT IN ('internal', 'inventory')
               AND move.product_id IN %s
             GROUP BY move.product_id""", (company.id, fields.Date.to_string(date_from), tuple(products.ids)))
        return dict(self.env.cr.fetchall())

    @api.model
    def _cycle_count_stock_values(self, company, products):
        """{product id: on-hand quantity in internal locations times cost in ``company``}."""
        self.env.cr.execute("""
            SELECT quant.product_id, SUM(quant.quantity)
              FROM stock_quant quant
              JOIN stock_location loc ON loc.id = quant.location_id
             WHERE loc.usage = 'internal' AND quant.company_id = %s AND quant.product_id IN %s
             GROUP BY quant.product_id""", (company.id, tuple(products.ids)))
        quantities = dict(self.env.cr.fetchall())
        costs = products.with_context(force_company=company.id)
        return {product.id: quantities[product.id] * product.standard_price
                for product in costs if product.id in quantities}
