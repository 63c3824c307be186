"""The `iota mixed` command: output formats and the errors a researcher sees."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> str:
    out = StringIO()
    call_command("mixed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sleepstudy_csv(reference_data):
    return str(reference_data / "sleepstudy.csv")


def test_mixed_command_prints_lme4_summary(sleepstudy_csv):
    output = run(
        sleepstudy_csv,
        "--formula",
        "Reaction ~ Days",
        "--groups",
        "Subject",
        "--re",
        "~Days",
    )
    assert "Critère REML = 1743.628" in output
    assert "Days\t10.467\t1.546\t6.771\t17.00\t3.26e-06" in output
    assert "Subject\tIntercept\t—\t612.096\t24.741" in output
    assert "Residual\t—\t—\t654.940\t25.592" in output


def test_mixed_command_ml_reports_deviance(sleepstudy_csv):
    output = run(
        sleepstudy_csv,
        "--formula",
        "Reaction ~ Days",
        "--groups",
        "Subject",
        "--re",
        "~Days",
        "--ml",
    )
    assert output.splitlines()[1].startswith("ML : 180 observations, 18 groupes")
    assert "Déviance = 1751.939" in output


def test_mixed_command_json_lists_effects(sleepstudy_csv):
    payload = json.loads(
        run(
            sleepstudy_csv,
            "--formula",
            "Reaction ~ Days",
            "--groups",
            "Subject",
            "--format",
            "json",
        )
    )
    assert payload["reml"] is True
    assert payload["deviance"] is None
    assert [row["term"] for row in payload["fixed_effects"]] == ["Intercept", "Days"]
    assert round(payload["fixed_effects"][1]["df"], 2) == 161.0


def test_mixed_command_names_missing_column(sleepstudy_csv):
    with pytest.raises(CommandError) as raised:
        run(sleepstudy_csv, "--formula", "Reaction ~ Dayz", "--groups", "Subject")
    assert str(raised.value).startswith("Colonne(s) absente(s) : Dayz.")


def test_mixed_command_names_line_of_bad_cell(tmp_path):
    path = tmp_path / "scores.csv"
    rows = ["score,wave,class"] + [f"{i % 7},{i % 3},c{i % 4}" for i in range(20)]
    rows[6] = "abc,1,c2"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run(str(path), "--formula", "score ~ wave", "--groups", "class")
    assert str(raised.value).startswith("Ligne 7, colonne score : « abc »")


def test_mixed_command_explains_bad_formula(sleepstudy_csv):
    with pytest.raises(CommandError) as raised:
        run(sleepstudy_csv, "--formula", "Reaction ~ Days +", "--groups", "Subject")
    assert str(raised.value).startswith("Formule invalide (Reaction ~ Days +)")


def test_mixed_command_rejects_single_group(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("y,x,g\n1,1,a\n2,2,a\n3,2,a\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run(str(path), "--formula", "y ~ x", "--groups", "g")
    assert "au moins 2" in str(raised.value)
