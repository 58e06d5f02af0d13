"""The editable questions of an exam: what GET /api/jobs/<id>/questions returns and PUT accepts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StrictFloat, StrictInt, model_validator

from app.http.api.schemas import Strict, Text, _not_blank

Line = Annotated[Text, Field(min_length=1, max_length=2000), AfterValidator(_not_blank)]


class QuestionIn(Strict):
    id: Annotated[Text, Field(max_length=40)] | None = None
    type: Literal["cloze", "choice", "truefalse", "short"]
    stem: Line
    options: Annotated[list[Annotated[Text, Field(min_length=1, max_length=300)]], Field(max_length=6)] = Field(
        default_factory=list
    )
    answer: Annotated[Text, Field(min_length=1, max_length=4000), AfterValidator(_not_blank)]
    points: Annotated[StrictInt | StrictFloat, Field(ge=0, le=100)] = 1
    page: Annotated[StrictInt, Field(ge=0, le=100_000)] = 0
    source: Annotated[Text, Field(max_length=4000)] = ""

    @model_validator(mode="after")
    def _options_fit(self) -> QuestionIn:
        if self.type == "choice" and not 2 <= len(self.options) <= 6:
            raise ValueError("a choice question has 2 to 6 options")
        if self.type in ("cloze", "short") and self.options:
            raise ValueError(f"a {self.type} question has no options")
        return self


class ExamEditIn(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=200), AfterValidator(_not_blank)] | None = None
    subject: Annotated[Text, Field(max_length=200)] | None = None
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=50)]


class RegenerateIn(Strict):
    """Stems or source sentences the new question must not repeat (those now in the teacher's editor)."""

    avoid: Annotated[list[Annotated[Text, Field(max_length=4000)]], Field(max_length=100)] = Field(default_factory=list)


class QuestionOut(BaseModel):
    id: str
    type: Literal["cloze", "choice", "truefalse", "short"]
    stem: str
    options: list[str]
    answer: str
    points: float
    page: int
    source: str


class ExamQuestions(BaseModel):
    job_id: str
    title: str
    subject: str
    language: str
    questions: list[QuestionOut]


class RegeneratedQuestion(BaseModel):
    question: QuestionOut


EXAM_REQUEST_MODELS: tuple[type[BaseModel], ...] = (ExamEditIn, RegenerateIn)
EXAM_RESPONSE_MODELS: tuple[type[BaseModel], ...] = (ExamQuestions, RegeneratedQuestion)
