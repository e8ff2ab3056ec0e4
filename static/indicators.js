// The all-indicators table: find rows on every page, not only this one. A progressive enhancement:
// without JavaScript each page is a whole table and this form stays hidden. The pages' JSON twins
// (rows.json) are read one after another, so memory holds one page of rows at a time.
"use strict";

const LIMIT = 200; // matches shown; the search stops there

function rowText(row) {
  return [row.agency_name, row.year, row.project_name, row.level1, row.level2, row.name, row.target,
    row.actual, row.met, row.review].join(" ").toLowerCase();
}

function pagePath(root, number) {
  return number === 1 ? root : `${root}${number}/`;
}

async function findEverywhere(form) {
  const root = form.dataset.root;
  const pages = Number(form.dataset.pages);
  const query = form.elements.everywhere.value.trim().toLowerCase();
  const list = form.querySelector("ol");
  const status = form.querySelector(".find-status");
  list.replaceChildren();
  if (!query) {
    status.textContent = "";
    return;
  }
  let found = 0;
  for (let number = 1; number <= pages && found < LIMIT; number += 1) {
    status.textContent = `正在查找第 ${number} / ${pages} 页……`;
    const response = await fetch(`${pagePath(root, number)}rows.json`);
    if (!response.ok) break;
    const { rows } = await response.json();
    for (const row of rows) {
      if (found >= LIMIT || !rowText(row).includes(query)) continue;
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `${pagePath(root, number)}#${row.permalink.split("#").pop()}`;
      link.textContent = `${row.agency_name} ${row.year} · ${row.project_name} · ${row.name} ${row.target}`;
      item.appendChild(link);
      list.appendChild(item);
      found += 1;
    }
  }
  status.textContent = found >= LIMIT ? `找到 ${LIMIT} 项以上，只列出前 ${LIMIT} 项` : `在全部 ${pages} 页中找到 ${found} 项`;
}

document.querySelectorAll("form.find-everywhere").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    findEverywhere(form);
  });
  form.hidden = false;
});
