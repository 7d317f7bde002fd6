""" "What customers say" in a real browser: filter, read why, correct one badge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ascolto.textanalysis.models import TextCorrection
from ascolto.textanalysis.tests import stored_fixtures as fx
from ascolto.workspaces.tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_filters_and_corrects_a_badge(page, workspace_a, bob, artifacts_dir):
    """
    GIVEN analysed texts in bob's workspace, one angry about timeliness
    WHEN bob filters the comments page on anger + timeliness + this month, opens "why?" and
    corrects the badge's emotion
    THEN only that text is listed, the badge is replaced in place with the corrected labels
    and "corrected by Bob", the correction is stored once, and no CSP error occurs.
    """
    cust = fx.customer(workspace_a, name="Edil Bianchi")
    match = fx.labelled(
        cust,
        "Il tecnico è arrivato dopo tre giorni, inaccettabile!",
        sentiment="negative",
        emotion="anger",
        aspects=("timeliness",),
    )
    fx.labelled(
        cust, "Prezzo troppo alto", sentiment="negative", emotion="anger", aspects=("price",)
    )
    fx.labelled(
        cust, "Puntuali e gentili", sentiment="positive", emotion="joy", aspects=("timeliness",)
    )

    page.goto("/account/login/")
    page.fill("input[name=username]", bob.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))

    page.locator("nav.mainnav a[href='/textanalysis/']").click()
    expect(page.locator("#comment-list .ta-row")).to_have_count(3)
    page.select_option("#id_emotion", "anger")
    page.select_option("#id_aspect", "timeliness")
    page.select_option("#id_period", "this_month")
    page.locator("#comment-filters button[type=submit]").click()
    rows = page.locator("#comment-list .ta-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-analysis", str(match.pk))

    badge = page.locator(f"#ta-{match.pk}")
    badge.locator(".ta-why summary").click()
    expect(badge.locator(".ta-cues li")).to_have_count(1)
    badge.locator(".ta-correct summary").click()
    badge.locator("select[name=emotion]").select_option("fear")
    badge.locator("input[name=aspects][value=communication]").check()
    badge.locator("button[type=submit]").click()

    fresh = page.locator(f"#ta-{match.pk}")
    expect(fresh).to_have_attribute("data-emotion", "fear")
    expect(fresh).to_have_attribute("data-corrected", "1")
    expect(fresh.locator(".ta-corrected")).to_contain_text(bob.display_name)
    expect(fresh.locator("[data-aspect=communication]")).to_have_count(1)
    correction = TextCorrection.objects.get()
    assert (correction.member_id, correction.emotion) == (bob.pk, "fear")
    assert sorted(correction.aspects) == ["communication", "timeliness"]
    page.screenshot(path=str(artifacts_dir / "textanalysis-comments.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=str(artifacts_dir / "textanalysis-comments-phone.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_why_reads_as_plain_italian(page, workspace_a, bob, artifacts_dir):
    """
    GIVEN an ironic complaint analysed by the real analyser in bob's workspace
    WHEN bob opens the comments page in Italian and its "perché?"
    THEN the reasons are plain sentences (the irony, the missing service, the aspect with its
    Italian name and the customer's words), the blend's numbers stay hidden until "dettagli"
    is opened, and no CSP error occurs.
    """
    from ascolto.textanalysis.services import text_analysis_store

    cust = fx.customer(workspace_a, name="Edil Bianchi")
    note = fx.interaction(cust, "Complimenti, terzo giorno senza internet.")
    analysis = text_analysis_store(
        workspace_id=workspace_a.pk, source_kind="interaction", source_id=note.pk
    )

    page.set_extra_http_headers({"Accept-Language": "it-IT,it;q=0.9"})  # a browser in Italian
    page.goto("/account/login/")
    page.fill("input[name=username]", bob.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    page.goto("/textanalysis/?period=all")
    expect(page.locator("html")).to_have_attribute("lang", "it")

    badge = page.locator(f"#ta-{analysis.pk}")
    why = badge.locator(".ta-why > summary")
    expect(why).to_have_text("perché?")
    why.click()
    irony = badge.locator(".ta-reason[data-kind=read-as-irony]")
    expect(irony).to_be_visible()
    expect(irony).to_contain_text("“Complimenti”")
    expect(irony).to_contain_text("letto come ironia")
    expect(badge.locator(".ta-reason[data-kind=service-missing]")).to_contain_text(
        "“senza internet”"
    )
    expect(badge.locator(".ta-reason[data-kind=service-missing]")).to_contain_text(
        "manca un servizio"
    )
    aspect = badge.locator(".ta-reason[data-kind=aspect]", has_text="Tempestività")
    expect(aspect).to_contain_text("“terzo giorno”")
    expect(badge.locator(".ta-cues")).not_to_contain_text("negative cue")
    expect(badge.locator(".ta-cues")).not_to_contain_text("blend:")

    blend = badge.locator(".ta-details [data-kind=blend]")
    expect(blend).to_be_hidden()
    badge.locator(".ta-why-details > summary").click()
    expect(blend).to_be_visible()
    expect(blend).to_contain_text("Le regole hanno dato al tono")  # in words, not debug text
    expect(badge.locator(".ta-details")).not_to_contain_text("blend:")
    badge.screenshot(path=str(artifacts_dir / "textanalysis-why-it.png"))
