"""What a contributor is told when an interview is left unfinished: a friendly nudge, a last
one, and the answers to turning reminders off and on. Pure text; buttons carry ``rm|...``
data that the bot's reminder handlers interpret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from conversations.model import Button, Reply

STOP_DATA = "rm|off"
STOP_LABEL = "Stop reminders"
TURNED_OFF = (
    "OK, no more reminders from me. Your answers are still saved: carry on whenever you like. "
    "(Send /reminders on to have them back.)"
)
TURNED_ON = "Reminders are on: if you leave an interview unfinished, I'll nudge you at most twice."
REMINDERS_USAGE = "Send /reminders off to stop reminders, or /reminders on to have them back."


@dataclass(frozen=True)
class Nudge:
    """An unfinished interview due a reminder: what the message needs to say."""

    number: int  # 1 for the first nudge, 2 for the last
    first_name: str
    started_at: datetime
    answered: int
    delete_after: datetime  # when the unfinished interview is purged


def _day(moment: datetime, zone: tzinfo, now: datetime) -> str:
    local, today = moment.astimezone(zone).date(), now.astimezone(zone).date()
    if local == today:
        return "today"
    if local == today - timedelta(days=1):
        return "yesterday"
    if today - local < timedelta(days=7):
        return f"on {local:%A}"
    return f"on {local.day} {local:%B}"


def nudge_reply(nudge: Nudge, now: datetime, zone: tzinfo) -> Reply:
    """The reminder message, with a button to stop reminders."""
    hello = f"Hi {nudge.first_name}! " if nudge.first_name else "Hi! "
    started = _day(nudge.started_at, zone, now)
    if nudge.answered == 1:
        saved = "Your answer so far is saved"
    elif nudge.answered > 1:
        saved = f"Your {nudge.answered} answers so far are saved"
    else:
        saved = "Nothing is lost"
    if nudge.number <= 1:
        text = (
            f"{hello}You started telling us about a co-production project {started}. "
            f"{saved}: just reply here whenever you're ready to carry on."
        )
    else:
        until = nudge.delete_after.astimezone(zone)
        text = (
            f"{hello}This is my last reminder: your story from {started.removeprefix('on ')} "
            f"is still waiting. {saved}; reply here any time before {until.day} "
            f"{until:%B} to finish it. After that unfinished answers are deleted. "
            "Send /cancel if you'd rather stop."
        )
    return Reply(text, buttons=((Button(STOP_LABEL, STOP_DATA),),))
