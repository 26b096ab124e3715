"""The console's own text in English, Korean and Chinese (handoff/console/i18n-*.js): every key
in all three languages with the same placeholders, every key the pages and scripts use defined,
and the Korean and Chinese really written in Hangul and Han characters."""

from __future__ import annotations

import json
import re
from functools import cache
from html.parser import HTMLParser
from typing import Any, get_args

import pytest

from handoff.routes.console import _ASSETS, CONSOLE_DIR

LANGUAGES = ("en", "ko", "zh")
PAGES = ("index.html", "inbox.html", "dashboard.html")
SCRIPTS = (
    "console.js",
    "canned.js",
    "notify.js",
    "inbox.js",
    "dashboard.js",
    "search.js",
    "assign.js",
    "teams.js",
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MARKED = re.compile(r"\[([^\]]+)\]")


@cache
def dictionary(language: str) -> dict[str, str]:
    """The object a dictionary file assigns, read as the strict JSON it is written in."""
    source = (CONSOLE_DIR / f"i18n-{language}.js").read_text(encoding="utf-8")
    start = source.index(f"window.BatonStrings.{language} = ") + len(
        f"window.BatonStrings.{language} = "
    )
    end = source.rindex("};") + 1
    loaded: Any = json.loads(source[start:end])
    assert isinstance(loaded, dict)
    return loaded


class _Keys(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("data-i18n") and name != "data-i18n-mark" and value:
                self.keys.append((name, value))


def page_keys(page: str) -> list[tuple[str, str]]:
    parser = _Keys()
    parser.feed((CONSOLE_DIR / page).read_text(encoding="utf-8"))
    return parser.keys


def script_keys(script: str) -> set[str]:
    """The keys a script passes to ``t(...)`` (or ``tr(...)``) as literals, including both
    sides of ``t(cond ? "a" : "b")``, and to ``i18n(node, "key")`` (assign.js and teams.js:
    what they build once, labelled with a data-i18n attribute); ``words("prefix.", code)``
    (console.js: a code's words) is a key made at run time."""
    source = (CONSOLE_DIR / script).read_text(encoding="utf-8")
    keys = set(re.findall(r"\b(?:tr?|words)\(\s*\"([^\"]+)\"", source))
    keys |= set(re.findall(r"\bi18n\(\s*(?:\w+|el\([^()]*\))\s*,\s*\"([^\"]+)\"", source))
    for a, b in re.findall(r"\btr?\([^;\"]*?\?\s*\"([^\"]+)\"\s*:\s*\"([^\"]+)\"\s*[,)]", source):
        keys |= {a, b}
    return keys


@pytest.mark.parametrize("language", ["ko", "zh"])
def test_every_key_exists_in_every_language(language: str) -> None:
    english, other = dictionary("en"), dictionary(language)
    assert sorted(set(english) - set(other)) == []
    assert sorted(set(other) - set(english)) == []


@pytest.mark.parametrize("language", ["ko", "zh"])
def test_a_translation_keeps_the_placeholders_and_the_marked_keys(language: str) -> None:
    english, other = dictionary("en"), dictionary(language)
    for key, text in english.items():
        assert sorted(PLACEHOLDER.findall(other[key])) == sorted(PLACEHOLDER.findall(text)), key
        assert sorted(MARKED.findall(other[key])) == sorted(MARKED.findall(text)), key


@pytest.mark.parametrize(("language", "script"), [("ko", HANGUL), ("zh", HAN)])
def test_korean_and_chinese_are_written_in_their_own_script(
    language: str, script: re.Pattern[str]
) -> None:
    untranslated = [k for k, v in dictionary(language).items() if not script.search(v)]
    assert untranslated == []


@pytest.mark.parametrize("page", PAGES)
def test_every_data_i18n_key_in_the_pages_is_in_the_dictionary(page: str) -> None:
    keys = page_keys(page)
    assert len(keys) > 5
    assert [k for k in keys if k[1] not in dictionary("en")] == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_key_a_script_asks_for_is_in_the_dictionary(script: str) -> None:
    keys = script_keys(script)
    assert keys, script
    # Keys made at run time ("case.status." + status, ...) are checked on their own, below: a
    # new one needs a test there too.
    prefixes = {k for k in keys if k.endswith(".")}
    assert prefixes <= {
        "case.status.",
        "claims.kind.",
        "claims.state.",
        "claims.remedy.",
        "live.",
        "dash.topic.",
        "dash.reason.",
        "dash.lang.",
        "search.match.",
        "assign.scope.",
        "teams.language.",
    }
    assert sorted(k for k in keys - prefixes if k not in dictionary("en")) == []


def test_the_keys_made_from_a_status_exist() -> None:
    """console.js asks for ``"case.status." + status`` and ``"live." + state``."""
    english = dictionary("en")
    for status in ("waiting", "active", "closed"):
        assert f"case.status.{status}" in english
    for live in ("offline", "live", "reconnecting"):
        assert f"live.{live}" in english
    for language in ("en", "ko", "zh"):
        assert f"dash.lang.{language}" in english
        assert f"teams.language.{language}" in english  # teams.js: a routing rule's language


def test_a_claims_kind_state_and_remedy_have_words_in_every_language() -> None:
    """console.js names a claim's kind, state and remedy with ``words("claims.kind.", kind)``
    and the like: every code Baton records has its words (a missing one would show the bare
    code, underscores and all)."""
    from actions.services.problems_decision import KINDS, Remedy
    from actions.store.tables import CLAIM_STATES

    codes = (
        [f"claims.kind.{kind}" for kind in KINDS]
        + [f"claims.state.{state}" for state in CLAIM_STATES]
        + [f"claims.remedy.{remedy}" for remedy in get_args(Remedy)]
    )
    for language in LANGUAGES:
        assert [c for c in codes if c not in dictionary(language)] == [], language


def test_the_keys_search_and_assign_make_exist() -> None:
    """search.js names what a case matched by (``"search.match." + field``, the fields
    handoff/store/search.py reports) and assign.js each queue filter (``"assign.scope." +
    scope``)."""
    english = dictionary("en")
    for field in ("order", "email", "phone", "name", "text"):
        assert f"search.match.{field}" in english
    for scope in ("mine", "teams", "all"):
        assert f"assign.scope.{scope}" in english


@pytest.mark.parametrize("script", ["search.js", "assign.js", "teams.js"])
def test_search_assign_and_teams_keep_no_english_of_their_own(script: str) -> None:
    """Their text is in the dictionaries, not in a local object of English strings."""
    source = (CONSOLE_DIR / script).read_text(encoding="utf-8")
    assert not re.search(r"\bvar (STRINGS|T) = \{", source)
    assert "BatonAssign.T" not in source


def test_the_dashboard_names_every_handoff_reason() -> None:
    """The dashboard shows a short name per handoff reason (the long text otherwise)."""
    from contracts.packet import REASONS

    assert sorted(k for k in REASONS if f"dash.reason.{k}" not in dictionary("en")) == []


def test_the_pages_load_the_dictionaries_the_service_serves() -> None:
    for page in PAGES:
        html = (CONSOLE_DIR / page).read_text(encoding="utf-8")
        order = [html.index(f"/console/i18n-{lang}.js") for lang in LANGUAGES]
        assert order == sorted(order) and html.index("/console/i18n.js") > order[-1]
    assert {f"i18n-{lang}.js" for lang in LANGUAGES} | {"i18n.js", "notify.js"} <= set(_ASSETS)


def test_the_queue_heading_is_translated() -> None:
    assert dictionary("en")["queue.waiting"] == "Waiting"
    assert dictionary("ko")["queue.waiting"] == "대기 중"
    assert dictionary("zh")["queue.waiting"] == "等待中"
