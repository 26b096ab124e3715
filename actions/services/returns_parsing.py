"""Reading a customer's answers in the returns flow: button choices and free text alike.

Buttons send structured choices (``/inform{"return_choice": "reason:damaged"}``); people type
"the candles and the tee", "it's too small", "I'll drop it at the shop". Both end up here and
become the same canonical values, so the dialogue never depends on how an answer arrived.

Korean and Chinese answers are read by the ``_KO_ZH`` patterns: those scripts have no spaces
between words the way English does (Korean glues particles on: "매장에서", Chinese none at
all: "我去门店退"), so they match by substring rather than on word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Optional

from actions.services.returns import ItemCheck, Selection
from actions.store.models import Store

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

_CANCEL = re.compile(
    r"^(?:(?:no|ok|okay|actually|please|sorry|oh|um|hmm|just)[,.!]?\s+)*"
    r"(?:(?:i\s+(?:want|would like|'d like|wanna)\s+to\s+)?"
    r"(?:cancel|stop|quit|abort|exit|end)(?:\s+(?:it|that|this|the return|my return|"
    r"the whole thing|returning|please|now))*"
    r"|forget (?:it|about it|that)|never ?mind|don'?t bother|i changed my mind about (?:it|"
    r"the return|returning)|i don'?t want to return (?:it|anything)(?: any ?more)?)"
    r"\s*(?:please|thanks|thank you)?[.!]*$"
)


# Korean and Chinese, matched anywhere in the message (simplified and traditional forms).
_KO_ZH_CANCEL = re.compile(
    r"^(?:반품\s*)?(?:취소|그만|안\s*할래|됐어|됐습니다|필요\s*없어)[가-힣\s]*[.!~]*$"
    r"|^(?:取消|算了|不退了|不用了|不要退了|不想退了)(?:退货|退貨|吧|了)?[。.!！]*$"
)
_KO_ZH_ALL = re.compile(r"전부|모두|다\s*(?:요|할게|반품)|둘\s*다|全部|都退|所有|两件|兩件|都要")
_KO_ZH_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "wrong_item",
        re.compile(
            r"다른\s*(?:상품|물건|제품)|잘못\s*(?:왔|배송|보내)|发错|發錯|寄错|寄錯|不是我(?:订|訂)的"
        ),
    ),
    (
        "damaged",
        re.compile(
            r"파손|깨[졌져]|고장|불량|망가|찢어|작동|破损|破損|坏|壞|损坏|損壞|故障|裂|碎|不能用"
        ),
    ),
    (
        "doesnt_fit",
        re.compile(
            r"사이즈|치수|안\s*맞|작아|커요|커서|작아서|尺码|尺碼|尺寸|不合身|太大|太小|大了|小了"
        ),
    ),
    (
        "changed_mind",
        re.compile(
            r"변심|마음이\s*바뀌|필요\s*없|안\s*좋아|不想要|不喜欢|不喜歡|改变主意|改變主意|不需要"
        ),
    ),
)
_KO_ZH_DROP_OFF = re.compile(r"매장|지점|가게|직접|门店|門店|店里|店裡|到店|实体店|實體店")
_KO_ZH_CARRIER = re.compile(r"택배|우편|발송|보낼|보내|라벨|邮寄|郵寄|寄回|快递|快遞|面单|面單")
_KO_ZH_CREDIT = re.compile(r"적립금|포인트|스토어\s*크레딧|积分|積分|购物金|購物金|余额|餘額")
_KO_ZH_ORIGINAL = re.compile(
    r"카드|원래\s*결제|결제\s*수단|계좌|原路|原支付|原付款|银行卡|銀行卡|信用卡|退回"
)
_KO_ZH_YES = re.compile(
    r"^(?:네|예|좋아요|좋습니다|맞아요|맞습니다|확인|진행해|접수해|是的|是$|好的|好$|好吧|对$|對$|"
    r"确认|確認|可以|没问题|沒問題)"
)


def choice(value: object, kind: str) -> Optional[str]:
    """The value of a button choice ``kind:value`` (e.g. ``reason:damaged``) in ``value``."""
    if not isinstance(value, str):
        return None
    match = re.search(rf"\b{re.escape(kind)}:([A-Za-z0-9_,x-]+)", value)
    return match.group(1) if match else None


def is_cancel(text: object) -> bool:
    """Whether a message is the customer stopping the flow ("cancel", "stop", "forget it")."""
    if not isinstance(text, str) or len(text) > 120:
        return False
    folded = " ".join(text.lower().replace("’", "'").split())
    return bool(_CANCEL.match(folded) or _KO_ZH_CANCEL.match(folded))


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'").replace("-", " "))


def _stem(word: str) -> str:
    """A plural's singular, well enough to match product names ("candles", "boxes")."""
    if len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


# Words in product names that say little about which product is meant.
_GENERIC = {
    "set", "pack", "with", "and", "the", "for", "pair", "double", "single", "small", "large",
    "organic", "cotton", "linen", "wool", "white", "navy", "olive", "stone", "sage", "sand",
    "charcoal", "clearance", "refurbished", "smart", "wireless", "digital",
}  # fmt: skip
_ALIASES = {"shirt": {"tee", "tshirt", "top"}, "headphone": {"headset", "earphone", "cans"},
            "jumper": {"sweater", "pullover"}, "trainer": {"sneaker", "shoe"},
            "boot": {"shoe"}, "bulb": {"light", "lightbulb"}}  # fmt: skip
_NUMBERS = {"one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "both": 2, "pair": 2,
            "three": 3, "four": 4, "five": 5, "six": 6}  # fmt: skip
_ALL = re.compile(
    r"\b(?:all|everything|every item|the lot|whole order|entire order|all of (?:it|them)|"
    r"both(?: of them| items)?)\b"
)


def _item_words(name: str) -> set[str]:
    words = {_stem(w) for w in _tokens(name) if len(w) >= 3 and not w.isdigit()}
    for word in list(words):
        words |= _ALIASES.get(word, set())
    return words


def parse_items(
    text: object, returnable: Sequence[ItemCheck], loose: bool = True
) -> Optional[Selection]:
    """Which returnable items (and how many) a message picks; ``None`` if it names none.

    "items:all" / "items:12x2,13x1" from buttons; free text names items by any distinctive
    word of their name ("the candles and the tee"), with an optional count in front
    ("one of the candles", "2 candles"). Without a count, all that is left of an item.
    ``loose`` also takes "all of them", "both", and "it" when there is only one item; off
    for messages that look like something else ("no, not at all").
    """
    if not isinstance(text, str) or not returnable:
        return None
    picked = choice(text, "items")
    if picked == "all":
        return {c.item.id: c.returnable for c in returnable}
    if picked:
        out: Selection = {}
        for part in picked.split(","):
            item_text, _, qty_text = part.partition("x")
            if item_text.isdigit():
                out[int(item_text)] = int(qty_text) if qty_text.isdigit() else 0
        return out or None

    tokens = [_stem(t) for t in _tokens(text)]
    words = {c.item.id: _item_words(c.item.product_name) for c in returnable}
    hits: dict[int, list[int]] = {}  # item id -> token positions that name it
    for position, token in enumerate(tokens):
        owners = [item_id for item_id, w in words.items() if token in w]
        for item_id in owners:
            if token not in _GENERIC or len(owners) == 1:
                hits.setdefault(item_id, []).append(position)
    if not hits:
        if not loose:
            return None
        lowered = " ".join(text.lower().split())
        just_one = len(returnable) == 1 and re.search(
            r"\b(?:it|this|that|yes)\b|^(?:네|예|이거|그거|是|对|對|这个|這個)", lowered
        )
        if _ALL.search(lowered) or _KO_ZH_ALL.search(lowered) or just_one:
            return {c.item.id: c.returnable for c in returnable}
        return None
    selection: Selection = {}
    for check in returnable:
        positions = hits.get(check.item.id)
        if not positions:
            continue
        qty = check.returnable
        first = positions[0]
        for back in range(max(0, first - 4), first):
            word = tokens[back]
            count = int(word) if word.isdigit() and 0 < int(word) < 100 else _NUMBERS.get(word)
            if count:
                qty = count
        selection[check.item.id] = min(qty, check.returnable)
    return selection


_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "wrong_item",
        re.compile(
            r"wrong (?:item|product|thing|one|colou?r|model|order|parcel)|not what i ordered|"
            r"sent (?:me )?(?:the |a )?wrong|(?:different|incorrect) (?:item|product)|"
            r"isn'?t what i ordered|not the (?:one|item) i ordered|mixed up"
        ),
    ),
    (
        "damaged",
        re.compile(
            r"broke|damage|fault|defect|crack|smash|shatter|scratch|stain(?!less)|torn|\brip|leak|"
            r"\bdent|chipped|doesn'?t work|does not work|not working|stopped working|"
            r"won'?t (?:turn on|charge|work|switch on)|\bdead\b|missing (?:a )?part|"
            r"in pieces|\bbust"
        ),
    ),
    (
        "doesnt_fit",
        re.compile(
            r"\bfit|too (?:small|big|large|tight|loose|long|short|wide|narrow)|\bsize|length|"
            r"\bsmall\b|\bbig\b"
        ),
    ),
    (
        "changed_mind",
        re.compile(
            r"change[d]? (?:my|our) mind|don'?t (?:want|need|like|love)|do not (?:want|need|like)|"
            r"no longer|not for me|not my (?:style|taste|thing)|didn'?t like|not needed|"
            r"by mistake|cheaper|nothing like|not as (?:pictured|described)|unwanted|mind"
        ),
    ),
    ("other", re.compile(r"^(?:other|something else|another reason|none of (?:these|those))$")),
)


def parse_reason(text: object, loose: bool = True) -> Optional[tuple[str, Optional[str]]]:
    """A return reason code, with the customer's own words when they typed them.

    ``loose`` takes any other few words as "other" with the words as the note; off for
    messages that look like something else ("no thanks" is not a reason)."""
    if not isinstance(text, str) or not text.strip():
        return None
    picked = choice(text, "reason")
    if picked:
        return (picked, None)
    lowered = " ".join(text.lower().replace("’", "'").split())
    note = text.strip()[:500]
    for code, pattern in (*_REASONS, *_KO_ZH_REASONS):
        if pattern.search(lowered):
            return (code, None if code == "other" else note)
    cjk = len(re.findall(r"[\uac00-\ud7a3\u4e00-\u9fff]", lowered))
    if loose and (
        len(_tokens(lowered)) >= 2 or cjk >= 4
    ):  # a reason we have no button for, in their words
        return ("other", note)
    return None


_DROP_OFF = re.compile(r"\b(?:stores?|shops?|drop|in person|bring|hand (?:it )?in|branch|till)\b")
_CARRIER = re.compile(
    r"\b(?:post|posting|courier|carrier|label|send|ship|mail|royal mail|an post|parcel|"
    r"collect|collection|pick ?up)\b"
)


def parse_method(text: object) -> Optional[str]:
    """``drop_off`` or ``carrier``."""
    if not isinstance(text, str):
        return None
    picked = choice(text, "method")
    if picked:
        return picked
    lowered = text.lower()
    if _DROP_OFF.search(lowered) or _KO_ZH_DROP_OFF.search(lowered):
        return "drop_off"
    if _CARRIER.search(lowered) or _KO_ZH_CARRIER.search(lowered):
        return "carrier"
    return None


_CREDIT = re.compile(r"\b(?:credit|voucher|gift ?card|account balance|balance)\b")
_ORIGINAL = re.compile(
    r"\b(?:card|original|bank|paypal|apple pay|google pay|visa|mastercard|amex|money|cash|"
    r"same (?:way|method|card)|back to|payment)\b"
)


def parse_refund_method(text: object) -> Optional[str]:
    """``original_payment`` or ``store_credit``."""
    if not isinstance(text, str):
        return None
    picked = choice(text, "refund")
    if picked:
        return picked
    lowered = text.lower()
    if _CREDIT.search(lowered) or _KO_ZH_CREDIT.search(lowered):
        return "store_credit"
    if _ORIGINAL.search(lowered) or _KO_ZH_ORIGINAL.search(lowered):
        return "original_payment"
    return None


def parse_store(text: object, stores: Sequence[Store]) -> Optional[int]:
    """The store a message names: a button choice, or a store's name or street."""
    if not isinstance(text, str):
        return None
    picked = choice(text, "store")
    if picked and picked.isdigit():
        return int(picked)
    lowered = " ".join(text.lower().split())
    for store in stores:
        short = store.name.lower().split("&")[-1].replace("loom", "").strip()
        street = store.line1.lower().split(" ", 1)[-1]
        if short and re.search(rf"\b{re.escape(short)}\b", lowered):
            return store.id
        if street and street in lowered:
            return store.id
    return None


_YES = re.compile(
    r"^(?:yes|yep|yeah|yup|ya|sure|ok|okay|confirm|confirmed|go ahead|do it|please do|"
    r"create it|create the return|sounds good|correct|that's right|that is right|perfect|"
    r"great|lovely|y)\b"
)
_CHANGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("return_items", re.compile(r"\bitems?\b|\bquantit|\bproducts?\b")),
    ("return_reason", re.compile(r"\breason\b")),
    ("return_refund_method", re.compile(r"\brefund\b|\bcredit\b|\bcard\b")),
    ("return_method", re.compile(r"\bmethod\b|\bstores?\b|\bshop\b|\bpost\b|\bcarrier\b|drop")),
)


def parse_confirmation(text: object) -> tuple[Optional[bool], Optional[str]]:
    """(True, None) to go ahead; (None, slot) to change one answer; (None, None) unclear."""
    if not isinstance(text, str):
        return (None, None)
    if choice(text, "confirm") == "yes":
        return (True, None)
    lowered = " ".join(text.lower().replace("’", "'").split())
    if re.search(r"\b(?:change|edit|different|switch|instead|actually)\b", lowered):
        for slot, pattern in _CHANGES:
            if pattern.search(lowered):
                return (None, slot)
    if _YES.search(lowered) or _KO_ZH_YES.search(lowered):
        return (True, None)
    return (None, None)
