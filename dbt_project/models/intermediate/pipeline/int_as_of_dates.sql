-- the dates this build speaks of, read from the data once: every as-of model reads them from here
-- (macros arvo_as_of_date, arvo_clv_as_of_date), as do the serving snapshot's manifest and the report
with final as (
    select
        {{ arvo_as_of_date(from_data=true) }} as as_of_date,
        {{ arvo_clv_as_of_date(from_data=true) }} as clv_as_of_date
)

select * from final
