"""How to answer a customer, from the emotion their words carry (the seeds' "sin 2": an angry
customer wants speed, a confused one wants help; "mi scusi" works wonders). For each emotion:
what to do, and a first reply in the customer's language with their name filled in, addressed
with "Lei"."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Guidance:
    emotion: str
    advice: str
    reply: str


ADVICE = {
    "anger": _(
        "Answer fast. Acknowledge the problem and apologise first (“mi scusi”), no "
        "justification before that; then say what you will do and by when."
    ),
    "fear": _(
        "Explain step by step what happens now and reassure: who is following the case and "
        "when they will hear from you."
    ),
    "sadness": _("Show empathy: say you understand how they feel before talking about solutions."),
    "joy": _("Thank them, and make sure the problem is really solved."),
    "trust": _("Thank them for their trust and keep the promise you make now."),
    "none": _("Acknowledge the problem, say who follows it and when they will hear from you."),
}

REPLIES = {
    "it": {
        "anger": "Gentile {name}, mi scusi: ha ragione, non doveva succedere. Me ne occupo io "
        "personalmente e la richiamo entro oggi con una soluzione.",
        "fear": "Gentile {name}, la ringrazio per averci scritto. Le spiego cosa succede ora: "
        "seguo io la sua pratica e la aggiorno passo per passo. Non si preoccupi.",
        "sadness": "Gentile {name}, mi dispiace davvero per quello che è successo e capisco come "
        "si sente. Sono qui per rimediare.",
        "joy": "Gentile {name}, grazie per il suo messaggio. Verifichiamo che tutto sia a posto.",
        "trust": "Gentile {name}, grazie per la fiducia. Mi occupo io della sua richiesta.",
        "none": "Gentile {name}, abbiamo ricevuto la sua segnalazione. La seguo io e la "
        "aggiorno al più presto.",
    },
    # Italian on first-name terms, for the workspaces that chose "tu".
    "it-tu": {
        "anger": "Ciao {name}, scusami: hai ragione, non doveva succedere. Me ne occupo io "
        "personalmente e ti richiamo entro oggi con una soluzione.",
        "fear": "Ciao {name}, grazie per averci scritto. Ti spiego cosa succede ora: seguo io "
        "la tua pratica e ti aggiorno passo per passo. Non preoccuparti.",
        "sadness": "Ciao {name}, mi dispiace davvero per quello che è successo e capisco come "
        "ti senti. Sono qui per rimediare.",
        "joy": "Ciao {name}, grazie per il tuo messaggio. Verifichiamo che tutto sia a posto.",
        "trust": "Ciao {name}, grazie per la fiducia. Mi occupo io della tua richiesta.",
        "none": "Ciao {name}, abbiamo ricevuto la tua segnalazione. La seguo io e ti aggiorno "
        "al più presto.",
    },
    "en": {
        "anger": "Dear {name}, I am sorry: you are right, this should not have happened. I am "
        "handling it personally and will call you back today with a solution.",
        "fear": "Dear {name}, thank you for writing to us. Here is what happens now: I am "
        "following your case and will keep you informed at every step.",
        "sadness": "Dear {name}, I am truly sorry about what happened and I understand how you "
        "feel. I am here to put it right.",
        "joy": "Dear {name}, thank you for your message. Let us make sure everything is fine.",
        "trust": "Dear {name}, thank you for your trust. I am taking care of your request.",
        "none": "Dear {name}, we have received your report. I am following it and will update "
        "you shortly.",
    },
}


# The subject of the acknowledgement email, per language and register.
SUBJECTS = {
    "it": "{business}: abbiamo ricevuto la sua segnalazione (n. {case})",
    "it-tu": "{business}: abbiamo ricevuto la tua segnalazione (n. {case})",
    "en": "{business}: we have received your report (no. {case})",
}


def guidance_for(*, emotion: str, name: str, language: str, reply: str | None = None) -> Guidance:
    """The advice (in the reader's language) and the first reply (in the customer's): `reply`
    when given (the workspace's template, filled in), else the built-in one."""
    key = emotion if emotion in ADVICE else "none"
    if reply is None:
        replies = REPLIES.get(language, REPLIES["it"])
        reply = replies[key].replace("{name}", name)
    return Guidance(emotion=key, advice=str(ADVICE[key]), reply=reply)
