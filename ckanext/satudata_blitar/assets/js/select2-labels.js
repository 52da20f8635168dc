/* CKAN's tag and format fields are select2 boxes (its "autocomplete" module): their combobox has no accessible name,
   so a screen reader announces an unnamed field (axe-core: aria-input-field-name). Each one is named by the label of
   the field it stands for, when select2 builds it. */
(function () {
  "use strict";
  var name = function (container) {
    var box = container.querySelector(".select2-selection[role=combobox]");
    var field = container.previousElementSibling;
    if (!box || box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby") || !field || !field.id) {
      return;
    }
    var label = document.querySelector("label[for='" + field.id + "']");
    if (!label) { return; }
    if (!label.id) { label.id = field.id + "-label"; }
    box.setAttribute("aria-labelledby", label.id);
  };
  var nameAll = function (root) {
    if (root.querySelectorAll) { root.querySelectorAll(".select2-container").forEach(name); }
  };
  document.addEventListener("DOMContentLoaded", function () {
    nameAll(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) { return; }
          if (node.classList.contains("select2-container")) { name(node); } else { nameAll(node); }
        });
      });
    }).observe(document.body, {childList: true, subtree: true});
  });
}());
