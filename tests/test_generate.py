"""The sample-data generator: deterministic, contract-shaped, and carrying the structure it claims."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from arvo import cli
from arvo.generate import DRIVER_WEIGHTS, END_DATE, ENTITY_ORDER, LADDER_ORDER, OUTCOMES, TRUE_DRIVERS, generate
from arvo.generate.structure import draw_latents, outcome_latent
from arvo.generate.survey import SURVEYS
from ingestion.contract import CONSTRUCTS, ENTITIES, INVOICE_STATUSES, SEGMENTS, VALUE_TYPES

SCALE = "small"
SEED = 7


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(SCALE, SEED, out)
    return out


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def relation(landing: Path, entity: str, typed: bool = True) -> str:
    """A DuckDB `read_csv` over an entity's files, typed by the contract (no sniffing: fast, strict)."""
    types = {"text": "varchar", "date": "date", "timestamp": "timestamptz", "decimal": "decimal(18,4)"}
    types |= {"int": "integer", "bool": "boolean"}
    columns = ", ".join(f"'{c.name}': '{types[c.type] if typed else 'varchar'}'" for c in ENTITIES[entity].columns)
    glob = landing / ENTITIES[entity].folder / "*.csv"
    return (
        f"read_csv('{glob}', auto_detect=false, header=true, delim=',', quote='\"', escape='\"', columns={{{columns}}})"
    )


def _files(landing: Path, entity: str) -> list[Path]:
    return sorted((landing / ENTITIES[entity].folder).glob("*.csv"))


def read(landing: Path, entity: str) -> pd.DataFrame:
    """Every file of an entity as text (nothing inferred), with the file it came from."""
    frames = []
    for path in _files(landing, entity):
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
        df["_file"] = path.name
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate("tiny", 3, tmp_path / "a")
    generate("tiny", 3, tmp_path / "b")
    generate("tiny", 4, tmp_path / "c")
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert a != c


def test_every_entity_is_written_with_no_leftover_part_files(landing: Path) -> None:
    for entity in ENTITIES.values():
        assert _files(landing, entity.name), entity.folder
    assert not list(landing.rglob("*.part"))


def test_headers_are_the_contract_columns_in_order(landing: Path) -> None:
    for entity in ENTITIES.values():
        for path in _files(landing, entity.name):
            header = path.read_text(encoding="utf-8").splitlines()[0]
            assert [h.strip('"') for h in header.split(",")] == list(entity.column_names), path


def test_required_columns_are_never_empty_and_keys_unique_within_a_file(landing: Path) -> None:
    for entity in ENTITIES.values():
        df = read(landing, entity.name)
        for column in entity.required:
            assert df[column].notna().all(), (entity.name, column)
        assert not df.duplicated([*entity.key, "_file"]).any(), entity.name
        if entity.versioned_by is None and entity.name != "questions":
            assert not df.duplicated(list(entity.key)).any(), entity.name


def test_types_parse(landing: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Every typed column casts with DuckDB exactly as the loaders will type it."""
    casts = {"date": "date", "timestamp": "timestamptz", "decimal": "decimal(18,4)", "int": "integer"}
    casts["bool"] = "boolean"
    for entity in ENTITIES.values():
        typed = [c for c in entity.columns if c.type != "text"]
        checks = ", ".join(
            f"count(*) filter (where {c.name} is not null and try_cast({c.name} as {casts[c.type]}) is null)"
            for c in typed
        )
        bad = con.sql(f"select {checks} from {relation(landing, entity.name, typed=False)}").fetchone()
        assert bad == (0,) * len(typed), (entity.name, [c.name for c in typed], bad)


def test_allowed_values_and_ranges(landing: Path) -> None:
    accounts = read(landing, "accounts")
    assert set(accounts["segment"]) == set(SEGMENTS)
    invoices = read(landing, "invoices")
    assert set(invoices["status"].dropna()) <= set(INVOICE_STATUSES)
    amount = invoices["amount"].astype(float)
    assert (amount < 0).any()  # credit notes
    assert invoices.loc[amount < 0, "invoice_id"].str.startswith("CN-").all()
    subs = read(landing, "subscriptions")
    assert (subs["mrr"].astype(float) >= 0).all()
    ended = subs.dropna(subset=["end_date"])
    assert (ended["end_date"] >= ended["start_date"]).all()
    deals = read(landing, "deals")
    assert (deals["amount"].dropna().astype(float) >= 0).all()
    questions = read(landing, "questions")
    assert set(questions["construct"]) == set(CONSTRUCTS)
    assert set(questions["survey_id"]) == set(SURVEYS)


def test_answers_lie_within_their_questions_scale(landing: Path) -> None:
    questions = read(landing, "questions")
    answers = read(landing, "responses").merge(questions, on=["survey_id", "question_id"], how="left")
    assert answers["construct"].notna().all()  # every answer's question is in the catalog
    numeric = answers.dropna(subset=["answer_numeric"])
    value = numeric["answer_numeric"].astype(float)
    assert (value >= numeric["scale_min"].astype(float)).all()
    assert (value <= numeric["scale_max"].astype(float)).all()
    nps = numeric.loc[numeric["construct"] == "nps", "answer_numeric"].astype(float)
    assert nps.between(0, 10).all() and nps.nunique() == 11
    skipped = answers[answers["construct"] != "comment"]["answer_numeric"].isna().mean()
    assert 0 < skipped < 0.1
    comments = answers.loc[answers["construct"] == "comment", "answer_text"]
    assert comments.notna().all() and len(comments) > 0


def test_every_currency_has_a_rate_on_or_before_every_invoice(landing: Path, con: duckdb.DuckDBPyConnection) -> None:
    inv, fx = relation(landing, "invoices"), relation(landing, "fx_rates")
    missing = con.sql(
        f"""
        with first_rate as (
            select currency, min(rate_date) as first_day from {fx} where rate > 0 group by all
        )
        select count(*) from {inv} i left join first_rate f using (currency)
        where f.first_day is null or f.first_day > i.invoice_date
        """
    ).fetchone()[0]
    assert missing == 0


def test_data_ends_at_the_fixed_end_date(landing: Path) -> None:
    invoices = read(landing, "invoices")
    assert invoices["invoice_date"].max() <= str(END_DATE)
    assert invoices["invoice_date"].max() >= str(END_DATE - 31)


def test_names_are_utf8_with_nordic_letters(landing: Path) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in _files(landing, "accounts"))
    for letter in "äöå":
        assert letter in text
    accounts = read(landing, "accounts")
    b2b = accounts[accounts["segment"] == "B2B"]["account_name"]
    assert b2b.str.contains(r" (?:Oy|AB)$").any()
    assert (accounts.groupby("account_id").size() > 1).any()  # later second versions exist
    assert 0.25 < (accounts.drop_duplicates("account_id")["segment"] == "B2B").mean() < 0.35


# The published driver ranking (docs, `arvo generate --help`, the marts' tests), written out: from the direct
# weights in structure.VALUE_WEIGHTS plus the path through the value ladder. A change of the weights that
# reorders it must change this table too.
PUBLISHED_DRIVERS = {
    "B2B": {
        "nps": ["economic", "functional", "emotional", "social", "symbolic"],
        "retention_12m": ["functional", "economic", "emotional", "social", "symbolic"],
        "expansion_12m": ["economic", "functional", "social", "emotional", "symbolic"],
    },
    "B2C": {
        "nps": ["emotional", "social", "symbolic", "functional", "economic"],
        "retention_12m": ["emotional", "symbolic", "social", "functional", "economic"],
        "expansion_12m": ["symbolic", "social", "emotional", "functional", "economic"],
    },
}


def test_true_drivers_are_the_published_ranking() -> None:
    assert {
        segment: {outcome: [f"value_{v}" for v in ranked] for outcome, ranked in outcomes.items()}
        for segment, outcomes in PUBLISHED_DRIVERS.items()
    } == TRUE_DRIVERS
    # The segments lean on different value: economic/functional for B2B, emotional/social/symbolic for B2C.
    for outcome in OUTCOMES:
        assert set(TRUE_DRIVERS["B2B"][outcome][:2]) == {"value_economic", "value_functional"}
        assert TRUE_DRIVERS["B2C"][outcome][0] in {"value_emotional", "value_social", "value_symbolic"}


def test_drawn_latents_carry_the_driver_weights() -> None:
    """Regress each outcome latent the generator draws on the latent value types: the coefficients (the
    total effects, direct and through the drawn ladder) rank the drivers as TRUE_DRIVERS does and are
    proportional to DRIVER_WEIGHTS, which are computed in closed form, not by drawing."""
    rng = np.random.default_rng(0)
    is_b2b = rng.random(100_000) < 0.5
    values, ladder = draw_latents(rng, is_b2b)
    for outcome in OUTCOMES:
        latent = outcome_latent(values, ladder, is_b2b, outcome)
        for segment, mask in (("B2B", is_b2b), ("B2C", ~is_b2b)):
            design = np.column_stack([np.ones(mask.sum()), values[mask]])
            effect = np.linalg.lstsq(design, latent[mask], rcond=None)[0][1:]
            ranked = [f"value_{VALUE_TYPES[i]}" for i in np.argsort(-effect)]
            assert ranked == TRUE_DRIVERS[segment][outcome], (segment, outcome, effect)
            weights = np.array([DRIVER_WEIGHTS[segment][outcome][v] for v in VALUE_TYPES])
            assert np.abs(effect / effect.max() - weights / weights.max()).max() < 0.02, (segment, outcome, effect)


def test_timestamps_come_in_utc_naive_and_offset_renderings(landing: Path) -> None:
    stamps = read(landing, "responses")["responded_at"]
    assert stamps.str.endswith("Z").mean() > 0.5
    assert stamps.str.contains(r"\+0[23]:00$").any()
    assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").any()


def test_second_versions_arrive_in_a_later_file(landing: Path) -> None:
    for entity in ("accounts", "contacts", "subscriptions"):
        df = read(landing, entity)
        key = ENTITIES[entity].key[0]
        files = df.groupby(key)["_file"].agg(["min", "max", "nunique"])
        versioned = files[files["nunique"] > 1]
        assert len(versioned) > 0, entity
        first = df.sort_values("_file").drop_duplicates(key).set_index(key)["updated_at"]
        last = df.sort_values("_file").drop_duplicates(key, keep="last").set_index(key)["updated_at"]
        changed = versioned.index
        as_utc = lambda s: pd.to_datetime(s, utc=True, format="ISO8601")  # noqa: E731
        assert (as_utc(last[changed]) > as_utc(first[changed])).all(), entity


def test_cli_generates_with_progress_per_entity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["generate", "--scale", "tiny", "--seed", "5", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for entity in ENTITIES:
        assert entity in printed
    assert list((tmp_path / "survey" / "responses").glob("responses_*.csv"))


def test_cli_help_explains_scales(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["generate", "--help"])
    text = capsys.readouterr().out
    for word in ("small", "medium", "large", "--seed", "--out", "byte-identical"):
        assert word in text


OUTCOME_SQL = """
with questions as (select * from {q}),
answers as (select * from {r}),
accounts as (select distinct account_id, segment from {a}),
subs as (
    select * from {s}
    qualify row_number() over (partition by subscription_id order by updated_at desc) = 1
),
invoices as (select * from {i} where amount > 0),
wide as (
    select a.response_id, a.account_id, c.segment, min(a.responded_at)::date as d,
        {pivot}
    from answers a join questions using (survey_id, question_id) join accounts c using (account_id)
    group by all
    having d <= date '{cutoff}'
),
running as (
    select distinct w.response_id
    from wide w join subs s on s.account_id = w.account_id
    where s.start_date <= w.d + 365 and coalesce(s.end_date, date '2999-01-01') >= w.d + 365
),
spend as (
    select w.response_id,
        count(*) filter (where i.invoice_date between w.d + 300 and w.d + 420) as orders_a_year_on,
        coalesce(sum(i.amount) filter (where i.invoice_date > w.d + 275 and i.invoice_date <= w.d + 365), 0)
            as spend_a_year_on,
        coalesce(sum(i.amount) filter (where i.invoice_date > w.d - 90 and i.invoice_date <= w.d), 0)
            as spend_before
    from wide w join invoices i on i.account_id = w.account_id
    group by all
)
select w.*,
    case when w.segment = 'B2B' then r.response_id is not null
        else coalesce(p.orders_a_year_on, 0) > 0 end as retained,
    coalesce(p.spend_a_year_on, 0) > 1.1 * coalesce(p.spend_before, 0) as expanded
from wide w
left join running r using (response_id)
left join spend p using (response_id)
"""


@pytest.fixture(scope="module")
def outcomes(landing: Path, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per response dated a year before the end: answers, ladder step reached, and what the
    customer did in the following 12 months (B2B: subscription running; B2C: ordering; expansion:
    spend in the 12th month-quarter above the quarter before the answer)."""
    constructs = [c for c in CONSTRUCTS if c != "comment"]
    pivot = ", ".join(f"max(answer_numeric) filter (where construct = '{c}') as {c}" for c in constructs)
    sql = OUTCOME_SQL.format(
        q=relation(landing, "questions"),
        r=relation(landing, "responses"),
        a=relation(landing, "accounts"),
        s=relation(landing, "subscriptions"),
        i=relation(landing, "invoices"),
        pivot=pivot,
        cutoff=END_DATE - 365,
    )
    df = con.sql(sql).df()
    reached = (df[list(LADDER_ORDER)].fillna(0) >= 4).astype(int).cumprod(axis=1)
    df["ladder_step"] = reached.sum(axis=1)
    df["retained"] = df["retained"].astype(int)
    df["expanded"] = df["expanded"].astype(int)
    return df


def _ranked(df: pd.DataFrame, outcome: str) -> tuple[list[str], dict[str, float]]:
    corr = {f"value_{v}": df[f"value_{v}"].corr(df[outcome]) for v in VALUE_TYPES}
    return sorted(corr, key=lambda d: -corr[d]), corr


@pytest.mark.parametrize("segment", SEGMENTS)
def test_observed_value_drives_nps_in_the_documented_order(outcomes: pd.DataFrame, segment: str) -> None:
    part = outcomes[outcomes["segment"] == segment]
    assert len(part) > 300
    ranked, corr = _ranked(part, "nps")
    truth = TRUE_DRIVERS[segment]["nps"]
    assert ranked[0] == truth[0], corr
    assert ranked[:3] == truth[:3] or set(ranked[:2]) == set(truth[:2]), corr
    assert corr[truth[0]] > corr[truth[-1]] + 0.2, corr


@pytest.mark.parametrize("segment", SEGMENTS)
def test_the_strongest_retention_driver_is_recoverable(outcomes: pd.DataFrame, segment: str) -> None:
    part = outcomes[outcomes["segment"] == segment]
    ranked, corr = _ranked(part, "retained")
    assert ranked[0] == TRUE_DRIVERS[segment]["retention_12m"][0], corr


@pytest.mark.parametrize("segment", SEGMENTS)
def test_the_strongest_expansion_driver_is_recoverable_among_retained(outcomes: pd.DataFrame, segment: str) -> None:
    part = outcomes[(outcomes["segment"] == segment) & (outcomes["retained"] == 1)]
    ranked, corr = _ranked(part, "expanded")
    assert ranked[0] == TRUE_DRIVERS[segment]["expansion_12m"][0], corr


@pytest.mark.parametrize("segment", SEGMENTS)
def test_higher_ladder_steps_retain_better_and_recommend_more(outcomes: pd.DataFrame, segment: str) -> None:
    part = outcomes[outcomes["segment"] == segment]
    low = part[part["ladder_step"] <= 1]
    high = part[part["ladder_step"] >= 4]
    assert len(low) > 50 and len(high) > 50
    assert high["retained"].mean() > low["retained"].mean() + 0.15
    assert high["nps"].mean() > low["nps"].mean() + 1.0
    assert part["experience"].sub(part["expectation"]).corr(part["ladder_step"]) > 0.2


def test_files_left_by_another_run_are_reported_or_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / "revenue" / "invoices" / "invoices_2020-01-01.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("invoice_id\n", encoding="utf-8")
    assert generate("tiny", 1, tmp_path).stale == [stale]
    assert stale.exists()
    interrupted = tmp_path / "crm" / "accounts" / "accounts_2020-01-01.csv.part"
    interrupted.write_text("account_id\n", encoding="utf-8")
    assert generate("tiny", 1, tmp_path, clean=True).stale == []
    assert not stale.exists() and not interrupted.exists()


def test_revenue_histories_hold_every_kind_of_movement(landing: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Upgrades, downgrades, churn, win-backs, overlapping add-ons, corrections and credit notes all occur."""
    subs = relation(landing, "subscriptions")
    latest = f"""
        select * from {subs}
        qualify row_number() over (partition by subscription_id order by updated_at desc) = 1
    """
    plans = ["starter", "team", "business", "enterprise"]
    rank = "case plan " + " ".join(f"when '{p}' then {i}" for i, p in enumerate(plans)) + " end"
    moves = con.sql(
        f"""
        with main as (select *, {rank} as tier from ({latest}) where plan in {tuple(plans)}),
        next as (
            select a.account_id, a.tier, b.tier as next_tier, b.start_date - a.end_date as gap_days
            from main a join main b on a.account_id = b.account_id and b.start_date > a.end_date
            qualify row_number() over (partition by a.subscription_id order by b.start_date) = 1
        )
        select
            count(*) filter (where gap_days = 1 and next_tier > tier) as upgrades,
            count(*) filter (where gap_days = 1 and next_tier < tier) as downgrades,
            count(*) filter (where gap_days > 60) as win_backs,
            (select count(*) from main m where end_date is not null
                and not exists (select 1 from main n where n.account_id = m.account_id
                    and n.start_date > m.end_date)) as churned_for_good,
            (select count(*) from ({latest}) a join main m on a.account_id = m.account_id
                and a.plan = 'analytics-addon' and a.start_date > m.start_date
                and a.start_date < coalesce(m.end_date, date '2999-01-01')
                and extract(day from a.start_date) > 1) as overlapping_addons
        from next
        """
    ).fetchone()
    assert all(n > 0 for n in moves), moves
    corrections = con.sql(
        f"""
        select count(*) from (
            select subscription_id from {subs} where end_date is null
            group by all having count(distinct mrr) > 1
        )
        """
    ).fetchone()[0]
    assert corrections > 0
    deals = read(landing, "deals")
    assert {"closed_won", "closed_lost"} <= set(deals["stage"])
    assert deals.loc[deals["stage"].isin(["closed_won", "closed_lost"]), "closed_at"].notna().all()
    assert deals.loc[~deals["stage"].str.startswith("closed"), "is_won"].isna().all()


def test_progress_is_reported_once_per_entity_in_order(tmp_path: Path) -> None:
    seen: list[str] = []
    summary = generate("tiny", 2, tmp_path, on_progress=lambda entity, rows, files, seconds: seen.append(entity))
    assert tuple(seen) == ENTITY_ORDER
    assert set(summary.rows) == set(ENTITIES) and all(summary.rows[e] > 0 for e in ENTITIES)


def test_a_negative_seed_is_a_usage_error_before_anything_is_written(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["generate", "--scale", "tiny", "--seed", "-1", "--out", str(tmp_path / "out")])
    assert stopped.value.code == 2
    assert "--seed must be a whole number of at least 0, got '-1'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_names_an_out_folder_it_cannot_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    assert cli.main(["generate", "--scale", "tiny", "--out", str(blocker / "landing")]) == 1
    out = capsys.readouterr().out
    assert "arvo generate: cannot write the data set: " in out and str(blocker) in out
    assert "Give --out a folder Arvo can write." in out
