"""`interviewer serve`: a Gradio page on loopback driving the same engine as the CLI.

Safe by default: binds 127.0.0.1, never creates share links, asks for --auth before
binding any other address, uses system fonts (no CDN), analytics off.
"""

from __future__ import annotations

import ipaddress
import threading
import uuid

import interviewer.offline  # noqa: F401  (GRADIO_ANALYTICS_ENABLED before gradio is imported)
from interviewer.app import App
from interviewer.interview import InterviewConfig, TokenEvent, TurnEvent
from interviewer.interview.rounds import ALL_ROUNDS
from interviewer.interview.scorecard import scorecard_markdown
from interviewer.knowledge.bank import TRACKS
from interviewer.settings import Settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("--auth must look like user:password")
    return user, password


class Sessions:
    """Live interviews by id; each browser tab holds only its own id."""

    def __init__(self, app: App):
        self.app = app
        self.live: dict[str, object] = {}
        self.lock = threading.Lock()

    def create(self, config: InterviewConfig):
        interview = self.app.interview(config)
        with self.lock:
            self.live[interview.transcript.session_id] = interview
        return interview

    def get(self, session_id: str | None):
        with self.lock:
            return self.live.get(session_id or "")


def _bubble(text: str) -> dict:
    return {"role": "assistant", "content": text}


def build_ui(app: App):
    import gradio as gr

    sessions = Sessions(app)
    info = app.llm.info()
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])

    def stream(events, history):
        """Append interviewer messages token by token; a finished turn replaces its streamed text."""
        streaming = False
        for event in events:
            if isinstance(event, TokenEvent):
                if not streaming:
                    history.append({"role": "assistant", "content": ""})
                    streaming = True
                history[-1]["content"] += event.text
                yield history
            elif isinstance(event, TurnEvent) and event.turn.role == "interviewer" and streaming:
                history[-1]["content"] = event.turn.text
                streaming = False
                yield history

    def start(round_name, track, jd):
        interview = sessions.create(InterviewConfig(round=round_name, track=track, job_description=jd or None, session_id=uuid.uuid4().hex[:12]))
        history: list[dict] = []
        for h in stream(interview.start(), history):
            yield interview.transcript.session_id, _strip(h), _progress(interview), ""

    def answer(session_id, text, history):
        interview = sessions.get(session_id)
        if interview is None or interview.done:
            yield history, "", "Start an interview first." if interview is None else "The interview is over: press End interview for the scorecard."
            return
        history = list(history) + [{"role": "user", "content": text}]
        yield history, "", _progress(interview)
        for h in stream(interview.answer(text), history):
            yield _strip(h), "", _progress(interview)

    def end(session_id):
        interview = sessions.get(session_id)
        if interview is None:
            return "Start an interview first."
        return scorecard_markdown(interview.finish())

    with gr.Blocks(title="interviewer") as demo:
        gr.Markdown(f"# Mock interview\nModel: `{info['name']}` ({info['size_mb']} MB, {info['backend']}). Everything runs on this machine.")
        with gr.Row():
            round_box = gr.Dropdown(list(ALL_ROUNDS), value="ml-fundamentals", label="Round")
            track_box = gr.Dropdown(list(TRACKS), value="general", label="Team track")
        jd_box = gr.Textbox(label="Job description (optional)", lines=3)
        start_btn = gr.Button("Start", variant="primary")
        session = gr.Textbox(visible=False, label="Session id")  # a Textbox, not State, so API clients see it too
        progress = gr.Markdown("")
        chatbot = gr.Chatbot(label="Interview", height=420, sanitize_html=True, render_markdown=False)
        answer_box = gr.Textbox(label="Your answer", lines=4)
        with gr.Row():
            send_btn = gr.Button("Send")
            end_btn = gr.Button("End interview")
        scorecard = gr.Markdown(label="Scorecard", sanitize_html=True)
        start_btn.click(start, [round_box, track_box, jd_box], [session, chatbot, progress, scorecard], api_name="start")
        send_btn.click(answer, [session, answer_box, chatbot], [chatbot, answer_box, progress], api_name="answer")
        answer_box.submit(answer, [session, answer_box, chatbot], [chatbot, answer_box, progress], api_name=False)
        end_btn.click(end, [session], [scorecard], api_name="end")
    return demo, theme


def _strip(history: list[dict]) -> list[dict]:
    return [{"role": m["role"], "content": m["content"]} for m in history]


def message_text(message: dict) -> str:
    """Gradio 6 hands messages back with content as a list of typed parts."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def _progress(interview) -> str:
    k, n = interview.progress
    return f"Question {min(k, n)} of {n}" + (" - finished" if interview.done else "")


def run_server(settings: Settings, host: str, port: int, auth: str | None) -> None:
    credentials = parse_auth(auth)
    if not is_loopback(host) and credentials is None:
        raise ValueError(f"binding {host} exposes the page beyond this machine: add --auth user:password")
    app = App(settings)
    app.knowledge  # build the index before the first visitor waits for it
    demo, theme = build_ui(app)
    if not is_loopback(host):
        print(f"Serving on {host}:{port} with password protection: other machines can reach this page.")
    demo.queue(default_concurrency_limit=4).launch(server_name=host, server_port=port, share=False, auth=credentials, theme=theme, show_error=True)
