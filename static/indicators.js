// The all-indicators table: find rows on every page, not only this one. A progressive enhancement:
// without JavaScript each page is a whole table and this form stays hidden. The pages' JSON twins
// (rows.json) are read one after another, so memory holds one page of rows at a time; the list
// stops at the form's data-limit matches, and "更多" goes on from the row where it stopped.
"use strict";

function rowText(row) {
  return [row.agency_name, row.year, row.project_name, row.level1, row.level2, row.name, row.target,
    row.actual, row.met, row.review].join(" ").toLowerCase();
}

function pagePath(root, number) {
  return number === 1 ? root : `${root}${number}/`;
}

function resultItem(root, number, row) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `${pagePath(root, number)}#${row.permalink.split("#").pop()}`;
  link.textContent = `${row.agency_name} ${row.year} · ${row.project_name} · ${row.name} ${row.target}`;
  item.appendChild(link);
  return item;
}

// One search: where it is (page `number`, row `offset` of that page's `rows`) and what it found.
let current = null;

async function listMore(form, search) {
  const root = form.dataset.root;
  const pages = Number(form.dataset.pages);
  const list = form.querySelector("ol");
  const status = form.querySelector(".find-status");
  const more = form.querySelector(".find-more");
  const limit = Number(form.dataset.limit); // matches listed at a time
  more.hidden = true;
  let listed = 0;
  while (search.number <= pages && listed < limit) {
    if (search.rows === null) {
      status.textContent = `正在查找第 ${search.number} / ${pages} 页……`;
      const response = await fetch(`${pagePath(root, search.number)}rows.json`);
      if (search !== current) return; // a newer search started meanwhile
      if (!response.ok) {
        status.textContent = `第 ${search.number} 页的数据读不到（${response.status}），查找停在这里`;
        return;
      }
      search.rows = (await response.json()).rows;
      if (search !== current) return;
    }
    while (search.offset < search.rows.length && listed < limit) {
      const row = search.rows[search.offset];
      search.offset += 1;
      if (rowText(row).includes(search.query)) {
        list.appendChild(resultItem(root, search.number, row));
        listed += 1;
        search.found += 1;
      }
    }
    if (search.offset >= search.rows.length) {
      search.number += 1;
      search.offset = 0;
      search.rows = null;
    }
  }
  if (search.number <= pages) {
    status.textContent = `已列出 ${search.found} 项（查到第 ${search.number} / ${pages} 页），还可能有更多`;
    more.hidden = false;
  } else {
    status.textContent = `在全部 ${pages} 页中找到 ${search.found} 项`;
  }
}

function findEverywhere(form) {
  const query = form.elements.everywhere.value.trim().toLowerCase();
  form.querySelector("ol").replaceChildren();
  form.querySelector(".find-more").hidden = true;
  current = query ? { query, number: 1, offset: 0, rows: null, found: 0 } : null;
  if (!current) {
    form.querySelector(".find-status").textContent = "";
    return;
  }
  listMore(form, current);
}

document.querySelectorAll("form.find-everywhere").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    findEverywhere(form);
  });
  form.querySelector(".find-more").addEventListener("click", async () => {
    if (!current) return;
    const before = form.querySelectorAll(".find-results a").length;
    await listMore(form, current);
    // the button hides while the list grows: keep the keyboard's place at the first new match
    const next = form.querySelectorAll(".find-results a")[before];
    if (next) next.focus();
  });
  form.hidden = false;
});
