"""report.html's style sheet (inline: the page loads nothing) and the colours of its verdicts."""

from __future__ import annotations

PASS_COLOR, FAIL_COLOR, ERROR_COLOR = "#1a7f37", "#c62828", "#9a6700"

STYLE = "".join((
    "*{box-sizing:border-box}",
    'body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff}',
    'code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:13px}',
    ".banner{padding:16px 32px;color:#fff;display:flex;align-items:baseline;gap:20px;flex-wrap:wrap}",
    f".banner.fail{{background:{FAIL_COLOR}}}.banner.pass{{background:{PASS_COLOR}}}",
    ".verdict{font-size:28px;font-weight:700;letter-spacing:.05em}.summary{font-size:18px}",
    "main{padding:4px 32px 48px}",
    "h1{font-size:24px;margin:18px 0 10px}h1 small{font-weight:400;color:#59636e;font-size:15px}",
    "h2{font-size:18px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid #d0d7de}",
    "h2 .count{color:#59636e;font-weight:400}",
    ".facts{display:flex;flex-wrap:wrap;gap:10px 44px;margin:0;padding:12px 18px;background:#f6f8fa;border-radius:6px}",
    ".facts dt{font-size:12px;color:#59636e;text-transform:uppercase;letter-spacing:.04em}",
    ".facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}",
    "table{border-collapse:collapse;font-size:13px}",
    "th,td{border-bottom:1px solid #e1e4e8;padding:4px 10px;text-align:left;vertical-align:top}",
    "th{background:#f6f8fa;position:sticky;top:0;white-space:nowrap}",
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
    ".null{color:#8c959f;font-style:italic}",
    f".warn{{color:{ERROR_COLOR};font-weight:600}}",
    f".rule{{border:1px solid #d0d7de;border-left:6px solid {FAIL_COLOR};border-radius:6px;padding:10px 16px;"
    "margin:12px 0}",
    f".rule.error{{border-left-color:{ERROR_COLOR}}}",
    ".rule h3{margin:0 0 6px;font-size:15px;font-weight:600}h3 .muted{font-weight:400;font-size:13px}",
    f".rule p{{margin:4px 0}}.reason{{color:{FAIL_COLOR}}}.rule.error .reason{{color:{ERROR_COLOR}}}",
    ".badge{display:inline-block;border-radius:4px;padding:0 7px;font-size:12px;font-weight:700;color:#fff;"
    "margin-right:8px;vertical-align:1px}",
    f".badge.PASS{{background:{PASS_COLOR}}}.badge.FAIL{{background:{FAIL_COLOR}}}",
    f".badge.ERROR{{background:{ERROR_COLOR}}}.muted{{color:#59636e}}",
    ".chip{display:inline-block;background:#ddf4ff;color:#0550ae;border-radius:10px;padding:0 8px;font-size:12px;"
    "margin:0 4px 2px 0}",
    ".hl{background:#fff1ef}th.hl{background:#ffdcd7}",
    ".rows{max-height:262px;overflow:auto;border:1px solid #e1e4e8;border-radius:4px;margin-top:6px;max-width:100%}",
    ".rows table{width:max-content}",
    "#profile td{vertical-align:middle}svg.hist{display:block}",
    ".charts{display:flex;flex-wrap:wrap;gap:18px}figure{margin:0}",
    "figcaption{font-size:13px;font-weight:600;margin:0 0 2px 84px}",
    "pre{background:#f6f8fa;padding:12px;overflow:auto;border-radius:6px}",
))
