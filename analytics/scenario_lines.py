"""What customers say, per language, and how often each return reason and method comes
up (:mod:`analytics.scenarios`)."""

from __future__ import annotations

from bot import names

OPENERS = {
    "en": {
        "order": [
            "where is my order",
            "hi, has my order shipped yet?",
            "wheres my parcel",
            "can you tell me when my order arrives",
            "tracking for my order please",
            "my order still hasn't come",
        ],
        "cancel": [
            "I want to cancel my order",
            "can I still cancel order",
            "please cancel my order, I ordered the wrong size",
        ],
        "return": [
            "I want to return something",
            "how do i send back a jumper that doesnt fit",
            "the lamp arrived broken, can I return it",
            "i'd like a refund for my order",
        ],
        "policy": [
            "how long do I have to return things?",
            "do returns cost anything",
            "can i return sale items",
        ],
        "refund": [
            "where is my refund",
            "I sent my return back 2 weeks ago, no money yet",
            "refund status please",
        ],
        "human": [
            "can I talk to a real person",
            "agent please",
            "I want to speak to someone",
        ],
        "complaint": [
            "this is the third time my delivery has been missed, absolutely ridiculous",
            "I'm really unhappy, the courier left my parcel in the rain",
            "terrible service, nobody answers my emails",
        ],
        "oos": [
            "do you have a shop in Leeds",
            "are you hiring",
            "what's the weather like in London",
        ],
        "confused": [
            "the thing with the stuff from last week",
            "hello?? the one i told you about",
            "asdf my thing",
            "same as before",
        ],
        "thanks": ["thanks!", "great, thank you", "cheers", "perfect thanks"],
        "greet": ["hi", "hello", "hey there"],
    },
    "ko": {
        "order": ["주문한 물건 어디쯤 왔나요?", "배송 조회 부탁드려요"],
        "return": ["반품하고 싶어요", "사이즈가 안 맞아서 반품할게요"],
        "cancel": ["주문 취소해 주세요", "주문 취소하고 싶어요"],
        "policy": ["반품 기간이 어떻게 되나요?"],
        "refund": ["환불 언제 되나요?"],
        "human": ["상담원 연결해 주세요"],
        "complaint": ["배송이 너무 늦어요. 정말 실망입니다"],
        "oos": ["오프라인 매장도 있나요?"],
        "confused": ["그거 말이에요 그거"],
        "thanks": ["감사합니다!", "고마워요"],
        "greet": ["안녕하세요"],
    },
    "zh": {
        "order": ["我的订单到哪里了？", "请帮我查一下物流"],
        "return": ["我想退货", "衣服不合适，可以退吗"],
        "cancel": ["我想取消订单", "请帮我取消订单"],
        "policy": ["退货期限是多久？"],
        "refund": ["我的退款什么时候到账？"],
        "human": ["我要人工客服"],
        "complaint": ["快递太慢了，非常不满意"],
        "oos": ["你们有实体店吗？"],
        "confused": ["就是那个东西"],
        "thanks": ["谢谢！", "太好了，谢谢"],
        "greet": ["你好"],
    },
}

# Shop topics Baton answers from policy/shop_topics.yml but does not settle itself yet.
SHOP_TOPIC_LINES = {
    "en": (
        (names.CHANGE_ADDRESS, "can I change my delivery address"),
        (names.INVOICE, "I need an invoice for my order"),
        (names.PRODUCT_QUESTION, "do you have the oak shelf in stock"),
        (names.ACCOUNT, "how do I reset my password"),
        (names.CANCEL_ORDER, "I want to cancel my order"),
        (names.DELIVERY_OPTIONS, "how much is next day delivery"),
        (names.PAYMENT, "my card keeps getting declined"),
        (names.DISCOUNT_CODE, "my discount code isn't working"),
        (names.CHANGE_ORDER, "can I add another cushion to my order"),
    ),
    "ko": (
        (names.CHANGE_ADDRESS, "배송지 변경할 수 있나요?"),
        (names.CANCEL_ORDER, "주문 취소하고 싶어요"),
        (names.DELIVERY_OPTIONS, "배송비 얼마예요?"),
    ),
    "zh": (
        (names.CHANGE_ADDRESS, "可以改收货地址吗？"),
        (names.CANCEL_ORDER, "我想取消订单"),
        (names.INVOICE, "可以开发票吗？"),
    ),
}

RETURN_REASONS = (
    ("doesnt_fit", 0.34),
    ("changed_mind", 0.24),
    ("damaged", 0.18),
    ("wrong_item", 0.12),
    ("other", 0.12),
)
RETURN_METHODS = (("carrier", 0.62), ("drop_off", 0.38))
