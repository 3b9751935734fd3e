"""Content previews: the real worker fetches the content page from a local site."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backend.challenges.tables import Challenge
from tests.helpers import add_member, bearer, create_challenge, run_worker_burst, signup

PAGE = b"""<!doctype html><html><head>
<meta charset="utf-8"><title>Fallback title</title>
<meta property="og:title" content="We launched Chorus &amp; friends">
<meta property="og:description" content="Employee advocacy that people enjoy.">
<meta property="og:image" content="/img/launch.png">
</head><body>hello</body></html>"""


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/launch":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def test_the_worker_stores_the_content_preview(client, site):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin, contentUrl=f"{site}/launch")
    assert challenge["preview"]["status"] == "pending"
    await run_worker_burst()
    seen = (
        await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(employee))
    ).json()
    assert seen["preview"] == {
        "status": "ok",
        "title": "We launched Chorus & friends",
        "description": "Employee advocacy that people enjoy.",
        "imageUrl": f"{site}/img/launch.png",
    }


@pytest.mark.parametrize("path", ["/missing", "/to-metadata"])
async def test_a_failed_preview_leaves_the_challenge_usable(client, site, path):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, contentUrl=f"{site}{path}")
    await run_worker_burst()
    row = await Challenge.select(Challenge.preview_status, Challenge.preview_title).first()
    assert row == {"preview_status": "failed", "preview_title": None}
    link = await client.post(
        f"/api/v1/challenges/{challenge['id']}/share-links",
        json={"network": "linkedin"},
        headers=bearer(admin),
    )
    assert link.status_code == 200


async def test_changing_the_content_url_of_a_draft_fetches_a_new_preview(client, site):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, publish=False, contentUrl=f"{site}/missing")
    await run_worker_burst()
    resp = await client.patch(
        f"/api/v1/admin/challenges/{challenge['id']}",
        json={"contentUrl": f"{site}/launch"},
        headers=bearer(admin),
    )
    assert resp.json()["preview"]["status"] == "pending"
    await run_worker_burst()
    row = await Challenge.select(Challenge.preview_status, Challenge.preview_title).first()
    assert row == {"preview_status": "ok", "preview_title": "We launched Chorus & friends"}
