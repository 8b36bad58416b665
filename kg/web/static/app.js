// privacy-kg serve: small progressive enhancements; every page works without them.
// Served as a file (the Content-Security-Policy allows scripts from this origin only).
"use strict";

function rowsOf(table) { return Array.from(table.tBodies[0] ? table.tBodies[0].rows : []); }

// <input data-filter="#table">: hide rows that do not contain the text
document.querySelectorAll("[data-filter]").forEach(function (input) {
  var table = document.querySelector(input.getAttribute("data-filter"));
  if (!table) return;
  function apply() {
    var q = input.value.trim().toLowerCase();
    rowsOf(table).forEach(function (tr) {
      var hideMissing = table.dataset.onlyMissing === "1" && !tr.querySelector("td.missing");
      tr.hidden = hideMissing || (q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0);
    });
  }
  input.addEventListener("input", apply);
  table.addEventListener("refilter", apply);
});

// <input type=checkbox data-only-missing="#matrix">
document.querySelectorAll("[data-only-missing]").forEach(function (box) {
  var table = document.querySelector(box.getAttribute("data-only-missing"));
  if (!table) return;
  box.addEventListener("change", function () {
    table.dataset.onlyMissing = box.checked ? "1" : "";
    table.dispatchEvent(new Event("refilter"));
    if (!document.querySelector('[data-filter="' + box.getAttribute("data-only-missing") + '"]')) {
      rowsOf(table).forEach(function (tr) { tr.hidden = box.checked && !tr.querySelector("td.missing"); });
    }
  });
});

// table.sortable th[data-sort=text|num]: click to sort
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.querySelectorAll("thead th");
  heads.forEach(function (th, col) {
    if (!th.hasAttribute("data-sort")) return;
    th.tabIndex = 0;
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var num = th.getAttribute("data-sort") === "num";
      var rows = rowsOf(table);
      rows.sort(function (a, b) {
        var x = a.cells[col] ? a.cells[col].textContent.trim() : "", y = b.cells[col] ? b.cells[col].textContent.trim() : "";
        var c = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, undefined, {numeric: true, sensitivity: "base"});
        return asc ? c : -c;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
  });
});

// pages still being computed reload themselves
var busy = document.querySelector("[data-reload]");
if (busy) setTimeout(function () { location.reload(); }, 1000 * parseInt(busy.getAttribute("data-reload"), 10));

// the source view scrolls to the highlighted sentence
var here = document.getElementById("here");
if (here) here.scrollIntoView({block: "center"});

// the report: collapsible companies and a search box (see kg/templates/report.html)
document.querySelectorAll("[data-search]").forEach(function (input) {
  var items = document.querySelectorAll(input.getAttribute("data-search"));
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    items.forEach(function (el) { el.hidden = q !== "" && el.textContent.toLowerCase().indexOf(q) < 0; });
  });
});

document.querySelectorAll("[data-open]").forEach(function (b) {
  b.addEventListener("click", function () { document.querySelectorAll(b.getAttribute("data-open")).forEach(function (d) { d.open = true; }); });
});
document.querySelectorAll("[data-close]").forEach(function (b) {
  b.addEventListener("click", function () { document.querySelectorAll(b.getAttribute("data-close")).forEach(function (d) { d.open = false; }); });
});
// a link to a sentence inside a closed company opens it
function openTarget() {
  var id = decodeURIComponent(location.hash.slice(1));
  var el = id && document.getElementById(id);
  if (!el) return;
  for (var p = el; p; p = p.parentElement) if (p.tagName === "DETAILS") p.open = true;
  el.scrollIntoView({block: "center"});
}
window.addEventListener("hashchange", openTarget);
if (location.hash) openTarget();
