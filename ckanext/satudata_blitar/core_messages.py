"""CKAN 2.11 and ckanext-scheming messages that our users meet but whose Indonesian translation is missing upstream.

Listed here only so that `python setup.py extract_messages` puts them in our catalogue, where i18n/id translates
them: CKAN merges plugin catalogues over its own, so the translation applies wherever CKAN shows the message.
"""


def N_(message: str) -> str:
    """Marks a message for extraction without translating it here."""
    return message


MESSAGES = (
    N_("Email {email} is not a valid format"),
    N_("Must be a positive integer"),
    N_("Formats"),
    N_("Licenses"),
    N_("Search datasets..."),
    N_('unexpected choice "%s"'),
    # Pages every visitor sees (CKAN 2.11 templates).
    N_("Data and Resources"),
    N_("Additional Info"),
    N_("Explore"),
    N_("There is no description for this organization"),
    N_("Activity Stream"),
    N_("Social"),
    N_("Log in"),
    N_("Powered by"),
    N_("Language"),
    N_("Last Updated"),
    N_("Profile settings"),
    N_("More information"),
    N_("Manage"),
    N_("Update"),
    N_("No datasets found"),
    N_("Search Datasets"),
    N_("Order by"),
    N_("Name Ascending"),
    N_("Name Descending"),
    N_("Filter by"),
    N_("Go to resource"),
    N_("Data Explorer"),
)
