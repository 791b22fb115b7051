"""What the bot tells a contributor about their data (``/privacy``), in their language.

Kept apart from the Telegram adapter so the terminal chat can say the same without loading
python-telegram-bot.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.settings import Settings
from conversations.i18n import Words


def privacy_text(settings: Settings, words: Words | None = None) -> str:
    words = words or Words("en")
    return words._(
        "What I keep: your Telegram name and username, your answers (text, and references to "
        "photos, files, voice notes, places and contacts you send), and when you sent them.\n\n"
        "Why: to turn your story into a draft example of co-production that staff polish and "
        "may publish, credited the way you choose (your name, your organisation, or "
        "anonymous). Contact details are only used if you say staff may contact you.\n\n"
        "How long: finished stories are kept until you delete them. Interviews left "
        "unfinished are deleted after %(days)d days; before that I remind "
        "you at most twice (/reminders off stops that).\n\n"
        "Your rights: /mydata sends you a file with everything stored about you; /delete "
        "erases it."
    ) % {"days": settings.retention_days} + _writer_model_text(settings, words)


def _writer_model_text(settings: Settings, words: Words) -> str:
    host = writer_host(settings)
    if host is None:
        return ""
    return "\n\n" + words._(
        "Writing help: once you send a story, its draft is tidied into readable prose by "
        "a writer model at %(host)s. It is sent the draft's sentences, never your contact "
        "details, and never your name unless you chose to be named."
    ) % {"host": host}


def writer_host(settings: Settings) -> str | None:
    """Where drafts are sent for rewriting (the host of ``LLM_BASE_URL``), if anywhere."""
    if not settings.uses_writer_model or settings.llm_base_url is None:
        return None
    return urlsplit(settings.llm_base_url).hostname or settings.llm_base_url
