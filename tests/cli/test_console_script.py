"""The ``baton`` command that pyproject.toml installs runs Baton's command line."""

from __future__ import annotations

import importlib
import sys

import pytest
import tomli

from bot import __main__ as cli
from bot.settings import ROOT


def test_pyproject_installs_a_baton_command_that_is_bots_command_line() -> None:
    scripts = tomli.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["baton"].partition(":")

    assert getattr(importlib.import_module(module), function) is cli.main


@pytest.mark.parametrize("command", ["run", "shell", "seed", "check-shop", "train"])
def test_the_baton_command_lists_its_subcommands_under_its_own_name(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["/work/.venv/bin/baton", "--help"])
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])

    usage = capsys.readouterr().out
    assert done.value.code == 0
    assert usage.startswith("usage: baton ")
    assert command in usage
