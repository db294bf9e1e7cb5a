"""The private cluster as the scripts set it up: its connection comes from .local/odoo.conf."""
import configparser
import os

import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, ".local", "odoo.conf")


def connect(dbname):
    """A connection to a database of the private cluster, as the 'odoo' role."""
    config = configparser.ConfigParser()
    config.read(CONF)
    options = config["options"]
    return psycopg2.connect(dbname=dbname, host=options["db_host"], port=int(options["db_port"]),
                            user=options["db_user"])
