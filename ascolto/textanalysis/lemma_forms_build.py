"""Build `data/forms_<lang>.json`: inflected form -> lemma, for every lemma our lexicons use.

Run after editing a lexicon file:  python -m ascolto.textanalysis.lemma_forms_build

simplemma (MIT; dictionary sources listed in its licence folder) maps each form to its lemma; we
keep the forms whose lemma our lexicons use, and add Italian gender/number variants of
adjectives, so the analyser needs only a small JSON table at run time instead of loading
simplemma's full dictionaries (over a second per language).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("it", "en")
_WORD = re.compile(r"[^\W\d_]+(?:'(?:t|s|re|ve|ll|d|m)\b)?")


def lexicon_words(language: str) -> set[str]:
    words: set[str] = set()
    for name in (f"polarity_{language}.txt", f"cues_{language}.txt"):
        for raw in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#") or line.startswith("["):
                continue
            if name.startswith("polarity"):
                line = line.rpartition(" ")[0]
            else:
                line = re.sub(r":-?[\d.]+", "", line)
            words.update(_WORD.findall(line.lower().replace("’", "'")))
    return words


def _italian_variants(word: str) -> list[str]:
    if word.endswith("o"):
        return [word[:-1] + e for e in ("a", "i", "e")]
    if word.endswith("e") and not word.endswith("are") and not word.endswith("ere"):
        return [word[:-1] + "i"]
    if word.endswith("co"):
        return [word[:-1] + "hi", word[:-1] + "he"]
    return []


def build(language: str) -> dict[str, str]:
    from simplemma.strategies.dictionaries.dictionary_factory import (
        _load_dictionary_from_disk,
    )

    words = lexicon_words(language)
    dictionary = _load_dictionary_from_disk(language)
    lemma_of = {k.decode().lower(): v.decode().lower() for k, v in dictionary.items()}
    relevant = words | {lemma_of.get(w, w) for w in words}
    forms: dict[str, str] = {}
    for form, lemma in lemma_of.items():
        if lemma in relevant and form != lemma and " " not in form:
            forms[form] = lemma
    if language == "it":
        for word in sorted(words):
            for variant in _italian_variants(word):
                forms.setdefault(variant, lemma_of.get(word, word))
    return dict(sorted(forms.items()))


def main() -> None:
    for language in LANGUAGES:
        forms = build(language)
        path = DATA_DIR / f"forms_{language}.json"
        path.write_text(
            json.dumps(forms, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
            encoding="utf-8",
        )
        print(f"{path.name}: {len(forms)} forms")


if __name__ == "__main__":
    main()
