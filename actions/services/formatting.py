"""How dates, times and money read to a customer, in the shop's time zone and their language.

Kept apart from the rules so the wording changes without touching them. Conventions:

- **money** is always in the order's currency (never converted): English writes the symbol
  first ("£1,234.50", "€12.50"); Korean and Chinese write the amount with the currency's
  name after it ("12.50파운드", "12.50유로"; "12.50英镑", "12.50欧元") — unambiguous for
  readers who see "€" and "£" less often than "원" or "元".
- **days**: "today"/"tomorrow"/"yesterday" in each language, otherwise
  "Tuesday 24 November", "11월 24일 (화)", "11月24日（周二）"; the year only when it is not
  this year ("2027년 1월 3일 (일)", "2027年1月3日（周日）").
- **times**: 24-hour clock in every language: "today at 11:42", "오늘 11:42", "今天 11:42".
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from actions.services.i18n import normalize

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
_CURRENCY_NAMES = {
    "ko": {"GBP": "파운드", "EUR": "유로", "USD": "달러"},
    "zh": {"GBP": "英镑", "EUR": "欧元", "USD": "美元"},
}
_RELATIVE = {
    "en": {0: "today", 1: "tomorrow", -1: "yesterday"},
    "ko": {0: "오늘", 1: "내일", -1: "어제"},
    "zh": {0: "今天", 1: "明天", -1: "昨天"},
}
_KO_WEEKDAYS = "월화수목금토일"
_ZH_WEEKDAYS = "一二三四五六日"


def money(amount: Decimal, currency: str, lang: str = "en") -> str:
    """An amount in its own currency, written the way ``lang`` writes it."""
    value = f"{Decimal(amount).quantize(Decimal('0.01')):,}"
    lang = normalize(lang)
    if lang != "en":
        name = _CURRENCY_NAMES[lang].get(currency)
        return f"{value}{name}" if name else f"{value} {currency}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def local(dt: datetime, tz: ZoneInfo) -> datetime:
    """A stored naive-UTC datetime in the shop's zone."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz)


def day(d: date, today: date, lang: str = "en") -> str:
    """'today', 'tomorrow', 'yesterday' or the date with its weekday (year only when it differs)."""
    lang = normalize(lang)
    relative = _RELATIVE[lang].get((d - today).days)
    if relative is not None:
        return relative
    same_year = d.year == today.year
    if lang == "ko":
        text = f"{d.month}월 {d.day}일 ({_KO_WEEKDAYS[d.weekday()]})"
        return text if same_year else f"{d.year}년 {text}"
    if lang == "zh":
        text = f"{d.month}月{d.day}日（周{_ZH_WEEKDAYS[d.weekday()]}）"
        return text if same_year else f"{d.year}年{text}"
    text = f"{d:%A} {d.day} {d:%B}"
    return text if same_year else f"{text} {d.year}"


def moment(dt: datetime, tz: ZoneInfo, today: date, lang: str = "en") -> str:
    """'today at 11:42' / '오늘 11:42' / '今天 11:42', in the shop's zone."""
    loc = local(dt, tz)
    when = day(loc.date(), today, lang)
    if normalize(lang) == "en":
        return f"{when} at {loc:%H:%M}"
    return f"{when} {loc:%H:%M}"
