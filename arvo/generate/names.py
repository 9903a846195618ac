"""Name pools for accounts and contacts, per country, with the non-ASCII letters real CRMs hold.

Names are picked with vectorised index draws, so building 500k names costs milliseconds.
"""

from __future__ import annotations

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


def _pick(
    rng: np.random.Generator, country_idx: np.ndarray, pools: dict[str, list[str] | tuple[str, ...]]
) -> np.ndarray:
    """One entry per row from the pool of the row's country."""
    out = np.empty(len(country_idx), dtype=object)
    u = rng.random(len(country_idx))
    for i, country in enumerate(COUNTRIES):
        mask = country_idx == i
        pool = np.array(pools[country], dtype=object)
        out[mask] = pool[(u[mask] * len(pool)).astype(np.int64)]
    return out


def _join(*parts: np.ndarray | str, sep: str = "") -> np.ndarray:
    arrays = [pa.array(p, pa.string()) if not isinstance(p, str) else p for p in parts]
    return np.asarray(pc.binary_join_element_wise(*arrays, sep).to_numpy(zero_copy_only=False), dtype=object)


def person_names(rng: np.random.Generator, country_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) names per row, in the row's country."""
    return _pick(rng, country_idx, FIRST_NAMES), _pick(rng, country_idx, SURNAMES)


def company_names(rng: np.random.Generator, country_idx: np.ndarray) -> np.ndarray:
    """Company names: "<Surname> <suffix>" or "<place> <trade> [suffix]"."""
    surname = _pick(rng, country_idx, SURNAMES)
    suffix = _pick(rng, country_idx, COMPANY_SUFFIX)
    place = _pick(rng, country_idx, PLACES)
    trade = _pick(rng, country_idx, TRADES)
    by_surname = _join(surname, suffix, sep=" ")
    by_place = _join(place, trade, sep=" ")
    by_place_suffix = _join(by_place, suffix, sep=" ")
    style = rng.random(len(country_idx))
    return np.where(style < 0.55, by_surname, np.where(style < 0.8, by_place, by_place_suffix))


def ascii_slug(names: np.ndarray, sep: str = ".") -> np.ndarray:
    """Lower-case ASCII form of names for e-mail addresses (ä -> a, ø -> o, ß -> ss ...)."""
    s = pc.utf8_lower(pa.array(names, pa.string()))
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
    s = pc.replace_substring_regex(s, r"[^a-z0-9]+", sep)
    return np.asarray(s.to_numpy(zero_copy_only=False), dtype=object)
