/* CKAN's resource upload field (package/snippets/resource_upload_field.html) switches between a file and a link
   with inline onclick handlers, which the portal's Content-Security-Policy does not run (script-src 'self'). The
   same behaviour from this file; the inline handlers are removed so that they never run twice where a policy
   allows them. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var first = function () { return byId("resource-upload-button") || byId("resource-link-button"); };
  var check = function (id) { var input = byId(id); if (input) { input.checked = true; } };
  var focus = function (id) { var input = byId(id); if (input) { input.focus(); } };

  document.querySelectorAll(".resource-upload-field button[onclick]").forEach(function (button) {
    button.removeAttribute("onclick");
    var action = null;
    if (button.id === "resource-upload-button") {
      action = function () { check("resource-url-upload"); var file = byId("field-resource-upload"); if (file) { file.click(); } };
    } else if (button.id === "resource-link-button") {
      action = function () { check("resource-url-link"); focus("field-resource-url"); };
    } else if (button.parentElement && button.parentElement.previousElementSibling
               && button.parentElement.previousElementSibling.id === "field-clear-upload") {
      action = function () { check("field-clear-upload"); focus("field-resource-upload"); };
    } else if (button.parentElement && button.parentElement.querySelector("#field-resource-upload")) {
      action = function () {
        check("resource-url-none"); if (first()) { first().focus(); }
        var file = byId("field-resource-upload");
        if (file) { file.value = ""; }
      };
    } else if (button.parentElement && button.parentElement.querySelector("#field-resource-url")) {
      action = function () {
        check("resource-url-none"); if (first()) { first().focus(); }
        var url = byId("field-resource-url");
        if (url) { url.value = ""; }
      };
    }
    if (action) { button.addEventListener("click", action); }
  });
});
