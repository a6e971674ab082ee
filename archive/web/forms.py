"""The web pages' forms (Flask-WTF: each carries its CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from archive.assets.models import GENRES
from archive.assets.schemas import LANGS

LANGUAGE_LABELS = {"tr": _l("Turkish"), "az": _l("Azerbaijani"), "en": _l("English")}
GENRE_LABELS = {
    "film": _l("Film"), "tv": _l("Television"), "folklore": _l("Folklore"), "news": _l("News"),
    "documentary": _l("Documentary"), "music": _l("Music"), "other": _l("Other"),
}
COUNTRY_LABELS = {"TR": _l("Türkiye"), "AZ": _l("Azerbaijan")}


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=320)],
                        render_kw={"autocomplete": "username", "type": "email", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)],
                             render_kw={"autocomplete": "current-password"})


class LogoutForm(FlaskForm):
    """Empty but for its CSRF token: logging out is a POST so another site cannot force it."""


def _genre_choices():
    return [SelectChoice("", _l("— none —"))] + [SelectChoice(g, GENRE_LABELS[g]) for g in GENRES]


def _csv(value) -> str:
    return ", ".join(value or [])


class MetadataForm(FlaskForm):
    """The editable metadata; the assets service validates it (archive.assets.schemas)."""

    genre = SelectField(_l("Genre"), choices=_genre_choices, validate_choice=True)
    keywords = StringField(_l("Keywords"), validators=[Optional(), Length(max=20000)],
                           description=_l("Separated by commas"))
    people = StringField(_l("People"), validators=[Optional(), Length(max=20000)],
                         description=_l("Separated by commas"))
    places = StringField(_l("Places"), validators=[Optional(), Length(max=20000)],
                         description=_l("Separated by commas"))
    recorded = StringField(_l("Recorded"), validators=[Optional(), Length(max=10)],
                           description=_l("YYYY, YYYY-MM or YYYY-MM-DD"))
    languages = StringField(_l("Spoken languages"), validators=[Optional(), Length(max=2000)],
                            description=_l("Language codes separated by commas, e.g. az, tr"))
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), choices=[SelectChoice(c, label) for c, label in COUNTRY_LABELS.items()])

    @classmethod
    def for_asset(cls, meta: dict, formdata=None) -> "MetadataForm":
        form = cls(formdata=formdata, data={
            "genre": meta.get("genre") or "",
            "keywords": _csv(meta.get("keywords")), "people": _csv(meta.get("people")),
            "places": _csv(meta.get("places")), "recorded": meta.get("recorded") or "",
            "languages": _csv(meta.get("languages")), "organisation": meta.get("organisation") or "",
            "country": meta.get("country") or "TR",
        })
        # Per-language fields are plain request fields (title_tr, ...) so that the set of
        # languages stays a single list (archive.assets.schemas.LANGS).
        source = formdata if formdata is not None else None
        form.localised = {
            field: {lang: (source.get(f"{field}_{lang}", "") if source is not None
                           else ((meta.get(field) or {}).get(lang) or ""))
                    for lang in LANGS}
            for field in ("title", "description")
        }
        return form

    def changes(self, *, admin: bool) -> dict:
        """The PATCH body this form asks for: lists split on commas, empty texts remove."""
        out: dict = {field: dict(values) for field, values in self.localised.items()}
        out["genre"] = self.genre.data or None
        for name in ("keywords", "people", "places", "languages"):
            out[name] = [v.strip() for v in (getattr(self, name).data or "").split(",") if v.strip()]
        out["recorded"] = (self.recorded.data or "").strip() or None
        if admin:
            out["organisation"] = (self.organisation.data or "").strip()
            out["country"] = self.country.data
        return out
