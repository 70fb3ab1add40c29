"""The reports' shared look: the style sheet and the pass/fail badge (a leaf module)."""

from __future__ import annotations

CSS = """
:root{--fail:#b3261e;--pass:#1b6e3a;--grey:#8a8a8a}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:0 auto;
padding:1.2em 1.2em 3em;color:#1d1d1d}
h1{font-size:1em;font-weight:600;color:#555;margin:0 0 .4em}
h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .3em}
.first{display:grid;grid-template-columns:minmax(0,1.3fr) minmax(0,1fr);gap:0 1.8em}
table.headline{font-size:13px}table.headline td:first-child{white-space:nowrap}
pre.cmd{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #d5dcea;padding:.4em .6em;
margin:.5em 0 0;font-size:.85em}
.first h2{margin-top:.6em}
ul.failed,ul.more{padding-left:1.2em;margin:.3em 0}ul.failed li,ul.more li{margin:.25em 0}
.decision{font-size:1.3em;font-weight:650;line-height:1.3;margin:.2em 0 .5em;padding:.5em .8em;
border-left:6px solid var(--fail);background:#fdf1f0}
.decision.deploy{border-color:var(--pass);background:#eef7f0}
.meta,.note{color:#444;font-size:.92em}
.next{font-size:1.05em;padding:.5em .8em;background:#f3f6fb;border-left:6px solid #4c72b0}
table{border-collapse:collapse;font-size:13.5px;margin:.5em 0}
caption,p.caption{text-align:left;font-size:.9em;color:#444;padding:.2em 0;margin:.8em 0 0}
.scroll table{min-width:560px}table.claims{min-width:760px}table.claims td:last-child{min-width:16em}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
tr.grouping th{background:#e9eef6}tr.grouping .tag{white-space:normal}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.small td,td.small{color:var(--grey);background:#f4f4f4}
.tag{font-size:.8em;color:var(--grey);white-space:nowrap}.tag.wrap{white-space:normal}
.badge{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.82em;font-weight:600;color:#fff;
white-space:nowrap}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.none{background:#888}
.ci{color:#555;font-size:.88em}
.scroll{overflow-x:auto;max-width:100%}
.figs{display:flex;flex-wrap:wrap;gap:12px}
svg.figure{max-width:100%;height:auto;border:1px solid #eee}
.figs svg.figure{flex:1 1 420px;width:100%;max-width:640px}
nav ul{display:flex;flex-wrap:wrap;gap:.2em 1.1em;list-style:none;padding:0;margin:.8em 0}
dt{font-weight:600;margin-top:.5em}dd{margin-left:1.2em}
a{color:#2a5db0}
@media (max-width:900px){.first{display:block}}
@media (max-width:640px){body{font-size:14px;padding:.7em .7em 2em}.decision{font-size:1.12em}
table{font-size:12.5px}td,th{padding:3px 5px}
table.stack,table.stack td:last-child{min-width:0}table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack td,table.stack th{display:block;width:100%}
table.stack tr{border-bottom:1px solid #ddd;padding:.25em 0}
table.stack td{border:0;padding:1px 6px;text-align:left;white-space:normal}
table.stack td[data-label]{display:inline-block;width:auto;margin-right:.6em}
table.stack td[data-label]::before{content:attr(data-label) ": ";color:#666}}
"""


def badge(passed: bool | None, yes: str = "pass", no: str = "fail") -> str:
    if passed is None:
        return '<span class="badge none">n/a</span>'
    return f'<span class="badge {"pass" if passed else "fail"}">{yes if passed else no}</span>'
