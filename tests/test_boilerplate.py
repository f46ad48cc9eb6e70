from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import etl.core.rules_table as rules_table
from etl.core.rules_table import (
    RulesError,
    check_rule,
    heads_teaser_block,
    load_rules,
    open_repetitions,
    rule_matches,
    without_word_boundaries,
)
from etl.transform.boilerplate import describe_rules, matching_rules, strip_boilerplate

# Lines of prose that use the words the rules look for; none of them is furniture.
PROSE = [
    "Gestern hat der Stadtrat beschlossen, die Brücke bis Ende März zu sperren.",
    "Von Donnerstag an gilt auf der A3 ein Tempolimit von 80 Kilometern pro Stunde.",
    "Netflix raises its subscription price to $17.99 a month, the company said on Tuesday.",
    "Die Inflation lag im September bei 2,1 Prozent (Quelle: Statistisches Bundesamt).",
    "The app lets users read the news offline and share articles with friends.",
    "Related to this, the minister said the budget would be presented next week.",
    "Websites use cookies to track users, the data protection authority warned.",
    "Copyright law in the EU changed in 2019 after a long debate in parliament.",
    "Captchas ask users to enter the code shown in an image, which bots find hard to read.",
    "Verwandte Themen wie Mieten und Baukosten beschäftigen den Stadtrat seit Jahren.",
    "Der Unfall geschah vor 2 Tagen auf der Landstraße bei Kassel.",
    "Reporters asked the mayor whether the plan would be delayed again.",
    "»Wir sind bereit!«, schrieb Orban auf der Plattform X am späten Abend.",
    "Das Ergebnis: 43 Prozent der Befragten lehnen den Plan ab, 41 Prozent sind dafür.",
    "Shared features like logins and push notifications are built once for every platform.",
    "This plan is adapted from the training plans in our app that coaches wrote for runners.",
    "Bild: So sieht der neue Bahnhof aus, wenn er im Jahr 2030 fertig ist, sagt die Bahn, "
    "und die Kosten steigen weiter, weil die Planung mehrmals geändert wurde und Firmen fehlen "
    "und weil die Stadt zusätzliche Wünsche hatte, die nun umgesetzt werden müssen.",
]
FURNITURE = [
    "Foto: Julia Demaree Nikhinson/AP/dpa",
    "(Archivbild)",
    "Externer Inhalt nicht verfügbar",
    "[23 Kommentare]",
    "12 comments",
    "Share on Facebook",
    "Artikel drucken",
    "Fehler entdeckt? Jetzt melden.",
    "Lesen Sie auch: Neue Ampel am Marktplatz",
    "Subscribe for $1 a week",
    "Sign up for The Morning Ledger",
    "Wir und unsere Partner verwenden Cookies",
    "Aktualisiert: 16.10.2025, 14:03 Uhr",
    "Lesedauer: 4 Minuten",
    "Neue Ampel am Marktplatz vor 14 Minuten",
    "Anzeige",
    "© dpa-infocom, dpa:251016-930-123456/2",
    "SDA/sep",
    "Von Jana Krüger, dpa",
    "Reporting by Anna Beispiel in Berlin; Editing by Max Muster",
    ">> Hier finden Sie alle Termine im Überblick",
    "Styling: KATE PHELAN",
    "Schlagwörter zu diesem Artikel",
    "Mit * gekennzeichnete Links sind Affiliate-Links.",
    "Ausgabe vom 26.04.2024, Seite 1 / Titel",
    "Testen Sie die Zeitung zwei Wochen lang. Das Angebot endet automatisch.",
    "- シェア",
    "Privacy Policy.",
    "Terms and Conditionsand",
    "blog comments powered by Disqus",
    "https://x.com/POTUS/status/1810478997442101422?lang=de",
    "2025年1月13日 20時01分",
    "Table of Contents",
    "Inhaltsverzeichnis anzeigen",
    "記事をマイページに保存できます。ご利用には会員登録が必要です。",
    "Your subscription failed. Please check your e-mail address.",
    "Thank you for subscribing!",
    "Bitte geben Sie hier den oben gezeigten Sicherheitscode ein.",
    "Vielen Dank für Ihre Anmeldung.",
    "Verwandte Themen auf unserem Blog:",
    "Related posts from our archive:",
]


def run(lines: list[str], url: str | None = None, **columns: list[str]) -> list[str]:
    frame = pl.DataFrame(
        {
            "url": [url],
            "text": ["\n".join(lines)],
            "title_variants": [columns.get("titles", [])],
            "people": [columns.get("people", [])],
            "captions_raw": [columns.get("captions", [])],
        },
        schema={
            "url": pl.String,
            "text": pl.String,
            "title_variants": pl.List(pl.String),
            "people": pl.List(pl.String),
            "captions_raw": pl.List(pl.String),
        },
    )
    return list(strip_boilerplate(frame)["text"][0].split("\n\n"))


def test_the_rule_table_loads_and_documents_every_rule() -> None:
    rules = describe_rules()
    assert len(rules) >= 20
    assert all(rule["example"] for rule in rules)
    assert {rule["action"] for rule in rules} == {"drop", "drop_block"}


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines_go(line: str) -> None:
    assert run(["Der erste Absatz des Artikels ist hier.", line]) == [
        "Der erste Absatz des Artikels ist hier."
    ]


def test_prose_with_trigger_words_stays() -> None:
    assert run(PROSE) == PROSE


def test_headline_kicker_and_byline_repeated_in_the_body_go() -> None:
    lines = [
        "Ukraine-Krieg",
        "Ukraine-KriegTrump kündigt Treffen mit Putin in Budapest an",
        "Anna Beispiel",
        "Washington - Der Text beginnt.",
        "Trump kündigt Treffen mit Putin in Budapest an",
    ]
    kept = run(
        lines,
        titles=["Trump kündigt Treffen mit Putin in Budapest an"],
        people=["Anna Beispiel"],
    )
    assert kept == ["Washington - Der Text beginnt."]


def test_a_byline_the_text_glues_together_goes_as_the_byline_read_apart() -> None:
    # The page sets name and label in elements of their own: metadata reads them apart,
    # the extracted text glues them.
    lines = ["Anna BeispielAutorin", "Washington - Der Text beginnt."]
    assert run(lines, people=["Anna Beispiel Autorin"]) == ["Washington - Der Text beginnt."]


def test_a_picture_caption_in_the_body_goes_but_a_sentence_used_as_alt_text_stays() -> None:
    sentence = "Only nine of these pairs have been matched, leaving millions of bills out there."
    lines = ["Der Text beginnt.", "Dicke Ausrüstung und schweres Gerät", sentence, "Er endet."]
    kept = run(lines, captions=["Dicke Ausrüstung und schweres Gerät", sentence])
    assert kept == ["Der Text beginnt.", sentence, "Er endet."]


def test_link_lists_and_read_more_blocks_go_but_prose_with_links_stays() -> None:
    lines = [
        "Der [Stadtrat](https://example.de/rat) hat am Dienstag getagt und viel beschlossen.",
        "- [Neue Ampel am Marktplatz](https://example.de/a.html)",
        "Mehr zum Thema",
        "- Ein Punkt ohne Link, der aber zum Block gehört",
        "Der letzte Absatz.",
        "Der letzte Absatz.",
    ]
    assert run(lines) == [
        "Der Stadtrat hat am Dienstag getagt und viel beschlossen.",
        "Der letzte Absatz.",
    ]


def test_link_lines_pointing_to_other_sites_are_the_articles_own() -> None:
    lines = [
        "Drei Modelle haben uns im Test überzeugt, und eines davon war sogar günstig.",
        "1. [Kaffeemühle Deluxe](https://shop.example.com/muehle)",
        "- [Fix a crash in the parser](https://github.com/example/tool/pull/12)",
        "Registration: [https://summit.example.org/](https://summit.example.org/)",
        "- [Neue Ampel am Marktplatz](https://www.example.de/a.html)",
        "[Mehr aus der Stadt](https://example.de/stadt/)",
        "Der letzte Absatz.",
    ]
    assert run(lines, url="https://www.example.de/test-kaffeemuehlen.html") == [
        "Drei Modelle haben uns im Test überzeugt, und eines davon war sogar günstig.",
        "1. Kaffeemühle Deluxe",
        "- Fix a crash in the parser",
        "Registration: https://summit.example.org/",
        "Der letzte Absatz.",
    ]


def test_links_into_the_page_itself_or_to_a_document_are_no_teasers() -> None:
    page = "https://www.example.org/guide/learn-the-cello/"
    lines = [
        "- [Choosing an instrument](https://www.example.org/guide/learn-the-cello/#choosing)",
        "- [Finding a teacher](https://www.example.org/guide/learn-the-cello#teacher)",
        "Learning an instrument takes patience, and a good teacher makes all the difference.",
        "[Choosing an instrument](https://www.example.org/guide/learn-the-cello/#choosing)",
        "Start with a rented cello before you buy one of your own.",
        "[Practice plan for beginners (pdf)](https://www.example.org/files/plan.pdf)",
        "- [More guides for musicians](https://www.example.org/guide/)",
        "[Skip Advertisement](https://www.example.org/guide/learn-the-cello/#after-ad)",
        # An FAQ's question opens its answer on the page itself; a sign-in link is no question.
        f"[How long does it take to learn?]({page})",
        "Most adults play simple pieces after a year of weekly lessons.",
        f"[Sign in to rate this guide]({page})",
        "The last paragraph.",
    ]
    assert run(lines, url=page) == [
        "- Choosing an instrument",
        "- Finding a teacher",
        "Learning an instrument takes patience, and a good teacher makes all the difference.",
        "Choosing an instrument",
        "Start with a rented cello before you buy one of your own.",
        "Practice plan for beginners (pdf)",
        "How long does it take to learn?",
        "Most adults play simple pieces after a year of weekly lessons.",
        "The last paragraph.",
    ]


def test_a_sentence_of_its_own_words_around_its_links_is_prose_not_a_teaser() -> None:
    site = "https://www.example.com"
    lines = [
        "Our ten favourite hotel brands, with the one hotel of each we would go back to.",
        f"- The hotel features in my lists of the [best hotels in Lisbon]({site}/lisbon/) and "
        f"the [most stunning rooftop pools]({site}/pools/).",
        f"- Read my [review of this property]({site}/review-alfama/).",
        f"- [The best new hotels of the year]({site}/new-hotels/)",
        f"[Where to stay in Porto: our guide to the city]({site}/porto/)",
        "The last paragraph.",
    ]
    assert run(lines, url=f"{site}/best-hotel-brands/") == [
        "Our ten favourite hotel brands, with the one hotel of each we would go back to.",
        "- The hotel features in my lists of the best hotels in Lisbon and the most stunning "
        "rooftop pools.",
        "The last paragraph.",
    ]


def test_a_link_the_sentence_goes_on_after_is_a_phrase_of_the_article() -> None:
    site = "https://www.example.net"
    lines = [
        "Two weeks before the wedding, a few last things are left to do.",
        f"- [Pack for the honeymoon]({site}/honeymoon-list/) or a short trip away",
        f"- [Timeline of the day]({site}/timeline/) and the order of the speeches.",
        f"- [Wedding cakes we loved this year]({site}/cakes/) Gallery",
        f"- [Ten venues by the sea]({site}/venues/)",
        "The last paragraph.",
    ]
    assert run(lines, url=f"{site}/wedding-checklist/") == [
        "Two weeks before the wedding, a few last things are left to do.",
        "- Pack for the honeymoon or a short trip away",
        "- Timeline of the day and the order of the speeches.",
        "The last paragraph.",
    ]


def test_a_linked_step_of_a_list_of_plain_steps_is_the_articles_own() -> None:
    site = "https://www.example.net"
    lines = [
        "Twelve months before the wedding:",
        "- Set a date",
        f"- [Draw up a budget]({site}/wedding-budget/)",
        "- Choose your venue",
        "- Start a guest list",
        "The last paragraph.",
        f"- [Wedding cakes we loved]({site}/cakes/)",
        f"- [Ten venues by the sea]({site}/venues/)",
        "- Our newsletter",
        "inkl. MwSt. zzgl. Versandkosten",
    ]
    assert run(lines, url=f"{site}/wedding-checklist/") == [
        "Twelve months before the wedding:",
        "- Set a date",
        "- Draw up a budget",
        "- Choose your venue",
        "- Start a guest list",
        "The last paragraph.",
        "- Our newsletter",
    ]


def test_a_list_item_repeated_among_new_items_is_a_step_of_each_entry() -> None:
    warm_up = "- Warm up: 15 minutes of easy jogging, then five short strides."
    lines = [
        "The plan has three sessions a week for ten weeks.",
        "Tuesday: intervals",
        warm_up,
        "- Six times 800 metres at race pace, two minutes of rest between.",
        "Thursday: tempo run",
        warm_up,
        "- Twenty minutes at a comfortably hard effort.",
        "Rest well between the sessions, and sleep eight hours if you can.",
        "- [Ten tips for your first marathon](https://example.org/tips/)",
        "- [What to eat before a long run](https://example.org/food/)",
        "Rest well between the sessions, and sleep eight hours if you can.",
        "- Ten tips for your first marathon",
        "- What to eat before a long run",
        "The last paragraph.",
    ]
    # The plan keeps both warm-ups; the teasers go, and so does their block printed again.
    assert run(lines, url="https://example.org/plan/") == [*lines[:8], lines[-1]]


def test_the_headline_repeated_with_an_outlet_affix_goes_with_the_lines_above_it() -> None:
    lines = [
        "Stadt plant neue Radwege | Rheinland Kurier aktuell",
        "02:57 Min.. Verfügbar bis 06.05.2024.",
        "Stadt plant neue Radwege",
        "Die Stadt hat am Dienstag neue Pläne vorgestellt.",
    ]
    kept = run(lines, titles=["Stadt plant neue Radwege"])
    assert kept == ["Die Stadt hat am Dienstag neue Pläne vorgestellt."]


def test_a_list_item_heading_a_list_of_sources_goes_with_the_items_after_it() -> None:
    lines = [
        "Der letzte Absatz des Artikels.",
        "- Eigene Recherchen",
        "- nytimes.com: Behind the Seized Tanker (Englisch)",
        "- wsj.com: U.S. Forces Seize Fleeing Tanker (Englisch)",
    ]
    assert run(lines) == ["Der letzte Absatz des Artikels."]


def test_a_repeated_label_heading_each_entry_of_a_list_stays() -> None:
    lines = [
        "Alpha Tent",
        "Pros:",
        "- Light and quick to pitch.",
        "Beta Tent",
        "Pros:",
        "- Roomy enough for three people.",
        "Both tents were tested in the rain.",
        "Both tents were tested in the rain.",
        "|---|---|",
        "|---|---|",
        "Gamma Tent",
        "Delta Tent",
        "Gamma Tent",
        "Delta Tent",
    ]
    assert run(lines) == [*lines[:7], "|---|---|", "Gamma Tent", "Delta Tent"]


def test_a_read_more_label_beside_a_teaser_link_goes_without_a_separator() -> None:
    lines = [
        "Le conseil municipal a voté mardi la fermeture du vieux pont pour des travaux.",
        "À lire aussi [La ville refait ses trottoirs](https://www.example.fr/ville/trottoirs-1)",
        "Les travaux doivent durer six semaines.",
    ]
    assert run(lines, url="https://www.example.fr/ville/pont-2") == [lines[0], lines[2]]


def test_a_long_line_repeated_goes_in_scripts_without_spaces() -> None:
    line = (
        "市の担当者によると、工事は夜間にも行われ、"
        + "周辺の道路は一部が通行止めになる見込みだという"
    )
    lines = ["東京都は13日、新しい橋の建設計画を発表した。", line, "計画は来年に始まる。", line]
    assert run(lines) == lines[:3]


def test_a_text_that_is_all_furniture_is_kept_rather_than_emptied() -> None:
    assert run(["Anzeige", "12 comments"]) == ["Anzeige", "12 comments"]


def test_a_rule_that_does_not_match_its_example_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "rules.toml"
    table.write_text(
        '[[rule]]\nname = "x"\naction = "drop"\npattern = "foo"\nexample = "bar"\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="does not match its own example"):
        load_rules(table)
    table.write_text(
        '[[rule]]\nname = "x"\naction = "keep"\npattern = "foo"\nexample = "foo"\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="action"):
        load_rules(table)


def test_every_shipped_rule_compiles_and_matches_its_own_example() -> None:
    # load_rules() leaves the shipped table to this test: each rule alone.
    for rule in load_rules():
        check_rule(rule, "etl/rules/boilerplate.toml")


def test_rules_pick_candidates_without_word_boundaries_and_decide_with_them() -> None:
    assert without_word_boundaries(r"\bwir\b.*\Bx") == "wir.*x"
    assert without_word_boundaries(r"a\\b\b{start}c") == r"a\\b\b{start}c"
    rules = {rule.name: rule.pattern for rule in load_rules()}
    assert r"\b" in rules["newsletter_prompt"]
    # The pattern without its boundaries takes both lines; the boundary before "anmelden"
    # (none inside "voranmelden", ä and ü being letters too) keeps the prose.
    prose = "Für den Newsletter müssen sich Interessierte in Zukunft nicht mehr voranmelden."
    pitch = "Für den Newsletter können Sie sich hier anmelden."
    assert run(["Der erste Absatz des Artikels ist hier.", prose, pitch]) == [
        "Der erste Absatz des Artikels ist hier.",
        prose,
    ]


def test_the_lines_of_a_sign_up_form_go_and_prose_about_a_newsletter_stays() -> None:
    lines = [
        "Der Verein verschickt seinen Newsletter künftig nur noch einmal im Monat.",
        "Newsletter",
        "Bitte wählen Sie einen Newsletter aus.",
        "E-Mail-Adresse",
        "abschicken",
        "mit * gekennzeichnete Felder bitte ausfüllen",
        "Submit",
        "* Required fields are marked with an asterisk",
    ]
    assert run(lines) == [lines[0], "E-Mail-Adresse"]


def test_a_link_label_to_another_website_goes_and_a_sentence_naming_one_stays() -> None:
    lines = [
        "Zur Website von Sportgeschäft Muster",
        "Visit website",
        "Zur Website des Museums geht es über den Link unten, dort stehen auch die Öffnungszeiten.",
    ]
    assert run(lines) == [lines[2]]


def test_the_authors_biography_at_the_end_goes_but_earlier_lines_about_them_stay() -> None:
    story = [
        "Anna Roe is the name the neighbours still use for the old mill by the river.",
        "The mill closed in 1972, and the town bought it ten years later.",
        "Restoring it will take until the summer, the council said on Monday.",
        "The first visitors are expected in August, when the wheel turns again.",
        "Tickets will be sold at the town hall only.",
    ]
    bio = [
        "Anna Roe is a reporter covering local government and the environment.",
        "She holds a degree in journalism from the state university.",
    ]
    kept = run([*story, *bio], people=["By Anna Roe"])
    assert kept == story
    # Someone the page does not credit, introduced at the end, is the story's own.
    other = "Peter Miller is the mill's last miller, and he still lives next door."
    assert run([*story, other], people=["Anna Roe"]) == [*story, other]


def test_a_reference_list_under_its_heading_goes() -> None:
    last = "The plate is a guide for creating healthy, balanced meals."
    for heading in ("References", "Article Sources:", "References & Citations"):
        lines = [
            last,
            heading,
            "- Doe J, Roe R. Diet quality and the risk of disease. J Nutr. 2011;141:1-9.",
            "- U.S. Department of Agriculture. The Healthy Eating Index.",
        ]
        assert run(lines) == [last]


def test_lines_announcing_what_follows_go_at_the_end_where_nothing_follows() -> None:
    body = ["Der erste Absatz des Artikels ist hier.", "Der zweite Absatz folgt hier."]
    assert run([*body, "Das könnte dich auch interessieren:", "Editors’ Recommendations:"]) == body
    announced = [body[0], "Die Zutaten:", "- 200 g Mehl", "- 100 g Zucker"]
    assert run(announced) == announced
    quoted = "Der Bürgermeister sagte am Abend zu den Anwohnern:"
    assert run([*body, quoted]) == [*body, quoted]


def test_the_rule_table_gives_each_line_the_verdicts_of_its_rules_one_by_one() -> None:
    lines = [*FURNITURE, *PROSE, "", "Foto: " + "x" * 400]
    plain = pl.Series("_plain", lines, pl.String)
    for action in ("drop", "drop_block"):
        together = rule_matches(plain, plain.str.len_chars(), action).to_list()
        one_by_one = [
            any(r.startswith(f"{action} rule") for r in rules) for rules in matching_rules(lines)
        ]
        assert together == one_by_one, action


def test_the_rules_are_matched_on_one_thread_whoever_cleans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # polars keeps compiled regexes per thread: one thread keeps the rule table compiled.
    threads: set[int] = set()
    matches = rules_table._rule_matches

    def recorded(*args: object) -> pl.Series:
        threads.add(threading.get_ident())
        return matches(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rules_table, "_rule_matches", recorded)
    cleaner = threading.Thread(target=run, args=(["Der Text beginnt.", "Foto: dpa"],))
    cleaner.start()
    cleaner.join()
    run(["Der Text beginnt.", "Foto: dpa"])
    assert len(threads) == 1
    assert threading.get_ident() not in threads


def test_python_re_applies_the_block_rules_as_polars_does() -> None:
    lines = [*FURNITURE, *PROSE, *(r.example for r in load_rules()), "x" * 400]
    plain = pl.Series("_plain", lines, pl.String)
    by_polars = rule_matches(plain, plain.str.len_chars(), "drop_block").to_list()
    assert heads_teaser_block(lines) == by_polars
    assert any(by_polars)


def _teaser_headings_in_a_child(lines: list[str]) -> list[bool]:
    return heads_teaser_block(lines)


def test_an_extraction_worker_forked_after_polars_ran_asks_the_block_rules() -> None:
    # A forked child hangs at its first polars call once its parent has made one, so the
    # question extraction asks in its workers must not go through polars.
    lines = ["Related posts", "Der Stadtrat tagt am Montag."]
    assert rule_matches(pl.Series(lines), pl.Series([13, 28]), "drop_block").to_list() == [
        True,
        False,
    ]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        answer = pool.apply_async(_teaser_headings_in_a_child, (lines,)).get(timeout=60)
    assert answer == [True, False]


def test_a_rule_group_without_candidates_never_runs_its_full_pattern(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The full pattern (with its word boundaries) costs a compile on each thread; the lines
    its loose form rules out cannot match it, so a batch without candidates skips it."""
    seen: list[str] = []
    contains = pl.series.string.StringNameSpace.contains

    def recorded(self: Any, pattern: str, *args: Any, **kwargs: Any) -> pl.Series:
        seen.append(pattern)
        return contains(self, pattern, *args, **kwargs)

    monkeypatch.setattr(pl.series.string.StringNameSpace, "contains", recorded)
    pattern = r"(?i)^\bnewsletter\b.*\banmelden\b$"
    lines = pl.Series("line", ["Der erste Absatz.", "Noch ein Absatz."])
    assert rules_table._contains(lines, pattern).to_list() == [False, False]
    assert seen == [without_word_boundaries(pattern)]
    seen.clear()
    lines = pl.Series("line", ["Newsletter hier anmelden", "newsletter voranmelden"])
    assert rules_table._contains(lines, pattern).to_list() == [True, False]
    assert seen == [without_word_boundaries(pattern), pattern]


def test_open_repetitions_leaves_escapes_and_classes_alone() -> None:
    assert open_repetitions(r"a{2,30}b{3}c{1,}x{2,3}?") == r"a{2,}b{3}c{1,}x{2,}?"
    assert open_repetitions(r"\{2,3}\p{Lu}{1,4}") == r"\{2,3}\p{Lu}{1,}"
    assert open_repetitions(r"[{2,3}]{0,9}") == r"[{2,3}]{0,}"
    assert open_repetitions(r"[]{1,2}][^]{1,2}]") == r"[]{1,2}][^]{1,2}]"
    assert open_repetitions(r"[a[b]{1,2}]c{4,5}") == r"[a[b]{1,2}]c{4,}"


def test_the_opened_groups_match_every_line_the_rules_match() -> None:
    """The candidate pattern must take every line the group takes: the rules' examples and
    lines each group matches, checked against the opened and boundary-free form."""
    for action in ("drop", "drop_block"):
        for limit, pattern in rules_table._rule_groups(action):
            loose = open_repetitions(without_word_boundaries(pattern))
            lines = pl.Series([r.example for r in load_rules() if r.action == action])
            full = lines.str.contains(pattern)
            assert not (full & ~lines.str.contains(loose)).any(), (action, limit)
