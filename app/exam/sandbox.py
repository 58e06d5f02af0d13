"""Reading an uploaded PDF in a child process with CPU-time, memory and wall-clock limits.

A crafted PDF (pages sharing one huge compressed stream, deep object graphs) can make pypdf run for
minutes or take gigabytes; in a child that is limited by ``setrlimit`` the damage stays in the child,
and the job fails with ``pdf_too_complex``. Run as a script, this file is the child: it loads the
modules of this folder as a bare package (never ``app/__init__``, so never the server) and pypdf.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOO_COMPLEX = "pdf_too_complex"


@dataclass(frozen=True)
class ExtractLimits:
    """What one extraction may use: CPU seconds, address space (MB) and wall-clock seconds."""

    cpu_seconds: float = 60
    memory_mb: int = 1024
    wall_seconds: float = 0  # 0: three times the CPU time plus 30 s (a busy host shares its CPUs)

    @property
    def wall(self) -> float:
        """The wall-clock limit in seconds."""
        return self.wall_seconds or 3 * self.cpu_seconds + 30


class ExtractFailed(Exception):
    """The child could not extract the text; ``code`` is stable for clients, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def extract_text_limited(
    path: str | os.PathLike[str], limits: ExtractLimits, cancelled: threading.Event | None = None
) -> str:
    """The normalised text of the PDF at ``path``, extracted by a limited child process."""
    return str(_run_child("text", path, None, limits, cancelled)["text"])


def read_document_limited(
    path: str | os.PathLike[str],
    pages: set[int] | None,
    limits: ExtractLimits,
    cancelled: threading.Event | None = None,
) -> dict[str, Any]:
    """``read_document(path, pages)`` run by a limited child process, as ``Document.to_dict()``."""
    return dict(_run_child("document", path, pages, limits, cancelled)["document"])


def _run_child(
    what: str,
    path: str | os.PathLike[str],
    pages: set[int] | None,
    limits: ExtractLimits,
    cancelled: threading.Event | None,
) -> dict[str, Any]:
    # the parent's module path is handed over (-S: no site), so the child finds pypdf even when it
    # runs the interpreter through /proc/self/exe (an interpreter path the server may not traverse)
    script = str(Path(__file__).resolve())
    wanted = ",".join(str(p) for p in sorted(pages)) if pages else ""
    args = [what, str(path), wanted, str(limits.cpu_seconds), str(limits.memory_mb), os.pathsep.join(sys.path)]
    cmd = [_interpreter(), "-I", "-S", script, *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + limits.wall
    out = err = b""
    while True:
        try:
            out, err = proc.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline or (cancelled is not None and cancelled.is_set()):
                proc.kill()
                proc.communicate()
                if cancelled is not None and cancelled.is_set():
                    raise ExtractFailed("interrupted", "Cancelled") from None
                raise _too_complex(f"more than {limits.wall:.0f} s") from None
    try:
        answer = json.loads(out) if proc.returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        if proc.returncode < 0:
            reason = f"stopped by signal {-proc.returncode}"
        elif proc.returncode == 3:
            reason = "too much memory"
        else:
            reason = err.decode(errors="replace").strip().splitlines()[-1:][0][:200] if err.strip() else "it failed"
        raise _too_complex(reason)
    if what not in answer:
        raise ExtractFailed(str(answer.get("code") or "unreadable_pdf"), str(answer.get("message") or "")[:300])
    return answer


def _interpreter() -> str:
    exe = sys.executable
    return exe if exe and os.access(exe, os.X_OK) else "/proc/self/exe"


def _too_complex(reason: str) -> ExtractFailed:
    return ExtractFailed(
        TOO_COMPLEX,
        f"The PDF is too complex to read within the server's limits ({reason}); "
        "save it again (print to PDF) or split it, then upload it again.",
    )


def _load_exam_modules() -> Any:
    """This folder as a bare package: its modules' relative imports work, its ``__init__`` never runs."""
    import importlib
    import types

    package = types.ModuleType("exam_child")
    package.__path__ = [str(Path(__file__).resolve().parent)]
    sys.modules["exam_child"] = package
    return importlib.import_module("exam_child.document"), importlib.import_module("exam_child.extract")


def _child(what: str, path: str, wanted: str, cpu_seconds: float, memory_mb: int, module_path: str) -> int:
    """In the child: limit ourselves, read the PDF, answer one JSON object on stdout."""
    import resource

    cpu = max(1, int(cpu_seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(5)  # the request threads of the server come first
    sys.path[:0] = module_path.split(os.pathsep)
    try:
        document, extract = _load_exam_modules()
        answer: dict[str, Any]
        if what == "document":
            pages = {int(p) for p in wanted.split(",")} if wanted else None
            answer = {"document": document.read_document(path, pages).to_dict()}
        else:
            answer = {"text": extract.extract_text(path)}
    except MemoryError:
        answer = {"code": TOO_COMPLEX, "message": "too much memory"}
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for damaged files
        if isinstance(getattr(exc, "code", None), str) and isinstance(getattr(exc, "message", None), str):
            answer = {"code": exc.code, "message": exc.message}  # type: ignore[attr-defined]
        else:
            answer = {"code": "unreadable_pdf", "message": f"The PDF could not be read: {exc}"[:300]}
    if what not in answer and answer["code"] == TOO_COMPLEX:
        return 3  # the parent reports it with its own message
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]))
