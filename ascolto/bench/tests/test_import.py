"""`ascolto bench import` on a few rows: the figures it prints are of a real import (every row
new the first time, found again the second)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from ascolto.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_bench_import_times_a_real_import_of_generated_rows():
    out = StringIO()
    call_command("bench", "import", "--rows", "300", stdout=out)
    text = out.getvalue()
    assert re.search(r"first import: +[\d.]+ s \(\d+ rows/s\) 300 ", text), text
    assert "300 customers stored" in text
    assert Customer.objects.count() == 300
    assert Customer.objects.values("email").distinct().count() == 300
