-- Stories merged because a later article bridged them (etl/load/stories.py): the absorbed id is in
-- use no more, and every row that had it now carries `story_id`. Follow the chain when a
-- survivor was itself absorbed later (`current_story_id` does).
CREATE OR REPLACE TABLE story_merges AS
WITH RECURSIVE chain(absorbed_story_id, story_id, depth) AS (
    SELECT absorbed_story_id, story_id, 0 FROM lake_story_merges
    UNION ALL
    SELECT c.absorbed_story_id, m.story_id, c.depth + 1
    FROM chain AS c
    JOIN lake_story_merges AS m ON m.absorbed_story_id = c.story_id
    WHERE c.depth < 100
)
SELECT
    m.absorbed_story_id,
    m.story_id,
    (SELECT arg_max(c.story_id, c.depth) FROM chain AS c
     WHERE c.absorbed_story_id = m.absorbed_story_id) AS current_story_id,
    m.merged_at,
    m.run_id
FROM lake_story_merges AS m
ORDER BY m.merged_at, m.absorbed_story_id;
