"""The customer's language, and the few words Baton composes in code rather than in domain.yml.

Whole sentences live in domain.yml as conditional variations on the ``language`` slot; what
is here are the fragments that go *into* them — "not known yet", "free", a button title, a
list joiner — kept in one catalogue so a missing translation is a failing unit test
(``tests/actions/test_i18n.py``), not a customer reading English in the middle of Korean.

Languages: ``en`` (the default), ``ko`` (Korean, polite 해요 style) and ``zh`` (Chinese,
written in simplified characters; the Rasa server converts whole answers to traditional for a
customer who writes traditional, see :mod:`connectors.chinese_script`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

LANGUAGES: Final = ("en", "ko", "zh")
DEFAULT: Final = "en"
SLOT: Final = "language"  # the categorical slot in domain.yml

NAMES: Final = {"en": "English", "ko": "한국어 (Korean)", "zh": "中文 (Chinese)"}


def normalize(value: object) -> str:
    """A supported language code for any slot value, tag or header ("ko-KR", "zh_Hant", None)."""
    if not isinstance(value, str) or not value:
        return DEFAULT
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else DEFAULT


# key -> language -> text; ``{name}`` placeholders are filled by ``text(..., name=...)``.
CATALOGUE: Final[dict[str, dict[str, str]]] = {
    # lists
    "and": {"en": " and ", "ko": ", ", "zh": "和"},
    "list_sep": {"en": ", ", "ko": ", ", "zh": "、"},
    # order status
    "eta_unknown": {"en": "not known yet", "ko": "아직 알 수 없음", "zh": "暂未确定"},
    "recently": {"en": "recently", "ko": "최근", "zh": "最近"},
    "soon": {"en": "soon", "ko": "곧", "zh": "近期"},
    "items": {"en": "items", "ko": "상품", "zh": "商品"},
    "the_items": {"en": "the items", "ko": "상품", "zh": "所选商品"},
    "no_scans": {"en": "no scans yet", "ko": "아직 스캔 기록 없음", "zh": "暂无扫描记录"},
    "next_few_days": {"en": "in the next few days", "ko": "며칠 안에", "zh": "未来几天内"},
    "delivered": {"en": "delivered", "ko": "배송 완료", "zh": "已送达"},
    "cancelled_reason": {"en": "it was cancelled", "ko": "주문이 취소됨", "zh": "订单已取消"},
    "qty": {"en": "{qty} × {name}", "ko": "{name} × {qty}", "zh": "{name} × {qty}"},
    # order buttons: "10001 · Lamp +2 (on its way)"
    "more_items": {"en": " +{n}", "ko": " 외 {n}개", "zh": " 等{n}件"},
    "status_placed": {"en": "placed", "ko": "주문 접수", "zh": "已下单"},
    "status_paid": {"en": "paid", "ko": "결제 완료", "zh": "已付款"},
    "status_packed": {"en": "packed", "ko": "포장 완료", "zh": "已打包"},
    "status_shipped": {"en": "on its way", "ko": "배송 중", "zh": "运输中"},
    "status_out_for_delivery": {"en": "out for delivery", "ko": "배달 중", "zh": "派送中"},
    "status_delivered": {"en": "delivered", "ko": "배송 완료", "zh": "已送达"},
    "status_delayed": {"en": "delayed", "ko": "배송 지연", "zh": "延误"},
    "status_lost_in_transit": {"en": "lost in transit", "ko": "배송 중 분실", "zh": "运输中丢失"},
    "status_cancelled": {"en": "cancelled", "ko": "취소됨", "zh": "已取消"},
    # returns
    "reason_damaged": {
        "en": "Arrived damaged or faulty",
        "ko": "파손 또는 불량",
        "zh": "到货破损或有故障",
    },
    "reason_wrong_item": {"en": "Wrong item sent", "ko": "다른 상품이 옴", "zh": "发错了商品"},
    "reason_doesnt_fit": {"en": "Doesn't fit", "ko": "사이즈가 맞지 않음", "zh": "尺寸不合适"},
    "reason_changed_mind": {"en": "Changed my mind", "ko": "단순 변심", "zh": "不想要了"},
    "reason_other": {"en": "Something else", "ko": "기타 사유", "zh": "其他原因"},
    "clause_damaged": {
        "en": "it arrived damaged or faulty",
        "ko": "파손 또는 불량으로 도착한 경우",
        "zh": "到货破损或有故障",
    },
    "clause_wrong_item": {
        "en": "we sent the wrong item",
        "ko": "저희가 다른 상품을 보낸 경우",
        "zh": "我们发错了商品",
    },
    "clause_doesnt_fit": {
        "en": "it doesn't fit",
        "ko": "사이즈가 맞지 않는 경우",
        "zh": "尺寸不合适",
    },
    "clause_changed_mind": {
        "en": "you changed your mind",
        "ko": "단순 변심인 경우",
        "zh": "您改变了主意",
    },
    "clause_other": {
        "en": "you return it for another reason",
        "ko": "기타 사유로 반품하는 경우",
        "zh": "因其他原因退货",
    },
    "free_clause": {
        "en": ", unless {clauses}",
        "ko": " (단, {clauses} 제외)",
        "zh": "（{clauses}的情况除外）",
    },
    "or": {"en": " or ", "ko": ", ", "zh": "、"},
    "category_gift_cards": {"en": "gift cards", "ko": "기프트 카드", "zh": "礼品卡"},
    "category_underwear": {"en": "underwear", "ko": "속옷", "zh": "内衣"},
    "category_electronics": {"en": "electronics", "ko": "전자제품", "zh": "电子产品"},
    "category_clothing": {"en": "clothing", "ko": "의류", "zh": "服装"},
    "category_footwear": {"en": "footwear", "ko": "신발", "zh": "鞋类"},
    "category_home": {"en": "home", "ko": "홈 인테리어", "zh": "家居"},
    "category_kitchen": {"en": "kitchen", "ko": "주방용품", "zh": "厨房用品"},
    "category_bedding": {"en": "bedding", "ko": "침구", "zh": "床上用品"},
    "category_beauty": {"en": "beauty", "ko": "뷰티", "zh": "美妆"},
    "final_sale_items": {
        "en": "items marked final sale",
        "ko": "최종 할인(반품 불가) 표시 상품",
        "zh": "标明“最终特价”的商品",
    },
    "days_for": {
        "en": "{days} days for {category}",
        "ko": "{category} {days}일",
        "zh": "{category}{days}天",
    },
    "exceptions": {"en": " ({text})", "ko": " ({text})", "zh": "（{text}）"},
    "return_status_requested": {"en": "registered", "ko": "접수됨", "zh": "已登记"},
    "return_status_label_created": {"en": "label ready", "ko": "라벨 발급됨", "zh": "面单已生成"},
    "return_status_in_transit": {"en": "on its way to us", "ko": "반송 중", "zh": "寄回途中"},
    "return_status_received": {"en": "received", "ko": "입고됨", "zh": "已收到"},
    "return_status_inspected": {"en": "approved", "ko": "검수 승인", "zh": "已审核通过"},
    "return_status_refunded": {"en": "refunded", "ko": "환불 완료", "zh": "已退款"},
    "return_status_rejected": {"en": "not accepted", "ko": "반품 불가", "zh": "未被接受"},
    "same_day": {"en": "the same day", "ko": "당일", "zh": "当天"},
    "working_days_1": {
        "en": "within 1 working day",
        "ko": "영업일 기준 1일 이내",
        "zh": "1个工作日内",
    },
    "working_days_n": {
        "en": "within {n} working days",
        "ko": "영업일 기준 {n}일 이내",
        "zh": "{n}个工作日内",
    },
    "yesterday_ago": {"en": "yesterday", "ko": "어제", "zh": "昨天"},
    "days_ago": {"en": "{n} days ago", "ko": "{n}일 전", "zh": "{n}天前"},
    "free": {"en": "free", "ko": "무료", "zh": "免费"},
    "fee_from_refund": {
        "en": "{fee}, taken from your refund",
        "ko": "{fee}, 환불 금액에서 차감",
        "zh": "{fee}，从退款中扣除",
    },
    "drop_off_charged": {
        "en": "charged like a carrier return",
        "ko": "택배 반품과 같은 비용",
        "zh": "与快递退货收费相同",
    },
    "btn_drop_off": {
        "en": "Drop off at a store ({fee})",
        "ko": "매장 반납 ({fee})",
        "zh": "到门店退货（{fee}）",
    },
    "btn_carrier": {
        "en": "Send with {carrier} ({fee})",
        "ko": "{carrier}(으)로 발송 ({fee})",
        "zh": "通过{carrier}寄回（{fee}）",
    },
    "a_carrier": {"en": "a carrier", "ko": "택배사", "zh": "快递公司"},
    "btn_all": {"en": "All of these", "ko": "전부", "zh": "全部"},
    # cancelling some items of an order (actions/services/cancel_choice.py)
    "btn_thats_all": {"en": "That's all", "ko": "다 골랐어요", "zh": "就这些"},
    "btn_whole_order": {"en": "The whole order", "ko": "주문 전체", "zh": "整个订单"},
    "cancel_chosen_so_far": {
        "en": "So far: {items}. Tap another, or That's all.",
        "ko": "지금까지 고른 상품: {items}. 더 고르시거나 '다 골랐어요'를 눌러 주세요.",
        "zh": "目前已选：{items}。可以继续选择，或点“就这些”。",
    },
    "btn_where_is": {
        "en": "Where is order {number}?",
        "ko": "주문 {number} 배송 조회",
        "zh": "订单{number}到哪了？",
    },
    "btn_back_to": {
        "en": "Back to my {method}",
        "ko": "{method}(으)로 환불",
        "zh": "退回我的{method}",
    },
    "btn_store_credit": {
        "en": "Store credit (faster)",
        "ko": "적립금 (더 빠름)",
        "zh": "商店积分（更快）",
    },
    "store_credit": {"en": "store credit", "ko": "적립금", "zh": "商店积分"},
    "your_method": {"en": "your {method}", "ko": "고객님의 {method}", "zh": "您的{method}"},
    "btn_confirm_return": {
        "en": "Yes, create the return",
        "ko": "네, 반품을 접수해 주세요",
        "zh": "是的，创建退货",
    },
    "btn_cancel": {"en": "Cancel", "ko": "취소", "zh": "取消"},
    "btn_talk_to_person": {
        "en": "Yes, talk to a person",
        "ko": "네, 상담원과 이야기할게요",
        "zh": "好的，转人工客服",
    },
    "btn_start_return": {"en": "Start a return", "ko": "반품 시작하기", "zh": "开始退货"},
    "btn_no_thanks": {"en": "No thanks", "ko": "괜찮아요", "zh": "不用了，谢谢"},
    "more_at": {"en": "More: {link}", "ko": "자세히 보기: {link}", "zh": "详情：{link}"},
    "within_two_weeks": {"en": "within two weeks", "ko": "2주 이내", "zh": "两周内"},
    "our_store": {"en": "our store", "ko": "저희 매장", "zh": "我们的门店"},
    "rejection_default": {
        "en": "it didn't meet our return conditions",
        "ko": "반품 조건을 충족하지 않았습니다",
        "zh": "不符合我们的退货条件",
    },
    # stores
    "under_1_km": {"en": "under 1 km", "ko": "1km 이내", "zh": "不到1公里"},
    "closed": {"en": "closed", "ko": "휴무", "zh": "休息"},
    "open_today": {"en": "Open today {hours}", "ko": "오늘 영업 {hours}", "zh": "今天营业 {hours}"},
    "closed_today": {"en": "Closed today", "ko": "오늘 휴무", "zh": "今天休息"},
    # handoff: "you're {queue_place}; {estimate}"
    "about_a_minute": {"en": "about a minute", "ko": "약 1분", "zh": "大约1分钟"},
    "about_minutes": {"en": "about {n} minutes", "ko": "약 {n}분", "zh": "大约{n}分钟"},
    "about_an_hour": {"en": "about an hour", "ko": "약 1시간", "zh": "大约1小时"},
    "about_hours": {"en": "about {n} hours", "ko": "약 {n}시간", "zh": "大约{n}小时"},
    "next_in_line": {"en": "next in line", "ko": "다음 순서", "zh": "下一位"},
    "queue_number": {"en": "number {n} in the queue", "ko": "대기 {n}번째", "zh": "排在第{n}位"},
    "usually_here": {
        "en": " (we're usually here {hours})",
        "ko": " (상담 가능 시간: {hours})",
        "zh": "（我们的服务时间：{hours}）",
    },
    # delivery problems (actions/services/problems_replies.py, problems_choice.py)
    "problem_kind_not_received": {
        "en": "It never arrived",
        "ko": "배송 완료인데 못 받았어요",
        "zh": "显示送达但没收到",
    },
    "problem_kind_missing_item": {
        "en": "Something is missing",
        "ko": "빠진 상품이 있어요",
        "zh": "少了商品",
    },
    "problem_kind_damaged": {"en": "It arrived damaged", "ko": "파손되어 왔어요", "zh": "到货破损"},
    "problem_kind_wrong_item": {
        "en": "I got the wrong item",
        "ko": "다른 상품이 왔어요",
        "zh": "发错了商品",
    },
    "problem_look_neighbours": {
        "en": "ask your neighbours whether they took it in",
        "ko": "이웃분들이 대신 받아 두셨는지 여쭤봐 주세요",
        "zh": "问问邻居是否代收了",
    },
    "problem_look_safe_place": {
        "en": "look in any safe place around your home (a porch, a bin store, behind a gate) and "
        "for a card from the driver",
        "ko": "현관, 분리수거장, 대문 뒤 같은 곳과 기사님이 남긴 안내 카드를 확인해 주세요",
        "zh": "看看家门口附近的安全位置（门廊、垃圾房、门后）以及快递员留下的通知卡",
    },
    "problem_then": {"en": " and ", "ko": ", 그리고 ", "zh": "，再"},
    "problem_look_home": {
        "en": "have a look around your home",
        "ko": "집 주변을 한번 확인해 주세요",
        "zh": "在家附近找一找",
    },
    "problem_hour": {"en": "an hour", "ko": "1시간", "zh": "1小时"},
    "problem_hours": {"en": "{n} hours", "ko": "{n}시간", "zh": "{n}小时"},
    "problem_out_of_stock": {
        "en": " It's out of stock, so a replacement isn't possible.",
        "ko": " 재고가 없어 새 상품을 보내 드릴 수는 없어요.",
        "zh": "该商品缺货，无法补发。",
    },
    "problem_keep_it": {
        "en": " You don't need to send anything back.",
        "ko": " 상품은 돌려보내지 않으셔도 돼요.",
        "zh": "商品无需寄回。",
    },
    "problem_settle_replacement": {
        "en": "send you a replacement",
        "ko": "새 상품을 보내 드릴게요",
        "zh": "为您补发",
    },
    "problem_settle_refund": {
        "en": "refund {amount} to {method}",
        "ko": "{amount}를 {method}(으)로 환불해 드릴게요",
        "zh": "把{amount}退到{method}",
    },
    "problem_none_order_cancelled": {
        "en": "it was cancelled",
        "ko": "주문이 취소되었어요",
        "zh": "订单已取消",
    },
    "problem_none_already_refunded": {
        "en": "it has already been refunded in full",
        "ko": "이미 전액 환불되었어요",
        "zh": "已经全额退款",
    },
    "problem_none_not_in_order": {
        "en": "that item isn't part of this order",
        "ko": "그 상품은 이 주문에 포함되어 있지 않아요",
        "zh": "该商品不在这个订单里",
    },
    "problem_none_item_cancelled": {
        "en": "that item was cancelled and refunded before the order left us",
        "ko": "그 상품은 발송 전에 취소되고 환불되었어요",
        "zh": "该商品在发货前已取消并退款",
    },
    "parcel_label_created": {
        "en": "waiting to be collected",
        "ko": "택배사 인수 대기",
        "zh": "等待揽收",
    },
}


def text(key: str, lang: str, /, **values: object) -> str:
    """The catalogue entry ``key`` in ``lang`` (English when the language is unknown)."""
    entry = CATALOGUE[key]
    template = entry.get(normalize(lang), entry[DEFAULT])
    return template.format(**values) if values else template


def join(words: Sequence[str], lang: str) -> str:
    """ "a, b and c" / "a, b, c" / "a、b和c"."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return text("list_sep", lang).join(words[:-1]) + text("and", lang) + words[-1]


def join_or(words: Sequence[str], lang: str) -> str:
    """ "a or b" / "a, b" / "a或b"."""
    return text("or", lang).join(words)
