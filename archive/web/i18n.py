"""The web pages' languages: Turkish (default), Azerbaijani, English.

The language is the user's choice (the TR | AZ | EN switcher, kept in the session and a
cookie), else the browser's Accept-Language, else Turkish.
"""
from __future__ import annotations

import logging
import os
import tempfile
from decimal import Decimal
from pathlib import Path

from flask import Flask, request, session
from babel import Locale
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import parse_pattern
from flask_babel import Babel, format_decimal, get_locale

log = logging.getLogger(__name__)

LANGUAGES = ("tr", "az", "en")
DEFAULT = "tr"
COOKIE = "ortak_lang"
LANGUAGE_NAMES = {"tr": "Türkçe", "az": "Azərbaycanca", "en": "English"}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    chosen = session.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def compile_catalogues(directory: Path = TRANSLATIONS) -> None:
    """Build any .mo that is missing or older than its .po.

    The .mo files are build output (git-ignored); compiling here means a fresh checkout,
    the test suite and `make run` all see translated pages without a separate step.
    Written to a temporary file and renamed, so concurrent web workers never read half a file.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        try:
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=po.parent.parent.name)
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo)
        except OSError:  # a read-only install ships compiled catalogues; pages still render
            log.warning("could not compile %s", po, exc_info=True)


def format_decimal_size(size) -> str:
    """Bytes for people, with the locale's decimal mark (1,5 GB in Turkish)."""
    value = float(size or 0)
    units = ("B", "KB", "MB", "GB", "TB")
    i = 0
    while value >= 1024 and i < len(units) - 1:
        value /= 1024
        i += 1
    return f"{format_decimal(value, '#,##0.#')} {units[i]}" if i else f"{int(value)} B"


def format_percent_of(value, places: int = 0) -> str:
    """`value` in percent (50, "33.33", Decimal) as the page's language writes a percentage,
    with exactly `places` decimals: the locale's CLDR percent pattern through Babel, so the sign
    goes where the language puts it (tr "%60,00", az "60,00%", en "60.00%")."""
    locale = get_locale() or Locale.parse("tr")
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (places, places)
    return pattern.apply(Decimal(str(value)) / 100, locale)


def format_rate(value) -> str:
    """An exchange rate ("0.0270") in the page's language, every significant digit kept ("0,027")."""
    return babel_format_decimal(Decimal(str(value)), locale=get_locale() or "tr", decimal_quantization=False)


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, when a request has a language."""
    return message


def init_babel(app: Flask) -> None:
    from flask_babel import gettext

    from archive.accounts.auth import login_manager

    compile_catalogues()
    # Flask-Login flashes this when a page needs a login; translated at that moment.
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale)
