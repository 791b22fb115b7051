"""The bot's own words in the contributor's language: gettext catalogues read with Babel.

Catalogues are the ``.po`` files under ``conversations/locale/<lang>/LC_MESSAGES/``; they are
compiled in memory the first time a language is used, so a reviewed ``.po`` is all a
translator commits and there is no binary to fall out of step. The core receives the
language as data (from the interview state) and never looks at the environment.
Staff and admin texts stay English and are not marked for translation.
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# Each language named in itself, as the /language buttons show it.
LANGUAGE_NAMES: dict[str, str] = {
    "cy": "Cymraeg",
    "gd": "Gàidhlig",
    "pl": "Polski",
    "en": "English",
}
LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_NAMES)
# The same languages named in English, for staff, who keep working in English.
ENGLISH_NAMES: dict[str, str] = {
    "cy": "Welsh",
    "gd": "Scottish Gaelic",
    "pl": "Polish",
    "en": "English",
}

_CODE = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*")


def N_(message: str) -> str:
    """Mark a module-level text for extraction; it is translated where it is used."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (``pybabel extract -k NP_:1,2``)."""
    return singular, plural


def parse_language_code(code: str | None) -> str:
    """The language we speak for a Telegram ``language_code`` (``pl-PL`` -> ``pl``);
    anything we do not ship, or nothing at all, is English."""
    if not code:
        return DEFAULT_LANGUAGE
    match = _CODE.fullmatch(code)
    if match is None:
        return DEFAULT_LANGUAGE
    base = match.group(1).lower()
    return base if base in LANGUAGE_NAMES else DEFAULT_LANGUAGE


def language_label(code: str) -> str:
    """How staff see an interview's language: ``Welsh (cy)``."""
    return f"{ENGLISH_NAMES[code]} ({code})" if code in ENGLISH_NAMES else code


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language; English (and anything unknown) is the source."""
    if language not in LANGUAGE_NAMES or language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    path = catalogue_path(language)
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Words:
    """The translating functions for one language, passed around as a value."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGE_NAMES else DEFAULT_LANGUAGE
        self._t = translations(self.language)

    def _(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._t.ngettext(singular, plural, count)

    def words(self, message: str) -> frozenset[str]:
        """A translated comma-separated list of words (e.g. "send, send it, done"), with the
        English ones always understood too."""
        parts = f"{message},{self._t.gettext(message)}".split(",")
        return frozenset(" ".join(p.lower().split()) for p in parts if p.strip())


def words_for(language: str) -> Words:
    return Words(language)
