"""The cycle's steps as users call them: JSON-RPC against Odoo with --workers=2 (bench_cycle_count --http).

Odoo runs as in production, with the default limits (limit_time_cpu 60 s,
limit_time_real 120 s), through bench/http_server.py, which records every
request's wall, CPU, queries and the worker's peak RSS. Each step is judged
against the margin the issue asks for: every request at most 30 s CPU and
60 s wall, and none killed.
"""
import json
import os
import subprocess
import sys
import time

import requests

CPU_LIMIT = 30.0
WALL_LIMIT = 60.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class HttpBenchError(Exception):
    pass


class StepFailed(HttpBenchError):
    """A step's request failed (or was killed): the steps after it cannot run."""


class Client(object):
    """One user's web session: JSON-RPC calls as the web client makes them."""

    def __init__(self, url, db, login):
        self.url, self.session, self.calls = url, requests.Session(), 0
        self._post("/web/session/authenticate", {"db": db, "login": login, "password": login})

    def _post(self, path, params):
        self.calls += 1
        response = self.session.post(self.url + path, json={
            "jsonrpc": "2.0", "method": "call", "params": params, "id": self.calls}, timeout=300)
        response.raise_for_status()
        payload = response.json()
        if payload.get("error"):
            data = payload["error"].get("data") or {}
            raise HttpBenchError("%s: %s" % (path, data.get("message") or payload["error"]))
        return payload["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post("/web/dataset/call_kw/%s/%s" % (model, method),
                          {"model": model, "method": method, "args": list(args), "kwargs": kwargs})


class Server(object):
    """Odoo with --workers=2 and the default time limits, on the benchmark database."""

    def __init__(self, config, db, port, workdir):
        self.stats = os.path.join(workdir, "requests.jsonl")
        self.log = os.path.join(workdir, "server.log")
        self.url = "http://127.0.0.1:%d" % port
        env = dict(os.environ, FOREMAN_BENCH_STATS=self.stats)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "bench", "http_server.py"), "-c", config, "-d", db,
             "--db-filter", "^%s$" % db, "--http-port", str(port), "--workers", "2", "--max-cron-threads", "0",
             "--limit-time-cpu", "60", "--limit-time-real", "120", "--logfile", self.log, "--log-level", "warn"],
            env=env)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/web/login", timeout=30).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise HttpBenchError("the Odoo server stopped at start (log: %s)" % self.log)
            time.sleep(1)
        raise HttpBenchError("the Odoo server did not answer within 2 minutes")

    def requests_since(self, offset):
        """Stats lines written after byte offset; and the new offset."""
        if not os.path.exists(self.stats):
            return [], offset
        with open(self.stats) as handle:
            handle.seek(offset)
            lines = [json.loads(line) for line in handle if line.strip()]
            return lines, handle.tell()

    def killed(self):
        with open(self.log) as handle:
            return sum(1 for line in handle if "limit exceeded" in line or "virtual real time limit" in line)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run(config, db, fixture, planned_count, log, port=8769, workdir="/tmp", documentation=None):
    """Start, count, submit, approve, finalize over HTTP; return one row per step."""
    server = Server(config, db, port, workdir)
    steps, offset = [], [0]
    killed_before = [0]

    def step(name, label, action):
        log("http step %s: %s ..." % (name, label))
        _between, offset[0] = server.requests_since(offset[0])   # reads between steps do not count
        started = time.perf_counter()
        failure = None
        try:
            action()
        except (HttpBenchError, requests.RequestException) as error:
            failure = str(error)[:300]
        wall = time.perf_counter() - started
        lines, offset[0] = server.requests_since(offset[0])
        rpc = [line for line in lines if line["path"].startswith("/web/dataset/call_kw")]
        killed = server.killed() - killed_before[0]
        killed_before[0] += killed
        row = {"name": name, "label": label, "wall": wall, "requests": len(rpc),
               "max_wall": max([line["wall"] for line in rpc] or [0.0]),
               "max_cpu": max([line["cpu"] for line in rpc] or [0.0]),
               "cpu": sum(line["cpu"] for line in rpc), "queries": sum(line["queries"] for line in rpc),
               "rss": max([line["rss_mib"] for line in rpc] or [0.0]),
               "rss_growth": max([line.get("rss_growth_mib", 0.0) for line in rpc] or [0.0]),
               "killed": killed, "failure": failure}
        row["pass"] = (not failure and not killed and row["max_cpu"] <= CPU_LIMIT
                       and row["max_wall"] <= WALL_LIMIT)
        log("http step %s: %.1f s, %d requests, longest %.1f s wall / %.1f s CPU, %s queries, %.0f MiB, %s" % (
            name, wall, row["requests"], row["max_wall"], row["max_cpu"], format(row["queries"], ","), row["rss"],
            "PASS" if row["pass"] else "FAIL"))
        steps.append(row)
        if failure:
            raise StepFailed("step %s failed: %s" % (name, failure))

    try:
        users = fixture["logins"]
        lead = Client(server.url, db, users["lead"])
        ops = Client(server.url, db, users["ops"])
        counters = {user_id: Client(server.url, db, login) for user_id, login in users["counters"].items()}
        step("calendar", "`action_generate_calendar` (one cycle over the plan)",
             lambda: lead.call("foreman.cycle.count.plan", "action_generate_calendar", [fixture["plan"]]))
        cycle_ids = lead.call("foreman.cycle.count.cycle", "search",
                              [("plan_id", "=", fixture["plan"]), ("state", "=", "planned")])
        if len(cycle_ids) != 1:
            raise HttpBenchError("expected one planned cycle, got %d" % len(cycle_ids))
        cycle = cycle_ids[0]
        step("start", "(a) `action_start`", lambda: lead.call("foreman.cycle.count.cycle", "action_start", [cycle]))
        lines = lead.call("foreman.cycle.count.line", "search_read", [("cycle_id", "=", cycle)],
                          ["user_id", "system_qty", "lot_id"], order="id")

        def count():
            for index, line in enumerate(lines):
                qty = planned_count(index, line["system_qty"], bool(line["lot_id"]))
                client = counters.get(str(line["user_id"] and line["user_id"][0]), lead)
                client.call("foreman.cycle.count.line", "write", [line["id"]], {"counted_qty": qty})
        step("count", "(b) `write` of each count by its counter (%d requests)" % len(lines), count)
        step("submit", "(c) `action_submit`", lambda: lead.call("foreman.cycle.count.cycle", "action_submit", [cycle]))
        discs = lead.call("foreman.cycle.count.discrepancy", "search_read", [("cycle_id", "=", cycle)], ["tier"])
        investigator = Client(server.url, db, users["investigator"])

        def document():
            # what Action > Edit Discrepancies sends for every discrepancy selected in the list
            wizard = investigator.call("foreman.cycle.count.discrepancy.bulk", "create", dict(documentation),
                                       context={"active_ids": [disc["id"] for disc in discs]})
            investigator.call("foreman.cycle.count.discrepancy.bulk", "action_apply", [wizard])
        step("document", "(d) Edit Discrepancies on all %d at once (Coordinator)" % len(discs), document)
        for tier, client, who in (("minor", lead, "Coordinator"), ("major", ops, "Manager")):
            ids = [disc["id"] for disc in discs if disc["tier"] == tier]
            step("approve_" + tier, "(d) approve %d %s, one request each (%s)" % (len(ids), tier, who),
                 lambda ids=ids, client=client: [client.call("foreman.cycle.count.discrepancy", "action_approve",
                                                             [disc_id]) for disc_id in ids])
        step("finalize", "(d) `action_finalize`",
             lambda: lead.call("foreman.cycle.count.cycle", "action_finalize", [cycle]))
        state = lead.call("foreman.cycle.count.cycle", "read", [cycle], ["state"])[0]["state"]
        if state != "finalized":
            raise HttpBenchError("the cycle is %s after finalizing" % state)
    except StepFailed as error:
        log(str(error))     # the table shows it
    finally:
        server.stop()
    return steps


def report(steps):
    rows = ["| step | wall | requests | longest request (wall / CPU) | CPU | SQL queries | worker peak RSS "
            "| most a request grew it | limits |", "|---|---|---|---|---|---|---|---|---|"]
    for row in steps:
        rows.append("| %s | %.2f s | %s | %.2f s / %.2f s | %.2f s | %s | %.0f MiB | %.0f MiB | %s |" % (
            row["label"], row["wall"], format(row["requests"], ","), row["max_wall"], row["max_cpu"], row["cpu"],
            format(row["queries"], ","), row["rss"], row.get("rss_growth", 0.0),
            "PASS" if row["pass"] else "**FAIL**%s" % (" (%d killed)" % row["killed"] if row["killed"] else "")))
    return "\n".join(rows)
