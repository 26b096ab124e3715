"""The English the shop's systems store, told in the customer's language.

Carriers report scans in English ("Arrived at local depot"), couriers record where a parcel
was left ("Left in safe place: porch"), the shop records why an order was cancelled and how
it was paid ("Visa ending 4242"). Those texts are data, not domain responses, so they are
translated here by pattern: each rule matches a family of phrasings (every carrier words "we
collected it" differently) and keeps the proper names it captures (places, carriers). A text
no rule knows is shown as the *status* in the customer's language followed by the carrier's
own words, so a Korean or Chinese customer still reads what happened and nothing is lost.
"""

from __future__ import annotations

import re
from typing import Final, Optional

from actions.services.i18n import normalize

# (pattern, {lang: template}); templates may use the pattern's named groups.
_Rule = tuple[re.Pattern[str], dict[str, str]]


def _rules(*rules: tuple[str, dict[str, str]]) -> tuple[_Rule, ...]:
    return tuple((re.compile(p, re.IGNORECASE), t) for p, t in rules)


_SCANS: Final = _rules(
    (
        r"^(?:we've got it: )?(?:item|parcel) (?:received|collected|accepted) by (?P<c>.+)$",
        {"ko": "{c}에서 상품을 접수했습니다", "zh": "{c}已揽收包裹"},
    ),
    (
        r"^(?:item|parcel )?in transit (?:through|at) the (?P<c>.+?) (?:network|national hub|hub)$",
        {"ko": "{c} 물류 거점에서 이동 중", "zh": "{c}转运中心运输中"},
    ),
    (
        r"^item processed at (?:the )?mail centre$",
        {"ko": "우편 센터에서 처리됨", "zh": "已在邮件中心处理"},
    ),
    (
        r"^(?:arrived at|item is at|item at) (?:your )?(?:local )?(?:depot|delivery office)$",
        {"ko": "배송 지역 터미널 도착", "zh": "已到达本地派送站"},
    ),
    (r"^out for delivery$", {"ko": "배달 출발", "zh": "派送中"}),
    (r"^delivered$", {"ko": "배송 완료", "zh": "已送达"}),
    (
        r"^delayed at (?P<p>.+?) due to (?:high|heavy) volumes?$",
        {"ko": "물량 증가로 {p}에서 지연 중", "zh": "因包裹量大，在{p}延误"},
    ),
    (
        r"^delayed (?:by|due to) (?:bad |severe )?weather(?: in the area)?$",
        {"ko": "기상 악화로 지연 중", "zh": "因恶劣天气延误"},
    ),
    (
        r"^delayed: the parcel missed its connection to your local depot$",
        {
            "ko": "배송 지역 터미널 연결편을 놓쳐 지연 중",
            "zh": "包裹未赶上发往本地派送站的班次，已延误",
        },
    ),
    (
        r"^delayed at (?P<p>.+?): the parcel needs a new label and will move shortly$",
        {
            "ko": "{p}에서 지연 중: 라벨을 새로 붙인 후 곧 출발합니다",
            "zh": "在{p}延误：包裹需要更换面单，很快会继续运输",
        },
    ),
    (
        r"^sorted at (?P<p>.+?): on its way to your local depot$",
        {
            "ko": "{p}에서 분류 완료, 배송 지역 터미널로 이동 중",
            "zh": "已在{p}分拣，正发往本地派送站",
        },
    ),
)

# When no rule knows the carrier's wording: the status in words, then their text.
_SCAN_STATUS: Final = {
    "label_created": {"ko": "운송장 발급", "zh": "已生成运单"},
    "in_transit": {"ko": "배송 중", "zh": "运输中"},
    "out_for_delivery": {"ko": "배달 출발", "zh": "派送中"},
    "delivered": {"ko": "배송 완료", "zh": "已送达"},
    "delayed": {"ko": "배송 지연", "zh": "延误"},
    "lost": {"ko": "분실", "zh": "丢失"},
}

_DELIVERED_TO: Final = _rules(
    (r"^handed to resident$", {"ko": "수령인에게 직접 전달", "zh": "已交给收件人"}),
    (
        r"^left in (?:a )?safe place: ?(?P<where>.+)$",
        {"ko": "안전한 장소에 보관: {where}", "zh": "放在安全位置：{where}"},
    ),
    (r"^posted through (?:the )?letterbox$", {"ko": "우편함에 넣음", "zh": "投入信箱"}),
    (r"^left in (?:a )?parcel locker$", {"ko": "무인 택배함에 보관", "zh": "放入快递柜"}),
    (r"^signed for by reception$", {"ko": "안내 데스크에서 수령", "zh": "由前台签收"}),
    (r"^delivered to (?:a )?neighbour$", {"ko": "이웃에게 전달", "zh": "已交给邻居"}),
)
# The places couriers name in "left in safe place: …"
_PLACES: Final = {
    "porch": {"ko": "현관", "zh": "门廊"},
    "behind the bin store": {"ko": "쓰레기 보관함 뒤", "zh": "垃圾桶房后面"},
    "front door": {"ko": "현관문 앞", "zh": "前门"},
    "garage": {"ko": "차고", "zh": "车库"},
    "shed": {"ko": "창고", "zh": "棚屋"},
}

_CANCELLATIONS: Final = _rules(
    (
        r"^cancelled at the customer's request$",
        {"ko": "고객님의 요청으로 취소됨", "zh": "应您的要求取消"},
    ),
    (
        r"^an item went out of stock before dispatch$",
        {"ko": "발송 전에 상품이 품절됨", "zh": "发货前商品缺货"},
    ),
    (
        r"^ordered the wrong size; customer placed a new order$",
        {"ko": "사이즈를 잘못 주문하여 새로 주문하심", "zh": "尺码下错，已重新下单"},
    ),
    (r"^payment could not be authori[sz]ed$", {"ko": "결제가 승인되지 않음", "zh": "付款未获授权"}),
    (r"^duplicate order placed by mistake$", {"ko": "실수로 중복 주문됨", "zh": "误下重复订单"}),
)
_CANCELLATION_FALLBACK: Final = {"ko": "취소 사유: {text}", "zh": "取消原因：{text}"}

_PAYMENT: Final = _rules(
    (
        r"^(?P<brand>.+?) ending (?P<digits>\d{4})$",
        {"ko": "{brand}(끝자리 {digits})", "zh": "{brand}（尾号{digits}）"},
    ),
)


def _translate(rules: tuple[_Rule, ...], value: str, lang: str) -> Optional[str]:
    for pattern, templates in rules:
        found = pattern.match(value.strip())
        if found:
            groups = {k: v for k, v in found.groupdict().items() if v is not None}
            return templates[lang].format(**groups)
    return None


def scan(description: str, status: str, lang: str) -> str:
    """A carrier's tracking-event text in ``lang``."""
    lang = normalize(lang)
    if lang == "en" or not description:
        return description
    known = _translate(_SCANS, description, lang)
    if known is not None:
        return known
    word = _SCAN_STATUS.get(status, _SCAN_STATUS["in_transit"])[lang]
    return f"{word} ({description})"


def delivered_to(value: str, lang: str) -> str:
    """Where the courier left the parcel, in ``lang``."""
    lang = normalize(lang)
    if lang == "en" or not value:
        return value
    found = re.match(r"^left in (?:a )?safe place: ?(?P<where>.+)$", value.strip(), re.I)
    if found:
        where = found.group("where")
        place = _PLACES.get(where.lower(), {}).get(lang, where)
        return _DELIVERED_TO[1][1][lang].format(where=place)
    known = _translate(_DELIVERED_TO, value, lang)
    return known if known is not None else value


def cancellation(reason: str, lang: str) -> str:
    """Why the shop cancelled an order, in ``lang``."""
    lang = normalize(lang)
    if lang == "en" or not reason:
        return reason
    known = _translate(_CANCELLATIONS, reason, lang)
    return known if known is not None else _CANCELLATION_FALLBACK[lang].format(text=reason)


def payment_method(method: str, lang: str) -> str:
    """ "Visa ending 4242" as "Visa(끝자리 4242)" / "Visa（尾号4242）"; wallets keep their names."""
    lang = normalize(lang)
    if lang == "en" or not method:
        return method
    known = _translate(_PAYMENT, method, lang)
    return known if known is not None else method
