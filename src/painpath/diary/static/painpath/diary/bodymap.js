// Body map: SVG regions act as checkboxes (click, tap, Space, Enter) and mirror the real
// form checkboxes, which stay the source of truth (the form works without this script).
(function () {
  "use strict";
  var map = document.getElementById("bodymap");
  if (!map) return;
  var list = document.getElementById("region-list");
  function box(id) {
    return document.querySelector('input[name="regions"][value="' + id + '"]');
  }
  function paint(region) {
    var input = box(region.dataset.region);
    var on = !!(input && input.checked);
    region.setAttribute("aria-checked", on ? "true" : "false");
    region.classList.toggle("is-chosen", on);
  }
  var regions = map.querySelectorAll("[data-region]");
  regions.forEach(function (region) {
    function toggle() {
      var input = box(region.dataset.region);
      if (!input) return;
      input.checked = !input.checked;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    region.addEventListener("click", toggle);
    region.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        toggle();
      }
    });
    paint(region);
  });
  document.querySelectorAll('input[name="regions"]').forEach(function (input) {
    input.addEventListener("change", function () {
      var region = map.querySelector('[data-region="' + input.value + '"]');
      if (region) paint(region);
    });
  });
  map.hidden = false;
  if (list) list.open = false;
})();
