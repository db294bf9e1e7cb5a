# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Foreman Cycle Count",
    "summary": "Scheduled partial stock counts with discrepancy investigation "
               "and tiered approval",
    "version": "11.0.1.0.0",
    "category": "Warehouse",
    "website": "https://github.com/foreman/foreman_cycle_count",
    "author": "Foreman",
    "license": "LGPL-3",
    "depends": ["stock", "barcodes", "mail"],
    "data": [
        "security/foreman_cycle_count_security.xml",
        "security/ir.model.access.csv",
        "data/foreman_cycle_count_data.xml",
        "data/ir_cron_data.xml",
        "views/cycle_count_segment_views.xml",
        "views/cycle_count_plan_views.xml",
        "views/cycle_count_cycle_views.xml",
        "views/cycle_count_line_views.xml",
        "views/cycle_count_discrepancy_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
        "report/cycle_count_discrepancy_report.xml",
        "report/cycle_count_count_sheet.xml",
        "views/cycle_count_export_views.xml",
        "wizards/cycle_count_import_views.xml",
    ],
    "demo": [
        "demo/foreman_cycle_count_demo.xml",
        "demo/foreman_cycle_count_plan_demo.xml",
    ],
}
