/* The table view (CKAN's DataTables view, in its frame): the row column is headed "No.", not "_id"; the cells of numeric columns (the DataStore's int, float
   and numeric types, in the second header row's data-type) are right-aligned and written with the page language's
   separators (id: 58.231 and 12,5), after every draw. The data, sorting and downloads are unchanged. */
(function ($) {
  'use strict';
  var NUMERIC = /^(int|float|numeric|money)/;
  var lang = document.documentElement.lang || 'id';
  function decorate(table) {
    var api = $(table).DataTable();
    api.columns().every(function (index) {
      var type = $('#cdx' + index).attr('data-type') || '';
      if (!NUMERIC.test(type)) { return; }
      $(this.nodes()).each(function () {
        var cell = $(this);
        cell.addClass('dt-body-right satudata-num');
        var text = cell.text().trim();
        if (cell.attr('data-raw') === undefined && /^-?\d+(\.\d+)?$/.test(text)) {
          cell.attr('data-raw', text);
          var decimals = (text.split('.')[1] || '').length;
          cell.text(Number(text).toLocaleString(lang, {minimumFractionDigits: decimals, maximumFractionDigits: decimals}));
        }
      });
    });
  }
  // The row column: "No." (in the page's language) rather than the DataStore's "_id", before the table is built;
  // the footer's caption names the dataset by its title (CKAN's script reads data-package-name when it builds it).
  var heading = document.querySelector('meta[name=satudata-row-heading]');
  var rowHeading = heading ? heading.content : 'No.';
  var title = document.querySelector('meta[name=satudata-dataset-title]');
  $('#dtprv th[data-name=_id]').text(rowHeading);
  if (title) { $('#dtprv').attr('data-package-name', title.content); }
  // CKAN's script writes the sort line ("Sort: _id") on each sort, before the draw that follows it.
  function renameRowColumn() {
    $('div.sortinfo').contents().each(function () {
      if (this.nodeType === 3 && this.nodeValue.indexOf('_id') >= 0) {
        this.nodeValue = this.nodeValue.replace(/_id/g, rowHeading);
      }
    });
  }
  // The caption's tooltip, written by the portal (dates in its zone and format, sizes in KB).
  var info = document.querySelector('meta[name=satudata-resource-info]');
  function describeResource() {
    if (info) { $('div.resourceinfo i').attr('title', info.content); }
  }
  $(document).on('draw.dt', function (event, settings) { decorate(settings.nTable); renameRowColumn(); describeResource(); });
  // CKAN's script builds the caption when the table is initialised, after its first draw.
  $(document).on('init.dt', describeResource);
})(jQuery);
