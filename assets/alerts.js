/* Opt-in browser notifications for firing alerts (callbacks/alerts.py). The choice is kept in
   localStorage; a notification shows for each rule that starts firing while a tab is open.
   Browsers allow notifications only on HTTPS or localhost; elsewhere the switch says so. */
(function () {
  var OPT_IN = "coinpilot.alerts.notify";
  var SEEN = "coinpilot.alerts.notified";
  var ns = (window.dash_clientside = window.dash_clientside || {});
  // A namespace of its own: dashboard.js assigns `coinpilot` whole, after this file loads.
  var alerts = (ns.coinpilotAlerts = ns.coinpilotAlerts || {});

  function supported() {
    return "Notification" in window && window.isSecureContext;
  }

  alerts.notifySwitch = function (enabled) {
    if (!supported()) {
      try { localStorage.removeItem(OPT_IN); } catch (e) {}
      return enabled ? "This browser allows notifications only on HTTPS or localhost." : "";
    }
    if (!enabled) {
      localStorage.removeItem(OPT_IN);
      return "";
    }
    localStorage.setItem(OPT_IN, "1");
    if (Notification.permission === "granted") {
      return "On while a dashboard tab is open.";
    }
    if (Notification.permission === "denied") {
      return "Blocked in this browser's site settings.";
    }
    Notification.requestPermission();
    return "Allow notifications in the browser's prompt.";
  };

  alerts.notify = function (firing) {
    firing = firing || {};
    var seen = {};
    try { seen = JSON.parse(localStorage.getItem(SEEN) || "{}"); } catch (e) { seen = {}; }
    var enabled = supported() && localStorage.getItem(OPT_IN) === "1" && Notification.permission === "granted";
    Object.keys(firing).forEach(function (key) {
      if (!seen[key] && enabled) {
        new Notification("CoinPilot alert", { body: firing[key], tag: key });
      }
    });
    // Remember what is firing now, so a rule notifies again only after it resolved.
    localStorage.setItem(SEEN, JSON.stringify(Object.keys(firing).reduce(function (m, k) { m[k] = 1; return m; }, {})));
    return String(Object.keys(firing).length);
  };
})();
