// fleetctl console: live pages. A <main data-live="N"> is fetched again every N seconds and swapped
// in place, unless the reader is typing in one of its forms or the tab is hidden. Without JavaScript
// the pages are complete as served; a reload refreshes them.
(function () {
  "use strict";
  var main = document.querySelector("main[data-live]");
  if (!main || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = Math.max(2, parseInt(main.getAttribute("data-live"), 10) || 5);
  var busy = false;
  function editing() {
    var active = document.activeElement;
    return active && main.contains(active) && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(active.tagName);
  }
  function refresh() {
    if (busy || document.hidden || editing()) {
      return;
    }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null || editing()) {
          return;
        }
        var next = new DOMParser().parseFromString(text, "text/html").querySelector("main");
        if (next) {
          main.innerHTML = next.innerHTML;
          main.setAttribute("data-refreshed", new Date().toISOString());
        }
      })
      .catch(function () { /* serve restarting: try again on the next tick */ })
      .then(function () { busy = false; });
  }
  window.setInterval(refresh, seconds * 1000);
})();
