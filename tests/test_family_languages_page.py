"""The dashboard's Family languages page: each language's review state, as `i18n status` says."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from outreach_bot.i18n.catalogs import catalog_path
from outreach_bot.i18n.review import mark_reviewed
from tests.staff_helpers import sign_in, two_schools

ROOT = Path(__file__).resolve().parent.parent
PAGE = "/staff/admin/languages"


@pytest.fixture
def locales(tmp_path: Path, app_config: dict[str, object]) -> Path:
    """A copy of the catalogs: Somali reviewed, Spanish reviewed then changed (stale)."""
    folder = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", folder)
    (folder / "reviews.yaml").unlink(missing_ok=True)
    mark_reviewed(folder, "so", "Hodan Ali", date(2026, 11, 20))
    mark_reviewed(folder, "es", "Ana Ruiz", date(2026, 11, 2))
    spanish = catalog_path(folder, "es")
    text = spanish.read_text(encoding="utf-8")
    spanish.write_text(text.replace("Gracias.", "Muchas gracias."), encoding="utf-8")
    app_config["LOCALES_DIR"] = str(folder)
    return folder


@pytest.fixture
def staff(runtime, clock) -> None:
    with runtime.db.transaction() as session:
        two_schools(session, clock())


def _rows(page: str) -> dict[str, str]:
    """Each language's row: its data-review attribute."""
    found = {}
    for chunk in page.split('<tr data-language="')[1:]:
        language, _, rest = chunk.partition('"')
        found[language] = rest.split('data-review="', 1)[1].split('"', 1)[0]
    return found


def test_an_admin_sees_who_reviewed_each_language_and_which_are_stale(locales, client, staff):
    sign_in(client, "admin@example.org")
    home = client.get("/staff/").get_data(as_text=True)
    assert f'href="{PAGE}"' in home
    page = client.get(PAGE).get_data(as_text=True)
    rows = _rows(page)
    assert rows["en"] == "source" and rows["so"] == "reviewed" and rows["es"] == "stale"
    assert {rows[lang] for lang in rows if lang not in ("en", "so", "es")} == {"unreviewed"}
    assert len(rows) == 17
    assert "Reviewed by Hodan Ali on 2026-11-20" in page
    assert "Stale: changed since Ana Ruiz reviewed it on 2026-11-02" in page
    assert page.count("Never reviewed by a qualified person") == 14
    unreviewed = page.split('id="unreviewed">', 1)[1].split("</p>", 1)[0]
    assert "es" in unreviewed and "vi" in unreviewed and "so," not in unreviewed


def test_with_no_review_every_translated_language_says_so(client, staff):
    sign_in(client, "admin@example.org")
    page = client.get(PAGE).get_data(as_text=True)
    assert set(_rows(page).values()) == {"source", "unreviewed"}
    assert page.count("Never reviewed by a qualified person") == 16


def test_the_page_is_in_the_readers_language(locales, client, runtime, staff):
    from outreach_bot.models import User

    with runtime.db.transaction() as session:
        admin = session.query(User).filter_by(email="admin@example.org").one()
        admin.language = "es"
    sign_in(client, "admin@example.org")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Idiomas de las familias" in page and "Revisado por Hodan Ali el 2026-11-20" in page
    assert "Nunca revisado por una persona calificada" in page


@pytest.mark.parametrize("email", ["clerk@example.org", "lead@example.org"])
def test_only_district_admins_open_it(client, staff, email):
    sign_in(client, email)
    assert client.get(PAGE).status_code == 403
