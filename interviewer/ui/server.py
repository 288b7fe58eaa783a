"""`interviewer serve`: the Gradio page on loopback, driving the same engine as the CLI.

Safe by default: binds 127.0.0.1, never creates share links, asks for credentials
before binding any other address, uses system fonts (no CDN), analytics, monitoring,
MCP, PWA and server-side rendering off. Requests must name the served address in Host
and Origin (no DNS rebinding), failed logins are rate-limited, uploads are capped at
10 MB, and everything the server writes for downloads or uploads lives in one private
folder that is deleted at exit and, after a crash, at the next start.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import tempfile
from pathlib import Path

import interviewer.offline  # noqa: F401  (GRADIO_ANALYTICS_ENABLED before gradio is imported)
from interviewer.app import App
from interviewer.interview import InterviewConfig
from interviewer.settings import Settings
from interviewer.ui.page import CSS, DEFAULT_ROUND, build_ui
from interviewer.ui.views import message_text  # noqa: F401  (re-exported for API clients and tests)

AUTH_HINT = "--auth user:password (or --auth FILE, a file of user:password lines)"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None) -> list[tuple[str, str]] | tuple[str, str] | None:
    """`user:password`, or the path of a file holding one `user:password` per line.

    A file keeps the password out of the shell history and the process list.
    """
    if not auth:
        return None
    path = Path(auth).expanduser()
    if path.is_file():
        return _read_credentials(path)
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError(f"--auth must be user:password or an existing credentials file; got {auth!r}")
    return user, password


def _read_credentials(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            raise ValueError(f"{path}, line {number}: expected user:password")
        pairs.append((user, password))
    if not pairs:
        raise ValueError(f"{path}: no user:password lines")
    return pairs


def warm_up(app: App) -> None:
    """Build the index, load both models and open the default round once, discarded, so the
    first visitor's Start does not pay for loading (the shared prompt prefix stays in
    llama.cpp's cache). Waits for that round's background preparation (on a fresh data
    directory it encodes the ~1,500 curated sentences every question shares, which a first
    answer given at once otherwise waited for: 30 s in the browser test, idle machine) and,
    after a build, for the start-up queries to be remembered; then, for at most
    `serve_wait_for_model_s`, for the model to finish qualifying (first use of a model file:
    4.6 s for the default model), so the suite does not compete with the first answers."""
    interview = app.interview(InterviewConfig(round=DEFAULT_ROUND))
    for _ in interview.start():
        pass
    interview.wait_until_prepared()
    app.knowledge.settle()
    app.llm.wait_until_warm(app.settings.serve_wait_for_model_s)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _stop_cleanly_on_sigterm() -> None:
    """`kill` stops the server like Ctrl-C does, so the cleanup below runs."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (an embedding application); leave its handlers alone
        pass


def ensure_port_free(host: str, port: int) -> None:
    """Fail before loading anything when another process (a second `serve`?) holds the port."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server itself binds: connections of a killed server left in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValueError(f"port {port} on {host} is already in use ({exc.strerror}); is another `interviewer serve` running? Pass --port to choose another") from exc


RUNTIME_PREFIX = "interviewer-serve-"
MAX_UPLOAD = "10mb"  # the resume reader's limit too


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_runtime_dirs(tmp: Path | None = None) -> list[Path]:
    """Remove what servers that died without cleaning up (kill -9, power loss) left in the temp
    directory: their transcripts and uploads. A folder whose server still runs is kept."""
    tmp = Path(tmp or tempfile.gettempdir())
    removed = []
    for folder in [*tmp.glob(RUNTIME_PREFIX + "*"), *tmp.glob("interviewer-downloads-*")]:
        try:
            if not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            pid_text = (folder / "server.pid").read_text().strip() if (folder / "server.pid").exists() else ""
        except OSError:
            continue
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def runtime_dir() -> Path:
    """This server's private folder (mode 0700): downloads/ for transcripts, gradio/ for Gradio's cache and uploads."""
    sweep_stale_runtime_dirs()
    root = Path(tempfile.mkdtemp(prefix=RUNTIME_PREFIX))
    (root / "server.pid").write_text(str(os.getpid()))
    (root / "downloads").mkdir()
    (root / "gradio").mkdir()
    return root


def request_guard(host: str, settings: Settings):
    """The Host/Origin check and login rate limit, as the middleware entry Gradio's app is built with."""
    from starlette.middleware import Middleware

    from interviewer.ui.guard import RequestGuard, served_names

    extra = [name for name in (settings.allowed_hosts or "").split(",") if name.strip()]
    return Middleware(RequestGuard, names=served_names(host, extra), extra=extra)


def sandbox_line() -> str:
    from interviewer.sandbox import sandbox_status

    status = sandbox_status()
    if status["available"]:
        return f"Run tests: candidate code runs isolated by {status['tool']} ({status['python']})."
    return f"Run tests is off: {status['reason']}"


def run_server(settings: Settings, host: str, port: int, auth: str | None) -> None:
    from interviewer import sandbox

    credentials = parse_auth(auth)
    if not is_loopback(host) and credentials is None:
        raise ValueError(f"binding {host} exposes the page beyond this machine: add {AUTH_HINT}")
    ensure_port_free(host, port)
    auth_path = Path(auth).expanduser() if auth and Path(auth).expanduser().is_file() else None
    sandbox.protect(settings.data_dir, auth_path)  # never mounted into the code sandbox
    root = runtime_dir()
    downloads = root / "downloads"
    os.environ["GRADIO_TEMP_DIR"] = str(root / "gradio")  # uploads and Gradio's copies of downloads, ours alone
    app = App(settings)
    warm_up(app)
    demo, theme = build_ui(app, downloads)
    if is_loopback(host):
        print(f"Serving the web app on http://{_url_host(host)}:{port}/ (this machine only). Ctrl-C stops it.", flush=True)
    else:
        print(f"Serving on {host}:{port} with password protection: other machines on the network can reach this page.", flush=True)
    print(sandbox_line(), flush=True)
    _stop_cleanly_on_sigterm()
    try:
        demo.queue(default_concurrency_limit=4).launch(
            server_name=host,
            server_port=port,
            share=False,
            auth=credentials,
            theme=theme,
            css=CSS,
            show_error=True,
            quiet=True,  # gradio's banner suggests share links, which this app never creates
            footer_links=["api", "settings"],
            run_history=False,
            enable_monitoring=False,
            ssr_mode=False,
            pwa=False,
            mcp_server=False,
            allowed_paths=[str(downloads)],
            max_file_size=MAX_UPLOAD,
            app_kwargs={"middleware": [request_guard(host, settings)]},
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)  # transcripts and uploads hold the candidate's answers
