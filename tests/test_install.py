"""The addon installs and uninstalls cleanly on a database without demo data.

Runs Odoo in subprocesses against a database of its own on the private
cluster; scripts/test.sh drops it afterwards (name prefix).
"""
import os
import subprocess
import sys

import cluster

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL = os.path.join(ROOT, ".local")
CONF = os.path.join(LOCAL, "odoo.conf")
PREFIX = os.environ.get("FOREMAN_TEST_DB_PREFIX", "foreman_test_%d" % os.getpid())
DB = PREFIX + "_nodemo"

UNINSTALL = """
import sys, odoo
odoo.tools.config.parse_config(['-c', sys.argv[1], '-d', sys.argv[2]])
with odoo.api.Environment.manage():
    with odoo.registry(sys.argv[2]).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env['ir.module.module'].search([('name', '=', 'foreman_cycle_count')]).button_immediate_uninstall()
"""


def odoo(*args):
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "odoo-bin"), "-c", CONF, "-d", DB,
         "--stop-after-init", "--log-level=warn"] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)


def query(sql):
    conn = cluster.connect(DB)
    try:
        with conn.cursor() as cr:
            cr.execute(sql)
            return cr.fetchall()
    finally:
        conn.close()


def errors_in(output):
    return [line for line in output.splitlines()
            if (" ERROR " in line or " CRITICAL " in line) and "Unmet dependencies" not in line]


def test_install_and_uninstall_without_demo_data():
    installed = odoo("-i", "foreman_cycle_count", "--without-demo=all")
    assert installed.returncode == 0, installed.stdout
    assert not errors_in(installed.stdout), installed.stdout
    assert query("SELECT state FROM ir_module_module WHERE name='foreman_cycle_count'") == [("installed",)]
    assert query("SELECT count(*) FROM foreman_cycle_count_plan") == [(0,)]
    assert query("SELECT count(*) FROM res_groups g JOIN ir_model_data d ON d.res_id = g.id "
                 "AND d.model = 'res.groups' WHERE d.module = 'foreman_cycle_count'") == [(3,)]

    uninstalled = subprocess.run([sys.executable, "-c", UNINSTALL, CONF, DB], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    assert uninstalled.returncode == 0, uninstalled.stdout
    assert not errors_in(uninstalled.stdout), uninstalled.stdout
    assert query("SELECT state FROM ir_module_module WHERE name='foreman_cycle_count'") == [("uninstalled",)]
    assert query("SELECT to_regclass('foreman_cycle_count_line')") == [(None,)]
    assert query("SELECT count(*) FROM ir_model_data WHERE module = 'foreman_cycle_count'") == [(0,)]
