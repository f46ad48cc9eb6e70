-- Full-text search: BM25 over title and text, each article stemmed in its own language with
-- the FTS extension's Snowball stemmers. The index is kept in three tables laid out like the
-- extension's (docs, dict, postings) but stemmed per document language and refreshed
-- incrementally: only the articles in `loader_changed` are re-indexed. The stock
-- `create_fts_index` takes one stemmer per table and rebuilds everything, and its
-- `match_bm25` scores every row; `search_articles` reads only the query terms' postings.

-- Article language (ISO 639-1) to Snowball stemmer; other languages are indexed unstemmed.
CREATE OR REPLACE TABLE search_languages AS
SELECT * FROM (VALUES
    ('de', 'german'), ('en', 'english'), ('fr', 'french'), ('es', 'spanish'),
    ('it', 'italian'), ('nl', 'dutch'), ('pt', 'portuguese'), ('sv', 'swedish'),
    ('da', 'danish'), ('no', 'norwegian'), ('nb', 'norwegian'), ('fi', 'finnish'),
    ('hu', 'hungarian'), ('ro', 'romanian'), ('ru', 'russian'), ('tr', 'turkish'),
    ('el', 'greek'), ('ca', 'catalan'), ('id', 'indonesian'), ('ar', 'arabic')
) AS v(language, stemmer);

-- Words: runs of letters and digits, lower-cased (documents and queries alike).
CREATE OR REPLACE MACRO search_words(s) AS
    list_filter(regexp_split_to_array(lower(s), '[^\p{L}\p{N}]+'), w -> w <> '');

-- A word's index term: stemmed with the accents still there (the stemmers need them),
-- then accent-free so that "Kiew" finds "Kiéw" and "Zurich" finds "Zürich".
CREATE OR REPLACE MACRO search_term(word, stemmer) AS strip_accents(stem(word, stemmer));

-- Take the changed articles out of the index ...
DELETE FROM search_postings
WHERE docid IN (
    SELECT docid FROM search_docs WHERE article_id IN (SELECT article_id FROM loader_changed)
);
DELETE FROM search_docs WHERE article_id IN (SELECT article_id FROM loader_changed);

-- ... and put their new versions back in, with fresh document ids.
CREATE OR REPLACE TEMP TABLE loader_search_docs AS
SELECT
    (SELECT coalesce(max(docid) + 1, 0) FROM search_docs)
        + (row_number() OVER (ORDER BY a.article_id) - 1)::INTEGER AS docid,
    a.article_id,
    coalesce(l.stemmer, 'none') AS stemmer,
    a.published_date,
    a.source,
    a.language,
    a.title,
    a.url,
    a.story_id
FROM articles AS a
SEMI JOIN loader_changed USING (article_id)
LEFT JOIN search_languages AS l USING (language);

CREATE OR REPLACE TEMP TABLE loader_search_words AS
SELECT docid, stemmer, word, count(*)::INTEGER AS tf
FROM (
    SELECT d.docid, d.stemmer, unnest(search_words(concat_ws(' ', a.title, a.text))) AS word
    FROM loader_search_docs AS d
    JOIN articles AS a USING (article_id)
)
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE loader_search_lengths AS
SELECT docid, sum(tf)::INTEGER AS len FROM loader_search_words GROUP BY docid;

INSERT INTO search_docs BY NAME
SELECT d.*, coalesce(w.len, 0)::INTEGER AS len
FROM loader_search_docs AS d
LEFT JOIN loader_search_lengths AS w USING (docid);

-- Distinct words are far fewer than words: stem each once.
CREATE OR REPLACE TEMP TABLE loader_search_vocabulary AS
SELECT stemmer, word, search_term(word, stemmer) AS term
FROM (SELECT DISTINCT stemmer, word FROM loader_search_words);

-- New terms are appended in term order: after a full build the whole dictionary is sorted,
-- and a lookup reads only the row groups whose min/max can hold the term.
INSERT INTO search_dict
SELECT (SELECT coalesce(max(termid) + 1, 0) FROM search_dict)
           + (row_number() OVER (ORDER BY term, stemmer) - 1)::INTEGER AS termid,
       stemmer, term
FROM (
    SELECT DISTINCT stemmer, term FROM loader_search_vocabulary
    EXCEPT
    SELECT stemmer, term FROM search_dict
)
ORDER BY termid;

-- Sorted by term, so that a term's postings sit together and a search reads only the row
-- groups that hold them (DuckDB skips the others by their min/max).
INSERT INTO search_postings
SELECT d.termid, w.docid, sum(w.tf)::INTEGER AS tf, any_value(l.len) AS len
FROM loader_search_words AS w
JOIN loader_search_vocabulary AS v USING (stemmer, word)
JOIN search_dict AS d USING (stemmer, term)
JOIN loader_search_lengths AS l USING (docid)
GROUP BY d.termid, w.docid
ORDER BY d.termid, w.docid;

CREATE OR REPLACE TABLE search_stats AS
SELECT count(*) AS num_docs, coalesce(avg(len), 0) AS avgdl FROM search_docs;

-- search_articles(query, since, until, source, topic, language, all_terms, max_rows):
-- ranked matches, best first. BM25 with the FTS extension's formula and defaults (its log is
-- base 10; k = 1.2, b = 0.75); the query is stemmed once per stemmer and each stem is looked up
-- among the documents of that stemmer only. `all_terms := true` keeps only documents that
-- contain every query word.
CREATE OR REPLACE MACRO search_articles(
    query,
    since := NULL,
    until := NULL,
    source := NULL,
    topic := NULL,
    language := NULL,
    all_terms := false,
    max_rows := 20
) AS TABLE
WITH
query_words AS (
    SELECT DISTINCT unnest(search_words(query)) AS word
),
query_terms AS (
    SELECT DISTINCT g.stemmer, search_term(q.word, g.stemmer) AS term
    FROM query_words AS q
    CROSS JOIN (SELECT DISTINCT stemmer FROM search_docs) AS g
),
wanted AS (
    SELECT d.termid, d.stemmer
    FROM query_terms AS q
    JOIN search_dict AS d USING (stemmer, term)
),
postings AS (
    SELECT p.termid, p.docid, p.tf, p.len
    FROM search_postings AS p
    WHERE p.termid IN (SELECT termid FROM wanted)
),
term_df AS (
    SELECT termid, count(*) AS df FROM postings GROUP BY termid
),
scored AS (
    SELECT
        p.docid,
        count(*) AS matched,
        sum(
            log((st.num_docs - f.df + 0.5) / (f.df + 0.5) + 1)
            * p.tf * 2.2 / (p.tf + 1.2 * (0.25 + 0.75 * p.len / st.avgdl))
        ) AS score
    FROM postings AS p
    JOIN term_df AS f USING (termid)
    CROSS JOIN search_stats AS st
    GROUP BY p.docid
),
hits AS (
    SELECT s.docid, s.score, d.published_date, d.article_id
    FROM scored AS s
    JOIN search_docs AS d USING (docid)
    WHERE (since IS NULL OR d.published_date >= CAST(since AS DATE))
      AND (until IS NULL OR d.published_date <= CAST(until AS DATE))
      AND (source IS NULL OR d.source = source)
      AND (language IS NULL OR d.language = language)
      AND (topic IS NULL OR d.article_id IN (
          SELECT t.article_id FROM article_topics AS t WHERE lower(t.topic) = lower(topic)
      ))
      AND (NOT all_terms OR s.matched = (
          SELECT count(DISTINCT q.term) FROM query_terms AS q WHERE q.stemmer = d.stemmer
      ))
    ORDER BY s.score DESC, d.published_date DESC, d.article_id
    LIMIT max_rows
)
-- Ranked on the narrow columns first; titles and URLs are read for the kept rows only.
-- Qualified: unqualified `source` and `language` would be this macro's parameters.
SELECT
    h.score,
    h.published_date,
    d.source AS source,
    d.title,
    d.url,
    d.language AS language,
    h.article_id,
    d.story_id
FROM hits AS h
JOIN search_docs AS d USING (docid)
ORDER BY h.score DESC, h.published_date DESC, h.article_id;
