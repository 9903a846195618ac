{#- Respondents matched to CRM: the account's segment and the contact's pseudonym. A response whose
    account is unknown to the CRM keeps a null segment (and is reported by a relationships test). -#}
with

responses as (

    select * from {{ ref('int_survey_responses_pivoted') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

final as (

    select
        responses.response_id,
        responses.survey_id,
        responses.account_id as customer_id,
        accounts.segment,
        contacts.contact_key,
        responses.responded_at,
        cast({{ dbt.date_trunc('month', 'responses.responded_at') }} as date) as response_month,
        {%- for construct in survey_constructs() %}
        responses.{{ construct }}{{ ',' if not loop.last }}
        {%- endfor %}
    from responses
    left join accounts
        on responses.account_id = accounts.account_id
    left join contacts
        on responses.contact_id = contacts.contact_id

)

select * from final
