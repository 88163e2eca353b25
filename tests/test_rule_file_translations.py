"""Rule files in more than one language: the words read out change, nothing else does."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from screener.cli import app
from screener.commands.screen.console_text import crisis_panel, plain
from screener.core.evaluate import evaluate
from screener.core.limits import MAX_RULE_FILE_BYTES, MAX_YAML_NODES
from screener.core.model import RuleSet, Value
from screener.core.problems import RuleFileError, UnknownLanguage
from screener.core.translation import (
    MissingTranslation,
    Part,
    in_language,
    languages,
    missing_translations,
    question_in,
)
from screener.errors import EXIT_USAGE, exit_code_for
from screener.rulefile.load import load_ruleset, load_ruleset_with_warnings

from .conftest import FIXTURES, FROZEN_RULES, LIVE_RULES

runner = CliRunner()
TWO_LANGUAGES = FIXTURES / "rules_es.yaml"
TEXT = TWO_LANGUAGES.read_text(encoding="utf-8")
ITEM_NAME = "Treatment\n"  # the list's item name (its label is "Treatments")


@pytest.fixture(scope="module")
def rules_es() -> RuleSet:
    return load_ruleset(TWO_LANGUAGES)


def edited(tmp_path: Path, *changes: tuple[str, str]) -> tuple[Path, str]:
    text = TEXT
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def place(text: str, fragment: str) -> str:
    """`LINE:COL` of the first `fragment` in `text` (a located line points at the value)."""
    start = text.index(fragment)
    return f"{line_of(text, fragment)}:{start - text.rfind(chr(10), 0, start)}"


def refusal(path: Path) -> list[str]:
    """The lines of the error a rule file is refused with."""
    with pytest.raises(RuleFileError) as raised:
        load_ruleset(path)
    return raised.value.lines()


def validate(*args: str) -> tuple[int, str, list[str]]:
    result = runner.invoke(app, ["validate", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr.strip().splitlines()


# ---- reading translations ------------------------------------------------------------------


def test_a_rule_file_without_translations_has_its_own_language_only() -> None:
    ruleset, warnings = load_ruleset_with_warnings(FROZEN_RULES)
    assert languages(ruleset) == ("en",)
    assert in_language(ruleset, "en") is ruleset
    assert warnings == []
    assert missing_translations(ruleset) == ()


def test_the_two_language_file_has_english_first_then_spanish(rules_es: RuleSet) -> None:
    assert rules_es.language == "en"
    assert languages(rules_es) == ("en", "es")
    assert missing_translations(rules_es) == ()


def test_in_spanish_every_text_help_unit_and_choice_label_is_the_spanish_one(
    rules_es: RuleSet,
) -> None:
    es = in_language(rules_es, "es")
    age = es.question_map["age"]
    assert (age.text, age.help, age.unit) == ("¿Cuántos años tiene?", "En años cumplidos.", "años")
    condition = es.question_map["primary_condition"]
    assert [c.label for c in condition.choices] == [
        "Depresión",
        "Estrés postraumático (TEPT)",
        "Otra cosa",
    ]
    medicines = es.question_map["current_medications"]
    assert [c.label for c in medicines.choices] == [
        "Un antidepresivo IMAO",
        "Un analgésico opioide",
    ]
    assert es.crisis_text.startswith("No cuelgue. Llame al 911")
    assert es.language == "es"
    assert languages(es) == ("es",)


def test_a_list_in_spanish_asks_each_item_with_the_spanish_item_name(rules_es: RuleSet) -> None:
    es = in_language(rules_es, "es")
    treatments = es.question_map["treatments"]
    assert treatments.text == "¿Cuántas medicinas ha probado?"
    assert treatments.item_name == "Tratamiento"
    assert [f.text for f in treatments.fields] == ["¿Qué medicina?", "¿Durante cuántas semanas?"]
    cell = es.question_map["treatments_2_medicine"]
    assert cell.text == "Tratamiento 2: ¿Qué medicina?"
    assert [c.label for c in cell.choices] == ["Sertralina", "Otra"]
    # The summary's short names stay in the clinic's language.
    assert cell.label == rules_es.question_map["treatments_2_medicine"].label
    assert es.question_map["treatments_1_weeks"].text == "Tratamiento 1: ¿Durante cuántas semanas?"
    assert treatments.more_text == "¿Ha probado alguna otra medicina?"


def test_a_list_s_question_before_each_further_item_is_checked_like_its_other_texts(
    tmp_path: Path,
) -> None:
    untranslated, text = edited(
        tmp_path, ("        more_text: ¿Ha probado alguna otra medicina?\n", "")
    )
    code, _, err = validate(str(untranslated))
    assert code == 0
    assert err == [
        f"{untranslated}:{place(text, 'Have you tried any')}: questions[3] (treatments)"
        ".more_text: warning: no 'es' translation"
    ]
    without, text = edited(tmp_path, ("    more_text: Have you tried any other medicine?\n", ""))
    assert refusal(without) == [
        f"{without}:{place(text, '¿Ha probado alguna')}: questions[3] (treatments).translations"
        ".es.more_text: the question has no 'more_text' to translate"
    ]
    on_a_yes_no, text = edited(
        tmp_path,
        ("    type: yes_no\n", "    type: yes_no\n    more_text: Any more?\n"),
    )
    assert refusal(on_a_yes_no) == [
        f"{on_a_yes_no}:{place(text, 'Any more?')}: questions[2] (suicidal_thoughts_month)"
        ": 'more_text' belongs to list questions"
    ]


def test_in_spanish_ids_values_skip_logic_and_rules_are_unchanged(rules_es: RuleSet) -> None:
    es = in_language(rules_es, "es")
    assert [q.id for q in es.slots] == [q.id for q in rules_es.slots]
    for mine, theirs in zip(es.slots, rules_es.slots, strict=True):
        assert mine.type is theirs.type
        assert mine.choice_values == theirs.choice_values
        assert (mine.min, mine.max, mine.required) == (theirs.min, theirs.max, theirs.required)
        assert mine.ask_if_text == theirs.ask_if_text
        assert mine.ask_if_tree == theirs.ask_if_tree
    assert es.rules is rules_es.rules
    assert (es.name, es.version, es.sha256) == (rules_es.name, rules_es.version, rules_es.sha256)
    answers: dict[str, Value] = {
        "age": 16,
        "primary_condition": "ptsd",
        "suicidal_thoughts_month": False,
    }
    assert evaluate(es, answers).outcome == evaluate(rules_es, answers).outcome


def test_an_unknown_language_is_a_usage_error_naming_the_languages_the_file_has(
    rules_es: RuleSet,
) -> None:
    with pytest.raises(UnknownLanguage) as raised:
        in_language(rules_es, "fr")
    assert str(raised.value) == "the rule file has no texts in 'fr'; its languages are en, es"
    assert raised.value.available == ("en", "es")
    assert exit_code_for(raised.value) == EXIT_USAGE
    with pytest.raises(UnknownLanguage, match=r"'ES' \(did you mean 'es'\?\)"):
        in_language(rules_es, "ES")
    with pytest.raises(UnknownLanguage):
        missing_translations(rules_es, "de")


def test_one_question_can_be_had_in_a_language_but_not_a_list_s_item_slot(
    rules_es: RuleSet,
) -> None:
    assert question_in(rules_es.question_map["age"], "es").text == "¿Cuántos años tiene?"
    with pytest.raises(ValueError, match="translate the list"):
        question_in(rules_es.question_map["treatments_1_weeks"], "es")


def test_a_text_left_untranslated_keeps_the_clinic_s_own_words(tmp_path: Path) -> None:
    path, _ = edited(
        tmp_path,
        ("        help: En años cumplidos.\n", ""),
        ("            text: ¿Durante cuántas semanas?\n", "            unit: null\n"),
    )
    ruleset = load_ruleset(path)
    es = in_language(ruleset, "es")
    assert es.question_map["age"].help == "In whole years."
    assert es.question_map["treatments_1_weeks"].text == "Tratamiento 1: For how many weeks?"
    assert missing_translations(ruleset, "es") == (
        MissingTranslation("es", Part.HELP, "age"),
        MissingTranslation("es", Part.TEXT, "treatments", "weeks"),
    )


# ---- what validate prints ------------------------------------------------------------------


def test_validate_of_a_complete_two_language_file_names_its_languages_without_warnings() -> None:
    code, out, err = validate(str(TWO_LANGUAGES))
    assert code == 0
    assert err == []
    assert out.strip().endswith("; languages: en, es")


def test_validate_warns_once_per_missing_text_with_its_place_and_exits_0(tmp_path: Path) -> None:
    path, text = edited(
        tmp_path,
        ("    crisis_text: No cuelgue.", "    other: x\n    crisis_tex: No cuelgue."),
        ("        help: En años cumplidos.\n", ""),
        ("          ptsd: Estrés postraumático (TEPT)\n", ""),
        ("        item_name: Tratamiento\n", ""),
        ("            choices: {sertraline: Sertralina, other: Otra}\n", ""),
        (
            "        text: En el último mes, ¿ha pensado en quitarse la vida?\n",
            "        text: null\n",
        ),
    )
    # The misspelt key is an error first.
    code, _, err = validate(str(path))
    assert code == 1
    assert err[0].endswith("translations.es.other: unknown key 'other'")
    path.write_text(text.replace("    other: x\n    crisis_tex: No", "    {}\n    # No"))
    text = path.read_text()
    code, out, err = validate(str(path))
    assert code == 0
    assert "OK: Two-language test rules" in out
    at = f"{path}:"
    assert err == [
        f"{at}{place(text, 'Stay on the line')}: crisis_text: warning: no 'es' translation",
        f"{at}{place(text, 'In whole years')}: questions[0] (age).help:"
        " warning: no 'es' translation",
        f"{at}{place(text, 'PTSD}')}: questions[1] (primary_condition).choices[1]"
        " (ptsd).label: warning: no 'es' translation",
        f"{at}{place(text, 'In the past month')}: questions[2]"
        " (suicidal_thoughts_month).text: warning: no 'es' translation",
        f"{at}{place(text, ITEM_NAME)}: questions[3] (treatments).item_name:"
        " warning: no 'es' translation",
        f"{at}{place(text, 'Sertraline}')}: questions[3] (treatments).fields[0]"
        " (medicine).choices[0] (sertraline).label: warning: no 'es' translation",
        f"{at}{place(text, 'Another one}')}: questions[3] (treatments)"
        ".fields[0] (medicine).choices[1] (other).label: warning: no 'es' translation",
    ]


def test_validate_strict_refuses_a_file_with_a_missing_translation(tmp_path: Path) -> None:
    path, text = edited(tmp_path, ("        help: En años cumplidos.\n", ""))
    code, out, err = validate("--strict", str(path))
    assert code == 1
    assert out == ""
    assert err == [
        f"{path}:{place(text, 'In whole years')}: questions[0] (age).help:"
        " warning: no 'es' translation"
    ]
    assert validate("--strict", str(TWO_LANGUAGES))[0] == 0


def test_a_language_only_one_question_has_makes_every_other_text_a_warning(
    tmp_path: Path,
) -> None:
    path, _ = edited(
        tmp_path,
        ("        unit: años\n", "        unit: años\n      fr:\n        text: Quel âge ?\n"),
    )
    code, out, err = validate(str(path))
    assert code == 0
    assert out.strip().endswith("languages: en, es, fr")
    assert all(line.endswith("warning: no 'fr' translation") for line in err)
    # Everything but the age question's text: the crisis text, 4 other texts and 2 fields'
    # texts, age's help and unit, the list's item name and its more_text, and 7 choice labels.
    assert len(err) == 1 + 4 + 2 + 2 + 2 + 7


# ---- errors in translations ----------------------------------------------------------------


@pytest.mark.parametrize("code", ["ES", "es_MX", "spanish", "e", "es-mx", "es-MEX"])
def test_a_language_code_that_is_not_one_is_a_located_error(tmp_path: Path, code: str) -> None:
    path, text = edited(tmp_path, ("translations:\n  es:\n", f"translations:\n  {code}:\n"))
    assert refusal(path) == [
        f"{path}:{place(text, 'crisis_text: No')}: translations.{code}: {code!r} is not a language"
        " code: write two or three lowercase letters, then optionally '-' and a region"
        " (es, es-MX, es-419)"
    ]


@pytest.mark.parametrize("code", ["es-MX", "es-419", "fil"])
def test_a_language_code_with_a_region_or_three_letters_is_accepted(
    tmp_path: Path, code: str
) -> None:
    path, _ = edited(tmp_path, ("translations:\n  es:\n", f"translations:\n  {code}:\n"))
    assert languages(load_ruleset(path)) == ("en", *sorted((code, "es")))


def test_a_translation_into_the_file_s_own_language_is_an_error(tmp_path: Path) -> None:
    path, text = edited(tmp_path, ("language: en", "language: es"))
    with pytest.raises(RuleFileError) as raised:
        load_ruleset(path)
    lines = raised.value.lines()
    assert lines[0] == (
        f"{path}:{place(text, 'crisis_text: No')}: translations.es: 'es' is the file's own language"
        " (language: es): its texts are the ones written without 'translations'"
    )
    assert len(lines) == 1 + 5 + 2  # the file, each question, each list field


def test_a_translation_of_something_the_question_does_not_have_is_a_located_error(
    tmp_path: Path,
) -> None:
    path, text = edited(
        tmp_path,
        ("          ptsd: Estrés", "          ptds: Estrés"),
        (
            "        text: En el último mes, ¿ha pensado en quitarse la vida?\n",
            "        text: En el último mes, ¿ha pensado en quitarse la vida?\n"
            "        help: Ayuda\n        unit: veces\n        item_name: Cosa\n"
            "        choices: {yes: Sí}\n",
        ),
    )
    with pytest.raises(RuleFileError) as raised:
        load_ruleset(path)
    where = "questions[2] (suicidal_thoughts_month).translations.es"
    assert raised.value.lines() == [
        f"{path}:{place(text, 'Estrés')}: questions[1] (primary_condition).translations.es"
        ".choices.ptds: 'ptds' is not a choice of this question (did you mean 'ptsd'?)",
        f"{path}:{place(text, 'Ayuda')}: {where}.help: the question has no 'help' to translate",
        f"{path}:{place(text, 'veces')}: {where}.unit: the question has no 'unit' to translate",
        f"{path}:{place(text, 'Cosa')}: {where}.item_name: 'item_name' belongs to list questions",
        f"{path}:{place(text, '{yes')}: {where}.choices:"
        " a yes_no question has no choices to translate",
    ]


def test_a_misspelt_key_in_a_translation_gets_a_suggestion(tmp_path: Path) -> None:
    path, text = edited(tmp_path, ("        text: ¿Toma ahora", "        txet: ¿Toma ahora"))
    assert refusal(path) == [
        f"{path}:{place(text, '¿Toma ahora')}: questions[4] (current_medications)"
        ".translations.es.txet: unknown key 'txet' (did you mean 'text'?)"
    ]


def test_none_of_these_in_a_translation_is_accepted_and_left_to_the_interview(
    tmp_path: Path,
) -> None:
    path, _ = edited(
        tmp_path,
        (
            "          opioid: Un analgésico opioide\n",
            "          opioid: Un analgésico opioide\n          none: Ninguna\n",
        ),
    )
    medicines = load_ruleset(path).question_map["current_medications"]
    assert "none" not in medicines.translations["es"].choices
    assert missing_translations(load_ruleset(path)) == ()


@pytest.mark.parametrize("output_format", ["markdown", "json", "text"])
def test_the_summary_of_a_two_language_file_stays_in_the_clinic_s_language(
    tmp_path: Path, output_format: str
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        '{"age": 40, "primary_condition": "ptsd", "suicidal_thoughts_month": "no",'
        ' "treatments": [], "current_medications": ["opioid"]}'
    )
    result = runner.invoke(
        app, ["score", str(answers), "--rules", str(TWO_LANGUAGES), "-f", output_format]
    )
    assert result.exit_code == 0, result.output
    assert "Condition: PTSD." in result.stdout
    for spanish in ("TEPT", "Estrés", "Tratamiento", "No cuelgue", "analgésico"):
        assert spanish not in result.stdout


# ---- limits and markup ---------------------------------------------------------------------


def test_translations_count_towards_the_rule_file_s_size_limit(tmp_path: Path) -> None:
    huge = "x" * MAX_RULE_FILE_BYTES
    path, _ = edited(tmp_path, ("        help: En años cumplidos.", f"        help: {huge}"))
    code, _, err = validate(str(path))
    assert code == 1
    assert err == [
        f"error: {path}: larger than 2 MiB (2,097,152 bytes), the most a rule file may hold;"
        " is this the right file?"
    ]


def test_translations_count_towards_the_limit_on_values_in_one_file(tmp_path: Path) -> None:
    many = ", ".join(f"c{n}: x" for n in range(MAX_YAML_NODES // 2 + 1))
    path, _ = edited(
        tmp_path,
        (
            "            choices: {sertraline: Sertralina, other: Otra}",
            f"            choices: {{{many}}}",
        ),
    )
    code, _, err = validate(str(path))
    assert code == 1
    assert len(err) == 1 and f"more than {MAX_YAML_NODES:,} values in one file" in err[0]


def test_a_translated_crisis_text_is_shown_as_written_never_as_markup(tmp_path: Path) -> None:
    spanish = next(line for line in TEXT.splitlines() if "crisis_text: No cuelgue." in line)
    marked = "    crisis_text: '[bold]Llame[/] [link=x]al 911[/link]. No cuelgue.'"
    path, _ = edited(tmp_path, (spanish, marked))
    es = in_language(load_ruleset(path), "es")
    console = Console(record=True, width=200, color_system=None)
    console.print(crisis_panel(console, es.crisis_text))
    console.print(plain(es.question_map["age"].text))
    shown = console.export_text()
    assert "[bold]Llame[/] [link=x]al 911[/link]. No cuelgue." in shown
    assert "¿Cuántos años tiene?" in shown


# ---- the live rules (deliberately read: the clinic's Spanish must stay complete) -----------


def test_the_live_rules_have_spanish_for_every_question_text_and_choice_label() -> None:
    live = load_ruleset(LIVE_RULES)
    assert languages(live) == ("en", "es")
    assert missing_translations(live, "es") == ()
    es = in_language(live, "es")
    for mine, theirs in zip(es.slots, live.slots, strict=True):
        assert mine.text != theirs.text, mine.id
        labels = [(a.label, b.label) for a, b in zip(mine.choices, theirs.choices, strict=True)]
        # Brand names stay brand names: some medicines are written alike in both languages,
        # but no question's choices are all left in English.
        assert not labels or any(es_label != en_label for es_label, en_label in labels), mine.id
    assert es.crisis_text != live.crisis_text and "988" in es.crisis_text
