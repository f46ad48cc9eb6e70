-- The first and last day in the warehouse: the default report window ends at the last day with
-- an article or a reject (rejects are counted by the day they were fetched, which can be later).
SELECT
    min(published_date) AS first_day,
    greatest(max(published_date), (SELECT max(fetched_date) FROM rejects)) AS last_day
FROM articles;
