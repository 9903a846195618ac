"""Survey entities: the question catalog and the answers, in the long format survey tools export.

Quarterly relationship waves invite the contacts of active customers; about a third answer. Each
answer is a noisy reading of the customer's latent value perception (see `structure.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from arvo.generate import structure, writer
from arvo.generate.crm import Contacts
from arvo.generate.orders import Orders
from arvo.generate.periods import add_months, next_month_label
from arvo.generate.population import DAY, END_DAY, START_DAY, Population
from ingestion.contract import LADDER_STEPS, VALUE_TYPES

# Answer scale per construct family (the part of the construct name before the first underscore).
ANSWER_SCALES = {"nps": (0, 10), "value": (1, 7), "ladder": (1, 5), "expectation": (1, 10), "experience": (1, 10)}

QUESTION_TEXT = {
    "nps": "How likely are you to recommend us to a friend or colleague?",
    "value_economic": "Our service saves you money or earns you money.",
    "value_functional": "Our service does the job you need done, reliably.",
    "value_emotional": "Using our service feels good.",
    "value_social": "Our service connects you with people who matter to you.",
    "value_symbolic": "Our service says something about who you are.",
    "ladder_awareness": "You know how we can help you.",
    "ladder_understanding": "You understand concretely how our service helps you.",
    "ladder_meaning": "That help matters in your situation right now.",
    "ladder_differentiation": "We are clearly better than the alternatives.",
    "ladder_fulfilment": "We kept our promise in everyday use.",
    "expectation": "How much did you expect from us?",
    "experience": "How well did we do?",
    "comment": "Anything else you would like to tell us?",
}
CONSTRUCT_ORDER = (
    "nps",
    *(f"value_{v}" for v in VALUE_TYPES),
    *(f"ladder_{s}" for s in LADDER_STEPS),
    "expectation",
    "experience",
    "comment",
)
# rel-2024 numbers its questions Q1..Q14; rel-2025 reorders them and uses named ids, so only the
# catalog tells which question is which construct.
SURVEYS = {
    "rel-2024": {c: f"Q{i + 1}" for i, c in enumerate(CONSTRUCT_ORDER)},
    "rel-2025": {
        c: qid
        for c, qid in zip(
            (*CONSTRUCT_ORDER[1:6], "nps", *CONSTRUCT_ORDER[6:]),
            (
                "v_econ",
                "v_func",
                "v_emo",
                "v_soc",
                "v_sym",
                "rec_nps",
                "lad_1",
                "lad_2",
                "lad_3",
                "lad_4",
                "lad_5",
                "exp_before",
                "exp_after",
                "open_text",
            ),
            strict=True,
        )
    },
}
SURVEY_IDS = tuple(SURVEYS)
REL_2025_FROM = int(np.datetime64("2025-01-01", "D").astype(np.int64))

COMMENTS = {
    "detractor": (
        "Liian kallis siihen nähden mitä saa.",
        "Support never answered my ticket.",
        "Lupaukset eivät toteutuneet käytössä.",
        "Fakturan var fel två gånger.",
        'Hinta nousi, palvelu ei. "Premium" ei ole premium.',
        "Käyttöönotto oli hidas,\nja raportit puuttuvat yhä.",
    ),
    "passive": (
        "Ihan ok, hinta voisi olla pienempi.",
        "Works, but onboarding was slow.",
        "Okej, men rapporterna är svåra att hitta.",
        "Ganz gut, aber die Oberfläche ist veraltet.",
    ),
    "promoter": (
        "Erinomainen palvelu, kiitos!",
        "Toimii hyvin ja säästää aikaa.",
        "Bra tjänst, snabb återkoppling från Åsa!",
        "Helppokäyttöinen ja luotettava – suosittelen.",
        "Great team; they understood our business.",
    ),
}


def scale_of(construct: str) -> tuple[int, int] | None:
    """(min, max) of a construct's answers; None for the free-text comment."""
    return None if construct == "comment" else ANSWER_SCALES[construct.split("_")[0]]


def questions_table() -> tuple[pa.Table, np.ndarray]:
    """The catalog, one file per survey."""
    rows = [
        (sid, qid, c, *(scale_of(c) or (None, None)), QUESTION_TEXT[c])
        for sid, m in SURVEYS.items()
        for c, qid in m.items()
    ]
    cols = list(zip(*rows, strict=True))
    tbl = writer.table(
        "questions",
        {
            "survey_id": pa.array(cols[0], pa.string()),
            "question_id": pa.array(cols[1], pa.string()),
            "construct": pa.array(cols[2], pa.string()),
            "scale_min": pa.array(cols[3], pa.int64()),
            "scale_max": pa.array(cols[4], pa.int64()),
            "question_text": pa.array(cols[5], pa.string()),
        },
    )
    return tbl, np.array(cols[0])


@dataclass
class Invitations:
    contact: np.ndarray  # index into Contacts
    wave_day: np.ndarray


def wave_days() -> np.ndarray:
    """Quarterly waves: the 5th of Nov, Feb, May and Aug, from the second month on."""
    return add_months(START_DAY, np.arange(1, 36, 3)) + 4


def invitations(pop: Population, contacts: Contacts, subs: dict[str, np.ndarray], orders: Orders) -> Invitations:
    """Who is asked in each wave: contacts of B2B accounts with a running subscription, and B2C
    customers who ordered in the previous 120 days."""
    acc = contacts.account_idx
    out_c, out_d = [], []
    sub_end = np.where(subs["end_day"] >= 0, subs["end_day"], END_DAY)
    order_key = orders.account_idx.astype(np.int64) * 100_000 + orders.day
    order_key_sorted = np.sort(order_key)
    for day in wave_days():
        running = (subs["start_day"] <= day) & (sub_end >= day)
        active = np.zeros(pop.n, dtype=bool)
        active[subs["account_idx"][running]] = True
        lo = np.searchsorted(order_key_sorted, np.arange(pop.n) * 100_000 + day - 120)
        hi = np.searchsorted(order_key_sorted, np.arange(pop.n) * 100_000 + day, side="right")
        active |= (hi > lo) & ~pop.is_b2b
        asked = np.flatnonzero(active[acc] & (contacts.created_s < day * DAY))
        out_c.append(asked)
        out_d.append(np.full(len(asked), day))
    return Invitations(np.concatenate(out_c), np.concatenate(out_d))


def _rating(
    latent: np.ndarray, lo: int, hi: int, center: float | np.ndarray, spread: float, noise: float | np.ndarray
) -> np.ndarray:
    """A whole-number answer on lo..hi: the latent placed on the scale, plus noise, rounded and clipped."""
    return np.clip(np.round(center + spread * latent + noise), lo, hi)


def responses_table(
    rng: np.random.Generator, pop: Population, contacts: Contacts, inv: Invitations, first_number: int = 1
) -> tuple[pa.Table, np.ndarray, int]:
    """One row per response x question (comments only when written), the monthly file labels, and
    the number of responses (response ids count up from `first_number`)."""
    m_contacts = len(contacts.contact_id)
    contact_value = 0.3 * rng.standard_normal((m_contacts, len(VALUE_TYPES)))
    contact_ladder = 0.25 * rng.standard_normal(m_contacts)
    contact_value[~pop.is_b2b[contacts.account_idx]] = 0.0  # a B2C customer is the contact

    acc = contacts.account_idx[inv.contact]
    mean_value = pop.values[acc].mean(axis=1)
    p_answer = np.where(pop.is_b2b[acc], 0.36, 0.32)
    p_answer = 1 / (1 + np.exp(-(np.log(p_answer / (1 - p_answer)) + 0.2 * mean_value)))
    delay = np.minimum(rng.exponential(3.0, len(acc)), 27).astype(np.int64)
    responded_s = (inv.wave_day + delay) * DAY + 5 * 3600 + rng.integers(0, 14 * 3600, len(acc))
    answered = (rng.random(len(acc)) < p_answer) & (responded_s < (END_DAY + 1) * DAY)
    idx = np.flatnonzero(answered)
    contact, acc, responded_s = inv.contact[idx], acc[idx], responded_s[idx]
    order = np.lexsort((contact, responded_s))
    contact, acc, responded_s = contact[order], acc[order], responded_s[order]
    r = len(acc)
    is_b2b = pop.is_b2b[acc]

    values = pop.values[acc] + contact_value[contact] + 0.25 * rng.standard_normal((r, len(VALUE_TYPES)))
    ladder = pop.ladder[acc] + contact_ladder[contact] + 0.2 * rng.standard_normal(r)
    depth = structure.ladder_depth(ladder, rng)
    nps_latent = structure.outcome_latent(values, ladder, is_b2b, "nps")
    nps_latent = 0.85 * nps_latent + 0.5 * rng.standard_normal(r)

    nps = _rating(nps_latent, 0, 10, np.where(is_b2b, 7.2, 7.6), 2.1, 0.0)
    # Unhappy customers sometimes answer in anger: a fat lower tail down to 0.
    angry = (nps_latent < -1.0) & (rng.random(r) < 0.15)
    answers: dict[str, np.ndarray] = {"nps": np.where(angry, rng.integers(0, 4, r), nps).astype(float)}
    for k, v in enumerate(VALUE_TYPES):
        answers[f"value_{v}"] = _rating(values[:, k], 1, 7, 4.0, 1.3, 0.5 * rng.standard_normal(r))
    for s, step in enumerate(LADDER_STEPS):
        reached = depth > s
        high = np.where(rng.random(r) < 0.5, 5, 4)
        high = np.where(rng.random(r) < 0.05, 3, high)
        low = rng.choice([1, 2, 3, 4], size=r, p=[0.22, 0.38, 0.33, 0.07])
        answers[f"ladder_{step}"] = np.where(reached, high, low).astype(float)
    gap = 0.8 * ladder - 0.1 + 0.4 * rng.standard_normal(r)
    expectation = pop.expectation[acc]
    answers["expectation"] = _rating(expectation, 1, 10, 6.3, 1.4, 0.8 * rng.standard_normal(r))
    answers["experience"] = _rating(expectation + gap, 1, 10, 6.3, 1.4, 0.8 * rng.standard_normal(r))

    survey = (responded_s // DAY >= REL_2025_FROM).astype(np.int64)  # index into SURVEY_IDS
    ids = writer.make_ids("RSP-", first_number + np.arange(r), 8)
    # Long format, response-major, questions in catalog order (comment last, only when written).
    q = len(CONSTRUCT_ORDER)
    numeric = CONSTRUCT_ORDER[:-1]
    values_long = np.stack([*(answers[c] for c in numeric), np.zeros(r)], axis=1).reshape(-1)
    row_resp = np.repeat(np.arange(r), q)
    row_construct = np.tile(np.arange(q), r)
    skip_p = np.where(row_construct == 0, 0.015, 0.04)
    num_valid = (rng.random(len(row_resp)) >= skip_p) & (row_construct < q - 1)

    # Comments: a quarter write something, in tune with their score.
    writes = rng.random(r) < 0.25
    category = np.digitize(answers["nps"], [7, 9])  # 0 detractor, 1 passive, 2 promoter
    pools = [COMMENTS["detractor"], COMMENTS["passive"], COMMENTS["promoter"]]
    offsets = np.cumsum([0, *(len(p) for p in pools)])[:-1]
    sizes = np.array([len(p) for p in pools])
    comment_idx = offsets[category] + (rng.random(r) * sizes[category]).astype(np.int64)
    keep = (row_construct < q - 1) | writes[row_resp]
    row_resp, row_construct = row_resp[keep], row_construct[keep]
    values_long, num_valid = values_long[keep], num_valid[keep]
    is_comment = row_construct == q - 1

    # B2C survey links are sometimes anonymous: the contact is not recorded.
    has_contact = np.where(is_b2b, True, rng.random(r) >= 0.03)
    style = rng.choice(3, size=r, p=(0.7, 0.15, 0.15))
    question_ids = [SURVEYS[sid][c] for sid in SURVEY_IDS for c in CONSTRUCT_ORDER]
    tbl = writer.table(
        "responses",
        {
            "response_id": ids.take(pa.array(row_resp)),
            "survey_id": writer.lookup(SURVEY_IDS, survey[row_resp]),
            "question_id": writer.lookup(question_ids, survey[row_resp] * q + row_construct),
            "account_id": writer.lookup(pop.account_id, acc[row_resp]),
            "contact_id": writer.lookup(contacts.contact_id, contact[row_resp], valid=has_contact[row_resp]),
            "responded_at": writer.timestamps(responded_s, style).take(pa.array(row_resp)),
            "answer_numeric": writer.decimals(values_long, scale=0, valid=num_valid),
            "answer_text": writer.lookup([c for p in pools for c in p], comment_idx[row_resp], valid=is_comment),
        },
    )
    return tbl, next_month_label(responded_s[row_resp] // DAY), r
