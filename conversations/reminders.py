"""What a contributor is told when an interview is left unfinished: a friendly nudge, a last
one, and the answers to turning reminders off and on. Pure text in the interview's
language; buttons carry ``rm|...`` data that the bot's reminder handlers interpret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from babel.dates import format_date

from conversations.i18n import N_, Words
from conversations.model import Button, Reply

STOP_DATA = "rm|off"
STOP_LABEL = N_("Stop reminders")
TURNED_OFF = N_(
    "OK, no more reminders from me. Your answers are still saved: carry on whenever you like. "
    "(Send /reminders on to have them back.)"
)
TURNED_ON = N_(
    "Reminders are on: if you leave an interview unfinished, I'll nudge you at most twice."
)
REMINDERS_USAGE = N_("Send /reminders off to stop reminders, or /reminders on to have them back.")
REMINDERS_ARE_ON = N_("Reminders are on.")
REMINDERS_ARE_OFF = N_("Reminders are off.")
REMINDERS_OFF_NOTICE = N_("Reminders off")


@dataclass(frozen=True)
class Nudge:
    """An unfinished interview due a reminder: what the message needs to say."""

    number: int  # 1 for the first nudge, 2 for the last
    first_name: str
    started_at: datetime
    answered: int
    delete_after: datetime  # when the unfinished interview is purged
    language: str = "en"


def _day(moment: datetime, zone: tzinfo, now: datetime, words: Words) -> tuple[str, str]:
    """(how the start is said in a sentence, the bare date) in the nudge's language."""
    local, today = moment.astimezone(zone).date(), now.astimezone(zone).date()
    bare = format_date(local, "d MMMM", locale=words.language)
    if local == today:
        return words._("today"), bare
    if local == today - timedelta(days=1):
        return words._("yesterday"), bare
    if today - local < timedelta(days=7):
        weekday = format_date(local, "EEEE", locale=words.language)
        return words._("on %(day)s") % {"day": weekday}, weekday
    return words._("on %(date)s") % {"date": bare}, bare


def nudge_reply(nudge: Nudge, now: datetime, zone: tzinfo) -> Reply:
    """The reminder message, with a button to stop reminders."""
    words = Words(nudge.language)
    _ = words._
    hello = _("Hi %(name)s!") % {"name": nudge.first_name} if nudge.first_name else _("Hi!")
    started, bare = _day(nudge.started_at, zone, now, words)
    if nudge.answered >= 1:
        saved = words.ngettext(
            "Your answer so far is saved", "Your %(count)d answers so far are saved", nudge.answered
        ) % {"count": nudge.answered}
    else:
        saved = _("Nothing is lost")
    if nudge.number <= 1:
        text = _(
            "%(hello)s You started telling us about a co-production project %(started)s. "
            "%(saved)s: just reply here whenever you're ready to carry on."
        ) % {"hello": hello, "started": started, "saved": saved}
    else:
        until = format_date(
            nudge.delete_after.astimezone(zone).date(), "d MMMM", locale=words.language
        )
        text = _(
            "%(hello)s This is my last reminder: your story from %(day)s is still waiting. "
            "%(saved)s; reply here any time before %(until)s to finish it. After that "
            "unfinished answers are deleted. Send /cancel if you'd rather stop."
        ) % {"hello": hello, "day": bare, "saved": saved, "until": until}
    return Reply(text, buttons=((Button(_(STOP_LABEL), STOP_DATA),),))
