"""Cold start as the candidate feels it: a fresh Python process, from its start to the first word of the
first question, the way `interviewer chat` opens an interview (App -> Interview -> start).

Run by `interviewer bench` as `python -m interviewer.bench.cold DATA_DIR [MODEL]` after the index is
built and the model qualified, so it measures a start with the index built. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> None:
    spawned = float(argv[3]) if len(argv) > 3 else None  # the parent's time.time() just before the spawn
    began = time.time()
    from pathlib import Path

    import interviewer.offline  # noqa: F401
    from interviewer.app import App
    from interviewer.bench.script import ROUND, questions_for
    from interviewer.interview import InterviewConfig, TokenEvent, TurnEvent
    from interviewer.settings import Settings

    update = {"data_dir": Path(argv[1])}
    if len(argv) > 2 and argv[2]:
        update["model"] = Path(argv[2])
    app = App(Settings().model_copy(update=update))
    interview = app.interview(InterviewConfig(round=ROUND, question_ids=questions_for(0, 12), session_id="bench-cold"))
    first_word = None
    for event in interview.start():
        if isinstance(event, TokenEvent) and first_word is None and interview.transcript.turns and interview.transcript.turns[-1].kind == "question":
            first_word = time.time()
        if isinstance(event, TurnEvent) and event.turn.kind == "question":
            break
    done = time.time()
    origin = spawned or began
    print(json.dumps({
        "first_question_word_s": round((first_word or done) - origin, 3),
        "first_question_s": round(done - origin, 3),
        "interpreter_s": round(began - origin, 3) if spawned else None,
        "model_state": app.llm.state,  # what was still warming when the question was on screen
        "embeddings_loaded": app.knowledge.embeddings.loaded,
    }), flush=True)


if __name__ == "__main__":
    import os

    main(sys.argv)
    os._exit(0)  # do not wait for (or tear down mid-import) the background loads: the figure is taken
