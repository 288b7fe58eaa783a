"""Faults a user can hit: a missing, truncated or foreign model file, a missing index, an unusable data dir."""

import shutil

import pytest

from .helpers import run_cli


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    path = tmp_path_factory.mktemp("answers") / "answers.txt"
    path.write_text("I would use class weights because fraud is rare.")
    return path


@pytest.mark.slow
def test_missing_model_names_path_and_fix(data_dir, tmp_path, answers):
    out = run_cli(["--model", str(tmp_path / "missing.gguf"), "chat", "--answers", str(answers)], data_dir)
    assert out.returncode == 1
    assert "model file not found" in out.stderr and "missing.gguf" in out.stderr and "--model" in out.stderr


@pytest.mark.slow
def test_not_a_gguf_file(data_dir, tmp_path, answers):
    fake = tmp_path / "model.gguf"
    fake.write_text("this is a text file, not a model")
    out = run_cli(["--model", str(fake), "chat", "--answers", str(answers)], data_dir)
    assert out.returncode == 1 and "not a GGUF model file" in out.stderr and str(fake) in out.stderr


@pytest.mark.slow
def test_truncated_gguf(data_dir, tmp_path, answers, settings):
    real = settings.resolved_model_path()
    truncated = tmp_path / "truncated.gguf"
    with real.open("rb") as src:
        truncated.write_bytes(src.read(4 * 1024 * 1024))
    out = run_cli(["--model", str(truncated), "chat", "--answers", str(answers)], data_dir)
    assert out.returncode == 1 and "truncated.gguf" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_missing_index_is_rebuilt_with_a_notice(data_dir, tmp_path, knowledge):
    own = tmp_path / "data"
    shutil.copytree(data_dir / "index", own / "index")
    shutil.rmtree(own / "index" / "chroma")
    out = run_cli(["--data-dir", str(own), "search", "moving average of a stream", "--json"], data_dir)
    assert out.returncode == 0 and "Building the knowledge index" in out.stderr
    assert '"round": "coding"' in out.stdout


def test_unusable_data_dir_is_a_clear_error(data_dir, tmp_path, answers):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out = run_cli(["--data-dir", str(blocker / "data"), "chat", "--answers", str(answers)], data_dir)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert str(blocker / "data") in out.stderr
