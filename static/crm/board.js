/* The pipeline board (templates/sales/board.html, sales.views.BoardView).
   A card dragged onto another stage's column presses that stage's button in
   the card's own "Move to stage" menu: a drop and the keyboard path post the
   same form (htmx, sales.views.BoardMoveView), and the server decides. Here
   only what needs the browser: the drag itself, which columns the page shows
   (the answer redraws their figures), the focus after a move, and no card
   twice after "Show more". */
(function () {
  "use strict";
  let dragged = null;

  function columnOf(node) { return node && node.closest ? node.closest(".board-column") : null; }
  function clearTargets() {
    document.querySelectorAll(".board-column.drop-target").forEach((column) => column.classList.remove("drop-target"));
  }
  // A column of a stage (not "No stage"), other than the card's own.
  function canDrop(column) { return dragged && column && column.dataset.stage && column !== columnOf(dragged); }

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".board-card");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.querySelector(".board-card-title").textContent.trim());
    card.classList.add("dragging");
  });
  document.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!canDrop(column)) return;
    event.preventDefault();  // allows the drop
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("drop-target")) {
      clearTargets();
      column.classList.add("drop-target");
    }
  });
  document.addEventListener("dragleave", (event) => {
    const column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  document.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!canDrop(column)) return;
    event.preventDefault();
    clearTargets();
    const button = dragged.querySelector('.board-move button[name="stage"][value="' + column.dataset.stage + '"]');
    // A click, as a keyboard or mouse user's on the menu, so htmx sends the button's stage.
    if (button) button.click();
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearTargets();
  });

  // A move says which columns the page shows: the answer redraws their figures (out of band).
  document.addEventListener("htmx:configRequest", (event) => {
    const elt = event.detail.elt;
    if (!elt.closest || !elt.closest(".board-move")) return;
    event.detail.parameters.columns = [...document.querySelectorAll(".board-column")].map((c) => c.dataset.column);
  });

  document.addEventListener("htmx:load", (event) => {
    const card = event.detail.elt;
    if (!card.matches || !card.matches(".board-card")) return;
    // "Show more" may bring a card that a move already put at the top of the column: keep that one.
    if (card.hasAttribute("data-more") && document.querySelectorAll('[id="' + card.id + '"]').length > 1) {
      card.remove();
      return;
    }
    // After a move the keyboard focus goes to the card where it is now (once the old one is gone).
    if (card.hasAttribute("data-focus")) {
      card.removeAttribute("data-focus");
      window.requestAnimationFrame(() => { if (card.isConnected) card.focus(); });
    }
  });

  // A choice of assignee applies at once (dates wait for Filter: a date being typed changes on every digit).
  document.addEventListener("change", (event) => {
    const form = event.target.tagName === "SELECT" && event.target.closest("#board-filters");
    if (form) form.requestSubmit();
  });
})();
