"""`interviewer serve` as a real server process on loopback, driven through gradio_client."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interviewer.ui.server import message_text

from .conftest import cli_env, free_port, run_cli
from .scripted import STRONG


@pytest.fixture(scope="module")
def server(data_dir):
    port = free_port()
    exe = Path(sys.executable).parent / "interviewer"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=cli_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("server did not come up in 180 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_page_is_served_on_loopback(server):
    html = urllib.request.urlopen(server, timeout=10).read().decode()
    assert "interviewer" in html
    assert "fonts.googleapis.com" not in html


def test_gradio_client_drives_an_interview(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    session, history, progress, _ = client.predict("ml-fundamentals", "general", "", api_name="/start")
    assert session and history[-1]["role"] == "assistant" and message_text(history[-1]).endswith("?")
    assert progress.startswith("Question 1 of")
    history, box, progress = client.predict(session, STRONG[0], history, api_name="/answer")
    assert history[-2]["role"] == "user" and message_text(history[-2]) == STRONG[0]
    assert history[-1]["role"] == "assistant" and message_text(history[-1]).endswith("?")
    assert box == ""
    card = client.predict(session, api_name="/end")
    assert "Technical Depth and Fundamentals" in card and "Overall" in card


def test_binding_beyond_loopback_needs_auth(data_dir):
    out = run_cli(["serve", "--host", "0.0.0.0", "--port", "1"], data_dir, timeout=120)
    assert out.returncode == 1 and "--auth" in out.stderr
