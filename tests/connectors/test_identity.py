import time

from connectors.identity import (
    channel_metadata,
    conversation_from_session,
    make_customer_token,
    new_session,
    verify_customer_token,
)

SECRET = "s3cret"


def test_a_shop_signed_customer_token_identifies_the_customer() -> None:
    token = make_customer_token(7, SECRET)
    assert verify_customer_token(token, SECRET) == "7"


def test_a_forged_expired_or_malformed_customer_token_identifies_nobody() -> None:
    token = make_customer_token(7, SECRET)
    _cid, expires, sig = token.split(".")
    assert verify_customer_token(f"8.{expires}.{sig}", SECRET) is None
    assert verify_customer_token(token, "other-secret") is None
    assert verify_customer_token(token, SECRET, now=time.time() + 7200) is None
    assert verify_customer_token(token, None) is None
    for junk in ["", "7", "a.b.c", None, 7, {"customer_id": 7}, "x" * 10_000]:
        assert verify_customer_token(junk, SECRET) is None


def test_only_session_ids_this_server_issued_open_a_conversation() -> None:
    token, conversation = new_session(SECRET)
    assert conversation_from_session(token, SECRET) == conversation
    assert conversation_from_session(conversation, SECRET) is None
    assert conversation_from_session(f"{conversation}.{'0' * 32}", SECRET) is None
    assert conversation_from_session(token, "other") is None
    for junk in [None, "", "..", 123, "a" * 500]:
        assert conversation_from_session(junk, SECRET) is None


def test_two_sessions_never_share_a_conversation() -> None:
    assert new_session(SECRET)[1] != new_session(SECRET)[1]


def test_metadata_carries_a_customer_only_when_proven() -> None:
    assert "customer_id" not in channel_metadata("webchat", "abc")
    assert channel_metadata("webchat", "abc", customer_id="7")["customer_id"] == "7"
