"""The `iota score` command on the reference file and on each kind of bad input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

ITEMS = ",".join(f"Q{i}" for i in range(1, 12))


def run_score(*args: str) -> str:
    out = StringIO()
    call_command("score", *args, stdout=out)
    return out.getvalue()


def write_csv(tmp_path: Path, content: bytes, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.fixture
def reference_csv(reference_data) -> Path:
    return reference_data / "cronbach_wide_missing.csv"


def test_score_reference_json_pairwise(reference_csv):
    summary = json.loads(
        run_score(str(reference_csv), "--items", ITEMS, "--format", "json")
    )
    assert summary["rows"] == 12
    assert summary["alpha"]["available"] is True
    assert round(summary["alpha"]["alpha"], 6) == 0.732661
    assert round(summary["alpha"]["ci_low"], 3) == 0.435
    assert round(summary["alpha"]["ci_high"], 3) == 0.909
    assert summary["alpha"]["n"] == 12
    assert summary["alpha"]["k"] == 11


def test_score_reference_json_listwise(reference_csv):
    output = run_score(
        str(reference_csv),
        "--items",
        ITEMS,
        "--missing",
        "listwise",
        "--format",
        "json",
    )
    alpha = json.loads(output)["alpha"]
    assert round(alpha["alpha"], 6) == 0.801695
    assert round(alpha["ci_low"], 3) == 0.581
    assert round(alpha["ci_high"], 3) == 0.933


def test_score_reference_json_omega_reason(reference_csv):
    summary = json.loads(
        run_score(str(reference_csv), "--items", ITEMS, "--format", "json")
    )
    # 9 complete rows cannot support a one-factor model of 11 items.
    assert summary["omega"]["available"] is False
    assert summary["omega"]["reason"] == "too_few_rows"
    assert "12" in summary["omega"]["message"]


def test_score_reference_json_score_and_items(reference_csv):
    summary = json.loads(
        run_score(
            str(reference_csv),
            "--items",
            ITEMS,
            "--min",
            "0",
            "--max",
            "1",
            "--format",
            "json",
        )
    )
    data = pd.read_csv(reference_csv, encoding="utf-8-sig")
    assert summary["score"]["n"] == 12
    assert summary["score"]["mean"] == pytest.approx(data.mean(axis=1).mean())
    assert summary["score"]["sd"] == pytest.approx(data.mean(axis=1).std())
    first = summary["item_statistics"][0]
    assert first["item"] == "Q1"
    assert first["mean"] == pytest.approx(data["Q1"].mean())


def test_score_omega_on_holzinger(reference_data):
    summary = json.loads(
        run_score(
            str(reference_data / "holzinger_swineford_1939.csv"),
            "--items",
            "x4,x5,x6",
            "--format",
            "json",
        )
    )
    # lavaan 0.6.14: semTools::compRelSEM(cfa("f =~ x4 + x5 + x6", hs,
    # std.lv = TRUE), obs.var = FALSE) gives 0.8858809239.
    assert summary["omega"]["omega"] == pytest.approx(0.8858809239, abs=1e-6)
    assert summary["omega"]["n"] == 301


def test_score_text_output(reference_csv):
    output = run_score(str(reference_csv), "--items", ITEMS)
    assert "Alpha de Cronbach (pairwise) : 0.733" in output
    assert "[0.435 ; 0.909]" in output
    assert "Oméga total : Pas assez de réponses complètes" in output


def test_score_reverse_keys_items(tmp_path):
    path = write_csv(tmp_path, b"A,B,C\n1,2,5\n2,3,4\n3,4,2\n4,4,1\n")
    summary = json.loads(
        run_score(
            str(path),
            "--items",
            "A,B,C",
            "--reverse",
            "C",
            "--min",
            "1",
            "--max",
            "5",
            "--format",
            "json",
        )
    )
    items = {row["item"]: row for row in summary["item_statistics"]}
    # C reversed as 1 + 5 - value: 1, 2, 4, 5.
    assert items["C"]["mean"] == pytest.approx(3.0)
    assert summary["score"]["mean"] == pytest.approx(
        ((1 + 2 + 1) + (2 + 3 + 2) + (3 + 4 + 4) + (4 + 4 + 5)) / 12
    )
    assert summary["alpha"]["alpha"] > 0.9


def test_score_semicolon_bom_crlf_decimal_comma(tmp_path):
    content = "\ufeffid;A;B;C\r\n1;1;2;3\r\n2;2,5;3;4\r\n\r\n3;3;3;5\r\n4;4;4;4\r\n"
    path = write_csv(tmp_path, content.encode("utf-8"))
    summary = json.loads(run_score(str(path), "--items", "A,B,C", "--format", "json"))
    assert summary["rows"] == 4
    assert summary["item_statistics"][0]["mean"] == pytest.approx(2.625)


def test_score_windows_1252_header(tmp_path):
    path = write_csv(tmp_path, "Élève;Q1;Q2\nA;1;2\nB;2;3\nC;3;3\n".encode("cp1252"))
    summary = json.loads(run_score(str(path), "--items", "Q1,Q2", "--format", "json"))
    assert summary["rows"] == 3


def test_score_missing_column_named(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2,Q3\n1,2,3\n")
    with pytest.raises(CommandError) as raised:
        run_score(str(path), "--items", "Q1,Q4")
    message = str(raised.value)
    assert "« Q4 » absente" in message
    assert "Colonnes trouvées : Q1, Q2, Q3" in message


def test_score_non_numeric_line_and_column(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,2\n3,abc\n")
    with pytest.raises(CommandError) as raised:
        run_score(str(path), "--items", "Q1,Q2")
    assert "Ligne 3, colonne Q2 : « abc » n’est pas un nombre" in str(raised.value)


def test_score_out_of_range_value(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,2\n7,3\n")
    with pytest.raises(CommandError) as raised:
        run_score(str(path), "--items", "Q1,Q2", "--min", "1", "--max", "5")
    message = str(raised.value)
    assert "Ligne 3, colonne Q1 : la valeur 7 est hors de l’échelle [1, 5]" in message


def test_score_lists_every_bad_cell(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\nx,2\n1,y\n")
    with pytest.raises(CommandError) as raised:
        run_score(str(path), "--items", "Q1,Q2")
    message = str(raised.value)
    assert "Ligne 2, colonne Q1" in message
    assert "Ligne 3, colonne Q2" in message


def test_score_missing_markers_are_missing(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,NA\n2,3\n,4\n3,3\n")
    summary = json.loads(run_score(str(path), "--items", "Q1,Q2", "--format", "json"))
    counts = [row["n"] for row in summary["item_statistics"]]
    assert counts == [3, 3]


def test_score_empty_file(tmp_path):
    path = write_csv(tmp_path, b"")
    with pytest.raises(CommandError, match="vide"):
        run_score(str(path), "--items", "Q1")


def test_score_absent_file(tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        run_score(str(tmp_path / "absent.csv"), "--items", "Q1")


def test_score_reverse_needs_range(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,2\n")
    with pytest.raises(CommandError, match="--reverse demande --min et --max"):
        run_score(str(path), "--items", "Q1,Q2", "--reverse", "Q2")


def test_score_reverse_not_in_items(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,2\n")
    with pytest.raises(CommandError, match="Q3"):
        run_score(
            str(path), "--items", "Q1,Q2", "--reverse", "Q3", "--min", "1", "--max", "5"
        )


def test_score_min_without_max(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,2\n")
    with pytest.raises(CommandError, match="ensemble"):
        run_score(str(path), "--items", "Q1,Q2", "--min", "1")


def test_score_duplicate_header_column(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q1,Q2\n1,2,3\n")
    with pytest.raises(CommandError, match="2 fois"):
        run_score(str(path), "--items", "Q1,Q2")


def test_score_exit_code_without_traceback(tmp_path):
    path = write_csv(tmp_path, b"Q1,Q2\n1,abc\n")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "iota.test_settings"}
    completed = subprocess.run(  # noqa: S603  # fixed arguments, our own CLI
        [sys.executable, "-m", "iota.cli", "score", str(path), "--items", "Q1,Q2"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "Ligne 2, colonne Q2" in completed.stderr
    assert "Traceback" not in completed.stderr
