"""Unit tests for app.exam: upload checks and plain text extraction."""

from __future__ import annotations

import re
from pathlib import Path

import pdf_factory
import pytest

from app.exam import UploadError, check_pdf_bytes, detect_language, extract_text, split_sentences

LIMIT = 10 * 1024 * 1024


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
