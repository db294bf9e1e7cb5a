#!/usr/bin/env python
"""Benchmark a full cycle count of foreman_cycle_count on a generated warehouse.

Run it through ``make bench`` (scripts/bench.sh), which creates a throwaway
database with the addon installed and drops it afterwards. Direct use:

    .local/venv/bin/python bench/bench_cycle_count.py -c .local/odoo.conf -d <db> [--quants N] [--native]

Each part runs in a process of its own, so that its peak RSS is its own:

* ``setup``  generates the data: counters, coordinator and managers, products
  (through the ORM), 50 internal locations under WH/Stock/Bench, and the quants
  in one INSERT ... SELECT (a few serial-tracked products get one lot per quant);
* ``cycle``  runs the addon's workflow: calendar, start (snapshot), counting,
  submit (discrepancies), approvals, finalize (one stock.inventory);
* ``native`` (``--native``) runs Odoo's own stock.inventory on a separate
  location tree (WH/Stock/Bench Native) holding ``--native-quants`` quants.

Per step: wall time (time.perf_counter, the closing commit included), SQL
queries (every Cursor.execute of the process, counted by a wrapper), Python
CPU time of the process (time.process_time; wall minus CPU is mostly time
spent waiting for PostgreSQL) and the process' peak RSS so far
(ru_maxrss: it only grows, so a step's figure is the peak up to its end).
"""
from __future__ import print_function

import argparse
import cProfile
import collections
import contextlib
import datetime
import io
import json
import math
import os
import pstats
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from rss import PeakSampler  # bench/rss.py, next to this script

LOCATIONS = 50
DIFFERING_EVERY = 20            # one line in 20 differs from the books: 5 %
MAJOR_EVERY = 5                 # one differing ordinary line in 5 is major (6-10 units off)
SERIAL_PRODUCTS = 10
SERIAL_QUANT_SHARE = 200        # one quant in 200 is a serial number (250 of 50,000)
NATIVE_DEFAULT_QUANTS = 5000
# the databases the benchmark runs in: Inventory alone, or next to what a real company runs
PROFILES = ("stock", "company")
# the index the addon adds to Odoo's quants (foreman_cycle_count/models/stock_quant.py)
QUANT_INDEX = "foreman_cycle_count_stock_quant_product_location_index"

# Odoo 11's native inventory adjustment on 50,000 quants (2,000 products over
# 50 internal locations), one process, 2-core machines: /work/shared/PLATFORM.md
NATIVE_BASELINE = [
    ("create + `action_start` (all products, WH/Stock)", 2922.0, 308360, 803),
    ("set counted qty on 5 % of lines", 19.0, 2602, None),
    ("`action_done`", 223.0, 102803, None),
]

COORDINATOR = "foreman_cycle_count.group_cycle_count_coordinator"
MANAGER = "foreman_cycle_count.group_cycle_count_manager"
COUNTER = "foreman_cycle_count.group_cycle_count_counter"
BENCH_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True,
                 "no_reset_password": True}


class BenchError(Exception):
    """A benchmark step did not do what it should: reported without a traceback."""


def log(message):
    print("[bench] %s" % message, file=sys.stderr)
    sys.stderr.flush()


# ----------------------------------------------------------------------
# Measuring (inside a worker process)
# ----------------------------------------------------------------------
class Meter(object):
    """Counts every SQL query of the process and measures named steps."""

    def __init__(self, profile_dir=None, sql_top=0):
        import odoo.sql_db
        self.queries = 0
        self.patterns = None
        self.steps = []
        self.profile_dir = profile_dir
        self.sql_top = sql_top
        meter = self
        original = odoo.sql_db.Cursor.execute
        digits = re.compile(r"\b\d+\b")
        spaces = re.compile(r"\s+")

        def execute(cursor, query, params=None, log_exceptions=None):
            meter.queries += 1
            if meter.patterns is not None:
                text = query.decode("utf-8", "replace") if isinstance(query, bytes) else str(query)
                meter.patterns[spaces.sub(" ", digits.sub("N", text))[:300]] += 1
            return original(cursor, query, params, log_exceptions)

        odoo.sql_db.Cursor.execute = execute

    @staticmethod
    def peak_rss_mib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    @contextlib.contextmanager
    def step(self, key, label, cr, commit=True, **extra):
        """Measure the block and the commit that ends it (none with ``commit=False``: the caller rolls back)."""
        info = dict(key=key, label=label, **extra)
        profiler = cProfile.Profile() if self.profile_dir else None
        if self.sql_top:
            self.patterns = collections.Counter()
        log("step %s: %s ..." % (key, label))
        queries, wall, cpu = self.queries, time.perf_counter(), time.process_time()
        sampler = PeakSampler()
        with sampler:
            if profiler:
                profiler.enable()
            yield info
            if commit:
                cr.commit()
            if profiler:
                profiler.disable()
        info.update(
            wall=time.perf_counter() - wall, cpu=time.process_time() - cpu,
            queries=self.queries - queries, rss=self.peak_rss_mib(), rss_growth=sampler.growth_mib,
            rss_start=sampler.start_mib)
        if profiler:
            info["profile"] = self._save_profile(profiler, key)
        if self.patterns is not None:
            info["sql_top"] = self.patterns.most_common(self.sql_top)
            self.patterns = None
        log("step %s: %.1f s, %d queries, peak RSS %.0f MiB" % (
            key, info["wall"], info["queries"], info["rss"]))
        self.steps.append(info)

    def _save_profile(self, profiler, key):
        os.makedirs(self.profile_dir, exist_ok=True)
        path = os.path.join(self.profile_dir, "%s.prof" % key)
        profiler.dump_stats(path)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        with open(os.path.join(self.profile_dir, "%s.txt" % key), "w") as handle:
            handle.write(text.getvalue())
        return path


def progress(done, total, what):
    """A line on stderr at every tenth of a long loop."""
    if total >= 1000 and done % (total // 10) == 0:
        log("  %s/%s %s" % (format(done, ","), format(total, ","), what))


def fresh_request(env):
    """What a new RPC request starts with: an empty record cache."""
    env.cache.invalidate()


# ----------------------------------------------------------------------
# Data generation (worker "setup")
# ----------------------------------------------------------------------
def make_user(env, login, name, group_xmlids, company):
    groups = [env.ref("base.group_user").id] + [env.ref(xmlid).id for xmlid in group_xmlids]
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": name, "login": login, "password": login, "email": "%s@bench.example.com" % login,
        "company_id": company.id, "company_ids": [(6, 0, [company.id])],
        "groups_id": [(6, 0, groups)],
    }).id


def make_locations(env, parent, name, count):
    Location = env["stock.location"]
    root = Location.create({"name": name, "usage": "internal", "location_id": parent.id})
    children = [Location.create({
        "name": "L%02d" % (index + 1), "usage": "internal", "location_id": root.id,
        "barcode": "%s-L%02d" % (name.upper().replace(" ", "-"), index + 1)}).id
        for index in range(count)]
    return root.id, children


def make_products(env, count, prefix, category, tracking="none", price=None, offset=0):
    Product = env["product.product"]
    ids = []
    for index in range(offset, offset + count):
        ids.append(Product.create({
            "name": "%s %05d" % (prefix, index + 1),
            "default_code": "%s%05d" % (prefix[:2].upper(), index + 1),
            "barcode": "%s%07d" % ("29" if tracking == "none" else "28", index + 1),
            "type": "product", "tracking": tracking, "categ_id": category.id,
            "standard_price": price if price is not None else 1.0 + (index * 37) % 100,
        }).id)
        if (index - offset + 1) % 500 == 0:
            log("  %d/%d %s products" % (index - offset + 1, count, prefix))
    return ids


def ordinary_products_needed(quants, locations):
    serial = serial_quant_count(quants)
    return int(math.ceil((quants - serial) / float(max(1, locations // 2))))


def serial_quant_count(quants):
    return quants // SERIAL_QUANT_SHARE


def insert_quants(env, company_id, quants, products, serial_products, locations, tag):
    """Ordinary products each in half of the locations, plus one quant per serial number."""
    cr = env.cr
    serial = serial_quant_count(quants) if serial_products else 0
    ordinary = quants - serial
    per_product = max(1, len(locations) // 2)
    needed = int(math.ceil(ordinary / float(per_product)))
    if needed > len(products):
        raise BenchError("%d products needed, %d made" % (needed, len(products)))
    now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")
    cr.execute("""
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity, reserved_quantity,
                                 in_date, create_uid, create_date, write_uid, write_date)
        SELECT (%(products)s::int[])[p.i],
               (%(locations)s::int[])[((p.i * 7 + j) %% %(nloc)s) + 1],
               %(company)s, 1 + ((p.i * 7919 + j * 104729) %% 97), 0, %(now)s, 1, %(now)s, 1, %(now)s
          FROM generate_series(1, %(nprod)s) AS p(i), generate_series(0, %(per)s - 1) AS j
      ORDER BY p.i, j
         LIMIT %(n)s""", dict(products=products[:needed], locations=locations, nloc=len(locations),
                             company=company_id, now=now, nprod=needed, per=per_product, n=ordinary))
    if serial:
        Lot = env["stock.production.lot"]
        rows = []
        for index in range(serial):
            product_id = serial_products[index % len(serial_products)]
            lot = Lot.create({"name": "SN-%s-%05d" % (tag, index + 1), "product_id": product_id})
            rows.append((product_id, locations[index % len(locations)], lot.id))
        cr.execute("""
            INSERT INTO stock_quant (product_id, location_id, lot_id, company_id, quantity,
                                     reserved_quantity, in_date, create_uid, create_date, write_uid, write_date)
            SELECT r.product_id, r.location_id, r.lot_id, %s, 1, 0, %s, 1, %s, 1, %s
              FROM unnest(%s::int[], %s::int[], %s::int[]) AS r(product_id, location_id, lot_id)""",
                   (company_id, now, now, now, [row[0] for row in rows], [row[1] for row in rows],
                    [row[2] for row in rows]))
    cr.execute("SELECT count(*) FROM stock_quant WHERE location_id IN %s", (tuple(locations),))
    made = cr.fetchone()[0]
    if made != quants:
        raise BenchError("%d quants wanted under %s, %d inserted" % (quants, tag, made))
    return ordinary, serial


def worker_setup(env, meter, args):
    env = env(context=dict(env.context, **BENCH_CONTEXT))
    company = env.user.company_id
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    if not warehouse:
        raise BenchError("no warehouse: is stock installed?")
    native_quants = args.native_quants if args.native else 0
    fixture = {"quants": args.quants, "native_quants": native_quants, "company_id": company.id}

    # five coordinators and three managers: every discrepancy asks several approvers
    with meter.step("setup_users", "users: 3 counters, 5 coordinators, 3 managers", env.cr):
        fixture["counters"] = [make_user(env, "bench_counter%d" % n, "Bench Counter %d" % n, [COUNTER], company)
                               for n in (1, 2, 3)]
        fixture["lead"] = make_user(env, "bench_lead", "Bench Lead", [COORDINATOR], company)
        # the investigator documents, the lead approves: nobody approves what they documented
        fixture["investigator"] = make_user(env, "bench_lead2", "Bench Lead 2", [COORDINATOR], company)
        for n in (3, 4, 5):
            make_user(env, "bench_lead%d" % n, "Bench Lead %d" % n, [COORDINATOR], company)
        fixture["ops"] = make_user(env, "bench_ops", "Bench Operations", [MANAGER], company)
        fixture["finance"] = make_user(env, "bench_finance", "Bench Finance", [MANAGER], company)
        make_user(env, "bench_audit", "Bench Audit", [MANAGER], company)

    products_needed = max(ordinary_products_needed(args.quants, LOCATIONS),
                          ordinary_products_needed(native_quants, LOCATIONS) if native_quants else 0)
    with meter.step("setup_products", "products through the ORM", env.cr) as info:
        Category = env["product.category"]
        parts = Category.create({"name": "Bench Parts"})
        miners = Category.create({"name": "Bench Miners"})
        fixture["high_value_category_id"] = miners.id
        fixture["products"] = make_products(env, products_needed, "Bench Part", parts)
        fixture["serial_products"] = make_products(env, SERIAL_PRODUCTS, "Bench Miner", miners,
                                                   tracking="serial", price=2500.0)
        if args.profile == "company":
            value_in_real_time(env, parts | miners)
        info["label"] = "%s ordinary + %d serial-tracked products through the ORM" % (
            format(products_needed, ","), SERIAL_PRODUCTS)

    with meter.step("setup_quants", "locations, lots and quants", env.cr) as info:
        fixture["root"], fixture["locations"] = make_locations(
            env, warehouse.lot_stock_id, "Bench", LOCATIONS)
        ordinary, serial = insert_quants(env, company.id, args.quants, fixture["products"],
                                         fixture["serial_products"], fixture["locations"], "C")
        label = "%d locations, %s quants (%s with a serial number)" % (
            LOCATIONS, format(args.quants, ","), format(serial, ","))
        if native_quants:
            fixture["native_root"], fixture["native_locations"] = make_locations(
                env, warehouse.lot_stock_id, "Bench Native", LOCATIONS)
            insert_quants(env, company.id, native_quants, fixture["products"],
                          fixture["serial_products"], fixture["native_locations"], "N")
            label += "; native tree: %s quants" % format(native_quants, ",")
        info["label"] = label
        env.cache.invalidate()

    with meter.step("setup_plan", "plan: one cycle a year over WH/Stock/Bench", env.cr):
        plan = env["foreman.cycle.count.plan"].create({
            "name": "Bench plan", "company_id": company.id,
            "location_ids": [(6, 0, [fixture["root"]])],
            "counts_per_timeframe": 1, "cycles_per_count": 1,
            "user_ids": [(6, 0, fixture["counters"])],
            "minor_qty_limit": 5.0, "minor_value_limit": 1000.0,
            "high_value_category_ids": [(6, 0, [miners.id])],
        })
        fixture["plan"] = plan.id
    users = env["res.users"].browse(fixture["counters"] + [fixture["lead"], fixture["ops"], fixture["investigator"]])
    login = {user.id: user.login for user in users}
    fixture["logins"] = {"lead": login[fixture["lead"]], "ops": login[fixture["ops"]],
                         "investigator": login[fixture["investigator"]],
                         "counters": {str(user_id): login[user_id] for user_id in fixture["counters"]}}
    env.cr.execute("ANALYZE")
    return fixture


def value_in_real_time(env, categories):
    """The company profile: stock valued in real time at average cost, as stock_account's own tests set it."""
    if "property_valuation" not in categories._fields:
        raise BenchError("--profile company: stock_account is not installed in the database")
    categories.write({"property_valuation": "real_time", "property_cost_method": "average"})
    for category in categories:
        if not (category.property_stock_valuation_account_id and category.property_stock_journal):
            raise BenchError("--profile company: category %s has no stock valuation account or journal "
                             "(is a chart of accounts installed?)" % category.name)


# ----------------------------------------------------------------------
# The addon's workflow (worker "cycle")
# ----------------------------------------------------------------------
def planned_count(index, system_qty, is_serial):
    """The quantity counted on the index-th line (in id order): 5 % differ."""
    if index % DIFFERING_EVERY != DIFFERING_EVERY // 2:
        return system_qty
    if is_serial:
        return 0.0                                   # a missing serial number: major
    k = index // DIFFERING_EVERY
    delta = 6 + k % 5 if k % MAJOR_EVERY == 0 else 1 + k % 5
    if k % 2 and system_qty - delta >= 0:
        return system_qty - delta
    return system_qty + delta


# What the investigator writes on every discrepancy (enough to approve a major one).
DOCUMENTATION = {"root_cause": "miscount", "root_cause_note": "Shelf recounted against the open tickets.",
                 "resolution": "Adjust the books to the count."}


def document_all(env, user_id, cycle_id):
    """The bulk edit (Action > Edit Discrepancies) over every discrepancy of the cycle."""
    ids = env["foreman.cycle.count.discrepancy"].search([("cycle_id", "=", cycle_id)]).ids
    wizard = env["foreman.cycle.count.discrepancy.bulk"].sudo(user_id).with_context(active_ids=ids).create(
        dict(DOCUMENTATION))
    wizard.action_apply()


def worker_cycle(env, meter, args, fixture):
    from odoo import fields
    Cycle = env["foreman.cycle.count.cycle"]
    plan = env["foreman.cycle.count.plan"].browse(fixture["plan"])
    lead, ops = fixture["lead"], fixture["ops"]
    cr = env.cr
    today = fields.Date.from_string(fields.Date.context_today(plan))

    with meter.step("calendar", "`plan._generate_calendar()` (one cycle over the plan)", cr):
        plan.sudo(lead)._generate_calendar(today)
    cycles = Cycle.search([("plan_id", "=", plan.id), ("state", "=", "planned")])
    if len(cycles) != 1:
        raise BenchError("expected one planned cycle, got %d" % len(cycles))
    cycle_id = cycles.id

    with meter.step("start", "(a) `cycle.action_start()`", cr) as info:
        Cycle.sudo(lead).browse(cycle_id).action_start()
    cr.execute("SELECT count(*) FROM foreman_cycle_count_line WHERE cycle_id = %s", (cycle_id,))
    line_total = cr.fetchone()[0]
    if line_total != fixture["quants"]:
        raise BenchError("the cycle has %d lines for %d quants" % (line_total, fixture["quants"]))
    info["label"] = "(a) `cycle.action_start()`: snapshot of %s lines" % format(line_total, ",")
    physical = physical_start_seconds(cr, cycle_id)

    rows, counts = planned_counts(cr, cycle_id, lead)
    differing = sum(1 for index, row in enumerate(rows) if counts[index][2] != row[2])
    counters = len({user for _id, user, _qty in counts})

    if args.bulk:
        label = ("(b) enter counts: %s lines in one `write` per (counter, quantity) group, "
                 "%s differing" % (format(line_total, ","), format(differing, ",")))
        with meter.step("count", label, cr) as info:
            info["writes"] = count_in_bulk(env, counts)
    else:
        label = ("(b) enter counts: %s lines, one `write` request per line by its counter (%d counters), "
                 "%s differing" % (format(line_total, ","), counters, format(differing, ",")))
        with meter.step("count", label, cr) as info:
            Line = env["foreman.cycle.count.line"]
            ordered = sorted(counts, key=lambda count: (count[1], count[0]))
            for done, (line_id, user_id, qty) in enumerate(ordered, 1):
                fresh_request(env)
                Line.sudo(user_id).browse(line_id).write({"counted_qty": qty})
                cr.commit()
                progress(done, len(ordered), "lines counted")
            info["writes"] = len(counts)
    info["lines"] = line_total

    with meter.step("submit", "(c) `cycle.action_submit()`", cr) as info:
        Cycle.sudo(lead).browse(cycle_id).action_submit()
    cr.execute("""SELECT tier, count(*) FROM foreman_cycle_count_discrepancy
                   WHERE cycle_id = %s GROUP BY tier""", (cycle_id,))
    tiers = dict(cr.fetchall())
    discrepancies = sum(tiers.values())
    if discrepancies != differing:
        raise BenchError("%d lines differ but submit made %d discrepancies" % (differing, discrepancies))
    info["label"] = "(c) `cycle.action_submit()`: %s discrepancies (%s minor, %s major)" % (
        format(discrepancies, ","), format(tiers.get("minor", 0), ","), format(tiers.get("major", 0), ","))

    with meter.step("document", "(d) Edit Discrepancies: root cause, summary and resolution of all %s at once "
                    "(Coordinator; approval requests go out)" % format(discrepancies, ","), cr):
        fresh_request(env)
        document_all(env, fixture["investigator"], cycle_id)

    for tier, user, who in (("minor", lead, "Coordinator"), ("major", ops, "Manager")):
        cr.execute("SELECT id FROM foreman_cycle_count_discrepancy WHERE cycle_id = %s AND tier = %s "
                   "ORDER BY id", (cycle_id, tier))
        ids = [row[0] for row in cr.fetchall()]
        how = "in one call" if args.bulk else "one request per discrepancy"
        label = "(d) approve %s %s discrepancies (%s, %s)" % (format(len(ids), ","), tier, who, how)
        if tier == "minor":
            label += "; not required to finalize"
        with meter.step("approve_" + tier, label, cr):
            Discrepancy = env["foreman.cycle.count.discrepancy"].sudo(user)
            if args.bulk:
                Discrepancy.browse(ids).action_approve()
            else:
                for done, disc_id in enumerate(ids, 1):
                    fresh_request(env)
                    Discrepancy.browse(disc_id).action_approve()
                    cr.commit()
                    progress(done, len(ids), "discrepancies approved")

    with meter.step("finalize", "(d) `cycle.action_finalize()` (one stock.inventory)", cr) as info:
        fresh_request(env)
        Cycle.sudo(lead).browse(cycle_id).action_finalize()
    check_finalized(env, cycle_id, counts, rows, differing)
    info["label"] = "(d) `cycle.action_finalize()`: one stock.inventory of %s lines" % format(differing, ",")
    measure_analysis(env, meter, plan, lead, line_total, "")
    if args.analysis_lines > line_total:
        copies = -(-args.analysis_lines // line_total) - 1
        with meter.step("analysis_history", "history for the analysis: %d copies of the finalized cycle in SQL"
                        % copies, cr):
            copy_finalized_cycle(cr, cycle_id, copies)
        measure_analysis(env, meter, plan, lead, line_total * (copies + 1), "_history")
    return {"lines": line_total, "differing": differing, "discrepancies": discrepancies,
            "minor": tiers.get("minor", 0), "major": tiers.get("major", 0), "counters": counters,
            "physical_start": physical}


# The accuracy analysis' measures, as its pivot asks for them
ANALYSIS_MEASURES = ["items_counted", "items_discrepant", "discrepancy_rate", "target_rate", "variance_value",
                     "value_accuracy"]


def measure_analysis(env, meter, plan, lead, line_total, suffix):
    """(e) The accuracy analysis as a Coordinator opens it, on the finalized cycles' lines:
    read_group by cycle, location and category, the cycle list's rates, and the hotspot refresh."""
    Report = env["foreman.cycle.count.report"].sudo(lead)
    for key, groupby in (("analysis_cycle", "cycle_id"), ("analysis_location", "location_id"),
                         ("analysis_category", "categ_id"), ("analysis_month", "date:month")):
        key += suffix
        fresh_request(env)
        label = "(e) analysis: `read_group` by %s over %s counted lines" % (groupby, format(line_total, ","))
        with meter.step(key, label, env.cr) as info:
            groups = Report.read_group([("cycle_state", "=", "finalized")], [groupby.split(":")[0]]
                                       + ANALYSIS_MEASURES, [groupby], lazy=False)
        counted = sum(group["items_counted"] for group in groups)
        if counted != line_total:
            raise BenchError("the analysis by %s counts %d items for %d lines" % (groupby, counted, line_total))
        info["label"] += " (%s groups)" % format(len(groups), ",")
    fresh_request(env)
    with meter.step("analysis_cycle_list" + suffix, "(e) the cycle list's rate, target and trend", env.cr):
        cycles = env["foreman.cycle.count.cycle"].sudo(lead).search([("plan_id", "=", plan.id)])
        cycles.read(["discrepancy_rate", "target_discrepancy_rate", "is_above_target", "rate_trend"])
    fresh_request(env)
    with meter.step("analysis_hotspots" + suffix, "(e) `plan._refresh_hotspots()` (also run by finalize)",
                    env.cr):
        plan.sudo(lead)._refresh_hotspots()


def copy_finalized_cycle(cr, cycle_id, copies):
    """Earlier finalized cycles for the analysis: the cycle, its lines and discrepancies copied in SQL,
    one month apart before it (the rates are the same in each copy)."""
    def columns(table):
        cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id'"
                   " ORDER BY ordinal_position", (table,))
        return [row[0] for row in cr.fetchall()]

    def copy(table, alias, overrides, tail, params):
        names = columns(table)
        cr.execute("INSERT INTO %s (%s) SELECT %s FROM %s %s %s RETURNING id" % (
            table, ", ".join(names), ", ".join(overrides.get(name, "%s.%s" % (alias, name)) for name in names),
            table, alias, tail), params)
        return [row[0] for row in cr.fetchall()]

    for number in range(1, copies + 1):
        new_id = copy("foreman_cycle_count_cycle", "c", {
            "name": "c.name || '/H%d'" % number,
            "date_start": "(c.date_start - interval '%d month')::date" % number,
            "date_end": "(c.date_end - interval '%d month')::date" % number}, "WHERE c.id = %s", [cycle_id])[0]
        copy("foreman_cycle_count_line", "l", {"cycle_id": str(new_id)}, "WHERE l.cycle_id = %s", [cycle_id])
        copy("foreman_cycle_count_discrepancy", "d", {"cycle_id": str(new_id), "line_id": "nl.id"}, """
            JOIN foreman_cycle_count_line ol ON ol.id = d.line_id
            JOIN foreman_cycle_count_line nl ON nl.cycle_id = %s AND nl.product_id = ol.product_id
             AND nl.location_id = ol.location_id AND nl.lot_id IS NOT DISTINCT FROM ol.lot_id
             AND nl.owner_id IS NOT DISTINCT FROM ol.owner_id
           WHERE d.cycle_id = %s""", [new_id, cycle_id])
    cr.execute("ANALYZE foreman_cycle_count_line")
    cr.execute("ANALYZE foreman_cycle_count_discrepancy")


LINE_COLUMNS = ("cycle_id, plan_id, company_id, product_id, location_id, lot_id, owner_id, product_uom_id, "
                "segment_id, system_qty, unit_cost, user_id, state, is_counted, is_found, variance_qty, "
                "create_uid, create_date, write_uid, write_date")


def physical_start_seconds(cr, cycle_id):
    """The physical limit of the snapshot: one INSERT ... SELECT of the cycle's rows into the
    line table (its keys and indexes included), rolled back. Works on any DB-API cursor."""
    cr.execute("SAVEPOINT bench_physical")
    started = time.perf_counter()
    cr.execute("INSERT INTO foreman_cycle_count_line (%s) SELECT %s FROM foreman_cycle_count_line "
               "WHERE cycle_id = %%s" % (LINE_COLUMNS, LINE_COLUMNS), (cycle_id,))
    seconds = time.perf_counter() - started
    cr.execute("ROLLBACK TO SAVEPOINT bench_physical")
    return seconds


def planned_counts(cr, cycle_id, lead):
    """The cycle's lines (id, counter, system qty, serial?) and what the benchmark counts on each."""
    cr.execute("""
        SELECT l.id, l.user_id, l.system_qty, l.lot_id IS NOT NULL
          FROM foreman_cycle_count_line l WHERE l.cycle_id = %s ORDER BY l.id""", (cycle_id,))
    rows = cr.fetchall()
    return rows, [(line_id, user_id or lead, planned_count(index, system_qty, is_serial))
                  for index, (line_id, user_id, system_qty, is_serial) in enumerate(rows)]


def count_in_bulk(env, counts):
    """One `write` per (counter, quantity) group; returns the number of writes."""
    groups = collections.defaultdict(list)
    for line_id, user_id, qty in counts:
        groups[(user_id, qty)].append(line_id)
    for (user_id, qty), ids in sorted(groups.items()):
        env["foreman.cycle.count.line"].sudo(user_id).browse(ids).write({"counted_qty": qty})
    return len(groups)


# ----------------------------------------------------------------------
# One step in a fresh process (worker "step", --step-memory)
# ----------------------------------------------------------------------
# the export comes in review, where the users' review of a cycle happens
MEMORY_STEPS = ("calendar", "start", "count", "submit", "export", "export_counter", "document", "approve", "finalize")


def worker_step(env, meter, args, fixture):
    """Run one step of the cycle alone, so that the process' peak RSS is that step's."""
    from odoo import fields
    plan = env["foreman.cycle.count.plan"].browse(fixture["plan"])
    lead, cr = fixture["lead"], env.cr
    Cycle = env["foreman.cycle.count.cycle"]
    if args.step == "calendar":
        with meter.step("calendar", "`plan._generate_calendar()`", cr):
            plan.sudo(lead)._generate_calendar(fields.Date.from_string(fields.Date.context_today(plan)))
        return {}
    cycle = Cycle.search([("plan_id", "=", plan.id)], limit=1)
    if args.step == "start":
        with meter.step("start", "(a) `action_start()`", cr):
            Cycle.sudo(lead).browse(cycle.id).action_start()
    elif args.step == "count":
        counts = planned_counts(cr, cycle.id, lead)[1]
        with meter.step("count", "(b) counts in one `write` per (counter, quantity) group", cr):
            count_in_bulk(env, counts)
    elif args.step == "submit":
        with meter.step("submit", "(c) `action_submit()`", cr):
            Cycle.sudo(lead).browse(cycle.id).action_submit()
    elif args.step == "document":
        with meter.step("document", "(d) Edit Discrepancies on all of them at once", cr):
            document_all(env, fixture["investigator"], cycle.id)
    elif args.step == "approve":
        # the step "document" ran before, in a process of its own
        with meter.step("approve", "(d) approve every discrepancy, one call per tier", cr):
            for tier, user in (("minor", lead), ("major", fixture["ops"])):
                discrepancies = env["foreman.cycle.count.discrepancy"].sudo(user)
                discrepancies.search([("cycle_id", "=", cycle.id), ("tier", "=", tier)]).action_approve()
    elif args.step in ("export", "export_counter"):
        export_step(env, meter, cycle.id, lead if args.step == "export" else fixture["counters"][0], args.step)
    else:
        with meter.step("finalize", "(d) `action_finalize()`", cr):
            Cycle.sudo(lead).browse(cycle.id).action_finalize()
        rows, counts = planned_counts(cr, cycle.id, lead)
        check_finalized(env, cycle.id, counts, rows, sum(1 for (_id, _user, qty), row in zip(counts, rows)
                                                         if qty != row[2]))
    return {}


def export_step(env, meter, cycle_id, user_id, key):
    """(e) Export Results of the cycle in review as a coordinator (everything) or as one counter (their lines)."""
    import base64
    import zipfile
    cr = env.cr
    if key == "export":
        cr.execute("SELECT count(*) FROM foreman_cycle_count_line WHERE cycle_id = %s", (cycle_id,))
    else:
        cr.execute("SELECT count(*) FROM foreman_cycle_count_line WHERE cycle_id = %s AND user_id = %s",
                   (cycle_id, user_id))
    expected = cr.fetchone()[0]
    who = "Coordinator, every line" if key == "export" else "one Counter, their lines only"
    with meter.step(key, "(c') `export_results_xlsx()` (%s: %s lines)" % (who, format(expected, ",")), cr) as info:
        fresh_request(env)
        data = env["foreman.cycle.count.cycle"].sudo(user_id).browse(cycle_id).export_results_xlsx()
    content = base64.b64decode(data)
    info["bytes"] = len(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # sheet 2 is Lines: its rows less the header
        rows, tail = 0, b""
        with archive.open("xl/worksheets/sheet2.xml") as sheet:
            for chunk in iter(lambda: sheet.read(1 << 20), b""):
                rows += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]  # a tag cut between chunks is counted once, in the next one
    if rows - 1 != expected:
        raise BenchError("the export holds %d lines, the cycle %d" % (rows - 1, expected))
    info["label"] += ", %.1f MB" % (len(content) / 1e6)


def step_memory_report(args, steps):
    lines = ["", "## foreman_cycle_count, each step in a fresh process, %s" % args.started, "",
             "%s quants (addon %s, %d CPUs, Python %s). Counting and approvals in bulk. Peak RSS: the step's "
             "process at its peak; added by the step: that peak less the process' resident memory when the step "
             "began (Odoo's registry loaded)." % (
                 fmt_int(args.quants), args.addon_version, os.cpu_count() or 0, sys.version.split()[0]), "",
             "| step | wall | SQL queries | Python CPU | peak RSS | added by the step |", "|---|---|---|---|---|---|"]
    for result in steps:
        step = result["steps"][0]
        lines.append("| %s | %s | %s | %s | %s MiB | +%s MiB |" % (
            step["label"], fmt_wall(step["wall"]), fmt_int(step["queries"]), fmt_wall(step["cpu"]),
            fmt_int(step["rss"]), fmt_int(step["rss"] - step["rss_start"])))
    return "\n".join(lines) + "\n"


def check_finalized(env, cycle_id, counts, rows, differing):
    cr = env.cr
    cr.execute("SELECT state, inventory_id FROM foreman_cycle_count_cycle WHERE id = %s", (cycle_id,))
    state, inventory_id = cr.fetchone()
    if state != "finalized":
        raise BenchError("the cycle is %s after action_finalize" % state)
    cr.execute("SELECT state FROM stock_inventory WHERE id = %s", (inventory_id,))
    if cr.fetchone()[0] != "done":
        raise BenchError("the cycle's stock.inventory is not done")
    cr.execute("SELECT count(*) FROM stock_move WHERE inventory_id = %s AND state = 'done'", (inventory_id,))
    moves = cr.fetchone()[0]
    if moves != differing:
        raise BenchError("%d differing lines but %d done stock moves" % (differing, moves))
    # the counted figure is now on hand, for a sample of differing lines
    sample = [(line_id, qty) for (line_id, _user, qty), row in zip(counts, rows) if qty != row[2]][:50]
    cr.execute("""
        SELECT l.id, COALESCE(SUM(q.quantity), 0) FROM foreman_cycle_count_line l
          LEFT JOIN stock_quant q ON q.product_id = l.product_id AND q.location_id = l.location_id
               AND q.lot_id IS NOT DISTINCT FROM l.lot_id AND q.owner_id IS NOT DISTINCT FROM l.owner_id
         WHERE l.id IN %s GROUP BY l.id""", (tuple(line_id for line_id, _qty in sample),))
    on_hand = dict(cr.fetchall())
    wrong = [(line_id, qty, on_hand.get(line_id)) for line_id, qty in sample if on_hand.get(line_id) != qty]
    if wrong:
        raise BenchError("stock does not match the count after finalizing (line, counted, on hand): %s"
                         % wrong[:5])


# ----------------------------------------------------------------------
# Odoo's native inventory adjustment (worker "native")
# ----------------------------------------------------------------------
def worker_native(env, meter, args, fixture):
    Inventory = env["stock.inventory"]
    cr = env.cr
    quants = fixture["native_quants"]
    with meter.step("native_start", "create + `action_start` (all products, WH/Stock/Bench Native)", cr) as info:
        inventory = Inventory.create({
            "name": "Bench native inventory", "filter": "none",
            "location_id": fixture["native_root"], "company_id": fixture["company_id"]})
        inventory.action_start()
    inventory_id = inventory.id
    cr.execute("SELECT id, theoretical_qty, prod_lot_id IS NOT NULL FROM stock_inventory_line "
               "WHERE inventory_id = %s ORDER BY id", (inventory_id,))
    rows = cr.fetchall()
    if len(rows) != quants:
        raise BenchError("the native inventory has %d lines for %d quants" % (len(rows), quants))
    info["label"] = "create + `action_start`: %s lines (all products, WH/Stock/Bench Native)" % format(len(rows), ",")
    changes = [(line_id, planned_count(index, qty, is_serial))
               for index, (line_id, qty, is_serial) in enumerate(rows)]
    changes = [(line_id, qty) for (line_id, qty), row in zip(changes, rows) if qty != row[1]]
    how = "in one call per quantity" if args.bulk else "one `write` request per line"
    with meter.step("native_count", "set counted qty on %s lines (5 %%), %s" % (format(len(changes), ","), how), cr):
        Line = env["stock.inventory.line"]
        if args.bulk:
            groups = collections.defaultdict(list)
            for line_id, qty in changes:
                groups[qty].append(line_id)
            for qty, ids in sorted(groups.items()):
                Line.browse(ids).write({"product_qty": qty})
        else:
            for line_id, qty in changes:
                fresh_request(env)
                Line.browse(line_id).write({"product_qty": qty})
                cr.commit()
    # as users have it without the addon: Odoo 11 has no index on its quants' look-ups; then again with
    # the addon's index, on the same changes (the first validation is rolled back, index drop included)
    cr.execute("SAVEPOINT native_done")
    cr.execute("DROP INDEX IF EXISTS %s" % QUANT_INDEX)
    with meter.step("native_done", "`action_done` (%s moves), without the addon's quant index" % format(
            len(changes), ","), cr, commit=False):
        fresh_request(env)
        Inventory.browse(inventory_id).action_done()
    cr.execute("ROLLBACK TO SAVEPOINT native_done")
    env.cache.invalidate()
    with meter.step("native_done_indexed", "`action_done` (%s moves), with the addon's quant index" % format(
            len(changes), ","), cr):
        fresh_request(env)
        Inventory.browse(inventory_id).action_done()
    cr.execute("SELECT count(*) FROM stock_move WHERE inventory_id = %s AND state = 'done'", (inventory_id,))
    moves = cr.fetchone()[0]
    if moves != len(changes):
        raise BenchError("native: %d lines changed but %d done moves" % (len(changes), moves))
    return {"lines": len(rows), "changed": len(changes)}


def run_worker(args):
    """Load Odoo, run one part in a transaction of its own, write the results as JSON."""
    import odoo
    from odoo import api, SUPERUSER_ID
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level", args.log_level,
                                    "--max-cron-threads", "0"])
    meter = Meter(profile_dir=args.cprofile and os.path.join(args.cprofile, args.worker), sql_top=args.sql_top)
    result = {"worker": args.worker}
    fixture = None
    if args.worker != "setup":
        with open(args.fixture) as handle:
            fixture = json.load(handle)
    started = time.perf_counter()
    registry = odoo.registry(args.database)
    result["load"] = {"wall": time.perf_counter() - started, "rss": meter.peak_rss_mib()}
    with api.Environment.manage():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if args.worker == "setup":
                fixture = worker_setup(env, meter, args)
                with open(args.fixture, "w") as handle:
                    json.dump(fixture, handle)
            elif args.worker == "cycle":
                result["scale"] = worker_cycle(env, meter, args, fixture)
            elif args.worker == "step":
                result["scale"] = worker_step(env, meter, args, fixture)
            else:
                result["scale"] = worker_native(env, meter, args, fixture)
            cr.commit()
    result["steps"] = meter.steps
    with open(args.out, "w") as handle:
        json.dump(result, handle)


# ----------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------
def spawn(worker, args, workdir, step=None):
    out = os.path.join(workdir, "%s%s.json" % (worker, "-" + step if step else ""))
    command = [sys.executable, os.path.abspath(__file__), "--worker", worker, "-c", args.config,
               "-d", args.database, "--quants", str(args.quants), "--native-quants", str(args.native_quants),
               "--fixture", os.path.join(workdir, "fixture.json"), "--out", out,
               "--log-level", args.log_level, "--sql-top", str(args.sql_top),
               "--analysis-lines", str(args.analysis_lines)]
    for flag in ("native", "bulk"):
        if getattr(args, flag):
            command.append("--" + flag)
    if args.cprofile:
        command += ["--cprofile", args.cprofile]
    command += ["--profile", args.profile]
    if step:
        command += ["--step", step]
    log("running the %s worker%s" % (worker, " (%s)" % step if step else ""))
    process = subprocess.Popen(command)
    try:
        status = process.wait()
    finally:
        if process.poll() is None:      # interrupted: do not leave the worker on the database
            process.terminate()
            process.wait()
    if status != 0:
        raise BenchError("the %s worker failed (exit code %d): see its messages above" % (worker, status))
    with open(out) as handle:
        return json.load(handle)


def run_http(args, workdir):
    """The workflow over HTTP against a production-like server (bench_http.py)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_http
    with open(os.path.join(workdir, "fixture.json")) as handle:
        fixture = json.load(handle)
    try:
        steps = bench_http.run(args.config, args.database, fixture, planned_count, log,
                               port=args.http_port, workdir=workdir, documentation=DOCUMENTATION)
    except bench_http.HttpBenchError as error:
        raise BenchError(str(error))
    print("")
    print("## foreman_cycle_count over HTTP, %s (addon %s, %d CPUs, Odoo --workers=2, limit_time_cpu 60 s, "
          "limit_time_real 120 s; a step passes when each of its requests takes at most %d s CPU and %d s wall)"
          % (args.started, args.addon_version, os.cpu_count() or 0, bench_http.CPU_LIMIT, bench_http.WALL_LIMIT))
    print("")
    print("%s quants, one cycle over all of them." % format(args.quants, ","))
    print("")
    print(bench_http.report(steps))
    start = next((step for step in steps if step["name"] == "start"), None)
    if start and start["pass"]:
        physical, lines = http_physical_start(args, fixture)
        print("")
        print(start_against_physical(start["max_wall"], physical, lines))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"args": vars(args), "http": steps}, handle, indent=1)
    return 0 if all(step["pass"] for step in steps) else 1


def http_physical_start(args, fixture):
    """(seconds, rows) of the snapshot's physical limit on the benchmark database (see physical_start_seconds)."""
    import configparser
    import psycopg2
    config = configparser.ConfigParser()
    config.read(args.config)
    options = config["options"]
    connection = psycopg2.connect(dbname=args.database, host=options.get("db_host"),
                                  port=int(options.get("db_port")), user=options.get("db_user"))
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT id FROM foreman_cycle_count_cycle WHERE plan_id = %s ORDER BY id DESC LIMIT 1",
                       (fixture["plan"],))
            cycle_id = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM foreman_cycle_count_line WHERE cycle_id = %s", (cycle_id,))
            lines = cr.fetchone()[0]
            return physical_start_seconds(cr, cycle_id), lines
    finally:
        connection.rollback()
        connection.close()


def addon_version():
    """The commit of the addon measured, and whether its working tree differs from it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.check_output(["git", "-C", root, "log", "-1", "--format=%h"],
                                         stderr=subprocess.DEVNULL, universal_newlines=True).strip()
        dirty = subprocess.check_output(["git", "-C", root, "status", "--porcelain", "--", "foreman_cycle_count"],
                                        stderr=subprocess.DEVNULL, universal_newlines=True).splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return "commit %s%s" % (commit, " + uncommitted changes in %d addon files" % len(dirty) if dirty else "")


def fmt_int(value):
    return format(int(value), ",")


def fmt_wall(seconds):
    if seconds >= 100:
        return "%s s" % format(int(round(seconds)), ",")
    if seconds >= 10:
        return "%.1f s" % seconds
    return "%.2f s" % seconds


def step_rows(steps):
    rows = []
    for step in steps:
        rows.append("| %s | %s | %s | %s | %s | %s |" % (
            step["label"], fmt_wall(step["wall"]), fmt_int(step["queries"]),
            fmt_wall(step["cpu"]), "%s MiB" % fmt_int(step["rss"]), "+%s MiB" % fmt_int(step.get("rss_growth", 0))))
    return rows


def report(args, setup, cycle, native):
    scale = cycle["scale"]
    lines = []
    add = lines.append
    add("")
    add("## foreman_cycle_count benchmark, %s" % getattr(args, "started", "date unknown"))
    add("")
    add("Scale: %s quants (%s serial numbers) in %d internal locations under WH/Stock/Bench "
        "-> %s count lines, %s differing (5 %%) -> %s discrepancies (%s minor, %s major); "
        "%d counters. Counting and approvals: %s. Addon: %s, database profile '%s'. Machine: %d CPUs, Python %s." % (
            fmt_int(args.quants), fmt_int(serial_quant_count(args.quants)), LOCATIONS, fmt_int(scale["lines"]),
            fmt_int(scale["differing"]), fmt_int(scale["discrepancies"]), fmt_int(scale["minor"]),
            fmt_int(scale["major"]), scale["counters"],
            "bulk writes (--bulk)" if args.bulk else
            "one request per line / discrepancy (fresh cache and a commit each, as over RPC)",
            getattr(args, "addon_version", "unknown"), getattr(args, "profile", "stock"), os.cpu_count() or 0,
            sys.version.split()[0]))
    add("")
    add("Peak RSS is the process' peak so far (ru_maxrss never goes down); the workflow process "
        "starts at %s MiB once Odoo's registry is loaded. Python CPU: time.process_time of the "
        "process; the rest of the wall time is mostly spent waiting on PostgreSQL." % fmt_int(cycle["load"]["rss"]))
    add("")
    add("| step | wall | SQL queries | Python CPU | peak RSS | grown in the step |")
    add("|---|---|---|---|---|---|")
    lines.extend(step_rows(cycle["steps"]))
    flow = [step for step in cycle["steps"] if step["key"] != "calendar" and not step["key"].startswith("analysis")]
    add("| **total (a)-(d)** | **%s** | **%s** | %s | |" % (
        fmt_wall(sum(step["wall"] for step in flow)), fmt_int(sum(step["queries"] for step in flow)),
        fmt_wall(sum(step["cpu"] for step in flow))))
    add("")
    count = next(step for step in cycle["steps"] if step["key"] == "count")
    by_key = {step["key"]: step for step in cycle["steps"]}
    add("Per line: counting %.2f ms and %.2f queries, submit %.3f queries per discrepancy, approvals %.2f "
        "queries per discrepancy, finalize %.3f queries per adjusted line." % (
            1000.0 * count["wall"] / max(1, scale["lines"]), count["queries"] / float(max(1, scale["lines"])),
            by_key["submit"]["queries"] / float(max(1, scale["discrepancies"])),
            (by_key["approve_minor"]["queries"] + by_key["approve_major"]["queries"])
            / float(max(1, scale["discrepancies"])),
            by_key["finalize"]["queries"] / float(max(1, scale["differing"]))))
    add("")
    add(start_against_physical(by_key["start"]["wall"], scale["physical_start"], scale["lines"]))
    if native:
        native_done = next(step for step in native["steps"] if step["key"] == "native_done")
        indexed = next((step for step in native["steps"] if step["key"] == "native_done_indexed"), None)
        add("")
        add("Finalize against native (%s profile): %s for %s adjusted lines here, Odoo's `action_done` %s for %s "
            "moves (%s quants) without the addon's quant index: %.3f of native%s%s." % (
                getattr(args, "profile", "stock"),
                fmt_wall(by_key["finalize"]["wall"]), fmt_int(scale["differing"]), fmt_wall(native_done["wall"]),
                fmt_int(native["scale"]["changed"]), fmt_int(native["scale"]["lines"]),
                by_key["finalize"]["wall"] / max(native_done["wall"], 1e-9),
                "; with the index, native %s: %.3f of it" % (
                    fmt_wall(indexed["wall"]), by_key["finalize"]["wall"] / max(indexed["wall"], 1e-9))
                if indexed else "",
                "" if native["scale"]["changed"] == scale["differing"] else
                " (not the same number of changes: run with --native-quants %d to compare like with like)"
                % args.quants))
    add("")
    add("Native baseline (Odoo 11 `stock.inventory`, 50,000 quants, /work/shared/PLATFORM.md):")
    add("")
    add("| step | wall | SQL queries | peak RSS |")
    add("|---|---|---|---|")
    for label, wall, queries, rss in NATIVE_BASELINE:
        add("| %s | %s | %s | %s |" % (label, fmt_wall(wall), fmt_int(queries),
                                       "%s MiB" % fmt_int(rss) if rss else "—"))
    if native:
        add("")
        add("Native `stock.inventory` measured by this run on %s quants (WH/Stock/Bench Native, same products), "
            "%s (process starts at %s MiB):" % (
                fmt_int(native["scale"]["lines"]),
                "bulk writes" if args.bulk else "one write request per changed line",
                fmt_int(native["load"]["rss"])))
        add("")
        add("| step | wall | SQL queries | Python CPU | peak RSS | grown in the step |")
        add("|---|---|---|---|---|---|")
        lines.extend(step_rows(native["steps"]))
    add("")
    add("Data generation (not part of the comparison):")
    add("")
    add("| step | wall | SQL queries | Python CPU | peak RSS | grown in the step |")
    add("|---|---|---|---|---|---|")
    lines.extend(step_rows(setup["steps"]))
    if args.sql_top:
        for result in filter(None, (cycle, native)):
            for step in result["steps"]:
                add("")
                add("Most frequent queries of `%s`:" % step["key"])
                add("")
                for text, number in step.get("sql_top", []):
                    add("    %8s  %s" % (fmt_int(number), text))
    if args.cprofile:
        add("")
        add("cProfile dumps and top functions: %s/<worker>/<step>.prof and .txt" % args.cprofile)
    return "\n".join(lines) + "\n"


def start_against_physical(start_wall, physical, lines):
    return ("Start against its physical limit: `action_start` %s, one `INSERT ... SELECT` of the same %s rows "
            "into the line table (keys and indexes, rolled back) %s: %.2fx." % (
                fmt_wall(start_wall), fmt_int(lines), fmt_wall(physical), start_wall / max(physical, 1e-9)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark a full foreman_cycle_count cycle (start, count, submit, approve, "
                    "finalize), optionally against Odoo's native stock.inventory.")
    parser.add_argument("-c", "--config", help="Odoo configuration file (required to run)")
    parser.add_argument("-d", "--database",
                        help="a database with foreman_cycle_count installed without demo data: "
                             "the benchmark fills it (scripts/bench.sh makes a throwaway one)")
    parser.add_argument("--quants", type=int, default=50000,
                        help="quants (and so count lines) of the cycle (default: 50000, as the baseline)")
    parser.add_argument("--native", action="store_true",
                        help="also run Odoo's native stock.inventory flow, on a tree of its own "
                             "(slow: about 50 minutes at 50,000 quants)")
    parser.add_argument("--native-quants", type=int, default=None,
                        help="quants of the native run (default: %d, or --quants if smaller)"
                             % NATIVE_DEFAULT_QUANTS)
    parser.add_argument("--bulk", action="store_true",
                        help="count and approve with bulk writes instead of one request per line "
                             "and per discrepancy (what the user interface does)")
    parser.add_argument("--http", action="store_true",
                        help="run the cycle's steps over HTTP (JSON-RPC, as the web client) against an Odoo "
                             "started with --workers=2 and the default time limits, instead of in-process")
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("FOREMAN_BENCH_HTTP_PORT", 8769)),
                        help="port of that Odoo (default: 8769, or FOREMAN_BENCH_HTTP_PORT)")
    parser.add_argument("--analysis-lines", type=int, default=50000, metavar="N",
                        help="after the cycle, measure the accuracy analysis again over N counted lines: copies "
                             "of the finalized cycle, written in SQL as earlier finalized cycles (default: 50000)")
    parser.add_argument("--json", help="also write the raw figures to this JSON file")
    parser.add_argument("--cprofile", metavar="DIR",
                        help="profile every step with cProfile into DIR (slows the run down)")
    parser.add_argument("--profile", choices=PROFILES, default="stock",
                        help="the database: 'stock' (Inventory and the addon) or 'company' (what a real "
                             "company runs next to them: scripts/common.sh's COMPANY_PROFILE, real-time valuation "
                             "at average cost on the benchmark's categories); scripts/bench.sh installs it")
    parser.add_argument("--sql-top", type=int, default=0, metavar="N",
                        help="list the N most frequent query shapes of each step")
    parser.add_argument("--log-level", default="warn", help="Odoo's log level (default: warn)")
    parser.add_argument("--report-from", metavar="FILE",
                        help="print the report of an earlier run saved with --json, and run nothing")
    parser.add_argument("--check-args", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--step-memory", action="store_true",
                        help="run each step in a process of its own (counting and approvals in bulk) and print "
                             "each step's peak memory: whether it stays flat with --quants")
    parser.add_argument("--steps", default=",".join(MEMORY_STEPS),
                        help="with --step-memory: the steps to run, in order, comma-separated (default: all of %s; "
                             "a step needs the ones before it)" % ",".join(MEMORY_STEPS))
    parser.add_argument("--worker", choices=("setup", "cycle", "native", "step"), help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=MEMORY_STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--fixture", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.report_from:
        return args
    if args.quants < 100:
        parser.error("--quants must be at least 100")
    if args.native_quants is None:
        args.native_quants = min(NATIVE_DEFAULT_QUANTS, args.quants)
    elif args.native_quants < 100:
        parser.error("--native-quants must be at least 100")
    if not (args.config and args.database):
        parser.error("-c/--config and -d/--database are required")
    args.steps = [step for step in args.steps.split(",") if step]
    if set(args.steps) - set(MEMORY_STEPS):
        parser.error("--steps: unknown step(s) %s" % ", ".join(sorted(set(args.steps) - set(MEMORY_STEPS))))
    if args.cprofile:
        args.cprofile = os.path.abspath(args.cprofile)
    return args


def terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(argv)
    if args.check_args:
        return 0
    if not args.worker:
        # the driver stops its worker on the way out; a worker just dies (its transaction rolls back)
        signal.signal(signal.SIGTERM, terminate)
    try:
        if args.report_from:
            with open(args.report_from) as handle:
                saved = json.load(handle)
            print(report(argparse.Namespace(**saved["args"]), saved["setup"], saved["cycle"], saved["native"]))
            return 0
        if args.worker:
            run_worker(args)
            return 0
        args.addon_version = addon_version()
        args.started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        workdir = tempfile.mkdtemp(prefix="foreman-bench-")
        try:
            setup = spawn("setup", args, workdir)
            if args.http:
                return run_http(args, workdir)
            if args.step_memory:
                steps = [spawn("step", args, workdir, step) for step in MEMORY_STEPS if step in args.steps]
                print(step_memory_report(args, steps))
                if args.json:
                    with open(args.json, "w") as handle:
                        json.dump({"args": vars(args), "setup": setup, "steps": steps}, handle, indent=1)
                return 0
            cycle = spawn("cycle", args, workdir)
            native = spawn("native", args, workdir) if args.native else None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        text = report(args, setup, cycle, native)
        print(text)
        if args.json:
            with open(args.json, "w") as handle:
                json.dump({"args": vars(args), "setup": setup, "cycle": cycle, "native": native,
                           "baseline": NATIVE_BASELINE}, handle, indent=1)
        return 0
    except BenchError as error:
        log("FAILED: %s" % error)
        return 1
    except Exception:  # pylint: disable=broad-except
        traceback.print_exc()
        log("FAILED: unexpected error%s" % (" in the %s worker" % args.worker if args.worker else ""))
        return 1


if __name__ == "__main__":
    sys.exit(main())
