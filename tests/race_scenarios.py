"""Concurrent requests against a real database, as two users' RPC calls would race.

Run by tests/test_concurrency.py in a subprocess: ``python race_scenarios.py CONF DB``.
Builds its own small world (users without e-mail, one shelf, three products),
commits it, then runs each scenario through Odoo's RPC entry point
(odoo.service.model.execute_kw, with its retry on serialization failures) in
threads, and prints one JSON object with what every call returned.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import odoo
from odoo import SUPERUSER_ID, api

COUNTER = "foreman_cycle_count.group_cycle_count_counter"
COORDINATOR = "foreman_cycle_count.group_cycle_count_coordinator"
MANAGER = "foreman_cycle_count.group_cycle_count_manager"


def call(db, uid, model, method, *args):
    """One RPC call in its own thread's environment: ('ok', result) or (error class, message)."""
    with api.Environment.manage():
        try:
            return ["ok", odoo.service.model.execute_kw(db, uid, model, method, list(args))]
        except Exception as error:  # pylint: disable=broad-except
            return [type(error).__name__, str(getattr(error, "name", error))]


def in_thread(target, *args):
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", target(*args)))
    thread.start()
    return thread, result


def at_once(db, *calls):
    """Start the calls together; return their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(spec):
        barrier.wait()
        return call(db, *spec)
    threads = [in_thread(run, spec) for spec in calls]
    for thread, _result in threads:
        thread.join(120)
    return [result.get("value") for _thread, result in threads]


def build_world(registry):
    """Users, a shelf with stock and a started one-cycle plan, committed."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        base_user = env.ref("base.group_user")

        def user(login, group):
            return env["res.users"].with_context(no_reset_password=True).create({
                "name": login.title(), "login": login,
                "groups_id": [(6, 0, [base_user.id, env.ref(group).id])]}).id
        ids = {login: user(login, group) for login, group in (
            ("counter1", COUNTER), ("counter2", COUNTER), ("coordinator", COORDINATOR),
            ("manager1", MANAGER), ("manager2", MANAGER))}
        stock = env.ref("stock.stock_location_stock")
        shelf = env["stock.location"].create({"name": "Race Shelf", "usage": "internal", "location_id": stock.id})
        products = env["product.product"]
        for name, price in (("Race PSU", 120.0), ("Race Fan", 15.0), ("Race Miner", 2500.0)):
            product = env["product.product"].create({"name": name, "type": "product", "standard_price": price})
            env["stock.quant"]._update_available_quantity(product, shelf, 20.0)
            products |= product
        plan = env["foreman.cycle.count.plan"].create({
            "name": "Race plan", "location_ids": [(6, 0, shelf.ids)], "cycles_per_count": 1,
            "user_ids": [(6, 0, [ids["counter1"]])]})
        plan.action_generate_calendar()
        cycle = plan.cycle_ids.filtered(lambda c: c.state == "planned")[:1]
        cycle.sudo(ids["coordinator"]).action_start()
        ids.update(cycle=cycle.id, lines=cycle.line_ids.ids, shelf=shelf.id)
        return ids


def read(registry, model, record_id, fields):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env[model].browse(record_id).read(fields)[0]


def recount_while_counting(db, registry, ids):
    """A counter saves a line while a coordinator sends it to recount and commits first."""
    line_id = ids["lines"][0]
    first = call(db, ids["counter1"], "foreman.cycle.count.line", "write", [line_id], {"counted_qty": 5})
    with registry.cursor() as cr:
        env = api.Environment(cr, ids["coordinator"], {})
        env["foreman.cycle.count.line"].browse(line_id).action_send_to_recount(ids["counter2"])
        # the counter's request starts now, takes its snapshot, and waits for our row lock
        thread, result = in_thread(call, db, ids["counter1"], "foreman.cycle.count.line", "write",
                                   [line_id], {"counted_qty": 7})
        waited = wait_for_lock_wait(db)
        cr.commit()
    thread.join(120)
    line = read(registry, "foreman.cycle.count.line", line_id,
                ["user_id", "state", "first_counted_qty", "counted_qty", "is_counted"])
    return {"first": first, "late_count": result.get("value"), "waited": waited,
            "user_id": line["user_id"][0], "state": line["state"],
            "first_counted_qty": line["first_counted_qty"], "is_counted": line["is_counted"]}


def wait_for_lock_wait(db, seconds=20):
    """True once another session of this database waits for a row lock."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        with odoo.sql_db.db_connect("postgres").cursor() as cr:
            cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                       (db,))
            if cr.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def count_the_rest(db, ids, variances):
    """Count every line at its book quantity plus the variance given per product name, as its counter."""
    with odoo.registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        lines = env["foreman.cycle.count.line"].browse(ids["lines"])
        todo = [(line.id, line.user_id.id, line.system_qty + variances.get(line.product_id.name, 0.0))
                for line in lines if not line.is_counted]
    for line_id, user_id, qty in todo:
        outcome = call(db, user_id, "foreman.cycle.count.line", "write", [line_id], {"counted_qty": qty})
        assert outcome[0] == "ok", outcome


def finalize_twice_at_once(db, registry, ids):
    cycle = ids["cycle"]
    count_the_rest(db, ids, {"Race Fan": -2.0})
    submitted = call(db, ids["coordinator"], "foreman.cycle.count.cycle", "action_submit", [cycle])
    calls = at_once(db, (ids["coordinator"], "foreman.cycle.count.cycle", "action_finalize", [cycle]),
                    (ids["coordinator"], "foreman.cycle.count.cycle", "action_finalize", [cycle]))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        name = env["foreman.cycle.count.cycle"].browse(cycle).name
        inventories = env["stock.inventory"].search([("name", "=", name)])
        state = env["foreman.cycle.count.cycle"].browse(cycle).state
        moves = len(inventories.mapped("move_ids"))
        inventory_states = inventories.mapped("state")
    return {"submitted": submitted, "calls": calls, "inventories": len(inventories),
            "inventory_states": inventory_states, "moves": moves, "state": state}


def approve_twice_at_once(db, registry, ids):
    """Two Managers approve the same major discrepancy at the same moment."""
    world = new_cycle(registry, ids, "2026-12-31")
    count_the_rest(db, world, {"Race Miner": -12.0})
    call(db, ids["coordinator"], "foreman.cycle.count.cycle", "action_submit", [world["cycle"]])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        disc = env["foreman.cycle.count.discrepancy"].search([
            ("cycle_id", "=", world["cycle"]), ("product_id.name", "=", "Race Miner")])
        disc_id, tier = disc.id, disc.tier
    # a discrepancy is approved once documented (by someone who does not approve it)
    call(db, ids["coordinator"], "foreman.cycle.count.discrepancy", "write", [disc_id], {
        "root_cause": "miscount", "root_cause_note": "Counted twice.", "resolution": "Adjust to the count."})
    calls = at_once(db, (ids["manager1"], "foreman.cycle.count.discrepancy", "action_approve", [disc_id]),
                    (ids["manager2"], "foreman.cycle.count.discrepancy", "action_approve", [disc_id]))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        disc = env["foreman.cycle.count.discrepancy"].browse(disc_id)
        approvals = len(disc.message_ids.filtered(lambda m: "approved by" in (m.body or "")))
        approver = disc.approved_by_id.login
    return {"tier": tier, "calls": calls, "approvals": approvals, "approver": approver}


def new_cycle(registry, ids, date):
    """Another started cycle over the race shelf (the calendar's own is finalized)."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        plan = env["foreman.cycle.count.plan"].search([("name", "=", "Race plan")])
        cycle = env["foreman.cycle.count.cycle"].create({
            "plan_id": plan.id, "date_start": date, "date_end": date,
            "slice_ids": [(0, 0, {"location_id": ids["shelf"]})]})
        cycle.sudo(ids["coordinator"]).action_start()
        return dict(ids, cycle=cycle.id, lines=cycle.line_ids.ids, cycle_name=cycle.name)


def killed_during_finalize(db, registry, ids, conf):
    """The server dies (kill -9) once finalization has done its stock moves, before it commits."""
    world = new_cycle(registry, ids, "2026-12-30")
    count_the_rest(db, world, {"Race PSU": -3.0})
    call(db, ids["coordinator"], "foreman.cycle.count.cycle", "action_submit", [world["cycle"]])
    psu_before = on_hand(registry, "Race PSU", ids["shelf"])
    with registry.cursor() as cr:
        # finalization's first write to the cycle comes after the adjustment is done: hold it there
        cr.execute("SELECT id FROM foreman_cycle_count_cycle WHERE id = %s FOR UPDATE", (world["cycle"],))
        server = subprocess.Popen([sys.executable, os.path.abspath(__file__), conf, db, "--finalize",
                                   str(world["cycle"]), str(ids["coordinator"])],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        waited = wait_for_lock_wait(db, seconds=120)
        moves_written = session_holds(db, "stock_move_line")
        with odoo.sql_db.db_connect("postgres").cursor() as pg:
            pg.execute("SELECT left(query, 200) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                       (db,))
            blocked_at = [row[0] for row in pg.fetchall()]
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        cr.rollback()
    gone = wait_for_sessions_to_end(db)
    after_kill = cycle_outcome(registry, world)
    after_kill["psu"] = on_hand(registry, "Race PSU", ids["shelf"])
    again = call(db, ids["coordinator"], "foreman.cycle.count.cycle", "action_finalize", [world["cycle"]])
    after_retry = cycle_outcome(registry, world)
    after_retry["psu"] = on_hand(registry, "Race PSU", ids["shelf"])
    return {"waited": waited, "moves_written": moves_written, "blocked_at": blocked_at, "sessions_gone": gone, "psu_before": psu_before,
            "after_kill": after_kill, "again": again, "after_retry": after_retry}


def session_holds(db, table):
    """True when another session of the database has written to the table (uncommitted)."""
    # pg_class is per database: ask from inside it
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute("""
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE a.datname = %s AND c.relname = %s AND l.mode = 'RowExclusiveLock'""", (db, table))
        return bool(cr.fetchone()[0])


def wait_for_sessions_to_end(db, seconds=30):
    """True once no session of the database is left but idle ones of this process."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        with odoo.sql_db.db_connect("postgres").cursor() as cr:
            cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state <> 'idle'", (db,))
            if not cr.fetchone()[0]:
                return True
        time.sleep(0.1)
    return False


def on_hand(registry, product_name, location_id):
    with registry.cursor() as cr:
        cr.execute("""SELECT COALESCE(SUM(q.quantity), 0) FROM stock_quant q
                        JOIN product_product p ON p.id = q.product_id
                        JOIN product_template t ON t.id = p.product_tmpl_id
                       WHERE t.name = %s AND q.location_id = %s""", (product_name, location_id))
        return cr.fetchone()[0]


def cycle_outcome(registry, world):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cycle = env["foreman.cycle.count.cycle"].browse(world["cycle"])
        inventories = env["stock.inventory"].search([("name", "=", world["cycle_name"])])
        return {"state": cycle.state, "inventory": bool(cycle.inventory_id), "inventories": len(inventories),
                "inventory_states": inventories.mapped("state"),
                "done_moves": len(inventories.mapped("move_ids").filtered(lambda m: m.state == "done"))}


def finalize_and_exit(conf, db, cycle_id, uid):
    """The server side of killed_during_finalize: one finalization, as an RPC request."""
    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=critical"])
    with api.Environment.manage():
        odoo.registry(db)
        call(db, uid, "foreman.cycle.count.cycle", "action_finalize", [cycle_id])


def main(conf, db):
    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    with api.Environment.manage():
        registry = odoo.registry(db)
        ids = build_world(registry)
        report = {"recount_while_counting": recount_while_counting(db, registry, ids)}
        report["finalize_twice_at_once"] = finalize_twice_at_once(db, registry, ids)
        report["approve_twice_at_once"] = approve_twice_at_once(db, registry, ids)
        report["killed_during_finalize"] = killed_during_finalize(db, registry, ids, conf)
        report["users"] = {key: value for key, value in ids.items() if isinstance(value, int)}
    print("RACE-REPORT " + json.dumps(report))


if __name__ == "__main__":
    if "--finalize" in sys.argv:
        finalize_and_exit(sys.argv[1], sys.argv[2], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main(sys.argv[1], sys.argv[2])
