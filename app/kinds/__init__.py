"""Job kinds behind a registry: adding a kind is one module plus one line here."""

from __future__ import annotations

from app.kinds.base import AccountInfo, JobContext, JobKind, JobResult

__all__ = ["AccountInfo", "JobContext", "JobKind", "JobResult", "build_kinds"]


def build_kinds(**deps: object) -> dict[str, JobKind]:
    """Every shipped kind, built with the dependencies it takes (platforms, public URL…)."""
    from app.kinds.check_login import CheckLoginKind
    from app.kinds.generate import GenerateKind
    from app.kinds.publish import PublishKind
    from app.kinds.render_exam import RenderExamKind

    platforms = deps["platforms"]
    kinds: list[JobKind] = [
        PublishKind(platforms),  # type: ignore[arg-type]
        GenerateKind(deps.get("extract_limits")),  # type: ignore[arg-type]
        RenderExamKind(),
        CheckLoginKind(platforms, deps["db"]),  # type: ignore[arg-type]
    ]
    return {kind.name: kind for kind in kinds}
