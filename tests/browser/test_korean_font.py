"""Korean text is drawn in the Korean font the dashboard serves itself (assets/), not in
whatever the machine happens to have, so a bot's Korean reason never shows as empty boxes."""

import json
from datetime import UTC, datetime

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

KOREAN_REASON = "RSI 과매도 구간 진입, 거래량 증가로 매수 신호"


def korean_status() -> str:
    return json.dumps(
        {
            "timestamp": datetime.now(UTC).isoformat(),
            "symbol": "KRW-BTC",
            "current_price": 95_000_000.0,
            "indicators": {"rsi": 28.1, "bb_upper": 96_000_000.0, "bb_lower": 94_000_000.0, "ma_200": 94_500_000.0},
            "position": {"has_position": False, "avg_price": None, "quantity": None},
            "action": "BUY",
            "reason": KOREAN_REASON,
        }
    )


def fonts_drawing(page, selector: str) -> list[dict]:
    """The fonts Chromium actually used for the text of the first element matching selector."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_a_korean_reason_is_drawn_in_the_served_korean_font(live_dashboard, watched, redis_client):
    redis_client.set("bot:status:KRW-BTC", korean_status(), ex=300)
    watched_page = watched("korean-font")
    page = watched_page.page
    font_requests = []
    page.on("response", lambda response: font_requests.append(response.url) if ".woff2" in response.url else None)
    page.goto(live_dashboard.url + "/market?symbol=KRW-BTC")
    watched_page.wait_for_text("#market-bot-brain", lambda text: KOREAN_REASON in text)
    page.wait_for_function(
        "() => [...document.fonts].some(f => f.family.includes('CoinPilot Hangul') && f.status === 'loaded')",
        timeout=15_000,
    )
    assert any(url.startswith(live_dashboard.url + "/assets/") for url in font_requests), font_requests
    used = fonts_drawing(page, "#market-bot-brain .brain-reason")
    served = [font for font in used if font["isCustomFont"]]
    # Every Hangul syllable of the reason came from the served font (the rest is Latin and digits).
    hangul = sum(1 for character in KOREAN_REASON if "\uac00" <= character <= "\ud7a3")
    assert served and served[0]["familyName"] == "CoinPilot Hangul", used
    assert served[0]["glyphCount"] >= hangul, used
    watched_page.screenshot("reason")


def test_the_only_font_a_page_downloads_is_the_served_korean_subset(live_dashboard, watched, redis_client):
    # Every page has Korean text now (the sidebar names the language 한국어 in its own script),
    # so the font is always needed: it must be the one subset file, from this host, once.
    redis_client.delete("bot:status:KRW-BTC", "bot:status:KRW-ETH")
    watched_page = watched("one-font")
    page = watched_page.page
    font_requests = []
    page.on("request", lambda request: font_requests.append(request.url) if ".woff" in request.url else None)
    page.goto(live_dashboard.url + "/system?lang=en")
    page.wait_for_selector("[data-health='database']")
    page.wait_for_load_state("networkidle")
    assert len(font_requests) == 1
    assert font_requests[0].startswith(live_dashboard.url) and "coinpilot-hangul.woff2" in font_requests[0]
