"""The web page of `permitted serve`: one HTML file, its script and its style sheet, from the package.

Stage: the HTTP service. Input: GET `/` and `/static/<name>`. Output: the files of
permitted/service/static with a strict Content-Security-Policy (no inline script or style,
nothing from another origin, no framing), so a message pasted into the page can never run as
code in it. The page talks only to this service's JSON routes. The files are open to anyone,
like the health checks: they hold no data, and the page asks for a token when the service
needs one. Errors: an unknown file is the service's 404 problem (U102).
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.responses import Response

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
_TYPES = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
          "app.css": "text/css; charset=utf-8"}
PATHS = frozenset({"/", *(f"/static/{name}" for name in _TYPES)})
_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
            "cache-control": "no-cache"}

router = APIRouter(include_in_schema=False)


def _file(name: str) -> Response:
    if name not in _TYPES:
        raise HTTPException(404)
    return Response((STATIC / name).read_bytes(), media_type=_TYPES[name], headers=_HEADERS)


@router.get("/")
async def index():
    return _file("index.html")


@router.get("/static/{name}")
async def static(name: str):
    return _file(name)
