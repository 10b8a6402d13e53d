/* Cell renderers for the AG Grid tables (referenced by name from layouts/history.py). Values
 * arrive formatted from the server; these only colour them. Text is set as React text, so
 * whatever the database holds is shown inert. */
(function () {
  "use strict";
  var renderers = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

  renderers.PnlCell = function (props) {
    var sign = props.data ? props.data.pnl_sign : 0;
    var className = sign > 0 ? "text-gain" : sign < 0 ? "text-loss" : "";
    return window.React.createElement("span", { className: className }, props.value);
  };

  renderers.SideCell = function (props) {
    // The bot's code (side_code), not the shown label, which is in the UI language.
    var side = props.data && props.data.side_code ? props.data.side_code : props.value;
    var className = side === "BUY" ? "text-gain" : side === "SELL" ? "text-loss" : "";
    return window.React.createElement("span", { className: className + " fw-semibold" }, props.value);
  };
})();
