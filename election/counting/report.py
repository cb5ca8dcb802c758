"""Spec §12.1.5 Reports of a count: CSV and a self-contained HTML page with a bar chart.

Rendering returns strings; the caller writes them. The HTML page fetches nothing and needs no
JavaScript: inline CSS, one inline SVG bar chart per stage, every name escaped. Bar lengths
are computed with integers only, like the count itself.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Final

from election.counting.lot import decided_by_lot
from election.counting.record import ActionKind, CountResult, Stage

__all__ = ["candidate_status", "describe_action", "render_csv", "render_html"]

_BAR_WIDTH: Final = 560
_ROW: Final = 22
_LABEL: Final = 230

_CSS: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1200px;color:#1b1b1b;line-height:1.4;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.85em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{background:#f0f0f0}
.scroll{overflow-x:auto}.elected{background:#dff3e3}.excluded{color:#888}
.doomed{background:#fbe3e3}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:600}section.stage{margin:1.5em 0;page-break-inside:avoid}
.legend span{display:inline-block;margin-right:1.2em}
.key{display:inline-block;width:1em;height:1em;vertical-align:middle;margin-right:.3em}
svg text{font-size:12px;font-family:inherit}code{word-break:break-all}
"""

_COLOURS: Final = {
    "elected": "#2e8b57",
    "continuing": "#3b6fb6",
    "doomed": "#c0392b",
    "excluded": "#b5b5b5",
}


def describe_action(result: CountResult, stage: Stage) -> str:
    """Spec §12.1.5 A stage's action in words, e.g. ``Exclusion of Max BRODIE (Sol)``."""
    names = ", ".join(result.candidates[c] for c in stage.action.subjects)
    kind = stage.action.kind
    if kind == ActionKind.FIRST_PREFERENCES:
        return "First preferences"
    if kind == ActionKind.SURPLUS:
        if result.method == "meek-stv":
            return f"Surpluses of {names} (keep values)"
        return f"Surplus of {names}"
    if kind == ActionKind.CONSTRAINT_EXCLUSION:
        return f"Exclusion of {names} (constraint, §12.5)"
    return f"Exclusion of {names}"


def candidate_status(result: CountResult, upto: int) -> list[str]:
    """Each candidate's status at the end of stage ``upto`` (1-based)."""
    status = ["continuing"] * len(result.candidates)
    for stage in result.stages[:upto]:
        for c in stage.excluded:
            status[c] = "excluded"
        for c in stage.elected:
            status[c] = "elected"
    for c in result.stages[upto - 1].doomed:
        if status[c] == "continuing":
            status[c] = "doomed"
    return status


def render_csv(result: CountResult) -> str:
    """Spec §12.1.5 The stages as CSV: per stage a ``totals`` row and a ``transfers`` row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "stage",
            "row",
            "action",
            "subjects",
            "quota",
            *result.candidates,
            "non_transferable",
            "loss_to_fractions",
            "exhausted",
            "lost",
            "elected",
            "excluded",
        ]
    )
    v = result.value
    for s in result.stages:
        names = "; ".join(result.candidates[c] for c in s.action.subjects)
        elected = "; ".join(result.candidates[c] for c in s.elected)
        excluded = "; ".join(result.candidates[c] for c in s.excluded)
        for row, values in (("totals", s.totals), ("transfers", s.transfers)):
            writer.writerow(
                [
                    s.number,
                    row,
                    s.action.kind.value,
                    names,
                    v(s.quota),
                    *(v(x) for x in values),
                    v(s.non_transferable),
                    v(s.loss_to_fractions),
                    v(s.exhausted),
                    v(s.lost),
                    elected,
                    excluded,
                ]
            )
    return out.getvalue()


def _chart(result: CountResult, stage: Stage, scale_max: int) -> str:
    status = candidate_status(result, stage.number)
    n = len(result.candidates)
    height = _ROW * n + 30
    width = _LABEL + _BAR_WIDTH + 190
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="Stage {stage.number}: {e(describe_action(result, stage))}">',
        f"<title>Stage {stage.number}</title>",
    ]
    for c, name in enumerate(result.candidates):
        y = 8 + c * _ROW
        length = stage.totals[c] * _BAR_WIDTH // scale_max if scale_max else 0
        colour = _COLOURS[status[c]]
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 14}" text-anchor="end">{e(name)}</text>'
            f'<rect x="{_LABEL}" y="{y + 2}" width="{length}" height="{_ROW - 6}" '
            f'fill="{colour}"><title>{e(name)}: {result.value(stage.totals[c])} '
            f"({status[c]})</title></rect>"
            f'<text x="{_LABEL + length + 6}" y="{y + 14}">{result.value(stage.totals[c])}'
            f"{'' if status[c] == 'continuing' else f' ({status[c]})'}</text>"
        )
    quota_x = _LABEL + (stage.quota * _BAR_WIDTH // scale_max if scale_max else 0)
    parts.append(
        f'<line x1="{quota_x}" y1="2" x2="{quota_x}" y2="{height - 20}" stroke="#000" '
        'stroke-dasharray="4 3"/>'
        f'<text x="{quota_x}" y="{height - 6}" text-anchor="middle">'
        f"quota {result.value(stage.quota)}</text></svg>"
    )
    return "".join(parts)


def render_html(result: CountResult) -> str:
    """Spec §12.1.5 A self-contained HTML report: summary, stage table, bar chart per stage."""
    e = html.escape
    v = result.value
    title = result.title or "Count"
    scale_max = max([*(max(s.totals) for s in result.stages), *(s.quota for s in result.stages), 1])
    elected = ", ".join(e(n) for n in result.elected_names) or "nobody"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} — verivote count</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        "<dl>",
        f"<dt>Method</dt><dd>{e(result.method)} (verivote spec §12)</dd>",
        f"<dt>Seats</dt><dd>{result.seats}</dd>",
        f"<dt>Valid ballots</dt><dd>{result.valid_ballots}</dd>",
        f"<dt>Invalid ballots</dt><dd>{result.invalid_ballots}</dd>",
        f"<dt>Quota</dt><dd>{v(result.quota)}</dd>",
        f"<dt>Elected, in order</dt><dd>{elected}</dd>",
    ]
    if result.constraints:
        out.append(f"<dt>Constraints</dt><dd>{e('; '.join(result.constraints))}</dd>")
    out += [
        f"<dt>Lot seed</dt><dd><code>{result.lot_seed.hex()}</code></dd>",
        f"<dt>Contest</dt><dd>{e(result.contest) or '(none)'}</dd>",
        "</dl>",
        "<h2>Stages</h2>",
        '<div class="scroll"><table><thead><tr><th>Candidate</th>',
    ]
    out += [f'<th title="{e(describe_action(result, s))}">{s.number}</th>' for s in result.stages]
    out.append("</tr></thead><tbody>")
    final = candidate_status(result, len(result.stages))
    for c, name in enumerate(result.candidates):
        cls = final[c] if final[c] in ("elected", "excluded") else ""
        out.append(f'<tr class="{cls}"><td>{e(name)}</td>')
        out += [f"<td>{v(s.totals[c])}</td>" for s in result.stages]
        out.append("</tr>")
    for label, values in (
        ("Non-transferable (running)", [s.exhausted for s in result.stages]),
        ("Loss to fractions (running)", [s.lost for s in result.stages]),
        ("Quota", [s.quota for s in result.stages]),
    ):
        out.append(f"<tr><td>{label}</td>")
        out += [f"<td>{v(x)}</td>" for x in values]
        out.append("</tr>")
    out.append("</tbody></table></div>")
    out.append('<h2>Stage by stage</h2><p class="legend">')
    for status, colour in _COLOURS.items():
        out.append(f'<span><i class="key" style="background:{colour}"></i>{status}</span>')
    out.append("</p>")
    for s in result.stages:
        names_elected = ", ".join(e(result.candidates[c]) for c in s.elected)
        out.append(
            f'<section class="stage"><h3>Stage {s.number}: {e(describe_action(result, s))}</h3>'
        )
        details = [
            f"non-transferable {v(s.non_transferable)}",
            f"loss to fractions {v(s.loss_to_fractions)}",
        ]
        if names_elected:
            details.append(f"elected: {names_elected}")
        for tie in s.ties:
            tied = ", ".join(e(result.candidates[c]) for c in tie.tied)
            how = (
                f"decided by stage {tie.decided_by}"
                if tie.decided_by
                else e(decided_by_lot(result.lot_seed))
            )
            details.append(f"tie ({e(tie.purpose)}) between {tied} {how}")
        out.append(f"<p>{'; '.join(details)}</p>")
        out.append(_chart(result, s, scale_max))
        out.append("</section>")
    out.append("<p><small>Generated by verivote from the published ballots; re-run the count ")
    out.append("with <code>verivote count</code> to check it.</small></p></body></html>")
    return "\n".join(out) + "\n"
