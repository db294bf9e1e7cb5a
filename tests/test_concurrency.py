"""Concurrent requests on one record end in one result and a clear message for the loser.

The scenarios (tests/race_scenarios.py) run in a subprocess against a database of
their own, built without demo data; scripts/test.sh drops it afterwards (name prefix).
"""
import json
import os
import subprocess
import sys

import pytest

import cluster

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, ".local", "odoo.conf")
PREFIX = os.environ.get("FOREMAN_TEST_DB_PREFIX", "foreman_test_%d" % os.getpid())
DB = PREFIX + "_race"
# a company's database (scripts/common.sh): stock_account values the moves the races make
COMPANY_PROFILE = os.environ.get("COMPANY_PROFILE", "")


def drop_database():
    conn = cluster.connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % DB)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def race():
    drop_database()  # a leftover of an interrupted run
    modules = ",".join(filter(None, ["foreman_cycle_count", COMPANY_PROFILE]))
    installed = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "odoo-bin"), "-c", CONF, "-d", DB, "-i", modules,
         "--without-demo=all", "--stop-after-init", "--log-level=warn"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    assert installed.returncode == 0, installed.stdout
    ran = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "race_scenarios.py"), CONF, DB],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    reports = [line for line in ran.stdout.splitlines() if line.startswith("RACE-REPORT ")]
    assert ran.returncode == 0 and reports, ran.stdout
    yield json.loads(reports[-1][len("RACE-REPORT "):])
    drop_database()


def test_count_saved_while_the_line_goes_to_recount_is_refused_clearly(race):
    result = race["recount_while_counting"]
    assert result["first"][0] == "ok"
    assert result["waited"], "the counter's request never waited for the recount's row lock"
    outcome, message = result["late_count"]
    assert outcome == "AccessError" and "just sent to another counter" in message, result
    # the recount won: the first count is kept for the coordinator, the line waits for its recounter
    assert result["user_id"] == race["users"]["counter2"]
    assert (result["state"], result["first_counted_qty"], result["is_counted"]) == ("recount", 5.0, False)


def test_two_finalizations_at_once_make_one_adjustment(race):
    result = race["finalize_twice_at_once"]
    assert result["submitted"][0] == "ok", result
    outcomes = sorted(call[0] for call in result["calls"])
    assert outcomes == ["UserError", "ok"], result
    loser = [call for call in result["calls"] if call[0] == "UserError"][0]
    assert "Only a cycle in review can be finalized" in loser[1]
    assert (result["state"], result["inventories"], result["inventory_states"], result["moves"]) == \
        ("finalized", 1, ["done"], 1)


def test_two_approvals_at_once_make_one_approval(race):
    result = race["approve_twice_at_once"]
    assert result["tier"] == "major"
    outcomes = sorted(call[0] for call in result["calls"])
    assert outcomes == ["UserError", "ok"], result
    loser = [call for call in result["calls"] if call[0] == "UserError"][0]
    assert "already approved" in loser[1]
    assert result["approvals"] == 1 and result["approver"] in ("manager1", "manager2")


def test_server_killed_during_finalization_leaves_the_cycle_in_review(race):
    result = race["killed_during_finalize"]
    assert result["waited"] and result["moves_written"], result
    assert "inventory_id" in result["blocked_at"][0], result
    assert result["sessions_gone"], result
    # all or nothing: the adjustment done before the kill was rolled back with everything else
    assert result["after_kill"] == {"state": "review", "inventory": False, "inventories": 0,
                                    "inventory_states": [], "done_moves": 0, "psu": 20}, result
    assert result["psu_before"] == 20
    assert result["again"][0] == "ok", result
    assert result["after_retry"] == {"state": "finalized", "inventory": True, "inventories": 1,
                                     "inventory_states": ["done"], "done_moves": 1, "psu": 17}, result
