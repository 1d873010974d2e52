"""``skdeep compare --report FILE``: the table, the notes and the chart in one file to send.

An HTML page (``.html``) or a Markdown file (``.md``) that holds everything:
the chart is embedded as a PNG data URI, so the single file can be mailed or
attached to a ticket and opens anywhere.
"""

import base64
import html
import io
import os
import platform
import sys

from .tables import CLIError, _note

#: Report formats by file suffix.
FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def report_format(path):
    """The format of ``path`` by its suffix, or a CLIError naming the ones known."""
    kind = FORMATS.get(os.path.splitext(path)[1].lower())
    if kind is None:
        raise CLIError(f"--report writes .html or .md files, not {path!r}")
    return kind


def _chart_png(rows, scoring, title):
    """The score chart as PNG bytes, or None when matplotlib is not installed."""
    try:
        from ..plotting import ScoreComparisonDisplay
    except ImportError:
        return None
    try:
        display = ScoreComparisonDisplay.from_results(rows, scoring=scoring)
    except ImportError:
        return None
    display.ax_.set_title(title)
    display.figure_.tight_layout()
    buffer = io.BytesIO()
    display.figure_.savefig(buffer, format="png", dpi=100)
    import matplotlib.pyplot as plt

    plt.close(display.figure_)
    return buffer.getvalue()


def _versions():
    import sklearn

    from .._version import __version__

    return (f"skdeep {__version__}, scikit-learn {sklearn.__version__}, "
            f"Python {platform.python_version()}")


def _table(rows, scoring):
    header = ["rank", "model", f"{scoring} (mean ± std)", "fit time per fold (s)",
              "predict time per fold (s)"]
    body = [[str(rank), r["model"], f"{r['mean']:.4f} ± {r['std']:.4f}", f"{r['fit_time']:.2f}",
             f"{r['predict_time']:.3f}"] for rank, r in enumerate(rows, 1)]
    return header, body


def write_report(path, summary, notes, rows, failed, scoring, title):
    """Write the comparison to ``path`` (HTML or Markdown, by its suffix).

    Parameters
    ----------
    path : str
        ``.html`` / ``.htm`` or ``.md`` / ``.markdown``.
    summary : str
        The line describing the data and the cross-validation.
    notes : list of str
        What was done to the table.
    rows : list of dict
        The models' results, best first (``model``, ``mean``, ``std``,
        ``fit_time``, ``predict_time``).
    failed : list of str
        Models that failed.
    scoring : str
        The scorer's name.
    title : str
        The chart's and the page's title.
    """
    kind = report_format(path)
    png = _chart_png(rows, scoring, title) if rows else None
    header, body = _table(rows, scoring)
    command = "skdeep " + " ".join(sys.argv[1:]) if sys.argv[1:] else "skdeep compare"
    if kind == "html":
        text = _html(title, summary, notes, header, body, failed, png, command)
    else:
        text = _markdown(title, summary, notes, header, body, failed, png, command)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise CLIError(f"cannot write the report to {path!r}: {exc}") from None
    _note(f"report written to {path}")


def _markdown(title, summary, notes, header, body, failed, png, command):
    lines = [f"# {title}", "", summary, ""]
    lines += [f"- {n}" for n in notes] + ([""] if notes else [])
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in body]
    if failed:
        lines += ["", f"Failed: {', '.join(failed)}"]
    if png is not None:
        data = base64.b64encode(png).decode()
        lines += ["", f"![{title}](data:image/png;base64,{data})"]
    lines += ["", f"Made by `{command}` with {_versions()}.", ""]
    return "\n".join(lines)


def _html(title, summary, notes, header, body, failed, png, command):
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3em .6em;"
        "text-align:left}th{background:#eee}img{max-width:100%}</style></head><body>",
        f"<h1>{e(title)}</h1>", f"<p>{e(summary)}</p>",
    ]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header)
                 + "</tr></thead><tbody>")
    parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body]
    parts.append("</tbody></table>")
    if failed:
        parts.append(f"<p>Failed: {e(', '.join(failed))}</p>")
    if png is not None:
        data = base64.b64encode(png).decode()
        parts.append(f'<p><img alt="{e(title)}" src="data:image/png;base64,{data}"></p>')
    parts.append(f"<p><small>Made by <code>{e(command)}</code> with {e(_versions())}."
                 "</small></p></body></html>")
    return "\n".join(parts) + "\n"
