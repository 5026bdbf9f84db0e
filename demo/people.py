"""Fake but realistic Nordic people and companies for the CRM exports.

Nothing here belongs to a real person: names are common first and last names drawn at random,
companies are made-up word pairs, phone numbers are random digits in the national formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

COUNTRIES = ("FI", "SE", "NO")
COUNTRY_SHARE = (0.5, 0.3, 0.2)


def _words(text: str) -> list[str]:
    return text.split()


_FIRST = {
    "FI": _words(
        "Aino Eero Juha Mikko Laura Sanna Antti Katja Ville Heidi Timo Elina Jussi Riikka Tuomas Maria "
        "Päivi Jari Henna Olli Minna Kimmo Satu Janne Noora Petri Jenni Sami Hanna Matti"
    ),
    "SE": _words(
        "Erik Anna Lars Karin Johan Sara Anders Emma Magnus Maja Oskar Elin Fredrik Linnea Henrik "
        "Sofia Per Ida Mattias Åsa Gustav Frida Jonas Klara"
    ),
    "NO": _words(
        "Ole Ingrid Kari Lars Nora Henrik Sofie Magnus Ida Sindre Marte Jonas Silje Øyvind Thea Eirik "
        "Hanne Knut Solveig Bjørn"
    ),
}
_LAST = {
    "FI": _words(
        "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen "
        "Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen Salo Laitinen "
        "Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen"
    ),
    "SE": _words(
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
        "Lindqvist Berg Lindström Pettersson Jonsson Lindberg Axelsson Bergström Lundgren Sjöberg"
    ),
    "NO": _words(
        "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Haugen Hagen "
        "Johnsen Bakken Solberg Halvorsen Strand Moen Dahl Lie"
    ),
}
_COMPANY_WORDS = {
    "FI": _words(
        "Aalto Kide Revontuli Saimaa Pohjola Lumi Kallio Tuuli Kaski Ilma Routa Kuura Sisu Vire Helmi"
    ),
    "SE": _words("Norrsken Björk Havs Kvarn Skog Fjäll Ljung Strömma Vinga Gran Älv Sund"),
    "NO": _words("Fjord Tind Polar Vidde Nordkapp Bre Skjær Lyng Furu Havn Fonn Elv"),
}
_SECTORS = "Logistics Software Analytics Systems Consulting Data Robotics Foods Energy Health Retail Media "
_SECTORS += "Engineering Finance Solutions Labs"
_SECTOR_WORDS = _words(_SECTORS)
_LEGAL = {"FI": "Oy", "SE": "AB", "NO": "AS"}
_TLD = {"FI": "fi", "SE": "se", "NO": "no"}
_ASCII = str.maketrans({"ä": "a", "ö": "o", "å": "a", "ø": "o", "æ": "ae", "é": "e", "ü": "u"})

# Sales reps by market; the contact owner is the rep covering the contact's country.
SALES_REPS = {
    "FI": ("Sanna Koivisto", "Mikael Lindgren"),
    "SE": ("Jonas Ekström",),
    "NO": ("Ingrid Solberg",),
}


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    company: str
    country: str


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    """rng.choice(options) without the array conversion (the same draw, ten times faster)."""
    return options[int(rng.integers(0, len(options)))]


_COUNTRY_CDF = np.cumsum(COUNTRY_SHARE) / np.sum(COUNTRY_SHARE)


def _ascii(text: str) -> str:
    return text.lower().translate(_ASCII).replace(" ", "")


def _phone(rng: np.random.Generator, country: str) -> str:
    d = rng.integers(0, 10, size=8)
    digits = "".join(str(int(x)) for x in d)
    if country == "FI":
        prefix = _pick(rng, ["40", "44", "45", "50"])
        return f"+358 {prefix} {digits[:3]} {digits[3:7]}"
    if country == "SE":
        prefix = _pick(rng, ["70", "72", "73", "76"])
        return f"+46 {prefix} {digits[:3]} {digits[3:5]} {digits[5:7]}"
    return f"+47 {_pick(rng, ['4', '9'])}{digits[:2]} {digits[2:4]} {digits[4:7]}"


def company_name(rng: np.random.Generator, country: str) -> str:
    word = _pick(rng, _COMPANY_WORDS[country])
    sector = _pick(rng, _SECTOR_WORDS)
    return f"{word} {sector} {_LEGAL[country]}"


def company_domain(company: str, country: str) -> str:
    words = company.split()[:-1]  # drop the legal form
    return f"{_ascii(''.join(words))}.{_TLD[country]}"


def make_person(rng: np.random.Generator) -> Person:
    country = COUNTRIES[int(_COUNTRY_CDF.searchsorted(rng.random(), side="right"))]
    first = _pick(rng, _FIRST[country])
    last = _pick(rng, _LAST[country])
    company = company_name(rng, country)
    email = f"{_ascii(first)}.{_ascii(last)}@{company_domain(company, country)}"
    # About a third of form fills leave the optional phone field empty.
    phone = _phone(rng, country) if rng.random() < 0.68 else ""
    return Person(first, last, email, phone, company, country)


def sales_rep(rng: np.random.Generator, country: str) -> str:
    return _pick(rng, SALES_REPS[country])
