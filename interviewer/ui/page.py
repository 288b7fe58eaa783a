"""The Gradio page: Setup, Interview (chat beside a code editor in coding rounds), Scorecard, History.

API endpoints (also what gradio_client calls): /start, /answer, /repeat, /run_tests, /end, /grade (practise one question).
Tab switching and the elapsed-time clock are separate private listeners, so the API
endpoints return data only.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio import Request  # handlers that take it get the caller (the signed-in user) from Gradio

import interviewer.offline  # noqa: F401  (GRADIO_ANALYTICS_ENABLED before gradio is imported)
from interviewer.interview import InterviewConfig
from interviewer.interview.assess import Assessor
from interviewer.interview.practice import UnknownQuestion, grade_answer
from interviewer.interview.rounds import ALL_ROUNDS
from interviewer.knowledge.bank import TRACKS
from interviewer.resume.reader import bound_document, read_document_isolated
from interviewer.sandbox import run_tests, sandbox_status
from interviewer.ui.history import history_view
from interviewer.ui.live import Live, LiveInterviews, owner_of
from interviewer.ui.views import (
    code_result_markdown,
    code_stub,
    grade_markdown,
    md_text,
    model_line,
    practice_choices,
    scorecard_details,
    scorecard_rows,
    scorecard_summary,
    short_name,
    write_transcript_files,
)

DOCUMENT_TYPES = [".pdf", ".docx", ".txt", ".md"]
DEFAULT_ROUND = "ml-fundamentals"
TICK_SECONDS = 5
WARM_TICK_SECONDS = 2  # the Setup tab's model line refreshes this often until the model is ready
PRIVATE = "private"  # api_visibility of listeners that only drive the page itself
CSS = "#scorecard th { white-space: nowrap; }"


def build_ui(app, downloads: Path | None = None):
    """The page as (Blocks, theme). `downloads` is where transcripts are written for download."""
    handlers = PageHandlers(app, downloads or Path(tempfile.mkdtemp(prefix="interviewer-downloads-")))
    # System fonts only: the default theme would fetch Google Fonts.
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    with gr.Blocks(title="interviewer", analytics_enabled=False, delete_cache=(3600, 24 * 3600)) as demo:
        gr.Markdown("# Mock interview\nEverything runs on this machine: no answer, resume or transcript leaves it.")
        session = gr.Textbox(visible=False, label="Session id")  # a Textbox, not State, so API clients get it too
        with gr.Tabs(selected="setup") as tabs:
            setup = _setup_tab(app.llm.info(), handlers.phrasing_line())  # info is known from the file before the weights load (llm/warm.py)
            interview = _interview_tab()
            scorecard = _scorecard_tab([short_name(c.name) for c in app.knowledge.curated.criteria])
            practice = _practice_tab(app)
            history = _history_tab()
        page = Page(session, tabs, setup, interview, scorecard, practice, history,
                    clock=gr.Timer(TICK_SECONDS, active=False),
                    warm_clock=gr.Timer(WARM_TICK_SECONDS, active=not handlers.model_warm()))  # only while the model loads and qualifies
        _wire_interview(handlers, page)
        _wire_page(handlers, page, demo)
    return demo, theme


# -- what the page's events do ---------------------------------------------------


class PageHandlers:
    """The functions behind the page's buttons and timers; each returns the updates of its outputs."""

    def __init__(self, app, downloads: Path):
        self.app = app
        self.lives = LiveInterviews(app)
        self.downloads = downloads
        self.criterion_names = {c.id: c.name for c in app.knowledge.curated.criteria}
        self.practice_assessor = Assessor(app.knowledge)

    def model_warm(self) -> bool:
        return self.app.llm.warm

    def phrasing_line(self) -> str:
        return md_text(self.app.llm.status_line())

    def live_or_warn(self, session_id, request=None) -> Live | None:
        live = self.lives.get(session_id, owner_of(request))  # another user's session id finds nothing
        if live is None:
            gr.Warning("Start an interview first.")
        return live

    def editor(self, live: Live):
        """(code panel, code, test results) updates: a fresh stub when a new coding question comes up."""
        coding = live.coding()
        if coding is None:
            live.editor_question = None
            return gr.Column(visible=False), gr.skip(), gr.skip()
        question_id = live.interview.current.question.id
        if live.editor_question == question_id:
            return gr.skip(), gr.skip(), gr.skip()
        live.editor_question = question_id
        status = sandbox_status()
        hint = "Write your solution, then press **Run tests**." if status["available"] else \
            f"**Run tests is unavailable on this server** (your code would not run): {md_text(status['reason'])}"
        return gr.Column(visible=True), code_stub(coding), hint

    def read_resume(self, resume_file) -> tuple[str | None, list[str]]:
        """The uploaded resume's text (None without one, or when it cannot be used) and notes for the candidate."""
        if not resume_file:
            return None, []
        path = Path(resume_file)
        try:  # read and parsed in a child process with a time limit: other users' pages stay responsive
            resume, cut, _ = read_document_isolated(path, "resume", self.app.settings.knowledge_dir)
        except ValueError as exc:
            reason = str(exc).replace(str(path), path.name)
            return None, [f"The resume could not be used, so this interview starts without it: {md_text(reason)}"]
        return resume, [f"Resume read: {md_text(path.name)} ({len(resume.split())} words).", *[md_text(n) for n in cut]]

    def start(self, round_name, track, resume_file, job_description, request: Request = None):
        resume, notes = self.read_resume(resume_file)
        job_description, cut = bound_document((job_description or "").strip(), "job description")
        notes += [md_text(n) for n in cut]
        try:
            config = InterviewConfig(round=round_name or DEFAULT_ROUND, track=track or "general", resume=resume,
                                     job_description=job_description or None, session_id=uuid.uuid4().hex[:12])
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        live = self.lives.create(config, owner_of(request))
        if live.note:
            notes.append(md_text(live.note))
        notice = "\n\n".join(notes)
        for chat in live.stream(live.interview.start()):
            yield live.session_id, chat, live.progress(), notice, gr.skip(), gr.skip(), gr.skip()
        yield live.session_id, live.snapshot(), live.progress(), notice, *self.editor(live)

    def answer(self, session_id, text, request: Request = None):
        live = self.live_or_warn(session_id, request)
        if live is None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if live.interview.done:
            gr.Warning("The interview is over: press End interview for the scorecard.")
            yield gr.skip(), gr.skip(), live.progress(), gr.skip(), gr.skip(), gr.skip()
            return
        # the answer box and the progress line change once, not with every streamed word (each update is redrawn)
        first = True
        for chat in live.answer(text or ""):
            yield chat, "" if first else gr.skip(), live.progress() if first else gr.skip(), gr.skip(), gr.skip(), gr.skip()
            first = False
        yield live.snapshot(), "", live.progress(), *self.editor(live)

    def resume(self, session_id, request: Request = None):
        try:
            live, fresh = self.lives.resume(session_id, owner_of(request))
        except Exception as exc:  # SessionStoreError, or a store that cannot be opened
            raise gr.Error(str(exc)) from exc
        note = f"Resumed session {md_text(live.session_id)}" + (" (the reply lost in the interruption was generated again)." if fresh else ".")
        return live.session_id, live.snapshot(), live.progress(), note, *self.editor(live)

    def repeat(self, session_id, request: Request = None):
        live = self.live_or_warn(session_id, request)
        return gr.skip() if live is None else live.repeat()

    def run_code(self, session_id, code, request: Request = None):
        live = self.live_or_warn(session_id, request)
        if live is None:
            return gr.skip()
        coding = live.coding()
        if coding is None:
            return "The current question is not a coding question."
        result = run_tests(code or "", coding)  # isolated by bubblewrap; compared here, in the server
        if result.get("refused"):  # no isolation on this machine: nothing ran, nothing is recorded
            return f"**Run tests is unavailable here.** {md_text(result['error'])}"
        live.interview.attach_code_result(result)
        return code_result_markdown(result)

    def end(self, session_id, request: Request = None):
        import pandas as pd

        live = self.live_or_warn(session_id, request)
        if live is None:
            return (gr.skip(),) * 6
        card = live.interview.finish()
        live.ended = live.ended or time.monotonic()
        md_path, json_path = write_transcript_files(live.interview.transcript, self.downloads / live.download_key)
        return (live.progress(), scorecard_summary(card), pd.DataFrame(scorecard_rows(card)), scorecard_details(card),
                str(md_path), str(json_path))

    def end_if_over(self, session_id, request: Request = None):
        """After the last answer the engine closes the interview itself: show the scorecard then."""
        live = self.lives.get(session_id, owner_of(request))
        if live is None or not live.interview.done:
            return (gr.skip(),) * 9
        return (*self.end(session_id, request), *self.show_scorecard(session_id, request))

    def show_scorecard(self, session_id, request: Request = None):
        live = self.lives.get(session_id, owner_of(request))
        if live is None or live.ended is None:
            return gr.skip(), gr.skip(), gr.skip()
        return gr.Tabs(selected="scorecard"), gr.Timer(active=False), gr.Row(visible=True)

    def tick(self, session_id, request: Request = None):
        live = self.lives.get(session_id, owner_of(request))
        return gr.skip() if live is None else live.progress()

    def practise(self, question_id, text):
        """Grade one answer to one bank question, outside any interview (nothing is stored)."""
        if not question_id:
            raise gr.Error("Pick a question first.")
        if not (text or "").strip():
            return "Type an answer, then press **Grade my answer**."
        try:
            result = grade_answer(self.app.knowledge, question_id, text, self.practice_assessor)
        except UnknownQuestion as exc:
            raise gr.Error(str(exc)) from exc
        return grade_markdown(result, self.criterion_names)

    def refresh_history(self, request: Request = None):
        message, table, chart = history_view(self.app, owner_of(request))  # the caller's sessions only
        return message, gr.DataFrame(table, visible=not table.empty), gr.LinePlot(chart, visible=not chart.empty)


# -- the layout, tab by tab ------------------------------------------------------


@dataclass
class SetupTab:
    round_box: gr.Dropdown
    track_box: gr.Dropdown
    resume_box: gr.File
    jd_box: gr.Textbox
    phrasing_md: gr.Markdown
    start_btn: gr.Button


@dataclass
class InterviewTab:
    progress: gr.Markdown
    notice: gr.Markdown
    chatbot: gr.Chatbot
    answer_box: gr.Textbox
    send_btn: gr.Button
    repeat_btn: gr.Button
    end_btn: gr.Button
    code_panel: gr.Column
    code: gr.Code
    run_btn: gr.Button
    test_results: gr.Markdown


@dataclass
class ScorecardTab:
    summary: gr.Markdown
    chart: gr.BarPlot
    details: gr.Markdown
    downloads_row: gr.Row
    md_download: gr.DownloadButton
    json_download: gr.DownloadButton


@dataclass
class PracticeTab:
    question: gr.Dropdown
    answer: gr.Textbox
    grade_btn: gr.Button
    result: gr.Markdown


@dataclass
class HistoryTab:
    tab: gr.Tab
    note: gr.Markdown
    resume_id: gr.Textbox
    resume_btn: gr.Button
    table: gr.DataFrame
    chart: gr.LinePlot


@dataclass
class Page:
    session: gr.Textbox
    tabs: gr.Tabs
    setup: SetupTab
    interview: InterviewTab
    scorecard: ScorecardTab
    practice: PracticeTab
    history: HistoryTab
    clock: gr.Timer  # the elapsed-time line while an interview runs
    warm_clock: gr.Timer  # the model line while the model warms up


def _setup_tab(info: dict, phrasing: str) -> SetupTab:
    with gr.Tab("Setup", id="setup"):
        with gr.Row():
            round_box = gr.Dropdown(list(ALL_ROUNDS), value=DEFAULT_ROUND, label="Round")
            track_box = gr.Dropdown(list(TRACKS), value="general", label="Team track")
        with gr.Row():
            resume_box = gr.File(label="Resume (optional: .pdf, .docx, .txt, .md)", file_types=DOCUMENT_TYPES, type="filepath")
            jd_box = gr.Textbox(label="Job description (optional)", lines=6)
        gr.Markdown(model_line(info), elem_id="model-info")
        # which moves the model words (its qualification), or that it is still warming: the page works meanwhile
        phrasing_md = gr.Markdown(phrasing, elem_id="model-phrasing")
        start_btn = gr.Button("Start", variant="primary", elem_id="start")
    return SetupTab(round_box, track_box, resume_box, jd_box, phrasing_md, start_btn)


def _interview_tab() -> InterviewTab:
    with gr.Tab("Interview", id="interview"):
        progress = gr.Markdown("Press Start on the Setup tab.", elem_id="progress")
        notice = gr.Markdown("", elem_id="notice")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Interview", height=460, sanitize_html=True, render_markdown=False, allow_tags=False,
                                     latex_delimiters=[], buttons=["copy"], feedback_options=None, elem_id="chat")
                answer_box = gr.Textbox(label="Your answer", lines=4, elem_id="answer", placeholder="Type your answer, then press Send.")
                with gr.Row():
                    send_btn = gr.Button("Send", variant="primary", elem_id="send")
                    repeat_btn = gr.Button("Repeat the question", elem_id="repeat")
                    end_btn = gr.Button("End interview", variant="stop", elem_id="end")
            with gr.Column(scale=2, visible=False) as code_panel:
                code = gr.Code(language="python", label="Your code (Python)", interactive=True, lines=18, elem_id="code")
                run_btn = gr.Button("Run tests", elem_id="run-tests")
                test_results = gr.Markdown("", elem_id="test-results", latex_delimiters=[])
    return InterviewTab(progress, notice, chatbot, answer_box, send_btn, repeat_btn, end_btn, code_panel, code, run_btn, test_results)


def _scorecard_tab(criteria_order: list[str]) -> ScorecardTab:
    import pandas as pd

    with gr.Tab("Scorecard", id="scorecard"):
        summary = gr.Markdown("End an interview to see its scorecard.", elem_id="scorecard", latex_delimiters=[])
        chart = gr.BarPlot(pd.DataFrame(columns=["criterion", "score"]), x="criterion", y="score", y_lim=[0, 4], sort=criteria_order,
                           title="Score per criterion (1-4)", label="Scores", elem_id="score-chart")
        details = gr.Markdown("", elem_id="scorecard-details", latex_delimiters=[])
        with gr.Row(visible=False) as downloads_row:
            md_download = gr.DownloadButton("Download transcript (Markdown)", elem_id="download-md")
            json_download = gr.DownloadButton("Download transcript (JSON)", elem_id="download-json")
    return ScorecardTab(summary, chart, details, downloads_row, md_download, json_download)


def _practice_tab(app) -> PracticeTab:
    with gr.Tab("Practise one question", id="practise"):
        gr.Markdown("Answer one bank question and see how it would be judged: the key points your answer covers, "
                    "with the sentence that shows each, what it misses, and any statement to re-check.")
        choices = practice_choices(app.knowledge.curated.questions.values())
        question = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Question", elem_id="practice-question")
        answer = gr.Textbox(label="Your answer", lines=6, elem_id="practice-answer")
        grade_btn = gr.Button("Grade my answer", variant="primary", elem_id="practice-grade")
        result = gr.Markdown("", elem_id="practice-result", latex_delimiters=[])
    return PracticeTab(question, answer, grade_btn, result)


def _history_tab() -> HistoryTab:
    import pandas as pd

    with gr.Tab("History", id="history") as tab:
        note = gr.Markdown("", elem_id="history")
        with gr.Row():
            resume_id = gr.Textbox(label="Session id to resume (see `interviewer sessions list`)", elem_id="resume-id", scale=3)
            resume_btn = gr.Button("Resume", elem_id="resume", scale=1)
        table = gr.DataFrame(visible=False, interactive=False, label="Past sessions", elem_id="history-table")
        chart = gr.LinePlot(pd.DataFrame(columns=["date", "score", "criterion"]), x="date", y="score", color="criterion",
                            y_lim=[0, 4], x_axis_format="%b %d %H:%M", title="Scores over time", visible=False, elem_id="history-chart")
    return HistoryTab(tab, note, resume_id, resume_btn, table, chart)


# -- the events ------------------------------------------------------------------


def _wire_interview(h: PageHandlers, page: Page) -> None:
    """Start, answer, resume, repeat, run tests and end: the API endpoints, and the tab switches that follow them."""
    setup, iv, card, tabs, clock = page.setup, page.interview, page.scorecard, page.tabs, page.clock
    opened = [page.session, iv.chatbot, iv.progress, iv.notice, iv.code_panel, iv.code, iv.test_results]
    setup.start_btn.click(h.start, [setup.round_box, setup.track_box, setup.resume_box, setup.jd_box], opened, api_name="start")
    page.practice.grade_btn.click(h.practise, [page.practice.question, page.practice.answer], [page.practice.result], api_name="grade")
    setup.start_btn.click(lambda: (gr.Tabs(selected="interview"), gr.Timer(active=True), gr.Row(visible=False)), None, [tabs, clock, card.downloads_row],
                          api_visibility=PRIVATE, queue=False)
    # no progress overlay on the chat: the reply streams into it and the progress line says who is speaking; the
    # overlay's animation on six outputs was redrawn for every streamed word
    answered = dict(fn=h.answer, inputs=[page.session, iv.answer_box], outputs=[iv.chatbot, iv.answer_box, iv.progress, iv.code_panel, iv.code, iv.test_results],
                    show_progress="hidden")
    end_outputs = [iv.progress, card.summary, card.chart, card.details, card.md_download, card.json_download]
    for answered_event in (iv.send_btn.click(**answered, api_name="answer"), iv.answer_box.submit(**answered, api_visibility=PRIVATE)):
        answered_event.then(h.end_if_over, [page.session], [*end_outputs, tabs, clock, card.downloads_row], api_visibility=PRIVATE)
    resumed = page.history.resume_btn.click(h.resume, [page.history.resume_id], [*opened], api_name="resume")
    resumed.then(lambda: (gr.Tabs(selected="interview"), gr.Timer(active=True)), None, [tabs, clock], api_visibility=PRIVATE, queue=False)
    iv.repeat_btn.click(h.repeat, [page.session], [iv.chatbot], api_name="repeat")
    iv.run_btn.click(h.run_code, [page.session, iv.code], [iv.test_results], api_name="run_tests")
    ended = iv.end_btn.click(h.end, [page.session], end_outputs, api_name="end")
    ended.then(h.show_scorecard, [page.session], [tabs, clock, card.downloads_row], api_visibility=PRIVATE, queue=False)


def _wire_page(h: PageHandlers, page: Page, demo: gr.Blocks) -> None:
    """The clocks and the history table: private listeners that only drive the page itself."""
    page.clock.tick(h.tick, [page.session], [page.interview.progress], api_visibility=PRIVATE, show_progress="hidden")
    page.warm_clock.tick(lambda: (h.phrasing_line(), gr.Timer(active=not h.model_warm())), None, [page.setup.phrasing_md, page.warm_clock],
                         api_visibility=PRIVATE, show_progress="hidden", queue=False)
    history = [page.history.note, page.history.table, page.history.chart]
    page.history.tab.select(h.refresh_history, None, history, api_visibility=PRIVATE)
    demo.load(h.refresh_history, None, history, api_visibility=PRIVATE)
