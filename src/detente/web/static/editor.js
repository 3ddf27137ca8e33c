// detente web app: the case editor.
// The page carries the draft case as data (<script type="application/json"
// id="draft-data">); this builds the editor's tables from it, writes every edit back
// into the draft, and, a moment after the typing stops, sends the draft to
// /editor/check, which answers with the problems (each naming its field, with the
// message `detente validate` prints) and each party's ranking of the states. The
// draft travels to "Save" as JSON in the form's `draft` field. Parts of a case the
// editor has no table for (proposals, forums, sources, ...) are kept as they are.
"use strict";

(function () {
  const dataBlock = document.getElementById("draft-data");
  if (!dataBlock) {
    return;
  }
  const draft = JSON.parse(dataBlock.textContent);
  const draftJson = document.getElementById("draft-json");
  const token = document.querySelector('meta[name="csrf-token"]');
  const DEBOUNCE = 300;
  let view = ""; // "" the case itself, else the id of the scenario seen through
  let timer = null;
  let sent = 0; // the number of the latest check sent; older answers are dropped

  draftJson.readOnly = true; // the tables write it; edit those

  // -- small helpers ---------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) {
        continue;
      }
      if (key === "dataset") {
        Object.assign(node.dataset, value);
      } else if (key.startsWith("on")) {
        node.addEventListener(key.slice(2), value);
      } else if (key === "value") {
        node.value = value;
      } else if (key === "checked") {
        node.checked = Boolean(value);
      } else {
        node.setAttribute(key, value === true ? "" : value);
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child);
      }
    }
    return node;
  }

  function list(key) {
    if (!Array.isArray(draft[key])) {
      draft[key] = [];
    }
    return draft[key];
  }

  function object(owner, key) {
    if (!owner[key] || typeof owner[key] !== "object" || Array.isArray(owner[key])) {
      owner[key] = {};
    }
    return owner[key];
  }

  function scenario() {
    return view ? list("scenarios").find((s) => s.id === view) : null;
  }

  function number(input) {
    return input.value.trim() === "" || Number.isNaN(input.valueAsNumber) ? null : input.valueAsNumber;
  }

  function statementText(statement) {
    return typeof statement === "string" ? statement : (statement && statement.expr) || "";
  }

  function replaceWord(text, old, now) {
    const escaped = old.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return text.replace(new RegExp(`(^|[^A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, "g"), `$1${now}`);
  }

  // -- after every edit ------------------------------------------------------------------

  function changed() {
    draftJson.value = JSON.stringify(draft, null, 1);
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DEBOUNCE);
  }

  function rerender() {
    const at = place();
    render();
    restore(at);
    changed();
  }

  // -- rebuilding the tables keeps the user's place -------------------------------------
  // Every edit is in the draft as it is typed, so the tables can be rebuilt from it at any
  // time; what a rebuild must not lose is the field the user is in. A field is found again
  // by its section and its rank among the section's fields (its id, name and classes may
  // change with the edit), with the part of its text selected, and, in an id's field,
  // the text itself.

  const FIELDS = ".ed-body input, .ed-body select, .ed-body textarea, .ed-body button";
  const IDS = ".party-id, .option-id, .issue-id, .scenario-id";

  function place() {
    const active = document.activeElement;
    const section = active && active.closest ? active.closest(".editor .card") : null;
    if (!section) {
      return null;
    }
    const fields = [...section.querySelectorAll(FIELDS)];
    const rank = fields.indexOf(active);
    if (rank < 0) {
      return null;
    }
    let selection = null;
    try {
      if (typeof active.selectionStart === "number") {
        selection = [active.selectionStart, active.selectionEnd, active.selectionDirection];
      }
    } catch (error) {
      selection = null; // a field without a text selection (a number, a checkbox)
    }
    // an id is applied only as its field is left: what is typed there is in no draft yet
    const typing = active.matches(IDS);
    return {
      section: section.id, rank, count: fields.length, selection, scrollTop: active.scrollTop,
      value: typing ? active.value : null,
    };
  }

  function restore(at) {
    if (!at) {
      return;
    }
    const fields = [...document.querySelectorAll(`#${at.section} :is(${FIELDS})`)];
    // a row added or removed: the same rank is another field, so the focus stays where it fell
    if (fields.length !== at.count) {
      return;
    }
    const field = fields[at.rank];
    if (!field || field.disabled || document.activeElement === field) {
      return;
    }
    field.focus({ preventScroll: true });
    if (at.value !== null && field.value !== at.value) {
      field.value = at.value;
    }
    if (at.selection) {
      try {
        field.setSelectionRange(...at.selection);
      } catch (error) {
        // a field that has no text selection to restore
      }
    }
    field.scrollTop = at.scrollTop;
  }

  // An id (or a party's name) is applied when its field loses the focus, as the user
  // clicks or tabs to the next field: to the draft at once, and to the tables that show
  // it once the focus has landed there, and the click is over, so that rebuilding the
  // tables destroys neither the field the user went to nor the button they pressed.
  let waiting = false;
  let pointerHeld = false;

  function rerenderSoon() {
    changed();
    if (!waiting) {
      waiting = true;
      window.setTimeout(settle, 0);
    }
  }

  function settle() {
    if (waiting && !pointerHeld) {
      waiting = false;
      rerender();
    }
  }

  document.addEventListener("pointerdown", () => { pointerHeld = true; }, true);
  for (const type of ["pointerup", "pointercancel"]) {
    document.addEventListener(type, () => {
      pointerHeld = false;
      window.setTimeout(settle, 0); // after the click that follows the pointer's release
    }, true);
  }
  window.addEventListener("blur", () => {
    pointerHeld = false;
    settle();
  });

  // -- renaming an id renames what refers to it -------------------------------------------

  function renameActor(old, now) {
    // an id cleared leaves what refers to it under the old id (named as a problem)
    if (!old || !now || old === now) {
      return;
    }
    // the choices of who controls an option, at once: a list opened before the tables
    // are rebuilt offers the new id
    document.querySelectorAll("select.option-controller option").forEach((choice) => {
      if (choice.value === old) {
        choice.value = now;
      }
    });
    for (const option of list("options")) {
      if (option.controller === old) {
        option.controller = now;
      }
    }
    const owners = [draft, ...list("scenarios")];
    for (const owner of owners) {
      for (const key of ["preferences", "capabilities"]) {
        if (owner[key] && old in owner[key]) {
          owner[key][now] = owner[key][old];
          delete owner[key][old];
        }
      }
    }
    for (const issue of list("issues")) {
      if (issue.positions && old in issue.positions) {
        issue.positions[now] = issue.positions[old];
        delete issue.positions[old];
      }
    }
    for (const s of list("scenarios")) {
      for (const stances of Object.values(s.positions || {})) {
        if (old in stances) {
          stances[now] = stances[old];
          delete stances[old];
        }
      }
    }
  }

  function renameOption(old, now) {
    if (!old || !now || old === now) {
      return;
    }
    const owners = [draft, ...list("scenarios")];
    for (const owner of owners) {
      if (Array.isArray(owner.status_quo)) {
        owner.status_quo = owner.status_quo.map((o) => (o === old ? now : o));
      }
      for (const prefs of Object.values(owner.preferences || {})) {
        if (Array.isArray(prefs.statements)) {
          prefs.statements = prefs.statements.map((s) =>
            typeof s === "string" ? replaceWord(s, old, now) : { ...s, expr: replaceWord(s.expr || "", old, now) },
          );
        }
      }
    }
    for (const constraint of list("constraints")) {
      for (const key of ["require", "infeasible"]) {
        if (typeof constraint[key] === "string") {
          constraint[key] = replaceWord(constraint[key], old, now);
        }
      }
      for (const key of ["exclusive", "at_least_one"]) {
        if (Array.isArray(constraint[key])) {
          constraint[key] = constraint[key].map((o) => (o === old ? now : o));
        }
      }
    }
  }

  // -- the sections ---------------------------------------------------------------------

  function body(id) {
    const node = document.querySelector(`#${id} .ed-body`);
    node.replaceChildren();
    return node;
  }

  function locked() {
    return Boolean(view);
  }

  function removeButton(label, onclick) {
    return el("button", { type: "button", class: "secondary", "aria-label": label, disabled: locked(), onclick }, "Remove");
  }

  function renderParties() {
    const s = scenario();
    const rows = list("actors").map((actor, a) => {
      const override = s && s.capabilities && actor.id in s.capabilities;
      return el(
        "tr",
        { class: "party" },
        el("td", {}, el("input", {
          type: "text", value: actor.id || "", "aria-label": `Id of party ${a + 1}`, class: "party-id",
          placeholder: "USA", dataset: { field: `actors[${a}].id` }, disabled: locked(),
          onchange: (e) => {
            const old = actor.id;
            actor.id = e.target.value.trim();
            renameActor(old, actor.id);
            rerenderSoon();
          },
        })),
        el("td", {}, el("input", {
          type: "text", value: actor.name || "", "aria-label": `Name of party ${a + 1}`, class: "party-name",
          placeholder: "United States", dataset: { field: `actors[${a}].name` }, disabled: locked(),
          oninput: (e) => { actor.name = e.target.value; changed(); },
          onchange: rerenderSoon, // the preferences and the issues name the party
        })),
        el("td", { class: override ? "overridden" : "" }, el("input", {
          type: "number", step: "any", min: "0", class: "party-capability",
          value: override ? s.capabilities[actor.id] : actor.capability ?? "",
          placeholder: s ? String(actor.capability ?? 1) : "1",
          "aria-label": `Capability of ${actor.name || actor.id || `party ${a + 1}`}`,
          dataset: { field: s ? `scenarios[${list("scenarios").indexOf(s)}].capabilities.${actor.id}` : `actors[${a}].capability` },
          oninput: (e) => {
            const value = number(e.target);
            if (s) {
              const caps = object(s, "capabilities");
              if (value === null) { delete caps[actor.id]; } else { caps[actor.id] = value; }
            } else if (value === null) {
              delete actor.capability;
            } else {
              actor.capability = value;
            }
            changed();
          },
        })),
        el("td", {}, removeButton(`Remove party ${actor.name || actor.id || a + 1}`, () => {
          list("actors").splice(a, 1);
          if (draft.preferences) { delete draft.preferences[actor.id]; }
          for (const issue of list("issues")) { if (issue.positions) { delete issue.positions[actor.id]; } }
          rerender();
        })),
      );
    });
    body("ed-parties").append(el("table", { id: "parties-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "Id"), el("th", {}, "Name"), el("th", {}, "Capability"), el("th", {}))),
      el("tbody", {}, ...rows)));
  }

  function statusQuo() {
    const s = scenario();
    if (s && Array.isArray(s.status_quo)) {
      return s.status_quo;
    }
    return Array.isArray(draft.status_quo) ? draft.status_quo : [];
  }

  function renderOptions() {
    const s = scenario();
    const actors = list("actors");
    const rows = list("options").map((option, k) => el(
      "tr",
      { class: "option" },
      el("td", {}, el("input", {
        type: "text", value: option.id || "", class: "option-id", "aria-label": `Id of option ${k + 1}`,
        placeholder: "relief", dataset: { field: `options[${k}].id` }, disabled: locked(),
        onchange: (e) => {
          const old = option.id;
          option.id = e.target.value.trim();
          renameOption(old, option.id);
          rerenderSoon();
        },
      })),
      el("td", {}, el("input", {
        type: "text", value: option.label || "", class: "option-label", "aria-label": `Label of option ${k + 1}`,
        placeholder: "Partial sanctions relief", dataset: { field: `options[${k}].label` }, disabled: locked(),
        oninput: (e) => { option.label = e.target.value; changed(); },
      })),
      el("td", {}, el("select", {
        class: "option-controller", "aria-label": `Who controls option ${option.id || k + 1}`,
        dataset: { field: `options[${k}].controller` }, disabled: locked(),
        onchange: (e) => { option.controller = e.target.value; changed(); },
      },
      ...(actors.some((a) => a.id === option.controller) || !option.controller ? [] : [el("option", { value: option.controller }, option.controller)]),
      el("option", { value: "" }, "(choose)"),
      ...actors.filter((a) => a.id).map((a) => el("option", { value: a.id }, a.name || a.id)))),
      el("td", { class: s && Array.isArray(s.status_quo) ? "overridden" : "" }, el("input", {
        type: "checkbox", class: "option-now", checked: statusQuo().includes(option.id),
        "aria-label": `Option ${option.id || k + 1} in force now`,
        dataset: { field: s ? `scenarios[${list("scenarios").indexOf(s)}].status_quo` : "status_quo" },
        onchange: (e) => {
          const now = statusQuo().filter((o) => o !== option.id);
          if (e.target.checked) { now.push(option.id); }
          if (s) { s.status_quo = now; } else { draft.status_quo = now; }
          rerender();
        },
      })),
      el("td", {}, removeButton(`Remove option ${option.id || k + 1}`, () => {
        list("options").splice(k, 1);
        draft.status_quo = (draft.status_quo || []).filter((o) => o !== option.id);
        rerender();
      })),
    ));
    // the option select keeps the id of its controller, once rendered
    body("ed-options").append(el("table", { id: "options-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "Id"), el("th", {}, "Label"), el("th", {}, "Controlled by"),
        el("th", {}, "In force now"), el("th", {}))),
      el("tbody", {}, ...rows)));
    document.querySelectorAll("#options-table select.option-controller").forEach((select, k) => {
      select.value = list("options")[k].controller || "";
    });
  }

  const CONSTRAINT_KINDS = {
    require: "every state has",
    infeasible: "no state has",
    exclusive: "at most one of (ids, commas)",
    at_least_one: "at least one of (ids, commas)",
  };

  function constraintKind(constraint) {
    return Object.keys(CONSTRAINT_KINDS).find((k) => constraint[k] !== undefined && constraint[k] !== null) || "require";
  }

  function renderConstraints() {
    const rows = list("constraints").map((constraint, k) => {
      const kind = constraintKind(constraint);
      const value = Array.isArray(constraint[kind]) ? constraint[kind].join(", ") : constraint[kind] || "";
      const select = el("select", {
        class: "constraint-kind", "aria-label": `Kind of constraint ${k + 1}`, disabled: locked(),
        onchange: (e) => {
          const text = Array.isArray(constraint[kind]) ? constraint[kind].join(", ") : constraint[kind] || "";
          delete constraint[kind];
          const now = e.target.value;
          constraint[now] = now === "exclusive" || now === "at_least_one"
            ? text.split(/[,\s]+/).filter(Boolean) : text;
          rerender();
        },
      }, ...Object.entries(CONSTRAINT_KINDS).map(([key, label]) => el("option", { value: key }, label)));
      select.value = kind;
      return el("tr", { class: "constraint" },
        el("td", { dataset: { label: "Kind" } }, select),
        el("td", { dataset: { label: "Options" } }, el("input", {
          type: "text", value, class: "constraint-expr", "aria-label": `Constraint ${k + 1}`,
          dataset: { field: `constraints[${k}].${kind}` }, disabled: locked(),
          oninput: (e) => {
            constraint[kind] = kind === "exclusive" || kind === "at_least_one"
              ? e.target.value.split(/[,\s]+/).filter(Boolean) : e.target.value;
            changed();
          },
        })),
        el("td", {}, removeButton(`Remove constraint ${k + 1}`, () => { list("constraints").splice(k, 1); rerender(); })));
    });
    body("ed-constraints").append(el("table", { id: "constraints-table" }, el("tbody", {}, ...rows)));
  }

  function renderPreferences() {
    const s = scenario();
    const node = body("ed-preferences");
    const base = object(draft, "preferences");
    for (const [a, actor] of list("actors").entries()) {
      if (!actor.id) {
        node.append(el("p", { class: "muted" }, `${actor.name || `Party ${a + 1}`}: give the party an id first.`));
        continue;
      }
      const own = base[actor.id];
      const override = s && s.preferences && s.preferences[actor.id];
      const prefs = override || own;
      if (prefs && Array.isArray(prefs.ranking) && !prefs.statements) {
        node.append(el("p", { class: "muted" }, `${actor.name || actor.id}: an explicit ranking of the states, from the case file (kept as it is).`));
        continue;
      }
      const lines = prefs && Array.isArray(prefs.statements) ? prefs.statements.map(statementText) : [];
      const field = override ? `scenarios[${list("scenarios").indexOf(s)}].preferences.${actor.id}` : `preferences.${actor.id}`;
      node.append(el("label", { class: override ? "overridden" : "" },
        `${actor.name || actor.id}${s ? (override ? " (this scenario's)" : " (the case's; type to change them in this scenario)") : ""}`,
        el("textarea", {
          rows: Math.max(2, lines.length + 1), class: "statements", "aria-label": `Statements of ${actor.name || actor.id}`,
          dataset: { field, actor: actor.id }, value: lines.join("\n"),
          oninput: (e) => {
            const old = prefs && Array.isArray(prefs.statements) ? prefs.statements : [];
            const texts = e.target.value.split("\n").map((t) => t.trim()).filter(Boolean);
            // a statement that keeps its text keeps its sources and notes
            const statements = texts.map((t) => old.find((o) => statementText(o) === t) || t);
            const owner = s ? object(s, "preferences") : base;
            if (texts.length === 0) {
              // no statements: no preferences of its own (in a scenario: the case's again)
              delete owner[actor.id];
            } else {
              owner[actor.id] = { ...(s ? override || {} : own || {}), statements };
              delete owner[actor.id].ranking;
            }
            e.target.closest("label").classList.toggle("overridden", Boolean(s && owner[actor.id]));
            changed();
          },
        })));
    }
    if (!list("actors").length) {
      node.append(el("p", { class: "muted" }, "Add parties first."));
    }
  }

  function renderIssues() {
    const s = scenario();
    const actors = list("actors").filter((a) => a.id); // a party takes positions once it has an id
    const head = el("tr", {}, el("th", {}, "Id"), el("th", {}, "Name"), el("th", {}, "Now"),
      ...actors.map((a) => el("th", { scope: "col", dataset: { label: `${a.name || a.id}: position, salience` } },
        `${a.name || a.id}`, el("br"), el("span", { class: "muted" }, "position, salience"))),
      el("th", {}));
    const rows = list("issues").map((issue, i) => {
      const changes = s && s.positions ? s.positions[issue.id] || {} : {};
      const sqOverride = s && s.issue_status_quo && issue.id in s.issue_status_quo;
      const cells = actors.map((actor) => {
        const stance = (issue.positions || {})[actor.id] || {};
        const change = changes[actor.id] || {};
        const input = (part) => {
          const over = s && change[part] !== undefined && change[part] !== null;
          return el("input", {
            type: "number", step: "any", class: `stance-${part}${over ? " overridden" : ""}`,
            value: over ? change[part] : stance[part] ?? "",
            placeholder: s ? String(stance[part] ?? "") : part === "salience" ? "0–100" : "",
            "aria-label": `${part === "position" ? "Position" : "Salience"} of ${actor.name || actor.id} on ${issue.name || issue.id}`,
            dataset: { field: s ? `scenarios[${list("scenarios").indexOf(s)}].positions.${issue.id}.${actor.id}.${part}` : `issues[${i}].positions.${actor.id}.${part}` },
            oninput: (e) => {
              const value = number(e.target);
              if (s) {
                const mine = object(object(object(s, "positions"), issue.id), actor.id);
                if (value === null) { delete mine[part]; } else { mine[part] = value; }
                if (!Object.keys(mine).length) { delete s.positions[issue.id][actor.id]; }
                if (!Object.keys(s.positions[issue.id]).length) { delete s.positions[issue.id]; }
                e.target.classList.toggle("overridden", value !== null);
              } else {
                const positions = object(issue, "positions");
                const mine = positions[actor.id] || {};
                if (value === null) { delete mine[part]; } else { mine[part] = value; }
                if (mine.position === undefined && mine.salience === undefined) {
                  delete positions[actor.id];
                } else {
                  positions[actor.id] = mine;
                }
              }
              changed();
            },
          });
        };
        return el("td", { class: "stance", dataset: { actor: actor.id } }, input("position"), input("salience"));
      });
      return el("tr", { class: "issue" },
        el("td", {}, el("input", {
          type: "text", value: issue.id || "", class: "issue-id", "aria-label": `Id of issue ${i + 1}`,
          placeholder: "denuc", dataset: { field: `issues[${i}].id` }, disabled: locked(),
          onchange: (e) => {
            const old = issue.id;
            issue.id = e.target.value.trim();
            for (const sc of old && issue.id ? list("scenarios") : []) {
              for (const key of ["positions", "issue_status_quo"]) {
                if (sc[key] && old in sc[key]) { sc[key][issue.id] = sc[key][old]; delete sc[key][old]; }
              }
            }
            rerenderSoon();
          },
        })),
        el("td", {}, el("input", {
          type: "text", value: issue.name || "", class: "issue-name", "aria-label": `Name of issue ${i + 1}`,
          placeholder: "Denuclearisation", dataset: { field: `issues[${i}].name` }, disabled: locked(),
          oninput: (e) => { issue.name = e.target.value; changed(); },
        })),
        el("td", {}, el("input", {
          type: "number", step: "any", class: `issue-now${sqOverride ? " overridden" : ""}`,
          value: sqOverride ? s.issue_status_quo[issue.id] : issue.status_quo ?? "",
          placeholder: s ? String(issue.status_quo ?? "") : "",
          "aria-label": `Where ${issue.name || issue.id || `issue ${i + 1}`} stands now`,
          dataset: { field: s ? `scenarios[${list("scenarios").indexOf(s)}].issue_status_quo.${issue.id}` : `issues[${i}].status_quo` },
          oninput: (e) => {
            const value = number(e.target);
            if (s) {
              const sq = object(s, "issue_status_quo");
              if (value === null) { delete sq[issue.id]; } else { sq[issue.id] = value; }
            } else if (value === null) {
              delete issue.status_quo;
            } else {
              issue.status_quo = value;
            }
            changed();
          },
        })),
        ...cells,
        el("td", {}, removeButton(`Remove issue ${issue.name || issue.id || i + 1}`, () => { list("issues").splice(i, 1); rerender(); })));
    });
    body("ed-issues").append(el("table", { id: "issues-table" }, el("thead", {}, head), el("tbody", {}, ...rows)));
  }

  function renderScenarios() {
    const rows = list("scenarios").map((sc, k) => el("tr", { class: "scenario" },
      el("td", {}, el("input", {
        type: "text", value: sc.id || "", class: "scenario-id", "aria-label": `Id of scenario ${k + 1}`,
        placeholder: "thaw", dataset: { field: `scenarios[${k}].id` },
        onchange: (e) => {
          const old = sc.id;
          sc.id = e.target.value.trim();
          if (old && view === old) { view = sc.id; }
          if (old && draft.default_scenario === old) { draft.default_scenario = sc.id; }
          rerenderSoon();
        },
      })),
      el("td", {}, el("input", {
        type: "text", value: sc.name || "", class: "scenario-name", "aria-label": `Name of scenario ${k + 1}`,
        placeholder: "A thaw", dataset: { field: `scenarios[${k}].name` },
        oninput: (e) => { sc.name = e.target.value; changed(); },
        onchange: () => renderView(),
      })),
      el("td", {}, el("button", {
        type: "button", class: "secondary", "aria-label": `See the case through ${sc.name || sc.id || `scenario ${k + 1}`}`,
        disabled: !sc.id, onclick: () => { view = sc.id; rerender(); },
      }, view === sc.id ? "Seen through" : "See through")),
      el("td", {}, el("button", {
        type: "button", class: "secondary", "aria-label": `Remove scenario ${sc.name || sc.id || k + 1}`,
        onclick: () => {
          list("scenarios").splice(k, 1);
          if (view === sc.id) { view = ""; }
          if (draft.default_scenario === sc.id) { delete draft.default_scenario; }
          rerender();
        },
      }, "Remove"))));
    body("ed-scenarios").append(el("table", { id: "scenarios-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "Id"), el("th", {}, "Name"), el("th", {}), el("th", {}))),
      el("tbody", {}, ...rows)));
  }

  function renderView() {
    const select = document.getElementById("ed-view");
    select.replaceChildren(el("option", { value: "" }, "the case itself"),
      ...list("scenarios").filter((sc) => sc.id).map((sc) => el("option", { value: sc.id }, `scenario: ${sc.name || sc.id}`)));
    select.value = view;
    document.querySelectorAll("[data-bind]").forEach((input) => {
      input.disabled = locked();
    });
  }

  function render() {
    if (view && !scenario()) {
      view = "";
    }
    renderView();
    renderParties();
    renderOptions();
    renderConstraints();
    renderPreferences();
    renderIssues();
    renderScenarios();
    document.querySelectorAll(".editor .ed-body table").forEach(labelCells);
    document.querySelectorAll(".editor textarea").forEach(autosize);
    document.querySelector(".editor").classList.toggle("overlay", locked());
    scrollHint();
  }

  // A party's statements (and the description) grow with what is typed, up to a limit
  // (app.css: field-sizing); where the browser cannot size a field to its content,
  // this does.
  const SIZES_ITSELF = Boolean(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"));
  const MAX_HEIGHT = 320;

  function autosize(area) {
    if (SIZES_ITSELF) {
      return;
    }
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight + 2, MAX_HEIGHT)}px`;
  }
  document.addEventListener("input", (e) => {
    if (e.target.matches && e.target.matches(".editor textarea")) {
      autosize(e.target);
    }
  });

  // The issues' table, wider than its card (many parties), scrolls sideways: a line
  // above it says so, for as long as it is wider.
  function scrollHint() {
    const box = document.querySelector("#ed-issues .table-scroll");
    document.getElementById("issues-scroll-hint").hidden = !(box.scrollWidth > box.clientWidth + 1);
  }
  window.addEventListener("resize", scrollHint);

  // On a narrow screen each row of a table is a block of lines, each cell labelled with
  // its column's heading (app.css: table.ed-stack), so that no column hides off the side.
  function labelCells(table) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.dataset.label ?? th.textContent.trim());
    table.classList.add("ed-stack");
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, j) => {
        if (cell.dataset.label === undefined) {
          cell.dataset.label = heads[j] || "";
        }
      });
    }
  }

  // -- checking the draft ---------------------------------------------------------------

  const PATTERNS_FROM = 7; // options from which a state is shown as its Y/N pattern

  function stateText(state, options) {
    if (options.length >= PATTERNS_FROM) {
      return state.pattern;
    }
    return state.taken.length ? state.taken.join(" + ") : "nothing taken";
  }

  function showRankings(rankings) {
    const node = document.getElementById("rankings-body");
    node.classList.remove("stale");
    node.replaceChildren();
    if (rankings.note) {
      node.append(el("p", { class: "muted", id: "rankings-note" }, rankings.note));
    }
    const options = rankings.options || [];
    node.classList.toggle("patterns", options.length >= PATTERNS_FROM);
    if (options.length >= PATTERNS_FROM) {
      node.append(el("p", { class: "muted", id: "rankings-legend" },
        `${rankings.states} states, each as Y (taken) or N per option, in this order: ${options.join(", ")}.`));
    }
    for (const party of rankings.parties) {
      const items = party.groups.map((group) => el("li", {
        class: group.some((s) => s.status_quo) ? "sq" : "",
        title: group.map((s) => `state ${s.index}: ${s.pattern}`).join("; "),
      }, group.map((s) => `${stateText(s, options)}${s.status_quo ? " ★" : ""}`).join("  =  ")));
      node.append(el("section", { class: "ranking", dataset: { actor: party.id } },
        el("h3", {}, party.name, party.indifferent ? el("span", { class: "muted" }, " (no statements yet: indifferent)") : null),
        el("ol", { class: "ranking" }, ...items),
        party.more ? el("p", { class: "muted" }, `… and ${party.more} more states`) : null));
    }
  }

  // The fields of the editor, each naming the part of the case it edits (data-field).
  const INPUTS = ".editor :is(input, select, textarea)[data-field]";

  // Whether the part at path `field` holds the part at path `inner`.
  function contains(field, inner) {
    return inner.startsWith(`${field}.`) || inner.startsWith(`${field}[`);
  }

  // The field a problem is about: the one whose part is the problem's, or else holds it
  // most closely (a party's statements for a problem in one of them).
  function fieldOf(path) {
    let best = null;
    if (!path) {
      return best;
    }
    for (const input of document.querySelectorAll(INPUTS)) {
      const field = input.dataset.field;
      if ((field === path || contains(field, path)) && (!best || field.length > best.dataset.field.length)) {
        best = input;
      }
    }
    return best;
  }

  function clearFieldProblems() {
    document.querySelectorAll(".editor .field-problem").forEach((n) => n.remove());
    document.querySelectorAll(".editor [aria-invalid]").forEach((input) => {
      input.removeAttribute("aria-invalid");
      const by = (input.getAttribute("aria-describedby") || "").split(" ")
        .filter((id) => id && !id.startsWith("field-problem-")).join(" ");
      if (by) { input.setAttribute("aria-describedby", by); } else { input.removeAttribute("aria-describedby"); }
    });
  }

  function showProblems(answer, status) {
    const statusNode = document.getElementById("check-status");
    const problems = document.getElementById("check-problems");
    const warnings = document.getElementById("check-warnings");
    document.querySelectorAll(".editor .invalid").forEach((n) => n.classList.remove("invalid"));
    clearFieldProblems();
    problems.replaceChildren();
    warnings.replaceChildren();
    if (status === 200 && answer.valid) {
      statusNode.textContent = "No problems: the case is valid.";
      statusNode.className = "ok";
      for (const w of answer.warnings || []) {
        warnings.append(el("li", {}, w));
      }
      showRankings(answer.rankings);
      return;
    }
    const found = answer.problems || [];
    statusNode.textContent = found.length
      ? `${found.length} problem${found.length === 1 ? "" : "s"} in the case:`
      : `The check failed (${status}).`;
    statusNode.className = "bad";
    found.forEach((p, n) => {
      problems.append(el("li", { class: "problem", dataset: { field: p.field } }, p.text));
      document.querySelectorAll(INPUTS).forEach((input) => {
        const field = input.dataset.field;
        if (p.field && (field === p.field || field.startsWith(`${p.field}.`) || contains(field, p.field))) {
          input.classList.add("invalid");
        }
      });
      // the message in plain words under the field it is about, if the editor shows it
      const input = fieldOf(p.field);
      if (input && p.plain) {
        const id = `field-problem-${n + 1}`;
        (input.closest("td, label") || input.parentNode).append(
          el("p", { class: "field-problem", id }, p.plain));
        input.setAttribute("aria-invalid", "true");
        const by = input.getAttribute("aria-describedby");
        input.setAttribute("aria-describedby", by ? `${by} ${id}` : id);
      }
    });
    const rankings = document.getElementById("rankings-body");
    rankings.classList.add("stale");
    if (!rankings.querySelector(".stale-note")) {
      rankings.prepend(el("p", { class: "muted stale-note" }, "As the draft was at its last check without problems."));
    }
  }

  async function check() {
    const mine = ++sent;
    let answer;
    let status;
    try {
      const response = await fetch("/editor/check", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrftoken": token ? token.content : "" },
        body: JSON.stringify({ draft, scenario: view || null }),
      });
      status = response.status;
      const kind = response.headers.get("content-type") || "";
      answer = kind.startsWith("application/json") ? await response.json() : { problems: [{ field: "", text: `The server answered ${status}.` }] };
    } catch (error) {
      answer = { problems: [{ field: "", text: "The server could not be reached." }] };
      status = 0;
    }
    if (mine === sent) {
      showProblems(answer, status);
    }
  }

  // -- the buttons and the case's own fields --------------------------------------------

  // A new row's fields are empty, with examples as placeholders, so that what the user
  // types is all there is; the focus goes to its first field.
  function added(section) {
    rerender();
    const rows = document.querySelectorAll(`#${section} .ed-body tbody tr`);
    const first = rows.length ? rows[rows.length - 1].querySelector("input, select") : null;
    if (first && !first.disabled) {
      first.focus();
    }
  }

  document.getElementById("add-party").addEventListener("click", () => {
    list("actors").push({ id: "", name: "" });
    added("ed-parties");
  });
  document.getElementById("add-option").addEventListener("click", () => {
    const first = list("actors").find((a) => a.id);
    list("options").push({ id: "", label: "", controller: first ? first.id : "" });
    added("ed-options");
  });
  document.getElementById("add-constraint").addEventListener("click", () => {
    list("constraints").push({ require: "" });
    added("ed-constraints");
  });
  document.getElementById("add-issue").addEventListener("click", () => {
    list("issues").push({ id: "", name: "", positions: {} });
    added("ed-issues");
  });
  document.getElementById("add-scenario").addEventListener("click", () => {
    list("scenarios").push({ id: "", name: "" });
    added("ed-scenarios");
  });
  document.getElementById("ed-view").addEventListener("change", (e) => {
    view = e.target.value;
    rerender();
  });
  // An id left empty is made from the title (as the server makes it: _editor.py's
  // id_from_title); the id field's placeholder shows the one it would be.
  function idFromTitle(title) {
    let words = title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (/^[0-9]/.test(words)) { words = "case_" + words; }
    return words.slice(0, 64).replace(/_+$/, "");
  }
  function showDerivedId() {
    const derived = idFromTitle(String(draft.title ?? ""));
    document.getElementById("ed-id").placeholder = derived ? `${derived} (from the title)` : "made from the title";
  }
  document.querySelectorAll("[data-bind]").forEach((input) => {
    const key = input.dataset.bind;
    input.value = draft[key] ?? "";
    input.dataset.field = key;
    input.addEventListener("input", () => {
      if (input.value === "" && key === "description") {
        delete draft[key];
      } else {
        draft[key] = input.value;
      }
      if (key === "title") { showDerivedId(); }
      changed();
    });
  });
  showDerivedId();
  document.getElementById("save-form").addEventListener("submit", () => {
    draftJson.value = JSON.stringify(draft);
  });

  render();
  changed();
})();
