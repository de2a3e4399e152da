"""The public, printable page of a resource sheet at its short link: /r/<code>[/<language>].

No sign-in and no cookie: the page names places, never a family or a student.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, current_app, render_template, request

from outreach_bot.config import PROJECT_ROOT
from outreach_bot.engine.definition import Text
from outreach_bot.engine.runner import render
from outreach_bot.i18n.languages import own_name, text_direction
from outreach_bot.phones import display_phone
from outreach_bot.resources.page import find_page, load_page_texts, spoken_names
from outreach_bot.web import runtime

blueprint = Blueprint("sheets", __name__, static_folder="static", static_url_path="/assets")


def _texts() -> dict[str, Text]:
    """The page's words, read once per app."""
    if "sheet_page_texts" not in current_app.extensions:
        current_app.extensions["sheet_page_texts"] = load_page_texts(
            runtime().settings.flows_dir, PROJECT_ROOT / "flows"
        )
    found: dict[str, Text] = current_app.extensions["sheet_page_texts"]
    return found


@blueprint.get("/<code>")
@blueprint.get("/<code>/<language>")
def sheet(code: str, language: str | None = None) -> str:
    """A sheet's places in the family's language (the link's, else the browser's)."""
    rt = runtime()
    catalogs = rt.catalogs
    asked = language or request.accept_languages.best_match(catalogs.languages()) or "en"
    chosen = catalogs.choose(asked)
    with rt.db.transaction() as db:
        page = find_page(db, code, chosen)
        if page is None:
            abort(404)
        context = {"school_name": page.school_name, "district_name": rt.settings.district_name}
        texts = _texts()
        localizer = catalogs.get(chosen)
        return render_template(
            "public/sheet.html",
            page=page,
            language=chosen,
            direction=text_direction(chosen),
            say=lambda name: render(texts[name], context, localizer),
            spoken=partial(spoken_names, language=chosen),
            code=code.lower(),
            languages=[(tag, own_name(tag)) for tag in catalogs.languages()],
            phone=display_phone,
        )


@blueprint.after_request
def public_headers(response: Response) -> Response:
    """Cacheable for a few minutes (places change rarely), and no referrer for the places'
    own sites; the app's other headers (scripts, framing) are added to every answer."""
    response.vary.add("Accept-Language")  # /r/<code> alone is in the browser's language
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
