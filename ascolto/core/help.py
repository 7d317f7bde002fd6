"""The "Aiuto" pages: short answers for owners and staff, in Italian and English.

Each topic is a pair of templates, `help/it/<topic>.html` and `help/en/<topic>.html`, written as
whole pages in each language (help reads better written than translated line by line). Pages
link to a topic with `{% url 'core:help' 'nps' %}` where the question arises.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# topic → title, in the order of the index
TOPICS = {
    "start": _("Starting your own business"),
    "promises": _("How promises are checked"),
    "surveys": _("Asking customers: who is asked, and who is held back"),
    "nps": _("Reading NPS and its margin"),
    "detractor": _("What to do with a detractor"),
    "pages": _("What each page is for"),
}
