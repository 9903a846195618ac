"""Name pools for accounts and contacts, per country, with the non-ASCII letters real CRMs hold.

Names are picked with vectorised index draws, so building 500k names costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

COUNTRIES = ("FI", "SE", "NO", "DK", "DE", "EE", "GB", "US")
COUNTRY_WEIGHTS = {
    "B2B": (0.38, 0.18, 0.09, 0.07, 0.10, 0.05, 0.08, 0.05),
    "B2C": (0.45, 0.20, 0.08, 0.06, 0.07, 0.06, 0.05, 0.03),
}
CURRENCY_BY_COUNTRY = {
    "FI": "EUR",
    "SE": "SEK",
    "NO": "NOK",
    "DK": "DKK",
    "DE": "EUR",
    "EE": "EUR",
    "GB": "GBP",
    "US": "USD",
}

FIRST_NAMES = {
    "FI": [
        "Päivi",
        "Jyrki",
        "Mikko",
        "Aino",
        "Eero",
        "Sirpa",
        "Tuomas",
        "Hanna",
        "Väinö",
        "Minttu",
        "Ilkka",
        "Kaisa",
        "Anni",
        "Oskari",
        "Eetu",
        "Leena",
        "Pekka",
        "Tiina",
        "Jussi",
        "Satu",
        "Ville",
        "Elina",
        "Säde",
        "Pirjo",
    ],
    "SE": [
        "Åsa",
        "Björn",
        "Märta",
        "Göran",
        "Linnéa",
        "Erik",
        "Karin",
        "Anders",
        "Sofia",
        "Östen",
        "Maja",
        "Håkan",
        "Ingrid",
        "Lars",
        "Elin",
    ],
    "NO": ["Bjørn", "Kjersti", "Åse", "Ingrid", "Ole", "Solveig", "Eirik", "Sigrid", "Håvard", "Nora"],
    "DK": ["Søren", "Mette", "Lars", "Karen", "Mads", "Sørine", "Jens", "Freja", "Anders", "Ida"],
    "DE": ["Jürgen", "Jörg", "Käthe", "Anna", "Lukas", "Lena", "Max", "Sören", "Hannah", "Günther"],
    "EE": ["Tõnu", "Kärt", "Jüri", "Liis", "Mart", "Triin", "Märt", "Kadri", "Peeter", "Ülle"],
    "GB": ["Oliver", "Amelia", "Siobhán", "George", "Emily", "Harry", "Chloë", "Jack", "Isla", "Noah"],
    "US": ["James", "Mary", "José", "Chloé", "Michael", "Linda", "Zoë", "Robert", "Patricia", "David"],
}

SURNAMES = {
    "FI": [
        "Mäkinen",
        "Hämäläinen",
        "Virtanen",
        "Korhonen",
        "Nieminen",
        "Mäkelä",
        "Heikkinen",
        "Koskinen",
        "Järvinen",
        "Lehtonen",
        "Saarinen",
        "Salminen",
        "Heinonen",
        "Heikkilä",
        "Kinnunen",
        "Salonen",
        "Turunen",
        "Laine",
        "Tuominen",
        "Rantanen",
        "Karjalainen",
        "Jokinen",
        "Mattila",
        "Savolainen",
        "Kärkkäinen",
        "Hyvönen",
        "Räsänen",
        "Öhman",
        "Väisänen",
        "Pääkkönen",
        "Ylönen",
        "Törmänen",
        "Kääriäinen",
    ],
    "SE": [
        "Åström",
        "Ångström",
        "Söderberg",
        "Björk",
        "Lindqvist",
        "Ekström",
        "Nyström",
        "Sjöberg",
        "Håkansson",
        "Löfgren",
        "Öberg",
        "Bäckström",
        "Strömberg",
        "Johansson",
        "Andersson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
    ],
    "NO": ["Sørensen", "Ødegård", "Bråten", "Hansen", "Johansen", "Olsen", "Løvås", "Kjær", "Næss", "Håland"],
    "DK": [
        "Jørgensen",
        "Møller",
        "Kjær",
        "Nørgaard",
        "Sørensen",
        "Hansen",
        "Østergaard",
        "Thomsen",
        "Bæk",
        "Mølgaard",
    ],
    "DE": ["Müller", "Schäfer", "Groß", "Köhler", "Bäcker", "Weiß", "Schröder", "Hoffmann", "Jäger", "Fuchs"],
    "EE": ["Tamm", "Saar", "Sepp", "Mägi", "Kask", "Õunapuu", "Pärn", "Kõiv", "Rätsep", "Jõgi"],
    "GB": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "O'Brien",
        "Davies",
        "Ó Súilleabháin",
        "Evans",
        "Walsh",
    ],
    "US": [
        "Johnson",
        "Miller",
        "García",
        "Nguyen",
        "Rodríguez",
        "Smith",
        "Brown",
        "Davis",
        "Martínez",
        "Wilson",
    ],
}

# "<place> <trade>" company names, e.g. "Jyväskylän Sähkö".
PLACES = {
    "FI": [
        "Jyväskylän",
        "Tampereen",
        "Oulun",
        "Hämeenlinnan",
        "Seinäjoen",
        "Mäntsälän",
        "Järvenpään",
        "Äänekosken",
        "Turun",
        "Porin",
        "Kemijärven",
        "Lahden",
        "Pieksämäen",
        "Säkylän",
    ],
    "SE": [
        "Göteborgs",
        "Malmö",
        "Västerås",
        "Örebro",
        "Umeå",
        "Jönköpings",
        "Norrköpings",
        "Gävle",
        "Växjö",
        "Luleå",
    ],
    "NO": ["Bodø", "Tromsø", "Bergens", "Ålesund", "Drammens", "Stavanger"],
    "DK": ["Århus", "Køge", "Aalborg", "Odense", "Næstved", "Vejle"],
    "DE": ["Kölner", "Münchner", "Nürnberger", "Düsseldorfer", "Hamburger", "Lübecker"],
    "EE": ["Pärnu", "Tartu", "Võru", "Jõhvi", "Viljandi"],
    "GB": ["Bristol", "Leeds", "Manchester", "York", "Cardiff"],
    "US": ["Boston", "Denver", "Austin", "Seattle", "Portland"],
}
TRADES = {
    "FI": [
        "Sähkö",
        "Kone",
        "Rakennus",
        "Lämpö",
        "Puu",
        "Metalli",
        "Kuljetus",
        "Ohjelmisto",
        "Kauppa",
        "Vesi",
        "Höyläämö",
        "Kiinteistö",
    ],
    "SE": ["Kraft", "Trä", "Bygg", "Data", "Energi", "Värme", "Frakt", "Säkerhet"],
    "NO": ["Fisk", "Kraft", "Bygg", "Frakt", "Data", "Sjømat"],
    "DK": ["Data", "Byg", "Energi", "Møbler", "Transport"],
    "DE": ["Maschinenbau", "Logistik", "Bäckerei", "Energie", "Software"],
    "EE": ["Puit", "Ehitus", "Tarkvara", "Energia"],
    "GB": ["Engineering", "Logistics", "Software", "Energy"],
    "US": ["Analytics", "Logistics", "Software", "Energy"],
}
COMPANY_SUFFIX = {
    "FI": ("Oy", "Oyj", "Oy Ab"),
    "SE": ("AB",),
    "NO": ("AS", "ASA"),
    "DK": ("ApS", "A/S"),
    "DE": ("GmbH", "AG"),
    "EE": ("OÜ", "AS"),
    "GB": ("Ltd", "plc"),
    "US": ("Inc.", "LLC"),
}

INDUSTRIES = (
    "software",
    "manufacturing",
    "retail",
    "energy",
    "logistics",
    "healthcare",
    "financial services",
    "construction",
    "media",
    "public sector",
)
B2B_ROLES = (
    "CEO",
    "CFO",
    "Head of Operations",
    "IT Manager",
    "Procurement Manager",
    "Product Owner",
    "Marketing Manager",
    "Customer Success Lead",
)


def where(mask: np.ndarray, a: pa.Array | str | None, b: pa.Array | str | None) -> pa.Array:
    """Element-wise `a if mask else b` on Arrow string arrays (or scalars; None is null)."""

    def arrow(x: pa.Array | str | None) -> pa.Array | pa.Scalar:
        return x if isinstance(x, pa.Array) else pa.scalar(x, pa.string())

    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), arrow(a), arrow(b))


def pick(rng: np.random.Generator, country_idx: np.ndarray, pools: dict[str, Sequence[str]]) -> pa.Array:
    """One entry per row from the pool of the row's country."""
    sizes = np.array([len(pools[c]) for c in COUNTRIES])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    flat = pa.array([x for c in COUNTRIES for x in pools[c]], pa.string())
    u = rng.random(len(country_idx))
    return flat.take(pa.array(offsets[country_idx] + (u * sizes[country_idx]).astype(np.int64)))


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise string concatenation with a separator."""
    return pc.binary_join_element_wise(*parts, sep)


def person_names(rng: np.random.Generator, country_idx: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """(first, last) names per row, in the row's country."""
    return pick(rng, country_idx, FIRST_NAMES), pick(rng, country_idx, SURNAMES)


def company_names(rng: np.random.Generator, country_idx: np.ndarray) -> pa.Array:
    """Company names: "<Surname> <suffix>" or "<place> <trade> [suffix]"."""
    surname = pick(rng, country_idx, SURNAMES)
    suffix = pick(rng, country_idx, COMPANY_SUFFIX)
    place = pick(rng, country_idx, PLACES)
    trade = pick(rng, country_idx, TRADES)
    by_place = join(place, trade, sep=" ")
    style = rng.random(len(country_idx))
    return where(
        style < 0.55, join(surname, suffix, sep=" "), where(style < 0.8, by_place, join(by_place, suffix, sep=" "))
    )


def ascii_slug(names: pa.Array, sep: str = ".") -> pa.Array:
    """Lower-case ASCII form of names for e-mail addresses (ä -> a, ø -> o, ß -> ss ...)."""
    s = pc.utf8_lower(names)
    for src, dst in (
        ("ä", "a"),
        ("å", "a"),
        ("á", "a"),
        ("æ", "ae"),
        ("ö", "o"),
        ("ø", "o"),
        ("ó", "o"),
        ("õ", "o"),
        ("ü", "u"),
        ("ß", "ss"),
        ("é", "e"),
        ("ë", "e"),
        ("í", "i"),
        ("'", ""),
        ("/", ""),
        (".", ""),
        ("&", "and"),
    ):
        s = pc.replace_substring(s, src, dst)
    return pc.replace_substring_regex(s, r"[^a-z0-9]+", sep)
