// The journey explorer's page: vanilla JS over the JSON API (see README, "Explore").
// Every name from the data reaches the DOM through textContent or a non-event attribute, never as markup;
// the server's Content-Security-Policy forbids inline scripts, so all handlers are attached here.

const SVG_NS = "http://www.w3.org/2000/svg";
const SINGLE_FILTERS = ["opened_from", "opened_to", "active_from", "active_to", "status", "lead_min_hours",
  "lead_max_hours"];
const REPEATABLE_FILTERS = ["journey_type", "variant", "through", "through_department"];
const FILTER_LABELS = {
  opened_from: "opened from", opened_to: "opened to", active_from: "active from", active_to: "active to",
  status: "status", lead_min_hours: "lead time ≥ (h)", lead_max_hours: "lead time ≤ (h)",
  journey_type: "journey type", variant: "variant", through: "through activity",
  through_department: "through department",
};
const COHORT_FIELDS = ["opened_from", "opened_to", "journey_type", "status"];
const PAGE_SIZE = 25;

const state = {
  filters: [], // [name, value] pairs, named as the API names its query parameters
  view: { tab: "map", level: "activity", metric: "count", nodes: null, paths: 1, top: 30, hlevel: "department",
    tlevel: "department" },
  compare: [], // ["a.opened_from", "2026-03-01"], ...
  mapNodeTotal: null, // how many nodes the map has unfiltered by the slider, for the slider's range
  mapNodeTotalKey: "",
  edges: new Map(), // edge id -> edge, of the map on show
  nodes: [], // nodes of the map on show, by index (the SVG's node-<index>)
  drill: null,
};
let panZoom = null;
let busy = 0;
let generation = 0;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------- helpers

function isFilterName(name) {
  return SINGLE_FILTERS.includes(name) || REPEATABLE_FILTERS.includes(name) || name.startsWith("attr.");
}

function query(pairs) {
  const params = new URLSearchParams();
  for (const [name, value] of pairs) {
    if (value !== null && value !== undefined && value !== "") params.append(name, String(value));
  }
  return params.toString();
}

function url(path, pairs) {
  const text = query(pairs);
  return text ? `${path}?${text}` : path;
}

function setBusy(change) {
  busy += change;
  document.body.dataset.busy = String(busy);
}

async function request(path, pairs) {
  setBusy(1);
  try {
    const response = await fetch(url(path, pairs), { credentials: "same-origin" });
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = await response.json();
        if (body && body.error) message = body.error;
      } catch (ignored) { /* not JSON: keep the status */ }
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return response;
  } finally {
    setBusy(-1);
  }
}

async function getJson(path, pairs = []) {
  return (await request(path, pairs)).json();
}

async function getText(path, pairs = []) {
  return (await request(path, pairs)).text();
}

function showError(error) {
  const line = $("status-line");
  line.textContent = error ? String(error.message || error) : "";
  line.classList.toggle("error", Boolean(error));
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function svgElement(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function hours(value) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) < 48) return `${round(value)} h`;
  return `${round(value / 24)} d`;
}

function round(value) {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function share(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

function number(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en");
}

function fillTable(table, rows, cells, onOpen) {
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const cell of cells(row)) tr.append(cell instanceof Node ? wrapCell(cell) : element("td", cell));
    if (onOpen) {
      tr.classList.add("clickable");
      tr.tabIndex = 0;
      tr.addEventListener("click", () => onOpen(row));
      tr.addEventListener("keydown", (event) => { if (event.key === "Enter") onOpen(row); });
    }
    body.append(tr);
  }
}

function wrapCell(node) {
  const td = document.createElement("td");
  td.append(node);
  return td;
}

function fillFigures(list, figures) {
  list.replaceChildren();
  for (const [key, label, value] of figures) {
    const dt = element("dt", label);
    const dd = element("dd", value);
    dd.dataset.key = key;
    list.append(dt, dd);
  }
}

// ----------------------------------------------------------------------------------------- URL state

function readUrl() {
  const params = new URLSearchParams(window.location.search);
  for (const [name, value] of params) {
    if (isFilterName(name)) state.filters.push([name, value]);
    else if (name.startsWith("a.") || name.startsWith("b.")) state.compare.push([name, value]);
    else if (name === "nodes") state.view.nodes = Number(value) || null;
    else if (name === "paths") state.view.paths = Math.min(1, Math.max(0, Number(value)));
    else if (name === "top") state.view.top = Number(value) || 30;
    else if (name in state.view) state.view[name] = value;
  }
}

function writeUrl() {
  const view = state.view;
  const pairs = [...state.filters, ["tab", view.tab === "map" ? null : view.tab],
    ["level", view.level === "activity" ? null : view.level], ["metric", view.metric === "count" ? null : view.metric],
    ["nodes", view.nodes], ["paths", view.paths === 1 ? null : view.paths],
    ["top", view.level === "team" && view.top !== 30 ? view.top : null],
    ["hlevel", view.hlevel === "department" ? null : view.hlevel],
    ["tlevel", view.tlevel === "department" ? null : view.tlevel], ...state.compare];
  const text = query(pairs);
  window.history.replaceState(null, "", text ? `?${text}` : window.location.pathname);
}

// ----------------------------------------------------------------------------------------- filters

function addFilter(name, value) {
  if (value === "" || value === null) return;
  if (SINGLE_FILTERS.includes(name) || name.startsWith("attr.")) {
    state.filters = state.filters.filter(([other]) => other !== name);
  } else if (state.filters.some(([other, v]) => other === name && v === value)) {
    return;
  }
  state.filters.push([name, value]);
}

function renderChips() {
  const chips = $("chips");
  chips.replaceChildren();
  state.filters.forEach(([name, value], index) => {
    const chip = element("span", null, "chip");
    const label = name.startsWith("attr.") ? `${name.slice(5)} =` : FILTER_LABELS[name] || name;
    chip.append(element("span", `${label} `, "chip-name"), element("strong", value));
    const remove = element("button", "×", "chip-remove");
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove ${label} ${value}`);
    remove.addEventListener("click", () => {
      state.filters.splice(index, 1);
      refresh();
    });
    chip.append(remove);
    chips.append(chip);
  });
}

function onFilterSubmit(event) {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  for (const name of [...SINGLE_FILTERS, ...REPEATABLE_FILTERS]) {
    const value = data.get(name);
    if (value !== null) addFilter(name, String(value).trim());
  }
  const attribute = String(data.get("attr_name") || "").trim();
  if (attribute) addFilter(`attr.${attribute}`, String(data.get("attr_value") || ""));
  form.reset();
  refresh();
}

// ----------------------------------------------------------------------------------------- SVG maps

// Parses SVG text as XML (never as HTML) and takes out anything that could run or link anywhere.
function safeSvg(text) {
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = parsed.documentElement;
  if (root.localName !== "svg" || parsed.getElementsByTagName("parsererror").length) {
    throw new Error("The server's drawing is not SVG");
  }
  for (const node of Array.from(root.querySelectorAll("script, foreignObject, iframe, object, embed"))) {
    node.remove();
  }
  for (const node of [root, ...root.querySelectorAll("*")]) {
    for (const attribute of Array.from(node.attributes)) {
      const name = attribute.name.toLowerCase();
      const link = name === "href" || name.endsWith(":href");
      if (name.startsWith("on") || (link && !attribute.value.startsWith("#"))) node.removeAttribute(attribute.name);
    }
  }
  const svg = document.importNode(root, true);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("width", "100%");
  svg.setAttribute("height", "100%");
  return svg;
}

function showSvg(container, text) {
  const svg = safeSvg(text);
  container.replaceChildren(svg);
  if (typeof window.svgPanZoom !== "function") return null;
  const panning = window.svgPanZoom(svg, { zoomEnabled: true, controlIconsEnabled: false, fit: true, center: true,
    minZoom: 0.05, maxZoom: 40, dblClickZoomEnabled: false });
  // a small map is enlarged a little, not blown up to the panel's width
  const largest = 1.6;
  const natural = panning.getSizes().realZoom;
  if (natural > largest) {
    panning.zoom((panning.getZoom() * largest) / natural);
    panning.center();
  }
  return panning;
}

// A transparent wide copy of each edge's line, so a thin edge is easy to click.
function widenEdges(svg) {
  for (const path of Array.from(svg.querySelectorAll("g.edge path"))) {
    const hit = path.cloneNode(false);
    hit.setAttribute("class", "edge-hit");
    hit.setAttribute("stroke", "transparent");
    hit.setAttribute("stroke-width", "14");
    hit.setAttribute("fill", "none");
    hit.removeAttribute("stroke-dasharray");
    path.after(hit);
  }
}

// ----------------------------------------------------------------------------------------- the map

function mapPairs(withLimits) {
  const view = state.view;
  const pairs = [["level", view.level]];
  if (view.level === "team") pairs.push(["top", view.top]);
  if (withLimits) pairs.push(["nodes", view.nodes], ["paths", view.paths]);
  return pairs;
}

async function loadMap(run) {
  const view = state.view;
  const totalKey = query([...mapPairs(false), ...state.filters]);
  if (state.mapNodeTotalKey !== totalKey) {
    const whole = await getJson("/api/map", [...mapPairs(false), ...state.filters]);
    if (run !== generation) return;
    state.mapNodeTotal = whole.nodes.length;
    state.mapNodeTotalKey = totalKey;
  }
  const total = Math.max(1, state.mapNodeTotal || 1);
  if (view.nodes !== null && view.nodes >= total) view.nodes = null;
  const slider = $("nodes");
  slider.max = String(total);
  slider.value = String(view.nodes === null ? total : view.nodes);
  $("nodes-out").textContent = view.nodes === null ? `all ${total}` : `${view.nodes} of ${total}`;
  $("paths").value = String(Math.round(view.paths * 100));
  $("paths-out").textContent = `${Math.round(view.paths * 100)}%`;
  const pairs = [...mapPairs(true), ...state.filters];
  const [data, svgText] = await Promise.all([getJson("/api/map", pairs),
    getText("/api/map.svg", [...pairs, ["metric", view.metric]])]);
  if (run !== generation) return;
  state.edges = new Map(data.edges.map((edge) => [edge.id, edge]));
  state.nodes = data.nodes;
  const notes = [`${number(data.journeys)} journeys, ${data.nodes.length} nodes, ${data.edges.length} edges`];
  if (data.grouped) notes.push(`${number(data.grouped.nodes)} more grouped as “${data.grouped.name}”`);
  if (data.wait_basis) notes.push(`waits in ${data.wait_basis} hours`);
  $("map-note").textContent = notes.join("; ");
  if (panZoom) panZoom.destroy();
  panZoom = null;
  const container = $("map");
  panZoom = showSvg(container, svgText);
  widenEdges(container.querySelector("svg"));
}

function onMapClick(event) {
  const edgeGroup = event.target.closest("g.edge");
  if (edgeGroup) {
    const edge = state.edges.get(edgeGroup.id.replace(/^edge-/, ""));
    if (edge) {
      openDrill(`${edge.from} → ${edge.to}`, [["level", state.view.level], ["from_node", edge.from],
        ["to_node", edge.to]]);
    }
    return;
  }
  const nodeGroup = event.target.closest("g.node");
  if (nodeGroup) {
    const node = state.nodes[Number(nodeGroup.id.replace(/^node-/, ""))];
    if (node) openDrill(`through ${node.id}`, [["level", state.view.level], ["node", node.id]]);
  }
}

// ----------------------------------------------------------------------------------------- panels

function summaryFigures(summary) {
  const period = summary.period || {};
  return [
    ["journeys", "Journeys", number(summary.journeys)],
    ["finished", "Finished", number(summary.finished)],
    ["open", "Open", number(summary.open)],
    ["events", "Events", number(summary.events)],
    ["median_lead_hours", "Median lead time", hours(summary.median_lead_hours)],
    ["p90_lead_hours", "p90 lead time", hours(summary.p90_lead_hours)],
    ["contacts_per_journey", "Contacts per journey",
      summary.contacts_per_journey === null ? "–" : Number(summary.contacts_per_journey).toFixed(2)],
    ["within_norm_share", "Within the norm", share(summary.within_norm_share)],
    ["period", "Opened", period.first_opened ? `${period.first_opened.slice(0, 10)} – ${
      (period.last_opened || "").slice(0, 10)}` : "–"],
  ];
}

async function loadSummary(run) {
  const summary = await getJson("/api/summary", state.filters);
  if (run === generation) fillFigures($("summary"), summaryFigures(summary));
}

async function loadVariants(run) {
  const data = await getJson("/api/variants", [["limit", 50], ...state.filters]);
  if (run !== generation) return;
  fillTable($("variants"), data.variants, (variant) => [variant.activities.join(" → "), number(variant.journeys),
    share(variant.share), hours(variant.median_lead_hours)],
  (variant) => openDrill(`variant ${variant.variant_id}`, [["variant", variant.variant_id]]));
}

async function loadHandovers(run) {
  const level = state.view.hlevel;
  const data = await getJson("/api/handovers", [["level", level], ["limit", 25], ...state.filters]);
  if (run !== generation) return;
  fillTable($("handovers"), data.handovers, (row) => [row.from, row.to, number(row.count), number(row.journeys),
    hours(row.median_wait_hours), hours(row.p90_wait_hours), hours(row.total_wait_hours)],
  (row) => openDrill(`${row.from} → ${row.to}`, [["level", level], ["from_node", row.from], ["to_node", row.to]]));
  $("handovers-other").textContent = data.other
    ? `${number(data.other.pairs)} more pairs: ${number(data.other.count)} handovers, ${hours(
      data.other.total_wait_hours)} waiting in all` : "";
}

async function loadBottlenecks(run) {
  const data = await getJson("/api/bottlenecks", state.filters);
  if (run !== generation) return;
  $("bottlenecks-reason").textContent = data.available ? "" : data.reason || "No designed journey was given.";
  fillTable($("bottlenecks"), data.items, (item) => [item.rank, item.kind,
    item.from && item.to ? `${item.from} → ${item.to}` : item.name || item.stage, number(item.volume),
    hours(item.median_hours), hours(item.norm_hours), share(item.breach_rate), hours(item.excess_hours),
    share(item.share_of_excess)], openBottleneck);
}

// A handover opens the journeys behind it; a stage has no edge of its own, so it opens the journeys that
// pass through its department, slowest first.
function openBottleneck(item) {
  if (item.from && item.to) {
    const level = item.kind === "team_handover" ? "team" : "department";
    openDrill(`${item.from} → ${item.to}`, [["level", level], ["from_node", item.from], ["to_node", item.to]]);
  } else {
    openDrill(`stage ${item.name || item.stage}`, []);
  }
}

// ----------------------------------------------------------------------------------------- drill-down

function openDrill(title, pairs) {
  state.drill = { title, pairs, sort: "lead_time_hours", order: "desc", offset: 0,
    hasEdge: pairs.some(([name]) => name === "from_node") };
  if (state.drill.hasEdge) state.drill.sort = "wait_hours";
  $("drill").hidden = false;
  loadDrill().then(() => $("drill").scrollIntoView({ block: "start" })).catch(showError);
}

function drillPairs() {
  const drill = state.drill;
  return [...drill.pairs, ["sort", drill.sort], ["order", drill.order], ["limit", PAGE_SIZE],
    ["offset", drill.offset], ...state.filters];
}

async function loadDrill() {
  const drill = state.drill;
  if (!drill) return;
  const data = await getJson("/api/journeys", drillPairs());
  if (drill !== state.drill) return;
  $("drill-title").textContent = `Journeys: ${drill.title} (${number(data.total)})`;
  fillTable($("journeys"), data.journeys, (journey) => {
    const open = element("button", journey.journey_id, "link");
    open.type = "button";
    open.addEventListener("click", (event) => {
      event.stopPropagation();
      openTimeline(journey.journey_id);
    });
    return [open, journey.journey_type, (journey.opened_at || "").replace("T", " ").slice(0, 16),
      hours(journey.lead_time_hours), journey.status, hours(journey.wait_hours)];
  }, (journey) => openTimeline(journey.journey_id));
  for (const th of $("journeys").querySelectorAll("th[data-sort]")) {
    th.classList.toggle("sorted", th.dataset.sort === drill.sort);
    th.dataset.order = th.dataset.sort === drill.sort ? drill.order : "";
  }
  const last = Math.min(drill.offset + PAGE_SIZE, data.total);
  $("page-info").textContent = data.total ? `${drill.offset + 1}–${last} of ${number(data.total)}` : "none";
  $("page-prev").disabled = drill.offset === 0;
  $("page-next").disabled = last >= data.total;
  const table = [["name", "journeys"], ...drill.pairs, ["sort", drill.sort], ["order", drill.order],
    ...state.filters];
  $("export-journeys-csv").href = url("/api/export/table", [...table, ["format", "csv"]]);
  $("export-journeys-parquet").href = url("/api/export/table", [...table, ["format", "parquet"]]);
}

function onSort(event) {
  const th = event.target.closest("th[data-sort]");
  if (!th || !state.drill) return;
  const drill = state.drill;
  drill.order = drill.sort === th.dataset.sort && drill.order === "desc" ? "asc" : "desc";
  drill.sort = th.dataset.sort;
  drill.offset = 0;
  loadDrill().catch(showError);
}

function page(step) {
  if (!state.drill) return;
  state.drill.offset = Math.max(0, state.drill.offset + step * PAGE_SIZE);
  loadDrill().catch(showError);
}

// ----------------------------------------------------------------------------------------- timeline

async function openTimeline(journeyId) {
  try {
    const journey = await getJson(`/api/journeys/${encodeURIComponent(journeyId)}`);
    drawTimeline(journey);
    $("timeline").hidden = false;
    $("timeline").scrollIntoView({ block: "nearest" });
  } catch (error) {
    showError(error);
  }
}

function drawTimeline(journey) {
  const closed = journey.closed_at ? `closed ${journey.closed_at.replace("T", " ").slice(0, 16)}` : "open";
  $("timeline-title").textContent = `${journey.journey_id} (${journey.journey_type}), opened ${
    (journey.opened_at || "").replace("T", " ").slice(0, 16)}, ${closed}`;
  const events = journey.events;
  const contactLane = "customer contacts";
  const lanes = [];
  const laneOf = (event) => (event.kind === "contact" ? contactLane : event.department || "(no department)");
  for (const event of events) if (!lanes.includes(laneOf(event))) lanes.push(laneOf(event));
  const times = events.map((event) => Date.parse(event.ts));
  const start = Math.min(...times);
  const span = Math.max(Math.max(...times) - start, 3600e3);
  const left = 190;
  const width = 1000;
  const laneHeight = 44;
  const height = lanes.length * laneHeight + 30;
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline-svg", role: "img" });
  const x = (ts) => left + ((Date.parse(ts) - start) / span) * (width - left - 30);
  const y = (event) => lanes.indexOf(laneOf(event)) * laneHeight + laneHeight / 2;
  lanes.forEach((lane, index) => {
    svg.append(svgElement("rect", { x: 0, y: index * laneHeight, width, height: laneHeight,
      class: index % 2 ? "lane odd" : "lane" }));
    svg.append(svgElement("text", { x: 8, y: index * laneHeight + laneHeight / 2 + 4, class: "lane-name" },
      lane.length > 28 ? `${lane.slice(0, 27)}…` : lane));
  });
  svg.append(svgElement("text", { x: left, y: height - 8, class: "axis" }, events.length ? events[0].ts.replace("T", " ").slice(0, 16) : ""));
  svg.append(svgElement("text", { x: width - 30, y: height - 8, class: "axis", "text-anchor": "end" },
    `+${hours(span / 3600e3)}`));
  let previous = null;
  for (const event of events) {
    const ex = x(event.ts);
    const ey = y(event);
    if (event.kind !== "contact") {
      if (previous) {
        const px = x(previous.ts);
        const py = y(previous);
        svg.append(svgElement("line", { x1: px, y1: py, x2: ex, y2: ey, class: "wait" }));
        if (event.paused_hours) {
          const pausedWidth = Math.min(ex - px, (event.paused_hours * 3600e3 / span) * (width - left - 30));
          const pause = svgElement("rect", { x: ex - pausedWidth, y: ey - 5, width: Math.max(pausedWidth, 2),
            height: 10, class: "paused" });
          pause.append(svgElement("title", {}, `paused ${hours(event.paused_hours)}`));
          svg.append(pause);
        }
        if (event.wait_hours !== null && event.wait_hours !== undefined) {
          svg.append(svgElement("text", { x: (px + ex) / 2, y: Math.min(py, ey) - 6, class: "wait-label",
            "text-anchor": "middle" }, hours(event.wait_hours)));
        }
      }
      previous = event;
    }
    const mark = event.kind === "contact"
      ? svgElement("rect", { x: ex - 5, y: ey - 5, width: 10, height: 10, class: "contact",
        transform: `rotate(45 ${ex} ${ey})` })
      : svgElement("circle", { cx: ex, cy: ey, r: 6, class: "step" });
    mark.append(svgElement("title", {}, `${event.activity} · ${event.ts.replace("T", " ").slice(0, 16)} · ${
      event.team || event.department || ""}`));
    svg.append(mark);
  }
  $("timeline-chart").replaceChildren(svg);
  fillTable($("timeline-events"), events, (event) => [event.ts.replace("T", " ").slice(0, 16), event.activity,
    event.department ?? "", event.team ?? "", event.kind, hours(event.wait_hours), hours(event.paused_hours)]);
}

// ----------------------------------------------------------------------------------------- compare

function cohortPairs(prefix) {
  const own = state.compare.filter(([name]) => name.startsWith(prefix)).map(([name, v]) => [name.slice(2), v]);
  const ownNames = new Set(own.map(([name]) => name));
  const replaced = (name) => ownNames.has(name)
    || ((name === "opened_from" || name === "opened_to") && (ownNames.has("opened_from") || ownNames.has("opened_to")));
  const base = state.filters.filter(([name]) => !replaced(name));
  return [...base, ...own].map(([name, value]) => [`${prefix}${name}`, value]);
}

function readCompareForm() {
  const data = new FormData($("compare-form"));
  state.compare = [];
  for (const prefix of ["a.", "b."]) {
    for (const field of COHORT_FIELDS) {
      const value = String(data.get(prefix + field) || "").trim();
      if (value) state.compare.push([prefix + field, value]);
    }
  }
  const level = String(data.get("compare_level") || "department");
  if (level !== "department") state.compare.push(["a.level", level]);
}

function compareLevel() {
  const found = state.compare.find(([name]) => name === "a.level");
  return found ? found[1] : "department";
}

async function loadCompare(run) {
  const level = compareLevel();
  const pairs = [["level", level], ...cohortPairs("a."), ...cohortPairs("b.")]
    .filter(([name]) => name !== "a.level" && name !== "b.level");
  const [data, svgText] = await Promise.all([getJson("/api/compare", pairs), getText("/api/compare.svg", pairs)]);
  if (run !== generation) return;
  fillFigures($("compare-a"), summaryFigures(data.a));
  fillFigures($("compare-b"), summaryFigures(data.b));
  fillTable($("compare-handovers"), data.handovers, (row) => [row.from, row.to, hours(row.a_median_wait_hours),
    hours(row.b_median_wait_hours), hours(row.change), `${hours(row.change_low)} to ${hours(row.change_high)}`,
    row.q_value === null ? "–" : Number(row.q_value).toFixed(3), row.significant ? "yes" : "no",
    number(row.a_count), number(row.b_count)]);
  showSvg($("compare-map"), svgText);
}

function fillCompareForm() {
  const form = $("compare-form");
  for (const [name, value] of state.compare) {
    const field = name === "a.level" ? form.elements.namedItem("compare_level") : form.elements.namedItem(name);
    if (field) field.value = value;
  }
}

// ----------------------------------------------------------------------------------------- trends

function sparkline(weeks) {
  const width = 240;
  const height = 40;
  const values = weeks.map((week) => week.median_wait_hours).filter((value) => value !== null);
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, class: "sparkline", width, height });
  if (!values.length) return svg;
  const top = Math.max(...values, 1e-9);
  const step = weeks.length > 1 ? (width - 10) / (weeks.length - 1) : 0;
  const points = [];
  weeks.forEach((week, index) => {
    if (week.median_wait_hours === null) return;
    const px = 5 + index * step;
    const py = height - 5 - (week.median_wait_hours / top) * (height - 10);
    points.push(`${px},${py}`);
    const dot = svgElement("circle", { cx: px, cy: py, r: 2.5 });
    dot.append(svgElement("title", {}, `${week.week}: ${hours(week.median_wait_hours)} (${week.count})`));
    svg.append(dot);
  });
  svg.prepend(svgElement("polyline", { points: points.join(" "), class: "line" }));
  return svg;
}

async function loadTrends(run) {
  const level = state.view.tlevel;
  const data = await getJson("/api/trends", [["level", level], ...state.filters]);
  if (run !== generation) return;
  fillTable($("trend-weeks"), data.weeks, (week) => [week.week, number(week.journeys), share(week.within_norm_share)]);
  const holder = $("trend-handovers");
  holder.replaceChildren();
  const table = element("table", null, "data");
  const head = table.createTHead().insertRow();
  for (const title of ["From", "To", "Median wait per week", "Last week"]) head.append(element("th", title));
  const body = table.createTBody();
  for (const handover of data.handovers) {
    const row = body.insertRow();
    const last = handover.weeks.length ? handover.weeks[handover.weeks.length - 1] : null;
    row.append(element("td", handover.from), element("td", handover.to), wrapCell(sparkline(handover.weeks)),
      element("td", last ? hours(last.median_wait_hours) : "–"));
  }
  holder.append(table);
}

// ----------------------------------------------------------------------------------------- exports

function updateExports() {
  const filters = state.filters;
  $("export-xes").href = url("/api/export", [["format", "xes"], ...filters]);
  $("export-csv").href = url("/api/export", [["format", "csv"], ...filters]);
  const mapView = [...mapPairs(true), ...filters];
  $("export-map-svg").href = url("/api/map.svg", [...mapView, ["metric", state.view.metric]]);
  $("export-map-png").href = url("/api/map.png", [...mapView, ["metric", state.view.metric]]);
  $("export-map-csv").href = url("/api/export/table", [["name", "map"], ["format", "csv"], ...mapView]);
  const tables = {
    variants: [["name", "variants"], ["limit", 50]],
    handovers: [["name", "handovers"], ["level", state.view.hlevel], ["limit", 25]],
    trends: [["name", "trends"], ["level", state.view.tlevel]],
  };
  for (const [name, view] of Object.entries(tables)) {
    for (const format of ["csv", "parquet"]) {
      $(`export-${name}-${format}`).href = url("/api/export/table", [...view, ["format", format], ...filters]);
    }
  }
}

// ----------------------------------------------------------------------------------------- views

function showTab(tab) {
  state.view.tab = tab;
  for (const button of document.querySelectorAll(".tab")) {
    button.classList.toggle("active", button.dataset.tab === tab);
    button.setAttribute("aria-selected", String(button.dataset.tab === tab));
  }
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${tab}`;
}

let designLoaded = false;

async function loadDesign() {
  if (designLoaded) return;
  const svgText = await getText("/api/design.svg");
  designLoaded = true;
  showSvg($("design-map"), svgText);
}

// Everything on show follows the filter: one run per change; answers of an older run are dropped.
async function refresh() {
  generation += 1;
  const run = generation;
  writeUrl();
  renderChips();
  updateExports();
  showError(null);
  $("top-label").hidden = state.view.level !== "team";
  const loads = [loadSummary(run), loadVariants(run), loadHandovers(run), loadBottlenecks(run)];
  if (state.view.tab === "map") loads.push(loadMap(run));
  if (state.view.tab === "compare") loads.push(loadCompare(run));
  if (state.view.tab === "trends") loads.push(loadTrends(run));
  if (state.view.tab === "design") loads.push(loadDesign());
  if (state.drill) {
    state.drill.offset = 0;
    loads.push(loadDrill());
  }
  const results = await Promise.allSettled(loads);
  const failed = results.find((result) => result.status === "rejected");
  if (failed && run === generation) showError(failed.reason);
}

async function probeDesign() {
  try {
    const response = await fetch("/api/design.svg", { method: "GET", credentials: "same-origin" });
    $("design-tab").hidden = !response.ok;
  } catch (ignored) {
    $("design-tab").hidden = true;
  }
}

function bind() {
  $("filter-form").addEventListener("submit", onFilterSubmit);
  $("map").addEventListener("click", onMapClick);
  for (const button of document.querySelectorAll(".tab")) {
    button.addEventListener("click", () => {
      showTab(button.dataset.tab);
      refresh();
    });
  }
  $("level").addEventListener("change", (event) => {
    state.view.level = event.target.value;
    state.view.nodes = null;
    refresh();
  });
  $("top").addEventListener("change", (event) => {
    state.view.top = Math.max(1, Number(event.target.value) || 30);
    state.view.nodes = null;
    refresh();
  });
  $("metric").addEventListener("change", (event) => {
    state.view.metric = event.target.value;
    refresh();
  });
  $("nodes").addEventListener("input", (event) => {
    $("nodes-out").textContent = `${event.target.value} of ${event.target.max}`;
  });
  $("nodes").addEventListener("change", (event) => {
    const value = Number(event.target.value);
    state.view.nodes = value >= Number(event.target.max) ? null : value;
    refresh();
  });
  $("paths").addEventListener("input", (event) => { $("paths-out").textContent = `${event.target.value}%`; });
  $("paths").addEventListener("change", (event) => {
    state.view.paths = Number(event.target.value) / 100;
    refresh();
  });
  $("zoom-in").addEventListener("click", () => panZoom && panZoom.zoomIn());
  $("zoom-out").addEventListener("click", () => panZoom && panZoom.zoomOut());
  $("fit").addEventListener("click", () => panZoom && (panZoom.resize(), panZoom.fit(), panZoom.center()));
  $("handover-level").addEventListener("change", (event) => {
    state.view.hlevel = event.target.value;
    refresh();
  });
  $("trends-level").addEventListener("change", (event) => {
    state.view.tlevel = event.target.value;
    refresh();
  });
  $("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    readCompareForm();
    refresh();
  });
  $("journeys").tHead.addEventListener("click", onSort);
  $("page-prev").addEventListener("click", () => page(-1));
  $("page-next").addEventListener("click", () => page(1));
  $("drill-close").addEventListener("click", () => {
    state.drill = null;
    $("drill").hidden = true;
  });
  $("timeline-close").addEventListener("click", () => { $("timeline").hidden = true; });
}

function start() {
  document.body.dataset.busy = "0";
  readUrl();
  $("level").value = state.view.level;
  $("metric").value = state.view.metric;
  $("top").value = String(state.view.top);
  $("handover-level").value = state.view.hlevel;
  $("trends-level").value = state.view.tlevel;
  fillCompareForm();
  bind();
  showTab(state.view.tab);
  setBusy(1); // held until the first refresh is done, so "not busy" means the page is complete
  Promise.all([probeDesign(), refresh()]).finally(() => setBusy(-1));
}

start();
