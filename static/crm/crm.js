/* Behaviour shared by every page: reading pane, multi-select, time stamps, Link to dialog.
   Everything is delegated from `document`, so it keeps working after htmx swaps. */
(function () {
  "use strict";
  // Django's JavaScript catalog (/jsi18n/) defines gettext and interpolate.
  const translate = (s) => (typeof gettext === "function" ? gettext(s) : s);

  /* ---- Under the Content-Security-Policy ----------------------------------- */
  // The policy allows no style="" in the markup, but a script may still set an
  // element's style: category badges carry their colours as data attributes.
  function paintBadges(root) {
    if (!root || !root.querySelectorAll) return;
    const badges = [...root.querySelectorAll(".category-badge[data-colour]")];
    if (root.matches && root.matches(".category-badge[data-colour]")) badges.push(root);
    badges.forEach((badge) => {
      badge.style.backgroundColor = badge.dataset.colour;
      badge.style.color = badge.dataset.textColour;
    });
  }
  document.addEventListener("DOMContentLoaded", () => paintBadges(document));
  // Rows, reading pane and partials that htmx swaps in.
  document.addEventListener("htmx:load", (event) => paintBadges(event.detail.elt));

  // htmx trigger filters (change[target.name!='q']) are evaluated with eval, which
  // the policy forbids: these changes are sent as named events instead.
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!window.htmx || !target.closest) return;
    // A list's filters: every field but the search box, which searches as it is typed.
    const filters = target.closest("[data-filter-form]");
    if (filters && target.name !== "q") window.htmx.trigger(filters, "filters-change");
    // Bulk edit: choosing the field fetches the input for its value.
    const bulkValue = target.name === "field" && target.closest("#bulk-value");
    if (bulkValue) window.htmx.trigger(bulkValue, "field-change");
  });

  /* ---- Add time stamp ------------------------------------------------------ */
  function pad(n) { return String(n).padStart(2, "0"); }
  function stampText() {
    const d = new Date();
    const user = document.body.dataset.userName || "";
    const when = d.toLocaleDateString(document.documentElement.lang || undefined) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
    return "— " + when + (user ? " " + user : "") + " —\n";
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".add-time-stamp");
    if (!button) return;
    const area = document.getElementById(button.dataset.target) || button.parentElement.querySelector("textarea");
    const stamp = stampText();
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? area.value.length;
    const before = area.value.slice(0, start);
    const text = (before && !before.endsWith("\n") ? "\n" : "") + stamp;
    area.value = before + text + area.value.slice(end);
    area.focus();
    area.selectionStart = area.selectionEnd = start + text.length;
  });

  /* ---- Record lists: reading pane and multi-select -------------------------- */
  let lastChecked = null;

  function bulkForm(el) { return el.closest(".bulk-form"); }

  function refreshSelection(form) {
    if (!form) return;
    const boxes = [...form.querySelectorAll(".row-select")];
    const checked = boxes.filter((b) => b.checked);
    const allInput = form.querySelector(".select-all-input");
    const allMatching = allInput && allInput.value === "1";
    form.querySelectorAll(".bulk-actions button").forEach((b) => { b.disabled = !checked.length && !allMatching; });
    const pageBox = form.querySelector(".select-page");
    if (pageBox) {
      pageBox.checked = boxes.length > 0 && checked.length === boxes.length;
      pageBox.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    const banner = form.querySelector(".select-all-banner");
    if (banner) banner.classList.toggle("d-none", !(boxes.length && checked.length === boxes.length));
    const info = form.querySelector(".selection-info");
    if (info) {
      const n = allMatching ? form.dataset.count : checked.length;
      info.textContent = n ? interpolate(translate(gettext_noop("%(n)s selected")), { n: n }, true) : "";
    }
    boxes.forEach((b) => b.closest("tr").classList.toggle("table-active", b.checked));
  }

  function gettext_noop(s) { return s; }

  function interpolate(fmt, obj, named) {
    return window.interpolate ? window.interpolate(fmt, obj, named) : fmt.replace(/%\((\w+)\)s/g, (_, k) => obj[k]);
  }

  function clearAllMatching(form) {
    const allInput = form.querySelector(".select-all-input");
    if (allInput && allInput.value === "1") {
      allInput.value = "0";
      form.querySelector(".all-selected-text")?.classList.add("d-none");
      form.querySelector(".page-selected-text")?.classList.remove("d-none");
      form.querySelector(".select-all-matching")?.classList.remove("d-none");
    }
  }

  document.addEventListener("click", (event) => {
    const box = event.target.closest(".row-select");
    if (box) {
      const form = bulkForm(box);
      const boxes = [...form.querySelectorAll(".row-select")];
      // Shift-click ticks (or unticks) every row between the last click and this one.
      if (event.shiftKey && lastChecked && boxes.includes(lastChecked)) {
        const [a, b] = [boxes.indexOf(lastChecked), boxes.indexOf(box)].sort((x, y) => x - y);
        boxes.slice(a, b + 1).forEach((b2) => { b2.checked = box.checked; });
      }
      lastChecked = box;
      clearAllMatching(form);
      refreshSelection(form);
      return;
    }
    const pageBox = event.target.closest(".select-page");
    if (pageBox) {
      const form = bulkForm(pageBox);
      form.querySelectorAll(".row-select").forEach((b) => { b.checked = pageBox.checked; });
      clearAllMatching(form);
      refreshSelection(form);
      return;
    }
    const allMatching = event.target.closest(".select-all-matching");
    if (allMatching) {
      const form = bulkForm(allMatching);
      form.querySelector(".select-all-input").value = "1";
      allMatching.classList.add("d-none");
      form.querySelector(".page-selected-text")?.classList.add("d-none");
      form.querySelector(".all-selected-text")?.classList.remove("d-none");
      refreshSelection(form);
      return;
    }
    const row = event.target.closest("tr.record-row");
    if (row && !event.target.closest("a, input, button, label")) previewRow(row);
  });

  document.addEventListener("dblclick", (event) => {
    const row = event.target.closest("tr.record-row");
    if (row && !event.target.closest("input, button")) window.location.href = row.dataset.url;
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "results") { lastChecked = null; refreshSelection(event.detail.target.querySelector(".bulk-form")); }
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".bulk-form").forEach(refreshSelection);
  });

  /* ---- Record lists: reading pane and column chooser ----------------------- */
  // The pane opens beside the list (wide screens only) when a row is clicked,
  // and its Close button hides it: until then the list has the whole width.
  const wideScreen = window.matchMedia("(min-width: 992px)");

  function previewRow(row) {
    const pane = document.getElementById("reading-pane");
    const column = pane && pane.closest(".reading-pane-col");
    if (!column || !window.htmx || !wideScreen.matches) return;
    row.closest("tbody").querySelectorAll("tr.previewed").forEach((r) => r.classList.remove("previewed"));
    row.classList.add("previewed");
    column.hidden = false;
    window.htmx.ajax("GET", row.dataset.url, { target: "#reading-pane", swap: "innerHTML" });
  }

  document.addEventListener("click", (event) => {
    const close = event.target.closest(".reading-pane-close");
    if (!close) return;
    close.closest(".reading-pane-col").hidden = true;
    document.getElementById("reading-pane").innerHTML = "";
    document.querySelectorAll("tr.previewed").forEach((r) => r.classList.remove("previewed"));
  });

  // Ticking a column saves the choice, then the rows are fetched again with the
  // page's own filter, sort and page (without JavaScript the form's Apply does both).
  document.addEventListener("change", (event) => {
    const chooser = event.target.closest && event.target.closest(".column-chooser");
    if (!chooser || !window.htmx) return;
    fetch(chooser.action, { method: "POST", body: new FormData(chooser), credentials: "same-origin",
                            headers: { "HX-Request": "true" } })
      .then((response) => response.ok ? window.htmx.ajax("GET", window.location.href, { target: "#results", swap: "innerHTML" })
                                       : Promise.reject(response.status))
      .catch((error) => console.error("Could not save the columns:", error));
  });
  document.addEventListener("submit", (event) => {
    // "Default columns" reloads the page at its current address (filters pushed by htmx included).
    const chooser = event.target.closest && event.target.closest(".column-chooser");
    if (chooser) chooser.querySelector("input[name=next]").value = window.location.pathname + window.location.search;
  });

  /* ---- Lead score: the manual stars are chosen with a manual score only ------ */
  // The stars shown come from the server (crm.scoring_views.ScoreView, by htmx); this
  // only enables the manual stars while the score type is Manual. It listens in
  // the capture phase, so the radios are enabled before htmx reads the form for
  // the new stars (its listener is on the section, below the document).
  function refreshManualStars(section) {
    const manual = section.querySelector("input[name=score_type][value=manual]");
    section.querySelectorAll("input[name=manual_score]").forEach((r) => { r.disabled = !(manual && manual.checked); });
  }
  document.addEventListener("change", (event) => {
    const section = event.target.name === "score_type" && event.target.closest(".lead-score-section");
    if (section) refreshManualStars(section);
  }, true);
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".lead-score-section").forEach(refreshManualStars);
  });

  /* ---- Link to dialog ------------------------------------------------------ */
  let linkTarget = null;
  let searchTimer = null;
  let allTypeOptions = null;
  // The record types "New" can create in place (crm.views.LinkToCreateView).
  const CREATABLE_TYPES = ["account", "contact"];

  function linkModal() { return document.getElementById("link-to-modal"); }
  function linkTypes() { return linkTarget ? linkTarget.dataset.types.split(",") : []; }

  // The type "Create and link" makes: the chosen one, or with "All" the field's
  // first creatable type; "" when the chosen type cannot be created in place.
  function creatableType() {
    const chosen = linkModal().querySelector("#link-to-type").value;
    if (chosen) return CREATABLE_TYPES.includes(chosen) ? chosen : "";
    return linkTypes().find((key) => CREATABLE_TYPES.includes(key)) || "";
  }

  function refreshNew() {
    linkModal().querySelector("#link-to-new").classList.toggle("d-none", !creatableType());
  }

  function linkSearch() {
    const modal = linkModal();
    if (!modal || !linkTarget) return;
    const params = new URLSearchParams({
      types: linkTarget.dataset.types,
      type: modal.querySelector("#link-to-type").value,
      q: modal.querySelector("#link-to-q").value,
    });
    window.htmx.ajax("GET", modal.dataset.searchUrl + "?" + params.toString(), { target: "#link-to-results", swap: "innerHTML" });
  }

  // Put a record in the field the dialog was opened from, and close the dialog.
  function linkPick(value, label) {
    if (linkTarget.classList.contains("link-many")) {
      addLinkMany(linkTarget, value, label);
      window.bootstrap.Modal.getOrCreateInstance(linkModal()).hide();
      return;
    }
    const input = linkTarget.querySelector("input[type=hidden]");
    input.value = value;
    const shown = linkTarget.querySelector(".link-to-label");
    shown.textContent = label;
    shown.classList.remove("text-muted");
    input.dispatchEvent(new Event("change", { bubbles: true }));
    window.bootstrap.Modal.getOrCreateInstance(linkModal()).hide();
  }

  function openLinkDialog(box) {
    linkTarget = box;
    const modal = linkModal();
    const types = linkTypes();
    const select = modal.querySelector("#link-to-type");
    // Offer only the field's types ("All" with several). Options are removed, not
    // hidden: some browsers (Safari) still offer a hidden <option>.
    allTypeOptions = allTypeOptions || [...select.options].map((option) => option.cloneNode(true));
    select.replaceChildren(...allTypeOptions
      .filter((option) => (option.value === "" ? types.length > 1 : types.includes(option.value)))
      .map((option) => option.cloneNode(true)));
    select.value = types.length < 2 ? types[0] : "";
    // A "Word of mouth" lead was referred by a person: offer business contacts first.
    const source = linkTarget.closest("form")?.querySelector("input[name=source]");
    if (types.includes("contact") && source && /^word of mouth$/i.test(source.value.trim())) select.value = "contact";
    modal.querySelector("#link-to-q").value = "";
    const newRecord = modal.querySelector("#link-to-new");
    newRecord.open = false;
    newRecord.querySelector("#link-to-new-name").value = "";
    refreshNew();
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
    linkSearch();
    setTimeout(() => modal.querySelector("#link-to-q").focus(), 300);
  }

  // Several records of one type (crm.generic.links.LinkManyField): a picked record
  // joins the list (once), Remove takes one out.
  function refreshLinkMany(box) {
    box.querySelector(".link-many-empty").classList.toggle("d-none", !!box.querySelector(".link-many-item"));
  }
  function addLinkMany(box, value, label) {
    const list = box.querySelector(".link-many-list");
    const chosen = [...list.querySelectorAll("input[type=hidden]")].map((input) => input.value);
    if (!chosen.includes(String(value))) {
      const item = box.querySelector(".link-many-template").content.firstElementChild.cloneNode(true);
      const input = item.querySelector("input[type=hidden]");
      input.name = box.dataset.name;
      input.value = value;
      item.querySelector(".link-many-label").textContent = label;
      const remove = item.querySelector(".link-many-remove");
      remove.setAttribute("aria-label", remove.dataset.label.replace("%(name)s", label));
      list.appendChild(item);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    refreshLinkMany(box);
  }

  document.addEventListener("click", (event) => {
    const open = event.target.closest(".link-to-open");
    if (open) {
      openLinkDialog(open.closest(".link-to"));
      return;
    }
    const addMany = event.target.closest(".link-many-add");
    if (addMany) {
      openLinkDialog(addMany.closest(".link-many"));
      return;
    }
    const removeMany = event.target.closest(".link-many-remove");
    if (removeMany) {
      const box = removeMany.closest(".link-many");
      removeMany.closest(".link-many-item").remove();
      refreshLinkMany(box);
      box.querySelector(".link-many-add").focus();
      return;
    }
    const clear = event.target.closest(".link-to-clear");
    if (clear) {
      const box = clear.closest(".link-to");
      box.querySelector("input[type=hidden]").value = "";
      const label = box.querySelector(".link-to-label");
      label.textContent = label.dataset.empty;
      label.classList.add("text-muted");
      return;
    }
    const pick = event.target.closest(".link-to-pick");
    if (pick && linkTarget) linkPick(pick.dataset.value, pick.dataset.label);
  });

  document.addEventListener("input", (event) => {
    if (event.target.id === "link-to-q") { clearTimeout(searchTimer); searchTimer = setTimeout(linkSearch, 250); }
  });
  document.addEventListener("change", (event) => {
    if (event.target.id === "link-to-type") { refreshNew(); linkSearch(); }
  });
  document.addEventListener("htmx:configRequest", (event) => {
    // "Create and link": the field's types and the type to create, read when it is sent.
    if (event.detail.elt.closest && event.detail.elt.closest("#link-to-new") && linkTarget) {
      event.detail.parameters.types = linkTarget.dataset.types;
      event.detail.parameters.type = creatableType();
    }
  });
  // The server created the record (HX-Trigger from crm.views.LinkToCreateView): link it.
  document.addEventListener("linkToCreated", (event) => {
    if (linkTarget) linkPick(event.detail.value, event.detail.label);
  });

  /* ---- Import: busy state and progress while a step works ------------------ */
  // The form is sent as usual (the browser shows the next page when it comes);
  // meanwhile its buttons are disabled (a second click sends nothing), and the
  // page polls the step's progress, which the server writes to disk under an id
  // this page makes up (crm.generic.views.importexport.ImportStatusView).
  function progressId() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  function pollImport(form, id) {
    const panel = form.querySelector(".import-progress");
    const text = panel.querySelector(".import-progress-text");
    const bar = panel.querySelector(".import-progress-bar");
    const tick = () => {
      if (!form.dataset.busy) return;
      fetch(form.dataset.statusUrl + "?id=" + encodeURIComponent(id), { credentials: "same-origin", cache: "no-store" })
        .then((response) => (response.status === 200 ? response.json() : null))
        .then((data) => {
          if (!data || !form.dataset.busy) return;
          text.textContent = data.text;
          if (data.total) { bar.max = data.total; bar.value = Math.min(data.done, data.total); } else bar.removeAttribute("value");
        })
        .catch(() => {})  // the next poll may answer; the page itself comes when the step ends
        .finally(() => { if (form.dataset.busy) setTimeout(tick, 700); });
    };
    setTimeout(tick, 400);
  }

  function setImportBusy(form, busy) {
    if (busy) form.dataset.busy = "1"; else delete form.dataset.busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
    // Only this form's own buttons: Cancel (form="import-cancel") stays available.
    form.querySelectorAll("button, input[type=submit]").forEach((button) => { if (button.form === form) button.disabled = busy; });
    const panel = form.querySelector(".import-progress");
    if (!panel) return;
    panel.hidden = !busy;
    panel.querySelector(".import-progress-text").textContent = form.dataset.busyText || "";
    panel.querySelector(".import-progress-bar").removeAttribute("value");
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form.import-form");
    if (!form || event.defaultPrevented) return;
    if (form.dataset.busy) { event.preventDefault(); return; }  // already sent: no second import
    const id = progressId();
    form.querySelector("input[name=progress]").value = id;
    // Disabled after the browser has taken the form's data (a disabled control sends nothing).
    setTimeout(() => { setImportBusy(form, true); pollImport(form, id); }, 0);
    form.dataset.busy = "1";
  });
  // Back to a page kept in the browser's cache: its forms can be sent again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) document.querySelectorAll("form.import-form[data-busy]").forEach((form) => setImportBusy(form, false));
  });

  // --- Opportunity form: products and services --------------------------------
  // The totals, each line's total and the activity checklist are drawn by the
  // server with the functions the save uses, and "Add line" fetches the row:
  // htmx attributes in templates/sales/includes/. Here, only what needs no
  // server: a catalogue item fills in its unit price, Remove hides the line and
  // ticks its DELETE box. Each then sends an "input" event, as typing does, so
  // the totals follow.
  function changedLine(input) { input.dispatchEvent(new Event("input", { bubbles: true })); }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target.classList && target.classList.contains("line-product"))) return;
    const option = target.selectedOptions[0];
    const price = option && option.dataset.unitPrice;
    const row = target.closest("tr");
    if (price === undefined || !row) return;
    const input = row.querySelector(".line-price");
    input.value = price;
    changedLine(input);
  });
  document.addEventListener("click", (event) => {
    const remove = event.target.closest(".remove-line");
    if (!remove) return;
    const row = remove.closest("tr");
    const deleted = row.querySelector("input[name$='-DELETE']");
    deleted.checked = true;
    row.classList.add("d-none");
    changedLine(deleted);
  });
})();
