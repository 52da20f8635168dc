"""The page where a person chooses whether to get the daily reminder mail, and in which language
(`ckan satudata remind`, docs/reminders.md)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import error_text


def reminder_settings() -> Any:
    """GET: the user's settings; POST: save them (the checkbox unticked is an opt-out) and show them again."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("satudata.reminder_settings"))
    if tk.request.method == "POST":
        form = tk.request.form
        try:
            tk.get_action("satudata_reminder_settings_update")(
                {}, {"reminders": form.get("reminders") == "on", "language": form.get("language", "")})
        except tk.ValidationError as error:
            tk.h.flash_error(error_text(error))
        else:
            tk.h.flash_success(tk._("Your reminder settings were saved."))
        return tk.redirect_to("satudata.reminder_settings")
    return tk.render("satudata/portal/reminders.html",
                     {"settings": tk.get_action("satudata_reminder_settings_show")({}, {})})


satudata.add_url_rule("/dasbor/pengingat", view_func=reminder_settings, methods=["GET", "POST"])
