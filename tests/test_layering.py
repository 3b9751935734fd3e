"""The import rules of tests/layering.py hold for the backend, and the check can fail."""

from pathlib import Path

from tests.layering import violations


def test_domains_point_one_way_and_services_never_reach_litestar():
    assert [str(v) for v in violations()] == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_check_finds_a_cycle_between_domains(tmp_path):
    root = _tree(
        tmp_path,
        {
            "backend/__init__.py": "",
            "backend/orgs/__init__.py": "",
            "backend/orgs/service.py": "def f():\n    from backend.badges.service import g\n",
            "backend/badges/__init__.py": "",
            "backend/badges/service.py": "from backend.orgs import service\n",
        },
    )
    found = [(v.module, v.imported) for v in violations(root)]
    assert found == [("backend.orgs.service", "backend.badges.service")]


def test_the_check_finds_a_service_reaching_litestar_through_a_chain(tmp_path):
    root = _tree(
        tmp_path,
        {
            "backend/__init__.py": "",
            "backend/http/__init__.py": "",
            "backend/http/auth.py": "from litestar import Request\n",
            "backend/helpers.py": "from backend.http.auth import Request\n",
            "backend/points/__init__.py": "",
            "backend/points/service.py": "from backend import helpers\n",
            "backend/points/controller.py": "from litestar import get\n",
        },
    )
    found = {(v.module, v.imported): v.rule for v in violations(root)}
    assert set(found) == {("backend.points.service", "litestar")}
    assert "backend.points.service → backend.helpers → backend.http.auth → litestar" in str(
        found[("backend.points.service", "litestar")]
    )
