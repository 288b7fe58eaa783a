"""Switch off every network side channel before the heavy libraries are imported.

Chroma, gradio and huggingface read these variables at import time, so this module
is imported first by every entry point (CLI, web app, tests).
"""

import os

OFFLINE_ENV = {
    "ANONYMIZED_TELEMETRY": "False",  # chromadb / posthog
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def apply() -> dict[str, str]:
    """Force the offline environment; returns what is in force."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    return {k: os.environ[k] for k in OFFLINE_ENV}


apply()
