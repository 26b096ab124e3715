"""Business hours: when the team answers, and when it is next back.

The setting is a small text, one group of days per item::

    HANDOFF_BUSINESS_HOURS="mon-fri 09:00-18:00; sat 10:00-16:00"
    HANDOFF_BUSINESS_HOURS=always

read in the shop's time zone. Outside these hours a customer who asks for a person is told
so — with when the team is back — and may leave a message that waits for an agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# What a customer reads, per language (en, ko, zh): the handoff tells them in their own.
_DAY_NAMES = {
    "en": DAY_NAMES,
    "ko": ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
_WORDS = {
    "en": {
        "today": "today",
        "tomorrow": "tomorrow",
        "at": "{when} at {time}",
        "asap": "as soon as someone is available",
        "always": "around the clock",
        "never": "never",
        "and": " and ",
        "sep": ", ",
    },
    "ko": {
        "today": "오늘",
        "tomorrow": "내일",
        "at": "{when} {time}",
        "asap": "상담원이 연결되는 대로",
        "always": "24시간",
        "never": "운영 시간 없음",
        "and": ", ",
        "sep": ", ",
    },
    "zh": {
        "today": "今天",
        "tomorrow": "明天",
        "at": "{when} {time}",
        "asap": "一有客服空闲就",
        "always": "全天候",
        "never": "暂无服务时间",
        "and": "、",
        "sep": "，",
    },
}


# "around the clock" in each language: no hours worth mentioning to a customer.
ALWAYS_TEXTS = frozenset(words["always"] for words in _WORDS.values())


def _lang(lang: str) -> str:
    return lang if lang in _WORDS else "en"


_ITEM = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


def _clock(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(23, 59, 59)
    return time(hours, minutes)


@dataclass(frozen=True)
class BusinessHours:
    """Opening windows per weekday (0 = Monday); ``always`` means no closing time."""

    windows: tuple[tuple[tuple[time, time], ...], ...]
    tz: ZoneInfo
    always: bool = False
    spec: str = ""

    @classmethod
    def parse(cls, spec: str, tz_name: str = "Europe/London") -> BusinessHours:
        tz = ZoneInfo(tz_name)
        text = spec.strip().lower()
        if text in ("", "always", "24/7"):
            return cls(windows=((),) * 7, tz=tz, always=True, spec="always")
        per_day: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for raw in re.split(r"[;,]", text):
            item = raw.strip()
            if not item:
                continue
            match = _ITEM.match(item)
            if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
                raise ValueError(f"cannot read business hours item {item!r}")
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"]) if match["last"] else first
            start, end = _clock(match["start"]), _clock(match["end"])
            if end <= start:
                raise ValueError(f"business hours item {item!r} ends before it starts")
            day = first
            while True:
                per_day[day].append((start, end))
                if day == last:
                    break
                day = (day + 1) % 7
        return cls(windows=tuple(tuple(sorted(d)) for d in per_day), tz=tz, always=False, spec=spec)

    def _local(self, now: datetime) -> datetime:
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        return now.astimezone(self.tz)

    def is_open(self, now: datetime) -> bool:
        if self.always:
            return True
        local = self._local(now)
        moment = local.time()
        return any(start <= moment < end for start, end in self.windows[local.weekday()])

    def next_opening(self, now: datetime) -> datetime | None:
        """When the team is next available (``now`` if open); ``None`` if never."""
        if self.always or self.is_open(now):
            return self._local(now)
        local = self._local(now)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for start, _end in self.windows[day.weekday()]:
                candidate = datetime.combine(day, start, tzinfo=self.tz)
                if candidate > local:
                    return candidate
        return None

    def describe_next_opening(self, now: datetime, lang: str = "en") -> str:
        """'today at 09:00', 'tomorrow at 09:00', 'Monday at 09:00'; '내일 09:00', '周一 09:00'."""
        words = _WORDS[_lang(lang)]
        opening = self.next_opening(now)
        if opening is None:
            return words["asap"]
        today = self._local(now).date()
        delta = (opening.date() - today).days
        names = _DAY_NAMES[_lang(lang)]
        when = {0: words["today"], 1: words["tomorrow"]}.get(delta, names[opening.weekday()])
        return words["at"].format(when=when, time=f"{opening:%H:%M}")

    def describe(self, lang: str = "en") -> str:
        """'Monday–Friday 09:00–18:00, Saturday 10:00–16:00' or 'around the clock'."""
        words = _WORDS[_lang(lang)]
        names = _DAY_NAMES[_lang(lang)]
        if self.always:
            return words["always"]
        groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
        for day, windows in enumerate(self.windows):
            if not windows:
                continue
            if groups and groups[-1][1] == day - 1 and groups[-1][2] == windows:
                groups[-1] = (groups[-1][0], day, windows)
            else:
                groups.append((day, day, windows))
        parts = []
        for first, last, windows in groups:
            days = names[first] if first == last else f"{names[first]}–{names[last]}"
            spans = words["and"].join(f"{s:%H:%M}–{e:%H:%M}" for s, e in windows)
            parts.append(f"{days} {spans}")
        return words["sep"].join(parts) or words["never"]
