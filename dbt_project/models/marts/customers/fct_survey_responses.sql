{#- One row per survey response given on or before the as-of date (arvo_as_of_date(), the last day the
    marts speak of; fct_mrr has no month after it either).

    counts_in_nps: NPS counts respondents, each once per month, with its latest NPS answer of the month
    (a person answering twice is one opinion, not two independent observations: counted twice it
    would weigh double and narrow the margin of error). The respondent is the contact (contact_key);
    without a known contact a B2C account (a person) is the respondent, and a B2B response stands
    alone (it cannot be told apart from a colleague's). -#}
with

responses as (

    select * from {{ ref('int_survey_responses_matched') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

as_of as (

    select {{ arvo_as_of_date() }} as as_of_date

),

responses_to_date as (

    select responses.*
    from responses
    cross join as_of
    where cast(responses.responded_at as date) <= as_of.as_of_date

),

scored as (

    select
        responses.response_id,
        responses.survey_id,
        responses.customer_id,
        responses.segment,
        responses.contact_key,
        responses.responded_at,
        responses.response_month,
        cast(nps as {{ type_double() }}) as nps_score,
        {{ nps_category('nps') }} as nps_category,
        {%- for construct in value_types() + ladder_steps() %}
        cast({{ construct }} as {{ type_double() }}) as {{ construct }},
        {%- endfor %}
        {{ ladder_step() }} as ladder_step,
        cast(expectation as {{ type_double() }}) as expectation,
        cast(experience as {{ type_double() }}) as experience,
        cast({{ promise_gap('experience', 'expectation') }} as {{ type_double() }}) as promise_gap,
        cast(coalesce(mrr.mrr_eur, 0) as {{ type_double() }}) as response_mrr_eur
    from responses_to_date as responses
    left join mrr
        on responses.customer_id = mrr.customer_id
        and responses.response_month = mrr.month

),

nps_respondents as (

    select
        response_id,
        row_number() over (
            partition by
                response_month,
                contact_key,
                case when contact_key is null and segment = 'B2C' then customer_id end,
                case when contact_key is null and coalesce(segment, '') <> 'B2C' then response_id end
            order by responded_at desc, response_id desc
        ) = 1 as is_latest_in_month
    from scored
    where nps_score is not null

),

final as (

    select
        scored.response_id,
        survey_id,
        customer_id,
        contact_key,
        responded_at,
        response_month,
        nps_score,
        nps_category,
        {%- for construct in value_types() + ladder_steps() %}
        {{ construct }},
        {%- endfor %}
        cast(ladder_step as integer) as ladder_step,
        expectation,
        experience,
        promise_gap,
        segment,
        cast({{ value_index('segment') }} as {{ type_double() }}) as value_index,
        {{ ladder_position('ladder_step') }} as ladder_position,
        response_mrr_eur,
        coalesce(nps_respondents.is_latest_in_month, false) as counts_in_nps
    from scored
    left join nps_respondents
        on scored.response_id = nps_respondents.response_id

)

select * from final
