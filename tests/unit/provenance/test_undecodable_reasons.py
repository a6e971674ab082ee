"""Every reason a lookup clip is `undecodable` has its sentence in every language, the same
English as the API's (archive.provenance.services.UNDECODABLE, archive.web.messages)."""
from __future__ import annotations

from flask_babel import force_locale

from archive.provenance import services
from archive.web import messages


def test_each_reason_has_a_sentence_in_tr_az_and_en(app):
    assert set(messages.UNDECODABLE_REASONS) == set(services.UNDECODABLE_REASONS) == set(services.UNDECODABLE)
    with app.test_request_context():
        for reason, english in services.UNDECODABLE.items():
            said = {}
            for lang in ("en", "tr", "az"):
                with force_locale(lang):
                    said[lang] = messages.undecodable(reason)
            assert said["en"] == english
            assert len(set(said.values())) == 3, said
