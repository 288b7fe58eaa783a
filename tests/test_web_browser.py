"""The web app in a real browser: Playwright drives Debian's Chromium against a real
`interviewer serve` process (default model) on a free loopback port.

Every request the page makes is recorded and must stay on loopback. The scorecard
screenshot and the measured latencies are written to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .helpers import ROOT
from .scripted import STRONG

pytestmark = pytest.mark.slow  # a browser against a real `interviewer serve`

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
LAST_BOT = "() => { const b = document.querySelectorAll('#chat [data-testid=bot]'); return b.length ? b[b.length - 1].innerText.trim() : ''; }"



@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():  # a failure, not a skip: these tests are the web app's acceptance
        pytest.fail("Chromium is not installed at /usr/bin/chromium: apt-get install -y chromium (see the README's test set-up)")

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, web_server):
    """A fresh tab on the app; records every request and every dialog, checked after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.requests, tab.dialogs = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(web_server)
    tab.get_by_role("button", name="Start").wait_for()
    yield tab
    outside = [url for url in tab.requests if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname not in LOOPBACK_HOSTS]
    context.close()
    assert tab.requests, "no requests were recorded"
    assert not outside, f"the page requested beyond loopback: {outside}"


def wait_for_turn(page, timeout_s: float = 120) -> None:
    """Until the interviewer has finished speaking (the progress line says so)."""
    page.locator("#progress").filter(has_text=re.compile("your turn|finished")).wait_for(timeout=timeout_s * 1000)


def start(page, round_name: str | None = None) -> float:
    """Press Start; seconds until the first question is on screen in full."""
    if round_name:
        page.get_by_label("Round").click()
        page.get_by_role("option", name=round_name, exact=True).click()
    t0 = time.perf_counter()
    page.get_by_role("button", name="Start").click()
    wait_for_turn(page)
    return time.perf_counter() - t0


# In the page itself: from the click on Send (a capturing listener, before Gradio's own) to the first word of the
# reply in the chat (a MutationObserver). Playwright's click (scrolling, actionability checks) and its polling added
# 60-290 ms on this machine that the candidate does not wait for.
ARM_FIRST_WORD = """([n]) => { window.__reply = {}; const t = window.__reply;
  document.querySelector('#send').addEventListener('click', () => { t.click = performance.now(); }, {once: true, capture: true});
  const chat = document.querySelector('#chat');
  const seen = () => { const b = chat.querySelectorAll('[data-testid=bot]'); return b.length > n && b[b.length - 1].innerText.trim().length > 0; };
  const watch = new MutationObserver(() => { if (!t.word && seen()) { t.word = performance.now(); watch.disconnect(); } });
  watch.observe(chat, {subtree: true, childList: true, characterData: true}); }"""


def send(page, text: str) -> tuple[float, float]:
    """Type and send an answer; (seconds from the click to the first word of the reply in the page, the same seen from
    the test). Waits for the whole reply."""
    before = page.locator("#chat [data-testid=bot]").count()
    page.locator("#answer textarea").fill(text)
    page.evaluate(ARM_FIRST_WORD, [before])
    t0 = time.perf_counter()
    page.locator("#send").click()
    page.wait_for_function("() => window.__reply.word !== undefined", timeout=120_000, polling=10)
    from_test = time.perf_counter() - t0
    in_page = page.evaluate("() => window.__reply.word - window.__reply.click") / 1000
    wait_for_turn(page)
    return in_page, from_test


def end(page) -> None:
    page.locator("#end").click()
    page.locator("#scorecard h2").filter(has_text="Overall:").wait_for(timeout=60_000)


def test_full_interview_scorecard_and_transcript_download(page, capsys):
    assert re.search(r"Model in use: SmolLM2-135M-Instruct\.Q4_1 \([0-9.]+ MB, llama-cpp\)", page.locator("#model-info").inner_text())
    phrasing = page.locator("#model-phrasing").inner_text()  # which moves the model words, or that it is still warming
    assert "the model words:" in phrasing or "templates" in phrasing, phrasing
    to_first_question = start(page)
    assert "Question 1 of 4" in page.locator("#progress").inner_text() and "elapsed of 45:00" in page.locator("#progress").inner_text()
    timings = [send(page, answer) for answer in STRONG]
    to_first_token = [in_page for in_page, _ in timings]
    shown = page.locator("#chat [data-testid=user]").all_inner_texts()
    assert [s.strip() for s in shown] == STRONG

    page.locator("#repeat").click()
    page.wait_for_function(f"() => ({LAST_BOT})().startsWith('Of course. The question is:')", timeout=30_000)

    end(page)
    assert "Technical Depth and Fundamentals" in page.locator("#scorecard").inner_text()
    page.locator("#score-chart canvas, #score-chart svg").first.wait_for(timeout=30_000)
    assert "Evidence from your answers" in page.locator("#scorecard-details").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "scorecard.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000

    with page.expect_download() as md_download:
        page.locator("#download-md").click()
    markdown = Path(md_download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Mock interview: ml-fundamentals") and all(a in markdown for a in STRONG)
    with page.expect_download() as json_download:
        page.locator("#download-json").click()
    transcript = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert [t["text"] for t in transcript["turns"] if t["role"] == "candidate"] == STRONG
    assert transcript["scorecard"]["overall"] >= 1

    page.get_by_role("tab", name="History").click()
    page.locator("#history").filter(has_text="finished session(s)").wait_for(timeout=30_000)
    assert transcript["session_id"] and "ml-fundamentals" in page.locator("#history-table").inner_text()

    turns = transcript["turns"]
    engine_ttft = [turns[i + 1]["ttft_ms"] / 1000 for i, t in enumerate(turns[:-1]) if t["role"] == "candidate"]
    shown = sorted(to_first_token)
    figures = {"start_to_first_question_s": round(to_first_question, 3), "answer_to_first_token_s": [round(t, 3) for t in to_first_token],
               "answer_to_first_token_seen_by_the_test_s": [round(t, 3) for _, t in timings],
               "answer_to_first_word_p50_s": round(shown[len(shown) // 2] if len(shown) % 2 else sum(shown[len(shown) // 2 - 1:len(shown) // 2 + 1]) / 2, 3),
               "engine_ttft_s": [round(t, 3) for t in engine_ttft], "model_phrasing": phrasing,
               "phrased_moves": transcript.get("phrased_moves"), "load_average": [round(x, 2) for x in __import__("os").getloadavg()],
               "screenshot": str(screenshot)}
    (ARTIFACTS / "web-latency.json").write_text(json.dumps(figures, indent=2) + "\n")
    with capsys.disabled():
        print(f"\nweb app, default model: Start -> first question {figures['start_to_first_question_s']} s; "
              f"answer -> first streamed token {figures['answer_to_first_token_s']} s, p50 {figures['answer_to_first_word_p50_s']} s "
              f"(engine alone {figures['engine_ttft_s']} s; model words {figures['phrased_moves']}; load {figures['load_average']}); "
              f"scorecard screenshot: {screenshot}")


def test_candidate_html_is_shown_as_text_and_never_runs(page):
    start(page)
    send(page, f"{XSS} I would report precision and recall because accuracy hides the rare class. ![pixel](http://203.0.113.9/p.png)")
    user = page.locator("#chat [data-testid=user]").last
    assert XSS in user.inner_text()
    assert page.locator("#chat img").count() == 0
    end(page)
    assert page.locator("#scorecard-details img, #scorecard img").count() == 0
    page.wait_for_timeout(500)  # give a stray onerror handler the chance to fire
    assert page.dialogs == []


def test_coding_round_shows_an_editor_and_runs_the_tests(page, curated):
    start(page, "coding")
    editor = page.locator("#code .cm-content")
    editor.wait_for()
    stub = editor.inner_text()
    function = stub.split("def ", 1)[1].split("(", 1)[0]
    question = next(q for q in curated.questions.values() if q.coding and q.coding.function == function)
    n = len(question.coding.tests)

    page.locator("#run-tests").click()
    page.locator("#test-results").get_by_text(f"0 of {n} tests passed").wait_for(timeout=30_000)
    assert "NotImplementedError" in page.locator("#test-results").inner_text()

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(question.coding.reference)
    page.locator("#run-tests").click()
    page.locator("#test-results").get_by_text(f"{n} of {n} tests passed").wait_for(timeout=30_000)

    end(page)
    assert f"{n}/{n} tests passed on the last run" in page.locator("#scorecard-details").inner_text()
