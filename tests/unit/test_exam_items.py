"""Unit tests for exam content: normalisation, structure, sentence filtering, key terms, each item type, outputs."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pdf_factory
import pytest
from docx import Document as WordDocument

from app.exam import Exam, NotEnoughText, read_document, render_docx, render_html
from app.exam.normalise import has_garbled, normalise_text
from app.exam.questions import BLANK, Question, generate_exam
from app.exam.render import instructions
from app.exam.sentences import document_sentences, rejection
from app.exam.terms import extract_terms


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("handouts")
    return {lang: pdf_factory.handout_pdf(d / f"{lang}.pdf", lang) for lang in ("en", "zh")}


@pytest.fixture(scope="module")
def docs(handouts: dict[str, Path]) -> dict:
    return {lang: read_document(str(path)) for lang, path in handouts.items()}


@pytest.fixture(scope="module")
def terms(docs: dict) -> dict[str, list[str]]:
    out = {}
    for lang, doc in docs.items():
        found = extract_terms(document_sentences(doc), lang, doc.emphasis, doc.code_tokens)
        out[lang] = [t.text.lower() for t in found]
    return out


# --- normalisation -----------------------------------------------------------------------------


def test_nfkc_repairs_kangxi_radicals_ligatures_and_radical_supplement() -> None:
    assert normalise_text("⼀个⽬标，使⽤⽅法") == "一个目标，使用方法"
    assert normalise_text("ﬀ ﬁ ﬂ eﬃcient") == "ff fi fl efficient"
    assert normalise_text("⻛险，常⻅，⻨卡洛克") == "风险，常见，麦卡洛克"
    assert not has_garbled(normalise_text("⽹络⻓度ﬁ"))


def test_normalisation_keeps_chinese_punctuation_and_math() -> None:
    text = "激活函数（activation function）：σ∈ℝ，“对”！"
    assert normalise_text(text) == text
    assert normalise_text("ＡＢＣ１２３") == "ABC123"


# --- structure from the PDF --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_only_explanatory_prose_is_kept(docs: dict, lang: str) -> None:
    doc = docs[lang]
    text = doc.text()
    assert "timer" not in text and "data_iter" not in text  # the code block
    assert "Fig. 1.1" not in text and "图1.1" not in text  # the caption
    assert "Design a loss function" not in text and "排序问题" not in text  # the exercises
    assert "Course handout" not in text and "课程讲义" not in text  # the running header
    assert not re.search(r"(?m)^\d+$", text)  # page numbers
    assert doc.headings[-1] in ("Exercises", "练习")
    assert {"timer", "Timer()"} & set(doc.code_tokens)


def test_chinese_lines_are_joined_without_spaces_and_pages_recorded(docs: dict) -> None:
    doc = docs["zh"]
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", doc.text())
    pages = {s.page for s in document_sentences(doc)}
    assert pages == {1, 2}


def test_chosen_pages_only(handouts: dict[str, Path]) -> None:
    doc = read_document(str(handouts["en"]), {2})
    assert {s.page for s in document_sentences(doc)} == {2}
    assert "Machine learning builds programs" not in doc.text()


# --- sentence filtering --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("In Fig. 3.1.1 the model maps inputs directly to outputs via one transformation.", "reference"),
        ("如图3.1.1所示，该模型通过单个仿射变换将输入直接映射到输出。", "reference"),
        ("It follows that the hidden layer adds nothing to a purely linear model at all.", "context"),
        ("This architecture is commonly called a multilayer perceptron by most authors.", "context"),
        ("然后我们从零开始实现了softmax回归，并训练了一个能识别服装的分类器。", "context"),
        ("因此，这个多层感知机中的层数为2，两个层都是全连接的神经网络层。", "context"),
        ("We denote by the matrix X∈ℝ a minibatch of examples with several inputs.", "formula"),
        ("我们只需合并隐藏层，便可产生具有参数W = WW的等价单层模型。", "formula"),
        ("The derivative of the sigmoid function is given by the following equation:", "not a statement"),
        ("Call torch.relu(x) to compute the activation of every element in the batch.", "code"),
        ("Why does a large learning rate make gradient descent diverge so quickly?", "not a statement"),
    ],
)
def test_sentences_that_cannot_stand_alone_are_rejected(sentence: str, reason: str) -> None:
    assert rejection(sentence) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        "The size of each step is called the learning rate, and it is chosen before training starts.",
        "每一步移动的大小叫做学习率（learning rate），它在训练开始之前就要选定。",
    ],
)
def test_self_contained_statements_pass(sentence: str) -> None:
    assert rejection(sentence) is None


# --- key terms -----------------------------------------------------------------------------------


def test_english_terms_are_whole_defined_noun_phrases(terms: dict[str, list[str]]) -> None:
    found = terms["en"]
    for term in ("learning rate", "training set", "hyperparameter", "generalization", "loss function"):
        assert term in found, found
    for bad in ("problems", "problem", "timer", "self", "consists", "learning", "rate"):
        assert bad not in found, found


def test_chinese_terms_stay_whole(terms: dict[str, list[str]]) -> None:
    found = terms["zh"]
    for term in ("机器学习", "训练集", "学习率", "超参数", "泛化", "损失函数", "验证集"):
        assert term in found, found
    for bad in ("原因", "均值", "机器", "学习", "参数", "能力叫做泛化"):
        assert bad not in found, found


def test_code_identifiers_are_not_terms() -> None:
    from app.exam.document import Document, Paragraph

    text = "The timer object measures time. The timer is reset for every epoch, and the timer is read later."
    doc = Document(1, [Paragraph(text, [(0, 1)])], code_tokens=["timer", "self.timer.stop()"])
    found = [t.key for t in extract_terms(document_sentences(doc), "en", [], doc.code_tokens)]
    assert "timer" not in found


# --- items ---------------------------------------------------------------------------------------

MIX = {"cloze": 3, "choice": 3, "truefalse": 2, "short": 2}


@pytest.fixture(scope="module")
def exams(docs: dict) -> dict[str, Exam]:
    return {lang: generate_exam(doc, types=MIX) for lang, doc in docs.items()}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_type_is_made_and_sourced(exams: dict[str, Exam], docs: dict, lang: str) -> None:
    exam = exams[lang]
    assert [q.type for q in exam.questions] == ["cloze"] * 3 + ["choice"] * 3 + ["truefalse"] * 2 + ["short"] * 2
    assert [q.number for q in exam.questions] == list(range(1, 11))
    text = docs[lang].text()
    for q in exam.questions:
        assert q.page in (1, 2) and q.source in text
        assert not has_garbled(q.prompt + q.answer + "".join(q.options))


def _strip(text: str) -> str:
    """Without glosses, abbreviations in brackets and articles (a blank may drop or neutralise them)."""
    return re.sub(r"（[^）]*）|\([^)]*\)|\b[Aa]n? ", "", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cloze_blanks_a_whole_term(exams: dict[str, Exam], terms: dict[str, list[str]], lang: str) -> None:
    for q in (q for q in exams[lang].questions if q.type in ("cloze", "choice")):
        assert BLANK in q.prompt
        answer = q.answer.split(". ", 1)[1] if q.type == "choice" else q.answer
        assert re.sub(r"(?:es|s)$", "", answer.lower()) in {re.sub(r"(?:es|s)$", "", t) for t in terms[lang]}
        restored = q.prompt.replace(BLANK, answer).replace("a(n) ", "").replace("A(n) ", "")
        assert _strip(restored) == _strip(q.source)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_choice_distractors_are_other_key_terms(exams: dict[str, Exam], terms: dict[str, list[str]], lang: str) -> None:
    known = {re.sub(r"(?:es|s)$", "", t) for t in terms[lang]}
    for q in (q for q in exams[lang].questions if q.type == "choice"):
        letter, answer = q.answer.split(". ", 1)
        assert q.options["ABCD".index(letter)] == answer and len(set(q.options)) == 4
        for option in q.options:
            assert re.sub(r"(?:es|s)$", "", option.lower()) in known
            assert option.lower() not in q.source.lower() or option == answer


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_true_false_comes_from_definitions(exams: dict[str, Exam], lang: str) -> None:
    tf = [q for q in exams[lang].questions if q.type == "truefalse"]
    true_word, false_word = ("对", "错") if lang == "zh" else ("True", "False")
    assert {q.answer.split("（")[0].split(" (")[0] for q in tf} == {true_word, false_word}
    for q in tf:
        if q.answer == true_word:
            assert q.prompt in q.source or q.prompt == re.sub(r"（[^）]*）", "", q.source)
        else:
            original = re.search(r"“(.+?)”", q.answer).group(1)
            assert original in q.source and original not in q.prompt


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_short_answer_is_keyed_by_the_definition(exams: dict[str, Exam], lang: str) -> None:
    for q in (q for q in exams[lang].questions if q.type == "short"):
        term = re.search(r"“(.+?)”", q.prompt).group(1)
        assert q.answer == q.source and term in q.source


def test_type_that_cannot_be_done_well_is_left_out(tmp_path: Path) -> None:
    doc = read_document(str(pdf_factory.english_course_pdf(tmp_path / "bio.pdf")))
    exam = generate_exam(doc, types={"cloze": 2, "choice": 2, "truefalse": 2, "short": 0})
    assert len(exam.questions) == 6
    assert not [q for q in exam.questions if q.type == "truefalse"]  # no naming definitions in this text


def test_same_seed_same_exam_other_seed_another_version(docs: dict) -> None:
    random.seed(5)
    expected = random.random()
    random.seed(5)
    a = generate_exam(docs["zh"], types=MIX, seed=1)
    assert random.random() == expected
    assert generate_exam(docs["zh"], types=MIX, seed=1) == a
    versions = [generate_exam(docs["en"], types={"choice": 4}, seed=s) for s in range(1, 6)]
    assert len({tuple((q.prompt, tuple(q.options)) for q in v.questions) for v in versions}) > 1


def test_default_title_follows_document_language(exams: dict[str, Exam]) -> None:
    assert exams["zh"].title == "试卷" and exams["en"].title == "Exam"


def test_not_enough_text() -> None:
    with pytest.raises(NotEnoughText) as info:
        generate_exam("Too short.", questions=1)
    assert info.value.code == "not_enough_text" and "no sentences usable" in str(info.value)


@pytest.mark.parametrize("n", [0, 51])
def test_question_count_out_of_range(docs: dict, n: int) -> None:
    with pytest.raises(ValueError, match="1 to 50"):
        generate_exam(docs["en"], questions=n)


# --- outputs -------------------------------------------------------------------------------------


def test_student_copy_has_sections_and_no_key(exams: dict[str, Exam]) -> None:
    html = render_html(exams["zh"], "student")
    for heading in ("一、填空题", "二、选择题", "三、判断题", "四、简答题"):
        assert heading in html
    assert "每题2分，共6分" in html and "参考答案" not in html
    assert 'class="lines"' in html
    en = render_html(exams["en"], "student")
    assert "I. Fill in the blanks (2 points each, 6 points)" in en and "IV. Short answer" in en


def test_key_has_answers_and_source_pages(exams: dict[str, Exam]) -> None:
    html = render_html(exams["zh"], "key")
    assert "参考答案" in html and "第1页" in html and "一、填空题" in html
    assert "姓名" not in html
    combined = render_html(exams["en"], "combined")
    assert "Answer key" in combined and "Name" in combined and "(p. 1)" in combined


def test_html_escapes_text() -> None:
    from app.exam.questions import Question

    exam = Exam("<script>x</script>", [Question(1, "cloze", "a <b> & ______", [], "c", "s", 1, 2)], "en")
    html = render_html(exam)
    assert "<script>x" not in html and "&lt;b&gt; &amp;" in html


def test_docx_has_sections_and_key(exams: dict[str, Exam]) -> None:
    doc = WordDocument(io.BytesIO(render_docx(exams["zh"])))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "一、填空题" in text and "参考答案" in text and "第1页" in text
    assert exams["zh"].questions[0].prompt in text


def test_the_instructions_name_only_the_question_types_the_exam_has() -> None:
    cloze = Question(1, "cloze", "The ______ learns.", [], "model", "s", 1, 2)
    choice = Question(2, "choice", "Which?", ["a", "b", "c", "d"], "a", "s", 1, 2)
    en = instructions(Exam("Exam", [cloze, choice], "en"))
    assert en.startswith("Answer every question.") and "blank" in en and "multiple-choice" in en
    assert "True or False" not in en and "short" not in en
    zh = instructions(Exam("试卷", [choice], "zh"))
    assert zh == "请回答所有题目。选择题选出一个正确选项。"
