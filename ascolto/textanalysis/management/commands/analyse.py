"""`ascolto analyse`: analyse one text, or a JSON-lines stream, offline.

    ascolto analyse --json "Complimenti, terzo giorno senza internet"
    ascolto analyse --jsonl < comments.jsonl > analyses.jsonl

Each input line is `{"id": ..., "text": ..., "lang": "it"|"en" (optional)}`; each output line is
the analysis with the same id (docs/textanalysis.md). A malformed line gives
`{"id": ..., "line": N, "error": "..."}` on its own output line and the stream goes on.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ascolto.textanalysis import explain
from ascolto.textanalysis.analyser import AnalysisError, analyse
from ascolto.textanalysis.models import AspectName, Sentiment


def _dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def analyse_line(raw: str, number: int) -> dict | None:
    """The output object for one input line (None for a blank line)."""
    if not raw.strip():
        return None
    try:
        item = json.loads(raw)
    except ValueError as exc:
        return {
            "id": None,
            "line": number,
            "error": _("Not valid JSON: %(reason)s")
            % {"reason": exc.msg if hasattr(exc, "msg") else str(exc)},
        }
    if not isinstance(item, dict):
        return {"id": None, "line": number, "error": _("Each line must be a JSON object.")}
    item_id = item.get("id")
    if isinstance(item_id, (dict, list)):
        item_id = None
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": item_id, "line": number, "error": _('"text" must be a string.')}
    lang = item.get("lang")
    if lang in ("", None):
        lang = None
    try:
        return analyse(text, lang, id=item_id).to_dict()
    except AnalysisError:
        return {
            "id": item_id,
            "line": number,
            "error": _('Unsupported language %(lang)s: use "it" or "en".')
            % {"lang": json.dumps(lang, ensure_ascii=False)},
        }


class Command(BaseCommand):
    help = "Analyse customer text offline: sentiment, emotion and aspects (Italian, English)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help=_("The text to analyse."))
        parser.add_argument("--json", action="store_true", help=_("Print the analysis as JSON."))
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help=_('Read JSON lines ({"id", "text", "lang"}) from standard input.'),
        )
        parser.add_argument("--lang", choices=["it", "en"], help=_("Skip language detection."))
        parser.add_argument(
            "--train",
            action="store_true",
            help=_("Rebuild the trained model (data/model.json); needs scikit-learn."),
        )
        parser.add_argument(
            "--emoita",
            help=_("Folder with EmoITA's emotivita_dev.csv (for --train)."),
        )

    def handle(self, *args, **options):
        if options["train"]:
            self._train(options)
            return
        if options["jsonl"]:
            if options["text"]:
                raise CommandError(_("Give either a text or --jsonl, not both."))
            self._stream(options.get("stdin") or sys.stdin)
            return
        text = options["text"]
        if text is None:
            raise CommandError(_("Give a text to analyse, or --jsonl to read standard input."))
        try:
            analysis = analyse(text, options["lang"])
        except AnalysisError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(_dumps(analysis.to_dict()))
            return
        self._print(analysis)

    def _print(self, analysis) -> None:
        """The analysis in the language of the command, labels and explanation included (the
        raw lines are English: `--json` gives them as they are)."""
        languages = {
            "it": pgettext("language name", "Italian"),
            "en": pgettext("language name", "English"),
        }
        self.stdout.write(
            _("Language: %(lang)s. Sentiment: %(label)s (%(score)s). Emotion: %(emotion)s.")
            % {
                "lang": languages.get(analysis.language, _("not recognised")),
                "label": Sentiment(analysis.sentiment_label).label.lower(),
                "score": number_format(analysis.sentiment_score, 2),
                "emotion": explain._emotion_word(analysis.emotion_label),
            }
        )
        for aspect in analysis.aspects:
            self.stdout.write(
                _("Aspect %(name)s: %(cues)s")
                % {"name": AspectName(aspect.name).label.lower(), "cues": ", ".join(aspect.cues)}
            )
        for line in analysis.explanation:
            self.stdout.write(f"  - {explain.reason(line).text}")

    def _train(self, options) -> None:
        from pathlib import Path

        from ascolto.textanalysis import shipped_model_build

        emoita = (
            Path(options["emoita"]) if options["emoita"] else shipped_model_build.DEFAULT_EMOITA
        )
        if not (emoita / "emotivita_dev.csv").is_file():
            raise CommandError(
                _("No emotivita_dev.csv in %(path)s: pass --emoita DIR.") % {"path": emoita}
            )
        try:
            data = shipped_model_build.train(emoita=emoita)
        except ImportError as exc:
            raise CommandError(
                _("Training needs scikit-learn (pip install scikit-learn): %(reason)s")
                % {"reason": exc}
            ) from exc
        shipped_model_build.write(data)
        self.stdout.write(_("Wrote %(path)s.") % {"path": shipped_model_build.model.MODEL_PATH})

    def _stream(self, stream) -> None:
        out = []
        for number, raw in enumerate(stream, start=1):
            result = analyse_line(raw, number)
            if result is not None:
                out.append(_dumps(result))
            if len(out) >= 500:
                self.stdout.write("\n".join(out))
                out = []
        if out:
            self.stdout.write("\n".join(out))
