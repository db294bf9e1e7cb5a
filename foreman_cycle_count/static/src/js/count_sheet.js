odoo.define('foreman_cycle_count.count_sheet', function (require) {
"use strict";
/**
 * The count sheet: an editable list where Enter after a quantity goes to the next
 * line's quantity and, on the last line, saves it instead of opening a blank line
 * (a found item is added with Create, on purpose).
 */
var ListRenderer = require('web.ListRenderer');
var ListView = require('web.ListView');
var viewRegistry = require('web.view_registry');

var CountSheetRenderer = ListRenderer.extend({
    /**
     * Odoo goes to the first focusable cell of the next line, which on the count sheet is
     * the cycle's link: stay in the column being typed in (the quantity) instead.
     */
    _moveToNextLine: function () {
        if (this.currentRow === null) {
            return this._super.apply(this, arguments);
        }
        var record = this.state.data[this.currentRow];
        if (this.canBeSaved(record.id).length) {
            return $.when();
        }
        if (this.currentRow >= this.state.data.length - 1) {
            return this.unselectRow();
        }
        return this._selectCell(this.currentRow + 1, this.currentFieldIndex);
    },
});

var CountSheetView = ListView.extend({
    config: _.extend({}, ListView.prototype.config, {
        Renderer: CountSheetRenderer,
    }),
});

viewRegistry.add('foreman_count_sheet', CountSheetView);

return {CountSheetRenderer: CountSheetRenderer, CountSheetView: CountSheetView};
});
