-- Whether the collection stage has logged anything yet (the table exists, empty, before).
SELECT count(*) AS log_rows
FROM fetch_log;
