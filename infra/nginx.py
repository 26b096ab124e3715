"""nginx in front of the replicas: render deploy/nginx/baton.conf.template and run it.

The template is the one file both the local profile and the deployment files use, so what is
tested here is what a cluster runs. It holds ``${UPPER_CASE}`` placeholders (what the official
nginx image's envsubst fills in); :func:`render` fills them and refuses to leave one empty.
:class:`Nginx` wraps the rendered file in a small top-level ``nginx.conf`` (pid, logs and temp
files under its own directory) and runs ``nginx -g 'daemon off;'`` as a child process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from infra.procs import find_binary, service_user, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "baton.conf.template"
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


class TemplateError(ValueError):
    """A placeholder in the template has no value."""


def placeholders(text: str) -> set[str]:
    """The ``${NAME}`` placeholders a template needs."""
    return set(_PLACEHOLDER.findall(text))


def render(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """The template with every placeholder filled; TemplateError names any left without one."""
    text = template.read_text()
    missing = sorted(name for name in placeholders(text) if not values.get(name))
    if missing:
        raise TemplateError(f"no value for {', '.join(missing)} in {template.name}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def upstream_values(
    *,
    rasa: tuple[str, str],
    actions: tuple[str, str],
    handoff: tuple[str, str],
    rasa_port: int,
    actions_port: int,
    handoff_port: int,
) -> dict[str, str]:
    """The template's variables for two replicas of each server (``host:port`` each)."""
    return {
        "NGINX_RASA_PORT": f"127.0.0.1:{rasa_port}",
        "NGINX_ACTIONS_PORT": f"127.0.0.1:{actions_port}",
        "NGINX_HANDOFF_PORT": f"127.0.0.1:{handoff_port}",
        "RASA_1": rasa[0],
        "RASA_2": rasa[1],
        "ACTIONS_1": actions[0],
        "ACTIONS_2": actions[1],
        "HANDOFF_1": handoff[0],
        "HANDOFF_2": handoff[1],
    }


_MAIN_CONF = """\
# Written by infra/nginx.py for the local production profile; edit deploy/nginx/ instead.
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    # No query strings in the log: web chat and webhook URLs may carry ids.
    log_format baton '$remote_addr [$time_iso8601] "$request_method $uri" $status '
                     '$request_time $upstream_addr';
    access_log {dir}/access.log baton buffer=64k flush=2s;
    server_tokens off;
    include {dir}/baton.conf;
}}
"""


@dataclass
class Nginx:
    """One nginx master process serving the rendered template from ``directory``."""

    directory: Path
    values: dict[str, str]
    proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def write_config(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.directory / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        user = service_user("www-data")
        if user is not None:  # root: workers run as www-data and write the temp files
            for path in (self.directory / "tmp", *(self.directory / "tmp").iterdir()):
                shutil.chown(path, user, user)
        (self.directory / "baton.conf").write_text(render(self.values))
        main = self.directory / "nginx.conf"
        main.write_text(
            _MAIN_CONF.format(
                dir=self.directory.resolve(),
                user=f"user {user};\n" if user is not None else "",
            )
        )
        return main

    def check(self) -> None:
        """``nginx -t`` on the written config; raises with nginx's own message on error."""
        main = self.write_config()
        result = subprocess.run(  # noqa: S603
            [find_binary("nginx"), "-t", "-q", "-c", str(main), "-e", "stderr"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"nginx rejected {main}:\n{result.stderr.strip()}")

    def start(self, timeout: float = 20) -> None:
        self.check()
        log = (self.directory / "nginx.out").open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            [
                find_binary("nginx"),
                "-c",
                str(self.directory / "nginx.conf"),
                "-e",
                str(self.directory / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        port = int(self.values["NGINX_RASA_PORT"].rsplit(":", 1)[-1])
        if not wait_for_port(port, timeout, self.proc):
            self.stop()
            raise RuntimeError(
                "nginx did not start:\n" + (self.directory / "error.log").read_text()[-2000:]
            )

    def stop(self) -> None:
        """Graceful quit (finishes requests in flight), then kill if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(3)  # SIGQUIT: graceful shutdown
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
