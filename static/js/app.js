/* Small enhancements on top of pages that work without script. */
(function () {
  "use strict";

  /* A form came back with errors: move focus to its summary at the top of the page, so the
     reader sees it (and a screen reader reads it) at once. Browsers that honour autofocus on
     the summary have done this already. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
    if (summary) {
      summary.scrollIntoView({block: "start"});
    }
  }

  /* The language menu is a <details> disclosure: like other menus, it closes on Escape and
     when the reader clicks elsewhere. */
  function closeMenusOutside(event) {
    document.querySelectorAll("details.language-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  }

  function closeMenuOnEscape(event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.language-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  }

  /* Choosing a supervisor: an e-mail field becomes a combobox (ARIA 1.2, list autocomplete)
     that suggests people with an account as a name or an address is typed. Choosing one
     fills in the address (or, for co-supervisors, adds it to the list of addresses). */
  var comboboxes = 0;

  function personCombobox(input, box, onChoose) {
    var texts = box.dataset;
    var listbox = document.createElement("ul");
    listbox.id = "person-options-" + (++comboboxes);
    listbox.className = "person-options list-unstyled";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", texts.textListbox);
    listbox.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", listbox);
    listbox.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");

    var people = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var person = people[index];
      onChoose(person);
      close();
      status.textContent = texts.textChosen.replace("%s", person.name + " <" + person.email + ">");
    }

    function show(found) {
      people = found;
      listbox.textContent = "";
      found.forEach(function (person, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = person.name + " <" + person.email + ">";
        option.addEventListener("click", function () { choose(i); });
        listbox.appendChild(option);
      });
      if (!found.length) {
        close();
        status.textContent = texts.textNone;
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent = texts.textFound.replace("%s", String(found.length));
    }

    function search() {
      var text = input.value.trim();
      if (text.length < 2) {
        close();
        return;
      }
      var ask = ++asked;
      fetch(box.dataset.personSearch + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: {"Accept": "application/json"}
      }).then(function (response) {
        return response.ok ? response.json() : {people: []};
      }).then(function (data) {
        if (ask === asked) {  // an older answer that arrives late is dropped
          show(data.people || []);
        }
      }).catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (listbox.hidden) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, people.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();  // choose, do not submit the form
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  function enhancePersonSearch(box) {
    var main = box.querySelector("input[name=main_supervisor_email]");
    if (main) {
      personCombobox(main, box, function (person) { main.value = person.email; });
    }
    var list = box.querySelector("textarea[name=co_supervisor_emails]");
    if (!list) {
      return;
    }
    // A search field of its own that adds each person chosen to the list of addresses.
    var wrap = document.createElement("div");
    wrap.className = "mb-3 person-add";
    var label = document.createElement("label");
    label.className = "form-label";
    label.htmlFor = "co-supervisor-search";
    label.textContent = box.dataset.textAdd;
    var add = document.createElement("input");
    add.type = "text";
    add.id = "co-supervisor-search";
    add.className = "form-control";
    wrap.appendChild(label);
    wrap.appendChild(add);
    list.closest(".mb-3").insertAdjacentElement("afterend", wrap);
    personCombobox(add, box, function (person) {
      var addresses = list.value.split(/[\n,;]+/).map(function (a) { return a.trim(); });
      if (addresses.indexOf(person.email) < 0) {
        list.value = (list.value.trim() ? list.value.trim() + "\n" : "") + person.email;
      }
      add.value = "";
    });
  }

  /* The faculty and programme pickers of the dashboard and the lists: choosing a faculty
     narrows the programmes to its own, so that the two cannot contradict each other (the
     server shows the faculty's figures with a note when they do, without script). */
  function narrowProgrammes(form) {
    var faculty = form.querySelector("select[name=faculty]");
    var programme = form.querySelector("select[name=programme]");
    if (!faculty || !programme) {
      return;
    }
    var all = Array.prototype.slice.call(programme.options).map(function (option) {
      return option.cloneNode(true);
    });

    function apply() {
      var chosen = programme.value;
      programme.textContent = "";
      all.forEach(function (option) {
        var of = option.getAttribute("data-faculty");
        if (!option.value || !faculty.value || of === faculty.value) {
          programme.appendChild(option.cloneNode(true));
        }
      });
      var still = Array.prototype.some.call(programme.options, function (option) {
        return option.value === chosen;
      });
      programme.value = still ? chosen : "";
    }

    faculty.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    document.querySelectorAll("form[data-scope-pickers]").forEach(narrowProgrammes);
    document.querySelectorAll("[data-person-search]").forEach(enhancePersonSearch);
    document.addEventListener("click", closeMenusOutside);
    document.addEventListener("keydown", closeMenuOnEscape);
  });
})();
