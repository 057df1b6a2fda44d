/*
 * Filterable combobox for long lists: <select name="unit" id="id_unit" data-combobox>.
 *
 * Why: native type-ahead matches from the first letter with exact diacritics,
 * so "my thanh" lands on a wrong "Phường ...". Here every query word must occur
 * in the label, accents ignored (Mỹ Thạnh = my thanh = MY THANH, Đặc = dac).
 *
 * WAI-ARIA APG "combobox with listbox popup, list autocomplete, manual
 * selection". The hidden native select stays in the form and carries the value
 * (the page works without this file). The text input takes over the select's id,
 * so <label for> names it; the select becomes "<id>-native". Choosing sets
 * select.value and dispatches bubbling "input" and "change" on the select, like
 * a native select (data-autosubmit and htmx triggers keep working).
 *
 * Remote mode, <select data-combobox data-combobox-url="/committees/search/">:
 * the list is too long to be written into the page (thousands of committees
 * in a national database), so the select holds only the chosen option. Typing
 * (after a 200 ms pause, from the first character) asks the URL with ?q=...
 * for at most ~20 entries [{value, label, group}], already matched and ranked
 * by the server in the user's scope; a newer query aborts the older fetch.
 * Choosing adds the option to the select and sets it, as above.
 */
(function () {
  "use strict";

  var MARK = "data-combobox-enhanced";
  var counter = 0;

  // Accent-insensitive comparison key: "Phường  Mỹ Thạnh" -> "phuong my thanh".
  // đ/Đ have no decomposition in Unicode, so they are mapped by hand.
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
  }

  // Read the language on each call: htmx may swap in a page in another language.
  function isEnglish() {
    return /^en\b/i.test(document.documentElement.lang || "");
  }

  function failedText() {
    return isEnglish() ? "Could not load the list" : "Không tải được danh sách";
  }

  function resultsText(n) {
    if (isEnglish()) {
      return n ? n + (n === 1 ? " result" : " results") : "No results";
    }
    return n ? n + " kết quả" : "Không có kết quả";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    node.textContent = text || ""; // never innerHTML: labels are user data
    return node;
  }

  // htmx history snapshots (and bfcache-less back navigation through them)
  // store our generated markup without its listeners: undo it and start over.
  function undoStale(select) {
    var stale = select.previousElementSibling;
    if (stale && stale.classList.contains("combobox")) {
      select.required = select.required || stale.querySelector(".combobox-input").required;
      stale.parentNode.removeChild(stale);
    }
    select.id = select.getAttribute(MARK) || select.id;
    select.hidden = false;
  }

  function enhance(select) {
    if (select.comboboxSync || select.multiple) {
      return; // already enhanced (or a multi-select, which this does not handle)
    } else if (select.hasAttribute(MARK)) {
      undoStale(select);
    }
    var base = select.id || "combobox-" + (++counter);
    var wrapper = el("div", { "class": "combobox" });
    var input = el("input", {
      type: "text", id: base, "class": "form-control combobox-input",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": base + "-listbox", autocomplete: "off", autocapitalize: "off", spellcheck: "false"
    });
    // The listbox needs a name (axe: aria-input-field-name), but not the label's
    // text: getByLabel("Đơn vị") and the like must find only the input.
    var listbox = el("ul", { role: "listbox", id: base + "-listbox", "class": "combobox-listbox",
      "aria-label": isEnglish() ? "Suggestions" : "Danh sách gợi ý" });
    var empty = el("li", { role: "option", "aria-disabled": "true", "class": "combobox-empty", id: base + "-none" });
    var status = el("div", { role: "status", "aria-live": "polite", "class": "combobox-status" });
    var items = [];     // every entry, in the select's order
    var visible = [];   // selectable entries shown now, in display order
    var active = -1;    // index in visible of the highlighted option
    var typed = false;  // text edited since the last selection
    var silent = false; // true while we dispatch events ourselves
    var timer = null;
    var url = select.getAttribute("data-combobox-url"); // remote mode when set
    var fetchTimer = null;
    var pending = null; // the AbortController of the fetch under way
    var asked = "";     // the query of the latest fetch: older answers are dropped

    // Carry over the accessible name/description and Bootstrap state.
    ["aria-describedby", "aria-invalid", "aria-label", "aria-labelledby"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    [["is-invalid", "is-invalid"], ["is-valid", "is-valid"], ["form-select-sm", "form-control-sm"],
      ["form-select-lg", "form-control-lg"]].forEach(function (pair) {
      if (select.classList.contains(pair[0])) { input.classList.add(pair[1]); }
    });
    input.disabled = select.disabled;
    // A hidden required control blocks submission with no visible message in
    // browsers that validate, so "required" moves to the visible input.
    if (select.required) {
      input.required = true;
      input.setAttribute("aria-required", "true");
      select.required = false;
    }

    // Build options; optgroups become groups labelled by a heading.
    function addOption(option, parent) {
      var text = (option.label || option.textContent).replace(/\s+/g, " ").trim();
      if (option.value === "") {
        // The empty choice is "clear the field"; a real caption ("Tất cả") is a useful placeholder.
        if (!/^[-\s]*$/.test(text)) { input.placeholder = text; }
        return;
      }
      addItem(option.value, text, option.disabled || option.parentNode.disabled, parent);
    }
    function addItem(value, text, disabled, parent) {
      var li = el("li", { role: "option", id: base + "-opt-" + items.length, "aria-selected": "false",
        "class": "combobox-option" }, text);
      if (disabled) { li.setAttribute("aria-disabled", "true"); }
      parent.insertBefore(li, parent === listbox ? empty : null); // the "no results" entry stays last
      li.comboboxItem = { li: li, index: items.length, value: value, label: text, key: fold(text),
        disabled: li.hasAttribute("aria-disabled") };
      items.push(li.comboboxItem);
    }
    // <li role="none"><ul role="group"> as in APG's grouped listbox: an
    // <li> itself may not take role="group" (axe aria-allowed-role).
    function addGroup(label, index) {
      var headingId = base + "-group-" + index;
      var wrap = el("li", { role: "none", "class": "combobox-group" });
      var group = el("ul", { role: "group", "aria-labelledby": headingId });
      group.appendChild(el("li", { role: "presentation", id: headingId, "class": "combobox-group-label" },
        label));
      wrap.appendChild(group);
      listbox.insertBefore(wrap, empty);
      return group;
    }
    listbox.appendChild(empty);
    Array.prototype.forEach.call(select.children, function (child, index) {
      if (child.tagName === "OPTGROUP") {
        var group = addGroup(child.label, index);
        Array.prototype.forEach.call(child.children, function (option) { addOption(option, group); });
      } else if (child.tagName === "OPTION") {
        addOption(child, listbox);
      }
    });
    listbox.hidden = true;

    // Remote mode: the server's answer replaces the entries (in its order;
    // consecutive entries of one group share a heading).
    function fill(results) {
      setActive(-1);
      visible = [];
      items = [];
      while (listbox.firstChild !== empty) { listbox.removeChild(listbox.firstChild); }
      var group = null;
      var groupLabel = "";
      results.forEach(function (result, index) {
        var label = String(result.group || "");
        if (label !== groupLabel) {
          group = label ? addGroup(label, index) : null;
          groupLabel = label;
        }
        addItem(String(result.value), String(result.label).replace(/\s+/g, " ").trim(), false, group || listbox);
      });
      markCurrent();
    }

    function current() {
      var found = items.filter(function (item) { return item.value === select.value; })[0] || null;
      var option = select.options[select.selectedIndex];
      if (!found && url && option && option.value !== "") {
        // Remote mode: the chosen entry need not be among the latest results.
        found = { li: null, value: option.value, label: option.textContent.replace(/\s+/g, " ").trim() };
      }
      return found;
    }

    // Rank: the query as a phrase at a word start, then anywhere, then words
    // scattered. Sorted by name, "my thanh" would otherwise offer "Phường Mỹ
    // Bình — Thành phố ..." before "Phường Mỹ Thạnh".
    function rank(key, phrase) {
      var at = key.indexOf(phrase);
      return at === -1 ? 2 : (at === 0 || /[^a-z0-9]/.test(key.charAt(at - 1)) ? 0 : 1);
    }

    // Show only entries containing every query word, best first within each
    // group (groups keep their order); hide emptied groups.
    function filter(query) {
      var phrase = url ? "" : fold(query); // remote: the server has matched already
      var words = phrase.split(" ").filter(Boolean);
      var matched = items.filter(function (item) {
        item.li.hidden = !words.every(function (word) { return item.key.indexOf(word) !== -1; });
        item.rank = rank(item.key, phrase);
        return !item.li.hidden;
      });
      matched.sort(function (a, b) { return a.rank - b.rank || a.index - b.index; });
      var anchor = listbox.querySelector(".combobox-group") || empty;
      matched.forEach(function (item) { // ungrouped options stay above the groups
        item.li.parentNode.insertBefore(item.li, item.li.parentNode === listbox ? anchor : null);
      });
      // Arrow keys follow the new document order.
      var shown = listbox.querySelectorAll(".combobox-option:not([hidden]):not([aria-disabled])");
      visible = Array.prototype.map.call(shown, function (li) { return li.comboboxItem; });
      Array.prototype.forEach.call(listbox.querySelectorAll(".combobox-group"), function (group) {
        group.hidden = !group.querySelector(".combobox-option:not([hidden])");
      });
      empty.textContent = resultsText(0);
      empty.hidden = visible.length > 0;
      setActive(-1);
      return visible.length;
    }

    function setActive(index) {
      if (visible[active]) {
        visible[active].li.classList.remove("is-active");
        visible[active].li.setAttribute("aria-selected", "false");
      }
      active = index;
      var item = visible[index];
      if (!item) {
        return input.removeAttribute("aria-activedescendant");
      }
      item.li.classList.add("is-active");
      item.li.setAttribute("aria-selected", "true"); // APG: selection follows visual focus
      input.setAttribute("aria-activedescendant", item.li.id);
      reveal(item.li);
    }

    // Scroll the list itself rather than scrollIntoView, which also scrolls the page.
    function reveal(li) {
      var top = li.offsetTop;
      listbox.scrollTop = Math.min(top, Math.max(listbox.scrollTop, top + li.offsetHeight - listbox.clientHeight));
    }

    function show(on) {
      listbox.hidden = !on;
      input.setAttribute("aria-expanded", String(on));
    }

    // Untouched text is the chosen label: show the whole list, not just that entry.
    function open() {
      filter(typed ? input.value : "");
      show(true);
      var chosen = current();
      if (chosen && chosen.li && !chosen.li.hidden) { reveal(chosen.li); }
    }

    function close() {
      setActive(-1);
      show(false);
    }

    function cancelFetch() {
      clearTimeout(fetchTimer);
      if (pending) { pending.abort(); pending = null; }
    }

    function announce(text) {
      status.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(function () { status.textContent = text; }, 50);
    }

    // Remote mode: ask the server for the entries matching the text.
    function search() {
      var query = input.value.replace(/\s+/g, " ").trim();
      cancelFetch();
      asked = query;
      if (!query) {
        fill([]);
        close();
        return;
      }
      fetchTimer = setTimeout(function () {
        var controller = window.AbortController ? new AbortController() : null;
        pending = controller;
        var address = new URL(url, document.baseURI);
        address.searchParams.set("q", query);
        fetch(address.href, {
          credentials: "same-origin",
          headers: { "Accept": "application/json" },
          signal: controller ? controller.signal : undefined
        }).then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        }).then(function (results) {
          if (query !== asked) { return; }
          pending = null;
          fill(Array.isArray(results) ? results : []);
          var count = filter("");
          if (document.activeElement === input) { show(true); }
          announce(resultsText(count));
        }).catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          if (query !== asked) { return; }
          pending = null;
          fill([]);
          filter("");
          empty.textContent = failedText();
          if (document.activeElement === input) { show(true); }
          announce(failedText());
        });
      }, 200);
    }

    function setValue(value, label) {
      if (select.value === value) { return; }
      if (value !== "" && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        // Remote mode: the select holds only the chosen option; add this one.
        select.appendChild(new Option(label || value, value));
      }
      select.value = value;
      silent = true;
      select.dispatchEvent(new Event("input", { bubbles: true }));
      select.dispatchEvent(new Event("change", { bubbles: true }));
      silent = false;
      markCurrent();
    }

    function choose(item) {
      input.value = item ? item.label : "";
      typed = false;
      close();
      setValue(item ? item.value : "", item ? item.label : "");
    }

    // Leaving the field must not leave a stale value behind the edited text.
    function commit() {
      if (!typed) { return; }
      var key = fold(input.value);
      var exact = key && items.filter(function (item) { return !item.disabled && item.key === key; })[0];
      if (exact || !key) { choose(exact || null); } else { setValue(""); } // unmatched text stays, to correct
    }

    function markCurrent() {
      var chosen = current();
      items.forEach(function (item) {
        item.li.classList.toggle("is-current", !!chosen && item.value === chosen.value);
      });
    }

    // Also called when other code changes the select (and dispatches "change").
    function sync() {
      var chosen = current();
      input.value = chosen ? chosen.label : "";
      typed = false;
      markCurrent();
    }

    input.addEventListener("input", function () {
      typed = true;
      if (url) {
        status.textContent = "";
        search();
        return;
      }
      var count = filter(input.value);
      show(true);
      // Clear first so an unchanged count is announced again, and wait for a
      // pause in typing so screen readers are not flooded.
      status.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(function () { status.textContent = resultsText(count); }, 400);
    });

    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault(); // keep the caret where it is
        if (event.altKey) { // Alt+ArrowDown only opens, Alt+ArrowUp closes (APG)
          if (key === "ArrowUp") { close(); } else if (listbox.hidden) { open(); }
          return;
        }
        if (listbox.hidden) { open(); }
        var n = visible.length;
        var next = active + (key === "ArrowDown" ? 1 : -1);
        if (active === -1) { // first press: the chosen option while the text is untouched
          next = typed ? -1 : visible.indexOf(current());
          next = next !== -1 ? next : (key === "ArrowDown" ? 0 : n - 1);
        }
        if (n) { setActive((next + n) % n); }
      } else if (key === "Enter") {
        if (listbox.hidden) {
          return commit(); // the form may submit now: send what the text says
        }
        event.preventDefault(); // never submit the form while choosing
        if (visible[active]) { choose(visible[active]); } else { commit(); close(); }
      } else if (key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        cancelFetch();
        event.stopPropagation(); // e.g. do not also close a surrounding modal
        close();
      } else if (key === "Escape" && input.value) {
        event.preventDefault(); // APG: a second Escape clears the text
        input.value = "";
        typed = true;
      } else if (key === "Tab") {
        close();
      }
    });

    input.addEventListener("click", function () {
      if (listbox.hidden) { open(); } else { close(); }
    });
    input.addEventListener("blur", function () {
      if (url) { cancelFetch(); }
      close();
      commit();
    });
    // mousedown + preventDefault keeps focus in the input (no blur/commit race),
    // including clicks on headings and the scrollbar.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
      var li = event.target.closest(".combobox-option");
      if (li && !li.comboboxItem.disabled) {
        choose(li.comboboxItem);
      }
    });
    select.addEventListener("change", function () {
      if (!silent) { sync(); }
    });

    [input, listbox, status].forEach(function (node) { wrapper.appendChild(node); });
    // The select stays right after the wrapper, so Bootstrap's
    // ".is-invalid ~ .invalid-feedback" still shows the error text.
    select.parentNode.insertBefore(wrapper, select);
    select.setAttribute(MARK, select.id); // the original id, for undoStale()
    if (select.id) {
      select.id = base + "-native";
    }
    select.hidden = true;
    select.comboboxSync = sync; // an expando: not serialised into htmx snapshots
    sync();
    input.defaultValue = input.value; // a form reset restores text and select together
  }

  // htmx.onLoad hands over the swapped-in element, which may be the select itself.
  function enhanceAll(root) {
    if (root.matches && root.matches("select[data-combobox]")) {
      enhance(root);
    }
    Array.prototype.forEach.call(root.querySelectorAll("select[data-combobox]"), enhance);
  }

  // htmx (deferred) is defined by DOMContentLoaded whatever order the scripts
  // load in. htmx.onLoad also covers content swapped in later; enhancing the
  // document directly as well is harmless because enhance() runs once per select.
  function start() {
    enhanceAll(document);
    if (window.htmx && window.htmx.onLoad) { window.htmx.onLoad(enhanceAll); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
