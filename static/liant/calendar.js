// Drag a post to another day of the calendar: htmx posts the new day, the server moves the
// post (same time of day) and asks the page to redraw. Without JavaScript, the list view's
// forms do the same.
(function () {
  "use strict";
  const table = document.querySelector("table.calendar[data-reschedule='1']");
  if (!table || !window.htmx) return;
  let dragged = null;
  table.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-reschedule-url]");
    if (dragged) event.dataTransfer.setData("text/plain", dragged.dataset.rescheduleUrl);
  });
  table.addEventListener("dragover", (event) => {
    if (dragged && event.target.closest("td[data-day]")) event.preventDefault();
  });
  table.addEventListener("drop", (event) => {
    const cell = event.target.closest("td[data-day]");
    if (!dragged || !cell) return;
    event.preventDefault();
    htmx.ajax("POST", dragged.dataset.rescheduleUrl, {
      values: { day: cell.dataset.day },
      headers: { "X-CSRFToken": table.dataset.csrf },
      swap: "none",
    });
    dragged = null;
  });
})();
