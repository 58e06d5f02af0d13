"""Printable HTML for an exam: questions first, answer key on its own A4 page."""

from __future__ import annotations

from html import escape

from .questions import Exam, Question

_LABELS = {
    "en": {
        "instructions": "Answer every question. For multiple-choice questions choose one letter; "
        "for true/false questions circle True or False.",
        "name": "Name",
        "date": "Date",
        "key": "Answer key",
    },
    "zh": {
        "instructions": "请回答所有题目。选择题请选出一个字母；判断题请圈出“对”或“错”。",
        "name": "姓名",
        "date": "日期",
        "key": "参考答案",
    },
}
_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 11pt;
       line-height: 1.45; color: #111; margin: 0; }
h1 { font-size: 18pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 0 0 8pt; }
.instructions { font-style: italic; margin: 0 0 8pt; }
.student { margin: 0 0 14pt; }
.question { margin: 0 0 10pt; break-inside: avoid; page-break-inside: avoid; }
.num { font-weight: bold; }
ol.options { list-style-type: upper-alpha; margin: 4pt 0 0 18pt; padding-left: 12pt; }
.tf { margin: 4pt 0 0 30pt; }
.tf span { margin-right: 24pt; }
.answer-key { page-break-before: always; break-before: page; }
.answer-key ol { margin: 0; padding-left: 24pt; }
"""


def _labels(language: str) -> dict[str, str]:
    if language == "mixed":  # bilingual readers: show both, Chinese second
        en, zh = _LABELS["en"], _LABELS["zh"]
        return {k: f"{en[k]} / {zh[k]}" if k != "instructions" else f"{en[k]} {zh[k]}" for k in en}
    return _LABELS["zh" if language == "zh" else "en"]


def _question_html(q: Question) -> str:
    parts = [f'<div class="question"><span class="num">{q.number}.</span> {escape(q.prompt)}']
    if q.type == "multiple_choice":
        items = "".join(f"<li>{escape(opt)}</li>" for opt in q.options)
        parts.append(f'<ol class="options" type="A">{items}</ol>')
    elif q.type == "true_false":
        parts.append('<div class="tf">' + "".join(f"<span>○ {escape(o)}</span>" for o in q.options) + "</div>")
    parts.append("</div>")
    return "".join(parts)


def render_html(exam: Exam) -> str:
    """A standalone HTML5 document (inline CSS, no scripts or external resources) for A4 printing."""
    labels = _labels(exam.language)
    lang = {"zh": "zh-CN", "mixed": "zh-CN"}.get(exam.language, "en")
    title = escape(exam.title)
    questions = "\n".join(_question_html(q) for q in exam.questions)
    answers = "\n".join(f'<li value="{q.number}">{escape(q.answer)}</li>' for q in exam.questions)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="instructions">{escape(labels["instructions"])}</p>
<p class="student">{escape(labels["name"])}: ____________________&nbsp;&nbsp;\
{escape(labels["date"])}: ____________</p>
</header>
<main class="questions">
{questions}
</main>
<section class="answer-key">
<h2>{escape(labels["key"])} — {title}</h2>
<ol>
{answers}
</ol>
</section>
</body>
</html>
"""
