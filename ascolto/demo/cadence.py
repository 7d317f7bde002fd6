"""Demo step: the feedback cadence the demo business follows from today on.

The history written by the survey step is what these rules would have produced (a relationship
survey every few months, with the fatigue rule); the rules make `ascolto serve` keep asking on
schedule once the demo is loaded: each run of the cadence job invites the customers who are due,
a batch at a time, never one who was asked in the last 30 days. Rules are created through the
cadence service, so they are validated like the ones an owner makes on the cadence page.
"""

from __future__ import annotations

from ascolto.customers.models import Customer
from ascolto.demo import DemoContext
from ascolto.feedback.models import Survey
from ascolto.feedback.services.cadence import cadence_rule_create
from ascolto.interactions.models import Touchpoint


def cadence_step(ctx: DemoContext) -> None:
    owner = ctx.members[0]
    surveys = {s.kind: s for s in Survey.objects.filter(workspace=ctx.workspace)}
    nps, csat = surveys.get(Survey.Kind.NPS), surveys.get(Survey.Kind.CSAT)
    if nps is None or csat is None:
        return
    repair = Touchpoint.objects.filter(workspace=ctx.workspace, code="intervento").first()
    rules = [
        {
            "name": "NPS ogni quattro mesi",
            "survey": nps,
            "customer_kind": Customer.Kind.EXTERNAL,
            "every_days": 120,
            "fatigue_days": 30,
        },
        {
            "name": "Prima del rinnovo del contratto",
            "survey": nps,
            "customer_kind": Customer.Kind.EXTERNAL,
            "days_before_renewal": 45,
            "fatigue_days": 30,
        },
        {
            "name": "Reparti interni: ogni sei mesi",
            "survey": csat,
            "customer_kind": Customer.Kind.INTERNAL,
            "every_days": 180,
            "fatigue_days": 60,
        },
    ]
    if repair is not None:
        rules.append(
            {
                "name": "Soddisfazione dopo l'intervento",
                "survey": csat,
                "customer_kind": Customer.Kind.EXTERNAL,
                "after_touchpoint": repair,
                "fatigue_days": 30,
            }
        )
    for fields in rules:
        cadence_rule_create(workspace=ctx.workspace, by=owner, **fields)
        ctx.counts["cadencerule"] += 1


__all__ = ["cadence_step"]
