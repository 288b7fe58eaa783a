"""The web app: a thin Gradio layer over the interview engine."""
