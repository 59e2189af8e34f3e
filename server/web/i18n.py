"""Translations for the pages: gettext through Babel catalogues, English first.

Templates call ``_("…")`` and ``ngettext`` (jinja2's i18n extension, new style, so
``_("%(n)s left", n=3)`` formats and escapes). Python modules mark strings with ``N_`` and the
templates translate them when they show them. The locale is chosen per request from
``Accept-Language`` among the catalogues in ``server/web/translations`` and kept in a
context variable for the template render that follows.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT_LOCALE = "en"
_locale: ContextVar[str] = ContextVar("evenfloor_locale", default=DEFAULT_LOCALE)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def available() -> tuple[str, ...]:
    found = {p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir()}
    return (DEFAULT_LOCALE, *sorted(found - {DEFAULT_LOCALE}))


@cache
def catalogue(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [locale], domain="messages")


def negotiate(accept_language: str) -> str:
    """The best available locale for an ``Accept-Language`` header (English when none fits)."""
    choices = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            choices.append((-quality, index, tag.strip().replace("-", "_")))
    for _q, _i, tag in sorted(choices):
        for locale in available():
            if tag.lower() in (locale.lower(), locale.split("_")[0].lower()):
                return locale
            if tag.split("_")[0].lower() == locale.lower():
                return locale
    return DEFAULT_LOCALE


def use_locale(headers: Any) -> str:
    locale = negotiate(headers.get("accept-language", "") if headers else "")
    _locale.set(locale)
    return locale


def gettext(message: str) -> str:
    return catalogue(_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(_locale.get()).ungettext(singular, plural, n)


def install(engine: Any) -> None:
    """``TemplateConfig(engine_callback=install)``: the i18n extension and our gettext."""
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["current_locale"] = lambda: _locale.get()
