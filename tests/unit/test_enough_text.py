"""The usable-sentence count the generator and the upload check share, and the upload's early refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pdf_factory
import pytest
from pypdf import PdfReader, PdfWriter

from app.exam import Document, NotEnoughText, UploadError, check_text_supports, generate_exam, read_document
from app.exam.questions import check_enough_text, text_document, usable_sentences
from app.exam.sentences import document_sentences

CORPUS = Path("/work/shared/corpus")


def _usable(doc: Document) -> int:
    return len(usable_sentences(document_sentences(doc))[1])


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return pdf_factory.short_course_pdf(tmp_path_factory.mktemp("pdf") / "short.pdf").read_bytes()


def test_the_count_is_what_the_generator_can_use(short: bytes) -> None:
    doc = read_document(short)
    assert _usable(doc) == 3
    assert len(generate_exam(doc, 3).questions) == 3  # every counted sentence gave a question
    with pytest.raises(NotEnoughText) as info:
        generate_exam(doc, 4)
    assert info.value.supported <= 3


def test_check_enough_text_says_the_numbers(short: bytes) -> None:
    doc = read_document(short)
    check_enough_text(doc, 3)
    with pytest.raises(NotEnoughText) as info:
        check_enough_text(doc, 10)
    assert (info.value.supported, info.value.requested, info.value.code) == (3, 10, "not_enough_text")
    assert info.value.message == (
        "The document supports at most 3 questions, but 10 were requested; ask for 3 or fewer, or upload more material."
    )
    with pytest.raises(NotEnoughText, match="no sentences usable"):
        check_enough_text(text_document("Figure 1\n\nTable 2"), 1)


def test_only_sentences_in_the_documents_language_count() -> None:
    en = "Photosynthesis converts light energy into chemical energy stored in glucose molecules."
    zh = "光合作用把光能转化为储存在葡萄糖分子中的化学能，这是植物生长的基础。"
    lang, usable = usable_sentences(document_sentences(text_document(f"{zh}\n\n{zh[:-1]}不是吗。\n\n{en}")))
    assert lang == "zh" and all("Photosynthesis" not in s.text for s in usable)


def test_a_short_pdf_is_refused_with_its_figures(short: bytes) -> None:
    with pytest.raises(UploadError) as info:
        check_text_supports(short, 10)
    assert info.value.code == "not_enough_text"
    assert info.value.details == {"supported": 3, "requested": 10}
    check_text_supports(short, 3)
    check_text_supports(short, 3, [1])


def test_chosen_pages_are_counted_as_the_job_reads_them(tmp_path: Path) -> None:
    data = pdf_factory.english_course_pdf(tmp_path / "en.pdf").read_bytes()
    one_page = _usable(read_document(data, {1}))
    assert one_page < _usable(read_document(data))
    check_text_supports(data, one_page + 1)  # the whole document has enough
    with pytest.raises(UploadError, match=f"at most {one_page} questions"):
        check_text_supports(data, one_page + 1, [1])


def test_documents_past_the_first_pages_are_left_to_the_job(tmp_path: Path) -> None:
    sparse = pdf_factory.sparse_course_pdf(tmp_path / "sparse.pdf").read_bytes()
    assert _usable(read_document(sparse)) < 10
    check_text_supports(sparse, 10)  # four pages: the job decides


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
@pytest.mark.parametrize("name", ["en_mlp.pdf", "zh_mlp.pdf"])
def test_a_real_textbook_chapter_is_not_refused(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    check_text_supports(data, 10)  # more than three pages: not read here
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for page in reader.pages[:3]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    first_three = out.getvalue()
    usable = _usable(read_document(first_three))
    assert usable >= 10, usable
    check_text_supports(first_three, 10)  # three pages: read here, and enough
