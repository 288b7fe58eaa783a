"""The Gradio page: Setup, Interview (chat beside a code editor in coding rounds), Scorecard, History.

API endpoints (also what gradio_client calls): /start, /answer, /repeat, /run_tests, /end, /grade (practise one question).
Tab switching and the elapsed-time clock are separate private listeners, so the API
endpoints return data only.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import interviewer.offline  # noqa: F401  (GRADIO_ANALYTICS_ENABLED before gradio is imported)
from gradio import Request  # handlers that take it get the caller (the signed-in user) from Gradio
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
    md_text,
    model_line,
    grade_markdown,
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
    import gradio as gr
    import pandas as pd

    lives = LiveInterviews(app)
    info = app.llm.info()  # known from the file before the weights load (llm/warm.py)

    def model_warm() -> bool:
        return bool(getattr(app.llm, "warm", True))

    def phrasing_line() -> str:
        status = getattr(app.llm, "status_line", None)
        return md_text(status()) if status else ""

    criteria_order = [short_name(c.name) for c in app.knowledge.curated.criteria]
    downloads = downloads or Path(tempfile.mkdtemp(prefix="interviewer-downloads-"))
    # System fonts only: the default theme would fetch Google Fonts.
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])

    def live_or_warn(session_id, request=None) -> Live | None:
        live = lives.get(session_id, owner_of(request))  # another user's session id finds nothing
        if live is None:
            gr.Warning("Start an interview first.")
        return live

    def editor(live: Live):
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

    def start(round_name, track, resume_file, job_description, request: Request = None):
        notes = []
        resume = None
        if resume_file:
            path = Path(resume_file)
            try:  # read and parsed in a child process with a time limit: other users' pages stay responsive
                resume, cut, _ = read_document_isolated(path, "resume", app.settings.knowledge_dir)
                notes.append(f"Resume read: {md_text(path.name)} ({len(resume.split())} words).")
                notes += [md_text(n) for n in cut]
            except ValueError as exc:
                reason = str(exc).replace(str(path), path.name)
                notes.append(f"The resume could not be used, so this interview starts without it: {md_text(reason)}")
        job_description, cut = bound_document((job_description or "").strip(), "job description")
        notes += [md_text(n) for n in cut]
        try:
            config = InterviewConfig(round=round_name or DEFAULT_ROUND, track=track or "general", resume=resume,
                                     job_description=job_description or None, session_id=uuid.uuid4().hex[:12])
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        live = lives.create(config, owner_of(request))
        if live.note:
            notes.append(md_text(live.note))
        notice = "\n\n".join(notes)
        for chat in live.stream(live.interview.start()):
            yield live.session_id, chat, live.progress(), notice, gr.skip(), gr.skip(), gr.skip()
        yield live.session_id, live.snapshot(), live.progress(), notice, *editor(live)

    def answer(session_id, text, request: Request = None):
        live = live_or_warn(session_id, request)
        if live is None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if live.interview.done:
            gr.Warning("The interview is over: press End interview for the scorecard.")
            yield gr.skip(), gr.skip(), live.progress(), gr.skip(), gr.skip(), gr.skip()
            return
        for chat in live.answer(text or ""):
            yield chat, "", live.progress(), gr.skip(), gr.skip(), gr.skip()
        yield live.snapshot(), "", live.progress(), *editor(live)

    def resume(session_id, request: Request = None):
        try:
            live, fresh = lives.resume(session_id, owner_of(request))
        except Exception as exc:  # SessionStoreError, or a store that cannot be opened
            raise gr.Error(str(exc)) from exc
        note = f"Resumed session {md_text(live.session_id)}" + (" (the reply lost in the interruption was generated again)." if fresh else ".")
        return live.session_id, live.snapshot(), live.progress(), note, *editor(live)

    def repeat(session_id, request: Request = None):
        live = live_or_warn(session_id, request)
        return gr.skip() if live is None else live.repeat()

    def run_code(session_id, code, request: Request = None):
        live = live_or_warn(session_id, request)
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

    def end(session_id, request: Request = None):
        live = live_or_warn(session_id, request)
        if live is None:
            return (gr.skip(),) * 6
        card = live.interview.finish()
        live.ended = live.ended or time.monotonic()
        md_path, json_path = write_transcript_files(live.interview.transcript, downloads / live.download_key)
        return (live.progress(), scorecard_summary(card), pd.DataFrame(scorecard_rows(card)), scorecard_details(card),
                str(md_path), str(json_path))

    def end_if_over(session_id, request: Request = None):
        """After the last answer the engine closes the interview itself: show the scorecard then."""
        live = lives.get(session_id, owner_of(request))
        if live is None or not live.interview.done:
            return (gr.skip(),) * 9
        return (*end(session_id, request), *show_scorecard(session_id, request))

    def show_scorecard(session_id, request: Request = None):
        live = lives.get(session_id, owner_of(request))
        if live is None or live.ended is None:
            return gr.skip(), gr.skip(), gr.skip()
        return gr.Tabs(selected="scorecard"), gr.Timer(active=False), gr.Row(visible=True)

    def tick(session_id, request: Request = None):
        live = lives.get(session_id, owner_of(request))
        return gr.skip() if live is None else live.progress()

    criterion_names = {c.id: c.name for c in app.knowledge.curated.criteria}
    practice_assessor = Assessor(app.knowledge)

    def practise(question_id, text):
        """Grade one answer to one bank question, outside any interview (nothing is stored)."""
        if not question_id:
            raise gr.Error("Pick a question first.")
        if not (text or "").strip():
            return "Type an answer, then press **Grade my answer**."
        try:
            result = grade_answer(app.knowledge, question_id, text, practice_assessor)
        except UnknownQuestion as exc:
            raise gr.Error(str(exc)) from exc
        return grade_markdown(result, criterion_names)

    def refresh_history(request: Request = None):
        message, table, chart = history_view(app, owner_of(request))  # the caller's sessions only
        return message, gr.DataFrame(table, visible=not table.empty), gr.LinePlot(chart, visible=not chart.empty)

    with gr.Blocks(title="interviewer", analytics_enabled=False, delete_cache=(3600, 24 * 3600)) as demo:
        gr.Markdown("# Mock interview\nEverything runs on this machine: no answer, resume or transcript leaves it.")
        session = gr.Textbox(visible=False, label="Session id")  # a Textbox, not State, so API clients get it too
        with gr.Tabs(selected="setup") as tabs:
            with gr.Tab("Setup", id="setup"):
                with gr.Row():
                    round_box = gr.Dropdown(list(ALL_ROUNDS), value=DEFAULT_ROUND, label="Round")
                    track_box = gr.Dropdown(list(TRACKS), value="general", label="Team track")
                with gr.Row():
                    resume_box = gr.File(label="Resume (optional: .pdf, .docx, .txt, .md)", file_types=DOCUMENT_TYPES, type="filepath")
                    jd_box = gr.Textbox(label="Job description (optional)", lines=6)
                gr.Markdown(model_line(info), elem_id="model-info")
                # which moves the model words (its qualification), or that it is still warming: the page works meanwhile
                phrasing_md = gr.Markdown(phrasing_line(), elem_id="model-phrasing")
                start_btn = gr.Button("Start", variant="primary", elem_id="start")
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
            with gr.Tab("Scorecard", id="scorecard"):
                summary = gr.Markdown("End an interview to see its scorecard.", elem_id="scorecard", latex_delimiters=[])
                chart = gr.BarPlot(pd.DataFrame(columns=["criterion", "score"]), x="criterion", y="score", y_lim=[0, 4], sort=criteria_order,
                                   title="Score per criterion (1-4)", label="Scores", elem_id="score-chart")
                details = gr.Markdown("", elem_id="scorecard-details", latex_delimiters=[])
                with gr.Row(visible=False) as downloads_row:
                    md_download = gr.DownloadButton("Download transcript (Markdown)", elem_id="download-md")
                    json_download = gr.DownloadButton("Download transcript (JSON)", elem_id="download-json")
            with gr.Tab("Practise one question", id="practise"):
                gr.Markdown("Answer one bank question and see how it would be judged: the key points your answer covers, "
                            "with the sentence that shows each, what it misses, and any statement to re-check.")
                choices = practice_choices(app.knowledge.curated.questions.values())
                practice_question = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Question", elem_id="practice-question")
                practice_answer = gr.Textbox(label="Your answer", lines=6, elem_id="practice-answer")
                practice_btn = gr.Button("Grade my answer", variant="primary", elem_id="practice-grade")
                practice_result = gr.Markdown("", elem_id="practice-result", latex_delimiters=[])
            with gr.Tab("History", id="history") as history_tab:
                history_note = gr.Markdown("", elem_id="history")
                with gr.Row():
                    resume_id = gr.Textbox(label="Session id to resume (see `interviewer sessions list`)", elem_id="resume-id", scale=3)
                    resume_btn = gr.Button("Resume", elem_id="resume", scale=1)
                history_table = gr.DataFrame(visible=False, interactive=False, label="Past sessions", elem_id="history-table")
                history_chart = gr.LinePlot(pd.DataFrame(columns=["date", "score", "criterion"]), x="date", y="score", color="criterion",
                                            y_lim=[0, 4], x_axis_format="%b %d %H:%M", title="Scores over time", visible=False, elem_id="history-chart")
        clock = gr.Timer(TICK_SECONDS, active=False)
        warm_clock = gr.Timer(WARM_TICK_SECONDS, active=not model_warm())  # only while the model loads and qualifies

        started = dict(fn=start, inputs=[round_box, track_box, resume_box, jd_box], outputs=[session, chatbot, progress, notice, code_panel, code, test_results])
        start_btn.click(**started, api_name="start")
        practice_btn.click(practise, [practice_question, practice_answer], [practice_result], api_name="grade")
        start_btn.click(lambda: (gr.Tabs(selected="interview"), gr.Timer(active=True), gr.Row(visible=False)), None, [tabs, clock, downloads_row],
                        api_visibility=PRIVATE, queue=False)
        answered = dict(fn=answer, inputs=[session, answer_box], outputs=[chatbot, answer_box, progress, code_panel, code, test_results])
        end_outputs = [progress, summary, chart, details, md_download, json_download]
        for answered_event in (send_btn.click(**answered, api_name="answer"), answer_box.submit(**answered, api_visibility=PRIVATE)):
            answered_event.then(end_if_over, [session], [*end_outputs, tabs, clock, downloads_row], api_visibility=PRIVATE)
        resumed = resume_btn.click(resume, [resume_id], [session, chatbot, progress, notice, code_panel, code, test_results], api_name="resume")
        resumed.then(lambda: (gr.Tabs(selected="interview"), gr.Timer(active=True)), None, [tabs, clock], api_visibility=PRIVATE, queue=False)
        repeat_btn.click(repeat, [session], [chatbot], api_name="repeat")
        run_btn.click(run_code, [session, code], [test_results], api_name="run_tests")
        ended = end_btn.click(end, [session], end_outputs, api_name="end")
        ended.then(show_scorecard, [session], [tabs, clock, downloads_row], api_visibility=PRIVATE, queue=False)
        clock.tick(tick, [session], [progress], api_visibility=PRIVATE, show_progress="hidden")
        warm_clock.tick(lambda: (phrasing_line(), gr.Timer(active=not model_warm())), None, [phrasing_md, warm_clock],
                        api_visibility=PRIVATE, show_progress="hidden", queue=False)
        history_tab.select(refresh_history, None, [history_note, history_table, history_chart], api_visibility=PRIVATE)
        demo.load(refresh_history, None, [history_note, history_table, history_chart], api_visibility=PRIVATE)
    return demo, theme
