"""The `iota cfa` command: output formats and the errors a researcher sees."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

HS_MODEL = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


def run(*args: str) -> str:
    out = StringIO()
    call_command("cfa", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def holzinger_csv(reference_data):
    return str(reference_data / "holzinger_swineford_1939.csv")


def test_cfa_command_prints_fit_measures(holzinger_csv):
    output = run(holzinger_csv, "--model", HS_MODEL)
    assert "Khi² = 85.306, ddl = 24" in output
    assert (
        "CFI = 0.931, TLI = 0.896, RMSEA = 0.092 [IC à 90 % : 0.071 ; 0.114]" in output
    )
    assert "SRMR = 0.065" in output
    assert "Log-vraisemblance = -3737.745, AIC = 7517.490, BIC = 7595.339" in output


def test_cfa_command_prints_loadings(holzinger_csv):
    output = run(holzinger_csv, "--model", HS_MODEL)
    assert "visual\t=~\tx3\t—\t0.729\t0.109" in output


def test_cfa_command_json_has_fit_and_estimates(holzinger_csv):
    payload = json.loads(run(holzinger_csv, "--model", HS_MODEL, "--format", "json"))
    assert payload["file"] == holzinger_csv
    assert payload["fit"]["df"] == 24
    assert round(payload["fit"]["chi_square"], 3) == 85.306
    assert len(payload["estimates"]) == 24


def test_cfa_command_prints_invariance_table(holzinger_csv):
    output = run(
        holzinger_csv,
        "--model",
        HS_MODEL,
        "--group",
        "school",
        "--invariance",
        "configural,metric,scalar",
    )
    assert "(Pasteur = 156, Grant-White = 145)" in output
    assert "metric\t124.044\t54\t0.000\t0.921\t0.093\t0.072\t8.192\t6\t0.224" in output
    assert "scalar\t164.103\t60" in output


def test_cfa_command_invariance_json(holzinger_csv):
    payload = json.loads(
        run(
            holzinger_csv,
            "--model",
            HS_MODEL,
            "--group",
            "school",
            "--invariance",
            "configural,metric",
            "--format",
            "json",
        )
    )
    assert [row["model"] for row in payload["table"]] == ["configural", "metric"]
    assert round(payload["table"][1]["delta_chi_square"], 3) == 8.192


def test_cfa_command_fits_multigroup_without_invariance(holzinger_csv):
    output = run(holzinger_csv, "--model", HS_MODEL, "--group", "school")
    assert "Khi² = 115.851, ddl = 48" in output
    assert "Groupes (school) : Pasteur = 156, Grant-White = 145" in output


def test_cfa_command_names_missing_column(holzinger_csv):
    with pytest.raises(CommandError) as raised:
        run(holzinger_csv, "--model", "f =~ x1 + x2 + y3")
    assert "Colonne(s) absente(s) : y3." in str(raised.value)
    assert "x9" in str(raised.value)


def test_cfa_command_names_line_of_bad_cell(tmp_path):
    path = tmp_path / "items.csv"
    rows = ["a;b;c;d", "1;2;3;4", "2;3;4;5", "3;4;x;1", "4;1;2;3", "5;2;2;2"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run(str(path), "--model", "f =~ a + b + c + d")
    message = str(raised.value)
    assert message.startswith("Ligne 4, colonne c : « x » n’est pas un nombre")


def test_cfa_command_names_line_of_bad_syntax(holzinger_csv):
    with pytest.raises(CommandError) as raised:
        run(holzinger_csv, "--model", "visual =~ x1 + x2 + x3\ntextual ~ x4")
    message = str(raised.value)
    assert message.startswith("Modèle, ligne 2 (« textual ~ x4 »)")
    assert "opérateur non pris en charge" in message


def test_cfa_command_rejects_invariance_without_group(holzinger_csv):
    with pytest.raises(CommandError) as raised:
        run(holzinger_csv, "--model", HS_MODEL, "--invariance", "configural")
    assert "--group" in str(raised.value)


def test_cfa_command_rejects_unknown_level(holzinger_csv):
    with pytest.raises(CommandError) as raised:
        run(
            holzinger_csv,
            "--model",
            HS_MODEL,
            "--group",
            "school",
            "--invariance",
            "weak",
        )
    assert "weak" in str(raised.value)


def test_cfa_command_rejects_missing_file(tmp_path):
    with pytest.raises(CommandError) as raised:
        run(str(tmp_path / "absent.csv"), "--model", HS_MODEL)
    assert str(raised.value).startswith("Impossible de lire")
