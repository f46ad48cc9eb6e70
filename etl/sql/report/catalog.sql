-- The tables and columns the warehouse holds: the report adapts to what the build made
-- (topic categories and the fetch log arrive with later stages).
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = 'main';
