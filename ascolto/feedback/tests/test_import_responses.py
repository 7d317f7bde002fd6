"""`ascolto import-responses`: good and bad rows, Italian CSV variants, re-runs, tenancy."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.models import Answer, Response
from ascolto.feedback.services.imports import responses_import
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.selectors import timeline_for_customer
from ascolto.lib.csvimport import CsvFileError, csv_rows
from ascolto.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The report's wording is asserted in English; the Italian catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def csat_a(workspace_a, alice):
    return SurveyFactory(workspace=workspace_a, by=alice, name="Soddisfazione", kind="csat")


@pytest.fixture
def rossi(workspace_a, alice):
    return CustomerFactory(
        workspace=workspace_a, name="Rossi", email="Rossi@Example.com", account_owner=alice
    )


@pytest.fixture
def stranger(workspace_b):
    return CustomerFactory(workspace=workspace_b, name="Altrove", email="altrove@example.com")


def run(path, workspace, *args):
    out = StringIO()
    call_command(
        "import-responses",
        str(path),
        "--workspace",
        str(workspace.pk),
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def write(tmp_path, text, encoding="utf-8", name="risposte.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_rows_import_bad_rows_are_reported_by_line(
    tmp_path, workspace_a, survey_a, csat_a, customer_a, rossi, stranger
):
    future = (date.today() + timedelta(days=10)).isoformat()
    text = (
        "email;data;punteggio;commento;sondaggio\n"  # line 1
        "bianchi@example.com;2025-03-14;9;Puntuali e cortesi;NPS trimestrale\n"  # 2 ok
        'rossi@example.com;15/03/2025;4;"=HYPERLINK(""http://x.example"";""clic"")";Soddisfazione\n'  # 3 ok
        "nessuno@example.com;2025-03-14;8;;NPS trimestrale\n"  # 4 unknown email
        "altrove@example.com;2025-03-14;8;;NPS trimestrale\n"  # 5 other workspace
        "bianchi@example.com;2025-03-14;11;;NPS trimestrale\n"  # 6 out of range
        "rossi@example.com;2025-03-14;0;;Soddisfazione\n"  # 7 out of range for CSAT
        "bianchi@example.com;31/02/2025;8;;NPS trimestrale\n"  # 8 bad date
        f"bianchi@example.com;{future};8;;NPS trimestrale\n"  # 9 future
        "bianchi@example.com;2025-03-14;8;;Sondaggio fantasma\n"  # 10 unknown survey
        "\n"  # 11 blank, skipped
        'bianchi@example.com;2025-04-01;7,0;"Su due\nrighe";NPS trimestrale\n'  # 12-13 ok
        "bianchi@example.com;2025-04-02;abc;;NPS trimestrale\n"  # 14 not a number
    )
    path = write(tmp_path, "\ufeff" + text)
    out = run(path, workspace_a)

    assert Response.objects.filter(workspace=workspace_a).count() == 3
    for line, words in [
        (4, "nessuno@example.com"),
        (5, "altrove@example.com"),
        (6, "out of range"),
        (7, "out of range"),
        (8, "not a date"),
        (9, "in the future"),
        (10, "unknown survey"),
        (14, "not a whole number"),
    ]:
        assert f"Line {line}: " in out
        assert words in out.split(f"Line {line}: ")[1].splitlines()[0]
    for line in (2, 3, 11, 12, 13):
        assert f"Line {line}:" not in out
    assert "3 responses imported" in out

    formula = Answer.objects.get(response__customer=rossi)
    assert formula.text == '=HYPERLINK("http://x.example";"clic")'
    two_lines = Response.objects.get(customer=customer_a, score=7)
    assert two_lines.answers.get().text == "Su due\nrighe"
    assert two_lines.band == "passive"
    assert Response.objects.get(customer=rossi).survey == csat_a
    assert not Response.objects.filter(customer=stranger).exists()
    # Historical rows alert nobody.
    assert not Notification.objects.exists()

    again = run(path, workspace_a)
    assert "0 responses imported, 3 already imported before" in again
    assert Response.objects.filter(workspace=workspace_a).count() == 3


def test_comma_cp1252_accents_and_default_survey(tmp_path, workspace_a, survey_a, customer_a):
    text = (
        "Email,Date,Score,Comment\r\n"
        "bianchi@example.com,2025-01-10,10,\r\n"
        'bianchi@example.com,2025-02-10,3,"Perché così tardi? Già due volte, è troppo"\r\n'
    )
    path = write(tmp_path, text, encoding="cp1252")
    out = run(path, workspace_a, "--survey", "nps trimestrale")
    assert "2 responses imported" in out
    late = Response.objects.get(score=3)
    assert late.answers.get().text == "Perché così tardi? Già due volte, è troppo"
    assert late.band == "detractor"
    top = Response.objects.get(score=10)
    assert top.all_good is True and top.band == "promoter"
    entries, _ = timeline_for_customer(workspace=workspace_a, customer=customer_a)
    assert {e.obj.pk for e in entries if e.kind == "response"} == {late.pk, top.pk}


def test_recent_detractor_alerts_the_account_owner(tmp_path, workspace_a, survey_a, customer_a):
    yesterday = (date.today() - timedelta(days=1)).strftime("%d/%m/%Y")
    path = write(tmp_path, f"email;date;score;comment\nbianchi@example.com;{yesterday};2;Mai più\n")
    run(path, workspace_a)
    assert Notification.objects.filter(recipient=customer_a.account_owner).count() == 1


def test_dry_run_stores_nothing(tmp_path, workspace_a, survey_a, customer_a):
    path = write(tmp_path, "email;date;score\nbianchi@example.com;2025-01-10;8\n")
    out = run(path, workspace_a, "--dry-run")
    assert "1 rows would be imported" in out
    assert not Response.objects.exists()


def test_refuses_binary_big_and_headerless_files(tmp_path, workspace_a, survey_a):
    binary = tmp_path / "foto.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CommandError, match="not a text file"):
        run(binary, workspace_a)
    with pytest.raises(CsvFileError, match="too big"):
        csv_rows(b"email;date;score\n" + b"x" * 200, required=("email",), max_bytes=100)
    headerless = write(tmp_path, "bianchi@example.com;2025-01-10;8\n")
    with pytest.raises(CommandError, match="missing: email, date, score"):
        run(headerless, workspace_a)
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv", workspace_a)


def test_service_reports_without_a_survey_when_several_exist(workspace_a, survey_a, customer_a):
    SurveyFactory(workspace=workspace_a, name="Altro")
    rows = csv_rows(b"email,date,score\nbianchi@example.com,2025-01-10,8\n", required=())
    result = responses_import(workspace=workspace_a, rows=rows)
    assert result.imported == 0
    assert result.errors == [(2, "no survey given (add a survey column or use --survey)")]


def test_an_unclosed_quote_is_reported_by_its_line_and_nothing_is_imported(
    tmp_path, workspace_a, survey_a, customer_a
):
    """GIVEN a comment whose quote is never closed WHEN the file is imported THEN the import
    stops naming that line, instead of reading the rows after it into one comment."""
    text = (
        "email;data;punteggio;commento\n"  # 1
        "bianchi@example.com;2025-03-10;9;Bene\n"  # 2
        'bianchi@example.com;2025-03-11;8;"Ottimo servizio\n'  # 3: the quote is not closed
        "bianchi@example.com;2025-03-12;3;Ritardo\n"  # 4
        "bianchi@example.com;2025-03-13;2;Pessimo\n"  # 5
    )
    with pytest.raises(CommandError, match="Line 3 opens a quote"):
        run(write(tmp_path, text), workspace_a)
    assert not Response.objects.exists()


def test_a_quote_closed_later_that_swallows_rows_is_reported(tmp_path, workspace_a, survey_a):
    text = (
        "email;data;punteggio;commento\n"
        'bianchi@example.com;2025-03-11;8;"Ottimo\n'  # 2: closed only on line 4
        "bianchi@example.com;2025-03-12;3;Ritardo\n"
        'bianchi@example.com;2025-03-13;2;Pessimo"\n'
    )
    with pytest.raises(CommandError, match="Line 2 opens a quote"):
        run(write(tmp_path, text), workspace_a)


@pytest.mark.parametrize("day", ["01/01/0001", "0001-01-01", "31/12/1899", "1066-10-14"])
def test_implausible_years_are_refused(tmp_path, workspace_a, survey_a, customer_a, day):
    text = f"email;data;punteggio\nbianchi@example.com;{day};9\n"
    out = run(write(tmp_path, text), workspace_a)
    assert "Line 2: " in out and "check the year" in out
    assert not Response.objects.exists()


def test_a_row_repeated_in_the_file_names_the_earlier_line(
    tmp_path, workspace_a, survey_a, customer_a
):
    text = (
        "email;data;punteggio;commento\n"
        "bianchi@example.com;2025-03-10;9;Bene\n"  # 2
        "bianchi@example.com;2025-03-11;4;Male\n"  # 3
        "bianchi@example.com;2025-03-10;9;Bene\n"  # 4 = line 2
    )
    out = run(write(tmp_path, text), workspace_a)
    assert "Line 4: repeated at line 2 of this file, left out." in out
    assert "2 responses imported, 0 already imported before" in out
    assert Response.objects.count() == 2
    again = run(write(tmp_path, text), workspace_a)
    assert "0 responses imported, 2 already imported before" in again
    assert "Line 4: repeated at line 2" in again


def test_imported_text_has_no_bidi_overrides_and_scores_are_ascii(
    tmp_path, workspace_a, survey_a, customer_a
):
    text = (
        "email;data;punteggio;commento\n"
        "bianchi@example.com;2025-03-10;9;Bene\u202e ma\x07 lento\n"
        "bianchi@example.com;2025-03-11;\u0669;Arabic-Indic nine\n"
    )
    out = run(write(tmp_path, text), workspace_a)
    assert Answer.objects.get().text == "Bene ma lento"
    assert "Line 3: " in out and "not a whole number" in out
