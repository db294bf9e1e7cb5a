.PHONY: run rebuild test browser lint bench pot stop

run:      ## set everything up and serve Odoo with demo data on http://127.0.0.1:8069
	bash scripts/run.sh

rebuild:  ## same as run, after throwing away the virtualenv, cluster and database
	bash scripts/run.sh --rebuild

test:     ## run the whole test suite against a throwaway database
	bash scripts/test.sh

browser:  ## the browser suite: headless Chromium against a real Odoo on a throwaway database
	bash scripts/browser.sh

lint:     ## pylint with OCA's pylint-odoo checks
	bash scripts/lint.sh

bench:    ## benchmark start/finalize of a cycle against Odoo's native inventory
	bash scripts/bench.sh

pot:      ## regenerate the translation template from the dev database
	bash scripts/pot.sh

stop:     ## stop the private PostgreSQL if something left it running
	bash scripts/pg.sh stop
