"""Printable HTML for an exam: questions first, answer key on its own A4 page."""

from __future__ import annotations

from html import escape

from .questions import BLANK, Exam, Question

_LABELS = {
    "en": {
        "instructions": "Answer every question. For multiple-choice questions choose one letter; "
        "for true/false questions circle True or False.",
        "name": "Name",
        "date": "Date",
        "key": "Answer key",
        "colon": ": ",
    },
    "zh": {
        "instructions": "请回答所有题目。选择题请选出一个字母；判断题请圈出“对”或“错”。",
        "name": "姓名",
        "date": "日期",
        "key": "参考答案",
        "colon": "：",
    },
}
# Latin text first in a TrueType font: Chromium embeds the CFF-based Noto CJK only as Type 3 glyphs,
# which viewers draw without hinting (blurry Latin, broken-looking underscores at low resolution).
_LATIN = '"Liberation Sans", "DejaVu Sans"'
_CJK = '"Noto Sans CJK SC"'
# In Chinese text, quotes, dashes and full-width punctuation must come from the CJK font: the Latin
# font would draw “对” with narrow Western quotes.
_FONT_FACE = """
@font-face { font-family: "Exam CJK Punctuation"; src: local("Noto Sans CJK SC"), local("NotoSansCJKsc-Regular");
             unicode-range: U+2014-2026, U+3000-303F, U+FF00-FFEF; }"""
_CSS = """
@page { size: A4; margin: 18mm 16mm;
        @bottom-center { content: counter(page) " / " counter(pages); font: 9pt %(latin)s, sans-serif; color: #555; } }
body { font-family: %(fonts)s, sans-serif; font-size: 11pt; line-height: 1.45; color: #111; margin: 0; }
h1 { font-size: 18pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 0 0 8pt; }
.instructions { margin: 0 0 8pt; color: #333; }
.student { margin: 0 0 14pt; }
.question { margin: 0 0 10pt; break-inside: avoid; page-break-inside: avoid; }
.num { font-weight: bold; }
.blank { white-space: nowrap; }
ol.options { list-style-type: upper-alpha; margin: 4pt 0 0 18pt; padding-left: 12pt; }
.tf { margin: 4pt 0 0 30pt; }
.tf > span { margin-right: 24pt; }
.tf .mark { font-family: %(cjk)s; font-size: 1.15em; }  /* the Latin fonts draw ○ as a dot */
.answer-key { page-break-before: always; break-before: page; }
.answer-key ol { margin: 0; padding-left: 24pt; }
.answer-key ol.long { columns: 2; column-gap: 24pt; }
"""


def _css(language: str) -> str:
    """The style sheet; Chinese and bilingual exams take punctuation from the CJK font."""
    if language in ("zh", "mixed"):
        fonts = f'"Exam CJK Punctuation", {_LATIN}, {_CJK}'
        return _FONT_FACE + _CSS % {"fonts": fonts, "latin": _LATIN, "cjk": _CJK}
    return _CSS % {"fonts": f"{_LATIN}, {_CJK}", "latin": _LATIN, "cjk": _CJK}


def _labels(language: str) -> dict[str, str]:
    if language == "mixed":  # bilingual readers: show both, Chinese second
        en, zh = _LABELS["en"], _LABELS["zh"]
        both = {k: f"{en[k]} / {zh[k]}" if k != "instructions" else f"{en[k]} {zh[k]}" for k in en}
        return {**both, "colon": zh["colon"]}
    return _LABELS["zh" if language == "zh" else "en"]


def _prompt_html(prompt: str) -> str:
    # The blank must never be split over two lines.
    return escape(prompt).replace(BLANK, f'<span class="blank">{BLANK}</span>')


def _question_html(q: Question) -> str:
    parts = [f'<div class="question"><span class="num">{q.number}.</span> {_prompt_html(q.prompt)}']
    if q.type == "multiple_choice":
        items = "".join(f"<li>{escape(opt)}</li>" for opt in q.options)
        parts.append(f'<ol class="options" type="A">{items}</ol>')
    elif q.type == "true_false":
        marks = "".join(f'<span><span class="mark">○</span> {escape(o)}</span>' for o in q.options)
        parts.append(f'<div class="tf">{marks}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_html(exam: Exam) -> str:
    """A standalone HTML5 document (inline CSS, no scripts or external resources) for A4 printing."""
    labels = _labels(exam.language)
    colon = labels["colon"]
    lang = {"zh": "zh-CN", "mixed": "zh-CN"}.get(exam.language, "en")
    title = escape(exam.title)
    questions = "\n".join(_question_html(q) for q in exam.questions)
    answers = "\n".join(f'<li value="{q.number}">{escape(q.answer)}</li>' for q in exam.questions)
    key_class = ' class="long"' if len(exam.questions) > 15 else ""  # two columns keep the key on one page
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{_css(exam.language)}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="instructions">{escape(labels["instructions"])}</p>
<p class="student">{escape(labels["name"])}{colon}____________________&nbsp;&nbsp;&nbsp;\
{escape(labels["date"])}{colon}____________</p>
</header>
<main class="questions">
{questions}
</main>
<section class="answer-key">
<h2>{escape(labels["key"])} — {title}</h2>
<ol{key_class}>
{answers}
</ol>
</section>
</body>
</html>
"""
