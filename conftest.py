"""pytest configuration shared by the addon's tests and the out-of-process ones."""
from pathlib import Path

import pytest

OUT_OF_PROCESS_TESTS = Path(__file__).resolve().parent / "tests"


def _out_of_process(path):
    path = Path(path).resolve()
    return path == OUT_OF_PROCESS_TESTS or OUT_OF_PROCESS_TESTS in path.parents


# pytest-odoo 1.0.1 treats every collected path as part of an Odoo addon and
# crashes on ours, which has no manifest: these hooks answer first for tests/.
def pytest_ignore_collect(collection_path, config):
    if not _out_of_process(collection_path):
        return None
    # answering first also answers for --ignore: honour it (scripts/test.sh leaves tests/browser out)
    path = Path(collection_path).resolve()
    ignored = [Path(str(item)).resolve() for item in config.getoption("ignore") or []]
    return any(path == item or item in path.parents for item in ignored)


def pytest_pycollect_makemodule(module_path, parent):
    if _out_of_process(module_path):
        return pytest.Module.from_parent(parent, path=Path(module_path))
    return None
