"""The overview answers "which machine needs me now": a scored period's findings appear on the
machine and in the alert list, in the page's language, and are acknowledged by engineers only."""

from __future__ import annotations

import re
from datetime import timedelta

from .support import END, INJ, PASSWORD, VIEWER, Site, sign_in


def test_a_scored_period_shows_on_its_machine_and_is_acknowledged(site: Site) -> None:
    kamp = site.kamp
    me = kamp.principal()
    mv = kamp.models.get(me, "inj01_defect")
    scores = kamp.ml.score(me, "inj01_defect", start=END - timedelta(days=1), end=END)
    # Scoring raised (or added to) the machine's alert already; start from a clean list.
    for alert in kamp.alerts.list(me, status="open", limit=1000):
        kamp.alerts.acknowledge(me, alert["id"])
    # The few days of test data make a weak model; let it catch every real defect of the day,
    # so the page has predictions to show (the frame keeps the shape score() returns).
    scores["prediction"] = scores["actual"]
    predicted = int(scores["prediction"].eq("NG").sum())
    raised = kamp.alerts.raise_from_scores(me, mv, scores, scored="every real defect")
    assert predicted > 0 and [a["source"] for a in raised] == ["defects"]
    assert raised[0]["count"] == predicted
    inj = kamp.assets.resolve(me, INJ)
    assert raised[0]["equipment_id"] == inj.id  # found from the model's own machine

    client = site.client()
    csrf = sign_in(client)
    page = client.get("/").text
    card = page.split(f'data-path="{INJ}"', 1)[1].split("</article>", 1)[0]
    assert "불량 예측" in card and f"불량 예측 {predicted:,}건" in card
    english = client.get("/lang/en?next=/").headers["location"]
    en_page = client.get(english).text
    assert f"{predicted:,} predicted defects" in en_page
    client.get("/lang/ko?next=/")

    viewer = site.client()
    vcsrf = sign_in(viewer, VIEWER, PASSWORD)
    assert f"/alerts/{raised[0]['id']}/acknowledge" not in viewer.get("/").text
    refused = viewer.post(f"/alerts/{raised[0]['id']}/acknowledge", data={"csrf_token": vcsrf})
    assert refused.status_code == 403
    done = client.post(f"/alerts/{raised[0]['id']}/acknowledge", data={"csrf_token": csrf})
    assert done.status_code == 303
    after = client.get("/").text
    assert re.search(r'data-status="acknowledged" data-source="defects"', after)
    assert kamp.alerts.get(me, raised[0]["id"])["acknowledged_by"] == "kim"
