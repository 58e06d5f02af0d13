"""Matching an article on a platform with what was sent, as platforms really change text."""

from __future__ import annotations

import pytest

from app.platforms.matching import canonical, excerpt_of, same_article, same_body, same_title, similarity

BODY = "第一段：考试 queue browser 学习 fair publish.\n\n第二段 with **bold** and a [link](https://x.test) 🎉✅"


@pytest.mark.parametrize(
    "shown",
    [
        BODY,
        BODY[:-1],  # the last character trimmed
        BODY.replace("\n\n", "\n"),  # line breaks collapsed
        BODY.replace(" ", "  ").replace("\n", " \n "),  # whitespace re-wrapped
        BODY.replace("**bold**", "bold").replace("[link](https://x.test)", "link"),  # markdown rendered
        BODY.replace("🎉✅", ""),  # emoji dropped
        BODY.replace("🎉", "[party]").replace("✅", ""),  # emoji swapped for a code
        BODY.replace("\u0020", "\u00a0", 3),  # non-breaking spaces
        BODY.upper(),
    ],
)
def test_what_platforms_do_to_text_still_matches(shown: str) -> None:
    assert same_body(BODY, shown)
    assert same_article("Exam 🎉 week", BODY, "Exam week", shown)


def test_a_different_article_does_not_match() -> None:
    other = "第一段：完全不同的文章 with other words entirely, nothing alike at all here."
    assert not same_body(BODY, other)
    assert similarity(BODY, other) < 0.6
    assert not same_article("Exam week", BODY, "Exam week 2", other)


def test_titles_match_when_equal_cut_or_nearly_equal_only() -> None:
    long = "A rather long title that the platform cuts at its limit"
    assert same_title(long, long[:30] + "…")
    assert same_title("Hello world", "Hello  World")
    assert not same_title("Chapter 1 review", "Chapter 2 summary")
    # one series: a near title with other numbers is another article (the reconciler must not find it)
    assert not same_title("[pg1] article 3", "[pg1] article 2")
    assert not same_title("Weekly exam 10", "Weekly exam 1")
    assert same_title("Weekly exam 10 of the autumn term", "Weekly exam 10 of the…")
    assert not same_title("A title", "")


def test_canonical_form_and_excerpts() -> None:
    assert canonical("  **Hi**\n\n there 🎉 ") == "hi there"
    assert excerpt_of(BODY, BODY[:20] + "…")
    assert not excerpt_of(BODY, "第一段")  # too short to tell
    assert not excerpt_of(BODY, "something else entirely…")
