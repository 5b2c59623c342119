"""``GET /projects/{id}/gantt.{svg|png|pdf}``: the Gantt of a version for printing and sharing.

A thin call of :func:`pmfit.report.svg.export.gantt_export` (A4 or A3 landscape, long plans split
over pages with the header repeated), cached by version like the other computed views. No third-party
service sees the plan: the drawing is pmfit's own SVG, PDF is WeasyPrint, PNG is CairoSVG.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from pmfit.web.api.stored import VersionRef, project_of, release_request_session, snapshot, workspace
from pmfit.web.errors import ApiError, error_responses
from pmfit.web.security.access import DB, ProjectAccess, project_role

router = APIRouter(prefix="/projects/{project_id}", tags=["views"])
MEDIA = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
KIND = "gantt-export-1"


@router.get("/gantt.{extension}", response_model=None,
            responses={200: {"description": "the Gantt chart", "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA.values()}},
                **error_responses(401, 403, 404, 422, 501, 503)})
def gantt_export(project_id: Annotated[str, Path(min_length=1, max_length=64)], request: Request, db: DB,
                 access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
                 extension: Annotated[Literal["svg", "png", "pdf"], Path()],
                 paper: Annotated[Literal["A4", "A3"], Query(description="landscape sheet size")] = "A4",
                 page: Annotated[int, Query(ge=1, le=10_000, description="the sheet a PNG shows")] = 1,
                 version: VersionRef = None,
                 download: Annotated[bool, Query(description="as an attachment")] = False) -> Response:
    """The current schedule's Gantt as SVG (one drawing), PDF (every sheet, header on each) or PNG (one
    sheet at 150 dpi). 501 names the extra to install when the server lacks the library a format needs."""
    from pmfit.model.diagnostics import PlanError
    from pmfit.report.svg.export import ExportUnavailable
    from pmfit.report.svg.export import gantt_export as export

    release_request_session(db)
    snap = snapshot(request, access.project_id, version)
    space = workspace(request)
    params = {"format": extension, "paper": paper, "page": page if extension == "png" else 1}
    body = space.cached_result(snap.version, KIND, params)
    if body is None:
        try:
            body = export(project_of(request, snap), extension, paper, page)
        except ExportUnavailable as exc:
            raise ApiError(501, "export_unavailable", exc.diagnostics[0].message) from None
        except PlanError as exc:
            raise ApiError(422, "bad_request", exc.diagnostics[0].message) from None
        space.store_result(snap.version, KIND, params, body)
    headers = {"ETag": f'"{snap.version.id}"', "Cache-Control": "private, no-cache"}
    if download or extension != "svg":
        headers["Content-Disposition"] = (f'attachment; filename="{snap.project.id}-{snap.version.number}'
                                          f'-gantt-{paper}.{extension}"')
    return Response(body, media_type=MEDIA[extension], headers=headers)
