"""The README's commands work from wherever a newcomer clones, /root (mode 0700) included.

The private cluster runs as the 'postgres' system user, which cannot enter a
folder only root may traverse: the scripts then keep the cluster in that
user's home. Run here on a copy of scripts/ in a folder of mode 0700.
"""
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bash(clone, command):
    """Run a command with the clone's script settings (common.sh) sourced."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["FOREMAN_PGPORT"] = "54391"     # the socket's name only: the cluster listens on no TCP port
    return subprocess.run(["bash", "-c", 'source "%s/scripts/common.sh"; %s' % (clone, command)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          env=env, timeout=300)


@pytest.mark.skipif(os.geteuid() != 0, reason="the cluster runs as another user only when root runs the scripts")
def test_cluster_starts_from_a_clone_the_postgres_user_cannot_reach(tmp_path):
    home = tmp_path / "root-home"
    home.mkdir()
    os.chmod(str(home), 0o700)
    clone = home / "foreman"
    shutil.copytree(os.path.join(ROOT, "scripts"), str(clone / "scripts"))
    try:
        started = bash(clone, '"$ROOT/scripts/pg.sh" start && psql -U odoo -d postgres -tAc "SELECT 41 + 1"')
        assert started.returncode == 0, started.stdout
        assert started.stdout.strip().splitlines()[-1] == "42", started.stdout
        # a second run finds the same cluster again from the same checkout
        again = bash(clone, '"$ROOT/scripts/pg.sh" stop && "$ROOT/scripts/pg.sh" start && "$ROOT/scripts/pg.sh" status')
        assert again.returncode == 0 and "creating" not in again.stdout, again.stdout
    finally:
        bash(clone, '"$ROOT/scripts/pg.sh" stop')
        cluster = bash(clone, 'echo "cluster: $CLUSTER_DIR"').stdout.split("cluster: ")[-1].strip()
        if cluster and not cluster.startswith(str(home)):
            shutil.rmtree(cluster, ignore_errors=True)
