odoo.define('foreman_cycle_count.count_sheet', function (require) {
"use strict";
/**
 * The count sheet: an editable list where Enter after a quantity goes to the next
 * line's quantity (Odoo's own behaviour) and, on the last line, saves it instead of
 * opening a blank line (a found item is added with Create, on purpose).
 */
var ListRenderer = require('web.ListRenderer');
var ListView = require('web.ListView');
var viewRegistry = require('web.view_registry');

var CountSheetRenderer = ListRenderer.extend({
    _moveToNextLine: function () {
        if (this.currentRow !== null && this.currentRow >= this.state.data.length - 1) {
            return this.unselectRow();
        }
        return this._super.apply(this, arguments);
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
