"""Printable HTML for an exam: a student copy, a teacher's key, or both (key on its own A4 page)."""

from __future__ import annotations

from html import escape

from .questions import BLANK, TYPES, Exam, Question

ZH_NUMERALS = "一二三四五六七八九十"
ROMAN = ("I", "II", "III", "IV", "V", "VI")
LABELS = {
    "en": {
        "cloze": "Fill in the blanks",
        "choice": "Multiple choice",
        "truefalse": "True or false",
        "short": "Short answer",
        "each": "{p} points each, {t} points",
        "each1": "{p} point each, {t} points",
        "instructions": "Answer every question.",
        "how-cloze": "Write the missing term in each blank.",
        "how-choice": "Choose one letter for each multiple-choice question.",
        "how-truefalse": "Mark each statement True or False.",
        "how-short": "Answer short questions in a sentence or two.",
        "name": "Name",
        "class": "Class",
        "score": "Score",
        "total": "Total: {t} points",
        "key": "Answer key",
        "page": "p. {n}",
        "source": "(p. {n})",
        "colon": ": ",
    },
    "zh": {
        "cloze": "填空题",
        "choice": "选择题",
        "truefalse": "判断题",
        "short": "简答题",
        "each": "每题{p}分，共{t}分",
        "each1": "每题{p}分，共{t}分",
        "instructions": "请回答所有题目。",
        "how-cloze": "填空题在横线上填写术语。",
        "how-choice": "选择题选出一个正确选项。",
        "how-truefalse": "判断题判断对错。",
        "how-short": "简答题用一两句话作答。",
        "name": "姓名",
        "class": "班级",
        "score": "得分",
        "total": "满分{t}分",
        "key": "参考答案",
        "page": "第{n}页",
        "source": "（第{n}页）",
        "colon": "：",
    },
}
_LATIN = '"Liberation Sans", "DejaVu Sans"'
_CJK = '"Noto Sans CJK SC"'
_FONT_FACE = """
@font-face { font-family: "Exam CJK Punctuation"; src: local("Noto Sans CJK SC"), local("NotoSansCJKsc-Regular");
             unicode-range: U+2014-2026, U+3000-303F, U+FF00-FFEF; }"""
_CSS = """
@page { size: A4; margin: 18mm 16mm;
        @bottom-center { content: counter(page) " / " counter(pages); font: 9pt %(latin)s, sans-serif; color: #555; } }
body { font-family: %(fonts)s, sans-serif; font-size: 11pt; line-height: 1.5; color: #111; margin: 0; }
h1 { font-size: 18pt; margin: 0 0 4pt; text-align: center; }
.subject { text-align: center; margin: 0 0 6pt; color: #333; }
h2 { font-size: 12.5pt; margin: 14pt 0 6pt; }
.instructions { margin: 0 0 8pt; color: #333; }
.student { margin: 0 0 10pt; }
.question { margin: 0 0 9pt; break-inside: avoid; page-break-inside: avoid; }
.num { font-weight: bold; }
.blank { white-space: nowrap; }
.options { margin: 3pt 0 0 22pt; display: flex; flex-wrap: wrap; gap: 2pt 28pt; }
.paren { white-space: nowrap; }
.lines div { border-bottom: 1px solid #777; height: 22pt; margin-left: 18pt; }
.key { page-break-before: always; break-before: page; }
.key.alone { page-break-before: auto; break-before: auto; }
.key li { margin: 0 0 4pt; }
.key .src { color: #555; font-size: 9.5pt; }
"""


def _css(language: str) -> str:
    if language == "zh":
        return _FONT_FACE + _CSS % {"fonts": f'"Exam CJK Punctuation", {_LATIN}, {_CJK}', "latin": _LATIN}
    return _CSS % {"fonts": f"{_LATIN}, {_CJK}", "latin": _LATIN}


def labels(language: str) -> dict[str, str]:
    return LABELS["zh" if language == "zh" else "en"]


def instructions(exam: Exam) -> str:
    """What to do, for the question types this exam has (never a type it lacks)."""
    lab = labels(exam.language)
    present = {q.type for q in exam.questions}
    parts = [lab["instructions"], *(lab[f"how-{t}"] for t in TYPES if t in present)]
    return ("" if exam.language == "zh" else " ").join(parts)


def sections(exam: Exam) -> list[tuple[str, str, list[Question]]]:
    """(type, heading, questions) per question type present, in the fixed order of TYPES."""
    lab = labels(exam.language)
    out: list[tuple[str, str, list[Question]]] = []
    for kind in TYPES:
        qs = [q for q in exam.questions if q.type == kind]
        if not qs:
            continue
        n = len(out)
        number = f"{ZH_NUMERALS[n]}、" if exam.language == "zh" else f"{ROMAN[n]}. "
        per = qs[0].points if len({q.points for q in qs}) == 1 else None
        total = _num(sum(q.points for q in qs))
        if per is not None:
            note = lab["each1" if per == 1 else "each"].format(p=_num(per), t=total)
        else:
            note = lab["total"].format(t=total)
        paren = ("（{}）" if exam.language == "zh" else " ({})").format(note)
        out.append((kind, f"{number}{lab[kind]}{paren}", qs))
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _prompt(text: str) -> str:
    return escape(text).replace(BLANK, f'<span class="blank">{BLANK}</span>')


def _question(q: Question, language: str) -> str:
    paren = (
        '<span class="paren">（&emsp;&emsp;）</span>'
        if language == "zh"
        else '<span class="paren">(&emsp;&emsp;)</span>'
    )
    parts = [f'<div class="question"><span class="num">{q.number}.</span> {_prompt(q.prompt)}']
    if q.type in ("choice", "truefalse"):
        parts.append(paren)
    if q.type == "choice":
        items = "".join(f"<span>{'ABCD'[i]}. {escape(o)}</span>" for i, o in enumerate(q.options))
        parts.append(f'<div class="options">{items}</div>')
    elif q.type == "truefalse" and language != "zh":
        parts.append(f'<div class="options">{"".join(f"<span>○ {escape(o)}</span>" for o in q.options)}</div>')
    elif q.type == "short":
        parts.append('<div class="lines">' + "<div></div>" * 4 + "</div>")
    parts.append("</div>")
    return "".join(parts)


def _key(exam: Exam, alone: bool) -> str:
    lab = labels(exam.language)
    rows = []
    for _, heading, qs in sections(exam):
        items = "".join(
            f'<li value="{q.number}">{escape(q.answer)} '
            f'<span class="src">{escape(lab["source"].format(n=q.page))}</span></li>'
            for q in qs
        )
        rows.append(f"<h2>{escape(heading)}</h2><ol>{items}</ol>")
    cls = "key alone" if alone else "key"
    return f'<section class="{cls}"><h1>{escape(lab["key"])} — {escape(exam.title)}</h1>{"".join(rows)}</section>'


def render_html(exam: Exam, variant: str = "combined") -> str:
    """A standalone HTML5 document for A4 printing: "student", "key" or "combined" (student, then key)."""
    lab = labels(exam.language)
    lang = "zh-CN" if exam.language == "zh" else "en"
    title = escape(exam.title)
    body = ""
    if variant in ("student", "combined"):
        total = _num(sum(q.points for q in exam.questions))
        subject = f'<p class="subject">{escape(exam.subject)}</p>' if exam.subject else ""
        parts = [
            f"<header><h1>{title}</h1>{subject}",
            f'<p class="instructions">{escape(instructions(exam))} {escape(lab["total"].format(t=total))}</p>',
            f'<p class="student">{escape(lab["name"])}{lab["colon"]}________________&emsp;'
            f"{escape(lab['class'])}{lab['colon']}____________&emsp;{escape(lab['score'])}{lab['colon']}________</p></header>",
        ]
        for kind, heading, qs in sections(exam):
            parts.append(f'<section class="part-{kind}"><h2>{escape(heading)}</h2>')
            parts.extend(_question(q, exam.language) for q in qs)
            parts.append("</section>")
        body += "\n".join(parts)
    if variant in ("key", "combined"):
        body += _key(exam, alone=variant == "key")
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{_css(exam.language)}</style>
</head>
<body>
{body}
</body>
</html>
"""
