"""The words of the consumer scan pages, looked up once per language.

The scan page is the registry's most requested URL (DESIGN.md section 8). Flask-Babel looks its
catalog up again on every `_()` call, which made up a third of the page's time; these pages
instead read a table of their messages made once per process and language (catalogs do not
change while a process runs). The msgids are marked with `N_` so that pybabel extracts them into
the same catalog as every other page (docs: `-k N_`); templates read `t.key`, and a message
with values is formatted in the template: `t.now|format(name=...)`.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802  (the conventional name of a gettext marker)
    """Mark a msgid for extraction; translated later, per language."""
    return message


MESSAGES: dict[str, str] = {
    "tagline": N_("Product origin check"),
    "recalled": N_("RECALLED"),
    "recalled_lead": N_("Do not eat or use this product. Take it back to where you bought it."),
    "on_hold": N_("ON HOLD"),
    "on_hold_lead": N_("The authorities are checking this lot. Do not eat or use it until "
                       "further notice."),
    "reason": N_("Reason"),
    "what_to_do": N_("What to do"),
    "ordered_on": N_("Ordered on %(day)s"),
    "verified": N_("Code issued by the origin registry"),
    "unsigned": N_("This code could not be verified as printed by the registry (it may have "
                   "been typed by hand). Compare the details below with the package."),
    "stars": N_("%(n)s stars"),
    "batch": N_("Batch"),
    "unit": N_("Unit code"),
    "lot_code": N_("Lot code"),
    "produced_on": N_("Produced on"),
    "producer": N_("Producer"),
    "origin": N_("Origin"),
    "growing_area": N_("Growing-area code"),
    "aquaculture_registration": N_("Aquaculture registration"),
    "farm": N_("Farm"),
    "commune": N_("commune"),
    "now": N_("now %(name)s"),
    "map": N_("Show on a map"),
    "more_origins": N_("and %(n)s more origins"),
    "path": N_("From the farm to the shelf"),
    "harvest": N_("Harvest"),
    "packing": N_("Packing and processing"),
    "shipping": N_("Shipping"),
    "distribution": N_("Distribution"),
    "retail": N_("In shops"),
    "and_more": N_("and %(n)s more"),
    "incomplete": N_("Part of this lot's history was not recorded in the registry."),
    "certifications": N_("Certifications at harvest"),
    "valid_until": N_("valid until %(day)s"),
    "no_certifications": N_("No certification was recorded for this lot's origin."),
    "monitoring": N_("Food safety monitoring"),
    "sample_pass": N_("Latest sample passed"),
    "sample_fail": N_("Latest sample failed"),
    "sample_pending": N_("Latest sample awaits confirmation"),
    "no_sample": N_("No monitoring sample of this lot has been recorded."),
    "report": N_("Report a problem"),
    "report_lead": N_("Your report goes to the food safety authority of the province where "
                      "this product was made."),
    "report_text": N_("What is wrong?"),
    "report_photo": N_("Photo (optional, JPEG, PNG or WebP, up to 5 MB)"),
    "report_contact": N_("Phone or e-mail (optional, if you want an answer)"),
    "report_send": N_("Send report"),
    "report_thanks": N_("Thank you"),
    "report_sent": N_("Your report was sent to the food safety authority of the province "
                      "where this product was made."),
    "back": N_("Back to the product"),
    "not_registered_title": N_("Not registered"),
    "invalid_title": N_("Invalid code"),
    "forged": N_("This code was not issued by the registry"),
    "forged_lead": N_("The code's signature does not match. The label may be counterfeit: do "
                      "not trust the information printed with it."),
    "serial_unissued": N_("This unit code is not registered"),
    "serial_unissued_lead": N_("The registry never issued this serial number for this "
                               "product. The label may be counterfeit."),
    "not_registered": N_("This code is not registered"),
    "not_registered_lead": N_("No lot with this code is registered in the origin registry. "
                              "Check that you scanned or typed the whole code."),
    "malformed": N_("This is not a valid product code"),
    "malformed_lead": N_("The address is not a code the registry prints. Check that you "
                         "scanned or typed the whole code."),
    "tell_authority": N_("You can tell the food safety authority where you bought this "
                         "product."),
    "footer": N_("nguồn gốc: traceability registry for farm, forest and fishery food"),
}

_TABLES: dict[str, dict[str, str]] = {}


def table(locale: str, catalog: Any) -> dict[str, str]:
    """The scan pages' messages in one language (made once per process and language)."""
    found = _TABLES.get(locale)
    if found is None:
        found = _TABLES[locale] = {key: catalog.ugettext(message)
                                   for key, message in MESSAGES.items()}
    return found
