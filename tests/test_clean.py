from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import polars as pl

from etl.core.schema import ARTICLE_SCHEMA
from etl.core.urls import canonical_url, registered_domain
from etl.extract.bylines import lead_bylines
from etl.extract.page import RAW_ARTICLE_SCHEMA
from etl.transform.clean import (
    LANGUAGE_SAMPLE_CHARS,
    clean_articles,
    clean_authors,
    credited_authors,
    detect_agencies,
    detect_language,
)

TEXT = (
    "Washington (dpa) - US-Präsident Donald Trump will sich erneut mit Kremlchef Wladimir Putin "
    "treffen.\n  Das   Treffen soll in Budapest stattfinden, wie Trump nach einem Telefonat "
    "mitteilte.\n\n\nDer ukrainische Präsident wird am Freitag im Weißen Haus erwartet."
)


def raw_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {name: None for name in RAW_ARTICLE_SCHEMA.names}
    record.update(
        url="https://www.nachrichten-portal.de/politik/trump-putin-100.html?utm_source=rss",
        input_origin="test#0",
        fetched_at=datetime(2025, 10, 17, 6, tzinfo=UTC),
        title="  Trump kündigt   Treffen mit Putin in Budapest an ",
        text=TEXT,
        authors_raw=["Von Anna Beispiel und Max Muster, dpa"],
        topics_raw=["Diplomatie, Krieg", "USA", "usa", "Ukraine"],
        published_raw="2025-10-16T22:41:00+02:00",
        html_lang="de-DE",
    )
    record.update(overrides)
    return record


def clean(*records: dict[str, Any]) -> pl.DataFrame:
    return clean_articles(
        pl.DataFrame(records, schema=pl.DataFrame(RAW_ARTICLE_SCHEMA.empty_table()).schema)
    )


def test_cleaned_rows_follow_the_article_schema() -> None:
    frame = clean(raw_record())
    assert frame.to_arrow().schema.names == ARTICLE_SCHEMA.names


def test_time_is_stored_in_utc_with_the_original_offset_kept() -> None:
    row = clean(raw_record()).row(0, named=True)
    assert row["published_at"] == datetime(2025, 10, 16, 20, 41, tzinfo=UTC)
    assert row["published_offset_minutes"] == 120


def test_naive_time_and_bare_day_are_kept_without_an_offset() -> None:
    frame = clean(
        raw_record(published_raw="2025-10-16T22:41:00"),
        raw_record(url="https://www.example.com/b", published_raw="2025-10-16"),
    )
    assert frame["published_at"].to_list() == [
        datetime(2025, 10, 16, 22, 41, tzinfo=UTC),
        datetime(2025, 10, 16, tzinfo=UTC),
    ]
    assert frame["published_offset_minutes"].to_list() == [None, None]


def test_text_is_nfc_with_single_spaces_and_blank_lines_between_paragraphs() -> None:
    decomposed = unicodedata.normalize("NFD", TEXT)
    frame = clean(
        raw_record(text=decomposed, title=unicodedata.normalize("NFD", "Trump kündigt Treffen")),
        raw_record(url="https://www.example.de/b"),
    )
    row = frame.row(0, named=True)
    # Some pages come decomposed; stored text is NFC so that search, matching and exports
    # see one spelling of "ü".
    assert unicodedata.is_normalized("NFC", row["text"])
    assert unicodedata.is_normalized("NFC", row["title"])
    assert frame["content_hash"].n_unique() == 1
    assert row["text"].split("\n\n")[1].startswith("Das Treffen soll")
    assert "\n\n\n" not in row["text"] and "  " not in row["text"]
    assert row["title"] == "Trump kündigt Treffen"
    assert row["word_count"] == len(row["text"].split())


def test_keys_source_and_language() -> None:
    frame = clean(
        raw_record(),
        raw_record(url="https://www.nachrichten-portal.de/politik/trump-putin-100.html#kommentare"),
    )
    assert frame["article_id"].n_unique() == 1  # URL variants of one article share the key
    row = frame.row(0, named=True)
    assert row["canonical_url"] == "https://www.nachrichten-portal.de/politik/trump-putin-100.html"
    assert row["source"] == "nachrichten-portal.de"
    assert row["language"] == "de"
    assert row["agencies"] == ["dpa"]
    assert row["authors"] == ["Anna Beispiel", "Max Muster"]
    # Tags first; with no declared section or breadcrumb, the URL's section stands in.
    assert row["topics"] == ["Diplomatie", "Krieg", "USA", "Ukraine", "Politik"]
    assert row["topic_categories"] == ["politics", "world"]


def test_topics_merge_sources_and_drop_machine_noise() -> None:
    row = clean(
        raw_record(
            topics_raw=["Politik; Ausland", " politik ", "#Wahl", "topic/Europa"],
            keywords_raw=["seo, wort, liste"],
            sections_raw=["Politik/Ausland"],
            breadcrumbs_raw=["Nur wenn kein Ressort"],
            outlet_names=["Nachrichten-Portal"],
        ),
        raw_record(
            url="https://www.example.de/b.html",
            topics_raw=["98be933f-38cf-4fba-b6c6-ad438e82010a", "Category: Economy", "example.de"],
            breadcrumbs_raw=["Wirtschaft"],
        ),
        raw_record(url="https://www.example.de/c.html", topics_raw=[], keywords_raw=["Zinsen"]),
    )
    first, second, third = (row.row(i, named=True) for i in range(3))
    assert first["topics"] == ["Politik", "Ausland", "Wahl", "Europa"]
    # Breadcrumbs count only where the page declares no section.
    assert second["topics"] == ["Economy", "Wirtschaft"]
    assert second["topic_categories"] == ["economy"]
    # Plain keywords count only where the page has no tags.
    assert third["topics"] == ["Zinsen"]


def test_subject_code_lists_and_cms_flags_are_no_topics() -> None:
    codes = "AER,AERO,AIRL,AIRS08,CRSH,INDG08,MEAST,TGLF,ASIA"
    rows = clean(
        raw_record(topics_raw=[*codes.split(","), codes], sections_raw=["Aerospace & Defense"]),
        raw_record(
            url="https://www.example.de/b.html",
            topics_raw=["camping", "_commerce", "USA", "EU", "NATO", "UN", "G7", "Gipfel"],
        ),
    )
    first, second = (rows.row(i, named=True) for i in range(2))
    assert first["topics"] == ["Aerospace & Defense"]
    # Acronyms, even many, among words are topics.
    assert second["topics"] == ["camping", "USA", "EU", "NATO", "UN", "G7", "Gipfel"]
    # A namespaced code of the newsroom's system is none; a label with its value is.
    rows = clean(raw_record(topics_raw=["PACKAGE:US-TOP-NEWS", "RSBI:HUMAN-RIGHTS", "Middle East"]))
    assert "Middle East" in rows["topics"][0]
    assert not {"PACKAGE:US-TOP-NEWS", "RSBI:HUMAN-RIGHTS"} & set(rows["topics"][0])


def test_impossible_dates_are_dropped_with_a_flag() -> None:
    frame = clean(
        raw_record(published_raw="2031-01-01T10:00:00+01:00"),
        raw_record(url="https://www.example.de/b.html", published_raw="1970-01-01T00:00:00+00:00"),
        raw_record(url="https://www.example.de/c.html", modified_raw="2030-05-05T10:00:00Z"),
    )
    assert frame["published_at"].to_list()[:2] == [None, None]
    assert frame["published_offset_minutes"].to_list()[:2] == [None, None]
    assert frame["date_flags"].to_list() == [
        ["published_after_fetch"],
        ["published_before_1990"],
        ["modified_after_fetch"],
    ]
    assert frame["published_source"].to_list() == [None, None, None]
    assert frame["published_at"][2] is not None


def test_body_loses_headline_byline_credits_and_teasers_but_agencies_are_kept() -> None:
    text = "\n".join(
        [
            "Ukraine-Krieg",
            "Trump kündigt Treffen mit Putin in Budapest an",
            "Von Anna Beispiel",
            "Washington (dpa) - US-Präsident Donald Trump will sich mit Putin in Budapest treffen.",
            "Foto: Julia Demaree Nikhinson/AP/dpa",
            "Lesen Sie auch:",
            "- [Neue Ampel am Marktplatz](https://example.de/a.html)",
            "- [Baustelle auf der A3](https://example.de/b.html)",
            "Der ukrainische Präsident wird am Freitag im [Weißen Haus](https://x.de/w) erwartet.",
            "Der ukrainische Präsident wird am Freitag im Weißen Haus erwartet.",
            "[5 Kommentare]",
        ]
    )
    row = clean(
        raw_record(
            text=text,
            title_variants=["Trump kündigt Treffen mit Putin in Budapest an"],
            authors_raw=["Anna Beispiel"],
        )
    ).row(0, named=True)
    assert row["text"].split("\n\n") == [
        "Washington (dpa) - US-Präsident Donald Trump will sich mit Putin in Budapest treffen.",
        "Der ukrainische Präsident wird am Freitag im Weißen Haus erwartet.",
    ]
    assert row["agencies"] == ["dpa"]
    assert row["authors"] == ["Anna Beispiel"]


def test_registered_domain_uses_the_public_suffix_list() -> None:
    assert registered_domain("https://news.bbc.co.uk/a") == "bbc.co.uk"
    assert registered_domain("https://www.sn.at/x") == "sn.at"


def test_canonical_link_is_used_only_on_the_same_site() -> None:
    url = "https://www.example.de/a.html?utm_medium=feed"
    assert canonical_url(url, "https://www.example.de/artikel/a.html") == (
        "https://www.example.de/artikel/a.html"
    )
    assert canonical_url(url, "https://www.other.com/a.html") == "https://www.example.de/a.html"


def test_widget_labels_are_no_authors_and_a_posted_by_label_goes() -> None:
    assert clean_authors(["Posted By: Kiersten Hickman"]) == ["Kiersten Hickman"]
    assert clean_authors(["Back Pain: Quick Facts"]) == []
    assert clean_authors(["Blog Navigation WordPress Plugins: Related", "Most Popular Posts"]) == []
    assert clean_authors(["Most Popular Posts", "Anna Beispiel"]) == ["Anna Beispiel"]
    assert clean_authors([], ["Martina BergAutor"]) == ["Martina Berg"]
    assert clean_authors(["Anna Autor"]) == []  # a role, not glued: no name left to read


def test_form_labels_and_profile_links_are_no_authors_and_a_glued_by_goes() -> None:
    # A comment form's "Name *" and an author box's "Full Bio" link sit in elements marked
    # as the author's; a byline set in two elements reads "BySummer Swann" (issue 18).
    assert clean_authors([], ["Name *", "Anna Beispiel"]) == ["Anna Beispiel"]
    assert clean_authors([], ["Full Bio", "Anna Beispiel"]) == ["Anna Beispiel"]
    assert clean_authors([], ["BySummer Swann-"]) == ["Summer Swann"]
    assert clean_authors(["Byron Fields"]) == ["Byron Fields"]
    # A label glued to the names by its colon: "Authors:Jane Roe, Max Muster".
    assert clean_authors([], ["Authors:Jane Roe, Max Muster"]) == ["Jane Roe", "Max Muster"]


def test_a_bracket_after_a_name_is_not_part_of_it() -> None:
    # The agency, place or role a byline puts in brackets after a name (issue 18).
    assert clean_authors(["Paula Steiger (dpa)"]) == ["Paula Steiger"]
    assert clean_authors(["Anna Meier (Text) und Peter Huber (Fotos)"]) == [
        "Anna Meier",
        "Peter Huber",
    ]
    assert clean_authors(["Name (erforderlich)"]) == []
    # A bracket inside a name is the name's own.
    assert clean_authors(["Paramita (Guha) Ghosh"]) == ["Paramita (Guha) Ghosh"]


def test_authors_are_people_only() -> None:
    assert clean_authors(["By John Doe and Jane Roe", "Reuters", "Redaktion Politik"]) == [
        "John Doe",
        "Jane Roe",
    ]
    assert clean_authors(["By Eleanor Marsh, Foreign Affairs Editor"]) == ["Eleanor Marsh"]
    assert clean_authors(["Von unserer Redaktion"]) == []
    assert clean_authors(["Von Jana Krüger, dpa"]) == ["Jana Krüger"]
    assert clean_authors(["Capital Von Jemima Kelly"]) == ["Jemima Kelly"]
    assert clean_authors(["Michelle de Oliveira", "Twitter Facebook"]) == ["Michelle de Oliveira"]
    # The outlet, its publisher and names given with a web address are organisations.
    assert clean_authors(["Condé Nast", "Rachel Riederer"], [], ["Condé Nast"]) == [
        "Rachel Riederer"
    ]
    assert clean_authors(["Deutsche Welle (www.dw.com)", "Deutsche Welle"]) == []
    # The visible byline is read only where the metadata names no person: the first one.
    assert (
        clean_authors(["Stuttgarter Zeitung"], ["dpa", "Von Knut Krohn"], ["Stuttgarter Zeitung"])
        == []
    )
    assert clean_authors([], ["Von Katrin Albers", "Von Max Muster"]) == ["Katrin Albers"]
    assert clean_authors(["박준석 기자 외 1명"]) == ["박준석"]


def test_a_story_credited_to_no_person_keeps_the_organisation_it_names() -> None:
    assert credited_authors(["Von Jana Krüger, dpa"]) == (["Jana Krüger"], "person")
    assert credited_authors(["dpa", "Dpa"]) == (["dpa"], "organisation")
    assert credited_authors(["Guardian staff reporter", "Associated Press in Valencia"]) == (
        ["Guardian staff reporter"],
        "organisation",
    )
    assert credited_authors(["Deutsche Welle (www.dw.com)"]) == (["Deutsche Welle"], "organisation")
    # A wire agency in the byline says more than the outlet's own name in the metadata ...
    outlets = ["Stuttgarter Zeitung"]
    assert credited_authors(["Stuttgarter Zeitung"], ["Von dpa"], outlets) == (
        ["dpa"],
        "organisation",
    )
    # ... and the agency of the dateline ("Quelle: Reuters") does too.
    assert credited_authors([], [], outlets, [], ["Reuters"]) == (["Reuters"], "organisation")
    # The outlet's name is the last resort; JSON-LD organisation authors count as stated.
    assert credited_authors(["DER SPIEGEL"], [], ["DER SPIEGEL"]) == (
        ["DER SPIEGEL"],
        "organisation",
    )
    assert credited_authors([], [], ["Euronews"], ["Euronews"]) == (["Euronews"], "organisation")
    assert credited_authors([], [], [], ["読売新聞オンライン"]) == (
        ["読売新聞オンライン"],
        "organisation",
    )
    # Signatures, dates and nothing at all are no credit.
    assert credited_authors(["amw"], ["amw"], ["kicker"]) == ([], None)
    assert credited_authors(["12:20pm Jan 7, 2024"]) == ([], None)
    assert credited_authors(["Www Harbour-Tools De"]) == ([], None)
    assert credited_authors([]) == ([], None)


def test_a_person_whose_own_site_is_named_for_them_is_credited() -> None:
    # A blog on the author's surname (jane.roe-writes.net's label "roe") or named
    # "<name> Blog" credits that person ...
    assert credited_authors([], ["Jane Roe"], ["Whatever", "roe"]) == (["Jane Roe"], "person")
    assert credited_authors([], ["Jane Roe"], ["Jane Roe Blog"]) == (["Jane Roe"], "person")
    # ... while an account named for the outlet, or the outlet's own name, is no person.
    assert credited_authors([], ["Ilanga D"], ["ilanga"]) == ([], None)
    assert clean_authors([], ["Daily Courier"], ["Daily Courier"]) == []
    assert clean_authors([], ["Courier Online"], ["courier"]) == []


def test_a_byline_signed_by_the_outlet_itself_credits_the_outlet() -> None:
    outlets = ["Harbour Outfitters", "harbour-outfitters"]
    assert credited_authors([], ["By Harbour Outfitters"], outlets) == (
        ["Harbour Outfitters"],
        "organisation",
    )
    assert credited_authors([], ["Harbour Outfitters | October 15, 2025"], outlets) == (
        ["Harbour Outfitters"],
        "organisation",
    )
    # Another organisation's name, or a later byline, is not the outlet's signature.
    assert credited_authors([], ["By Acme Media Group"], outlets) == ([], None)
    assert credited_authors([], ["Share", "Harbour Outfitters"], outlets) == ([], None)


def test_a_job_title_after_the_name_is_not_part_of_it() -> None:
    assert clean_authors(["Jane Roe Founder"]) == ["Jane Roe"]
    assert clean_authors(["Jane Roe Former Harbour Consultant"]) == ["Jane Roe"]
    # Glued where the page sets them apart; a capital inside a surname stays.
    assert clean_authors(["Max CheckHead Winemaker"]) == ["Max Check"]
    assert clean_authors(["Jane BrandtExpert Reviewer"]) == ["Jane Brandt"]
    assert clean_authors(["Rachel MacDonald", "Mark SubbaRao"]) == [
        "Rachel MacDonald",
        "Mark SubbaRao",
    ]
    # A job title alone is no person.
    assert clean_authors(["Certified Pediatric Sleep Consultant"]) == []


def test_a_byline_read_from_its_parts_names_the_writer() -> None:
    # As metadata reads "<p>Mazi</p><small>December 19, 2025</small>".
    assert clean_authors(["Mazi"], ["Mazi December 19, 2025"]) == ["Mazi"]
    assert clean_authors([], ["Jane Roe December 17, 2025"]) == ["Jane Roe"]


def test_a_first_name_alone_in_the_metadata_is_the_writer() -> None:
    assert credited_authors(["Susan", "Susan"]) == (["Susan"], "person")
    # Where the first byline shows it, it comes before a later byline's full name ...
    assert clean_authors(["Kim"], ["Written by Kim", "Jane Roe"]) == ["Kim"]
    # ... otherwise the byline's full name comes first.
    assert clean_authors(["Heryadi"], ["Jane Roe"]) == ["Jane Roe"]
    # One-word parts of several credits are pieces of names; lower case is a handle;
    # "Anonymous" is no one.
    assert clean_authors(["Roy", "Aniruddha"]) == []
    assert clean_authors(["aawoods"]) == []
    assert credited_authors(["Anonymous"]) == ([], None)


def test_first_names_credited_together_are_each_a_writer() -> None:
    # A couple's blog: the two first names of the metadata, before any byline's words.
    assert clean_authors(
        ["Linny and Peter"], ["Written By Linny and Peter", "One Week in Japan: Kyoto, Mt. Fuji"]
    ) == ["Linny", "Peter"]
    assert clean_authors(["Anna & Tom"]) == ["Anna", "Tom"]
    # A name and a word that is no name are not two writers.
    assert clean_authors(["Anna and friends"]) == []


def test_the_author_is_a_label_not_a_name() -> None:
    assert clean_authors([], ["The Author", "Nicole Burke"]) == ["Nicole Burke"]


def test_a_byline_that_holds_its_date_still_names_the_person() -> None:
    assert clean_authors([], ["Jane Roe 4 August 2010"]) == ["Jane Roe"]
    assert clean_authors([], ["By Jane Roe on December 18, 2025, 9:46 pm"]) == ["Jane Roe"]
    assert clean_authors([], ["Anna Müller, 16. Oktober 2025"]) == ["Anna Müller"]
    # A name glued to a label, or set before one, or a second credit, is not read as a name.
    assert clean_authors([], ["Jane RoePublished December 3, 2024"]) == []
    assert clean_authors([], ["Max Muster Updated April 10, 2025"]) == []
    assert clean_authors([], ["By Jane Roe Updated by Max Muster Updated April 10, 2025"]) == []


def test_a_byline_crediting_a_desk_or_team_is_the_organisation_credit() -> None:
    assert credited_authors([], ["Harbour Staff"]) == (["Harbour Staff"], "organisation")
    assert credited_authors([], ["By the Acme Team"]) == (["the Acme Team"], "organisation")
    assert credited_authors([], ["Redaktion Kurier"]) == (["Redaktion Kurier"], "organisation")
    assert credited_authors([], ["Team Harbour September 4, 2025"]) == (
        ["Team Harbour"],
        "organisation",
    )
    assert credited_authors([], ["Harbour Team Nov 08, 2025 7 min read"]) == (
        ["Harbour Team"],
        "organisation",
    )
    # Only the first byline, and only a short one: later bylines are teasers' and comments'.
    assert credited_authors([], ["Share this", "Harbour Staff"]) == ([], None)
    # A newsroom in general names no desk.
    for byline in ("Von unserer Redaktion", "Our Team", "Staff"):
        assert credited_authors([], [byline]) == ([], None), byline
    assert credited_authors([], ["Thanks to our staff for all the help on 3 May"]) == ([], None)
    # A person named anywhere comes first.
    assert credited_authors([], ["Harbour Staff", "Jane Roe"]) == (["Jane Roe"], "person")


PROSE = "Der Stadtrat hat am Dienstag beschlossen, das Radwegenetz bis zum Jahr 2030 um " * 2


def test_a_byline_typed_as_the_first_paragraph_is_read() -> None:
    assert lead_bylines(f"Anna Beispiel\n{PROSE}") == ["Anna Beispiel"]
    assert lead_bylines(f"Kurz notiert\nANNA BEISPIEL/Max von Muster\n{PROSE}") == [
        "ANNA BEISPIEL/Max von Muster"
    ]
    assert lead_bylines(f"By Anna Beispiel and Max Muster\n{PROSE}") == [
        "By Anna Beispiel and Max Muster"
    ]


def test_headlines_kickers_and_subheadings_are_not_bylines() -> None:
    # A headline in title case, recognised by the page's statements of it.
    assert (
        lead_bylines(f"City Plans New Cycle Lanes\n{PROSE}", ["City Plans New Cycle Lanes"]) == []
    )
    # A kicker stands over the headline, not over the prose.
    assert lead_bylines(f"Middle East\nCeasefire talks resume in Cairo\n{PROSE}") == []
    # After the first paragraph of prose, a short capitalised line is a subheading.
    assert lead_bylines(f"{PROSE}\nNeue Pläne\n{PROSE}") == []
    # A sentence, a lone word, a role or a line of lower-case words is no name.
    for line in ("Anna Beispiel berichtet.", "Rathaus", "Redaktion Politik", "mehr zum thema"):
        assert lead_bylines(f"{line}\n{PROSE}") == [], line


def test_a_byline_paragraph_credits_people_over_the_outlets_account() -> None:
    outlets = ["Rheinland Kurier", "rheinland-kurier"]
    # "Rheinland D": a CMS account named for the outlet is no person ...
    assert credited_authors(["Rheinland D"], [], outlets) == (["Rheinland D"], "organisation")
    # ... so the byline typed into the body names the authors.
    assert credited_authors(["Rheinland D"], ["Rheinland D", "ANNA BEISPIEL"], outlets) == (
        ["ANNA BEISPIEL"],
        "person",
    )
    # A person who shares a word with the outlet's name stays a person.
    assert credited_authors(["Kurier Beispiel"], [], outlets) == (["Kurier Beispiel"], "person")


def test_author_kind_says_what_the_authors_column_lists() -> None:
    rows = clean(
        raw_record(),
        raw_record(url="https://example.de/b.html", authors_raw=[], text="Quelle: dpa\n" + TEXT),
        raw_record(url="https://example.de/c.html", authors_raw=[], text="Kein Hinweis.\n"),
    ).rows_by_key("url", named=True, unique=True)
    assert rows["https://example.de/b.html"]["authors"] == ["dpa"]
    assert rows["https://example.de/b.html"]["author_kind"] == "organisation"
    assert rows["https://example.de/c.html"]["authors"] == []
    assert rows["https://example.de/c.html"]["author_kind"] is None
    first = next(r for url, r in rows.items() if "nachrichten-portal" in url)
    assert (first["authors"], first["author_kind"]) == (["Anna Beispiel", "Max Muster"], "person")


def test_agencies_from_datelines_credits_and_bylines() -> None:
    assert detect_agencies("BERLIN (AFP/dpa) – Die Regierung ...", []) == ["AFP", "dpa"]
    assert detect_agencies("Der Text endet hier.\nQuelle: Reuters", []) == ["Reuters"]
    assert detect_agencies("Kein Hinweis auf eine Agentur.", ["Max Muster, dpa"]) == ["dpa"]
    assert detect_agencies("Sie sagte, sie sei sprachlos.", []) == []
    assert detect_agencies("Text.\nSDA/sep", []) == ["Keystone-SDA"]
    assert detect_agencies("Text.", ["APA/dpa"]) == ["APA", "dpa"]
    # A photo credit names the picture's agency, not the text's.
    assert detect_agencies("Text.\nFoto: Kay Nietfeld/dpa\nMehr Text.", []) == []
    assert detect_agencies("Text.", [], ["© APA/Johann Berger"]) == ["APA"]


def test_a_credit_of_a_person_and_an_agency_splits_into_author_and_agency() -> None:
    for credit in ("Paula Steiger, SDA", "Paula Steiger (SDA)", "Paula Steiger - SDA"):
        row = clean(raw_record(authors_raw=[credit])).row(0, named=True)
        assert row["authors"] == ["Paula Steiger"], credit
        assert "Keystone-SDA" in row["agencies"], credit
    assert clean_authors(["Anna Müller-Lüdenscheidt – dpa"]) == ["Anna Müller-Lüdenscheidt"]
    assert clean_authors(["Paramita (Guha) Ghosh"]) == ["Paramita (Guha) Ghosh"]
    assert clean_authors(["Name (erforderlich)"]) == []


def test_language_by_text_with_html_lang_as_tie_breaker() -> None:
    assert detect_language("The council met on Tuesday to discuss the new budget.", "de") == "en"
    assert detect_language("Der Rat tagte am Dienstag über den neuen Haushalt.", None) == "de"


def test_language_is_read_from_the_opening_of_the_text() -> None:
    # A German article with a long English appendix (a licence text, a reader's letter):
    # the opening names the language, and only the opening is read.
    german = " ".join(["Der Rat tagte am Dienstag über den neuen Haushalt der Stadt."] * 20)
    english = " ".join(["The council met on Tuesday to discuss the new city budget."] * 80)
    assert len(german) > LANGUAGE_SAMPLE_CHARS
    assert detect_language(f"{german}\n{english}", None) == "de"


def test_dropped_publication_dates_are_counted_for_the_run_summary() -> None:
    from etl.transform.clean import dropped_publication_dates

    frame = clean(
        raw_record(published_raw="2031-01-01T10:00:00+01:00"),
        raw_record(url="https://www.example.de/b.html"),
    )
    assert dropped_publication_dates(frame) == 1
