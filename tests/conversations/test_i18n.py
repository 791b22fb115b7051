"""The bot's own words in other languages: the language-code parser and the catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from conversations.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    LOCALE_DIR,
    Words,
    catalogue_path,
    parse_language_code,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("cy", "gd", "pl")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": (1, 2)}


def _ids(path: Path) -> set[object]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@given(st.text(max_size=20))
def test_any_language_code_gives_a_language_we_speak(code: str) -> None:
    assert parse_language_code(code) in LANGUAGES


@given(
    st.sampled_from(SHIPPED),
    st.lists(st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True), max_size=3),
    st.sampled_from(["-", "_"]),
    st.booleans(),
)
def test_a_shipped_language_with_any_region_is_recognised(
    base: str, regions: list[str], separator: str, upper: bool
) -> None:
    code = separator.join([base.upper() if upper else base, *regions])
    assert parse_language_code(code) == base


@given(
    st.from_regex(r"[a-z]{2,3}(-[A-Z]{2})?", fullmatch=True).filter(
        lambda code: code.split("-")[0] not in LANGUAGE_NAMES
    )
)
def test_languages_we_do_not_ship_are_english(code: str) -> None:
    assert parse_language_code(code) == "en"


def test_no_code_or_nonsense_is_english() -> None:
    assert [parse_language_code(c) for c in (None, "", "  ", "p", "pl-", "12", "fr")] == ["en"] * 7


def test_every_message_has_a_translation_in_each_shipped_catalogue() -> None:
    template = _ids(LOCALE_DIR / "messages.pot")
    for language in SHIPPED:
        with catalogue_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        ids = {m.id for m in catalog if m.id}
        assert ids == template, f"{language}: catalogue and template differ"
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert len(strings) == catalog.num_plurals or not message.pluralizable
            assert all(s.strip() for s in strings), f"{language}: {message.id!r} untranslated"
            assert not message.fuzzy, f"{language}: {message.id!r} is fuzzy"
        problems = [(m.id, e) for m, errors in catalog.check() for e in errors]
        assert problems == [], f"{language}: placeholders differ: {problems}"


def test_the_template_holds_every_message_in_the_code() -> None:
    """Someone changed a text without re-extracting (see docs/translations.md)."""
    method_map = [
        ("conversations/engine.py", "python"),
        ("conversations/reminders.py", "python"),
        ("bot/telegram_app.py", "python"),
        ("bot/privacy.py", "python"),
        ("bot/reminders.py", "python"),
    ]
    found = {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(ROOT, method_map=method_map, keywords=KEYWORDS)
    }
    assert found == _ids(LOCALE_DIR / "messages.pot")


def test_words_in_each_language_and_english_for_anything_else() -> None:
    assert [Words(lang)._("Skip") for lang in ("en", "cy", "gd", "pl", "fr")] == [
        "Skip",
        "Hepgor",
        "Leum thairis",
        "Pomiń",
        "Skip",
    ]


def test_plurals_follow_each_language() -> None:
    counts = {
        n: Words("pl").ngettext("%(count)d photo", "%(count)d photos", n) % {"count": n}
        for n in (1, 3, 5, 22)
    }
    assert counts == {1: "1 zdjęcie", 3: "3 zdjęcia", 5: "5 zdjęć", 22: "22 zdjęcia"}


def test_typed_words_understood_in_a_language_include_the_english_ones() -> None:
    assert {"send", "send it", "done", "wyślij", "gotowe"} <= Words("pl").words(
        "send, send it, done"
    )
