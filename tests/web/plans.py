"""A small stored plan for the plan routes' tests: imported through the workspace, then baselined, so
every view (earned value needs a baseline) has something to answer and the history has two versions."""

from __future__ import annotations

from fastapi import FastAPI

from pmfit.store import Store
from pmfit.workspace import Workspace

SMALL_PLAN = """\
version: 1
project:
  name: Small test plan
  start: 2027-03-01
  currency: USD
stakeholders:
  - {name: Ada, role: Sponsor, audience: business}
resources:
  - {id: dev, name: Developer, rate: 100/h}
  - {id: spare, name: Spare hands}
tasks:
  - {id: design, name: Design, duration: 3d, needs: {dev: 1}}
  - {id: build, name: Build, duration: 5d, after: [design], needs: {dev: 1}}
  - {id: test, name: Test, duration: 2d, after: [build]}
  - {id: release, name: Release, milestone: true, after: [test]}
risks:
  - {id: slip, name: Build slips, probability: 0.3, delays: {build: 2d}}
"""


def store_plan(app: FastAPI, project_id: str, text: str = SMALL_PLAN, author: str = "setup") -> str:
    """Import ``text`` as a new project with a baseline; returns the head version id."""
    space = Workspace(Store(engine=app.state.engine))
    first = space.import_bytes(text.encode(), "plan.yaml", project_id=project_id, author=author)
    saved = space.save_baseline(project_id, first.version.id, "approved", author=author)
    return saved.version.id
