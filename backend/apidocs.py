"""The API reference at /schema: Swagger UI from the app's own build, under a strict CSP
(`backend.logs.DOCS_CSP`).

The assets are pinned in pwa/package.json (`swagger-ui-dist`) and copied into pwa/dist/api-docs
by the PWA build; the page names them with Subresource Integrity hashes taken from the files
this process serves, and loads nothing from anywhere else. Production serves no reference
unless `CHORUS_API_DOCS=true`.
"""

from __future__ import annotations

import base64
import hashlib
import html
from pathlib import Path
from typing import Any

from litestar.connection import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

ASSETS_URL = "/api-docs"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "init.js")


def _integrity(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


class SelfHostedDocs(OpenAPIRenderPlugin):
    """Swagger UI, hosted by Chorus itself (see the module's docstring)."""

    def __init__(self, dist: Path, path: str = "/") -> None:
        super().__init__(path=path)
        folder = dist / "api-docs"
        self.integrity = (
            {name: _integrity(folder / name) for name in ASSETS}
            if all((folder / name).is_file() for name in ASSETS)
            else None
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema["info"]["title"]))
        document = html.escape(self.get_openapi_json_route(request))
        if self.integrity is None:
            body = (
                "<p>The API reference's assets are not built (run <code>make pwa</code>). "
                f'The OpenAPI document is at <a href="{document}">{document}</a>.</p>'
            )
            head = ""
        else:
            sri = self.integrity
            head = (
                f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css" '
                f'integrity="{sri["swagger-ui.css"]}">'
            )
            body = (
                f'<div id="docs" data-url="{document}"></div>'
                f'<script src="{ASSETS_URL}/swagger-ui-bundle.js" '
                f'integrity="{sri["swagger-ui-bundle.js"]}"></script>'
                f'<script src="{ASSETS_URL}/init.js" integrity="{sri["init.js"]}"></script>'
            )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>{head}</head><body>{body}</body></html>"
        ).encode()
