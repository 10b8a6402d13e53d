// Display switches (layouts/shell.display_switches): a click remembers the choice in a cookie
// and reloads the page, which the server then renders in it. A `?lang=`-style parameter in the
// address would override the new cookie, so it is removed first.
(function () {
  "use strict";
  var YEAR_S = 365 * 24 * 3600;
  var PARAMETERS = { lang: "lang", theme: "theme", colours: "colours", units: "units" };
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-pref][data-value]") : null;
    if (!button) {
      return;
    }
    var preference = button.getAttribute("data-pref");
    if (!Object.prototype.hasOwnProperty.call(PARAMETERS, preference)) {
      return;
    }
    var value = encodeURIComponent(button.getAttribute("data-value"));
    document.cookie = "cp_" + preference + "=" + value + "; path=/; max-age=" + YEAR_S + "; samesite=lax";
    var address = new URL(window.location.href);
    address.searchParams.delete(PARAMETERS[preference]);
    if (address.href !== window.location.href) {
      window.location.replace(address.href);
    } else {
      window.location.reload();
    }
  });
})();
