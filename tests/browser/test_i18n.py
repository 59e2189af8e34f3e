"""Page text is ready for translation: gettext through Babel catalogues, English first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import DictLoader, Environment

from server.web import i18n
from tests.browser.harness import ROOT

POT = ROOT / "server" / "web" / "translations" / "messages.pot"


@pytest.fixture
def french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    catalog = Catalog(locale="fr")
    catalog.add("Raise my hand", "Lever la main")
    catalog.add("You are number %(n)s in the queue.", "Vous êtes numéro %(n)s dans la file.")
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    i18n.available.cache_clear()
    i18n.catalogue.cache_clear()
    yield tmp_path
    i18n.available.cache_clear()
    i18n.catalogue.cache_clear()


def test_english_is_the_fallback_for_any_language() -> None:
    assert i18n.negotiate("") == "en"
    assert i18n.negotiate("de-AT, de;q=0.9") == "en"


def test_a_catalogue_translates_the_templates(french: Path) -> None:
    assert i18n.negotiate("fr-CA, en;q=0.5") == "fr"
    assert i18n.negotiate("en-GB, fr;q=0.5") == "en"

    class Engine:
        engine = Environment(
            autoescape=True,
            loader=DictLoader(
                {
                    "t.html": '{{ _("Raise my hand") }} / {{ _("You are number %(n)s in the queue.", n=2) }}'
                }
            ),
        )

    i18n.install(Engine)
    i18n.use_locale({"accept-language": "fr"})
    assert Engine.engine.get_template("t.html").render() == (
        "Lever la main / Vous êtes numéro 2 dans la file."
    )
    i18n.use_locale({"accept-language": "en"})
    assert Engine.engine.get_template("t.html").render().startswith("Raise my hand")


def test_the_message_template_is_up_to_date(tmp_path: Path) -> None:
    """Every string the pages show is in messages.pot (regenerate it as docs/web.md says)."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as new, POT.open("rb") as old:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(new) if m.id}
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(old) if m.id}
    assert not wanted - have, (
        f"run the extraction in docs/web.md; missing: {sorted(wanted - have)[:10]}"
    )
