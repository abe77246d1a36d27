// thecal clinic: the patient's lockout countdown, and the keyboard into a table that
// scrolls sideways on a narrow screen. Everything else is HTMX.
(function () {
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var end = parseFloat(el.getAttribute("data-end-real"));
      var speed = parseFloat(el.getAttribute("data-speed")) || 1;
      var left = Math.max(0, (end - Date.now() / 1000) * speed);
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60);
      var s = Math.floor(left % 60);
      el.textContent = left > 0 ? h + " h " + String(m).padStart(2, "0") + " min " +
        String(s).padStart(2, "0") + " s" : "now";
    });
  }
  function arm() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (!el.hasAttribute("data-end-real")) {
        var rem = parseFloat(el.getAttribute("data-countdown"));
        var speed = parseFloat(el.getAttribute("data-speed")) || 1;
        el.setAttribute("data-end-real", Date.now() / 1000 + rem / speed);
      }
    });
    tick();
  }
  document.addEventListener("DOMContentLoaded", arm);
  document.addEventListener("htmx:afterSwap", arm);
  setInterval(tick, 1000);
})();

(function () {
  // A region that scrolls must be reachable by the keyboard (WCAG 2.1.1); one that
  // does not scroll is left out of the tab order, so a desk is not a row of stops.
  function focusable() {
    document.querySelectorAll(".scroll-x").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0");
      else el.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", focusable);
  document.addEventListener("htmx:afterSwap", focusable);
  window.addEventListener("resize", focusable);
})();
