"""Figures from the benchmark's turns: percentiles, totals, ratios, the issue's goals, and a text table."""

from __future__ import annotations

from interviewer.bench.meter import percentile

GOALS = {
    # name: (what, target, comparison)
    "prompt_tokens_baseline_over_app": ("prompt tokens evaluated, baseline / app", 3.0, ">="),
    "app_evaluated_over_new_worst_turn": ("app prompt tokens evaluated per turn / new tokens of that turn (worst turn)", 1.2, "<="),
    "ttft_last_turn_baseline_over_app": ("time to first token at the last turn, baseline / app", 2.0, ">="),
    "decode_app_over_raw": ("decode tokens/s, app / raw llama-cpp-python", 0.95, ">="),
    "app_overhead_ms_p50": ("app time per turn outside the model, p50 (ms)", 50.0, "<"),
    # what the candidate feels (issue 17), on the interview as shipped (moves as qualified)
    "first_word_ms_p50": ("first word shown after an answer, p50 (ms)", 300.0, "<="),
    "cold_start_s": ("cold start to the first question's first word, fresh process, index built (s)", 4.0, "<="),
}
INTERLEAVED_GOAL = ("interleaved_over_single", "app prompt tokens evaluated per turn with interleaved sessions / single-session figure", 1.5, "<=")


def _r(x, digits=1):
    return None if x is None else round(x, digits)


def _ratio(a, b, digits=2):
    return round(a / b, digits) if a is not None and b not in (None, 0) else None


def _decode_tps(pairs) -> float | None:
    """Aggregate decode speed over (tokens, decode_ms) pairs: (tokens - 1) intervals per second."""
    steps = sum(t - 1 for t, ms in pairs if t and t > 1 and ms)
    ms = sum(ms for t, ms in pairs if t and t > 1 and ms)
    return round(steps / (ms / 1000), 1) if ms else None


def _last_turn(rows):
    """Median over sessions of a figure at the last turn every session reached."""
    if not rows:
        return None
    last = max(r[1] for r in rows)
    return percentile([r[2] for r in rows if r[1] == last and r[2] is not None], 50)


def shown_summary(shown_turns: list[dict]) -> dict:
    """First word shown per answer on the interview as shipped, and the grading that comes before it."""
    return {
        "first_word_ms_p50": _r(percentile([t["first_word_ms"] for t in shown_turns], 50)),
        "first_word_ms_p95": _r(percentile([t["first_word_ms"] for t in shown_turns], 95)),
        "first_word_ms_max": _r(max((t["first_word_ms"] for t in shown_turns if t["first_word_ms"] is not None), default=None)),
        "grading_ms_p50": _r(percentile([t["grading_ms"] for t in shown_turns], 50)),
        "grading_ms_p95": _r(percentile([t["grading_ms"] for t in shown_turns], 95)),
        "model_calls": sum(t["model_calls"] for t in shown_turns),
        "turns": len(shown_turns),
        "per_turn": list(shown_turns),
    }


def summarise(app_turns, base_turns, raw_decodes, sessions: int, turns: int, shown_turns: list[dict] | None = None, cold: dict | None = None) -> dict:
    llm_turns = [t for t in app_turns if t.calls]
    known = all(t.evaluated_known for t in llm_turns)  # a server may not report its cache use

    def evaluated_in(t):
        if t.metered_tokens is not None:
            return t.metered_tokens
        return t.evaluated_tokens if t.evaluated_known else None

    evaluated = sum(evaluated_in(t) for t in llm_turns) if known else None
    new = sum(t.new_tokens or 0 for t in llm_turns)
    per_new = [evaluated_in(t) / t.new_tokens for t in llm_turns if t.new_tokens and evaluated_in(t) is not None]
    app = {
        "ttft_ms_p50": _r(percentile([t.ttft_ms for t in llm_turns], 50)),
        "ttft_ms_p95": _r(percentile([t.ttft_ms for t in llm_turns], 95)),
        "ttft_ms_last_turn": _r(_last_turn([(t.session, t.turn, t.ttft_ms) for t in llm_turns])),
        "visible_ms_p50": _r(percentile([t.visible_ms for t in app_turns], 50)),
        "prompt_tokens_evaluated": evaluated,
        "prompt_tokens_evaluated_reported": sum(t.evaluated_tokens for t in llm_turns) if known else None,
        "prompt_tokens_evaluated_per_turn": _r(evaluated / len(llm_turns)) if llm_turns and known else None,
        "prompt_tokens_total": sum(t.prompt_tokens for t in llm_turns),
        "new_tokens": new,
        "evaluated_over_new": _ratio(evaluated, new),
        "evaluated_over_new_worst_turn": round(max(per_new), 2) if per_new else None,
        "decode_tps": _decode_tps([(t.completion_tokens, t.decode_ms) for t in llm_turns]),
        "overhead_ms_p50": _r(percentile([t.overhead_ms for t in app_turns], 50)),
        "overhead_ms_p95": _r(percentile([t.overhead_ms for t in app_turns], 95)),
        "turns": len(app_turns),
        "turns_with_model_call": len(llm_turns),
        "per_turn": [
            {
                "session": t.session, "turn": t.turn, "ttft_ms": _r(t.ttft_ms), "visible_ms": _r(t.visible_ms),
                "prompt_tokens": t.prompt_tokens, "evaluated_tokens": evaluated_in(t),
                "new_tokens": t.new_tokens, "overhead_ms": _r(t.overhead_ms), "completion_tokens": t.completion_tokens, "calls": t.calls,
            }
            for t in app_turns
        ],
    }
    bt = [b for _, _, b in base_turns]
    baseline = {
        "ttft_ms_p50": _r(percentile([b.ttft_ms for b in bt], 50)),
        "ttft_ms_p95": _r(percentile([b.ttft_ms for b in bt], 95)),
        "ttft_ms_last_turn": _r(_last_turn([(s, k, b.ttft_ms) for s, k, b in base_turns])),
        "prompt_tokens_evaluated": sum(b.evaluated_tokens for b in bt),
        "prompt_tokens_evaluated_per_turn": _r(sum(b.evaluated_tokens for b in bt) / len(bt)) if bt else None,
        "prompt_tokens_total": sum(b.prompt_tokens for b in bt),
        "decode_tps": _decode_tps([(b.completion_tokens, b.decode_ms) for b in bt]),
        "overhead_ms_p50": _r(percentile([b.overhead_ms for b in bt], 50)),
        "overhead_ms_p95": _r(percentile([b.overhead_ms for b in bt], 95)),
        "turns": len(bt),
        "per_turn": [
            {"session": s, "turn": k, "ttft_ms": _r(b.ttft_ms), "prompt_tokens": b.prompt_tokens, "evaluated_tokens": b.evaluated_tokens, "overhead_ms": _r(b.overhead_ms)}
            for s, k, b in base_turns
        ],
    }
    raw = {"decode_tps": _decode_tps([(d.completion_tokens, d.decode_ms) for d in raw_decodes]), "completions": len(raw_decodes)}
    ratios = {
        "prompt_tokens_baseline_over_app": _ratio(baseline["prompt_tokens_evaluated"], app["prompt_tokens_evaluated"]),
        "ttft_p50_baseline_over_app": _ratio(baseline["ttft_ms_p50"], app["ttft_ms_p50"]),
        "ttft_last_turn_baseline_over_app": _ratio(baseline["ttft_ms_last_turn"], app["ttft_ms_last_turn"]),
        "decode_app_over_raw": _ratio(app["decode_tps"], raw["decode_tps"]),
    }
    shown = shown_summary(shown_turns or [])
    result = {"turns": turns, "sessions": sessions, "app": app, "baseline": baseline, "raw": raw, "ratios": ratios, "shown": shown}
    result["goals"] = goals(app, ratios, sessions, shown, (cold or {}).get("first_question_word_s"))
    return result


def goals(app: dict, ratios: dict, sessions: int, shown: dict | None = None, cold_start_s: float | None = None) -> dict:
    values = {
        "first_word_ms_p50": (shown or {}).get("first_word_ms_p50"),
        "cold_start_s": cold_start_s,
        "prompt_tokens_baseline_over_app": ratios["prompt_tokens_baseline_over_app"],
        "app_evaluated_over_new_worst_turn": app["evaluated_over_new_worst_turn"],
        "ttft_last_turn_baseline_over_app": ratios["ttft_last_turn_baseline_over_app"],
        "decode_app_over_raw": ratios["decode_app_over_raw"],
        "app_overhead_ms_p50": app["overhead_ms_p50"],
    }
    table = dict(GOALS)
    if sessions > 1:
        # a session alone evaluates exactly its new tokens (the sessions=1 run shows evaluated_over_new = 1.0),
        # so evaluated / new with interleaving is the interleaved figure over the single-session one
        name, what, target, op = INTERLEAVED_GOAL
        table[name] = (what, target, op)
        values[name] = app["evaluated_over_new"]
    out = {}
    for name, (what, target, op) in table.items():
        value = values[name]
        met = None if value is None else {">=": value >= target, "<=": value <= target, "<": value < target}[op]
        out[name] = {"what": what, "target": f"{op} {target:g}", "value": value, "met": met}
    return out


def render(result: dict) -> str:
    a, b, raw, r = result["app"], result["baseline"], result["raw"], result["ratios"]
    sh = result.get("shown") or {}
    lines = [
        f"model {result['model']} ({result['backend']}), n_ctx {result['n_ctx']}, {result['n_threads']} threads; "
        f"{result['turns']} turns x {result['sessions']} session(s); load average {result['load_average']['before'][0]} -> {result['load_average']['after'][0]}",
        "",
        f"{'':34s}{'app':>12s}{'baseline':>12s}{'ratio':>9s}",
        f"{'time to first token p50 (ms)':34s}{_f(a['ttft_ms_p50']):>12s}{_f(b['ttft_ms_p50']):>12s}{_f(r['ttft_p50_baseline_over_app']):>9s}",
        f"{'time to first token p95 (ms)':34s}{_f(a['ttft_ms_p95']):>12s}{_f(b['ttft_ms_p95']):>12s}",
        f"{'time to first token, last turn':34s}{_f(a['ttft_ms_last_turn']):>12s}{_f(b['ttft_ms_last_turn']):>12s}{_f(r['ttft_last_turn_baseline_over_app']):>9s}",
        f"{'prompt tokens evaluated':34s}{_f(a['prompt_tokens_evaluated']):>12s}{_f(b['prompt_tokens_evaluated']):>12s}{_f(r['prompt_tokens_baseline_over_app']):>9s}",
        f"{'decode tokens/s (raw ' + _f(raw['decode_tps']) + ')':34s}{_f(a['decode_tps']):>12s}{_f(b['decode_tps']):>12s}{_f(r['decode_app_over_raw']):>9s}",
        f"{'outside the model per turn p50 (ms)':34s}{_f(a['overhead_ms_p50']):>12s}{_f(b['overhead_ms_p50']):>12s}",
        "",
        "(the table is the phrasing path: every move worded by the model, as the prefix-cache figures need)",
        "",
        f"as shipped (model words: {', '.join((result.get('qualification') or {}).get('phrased_moves') or []) or 'none'}): "
        f"first word shown p50 {_f(sh.get('first_word_ms_p50'))} ms, p95 {_f(sh.get('first_word_ms_p95'))} ms; grading p50 {_f(sh.get('grading_ms_p50'))} ms, "
        f"p95 {_f(sh.get('grading_ms_p95'))} ms; {sh.get('model_calls', 0)} model calls in {sh.get('turns', 0)} turns",
        f"phrasing path: first word shown p50 {_f(a['visible_ms_p50'])} ms (after the whole reply is validated)",
        f"cold start {_f(result['cold_start_s'])} s (fresh process to the first question's first word); "
        f"RSS {result['rss_mb']} MB (app), peak {result['rss_peak_mb']} MB (all three models)",
        "",
        "goals:",
    ]
    for g in result["goals"].values():
        mark = "n/a " if g["met"] is None else ("met " if g["met"] else "MISS")
        lines.append(f"  [{mark}] {g['what']}: {_f(g['value'])} (target {g['target']})")
    return "\n".join(lines)


def _f(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"
    return f"{x:,}"
