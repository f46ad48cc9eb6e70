-- Rejects are narrow and have no key to merge by: read again whole at every load.
CREATE OR REPLACE TABLE rejects AS
SELECT * FROM lake_rejects;
