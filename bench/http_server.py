"""Odoo's own server, measuring every HTTP request it serves (benchmark only).

Started by bench_http.py exactly like scripts/odoo-bin, with ``--workers``: each
prefork worker serves one request at a time, so the CPU time of the process
between the start and the end of a request is that request's CPU. One JSON line
per request goes to the file named by FOREMAN_BENCH_STATS: path, wall, CPU,
SQL queries, the worker's peak RSS and how much the request itself grew it
(bench/rss.py). A request killed by Odoo's
limit_time_cpu/limit_time_real writes no line.
"""
import json
import os
import resource
import sys
import time

import odoo
from odoo import sql_db
from odoo.service import wsgi_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rss import PeakSampler  # noqa: E402  (next to this file, not a package)

_queries = [0]
_execute = sql_db.Cursor.execute


def _counting_execute(self, *args, **kwargs):
    _queries[0] += 1
    return _execute(self, *args, **kwargs)


def _measured(application, stats_path):
    def app(environ, start_response):
        cpu, wall, queries = time.process_time(), time.perf_counter(), _queries[0]
        sampler = PeakSampler()
        try:
            with sampler:
                return application(environ, start_response)
        finally:
            line = {"path": environ.get("PATH_INFO"), "pid": os.getpid(),
                    "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                    "queries": _queries[0] - queries,
                    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                    "rss_growth_mib": sampler.growth_mib}
            with open(stats_path, "a") as handle:
                handle.write(json.dumps(line) + "\n")
    return app


def main():
    sql_db.Cursor.execute = _counting_execute
    wsgi_server.application = _measured(wsgi_server.application, os.environ["FOREMAN_BENCH_STATS"])
    # the long-polling process is started again from sys.argv[0]: Odoo's plain launcher
    sys.argv[0] = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "odoo-bin")
    odoo.cli.main()


if __name__ == "__main__":
    main()
