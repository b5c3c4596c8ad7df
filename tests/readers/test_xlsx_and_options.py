"""Excel manifests, mapped columns, settings files, decimal commas and date formats."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app
from exportcheck.errors import InputError
from exportcheck.readers.manifest import (
    ReadOptions,
    ReadStats,
    iter_manifest,
    parse_number,
    parse_ship_date,
)
from exportcheck.readers.xlsx import cell_text

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "manifest.csv"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def as_cell(text: str) -> object:
    """A CSV cell as a spreadsheet user would type it: numbers as numbers."""
    if text.isdigit():
        return int(text)
    try:
        return float(text) if "." in text else text
    except ValueError:
        return text


def write_twin(tmp_path: Path, source: Path = MANIFEST, sheet: str = "Orders") -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Cover"
    first.append(["An order book exported from the ERP"])  # not the first sheet's manifest
    ws = book.create_sheet(sheet, 0)  # the first sheet
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            ws.append([as_cell(c) for c in row])
    path = tmp_path / "manifest.xlsx"
    book.save(path)
    return path


def report_json(*args: str) -> dict[str, object]:
    code, out, err = run("check", *args, "--date", "2025-06-15", "-f", "json", "--fail-on", "never")
    assert code == 0, err
    data = json.loads(out)
    data["sources"] = [s for s in data["sources"] if s["kind"] != "manifest"]
    return data


def test_an_xlsx_gives_the_same_json_as_its_csv_twin(tmp_path: Path) -> None:
    xlsx = write_twin(tmp_path)
    assert report_json(str(xlsx)) == report_json(str(MANIFEST))
    # The table and jsonl (streamed) agree too, line for line.
    code, out, _ = run("check", str(xlsx), "--date", "2025-06-15", "-f", "jsonl")
    assert code == 1 and out.count("\n") == 13
    assert json.loads(out.splitlines()[-1])["summary"]["lines_read"] == 12


def test_xlsx_cells_become_the_text_of_a_csv_export() -> None:
    assert cell_text(None) == ""
    assert cell_text(64) == "64"
    assert cell_text(27500.0) == "27500"
    assert cell_text(0.25) == "0.25"
    assert cell_text(0.25, decimal_comma=True) == "0,25"
    assert cell_text(True) == "TRUE"
    assert cell_text(datetime(2025, 6, 1)) == "2025-06-01"
    assert cell_text(datetime(2025, 6, 1, 8, 30)) == "2025-06-01 08:30:00"


def test_xlsx_sheet_by_name_and_line_accounting(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["ignored"])
    other = book.create_sheet("Q3")
    other.append([])
    other.append(["Line ID", "Part Number", "Destination", None])
    other.append(["A", "H100", "DE"])
    other.append([None, None, None])
    other.append(["B", "H100", "Atlantis", "stray"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    stats = ReadStats()
    lines = list(iter_manifest(path, stats=stats, options=ReadOptions(sheet="Q3")))
    assert [ln.line_id for ln in lines] == ["A", "B"]
    assert [ln.source_line for ln in lines] == [3, 5]
    assert stats.records == 2 and stats.blank_skipped == 1 and stats.format == "xlsx"
    problems = {p.field for p in lines[1].problems}
    assert problems == {"destination", "columns"}
    with pytest.raises(InputError) as exc:
        list(iter_manifest(path))  # the first sheet has no destination column
    assert "book.xlsx, sheet 'Sheet', row 1" in exc.value.render()


def test_xlsx_errors_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Orders"
    ws.append(["destination", "part_number", "Part-Number"])
    path = tmp_path / "dup.xlsx"
    book.save(path)
    code, _, err = run("check", str(path))
    assert code == 2
    assert "dup.xlsx, sheet 'Orders', row 1, column C" in err and "duplicate column" in err
    code, _, err = run("check", str(path), "--sheet", "Nope")
    assert code == 2 and "no sheet named 'Nope' (sheets: 'Orders')" in err


def test_a_workbook_where_text_is_expected_gets_a_clear_message(tmp_path: Path) -> None:
    renamed = tmp_path / "orders.csv"
    renamed.write_bytes(write_twin(tmp_path).read_bytes())
    code, _, err = run("check", str(renamed))
    assert code == 2 and "cp1252" not in err and "UTF-8" in err
    assert "most likely an Excel workbook (.xlsx), not CSV text" in err
    old = tmp_path / "orders.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    code, _, err = run("check", str(old))
    assert code == 2 and "Excel 97-2003 workbook (.xls)" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run("check", str(broken))
    assert code == 2 and "not a readable Excel workbook" in err


def test_a_cell_with_markup_or_escapes_is_carried_as_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["destination", "part_number", "note"])
    ws.append(["DE", "H100", "<script>alert(1)</script>"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    (line,) = iter_manifest(path)
    assert line.fields["note"] == "<script>alert(1)</script>"


# --- mapped columns ------------------------------------------------------------------------


ERP = "Ship To Country;Material;Qty;Goods Issue\nDE;H100;1.200,50;01.06.2025\nCN;H20;7;2025-06-01\n"


def test_mapped_columns_from_the_command_line_and_a_settings_file(tmp_path: Path) -> None:
    erp = tmp_path / "erp.csv"
    erp.write_text(ERP, encoding="utf-8")
    code, _, err = run("check", str(erp))
    assert code == 2
    assert "missing required column 'destination'" in err
    assert "columns found: 'Ship To Country', 'Material', 'Qty', 'Goods Issue'" in err
    assert "nearest: 'Ship To Country'" in err and '--column destination="' in err
    mapped = ["--column", "destination=Ship To Country", "--column", "part_number=Material"]
    mapped += ["--column", "quantity=Qty", "--column", "ship_date=Goods Issue"]
    by_flags = report_json(str(erp), *mapped, "--decimal-comma", "--date-format", "DD.MM.YYYY")
    settings = tmp_path / "erp.yaml"
    settings.write_text(
        "columns:\n  destination: Ship To Country\n  part_number: Material\n  quantity: Qty\n"
        "  ship_date: Goods Issue\ndecimal_comma: true\ndate_format: DD.MM.YYYY\n",
        encoding="utf-8",
    )
    by_file = report_json(str(erp), "--config", str(settings))
    assert by_flags == by_file
    first, second = by_file["lines"]  # type: ignore[misc]
    assert first["destination"] == "DE" and first["date"] == "2025-06-01"
    assert second["destination"] == "CN" and second["date"] == "2025-06-01"
    assert "Ship To Country" not in first["fields"] and first["fields"]["quantity"] == "1.200,50"
    assert not [f for f in first["findings"] if f["kind"] == "input"]


def test_bad_mappings_are_errors(tmp_path: Path) -> None:
    erp = tmp_path / "erp.csv"
    erp.write_text("Destination,Country,part_number\nDE,DE,H100\n", encoding="utf-8")
    code, _, err = run("check", str(erp), "--column", "destination=Country")
    assert code == 2 and "has a column 'Destination' for destination already" in err
    code, _, err = run("check", str(erp), "--column", "destination=Ship To")
    assert code == 2 and "the header has no column 'Ship To'" in err
    code, _, err = run("check", str(erp), "--column", "destinaton=Country")
    assert code == 2 and "'destinaton' is not a field exportcheck reads" in err
    code, _, err = run("check", str(erp), "--column", "destination")
    assert code == 2 and "is not FIELD=HEADER" in err
    settings = tmp_path / "s.yaml"
    settings.write_text("columns:\n  destination: Country\ndecimal_coma: true\n", encoding="utf-8")
    code, _, err = run("check", str(erp), "--config", str(settings))
    assert code == 2 and f"{settings}:3" in err and "decimal_coma" in err


def test_mapped_keys_in_json_manifests(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"Ship To": "DE", "part_number": "H100"}]), encoding="utf-8")
    (line,) = iter_manifest(path, options=ReadOptions(columns=(("destination", "Ship To"),)))
    assert line.destination == "DE" and "destination" in line.fields


# --- numbers and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("30.000,00", 30000.0), ("1.234", 1234.0), ("1,234", 1.234), ("0,75", 0.75),
     ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5), ("12", 12.0)],
)  # fmt: skip
def test_decimal_comma_numbers(text: str, value: float) -> None:
    assert parse_number(text, decimal_comma=True) == value


@pytest.mark.parametrize("text", ["1234.5", "1.23,4", "1.234.56", "1,2,3", "1.234 567,8"])
def test_ambiguous_or_mixed_numbers_are_refused_with_a_decimal_comma(text: str) -> None:
    with pytest.raises(ValueError, match="not a number with a decimal comma"):
        parse_number(text, decimal_comma=True)


def test_without_the_option_a_decimal_comma_is_refused_and_named() -> None:
    with pytest.raises(ValueError, match=r"a decimal comma\? give --decimal-comma"):
        parse_number("30.000,00")
    assert parse_number("30,000.00") == 30000.0  # as before


def test_date_formats_and_no_guessing() -> None:
    assert parse_ship_date("01.06.2025", "DD.MM.YYYY").isoformat() == "2025-06-01"
    assert parse_ship_date("6/1/2025", "MM/DD/YYYY").isoformat() == "2025-06-01"
    assert parse_ship_date("2025-06-01", "DD.MM.YYYY").isoformat() == "2025-06-01"
    with pytest.raises(ValueError, match="give --date-format"):
        parse_ship_date("01.06.2025")
    with pytest.raises(ValueError, match="not a valid date"):
        parse_ship_date("31.02.2025", "DD.MM.YYYY")
    with pytest.raises(ValueError, match=r"not a date in DD\.MM\.YYYY form"):
        parse_ship_date("06/01/2025", "DD.MM.YYYY")
    with pytest.raises(InputError, match="not a date format"):
        ReadOptions(date_format="DD.MM.YY")


def test_without_the_options_locale_values_make_the_line_review(tmp_path: Path) -> None:
    erp = tmp_path / "erp.csv"
    erp.write_text(
        'destination,part_number,eccn,tpp,ship_date\nDE,H100,3A090.a,"4.800,5",01.06.2025\n',
        encoding="utf-8",
    )
    data = report_json(str(erp))
    (line,) = data["lines"]  # type: ignore[misc]
    assert line["status"] == "review"
    messages = " ".join(f["message"] for f in line["findings"] if f["kind"] == "input")
    assert "give --decimal-comma" in messages and "give --date-format" in messages
    fixed = report_json(str(erp), "--decimal-comma", "--date-format", "DD.MM.YYYY")
    (line,) = fixed["lines"]  # type: ignore[misc]
    assert line["item"]["params"]["tpp"] == 4800.5 and line["date"] == "2025-06-01"
    assert not [f for f in line["findings"] if f["kind"] == "input"]
