"""File imports in each platform's export format: realistic files (Italian dates, decimal
commas, emoji, text on several lines), malformed ones (an error per line, the good rows
kept), and the same file twice (nothing doubled). Real database, both backends."""

import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from ascolto.voice import services
from ascolto.voice.formats import FORMATS
from ascolto.voice.models import Review
from ascolto.voice.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
ROME = ZoneInfo("Europe/Rome")


def run(workspace, member, name, fmt, data=None):
    data = data if data is not None else (FILES / name).read_bytes()
    return services.review_file_import(
        workspace=workspace, by=member, data=data, filename=name, format_code=fmt
    )


def reviews(workspace):
    return {r.platform_id: r for r in Review.objects.filter(workspace=workspace)}


def test_google_business_profile_json(workspace_a, carol):
    result = run(workspace_a, carol, "google_reviews.json", "google")
    assert (len(result.created), result.errors) == (3, [])
    got = reviews(workspace_a)
    first = got["AbFvOqm1"]
    assert first.platform == "google" and first.author == "Giulia Russo"
    assert (first.rating, first.rating_original) == (Decimal(5), "FIVE")
    assert first.text == "Noleggio perfetto 👍 furgone pulito,\nconsegna puntuale alle 8:00."
    assert first.published_at == datetime(2025, 3, 12, 9, 41, 7, 123000, tzinfo=UTC)
    assert got["AbFvOqm2"].rating == Decimal(1) and got["AbFvOqm2"].is_negative
    assert got["AbFvOqm3"].text == "" and got["AbFvOqm3"].rating == Decimal(3)


def test_tripadvisor_csv_with_italian_dates_decimal_commas_and_lines(workspace_a, carol):
    result = run(workspace_a, carol, "tripadvisor.csv", "tripadvisor")
    assert (len(result.created), result.errors) == (3, [])
    got = reviews(workspace_a)
    stay = got["912345678"]
    assert (stay.rating, stay.rating_original) == (Decimal("4.50"), "4,5")
    assert stay.title == "Ottimo soggiorno"
    assert (
        stay.text
        == "Camera pulitissima, colazione abbondante 🥐.\nPersonale gentile e disponibile."
    )
    assert stay.published_at == datetime(2025, 3, 12, 12, 0, tzinfo=ROME)
    assert stay.url.endswith("r912345678") and stay.language == "it"
    assert got["912345679"].published_at == datetime(2025, 4, 3, 22, 15, tzinfo=ROME)
    assert got["912345680"].rating == Decimal(5)  # 50 bubbles
    assert got["912345680"].published_at.date() == datetime(2025, 4, 12).date()


def test_trustpilot_csv_keeps_the_email_to_match_the_customer(workspace_a, carol):
    from ascolto.customers.tests.factories import CustomerFactory

    anna = CustomerFactory(workspace=workspace_a, email="anna.bianchi@example.com")
    result = run(workspace_a, carol, "trustpilot.csv", "trustpilot")
    assert (len(result.created), result.errors) == (2, [])
    got = reviews(workspace_a)
    assert got["65f1a2b3c4d5e6f708192a3b"].suggested_customer == anna
    assert got["65f1a2b3c4d5e6f708192a3c"].title == "Truffa"
    assert got["65f1a2b3c4d5e6f708192a3c"].published_at == datetime(2025, 5, 10, 9, 12, tzinfo=ROME)


def test_facebook_recommendations_json(workspace_a, carol):
    result = run(workspace_a, carol, "facebook.json", "facebook")
    assert (len(result.created), result.errors) == (2, [])
    got = reviews(workspace_a)
    assert (got["1234567890_111"].rating, got["1234567890_111"].rating_original) == (
        Decimal(5),
        "positive",
    )
    assert got["1234567890_112"].rating == Decimal(1)
    assert got["1234567890_111"].published_at == datetime(2025, 6, 1, 18, 22, 41, tzinfo=UTC)


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_tripadvisor_xlsx_with_real_dates_and_numbers(workspace_a, carol):
    data = xlsx(
        [
            ["Review ID", "Review Title", "Review Text", "Rating", "Review Date", "Reviewer"],
            [1001, "Bello", "Vista stupenda 🌅\nTornerò", 5, datetime(2025, 7, 1, 10, 30), "Ugo"],
            [1002, "Così così", "Caro per quello che offre", "3,5", "02/07/2025", "Ida"],
            [1003, "", "", "", "03/07/2025", "Vuoto"],
        ]
    )
    result = run(workspace_a, carol, "export.xlsx", "tripadvisor", data)
    assert len(result.created) == 2
    assert [line for line, _ in result.errors] == [4]
    got = reviews(workspace_a)
    assert got["1001"].text == "Vista stupenda 🌅\nTornerò"
    assert got["1001"].published_at == datetime(2025, 7, 1, 10, 30, tzinfo=ROME)
    assert got["1002"].rating == Decimal("3.50")


def test_a_malformed_file_reports_each_bad_line_and_keeps_the_good_rows(workspace_a, carol):
    data = (
        b"Review ID;Review Text;Rating;Review Date;Reviewer\n"
        b"1;Bene;5;01/02/2025;Ada\n"
        b"2;Voto strano;sette;01/02/2025;Bea\n"
        b"3;Senza data;4;;Cia\n"
        b"4;Data sbagliata;4;31/02/2025;Dea\n"
        b"5;Benissimo;4,5;2025-02-03;Eva\n"
    )
    result = run(workspace_a, carol, "ta.csv", "tripadvisor", data)
    assert sorted(reviews(workspace_a)) == ["1", "5"]
    assert [line for line, _ in result.errors] == [3, 4, 5]
    messages = dict(result.errors)
    assert "sette" in messages[3]
    assert messages[4] == "Manca la data."
    assert "31/02/2025" in messages[5]


def test_a_json_record_that_is_not_a_review_is_an_error_of_its_number(workspace_a, carol):
    data = b'{"reviews": [{"reviewId": "a", "starRating": "FOUR", "createTime": "2025-01-01"}, 7]}'
    result = run(workspace_a, carol, "g.json", "google", data)
    assert len(result.created) == 1 and [line for line, _ in result.errors] == [2]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.json", b"{not json", "JSON"),
        ("x.json", b'{"other": []}', "JSON"),
        ("x.xlsx", b"PK\x03\x04garbage", "Excel"),
        ("x.csv", b"", "vuoto"),
        ("x.csv", b"colonna;altra\n1;2\n", "TripAdvisor"),
        ("x.csv", b"\x00\x01binary", "testo"),
    ],
)
def test_a_file_that_cannot_be_read_says_why_and_imports_nothing(
    workspace_a, carol, name, data, message
):
    with pytest.raises(ValidationError) as error:
        run(workspace_a, carol, name, "tripadvisor" if "csv" in name else "google", data)
    assert message in str(error.value)
    assert not Review.objects.exists()


def test_the_same_file_twice_adds_nothing(workspace_a, carol):
    for name, fmt in [
        ("google_reviews.json", "google"),
        ("tripadvisor.csv", "tripadvisor"),
        ("trustpilot.csv", "trustpilot"),
        ("facebook.json", "facebook"),
    ]:
        first = run(workspace_a, carol, name, fmt)
        again = run(workspace_a, carol, name, fmt)
        assert again.created == [] and again.duplicates == len(first.created)
    assert Review.objects.filter(workspace=workspace_a).count() == 10


def test_only_managers_import_into_their_own_workspace(workspace_a, workspace_b, bob, carol):
    with pytest.raises(PermissionDenied):
        run(workspace_a, bob, "google_reviews.json", "google")
    foreign = SourceFactory(workspace=workspace_b)
    with pytest.raises(ValidationError):
        services.review_file_import(
            workspace=workspace_a,
            by=carol,
            data=(FILES / "google_reviews.json").read_bytes(),
            filename="g.json",
            format_code="google",
            source=foreign,
        )
    assert not Review.objects.exists()


def test_every_format_maps_only_known_fields():
    fields = {
        "platform_id",
        "url",
        "author",
        "author_email",
        "author_phone",
        "rating",
        "title",
        "text",
        "published_at",
        "language",
    }
    for fmt in FORMATS.values():
        assert set(fmt.columns) <= fields and set(fmt.json_fields) <= fields
        assert "published_at" in fmt.columns and "rating" in fmt.columns
