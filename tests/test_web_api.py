"""`interviewer serve` as a real server process, driven through the official gradio_client."""

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from interviewer.ui.views import message_text

from .conftest import cli_env, free_port, run_cli
from .scripted import STRONG


@pytest.fixture(scope="module")
def client(web_server):
    from gradio_client import Client

    return Client(web_server, verbose=False)


def test_page_is_served_on_loopback_without_external_assets(web_server):
    html = urllib.request.urlopen(web_server, timeout=10).read().decode()
    assert '"title":"interviewer"' in html
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert links and all(not re.match(r"(https?:)?//", link) or link.startswith(web_server) for link in links), links
    assert "fonts.googleapis.com" not in html


def test_gradio_client_drives_an_interview(client):
    session, chat, progress, notice, code, results = client.predict("ml-fundamentals", "general", None, "", api_name="/start")
    assert re.fullmatch(r"[0-9a-f]{12}", session)
    assert chat[-1]["role"] == "assistant" and message_text(chat[-1]).endswith(("?", "."))  # bank questions may be a task
    assert progress.startswith("**Question 1 of 4**") and "elapsed of 45:00" in progress

    chat, box, progress, *_ = client.predict(session, STRONG[0], api_name="/answer")
    assert chat[-2]["role"] == "user" and message_text(chat[-2]) == STRONG[0]
    assert chat[-1]["role"] == "assistant" and message_text(chat[-1]).endswith(("?", "."))
    assert box == ""

    chat = client.predict(session, api_name="/repeat")
    assert message_text(chat[-1]).startswith("Of course. The question is:")
    assert message_text(chat[-2]) in message_text(chat[-1])

    progress, summary, chart, details, md_file, json_file = client.predict(session, api_name="/end")
    assert "finished" in progress
    assert summary.startswith("## Overall:") and "Technical Depth and Fundamentals" in summary
    assert [row[0] for row in chart["data"]] == ["Technical Depth", "Engineering Excellence", "Domain Expertise", "Communication"]
    assert all(1 <= row[1] <= 4 for row in chart["data"])
    assert "### Evidence from your answers" in details
    transcript = json.loads(Path(json_file).read_text(encoding="utf-8"))
    assert transcript["session_id"] == session and transcript["scorecard"]["overall"] > 0
    answers = [t["text"] for t in transcript["turns"] if t["role"] == "candidate"]
    assert answers == [STRONG[0]]  # the repeat request is not an answer
    markdown = Path(md_file).read_text(encoding="utf-8")
    assert markdown.startswith("# Mock interview: ml-fundamentals") and STRONG[0] in markdown


def test_coding_round_runs_the_candidates_code_against_the_bank_tests(client, curated):
    session, chat, progress, notice, code, results = client.predict("coding", "general", None, "", api_name="/start")
    function = re.match(r"def (\w+)\(", code).group(1)
    question = next(q for q in curated.questions.values() if q.coding and q.coding.function == function)
    assert question.text in message_text(chat[-1])

    stub_run = client.predict(session, code, api_name="/run_tests")
    assert f"**0 of {len(question.coding.tests)} tests passed**" in stub_run and "NotImplementedError" in stub_run
    good_run = client.predict(session, question.coding.reference, api_name="/run_tests")
    n = len(question.coding.tests)
    assert f"**{n} of {n} tests passed**" in good_run

    *_, json_file = client.predict(session, api_name="/end")
    card = json.loads(Path(json_file).read_text(encoding="utf-8"))["scorecard"]
    runs = card["questions"][0]["code_results"]
    assert [(r["passed"], r["total"]) for r in runs] == [(0, n), (n, n)]


def test_resume_upload_is_read_or_explained(client, tmp_path):
    from gradio_client import handle_file

    resume = tmp_path / "resume.txt"
    resume.write_text("Jane Doe. Machine learning engineer. Built an on-device keyword spotting model with 2% false accepts.\n")
    _, chat, progress, notice, *_ = client.predict("resume-deep-dive", "on-device", handle_file(str(resume)), "", api_name="/start")
    assert "Resume read: resume\\.txt (15 words)" in notice
    assert progress.startswith("**Question 1 of") and len(chat) >= 2

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"this is not a pdf")
    _, chat, progress, notice, *_ = client.predict("behavioral", "general", handle_file(str(broken)), "", api_name="/start")
    assert "could not be used, so this interview starts without it" in notice and "broken\\.pdf" in notice
    assert str(tmp_path) not in notice and "/tmp" not in notice  # no server file paths
    assert progress.startswith("**Question 1 of") and len(chat) >= 2


def test_binding_beyond_loopback_needs_credentials(data_dir):
    out = run_cli(["serve", "--host", "0.0.0.0", "--port", "1"], data_dir, timeout=120)
    assert out.returncode == 1 and "--auth user:password" in out.stderr and "--auth FILE" in out.stderr


def test_credentials_file_guards_the_page(data_dir, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("ana:s3cret\n")
    port = free_port()
    exe = Path(sys.executable).parent / "interviewer"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--auth", str(creds)], env=cli_env(data_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.time() < deadline, "server did not come up"
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(base + "/config", timeout=10)
        assert denied.value.code == 401
        login = lambda password: urllib.request.urlopen(  # noqa: E731
            base + "/login", data=urllib.parse.urlencode({"username": "ana", "password": password}).encode(), timeout=10)
        with pytest.raises(urllib.error.HTTPError):
            login("wrong")
        assert login("s3cret").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)

