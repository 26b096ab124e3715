from handoff.security import (
    bearer_token,
    hash_password,
    same_secret,
    token_digest,
    verify_password,
)


def test_a_password_is_hashed_with_a_salt_and_checks() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second  # salted
    assert "correct horse" not in first
    assert verify_password("correct horse", first)
    assert not verify_password("wrong horse", first)


def test_unknown_users_and_garbage_hashes_do_not_verify() -> None:
    assert not verify_password("x", None)
    assert not verify_password("x", "plain-text")
    assert not verify_password("x", "scrypt$bad")


def test_bearer_tokens_are_read_strictly() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None


def test_secrets_compare_in_constant_time_and_never_match_empty() -> None:
    assert same_secret("s3cret", "s3cret")
    assert not same_secret("s3cre", "s3cret")
    assert not same_secret("", "")
    assert not same_secret(None, "x")


def test_only_a_digest_of_a_session_token_is_stored() -> None:
    assert token_digest("abc") != "abc" and len(token_digest("abc")) == 64
