"""search.collation: the title order, to the last letter."""
from __future__ import annotations

from search import collation


def test_sort_text_orders_titles_sharing_a_long_beginning():
    titles = ["Karabağ Zurnası", "Karabağ Halıları ve kilimleri", "Karabağ Halıları", "Karabağ Halıçıları",
              "Karabağ Ç", "Karabağ C"]
    expected = ["Karabağ C", "Karabağ Ç", "Karabağ Halıçıları", "Karabağ Halıları", "Karabağ Halıları ve kilimleri",
                "Karabağ Zurnası"]
    assert sorted(titles, key=lambda t: collation.sort_text(t, "tr")) == expected
    # The 64-bit key ties them (the reason for the text).
    assert collation.sort_key("Karabağ Halıları", "tr") == collation.sort_key("Karabağ Zurnası", "tr")


def test_sort_text_follows_the_azerbaijani_alphabet_and_puts_no_title_last():
    keys = [collation.sort_text(t, "az") for t in ("Ekin", "Əkin", "Fəsil", "", None)]
    assert keys == sorted(keys) and keys[-1] == keys[-2] == collation.NO_TITLE_TEXT


def test_an_azerbaijani_cyrillic_title_sorts_as_its_latin_spelling():
    titles = ["Şəki", "Zaqatala", "Аршын мал алан", "Bakı", "Шуша", "Ağdam"]
    for lang in ("az", "tr"):
        ordered = sorted(titles, key=lambda t: collation.sort_text(t, lang))
        assert ordered == ["Ağdam", "Аршын мал алан", "Bakı", "Şəki", "Шуша", "Zaqatala"], lang
    assert collation.sort_key("Аршын", "az") == collation.sort_key("Arşın", "az")
