"""Market: candlesticks with volume, RSI, Bollinger bands, moving averages and the bot's fills,
and the Bot Brain (the bot's live reasoning from Redis) above it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Patch, dcc, html
from plotly.subplots import make_subplots

from data.status_payload import StatusState
from i18n import current, t
from layouts import charts, ids
from layouts import format as fmt
from layouts.components import alert, long_text, section

WIDTH_OPTIONS = ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w")
DEFAULT_WIDTH = "15m"
DEFAULT_COUNT = 200
COUNT_MIN, COUNT_MAX = 50, 1000
# Overlay switches; each label is the catalogue's "market.overlay.<key>".
OVERLAYS = ("bb", "ma20", "ma60", "ma200", "fills", "regimes")
DEFAULT_OVERLAYS = ("bb", "ma20", "fills")

# Trace order of the candle figure; patches address traces by these indices.
TRACE_CANDLES, TRACE_BB_UPPER, TRACE_BB_MIDDLE, TRACE_BB_LOWER = 0, 1, 2, 3
TRACE_MA20, TRACE_MA60, TRACE_MA200, TRACE_BUYS, TRACE_SELLS, TRACE_VOLUME, TRACE_RSI = 4, 5, 6, 7, 8, 9, 10
OVERLAY_TRACES = {
    "bb": (TRACE_BB_UPPER, TRACE_BB_MIDDLE, TRACE_BB_LOWER),
    "ma20": (TRACE_MA20,),
    "ma60": (TRACE_MA60,),
    "ma200": (TRACE_MA200,),
    "fills": (TRACE_BUYS, TRACE_SELLS),
}
# Per-candle arrays of each trace, in the order patches update them.
SERIES_FIELDS = (
    (TRACE_CANDLES, (("open", "open"), ("high", "high"), ("low", "low"), ("close", "close"))),
    (TRACE_BB_UPPER, (("y", "bb_upper"),)),
    (TRACE_BB_MIDDLE, (("y", "bb_middle"),)),
    (TRACE_BB_LOWER, (("y", "bb_lower"),)),
    (TRACE_MA20, (("y", "ma20"),)),
    (TRACE_MA60, (("y", "ma60"),)),
    (TRACE_MA200, (("y", "ma200"),)),
    (TRACE_VOLUME, (("y", "volume"),)),
    (TRACE_RSI, (("y", "rsi"),)),
)
ACTION_COLOURS = {
    "BUY": "success",
    "SELL": "danger",
    "HOLD": "secondary",
    "HOLD (POS)": "info",
    "SKIP": "dark",
    "WAITING": "warning",
}
# One line per action (catalogue "market.action.<code>"): what the bot did on its last loop.
ACTION_MEANING_KEYS = {
    "HOLD": "market.action.hold",
    "HOLD (POS)": "market.action.hold_pos",
    "BUY": "market.action.buy",
    "SELL": "market.action.sell",
    "SKIP": "market.action.skip",
    "WAITING": "market.action.waiting",
}


def action_meaning(action: str) -> str:
    return t(ACTION_MEANING_KEYS.get(action, "market.action.unknown"))


# Regime bands behind the candles (data.regimes.RegimeBand): fill colour per regime, kept faint
# so the candles stay readable; UNKNOWN draws no band.
def regime_band_colour(regime: str) -> str:
    """Bull bands in the rising colour of the browser's convention, bear in the falling one."""
    return {"BULL": charts.gain(), "SIDEWAYS": charts.NEUTRAL, "BEAR": charts.loss()}[regime]


REGIME_BAND_OPACITY = 0.12
# The candle chart's first layout shapes are the RSI 30/70 guides; regime bands follow them.
RSI_LEVELS = (30, 70)
REGIME_COLOURS = {"BULL": "success", "SIDEWAYS": "secondary", "BEAR": "danger", "UNKNOWN": "dark"}
REGIMES = ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN")


def regime_meaning(regime: str) -> str:
    """What a regime means for CoinPilot v3's strategy (regime trading, v3.0)."""
    return t(f"market.regime.{regime.lower()}" if regime in REGIMES else "market.regime.other")


def page(
    symbols: list[str], symbol: str | None, width: str, count: int, overlays: tuple[str, ...], notice: str | None = None
) -> html.Div:
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("market.symbol"), html_for=ids.MARKET_SYMBOL, className="small mb-1"),
                    dbc.Select(
                        id=ids.MARKET_SYMBOL,
                        options=[{"label": s, "value": s} for s in symbols],
                        value=symbol,
                        size="sm",
                    ),
                ],
                xs=6,
                md=2,
            ),
            dbc.Col(
                [
                    dbc.Label(t("market.candle_width"), className="small mb-1"),
                    dbc.RadioItems(
                        id=ids.MARKET_WIDTH,
                        options=[{"label": w, "value": w} for w in WIDTH_OPTIONS],
                        value=width,
                        className="btn-group width-buttons",
                        inputClassName="btn-check",
                        labelClassName="btn btn-outline-secondary",
                        labelCheckedClassName="active",
                    ),
                ],
                xs=12,
                md="auto",
            ),
            dbc.Col(
                [
                    dbc.Label(t("market.candles"), html_for=ids.MARKET_COUNT, className="small mb-1"),
                    dbc.Input(
                        id=ids.MARKET_COUNT,
                        type="number",
                        min=COUNT_MIN,
                        max=COUNT_MAX,
                        step=10,
                        value=count,
                        size="sm",
                        debounce=True,
                        style={"width": "6rem"},
                    ),
                ],
                xs=6,
                md="auto",
            ),
            dbc.Col(
                [
                    dbc.Label(t("market.overlays"), className="small mb-1"),
                    dbc.Checklist(
                        id=ids.MARKET_OVERLAYS,
                        options=[{"label": t(f"market.overlay.{key}"), "value": key} for key in OVERLAYS],
                        value=list(overlays),
                        inline=True,
                        switch=True,
                        className="small",
                    ),
                ],
                xs=12,
                md=True,
            ),
        ],
        className="g-2 mb-3 align-items-end",
    )
    return html.Div(
        [
            html.H1(t("page.market"), className="page-title"),
            alert(notice, "warning", **{"data-link-notice": "symbol"}) if notice else None,
            section(t("market.bot_brain"), html.Div(id=ids.MARKET_BRAIN)),
            section(
                t("market.chart"),
                controls,
                html.Div(id=ids.MARKET_CHART_MESSAGE),
                dcc.Graph(
                    id=ids.MARKET_CHART,
                    config={"displaylogo": False, "scrollZoom": True, "locale": current().language},
                    style={"height": "720px"},
                    figure=go.Figure(layout=charts.base_layout(height=720)),
                ),
                dcc.Store(id=ids.MARKET_CHART_STATE),
            ),
            dbc.Row(
                [
                    dbc.Col(section(t("market.status_table"), html.Div(id=ids.MARKET_STATUS_TABLE)), lg=7),
                    dbc.Col(section(t("market.ai_review"), html.Div(id=ids.MARKET_DECISIONS)), lg=5),
                ]
            ),
        ]
    )


def _x_values(buckets: pd.Series, tz: ZoneInfo) -> list[str]:
    # Plotly draws wall-clock times; convert to the display zone and send plain strings so a
    # full figure and a patch always carry identical x values.
    return buckets.dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M:%S").tolist()


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else float(v) for v in series]


def _volume_colours(frame: pd.DataFrame) -> list[str]:
    return [charts.gain() if c >= o else charts.loss() for o, c in zip(frame["open"], frame["close"])]


def _fill_points(fills: pd.DataFrame, side: str, width_buckets, tz: ZoneInfo) -> dict:
    rows = fills[fills["side"] == side]
    x = _x_values(width_buckets(rows["executed_at"]), tz) if not rows.empty else []
    return {
        "x": x,
        "y": [float(v) for v in rows["price"]],
        "text": [
            f"{t('market.side.' + side.lower())} {fmt.quantity(q)} @ {fmt.price(p)}"
            for q, p in zip(rows["quantity"], rows["price"])
        ],
    }


def candle_figure(
    frame: pd.DataFrame,
    fills: pd.DataFrame,
    bucket_of,
    symbol: str,
    width: str,
    overlays: tuple[str, ...],
    tz: ZoneInfo,
    bands: list | None = None,
) -> go.Figure:
    """The whole chart. `frame` holds the shown candles with indicator columns; `bucket_of`
    maps fill times to their candle's bucket start; `bands` (data.regimes.RegimeBand) shade
    the price panel behind the candles."""
    x = _x_values(frame["bucket"], tz)
    figure = make_subplots(rows=3, cols=1, shared_xaxes=True, row_heights=[0.62, 0.16, 0.22], vertical_spacing=0.03)
    figure.add_trace(
        go.Candlestick(
            x=x,
            open=_values(frame["open"]),
            high=_values(frame["high"]),
            low=_values(frame["low"]),
            close=_values(frame["close"]),
            name=symbol,
            increasing={"line": {"color": charts.gain()}, "fillcolor": charts.gain()},
            decreasing={"line": {"color": charts.loss()}, "fillcolor": charts.loss()},
        ),
        row=1,
        col=1,
    )
    # The three band lines share one legend entry: on a phone each entry costs legend space.
    for column, name, dash in (
        ("bb_upper", t("market.bb_upper"), "dot"),
        ("bb_middle", t("market.bb_middle"), "dash"),
        ("bb_lower", t("market.bb_lower"), "dot"),
    ):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=_values(frame[column]),
                mode="lines",
                name=t("market.legend.bb") if column == "bb_middle" else name,
                line={"color": charts.BAND, "width": 1, "dash": dash},
                hoverinfo="skip",
                legendgroup="bollinger",
                showlegend=column == "bb_middle",
            ),
            row=1,
            col=1,
        )
    for column, name in (("ma20", "MA 20"), ("ma60", "MA 60"), ("ma200", "MA 200")):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=_values(frame[column]),
                mode="lines",
                name=name,
                line={"color": charts.MA_COLOURS[column], "width": 1.2},
            ),
            row=1,
            col=1,
        )
    for side, colour, marker in (("BUY", charts.gain(), "triangle-up"), ("SELL", charts.loss(), "triangle-down")):
        points = _fill_points(fills, side, bucket_of, tz)
        figure.add_trace(
            go.Scatter(
                **points,
                mode="markers",
                name=t(f"market.bot_fill.{side.lower()}"),
                hovertemplate="%{text}<extra></extra>",
                marker={"symbol": marker, "size": 12, "color": colour, "line": {"color": "#0f172a", "width": 1}},
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Bar(
            x=x,
            y=_values(frame["volume"]),
            name=t("market.volume"),
            marker={"color": _volume_colours(frame)},
            showlegend=False,
        ),
        row=2,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=_values(frame["rsi"]),
            mode="lines",
            name="RSI 14",
            line={"color": charts.AMBER, "width": 1.3},
            showlegend=False,  # its own panel, whose axis says RSI
        ),
        row=3,
        col=1,
    )
    figure.update_layout(shapes=chart_shapes(bands, tz, "regimes" in overlays))
    apply_overlay_visibility(figure, overlays)
    layout = charts.base_layout(height=720)
    # Entries side by side whatever their legend groups: grouped (Plotly's default once a trace has a
    # group), each group took a row of its own, four rows over a phone's narrow plot.
    layout["legend"] = {**layout["legend"], "traceorder": "normal", "font": {"size": 10}}
    figure.update_layout(
        **layout,
        # Same uirevision across refreshes of one symbol and width: Plotly keeps the zoom.
        uirevision=f"{symbol}|{width}",
        xaxis_rangeslider_visible=False,
        dragmode="pan",
    )
    # No title on the price axis: its labels are won already, and a rotated "KRW" cost a phone's plot
    # the width its legend needed for two entries a row.
    figure.update_yaxes(tickformat=",", row=1, col=1, gridcolor=charts.GRID)
    figure.update_yaxes(title_text=t("market.volume_short"), row=2, col=1, gridcolor=charts.GRID)
    figure.update_yaxes(title_text="RSI", range=[0, 100], row=3, col=1, gridcolor=charts.GRID)
    # Short, level dates: Plotly's own ("Nov 25, 2026") stand vertical on a 390 px phone.
    figure.update_xaxes(
        gridcolor=charts.GRID, rangeslider_visible=False, tickangle=0, tickformatstops=DATE_TICK_FORMATS
    )
    figure.update_xaxes(title_text=t("market.time_axis", zone=fmt.timezone_label(tz)), row=3, col=1)
    return figure


# Time-axis labels by tick spacing (ms): hour and day within a day, day and year beyond.
DATE_TICK_FORMATS = [
    {"dtickrange": [None, 86_400_000], "value": "%H:%M<br>%m/%d"},
    {"dtickrange": [86_400_000, None], "value": "%m/%d<br>%Y"},
]


def apply_overlay_visibility(figure_or_patch, overlays: tuple[str, ...], band_count: int = 0) -> None:
    """Show the chosen overlays: traces by index, regime bands by their layout shape index
    (the first `band_count` shapes after the RSI guides)."""
    for key, traces in OVERLAY_TRACES.items():
        for index in traces:
            figure_or_patch["data"][index]["visible"] = key in overlays
    for index in range(len(RSI_LEVELS), len(RSI_LEVELS) + band_count):
        figure_or_patch["layout"]["shapes"][index]["visible"] = "regimes" in overlays


def _diff_text(band) -> str:
    first, last = band.diff_pct_first, band.diff_pct_last
    if first is None and last is None:
        return "–"
    if first is None or last is None or first == last:
        return fmt.pct(last if last is not None else first)
    return f"{fmt.pct(first)} → {fmt.pct(last)}"


def regime_shapes(bands: list, tz: ZoneInfo, visible: bool) -> list[dict]:
    """One faint rectangle per band over the whole price panel, below the traces, each with a label
    naming regime and diff. No legend entries: on a phone three more entries took a legend row
    from the candles, and every band already says what it is."""
    shapes = []
    for band in bands:
        start, end = _x_values(pd.Series([band.start, band.end]), tz)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y domain",
                "x0": start,
                "x1": end,
                "y0": 0,
                "y1": 1,
                "layer": "below",
                "line": {"width": 0},
                "fillcolor": regime_band_colour(band.regime),
                "opacity": REGIME_BAND_OPACITY,
                "visible": visible,
                "name": t("market.regime_text.band", regime=band.regime, diff=_diff_text(band)),
                "showlegend": False,
                "label": {
                    "text": t("market.regime_text.band", regime=band.regime, diff=_diff_text(band)),
                    "textposition": "top left",
                    "font": {"size": 10, "color": charts.NEUTRAL},
                },
            }
        )
    return shapes


def regime_note(key: str, **values) -> html.Div:
    return html.Div(t(f"market.regime_text.{key}", **values), className="small text-secondary mb-1 regime-note")


def rsi_guides() -> list[dict]:
    return [
        {
            "type": "line",
            "xref": "x3 domain",
            "yref": "y3",
            "x0": 0,
            "x1": 1,
            "y0": level,
            "y1": level,
            "line": {"color": charts.NEUTRAL, "width": 1, "dash": "dot"},
        }
        for level in RSI_LEVELS
    ]


def chart_shapes(bands: list | None, tz: ZoneInfo, visible: bool) -> list[dict]:
    """Every layout shape of the candle chart, in index order: the RSI guides, then the bands."""
    return rsi_guides() + regime_shapes(bands or [], tz, visible)


def candle_patch(
    replace_last: pd.Series | None,
    appended: pd.DataFrame,
    drop_from_front: int,
    new_fills: pd.DataFrame,
    bucket_of,
    tz: ZoneInfo,
    last_index: int,
) -> Patch:
    """Only what changed: the last candle's update, new candles, and old candles scrolled off."""
    patch = Patch()
    if replace_last is not None:
        row = replace_last
        for trace, fields in SERIES_FIELDS:
            for attribute, column in fields:
                value = row[column]
                patch["data"][trace][attribute][last_index] = None if pd.isna(value) else float(value)
        patch["data"][TRACE_VOLUME]["marker"]["color"][last_index] = (
            charts.gain() if row["close"] >= row["open"] else charts.loss()
        )
    if not appended.empty:
        x = _x_values(appended["bucket"], tz)
        patch["data"][TRACE_CANDLES]["x"].extend(x)
        for trace, fields in SERIES_FIELDS:
            if trace != TRACE_CANDLES:
                patch["data"][trace]["x"].extend(x)
            for attribute, column in fields:
                patch["data"][trace][attribute].extend(_values(appended[column]))
        patch["data"][TRACE_VOLUME]["marker"]["color"].extend(_volume_colours(appended))
    for _ in range(drop_from_front):
        for trace, fields in SERIES_FIELDS:
            del patch["data"][trace]["x"][0]
            for attribute, _column in fields:
                del patch["data"][trace][attribute][0]
        del patch["data"][TRACE_VOLUME]["marker"]["color"][0]
    for side, trace in (("BUY", TRACE_BUYS), ("SELL", TRACE_SELLS)):
        points = _fill_points(new_fills, side, bucket_of, tz)
        if points["x"]:
            for attribute in ("x", "y", "text"):
                patch["data"][trace][attribute].extend(points[attribute])
    return patch


# What a missing status most likely means, by data.status_payload.SilenceCause: the catalogue's
# "market.silence.<cause>".
SILENCE_CAUSES = ("collector_stalled", "entry_skipped", "bot_stopped", "unknown")
# The reason families the bot writes (data.status_reasons.ReasonFamily), as badges.
REASON_FAMILY_COLOURS = {
    "risk_rejected": "danger",
    "ai_prefilter": "secondary",
    "ai_guardrail": "warning",
    "ai_rejected": "secondary",
    "sell_done": "info",
    "sell_failed": "danger",
}


def silence_text(silence) -> str:
    """The sentence for a missing status (data.status_payload.Silence), in the page's language."""
    cause = silence.cause.value if silence is not None else "unknown"
    detail = str(silence.detail) if silence is not None and silence.detail is not None else ""
    return t("market.silence." + cause, detail=detail)


def reason_label(status) -> html.Span | None:
    """The family of the bot's reason (data.status_reasons.ReasonReading) and its sub-reason as a
    badge and a few words; None for a reason this dashboard does not classify."""
    reading = status.reason_reading
    family = reading.family.value
    if reading.empty:
        if status.action != "BUY":
            return None
        return html.Span(t("reason.buy_no_reason"), className="small text-secondary", **{"data-reason-family": family})
    if not reading.classified:
        return None
    parts = [dbc.Badge(t(reading.family_key), color=REASON_FAMILY_COLOURS.get(family, "secondary"), className="me-1")]
    if reading.sub_reason_key is not None:
        parts.append(html.Span(t(reading.sub_reason_key), className="small"))
    return html.Span(parts, **{"data-reason-family": family, "data-reason-sub": reading.sub_reason or ""})


def bot_brain(reading, tz: ZoneInfo, stale_after_s: float, silence=None) -> html.Div:
    """The Bot Brain panel for one symbol's reading (data.status_payload.BotStatusReading);
    `silence` (a SilenceCause) explains a missing status."""
    state = reading.state
    if state is StatusState.REDIS_UNAVAILABLE:
        return html.Div(
            alert(str(reading.message), "danger", t("market.redis_unreachable")), **{"data-brain-state": state.value}
        )
    if state is StatusState.MISSING:
        cause = silence.cause.value if silence is not None else "unknown"
        return html.Div(
            alert(f"{reading.message} ({reading.symbol}) {silence_text(silence)}", "warning"),
            **{"data-brain-state": state.value, "data-brain-silence": cause},
        )
    status = reading.status
    children = []
    if state is StatusState.INVALID:
        children.append(
            alert(
                t("market.invalid_payload_detail", problem=reading.problem_summary),
                "danger",
                t("market.invalid_payload"),
                **{"data-brain-problem": ",".join(k.value for k in reading.problem_kinds)},
            )
        )
    if status is None:
        return html.Div(children, **{"data-brain-state": state.value})
    action = status.action or "?"
    age_badge = []
    if reading.age_s is not None:
        level = "danger" if reading.stale else "success"
        age_badge = [
            html.Span(
                dbc.Badge(fmt.age(reading.age_s), color=level, className="ms-2"),
                **{"data-brain-age": f"{reading.age_s:.0f}"},
            ),
            dbc.Badge(t("market.stale_badge", seconds=f"{stale_after_s:.0f}"), color="danger", className="ms-1")
            if reading.stale
            else None,
        ]
    key_note = None
    if reading.key and not reading.key.endswith(reading.symbol):
        key_note = html.Span(" " + t("market.reversed_key", key=reading.key), className="text-secondary small")
    regime = status.regime or _regime_text(reading.regime)
    header = html.Div(
        [
            html.Span(reading.symbol, className="brain-symbol"),
            html.Span(
                dbc.Badge(action, color=ACTION_COLOURS.get(action, "secondary"), className="ms-2 brain-action"),
                **{"data-brain-action": action},
            ),
            html.Span(
                dbc.Badge(t("market.unknown_action"), color="warning", className="ms-1"),
                title=action_meaning("?unknown"),
                **{"data-brain-unknown-action": action},
            )
            if status.unknown_action
            else None,
            regime_badge(regime, className="ms-2") if regime else None,
            *age_badge,
            key_note,
        ],
        className="d-flex align-items-center flex-wrap mb-1",
    )
    meaning = html.Div(
        t("market.action.sell_failed") if status.failed_sell else action_meaning(action),
        className="text-secondary small mb-2 brain-meaning",
    )
    position = "–"
    if status.has_position is True:
        position = f"{fmt.quantity(status.quantity)} @ {fmt.price(status.avg_price)}"
    elif status.has_position is False:
        position = t("market.no_position")
    metrics = [
        (t("market.price"), fmt.price(status.current_price), "price"),
        ("RSI (14)", _indicator(status, "rsi", lambda v: f"{v:.1f}"), "rsi"),
    ]
    # v3 writes the trend MA and the trailing stop's high-water mark (0.0 or NaN where it did not
    # compute them); week-6 wrote the bands and MA200. Each is shown when the payload has it.
    if status.ma_trend is not None or "ma_trend" in status.not_recorded:
        metrics.append((t("market.ma_trend"), _indicator(status, "ma_trend", fmt.price), "ma_trend"))
    if status.hwm is not None:
        # Right after an exit the bot still writes the closed position's high-water mark.
        label = t("market.hwm_at_exit") if status.has_position is False else t("market.hwm")
        metrics.append((label, fmt.price(status.hwm), "hwm"))
    elif status.has_position is True and "hwm" in status.not_recorded:
        metrics.append((t("market.hwm"), _indicator(status, "hwm", fmt.price), "hwm"))
    optional = [
        (t("market.bb_upper"), status.bb_upper, "bb_upper"),
        (t("market.bb_lower"), status.bb_lower, "bb_lower"),
        ("MA 200", status.ma_200, "ma_200"),
    ]
    metrics += [(label, fmt.price(value), key) for label, value, key in optional if value is not None]
    metrics.append((t("market.position"), position, "position"))
    if status.pnl_pct is not None:
        metrics.append((t("market.position_pnl"), f"{status.pnl_pct:+.2f} %", "pnl_pct"))
    grid = dbc.Row(
        [
            dbc.Col(
                html.Div(
                    [
                        html.Div(label, className="kpi-title"),
                        html.Div(value, className="brain-value", **{"data-brain-field": key}),
                    ]
                ),
                xs=6,
                md=4,
                lg=2,
            )
            for label, value, key in metrics
        ],
        className="g-2 mb-2",
    )
    family = reason_label(status)
    reason = html.Div(
        [
            html.Div(family, className="mb-1", **{"data-brain-field": "reason-family"}) if family else None,
            long_text(
                status.reason or t("market.no_reason"), className="brain-reason mb-1", **{"data-brain-field": "reason"}
            ),
        ]
    )
    footer_parts = [
        t("market.reported_at", time=fmt.timestamp(status.timestamp, tz))
        if status.timestamp
        else t("market.no_valid_timestamp")
    ]
    footer_parts.append(t("market.payload_generation." + ("v3" if status.generation == "v3" else "week6")))
    if regime:
        footer_parts.append(t("market.regime_footer", regime=regime, meaning=regime_meaning(regime)))
    footer = html.Div(" · ".join(footer_parts), className="text-secondary small")
    return html.Div([*children, header, meaning, grid, reason, footer], **{"data-brain-state": state.value})


def _indicator(status, name: str, shown) -> str:
    """An indicator's value, or a dash the bot left it at (0.0 or NaN: not recorded)."""
    value = getattr(status, name)
    if value is not None:
        return shown(value)
    return t("market.not_recorded") if name in status.not_recorded else "–"


def _regime_text(value) -> str | None:
    """market:regime:{symbol} is a plain string in v3; anything else is not a regime."""
    return value.strip()[:20] or None if isinstance(value, str) else None


def regime_badge(regime: str, **kwargs) -> html.Span:
    """A regime badge whose tooltip says what the regime means for the strategy."""
    return html.Span(
        dbc.Badge(regime, color=REGIME_COLOURS.get(regime, "secondary"), className="regime-badge"),
        title=regime_meaning(regime),
        **{"data-regime": regime},
        **kwargs,
    )


def status_table(readings: list, tz: ZoneInfo) -> html.Div:
    """Every symbol's bot status in one compact table."""
    if not readings:
        return html.P(t("market.no_symbols"), className="text-secondary mb-0")
    rows = []
    for reading in readings:
        status = reading.status
        if reading.state is StatusState.OK or (reading.state is StatusState.INVALID and status is not None):
            action = status.action or "?"
            state_cell = [
                dbc.Badge(action, color=ACTION_COLOURS.get(action, "secondary"), title=action_meaning(action))
            ]
            if status.unknown_action:
                state_cell.append(dbc.Badge(t("market.unknown_action"), color="warning", className="ms-1"))
            if reading.state is StatusState.INVALID:
                state_cell.append(
                    dbc.Badge(t("market.invalid"), color="danger", className="ms-1", title=reading.problem_summary)
                )
        elif reading.state is StatusState.MISSING:
            state_cell = dbc.Badge(t("market.no_status"), color="warning")
        elif reading.state is StatusState.INVALID:  # nothing in the payload was usable; Redis answered
            state_cell = dbc.Badge(t("market.invalid_payload_badge"), color="danger", title=reading.problem_summary)
        else:
            state_cell = dbc.Badge(t("market.redis_down"), color="danger")
        regime = (status.regime if status else None) or _regime_text(reading.regime)
        age_text = fmt.age(reading.age_s) if reading.age_s is not None else "–"
        age_class = "text-loss" if reading.stale else ""
        detail = (
            reading.problem_summary
            if reading.state is StatusState.INVALID
            else (status.reason if status and status.reason else reading.message or "")
        )
        rows.append(
            html.Tr(
                [
                    html.Td(reading.symbol, className="fw-semibold"),
                    html.Td(state_cell),
                    html.Td(regime_badge(regime) if regime else "–"),
                    html.Td(age_text, className=age_class),
                    html.Td(fmt.price(status.current_price) if status else "–", className="text-end num"),
                    html.Td(
                        f"{status.rsi:.1f}" if status and status.rsi is not None else "–", className="text-end num"
                    ),
                    html.Td(detail, className="small text-truncate status-reason", title=detail),
                ],
                **{"data-symbol": reading.symbol, "data-state": reading.state.value},
            )
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t("market.symbol")),
                html.Th(t("market.action")),
                html.Th(t("market.regime")),
                html.Th(t("market.age")),
                html.Th(t("market.price"), className="text-end"),
                html.Th("RSI", className="text-end"),
                html.Th(t("market.reason")),
            ]
        )
    )
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 status-table")


def decisions_table(decisions: pd.DataFrame, tz: ZoneInfo) -> html.Div:
    if decisions.empty:
        return html.P(t("market.no_decisions"), className="text-secondary mb-0")
    colours = {"CONFIRM": "success", "REJECT": "danger", "SAFE": "info", "WARNING": "warning"}
    items = []
    for row in decisions.itertuples(index=False):
        items.append(
            html.Li(
                [
                    dbc.Badge(row.decision, color=colours.get(row.decision, "secondary"), className="me-2"),
                    html.Span(
                        f"{row.confidence}%" if pd.notna(row.confidence) else "", className="me-2 small text-secondary"
                    ),
                    html.Span(fmt.timestamp(row.created_at, tz, seconds=False), className="small text-secondary"),
                    long_text(row.reasoning or "", className="small", **{"data-decision-reasoning": ""}),
                ],
                className="mb-2",
            )
        )
    return html.Ul(items, className="list-unstyled mb-0 decisions")
