"""Unit tests for app.exam: upload checks, extraction, analysis, question generation and HTML."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pdf_factory
import pytest

from app.exam import (
    Exam,
    NotEnoughText,
    UploadError,
    analyse,
    check_pdf_bytes,
    detect_language,
    extract_text,
    generate_exam,
    render_html,
    split_sentences,
)
from app.exam.analyse import tag_words
from app.exam.questions import BLANK
from app.exam.wordclass import chinese_words, english_roles

LIMIT = 10 * 1024 * 1024
TYPES = {"fill_blank", "multiple_choice", "true_false"}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pdfs")
    return {
        "en": pdf_factory.english_course_pdf(d / "en.pdf"),
        "zh": pdf_factory.chinese_course_pdf(d / "zh.pdf"),
        "mixed": pdf_factory.mixed_course_pdf(d / "mixed.pdf"),
        "long": pdf_factory.long_course_pdf(d / "long.pdf"),
    }


@pytest.fixture(scope="module")
def texts(pdfs: dict[str, Path]) -> dict[str, str]:
    return {name: extract_text(path) for name, path in pdfs.items()}


def _upload_code(data: bytes, max_bytes: int = LIMIT) -> str:
    with pytest.raises(UploadError) as info:
        check_pdf_bytes(data, max_bytes)
    err = info.value
    assert isinstance(err, ValueError) and str(err) == err.message and err.message.endswith(".")
    return err.code


def _is_cjk(word: str) -> bool:
    return bool(re.match(r"[\u4e00-\u9fff]", word))


# --- upload -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["en", "zh", "mixed"])
def test_valid_pdfs_are_accepted(pdfs: dict[str, Path], name: str) -> None:
    assert check_pdf_bytes(pdfs[name].read_bytes(), LIMIT) is None


def test_file_too_large(pdfs: dict[str, Path]) -> None:
    data = pdfs["en"].read_bytes()
    assert _upload_code(data, max_bytes=len(data) - 1) == "file_too_large"
    check_pdf_bytes(data, max_bytes=len(data))  # exactly at the limit is fine


@pytest.mark.parametrize("data", [b"", b"hello, this is plain text", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000])
def test_not_a_pdf(data: bytes) -> None:
    assert _upload_code(data) == "not_a_pdf"


def test_truncated_pdf_is_unreadable(tmp_path: Path) -> None:
    assert _upload_code(pdf_factory.truncated_pdf(tmp_path / "t.pdf").read_bytes()) == "unreadable_pdf"


def test_garbage_with_pdf_markers_is_unreadable() -> None:
    assert _upload_code(b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n") == "unreadable_pdf"


@pytest.mark.parametrize("password", ["secret", ""])
def test_encrypted_pdf_rejected_even_with_empty_password(tmp_path: Path, password: str) -> None:
    path = pdf_factory.encrypted_pdf(tmp_path / "e.pdf", user_password=password)
    assert _upload_code(path.read_bytes()) == "encrypted_pdf"


def test_image_only_pdf_has_no_text(tmp_path: Path) -> None:
    assert _upload_code(pdf_factory.image_only_pdf(tmp_path / "scan.pdf").read_bytes()) == "no_text"


# --- extraction and analysis -------------------------------------------------------------------


def test_extraction_keeps_every_chinese_sentence_intact(texts: dict[str, str]) -> None:
    # Sentences wrap across lines in the PDF; no space may be inserted between CJK characters.
    for sentence in pdf_factory.ZH_SENTENCES:
        assert sentence in texts["zh"]
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", texts["zh"])


def test_extraction_joins_english_lines_and_drops_page_numbers(texts: dict[str, str]) -> None:
    for sentence in pdf_factory.EN_SENTENCES:
        assert sentence in texts["en"]
    assert not any(line.strip().isdigit() for line in texts["en"].splitlines())


def test_extraction_joins_hyphenated_words(tmp_path: Path) -> None:
    path = pdf_factory.lines_pdf(tmp_path / "l.pdf", ["The mito-", "chondria produce energy for the cell.", "7"])
    assert extract_text(path.read_bytes()) == "The mitochondria produce energy for the cell."


def test_detect_language(texts: dict[str, str]) -> None:
    assert [detect_language(texts[k]) for k in ("en", "zh", "mixed")] == ["en", "zh", "mixed"]


def test_split_sentences_respects_decimals_and_abbreviations() -> None:
    text = "Pi is about 3.14 in value. Organelles, e.g. the Golgi body, exist! 秦朝统一六国。汉承秦制；\n\nNew"
    assert split_sentences(text) == [
        "Pi is about 3.14 in value.",
        "Organelles, e.g. the Golgi body, exist!",
        "秦朝统一六国。",
        "汉承秦制；",
        "New",
    ]


def test_english_key_terms_are_content_words(texts: dict[str, str]) -> None:
    terms = analyse(texts["en"]).terms
    keys = [t.key for t in terms]
    assert {"cell", "glucose", "protocol"} <= set(keys[:15])
    assert not {"the", "which", "their", "with"} & set(keys)
    assert all(sum(c.isalpha() for c in k) >= 4 and not k.isdigit() for k in keys)
    assert [t.weight for t in terms] == sorted((t.weight for t in terms), reverse=True)


def test_chinese_key_terms_use_jieba_words(texts: dict[str, str]) -> None:
    keys = [t.key for t in analyse(texts["zh"]).terms]
    assert {"数据", "网络"} <= set(keys[:5])
    assert all(len(k) >= 2 for k in keys if _is_cjk(k))
    assert not {"的", "了", "我们", "通过", "可以"} & set(keys)


def test_analysis_skips_short_and_duplicate_sentences(texts: dict[str, str]) -> None:
    sentences = analyse(texts["long"]).sentences  # 20 pages repeat the same 40 sentences
    assert len({s.text for s in sentences}) == len(sentences) <= len(pdf_factory.EN_SENTENCES)
    assert not any(s.text.startswith("Chapter") for s in sentences)


def test_jieba_lazy_init_is_thread_safe(texts: dict[str, str]) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: analyse(texts["zh"]).terms, range(4)))
    assert all(r == results[0] for r in results)


# --- question generation -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("n", [1, 5, 10, 20])
def test_exact_question_count(texts: dict[str, str], lang: str, n: int) -> None:
    exam = generate_exam(texts[lang], questions=n, title="Quiz")
    assert len(exam.questions) == n
    assert [q.number for q in exam.questions] == list(range(1, n + 1))
    assert exam.language == lang and exam.title == "Quiz"


@pytest.mark.parametrize("lang", ["en", "zh", "mixed"])
@pytest.mark.parametrize("n", [3, 10])
def test_all_types_appear(texts: dict[str, str], lang: str, n: int) -> None:
    assert {q.type for q in generate_exam(texts[lang], questions=n).questions} == TYPES


def test_generation_is_deterministic_and_leaves_global_random_alone(texts: dict[str, str]) -> None:
    random.seed(123)
    expected = random.random()
    random.seed(123)
    first = generate_exam(texts["en"], questions=12, title="Biology")
    assert random.random() == expected
    assert generate_exam(texts["en"], questions=12, title="Biology") == first


@pytest.mark.parametrize("lang", ["en", "zh", "mixed", "long"])
def test_questions_never_repeat(texts: dict[str, str], lang: str) -> None:
    qs = generate_exam(texts[lang], questions=20).questions
    assert len({q.prompt for q in qs}) == len({q.source for q in qs}) == 20


@pytest.mark.parametrize("lang", ["en", "zh", "mixed"])
def test_answers_are_grounded_in_the_source(texts: dict[str, str], lang: str) -> None:
    text = texts[lang]
    for q in generate_exam(text, questions=20).questions:
        assert q.source in text
        if q.type == "fill_blank":
            assert BLANK in q.prompt and q.answer in q.source and q.options == []
        elif q.type == "multiple_choice":
            letter, term = q.answer.split(". ", 1)
            assert len(q.options) == len(set(q.options)) == 4
            assert q.options["ABCD".index(letter)] == term and term in q.source
            assert BLANK in q.prompt
        else:
            statement = q.prompt.split(":", 1)[-1].split("：", 1)[-1].strip()
            assert q.answer in q.options and len(q.options) == 2
            if q.answer == q.options[0]:  # True / 对
                assert statement == q.source
            else:
                assert statement != q.source and statement not in text


def test_true_false_has_both_answers(texts: dict[str, str]) -> None:
    answers = {q.answer for q in generate_exam(texts["en"], questions=30).questions if q.type == "true_false"}
    assert answers == {"True", "False"}


def test_wording_follows_document_language(texts: dict[str, str]) -> None:
    zh = generate_exam(texts["zh"], questions=6).questions
    assert all(q.prompt.startswith(("填空：", "选择正确的词语填空：", "判断正误：")) for q in zh)
    assert all(q.options == ["对", "错"] for q in zh if q.type == "true_false")
    en = generate_exam(texts["en"], questions=6).questions
    assert any(q.prompt.startswith("True or false: ") for q in en)
    assert all(q.options == ["True", "False"] for q in en if q.type == "true_false")


def test_not_enough_text() -> None:
    tiny = (
        "Photosynthesis converts light energy into chemical energy inside green plant cells. "
        "The mitochondria release stored energy from glucose during cellular respiration in cells."
    )
    with pytest.raises(NotEnoughText) as info:
        generate_exam(tiny, questions=50)
    assert info.value.code == "not_enough_text"
    assert 0 < info.value.supported < 50 and f"at most {info.value.supported} question" in str(info.value)
    with pytest.raises(NotEnoughText, match="no sentences usable"):
        generate_exam("Too short.", questions=1)


@pytest.mark.parametrize("n", [0, 51])
def test_question_count_out_of_range(texts: dict[str, str], n: int) -> None:
    with pytest.raises(ValueError, match="1 to 50"):
        generate_exam(texts["en"], questions=n)


def test_progress_reports_both_stages(texts: dict[str, str]) -> None:
    calls: list[tuple[str, int]] = []
    generate_exam(texts["en"], questions=4, progress=lambda stage, pct: calls.append((stage, pct)))
    assert calls[0] == ("analyse", 0) and calls[-1] == ("build", 100)
    assert {s for s, _ in calls} == {"analyse", "build"}
    assert [p for s, p in calls if s == "build"] == sorted(p for s, p in calls if s == "build")


def _options_and_answer(q) -> tuple[list[str], str]:
    letter, answer = q.answer.split(". ", 1)
    assert q.options["ABCD".index(letter)] == answer
    return [o for o in q.options if o != answer], answer


@pytest.mark.parametrize("lang", ["en", "zh", "mixed", "long"])
def test_distractors_look_like_the_answer(texts: dict[str, str], lang: str) -> None:
    text = texts[lang]
    mcs = [q for q in generate_exam(text, questions=30).questions if q.type == "multiple_choice"]
    assert len(mcs) == 10  # every third question; none fell back to fill-in-the-blank
    for q in mcs:
        wrong, answer = _options_and_answer(q)
        assert len({o.lower() for o in q.options}) == 4, q.options
        for option in wrong:
            assert _is_cjk(option) == _is_cjk(answer), (option, answer)  # same script
            assert option[:1].isupper() == answer[:1].isupper(), (option, answer)  # same case style
            assert 0.5 <= len(option) / len(answer) <= 2, (option, answer)  # similar length
            low, ans = option.lower(), answer.lower()
            assert low not in ans and ans not in low, (option, answer)
            assert low not in q.source.lower(), (option, q.source)
            # Put in the blank, a distractor never gives a sentence the document itself states.
            assert q.prompt.split("：", 1)[-1].split(": ", 1)[-1].replace(BLANK, option).lower() not in text.lower()


def test_distractors_are_lowercase_words_for_a_lowercase_answer(texts: dict[str, str]) -> None:
    exam = generate_exam(texts["en"], questions=30)
    lowercase = [q for q in exam.questions if q.type == "multiple_choice" and q.answer.split(". ", 1)[1].islower()]
    assert lowercase
    for q in lowercase:
        assert all(o.islower() for o in q.options), q.options  # no stray "Meiosis" or "Dynamic"


@pytest.mark.parametrize("lang", ["en", "zh", "mixed", "long"])
def test_blanks_are_nouns_not_common_adjectives_or_verbs(texts: dict[str, str], lang: str) -> None:
    for q in generate_exam(texts[lang], questions=30).questions:
        if q.type == "true_false":
            continue
        answer = q.answer.split(". ", 1)[1] if q.type == "multiple_choice" else q.answer
        cls = {w.lower(): c for w, c in tag_words(q.source)}[answer.lower()]
        # Chinese: a jieba.posseg noun flag; English: noun cues or at least no verb/adjective cue.
        assert cls.startswith("n") if _is_cjk(answer) else cls in ("n", ""), (answer, cls, q.source)
        assert answer.lower() not in {"basic", "right", "binds", "lowers", "identical", "产生"}


def test_english_roles() -> None:
    roles = dict(english_roles("A firewall filters the traffic, and the basic unit of the cell is small."))
    assert roles["filters"] == "v" and roles["basic"] == "a"
    assert roles["traffic"] == roles["cell"] == "n" and roles["firewall"] in ("n", "")
    assert dict(english_roles("Ribosomes join amino acids to build new proteins."))["build"] == "v"


def test_chinese_words_are_tagged_by_posseg() -> None:
    words = dict(chinese_words("路由器根据路由表为数据分组选择最佳路径"))
    assert words["路由器"].startswith("n") and words["路径"].startswith("n") and words["根据"] == "p"


# --- rendering ---------------------------------------------------------------------------------


def test_render_html_structure(texts: dict[str, str]) -> None:
    exam = generate_exam(texts["en"], questions=6, title="Biology & Networks")
    html = render_html(exam)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "<h1>Biology &amp; Networks</h1>" in html
    assert "Name: ____" in html and "Date: ____" in html
    # Latin text in TrueType fonts first (Chromium embeds Noto CJK only as Type 3), CJK as fallback.
    assert '"Liberation Sans", "DejaVu Sans", "Noto Sans CJK SC", sans-serif' in html
    assert "counter(page)" in html and "font-style: italic" not in html
    assert re.search(r"\.answer-key\s*\{[^}]*page-break-before:\s*always", html)
    key_at = html.index('<section class="answer-key">')
    assert all(html.index(f"{q.number}.</span>") < key_at for q in exam.questions)
    for q in exam.questions:
        assert f'<li value="{q.number}">' in html[key_at:]
    mc = next(q for q in exam.questions if q.type == "multiple_choice")
    assert '<ol class="options" type="A">' in html and f"<li>{mc.options[0]}</li>" in html
    assert not re.search(r"<script|<link|src=|https?://", html)


def test_render_html_escapes_text() -> None:
    exam = Exam("<script>alert(1)</script>", [], "en")
    html = render_html(exam)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_render_html_chinese(texts: dict[str, str]) -> None:
    html = render_html(generate_exam(texts["zh"], questions=3, title="中国历史测验"))
    assert '<html lang="zh-CN">' in html and "中国历史测验" in html
    assert "○</span> 对" in html and "○</span> 错" in html and "参考答案" in html
    assert "姓名：____" in html and "日期：____" in html  # full-width colons in Chinese
    # Chinese quotes and punctuation come from the CJK font, not the narrow Latin one.
    assert '"Exam CJK Punctuation", "Liberation Sans"' in html and "U+3000-303F" in html


def test_render_html_keeps_blanks_on_one_line(texts: dict[str, str]) -> None:
    exam = generate_exam(texts["en"], questions=20)
    html = render_html(exam)
    blanks = sum(q.prompt.count(BLANK) for q in exam.questions)
    assert blanks and html.count(f'<span class="blank">{BLANK}</span>') == blanks
    assert '<ol class="long">' in html  # 20 answers: the key is set in two columns
