"""Transcripts as files for people: Markdown that shows the candidate's words as text.

A transcript quotes what the candidate typed. Opened in a Markdown viewer, a raw
`<script>` or `<img src=...>` would be live HTML and `![](http://...)` would make the
viewer fetch a remote image. `inert_markdown` keeps every character readable while
taking away that power: `<` becomes `&lt;` (no HTML, no autolinks) and `![` becomes
`!\\[` (no images). The app's own Markdown uses neither, so only candidate text changes.
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[")


def inert_markdown(text: str) -> str:
    """Markdown with no HTML and no images: safe to open in any viewer."""
    return _IMAGE.sub(r"!\\[", text.replace("<", "&lt;"))


def transcript_markdown(transcript) -> str:
    """The transcript's Markdown (`Transcript.to_markdown`), made inert."""
    return inert_markdown(transcript.to_markdown())
