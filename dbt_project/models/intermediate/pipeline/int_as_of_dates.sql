-- the dates this build speaks of, for the serving snapshot's manifest and the report
with final as (
    select
        {{ arvo_as_of_date() }} as as_of_date,
        {{ arvo_clv_as_of_date() }} as clv_as_of_date
)

select * from final
