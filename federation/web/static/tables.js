// Sortable and filterable tables, with no library: click a header to sort, type to filter.
document.querySelectorAll("table.data").forEach((table) => {
  const body = table.tBodies[0];
  table.querySelectorAll("th").forEach((th, column) => {
    th.addEventListener("click", () => {
      const ascending = th.dataset.order !== "asc";
      table.querySelectorAll("th").forEach((h) => delete h.dataset.order);
      th.dataset.order = ascending ? "asc" : "desc";
      const key = (row) => row.cells[column].dataset.sort ?? row.cells[column].textContent.trim();
      const numeric = th.classList.contains("num");
      const rows = Array.from(body.rows).sort((a, b) => {
        const x = key(a), y = key(b);
        const order = numeric ? parseFloat(x.replace(/[^0-9.-]/g, "")) - parseFloat(y.replace(/[^0-9.-]/g, "")) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
  const filter = document.querySelector(`input.filter[data-table="${table.id}"]`);
  if (filter) {
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase();
      Array.from(body.rows).forEach((row) => {
        row.hidden = !row.textContent.toLowerCase().includes(words);
      });
    });
  }
});
