"""Scorecards as a CSV file for staff: one row per session, cells a spreadsheet shows as text.

The transcript's Markdown for people is in interviewer/interview/render.py (`transcript_markdown`).
"""

from __future__ import annotations

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def scorecards_csv(rows: list[dict]) -> str:
    """Sessions as `SessionStore.list` gives them, one CSV row each: who, when, what, the overall and
    per-criterion scores (one column per criterion seen)."""
    import csv
    import io
    from datetime import datetime, timezone

    criteria: list[str] = []
    for row in rows:
        for cid in row.get("scores") or {}:
            if cid not in criteria:
                criteria.append(cid)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["session_id", "user", "started_utc", "round", "track", "status", "turns", "overall", *criteria])
    for row in sorted(rows, key=lambda r: r["created_at"]):
        when = datetime.fromtimestamp(row["created_at"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        scores = row.get("scores") or {}
        writer.writerow([_cell(v) for v in (row["id"], row["owner"], when, row["round"], row["track"], row["status"], row["turns"],
                                            row["overall"], *(scores.get(c) for c in criteria))])
    return out.getvalue()
