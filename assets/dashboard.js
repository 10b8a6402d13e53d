/* Clientside behaviour of CoinPilot Dashboard. Served from assets/ (no inline script, no
 * eval), so it runs under the app's Content-Security-Policy. The ids used here are those of
 * layouts/ids.py. */
window.dash_clientside = window.dash_clientside || {};

(function () {
  "use strict";
  var REFRESH_INTERVAL_ID = "refresh-interval";
  var HISTORY_GRID_ID = "history-grid";
  var ALLOWED_SECONDS = [5, 10, 30, 60, 300];
  var refresh = { enabled: true };
  var cooldown = { stamp: null, receivedAt: 0 };

  // A hidden tab polls nothing; the timer resumes when the operator comes back.
  document.addEventListener("visibilitychange", function () {
    if (window.dash_clientside.set_props) {
      window.dash_clientside.set_props(REFRESH_INTERVAL_ID, {
        disabled: document.hidden || !refresh.enabled,
      });
    }
  });

  // {name} in a sentence the server translated, filled in here.
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function duration(seconds, texts) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h > 0 ? fill(texts.hms, { h: h, m: pad(m), s: pad(s) }) : fill(texts.ms, { m: m, s: pad(s) });
  }

  function withGrid(action) {
    var grids = window.dash_ag_grid;
    if (!grids || !grids.getApiAsync) { return; }
    grids.getApiAsync(HISTORY_GRID_ID).then(action).catch(function () { /* grid not on this page */ });
  }

  window.dash_clientside.coinpilot = {
    applyRefresh: function (enabled, seconds) {
      refresh.enabled = enabled !== false;
      var value = parseInt(seconds, 10);
      if (ALLOWED_SECONDS.indexOf(value) < 0) { value = 10; }
      return [value * 1000, document.hidden || !refresh.enabled];
    },

    // The server sends the remaining seconds with each refresh; the browser counts down
    // in between (at the server clock's rate: the demo's clock may run faster). The sentences
    // come with the data, in the browser's language (callbacks/risk.py cooldown_countdown).
    cooldownCountdown: function (_ticks, data) {
      if (!data || data.remaining_s === undefined) {
        return data && data.texts ? data.texts.none : "";
      }
      if (data.stamp !== cooldown.stamp) {
        cooldown.stamp = data.stamp;
        cooldown.receivedAt = Date.now();
      }
      var remaining = data.remaining_s - ((Date.now() - cooldown.receivedAt) / 1000) * (data.rate || 1);
      if (remaining <= 0) {
        return data.texts.ended;
      }
      return fill(data.texts.left, { left: duration(remaining, data.texts) });
    },

    // New filters: a fresh cache from page 1. A refresh tick: reload the cached blocks in
    // place, keeping the page and the sort order the operator chose.
    refreshTradeGrid: function () {
      var triggered = (window.dash_clientside.callback_context.triggered || []).map(function (t) {
        return t.prop_id;
      });
      var tick = triggered.length > 0 && triggered.every(function (id) {
        return id.indexOf(REFRESH_INTERVAL_ID + ".") === 0;
      });
      withGrid(function (api) {
        if (tick) {
          api.refreshInfiniteCache();
        } else {
          api.paginationGoToFirstPage();
          api.purgeInfiniteCache();
        }
      });
      return Date.now();
    },
  };
})();
