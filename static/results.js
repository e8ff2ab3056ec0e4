// Sorting and filtering for the results tables: a progressive enhancement. Without JavaScript the
// tables are complete and in their printed order; this file is loaded as a file (the site's CSP
// allows no inline script) and only adds header buttons and the filter form.
"use strict";

function cellValue(row, index, numeric) {
  const text = row.cells[index] ? row.cells[index].textContent.trim() : "";
  if (!numeric) return text;
  const number = parseFloat(text.replace(/[^\d.+-]/g, ""));
  return Number.isNaN(number) ? -Infinity : number;
}

function makeSortable(table) {
  const headers = Array.from(table.tHead.rows[0].cells);
  const body = table.tBodies[0];
  if (body.rows.length < 2) return;
  headers.forEach((header, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      const numeric = header.classList.contains("num");
      headers.forEach((h) => h.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = cellValue(a, index, numeric);
        const y = cellValue(b, index, numeric);
        const order = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
}

function makeFilter(form) {
  const table = document.getElementById(form.dataset.table);
  if (!table) return;
  const rows = Array.from(table.tBodies[0].rows).filter((row) => row.dataset.result);
  const text = form.elements.q;
  const result = form.elements.result;
  const status = form.querySelector(".filter-status");
  const apply = () => {
    const query = text.value.trim().toLowerCase();
    let shown = 0;
    rows.forEach((row) => {
      const visible = (!query || row.textContent.toLowerCase().includes(query)) &&
        (!result.value || row.dataset.result === result.value);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    status.textContent = `显示 ${shown} / ${rows.length} 项`;
  };
  form.addEventListener("input", apply);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.hidden = false;
  apply();
}

document.querySelectorAll("table.sortable").forEach(makeSortable);
document.querySelectorAll("form.table-filter").forEach(makeFilter);
