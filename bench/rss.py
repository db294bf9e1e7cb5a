"""Resident memory of this process, and its peak over a stretch of work (benchmark only).

``ru_maxrss`` is the peak of the process' whole life: it cannot tell what one
step added once an earlier step went higher. A thread samples the resident set
every few milliseconds while the step runs (Python hands the GIL over at least
every 5 ms, and whenever the step waits on PostgreSQL).
"""
import os
import threading

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / (1024.0 * 1024.0)


def current_mib():
    """Resident set size now (Linux /proc)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_MIB


class PeakSampler(object):
    """``with PeakSampler() as sampler: ...`` then ``sampler.growth_mib``: peak minus start."""

    def __init__(self, interval=0.005):
        self.interval = interval
        self.start_mib = self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak_mib = max(self.peak_mib, current_mib())

    def __enter__(self):
        self.start_mib = self.peak_mib = current_mib()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mib = max(self.peak_mib, current_mib())
        return False

    @property
    def growth_mib(self):
        return self.peak_mib - self.start_mib
