"""Baton's own data checks (``make validate``) catch what Rasa's validator lets through."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.data_checks import check_all
from bot.settings import ROOT


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the parts of the repository the checks read."""
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    shutil.copytree(ROOT / "data" / "nlu", tmp_path / "data" / "nlu")
    shutil.copytree(ROOT / "tests" / "nlu", tmp_path / "tests" / "nlu")
    return tmp_path


def add(repo: Path, name: str, body: str, lang: str = "en") -> None:
    (repo / "data" / "nlu" / lang / name).write_text('version: "3.1"\nnlu:\n' + body)


def test_the_repository_data_passes() -> None:
    assert check_all(ROOT) == []


def test_a_regex_that_does_not_compile_is_reported(repo: Path) -> None:
    add(repo, "extra.yml", "- regex: order_hint\n  examples: |\n    - (unclosed\n")
    assert any("regex 'order_hint' does not compile" in p for p in check_all(repo))


def test_an_annotation_the_regex_would_not_extract_is_reported(repo: Path) -> None:
    add(repo, "extra.yml", "- intent: inform\n  examples: |\n    - it is [ABC](order_number)\n")
    assert any(
        "the order_number regex does not find the annotated 'ABC'" in p for p in check_all(repo)
    )


def test_an_entity_without_regex_or_examples_is_reported(repo: Path) -> None:
    domain = (repo / "domain.yml").read_text()
    (repo / "domain.yml").write_text(
        domain.replace("  - postal_code\n", "  - postal_code\n  - colour\n", 1)
    )
    assert any("entity 'colour' has neither a regex" in p for p in check_all(repo))


def test_a_long_blind_set_message_in_the_training_data_is_reported(repo: Path) -> None:
    add(
        repo,
        "extra.yml",
        "- intent: order_status\n  examples: |\n"
        "    - my order from the week before last is missing and nobody answers\n",
    )
    (repo / "tests" / "nlu" / "blind" / "en" / "dev.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - my order from the week before last is missing and nobody answers\n    - yes\n"
    )
    problems = check_all(repo)
    assert any(
        "is both a training example (order_status) and in the blind set tests/nlu/blind/en" in p
        for p in problems
    )
    assert not any("'yes'" in p for p in problems)  # short everyday messages are allowed in both


def test_a_pending_blind_set_message_in_the_training_data_is_reported(repo: Path) -> None:
    add(
        repo,
        "extra.yml",
        "- intent: complain\n  examples: |\n    - the box came in pieces and the vase inside too\n",
    )
    pending = repo / "tests" / "nlu" / "pending" / "problems"
    pending.mkdir(parents=True, exist_ok=True)
    (pending / "en.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: report_problem\n  examples: |\n'
        "    - the box came in pieces and the vase inside too\n"
    )
    assert any("in the blind set tests/nlu/pending/problems/en.yml" in p for p in check_all(repo))


def test_duplicates_and_real_email_addresses_are_reported(repo: Path) -> None:
    add(
        repo,
        "extra.yml",
        "- intent: order_status\n  examples: |\n    - Where is my ORDER\n"
        "    - order for [someone@gmail.com](email)\n",
    )
    problems = check_all(repo)
    assert any(
        "where is my order" in p.lower() and "is an example of 'order_status' twice" in p
        for p in problems
    )
    assert any("use a fake address (@example.com), not someone@gmail.com" in p for p in problems)


def test_a_language_missing_an_intent_is_reported(repo: Path) -> None:
    (repo / "data" / "nlu" / "ko" / "handoff.yml").unlink()
    (repo / "data" / "nlu" / "ko" / "former_held_out.yml").unlink()
    assert any(
        "data/nlu/ko/ has 0 examples of 'human_handoff'; each language needs at least 30" in p
        for p in check_all(repo)
    )


def test_an_example_in_the_wrong_languages_folder_is_reported(repo: Path) -> None:
    add(repo, "extra.yml", "- intent: order_status\n  examples: |\n    - 我的包裹在哪里呀\n", "ko")
    assert any(
        "'我的包裹在哪里呀' is in data/nlu/ko/ but written in zh; move it to data/nlu/zh/" in p
        for p in check_all(repo)
    )


def test_a_long_chinese_blind_set_message_in_the_training_data_is_reported(repo: Path) -> None:
    add(
        repo,
        "extra.yml",
        "- intent: order_status\n  examples: |\n    - 前天下单的台灯什么时候可以送到家\n",
        "zh",
    )
    (repo / "tests" / "nlu" / "blind" / "zh" / "test.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - 前天下单的台灯什么时候可以送到家\n"
    )
    assert any(
        "'前天下单的台灯什么时候可以送到家' is both a training example (order_status) and in the "
        "blind set tests/nlu/blind/zh" in p
        for p in check_all(repo)
    )


def test_every_language_needs_its_blind_sets(repo: Path) -> None:
    (repo / "tests" / "nlu" / "blind" / "zh" / "test.yml").unlink()
    assert (
        "tests/nlu/blind/zh/test.yml is missing: every language needs a blind dev and test set"
        in check_all(repo)
    )


def test_a_side_set_message_in_the_training_data_is_reported(repo: Path) -> None:
    add(
        repo,
        "extra.yml",
        "- intent: report_problem\n  examples: |\n"
        "    - my lamp came in three pieces, box crushed\n",
    )
    side = repo / "tests" / "nlu" / "problems"
    side.mkdir(parents=True, exist_ok=True)
    (side / "en.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: report_problem\n  examples: |\n'
        "    - my lamp came in three pieces, box crushed\n"
    )
    assert any("in the blind set tests/nlu/problems/en.yml" in p for p in check_all(repo))
