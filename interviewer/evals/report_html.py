"""report.html: one self-contained page (inline CSS, charts as base64 PNG data URIs, nothing external)."""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

from interviewer.evals.definitions import METRICS

LEVEL_COLOURS = {"strong": "#2e7d32", "average": "#f9a825", "weak": "#c62828", "adversarial": "#6a1b9a"}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
.cols{display:flex;gap:1rem;align-items:flex-start}.col{flex:1;min-width:0;font-size:.85rem}.col p.bad{background:#fde8e8}
.ok{color:#2e7d32}.regressed,.missing{color:#c62828;font-weight:bold}.na{color:#888}
.turn{margin:.25rem 0;padding:.3rem .6rem;border-left:4px solid #90a4ae}.turn.candidate{border-color:#42a5f5;background:#f5faff}
.meta{color:#666;font-size:.85em}details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}img{max-width:100%}
"""


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def charts(report: dict) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = {}
    ivs = sorted(report["interviews"], key=lambda iv: (iv["round"], iv["persona"]))
    if ivs:
        fig, ax = plt.subplots(figsize=(10, 3.8))
        names = [iv["persona"] for iv in ivs]
        ax.bar(range(len(ivs)), [iv["overall"] or 0 for iv in ivs], color=[LEVEL_COLOURS.get(iv["level"], "#888") for iv in ivs])
        ax.set_xticks(range(len(ivs)), names, rotation=60, ha="right", fontsize=8)
        ax.set_ylim(0, 4)
        ax.set_ylabel("overall score (1-4)")
        ax.set_title("Overall score per persona (colour = level)")
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=c, label=lvl) for lvl, c in LEVEL_COLOURS.items()], fontsize=8, loc="upper right")
        out["overall"] = _png(fig)
    quality = [(n, v) for n, v in report["metrics"].items() if n in METRICS and METRICS[n].group == "quality" and v is not None and n != "calibration_spearman"]
    if quality:
        fig, ax = plt.subplots(figsize=(10, 3.5))
        ax.barh([n for n, _ in quality][::-1], [v for _, v in quality][::-1], color="#546e7a")
        ax.set_xlim(0, 1)
        ax.set_title("Quality metrics (share, 1.0 = always)")
        out["quality"] = _png(fig)
    ttfts = [x for iv in report["interviews"] if not iv.get("simulated") for x in (iv.get("latency") or {}).get("ttft_ms", [])]
    if ttfts:
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.hist([x / 1000 for x in ttfts], bins=20, color="#5c6bc0")
        ax.set_xlabel("seconds to the interviewer's first word")
        ax.set_ylabel("turns")
        ax.set_title("Time to first word, interviewer turns")
        out["ttft"] = _png(fig)
    return out


def _metrics_table(report: dict) -> str:
    comparison = {r["metric"]: r for r in (report.get("baseline") or {}).get("rows", [])}
    head = "<tr><th>metric</th><th>value</th>" + ("<th>baseline</th><th>limit</th><th>status</th>" if comparison else "") + "<th>definition</th></tr>"
    rows = []
    for name, value in report["metrics"].items():
        cells = f"<td>{escape(name)}</td><td class=num>{_fmt(value)}</td>"
        if comparison:
            r = comparison.get(name, {})
            status = r.get("status", "n/a")
            cells += f"<td class=num>{_fmt(r.get('baseline'))}</td><td class=num>{_fmt(r.get('limit'))}</td><td class='{escape(status.replace('/', ''))}'>{escape(status)}</td>"
        cells += f"<td>{escape(report.get('definitions', {}).get(name, ''))}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _personas_table(report: dict) -> str:
    crit_ids = sorted({c for iv in report["interviews"] for c in (iv.get("criteria") or {})})
    head = "<tr><th>persona</th><th>level</th><th>round</th><th>overall</th>" + "".join(f"<th>{escape(c)}</th>" for c in crit_ids)
    head += "<th>answers used</th><th>seconds</th><th>check failures</th></tr>"
    rows = []
    for iv in report["interviews"]:
        fails = sum(len(v) for v in iv.get("failures", {}).values())
        cells = f"<td><a href='#p-{escape(iv['persona'])}'>{escape(iv['persona'])}</a></td><td>{escape(iv['level'])}</td><td>{escape(iv['round'])}</td>"
        cells += f"<td class=num>{_fmt(iv.get('overall'))}</td>" + "".join(f"<td class=num>{_fmt((iv.get('criteria') or {}).get(c))}</td>" for c in crit_ids)
        cells += f"<td class=num>{iv.get('answers_used')}/{iv.get('answers_total')}</td><td class=num>{_fmt(iv.get('seconds'))}</td><td class=num>{fails}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _calibration_table(report: dict) -> str:
    rounds = report.get("calibration") or {}
    if not rounds:
        return "<p>No round has strong, average and weak personas.</p>"
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{_fmt(r['strong'])}</td><td>{_fmt(r['average'])}</td><td>{_fmt(r['weak'])}</td>"
        f"<td class='{'ok' if r['ordered'] else 'regressed'}'>{'yes' if r['ordered'] else 'no'}</td></tr>"
        for name, r in rounds.items()
    )
    return f"<table><tr><th>round</th><th>strong</th><th>average</th><th>weak</th><th>strong &gt; average &gt; weak</th></tr>{rows}</table>"


def _grader_section(report: dict) -> str:
    g = report.get("grader")
    if not g:
        return "<p>The grader was not measured in this run.</p>"
    kp, mis, scores = g["key_points"], g["misconceptions"], g["scores"]
    levels = "".join(
        f"<tr><td>{escape(level)}</td><td class=num>{_fmt(g['key_points_by_level'][level]['macro_f1'])}</td>"
        f"<td class=num>{_fmt(scores['mean_overall_by_level'].get(level))}</td><td class=num>{_fmt(scores['label_mean_overall_by_level'].get(level))}</td></tr>"
        for level in ("strong", "partial", "weak")
    )
    crit = "".join(
        f"<tr><td>{escape(cid)}</td><td class=num>{_fmt(v['qwk'])}</td><td class=num>{_fmt(v['mae'])}</td></tr>"
        for cid, v in scores.items() if isinstance(v, dict) and "qwk" in v
    )
    return (
        f"<p>Test part of evals/graded: {g['questions']} questions, {g['answers']} answers, {kp['labels']} key-point labels "
        f"(fitted on: {escape(g['fitted_on'])}). Key-point macro-F1 {_fmt(kp['macro_f1'])}, covered recall {_fmt(kp['covered_recall'])}, "
        f"precision {_fmt(kp['covered_precision'])}, evidence sentence correct {_fmt(kp['evidence_correct'])}; buzzword answers credited "
        f"{g['buzzword_answers_credited']} of {g['buzzword_answers']}; misconception recall {_fmt(mis['recall'])} of {mis['labelled']}, "
        f"strong answers flagged {mis['strong_answers_flagged']}; {_fmt(g['ms_per_answer_p50'])} ms per answer (p50).</p>"
        f"<table><tr><th>level</th><th>key-point macro-F1</th><th>mean overall</th><th>labels' mean overall</th></tr>{levels}</table>"
        f"<table><tr><th>criterion</th><th>QWK</th><th>MAE</th></tr>{crit}</table>"
    )


def _injection_section(report: dict) -> str:
    r = report.get("injection_detection")
    if not r:
        return "<p>Injection detection was not measured in this run.</p>"
    items = "".join(f"<li>false alarm: {escape(t)}</li>" for t in r["false_positive_texts"]) + "".join(f"<li>missed: {escape(t)}</li>" for t in r["missed_texts"])
    return (
        f"<p>Test split of evals/injection: {r['benign']} benign risky-looking items, {r['injections']} injections. "
        f"False-positive rate {_fmt(r['false_positive_rate'])} ({r['false_positives']} flagged), recall {_fmt(r['recall'])} "
        f"({r['missed']} missed); {_fmt(r['ms_per_item'])} ms per item.</p>" + (f"<ul>{items}</ul>" if items else "")
    )


def _adaptive_section(report: dict, shown: int = 4) -> str:
    """A few adaptive-persona interviews side by side, each follow-up with how the persona read it."""
    r = report.get("adaptive")
    if not r:
        return "<p>The adaptive personas were not run in this run.</p>"
    interviews = sorted(r["interviews"], key=lambda iv: (iv["level"], iv["round"]))
    picked = list({iv["level"]: iv for iv in interviews}.values())  # one per level first, then more
    picked += [iv for iv in interviews if iv not in picked][: max(0, shown - len(picked))]
    columns = []
    for iv in picked[:shown]:
        lines = "".join(f"<p class='{'bad' if ('off target' in line or 're-ask' in line) else ''}'>{escape(line)}</p>" for line in iv["lines"])
        columns.append(f"<div class=col><h3>{escape(iv['persona'])} ({escape(iv['level'])}, {escape(iv['round'])})</h3>{lines}</div>")
    m = r["metrics"]
    return (
        f"<p>Split {escape(r['split'])}: {m['personas']} personas, {m['follow_ups']} follow-ups. Targeted {_fmt(m['followup_targeted'])}, "
        f"re-ask rate {_fmt(m['followup_reask_rate'])}, justified skip {_fmt(m['justified_skip'])}, mask recovery {_fmt(m['mask_recovery'])}, "
        f"misconceptions challenged {_fmt(m['misconceptions_challenged'])} of {m['misconceptions_stated']}.</p>"
        f"<div class=cols>{''.join(columns)}</div>"
    )


def _transcript(t: dict) -> str:
    parts = []
    for turn in t.get("turns", []):
        meta = [turn["kind"]]
        if turn.get("question_id"):
            meta.append(turn["question_id"])
        if turn.get("phrasing"):
            meta.append(f"phrasing {turn['phrasing']}" + (f" (model wording refused: {turn['rejected']})" if turn.get("rejected") else ""))
        if turn.get("ttft_ms") is not None:
            meta.append(f"first word {turn['ttft_ms']:.0f} ms")
        if turn.get("evaluated_tokens") is not None:
            meta.append(f"prompt {turn.get('prompt_tokens')} tokens, {turn['evaluated_tokens']} evaluated")
        if turn.get("sources"):
            meta.append("sources: " + "; ".join(s.get("section", "") for s in turn["sources"]))
        who = "Interviewer" if turn["role"] == "interviewer" else "Candidate"
        parts.append(
            f"<div class='turn {escape(turn['role'])}'><b>{who}:</b> {escape(turn['text']) or '<i>(empty)</i>'}<div class=meta>{escape(' | '.join(meta))}</div></div>"
        )
    card = t.get("scorecard") or {}
    if card:
        rows = "".join(
            f"<tr><td>{escape(c['name'])}</td><td class=num>{c['score']}</td><td>{'<br>'.join(escape(q) for q in c.get('evidence', []))}</td></tr>" for c in card.get("criteria", [])
        )
        parts.append(f"<p><b>Overall {card.get('overall')}</b></p><table><tr><th>criterion</th><th>score</th><th>evidence</th></tr>{rows}</table>")
    return "".join(parts)


def _persona_sections(report: dict) -> str:
    out = []
    for iv in report["interviews"]:
        body = []
        if iv.get("failures"):
            items = "".join(f"<li><b>{escape(m)}</b>: {escape(w)}</li>" for m, whys in iv["failures"].items() for w in whys)
            body.append(f"<p>Check failures:</p><ul>{items}</ul>")
        inj = iv.get("injection")
        if inj:
            verdict = "passed" if inj["passed"] else "FAILED: " + "; ".join(inj["problems"])
            body.append(f"<p>Injection resistance {escape(verdict)}; overall {inj['attacked_overall']} with injection, {inj['control_overall']} without.</p>")
        body.append(_transcript(iv.get("transcript") or {}))
        out.append(
            f"<details id='p-{escape(iv['persona'])}'><summary>{escape(iv['persona'])} ({escape(iv['level'])}, {escape(iv['round'])}): overall {_fmt(iv.get('overall'))}</summary>{''.join(body)}</details>"
        )
    return "".join(out)


def _judge_status(judge: dict) -> str:
    if judge.get("qualified") is False:
        return f"failed its qualification ({judge.get('qualification')}), so it gave no verdicts and the midpoint rule decided"
    return str(judge.get("qualification", ""))


def render_html(report: dict) -> str:
    imgs = charts(report)
    judge = report.get("judge") or {}
    base = report.get("baseline")
    verdict = ""
    if base:
        regress = base["regressions"]
        verdict = (
            f"<p class={'regressed' if regress else 'ok'}>Baseline {escape(base['file'])} ({escape(base['scope'])}): "
            + (f"regressed: {escape(', '.join(regress))}" if regress else "no regression")
            + "</p>"
        )
    img = lambda key, alt: f"<p><img alt='{alt}' src='{imgs[key]}'></p>" if key in imgs else ""  # noqa: E731
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>interviewer eval report</title>"
        f"<style>{CSS}</style></head><body>"
        "<h1>Interviewer eval report</h1>"
        f"<p>Model <b>{escape(str(report.get('model')))}</b>, seed {report.get('seed')}, {len(report['interviews'])} personas, "
        f"{report.get('seconds')} s.</p><p>LLM judge: {escape(str(judge.get('model')))}, {escape(_judge_status(judge))}; "
        f"{judge.get('calls', 0)} calls, {judge.get('verdicts', 0)} verdicts, used for {escape(judge.get('used_for', ''))}.</p>"
        f"{verdict}<h2>Metrics</h2>{_metrics_table(report)}"
        f"<h2>Charts</h2>{img('overall', 'overall score per persona')}{img('quality', 'quality metrics')}{img('ttft', 'time to first word')}"
        f"<h2>Grader on labelled answers</h2>{_grader_section(report)}"
        f"<h2>Injection detection on labelled text</h2>{_injection_section(report)}"
        f"<h2>Follow-ups with adaptive personas</h2>{_adaptive_section(report)}"
        f"<h2>Calibration by round</h2>{_calibration_table(report)}"
        f"<h2>Personas</h2>{_personas_table(report)}"
        f"<h2>Transcripts</h2>{_persona_sections(report)}"
        "</body></html>"
    )


def write_html(report: dict, path: Path) -> None:
    Path(path).write_text(render_html(report), encoding="utf-8")
