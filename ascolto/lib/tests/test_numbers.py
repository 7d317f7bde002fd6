from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from ascolto.lib.numbers import num, signed


def test_numbers_in_the_active_language():
    with translation.override("it"):
        assert num(1234.56) == "1.234,6" and num(None) == "–" and num("") == "–"
        assert signed(3.25) == "+3,2" and signed(-1) == "−1,0" and signed(0.04) == "0,0"
        assert signed(12.6, 0) == "+13" and signed(None) == "–"
    with translation.override("en"):
        assert num(1234.56, 2) == "1,234.56"


def test_every_template_loads_them_by_name():
    with translation.override("it"):
        html = Template("{% load numbers %}{{ v|num:0 }} {{ d|signed }}").render(
            Context({"v": 41.5, "d": -2.25})
        )
    assert html == "42 −2,2"
