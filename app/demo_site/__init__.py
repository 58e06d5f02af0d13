"""The built-in demo content platform, mounted at ``/demo``: offline publishing and its tests.

``create_demo_blueprint(db, knobs)`` builds the blueprint; ``DemoKnobs`` holds the fault-injection
knobs documented in :mod:`app.demo_site.knobs`.
"""

from __future__ import annotations

from app.demo_site.knobs import DemoKnobs, KnobValues
from app.demo_site.views import create_demo_blueprint

__all__ = ["DemoKnobs", "KnobValues", "create_demo_blueprint"]
