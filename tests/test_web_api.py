"""`interviewer serve` as a real server process, driven through the official gradio_client."""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from interviewer.ui.views import message_text

from .helpers import cli_env, run_cli, start_server, stop_server
from .scripted import STRONG

pytestmark = pytest.mark.slow  # a real `interviewer serve` with the default model and the real index


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
    proc, url = start_server(cli_env(data_dir), tmp_path / "serve.log", args=("--auth", str(creds)))
    base = url.rstrip("/")
    try:
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(base + "/config", timeout=10)
        assert denied.value.code == 401
        login = lambda password: urllib.request.urlopen(  # noqa: E731
            base + "/login", data=urllib.parse.urlencode({"username": "ana", "password": password}).encode(), timeout=10)
        with pytest.raises(urllib.error.HTTPError):
            login("wrong")
        assert login("s3cret").status == 200
    finally:
        stop_server(proc)


# -- issue 16: the smaller faults of the web app ----------------------------------------


def test_markdown_download_is_inert(client):
    evil = "<script>alert(1)</script> I would weigh the classes. ![pixel](http://203.0.113.9/p.png)"
    session, *_ = client.predict("ml-fundamentals", "general", None, "", api_name="/start")
    client.predict(session, evil, api_name="/answer")
    *_, md_file, json_file = client.predict(session, api_name="/end")
    markdown = Path(md_file).read_text(encoding="utf-8")
    assert "<script" not in markdown and "![" not in markdown
    assert "&lt;script>alert(1)&lt;/script> I would weigh the classes." in markdown
    answers = [t["text"] for t in json.loads(Path(json_file).read_text(encoding="utf-8"))["turns"] if t["role"] == "candidate"]
    assert answers == [evil]  # the JSON contract keeps the answer exactly


def test_evidence_quotes_are_shown_as_said():
    from interviewer.ui.views import md_quote, scorecard_details

    quote = "I'd report PR-AUC (not accuracy) since fraud is ~0.1% of traffic; recall went 71% -> 78%!"
    card = {"criteria": [{"name": "Technical Depth and Fundamentals", "evidence": [quote]}], "questions": [], "review": []}
    assert f"“{quote}”" in scorecard_details(card)  # no stray backslashes for ordinary punctuation
    assert md_quote("**b** `c` [l](x) ![i](http://203.0.113.9/i.png) <img src=x>") == \
        "\\*\\*b\\*\\* \\`c\\` \\[l\\](x) !\\[i\\](http://203.0.113.9/i.png) &lt;img src=x>"


def test_the_port_is_free_again_right_after_a_kill():
    """Restarting right after kill -9 said the port was in use for ~10 s (connections in TIME_WAIT)."""
    import socket

    from interviewer.ui.server import ensure_port_free

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server side closes first, as a killed server's sockets do: TIME_WAIT on its port
    listener.close()
    client.close()
    ensure_port_free("127.0.0.1", port)  # no error
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        with pytest.raises(ValueError, match="already in use"):
            ensure_port_free("127.0.0.1", busy.getsockname()[1])
    finally:
        busy.close()


def test_transcripts_of_a_killed_server_are_removed_at_the_next_start(tmp_path):

    from interviewer.ui.server import RUNTIME_PREFIX, sweep_stale_runtime_dirs

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{RUNTIME_PREFIX}stale"
    (stale / "downloads" / "key").mkdir(parents=True)
    (stale / "downloads" / "key" / "interview-x.md").write_text("the candidate's answers")
    (stale / "server.pid").write_text(str(dead.pid))
    running = tmp_path / f"{RUNTIME_PREFIX}running"
    running.mkdir()
    (running / "server.pid").write_text(str(os.getpid()))
    old_style = tmp_path / "interviewer-downloads-abc"
    old_style.mkdir()
    assert set(sweep_stale_runtime_dirs(tmp_path)) == {stale, old_style}
    assert running.exists() and not stale.exists() and not old_style.exists()


def test_the_server_keeps_its_files_in_one_private_folder(web_server, client):
    """Transcripts, and Gradio's copies of them, land in the server's own folder (deleted at exit,
    and by the next start after a crash), in a folder named by an unguessable key."""
    import tempfile

    session, *_ = client.predict("ml-fundamentals", "general", None, "", api_name="/start")
    client.predict(session, api_name="/end")
    tmp = Path(tempfile.gettempdir())
    written = list(tmp.glob(f"interviewer-serve-*/downloads/*/interview-{session}.md"))
    assert len(written) == 1 and len(written[0].parent.name) == 32  # not the session id: a random key
    assert list(tmp.glob(f"interviewer-serve-*/gradio/*/interview-{session}.md"))  # Gradio's cache is in there too
    assert not list(tmp.glob(f"interviewer-downloads-*/{session}"))


def test_uploads_are_capped_at_10_mb(web_server, tmp_path):
    import httpx

    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (11 * 1024 * 1024 // 5))
    with httpx.Client(base_url=web_server.rstrip("/"), timeout=60) as http:
        response = http.post("/gradio_api/upload", files={"files": ("big.txt", big.open("rb"), "text/plain")})
        assert response.status_code == 413
        assert http.post("/gradio_api/upload", files={"files": ("small.txt", b"hello", "text/plain")}).status_code == 200


def test_practise_one_question_grades_an_answer_without_an_interview(client):
    answer = ("I would not look at accuracy at all, since with one fraud in a thousand flagging nothing is 99.9 percent right. "
              "I'd track precision and recall of the fraud class and the area under the precision-recall curve.")
    result = client.predict("mlf-imbalanced-fraud", answer, api_name="/grade")
    assert result.startswith("### Overall") and "Covered" in result and "you said:" in result
    assert "precision" in result.split("### What a strong answer also covers")[0]  # the quoted evidence is the answer's own
    empty = client.predict("mlf-imbalanced-fraud", "   ", api_name="/grade")
    assert "Type an answer" in empty
