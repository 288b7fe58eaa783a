"""A shared deployment on loopback: real servers started here, the real `interviewer` talking to them.

`python -m llama_cpp.server` serves the default GGUF (OpenAI-compatible, streaming) and
`chroma run` serves the index. Both bind 127.0.0.1 and stop with the module.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from interviewer.llm.openai_compat import OpenAICompatibleLLM

from .helpers import ROOT, cli_env, free_port, run_cli
from .scripted import QUESTIONS, STRONG, VAGUE

pytestmark = pytest.mark.slow

EXAMPLE_CONFIG = ROOT / "deploy" / "interviewer.env"
MESSAGES = [
    {"role": "system", "content": "You are a calm, professional interviewer for a Machine Learning Engineer role."},
    {"role": "assistant", "content": "What is the difference between L1 and L2 regularization?"},
    {"role": "user", "content": "<candidate>L1 adds the absolute weights to the loss and makes weights sparse.</candidate>"},
    {"role": "user", "content": "Ask exactly one follow-up question about sparse weights. End with a question mark."},
]


class Server:
    def __init__(self, args: list[str], ready_url: str, log: Path, env: dict, timeout: float = 300):
        self.log = log
        self.handle = log.open("w")
        self.proc = subprocess.Popen(args, stdout=self.handle, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        with httpx.Client(trust_env=False, timeout=5) as client:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{args[0]} exited with {self.proc.returncode}:\n{log.read_text()[-3000:]}")
                try:
                    if client.get(ready_url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{args} not ready after {timeout}s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.handle.close()

    def requests(self, path: str) -> int:
        return self.log.read_text().count(f'"POST {path} HTTP/1.1" 200')


@pytest.fixture(scope="module")
def llm_server(settings, data_dir, tmp_path_factory):
    port = free_port()
    args = [sys.executable, "-m", "llama_cpp.server", "--model", str(settings.resolved_model_path()), "--host", "127.0.0.1", "--port", str(port)]
    args += ["--n_ctx", "4096", "--n_threads", str(settings.n_threads)]
    server = Server(args, f"http://127.0.0.1:{port}/v1/models", tmp_path_factory.mktemp("llm-server") / "server.log", cli_env(data_dir))
    server.url = f"http://127.0.0.1:{port}/v1"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chroma_server(data_dir, tmp_path_factory):
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    args = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)]
    server = Server(args, f"http://127.0.0.1:{port}/api/v2/heartbeat", path / "server.log", cli_env(data_dir))
    server.port = port
    yield server
    server.stop()


def deployment_config(tmp_path: Path, llm_url: str, chroma_port: int, data_dir: Path) -> Path:
    """The README's example configuration, pointed at this test's servers and data directory."""
    swap = {"INTERVIEWER_LLM_BASE_URL": llm_url, "INTERVIEWER_CHROMA_PORT": str(chroma_port), "INTERVIEWER_DATA_DIR": str(data_dir)}
    lines = []
    for line in EXAMPLE_CONFIG.read_text().splitlines():
        key = line.split("=", 1)[0]
        lines.append(f"{key}={swap.pop(key)}" if key in swap else line)
    assert not swap, f"the example configuration lost {sorted(swap)}"
    config = tmp_path / "interviewer.env"
    config.write_text("\n".join(lines) + "\n")
    return config


def test_streaming_through_the_server_gives_what_the_in_process_model_gives(llm_server, real_llm):
    server = OpenAICompatibleLLM(llm_server.url)
    pieces = []
    remote = server.complete(MESSAGES, max_tokens=24, stop=["\n"], temperature=0.0, on_token=pieces.append)
    local = real_llm.complete(MESSAGES, max_tokens=24, stop=["\n"], temperature=0.0)
    assert len(pieces) >= 2 and "".join(pieces) == remote.text  # streamed piece by piece, nothing lost
    assert remote.ttft_ms is not None and remote.ttft_ms <= remote.total_ms
    # the server applied the GGUF's own chat template to the same messages: same greedy reply
    assert remote.text == local.text and remote.text.strip()
    server.close()


def test_a_full_interview_and_an_ingest_run_against_both_servers(llm_server, chroma_server, tmp_path):
    data = tmp_path / "data"
    config = deployment_config(tmp_path, llm_server.url, chroma_server.port, data)
    notes = tmp_path / "team-notes.md"
    notes.write_text("# Siri latency budget\n\nThe wake-word model must answer within 40 milliseconds on the Neural Engine, so we quantize it to 8 bits.\n")

    out = run_cli(["--config", str(config), "ingest", str(notes)], data)
    assert out.returncode == 0, out.stderr
    assert "1 file(s)" in out.stdout and "chunks added" in out.stdout

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server.port, settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection("interviewer")
    assert collection.count() > 200  # the built-in guide and bank, on the server
    assert collection.get(where={"file": "team-notes.md"})["ids"]
    assert (data / "index" / "manifest.json").exists() and not (data / "index" / "chroma").exists()

    out = run_cli(["--config", str(config), "search", "wake-word latency on the Neural Engine", "--json"], data)
    assert out.returncode == 0, out.stderr
    assert "40 milliseconds" in json.loads(out.stdout)[0]["text"]

    calls_before = llm_server.requests("/v1/chat/completions")
    answers = tmp_path / "answers.txt"
    answers.write_text("\n---\n".join([VAGUE[0], STRONG[0], STRONG[1]]))
    args = ["--config", str(config), "chat", "--answers", str(answers), "--json"]
    for q in QUESTIONS[:2]:
        args += ["--question", q]
    out = run_cli(args, data)
    assert out.returncode == 0, out.stderr
    transcript = json.loads(out.stdout)
    assert transcript["model"] == "smollm2-135m-instruct"  # the model name from the configuration file
    asked = [t for t in transcript["turns"] if t["kind"] == "question"]
    # how many follow-ups the answers earn is the policy's business (tests/test_followup_policy.py); here: the pinned
    # questions, in order, each grounded in guide passages retrieved from the Chroma server
    assert [t["question_id"] for t in asked] == QUESTIONS[: len(asked)] and all(t["sources"] for t in asked)
    assert sum(1 for t in transcript["turns"] if t["role"] == "candidate") == 3
    assert transcript["scorecard"]["criteria"]
    # the served model went through qualification, by the server; SmolLM2 qualifies for no move, so every turn is a
    # template shown at once, with no model call during the interview
    assert llm_server.requests("/v1/chat/completions") > calls_before
    assert transcript["phrased_moves"] == []
    assert all(t["phrasing"] in (None, "template") for t in transcript["turns"] if t["role"] == "interviewer")


@pytest.mark.parametrize(
    "flags, refused",
    [
        (["--llm-base-url", "http://203.0.113.7:8000/v1"], "LLM server at 203.0.113.7"),
        (["--llm-base-url", "https://llm.example.com/v1"], "LLM server at llm.example.com"),
        (["--chroma-mode", "http", "--chroma-host", "198.51.100.4"], "Chroma server at 198.51.100.4"),
    ],
)
def test_servers_beyond_private_networks_are_refused_before_anything_is_sent(data_dir, flags, refused):
    out = run_cli([*flags, "search", "regularization", "--k", "1"], data_dir)
    assert out.returncode == 1
    assert f"refusing the {refused}" in out.stderr and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_allowing_a_remote_llm_says_that_answers_will_leave_this_machine(data_dir):
    # search never calls the model, so nothing is sent anywhere; the warning comes first regardless
    out = run_cli(["--llm-base-url", "http://203.0.113.7:8000/v1", "--allow-remote-llm", "search", "regularization", "--k", "1", "--json"], data_dir)
    assert out.returncode == 0, out.stderr
    assert "will leave this machine" in out.stderr and "203.0.113.7" in out.stderr
    assert json.loads(out.stdout)


def test_a_chroma_server_that_is_not_running_is_named_with_the_fix(data_dir, tmp_path):
    port = free_port()
    out = run_cli(["--chroma-mode", "http", "--chroma-port", str(port), "search", "regularization"], tmp_path / "data")
    assert out.returncode == 1
    assert f"127.0.0.1:{port}" in out.stderr and "chroma run" in out.stderr and "Traceback" not in out.stderr


def test_the_example_configuration_only_holds_known_settings():
    from interviewer.settings import Settings, check_config_file

    check_config_file(EXAMPLE_CONFIG)
    settings = Settings(_env_file=EXAMPLE_CONFIG)
    assert settings.llm_backend == "openai-compatible" and settings.chroma_mode == "http"


def test_a_misspelt_setting_in_a_configuration_file_is_an_error(data_dir, tmp_path):
    config = tmp_path / "bad.env"
    config.write_text("INTERVIEWER_LLM_BACKEND=openai-compatible\nINTERVIEWER_LLM_BASEURL=http://127.0.0.1:8080/v1\n")
    out = run_cli(["--config", str(config), "search", "x"], data_dir)
    assert out.returncode == 1 and "INTERVIEWER_LLM_BASEURL" in out.stderr and "bad.env:2" in out.stderr
