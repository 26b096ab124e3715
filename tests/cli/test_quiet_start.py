"""`make run` prints a line per stage and the summary; the servers' and Rasa's output goes to
var/logs/, and only a real problem (an ERROR line, a failed start or training) reaches the
terminal before Baton is running (bot/console.py, bot/training.py, bot/banner.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot import console
from bot.banner import summary
from bot.console import ServerOutput, show_tail, tail
from bot.training import train_quietly


def server(*lines: str) -> subprocess.Popen[bytes]:
    code = "".join(f"print({line!r}, flush=True)\n" for line in lines)
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_a_starting_server_writes_everything_to_its_log_and_only_errors_to_the_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    output = ServerOutput("rasa server", tmp_path / "rasa-server.log", threading.Event())
    output.attach(
        server("INFO rasa.core - loading", "DeprecationWarning: old", "ERROR boom")
    ).join()

    assert (tmp_path / "rasa-server.log").read_text().splitlines() == [
        "INFO rasa.core - loading",
        "DeprecationWarning: old",
        "ERROR boom",
    ]
    assert capfd.readouterr().out == "[rasa server] ERROR boom\n"


def test_once_baton_is_running_a_servers_output_is_shown_as_before_and_appended_to_its_log(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    running = threading.Event()
    output = ServerOutput("action server", tmp_path / "action-server.log", running)
    output.attach(server("first start")).join()
    running.set()
    output.attach(server("restarted", "a request")).join()

    assert (tmp_path / "action-server.log").read_text() == "first start\nrestarted\na request\n"
    assert capfd.readouterr().out == "restarted\na request\n"


def test_json_error_lines_count_as_problems_too() -> None:
    assert console.PROBLEM.search(b'{"level": "error", "message": "store unreachable"}')
    assert not console.PROBLEM.search(b'{"level": "info", "message": "an error-free start"}')


def test_a_failure_shows_the_end_of_its_log_and_where_the_log_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "handoff-server.log"
    log.write_bytes(b"".join(f"line {n}\n".encode() for n in range(100)) + b"10%\r50%\r100%\n")
    show_tail(log, "The handoff service stopped while starting.", lines=3)

    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"The handoff service stopped while starting. The last 3 lines of {log}:"
    assert err[1:] == ["  | line 98", "  | line 99", "  | 100%"]
    assert tail(tmp_path / "missing.log") == []


def test_training_prints_a_line_per_component_and_keeps_rasas_output_in_its_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rasa = [
        "INFO rasa.engine.training.hooks - Starting to train component 'WhitespaceTokenizer'.",
        "UserWarning: a validator warning",
        "Epochs: 100%|##########| 80/80",
        "INFO rasa.engine.training.hooks - Starting to train component 'DIETClassifier'.",
        "Your Rasa model is trained and saved at 'models/x.tar.gz'.",
    ]
    code = "".join(f"print({line!r})\n" for line in rasa)
    log = tmp_path / "train.log"

    assert train_quietly([sys.executable, "-c", code], {}, log) == 0
    assert capsys.readouterr().out == "    [1] WhitespaceTokenizer\n    [2] DIETClassifier\n"
    assert log.read_text().splitlines() == rasa


def test_a_failed_training_returns_rasas_exit_status(tmp_path: Path) -> None:
    code = "import sys; print('rasa.shared.exceptions.YamlSyntaxException'); sys.exit(1)"
    assert train_quietly([sys.executable, "-c", code], {}, tmp_path / "train.log") == 1


def test_the_summary_says_where_to_chat_and_where_the_logs_are(tmp_path: Path) -> None:
    env = {
        "PUBLIC_URL": "http://localhost:5005",
        "RASA_PORT": "5005",
        "ACTION_PORT": "5055",
        "HANDOFF_PUBLIC_URL": "http://localhost:5080",
        "HANDOFF_DEMO_AGENT": "false",
    }
    text = summary(env, [], "", tmp_path / "logs")

    assert "  Baton is running." in text.splitlines()
    assert "  Web chat:      http://localhost:5005/webchat" in text.splitlines()
    assert "-m bot shell" in text or "baton shell" in text
    assert f"  Logs:          {tmp_path / 'logs'}/" in text.splitlines()
    assert text.rstrip().endswith("Press Ctrl-C to stop.")
