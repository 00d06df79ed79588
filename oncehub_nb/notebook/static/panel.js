// The sign-in panel's front end (anywidget ESM, plain JavaScript: no build step).
//
// Secrets never enter the widget model. The key and the pasted address live only in this
// page's <input> elements; pressing Connect or Enter sends the value once, as a custom message
// (model.send), and nothing secret comes back. The sign-in link (it carries the OAuth state)
// arrives as a custom message too, never as a synced trait, so a saved notebook holds neither.
// The kernel answers every "ready" with "hello": that handshake tells a waiting cell that a
// browser really shows the panel and that its messages get through.
// "Sign in with a code" (RFC 8628): the kernel requests the code and polls for it; this page
// gets the verification link, the user code and the seconds left as one "device" message (never
// a trait) and counts down. The device code itself never reaches this page.

// "ready" every 300 ms for 30 s, then every 5 s: a busy kernel answers late, and each queued
// "ready" gets an answer, so the slow pace keeps that queue short.
const READY_FAST_MS = 300;
const READY_FAST_FOR_MS = 30000;
const READY_SLOW_MS = 5000;
const TRAITS = [
  "api_base", "has_oauth", "has_device", "device_first", "connected", "busy", "catching",
  "restart", "waiting", "facts", "status", "tone",
];

function clockText(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function field({ type, placeholder, label }) {
  const input = el("input", "onb-input");
  input.type = type;
  input.placeholder = placeholder;
  input.autocomplete = type === "password" ? "new-password" : "off";
  input.spellcheck = false;
  input.setAttribute("aria-label", label);
  return input;
}

function button(text, className) {
  const node = el("button", `onb-button ${className}`, text);
  node.type = "button";
  return node;
}

function render({ model, el: host }) {
  const root = el("div", "oncehub-nb-panel");
  host.appendChild(root);

  // -- sign-in view ------------------------------------------------------------------------
  const signIn = el("section", "onb-view onb-sign-in");
  const head = el("div", "onb-head");
  head.append(el("h3", "onb-title", "Sign in to OnceHub"), el("span", "onb-muted onb-base"));
  const tabs = el("div", "onb-tabs");
  tabs.setAttribute("role", "tablist");
  const oauthTab = el("button", "onb-tab", "OAuth sign-in");
  const keyTab = el("button", "onb-tab", "API key");
  const codeTab = el("button", "onb-tab", "Sign in with a code");
  for (const tab of [oauthTab, keyTab, codeTab]) {
    tab.type = "button";
    tab.setAttribute("role", "tab");
  }

  const oauth = el("div", "onb-pane onb-oauth");
  const step1 = el("p", "onb-step");
  step1.innerHTML = "<b>1.</b> Open the sign-in page, sign in and press <i>Allow</i>.";
  const link = el("a", "onb-button onb-primary oncehub-nb-authorize", "Open the sign-in page ↗");
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  const linkWait = el("span", "onb-muted", "Preparing the sign-in link…");
  const step2 = el("p", "onb-step");
  const address = field({
    type: "text",
    placeholder: "Paste the address of the page you landed on",
    label: "Address of the page you landed on after pressing Allow",
  });
  const addressConnect = button("Connect", "onb-primary");
  const addressRow = el("div", "onb-row");
  addressRow.append(address, addressConnect);
  const restart = button("Start again", "onb-secondary");
  oauth.append(step1, el("p", "onb-step onb-link-row"), step2, addressRow, restart);
  oauth.children[1].append(link, linkWait);
  const noApp = el("p", "onb-step onb-no-app");
  noApp.textContent =
    "No OAuth app is set up for this notebook, so use an API key (API key tab). To add an app, " +
    "set ONCEHUB_CLIENT_ID and its addresses before starting the notebook.";
  oauth.append(noApp);

  const keyPane = el("div", "onb-pane onb-key");
  const keyHelp = el("p", "onb-step");
  keyHelp.innerHTML =
    "Create a key in OnceHub under <i>Settings &gt; Account Integrations &gt; APIs &amp; " +
    "Webhooks</i>, paste it here, then press Connect (or Enter).";
  const key = field({ type: "password", placeholder: "OnceHub API key", label: "OnceHub API key" });
  const keyConnect = button("Connect", "onb-primary");
  const keyRow = el("div", "onb-row");
  keyRow.append(key, keyConnect);
  keyPane.append(keyHelp, keyRow);

  // -- sign in with a code (device grant) ----------------------------------------------------
  const codePane = el("div", "onb-pane onb-device");
  const codeStep1 = el("p", "onb-step");
  codeStep1.innerHTML = "<b>1.</b> Open the verification page (on any device):";
  const codeLink = el("a", "onb-button onb-primary oncehub-nb-verify", "Open the page ↗");
  codeLink.target = "_blank";
  codeLink.rel = "noopener noreferrer";
  const codePage = el("span", "onb-muted onb-code-page");
  const codeLinkRow = el("p", "onb-step onb-link-row");
  codeLinkRow.append(codeLink, codePage);
  const codeStep2 = el("p", "onb-step");
  codeStep2.innerHTML = "<b>2.</b> Enter this code there and press <i>Allow</i>:";
  const userCode = el("output", "onb-user-code");
  userCode.setAttribute("aria-label", "The code to enter on the verification page");
  const copy = button("Copy", "onb-secondary onb-copy");
  const codeRow = el("div", "onb-row");
  codeRow.append(userCode, copy);
  const countdown = el("p", "onb-step onb-muted onb-countdown");
  countdown.setAttribute("aria-live", "off");
  const codeWait = el("p", "onb-step onb-muted", "Asking for a code…");
  const newCode = button("Get a new code", "onb-secondary");
  codePane.append(codeStep1, codeLinkRow, codeStep2, codeRow, countdown, codeWait, newCode);

  const waitRow = el("div", "onb-row onb-wait");
  const waitText = el("span", "onb-muted");
  const stopWaiting = button("Stop waiting", "onb-secondary");
  waitRow.append(waitText, stopWaiting);

  tabs.append(oauthTab, keyTab);
  signIn.append(head, tabs, oauth, keyPane, codePane, waitRow);

  // -- connected view ----------------------------------------------------------------------
  const connected = el("section", "onb-view onb-connected");
  const facts = el("table", "onb-facts");
  const signOut = button("Sign out", "onb-secondary");
  connected.append(el("h3", "onb-title", "Connected to OnceHub"), facts, signOut);

  const status = el("p", "onb-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  root.append(signIn, connected, status);

  // -- state shown ---------------------------------------------------------------------------
  let tab = null;
  let pending = null; // the field whose value was sent and is being checked
  let code = null; // {link, page, user_code, deadline}: what the kernel said about the code
  let codeEnded = false; // the last code was used, denied or expired: offer a new one
  let wasConnected = model.get("connected");
  let tick = null;

  function askForCode(fresh) {
    if (model.get("connected") || !model.get("has_device")) return;
    model.send({ type: "device_start", new: fresh });
  }

  function showTab(name) {
    tab = name;
    oauthTab.setAttribute("aria-selected", String(name === "oauth"));
    keyTab.setAttribute("aria-selected", String(name === "key"));
    codeTab.setAttribute("aria-selected", String(name === "device"));
    oauth.hidden = name !== "oauth";
    keyPane.hidden = name !== "key";
    codePane.hidden = name !== "device";
    if (name === "device" && code === null && !codeEnded) askForCode(false);
  }

  function showCode() {
    const live = code !== null;
    for (const node of [codeStep1, codeLinkRow, codeStep2, codeRow, countdown]) {
      node.hidden = !live;
    }
    codeWait.hidden = live || codeEnded;
    newCode.hidden = !(live || codeEnded);
    if (!live) {
      codeLink.removeAttribute("href");
      userCode.textContent = "";
      return;
    }
    codeLink.href = code.link;
    codePage.textContent = code.page;
    userCode.textContent = code.user_code;
    const left = (code.deadline - Date.now()) / 1000;
    countdown.textContent =
      left > 0 ? `The code works for ${clockText(left)} more.` : "The code has expired.";
  }

  function update() {
    const isConnected = model.get("connected");
    const busy = model.get("busy") || pending !== null;
    const hasOAuth = model.get("has_oauth");
    signIn.hidden = isConnected;
    connected.hidden = !isConnected;
    head.querySelector(".onb-base").textContent = model.get("api_base");
    const hasDevice = model.get("has_device");
    const deviceFirst = hasDevice && model.get("device_first");
    if (tab === null) showTab(deviceFirst ? "device" : hasOAuth ? "oauth" : "key");
    if (tab === "device" && !hasDevice) showTab(hasOAuth ? "oauth" : "key");
    let order = hasOAuth ? [oauthTab, keyTab] : [keyTab, oauthTab];
    if (hasDevice) {
      order = deviceFirst ? [codeTab, ...order] : [order[0], codeTab, ...order.slice(1)];
    }
    tabs.replaceChildren(...order);
    if (wasConnected && !isConnected && tab === "device") {
      codeEnded = false;
      askForCode(true); // signed out on the code tab: a fresh code
    }
    wasConnected = isConnected;
    for (const node of [step1, oauth.children[1], step2, addressRow]) node.hidden = !hasOAuth;
    noApp.hidden = hasOAuth;
    step2.innerHTML = model.get("catching")
      ? "<b>2.</b> This computer catches the page you land on: come back here after " +
        "<i>Allow</i>. If that page shows an address instead, paste it here and press Connect."
      : "<b>2.</b> Paste the address of the page you land on, then press Connect (or Enter).";
    restart.hidden = !(hasOAuth && model.get("restart"));
    showCode();
    for (const node of [address, key, addressConnect, keyConnect, restart, signOut]) {
      node.disabled = busy;
    }
    addressConnect.textContent = pending === "address" ? "Checking…" : "Connect";
    keyConnect.textContent = pending === "key" ? "Checking…" : "Connect";
    root.setAttribute("aria-busy", String(busy));
    const waiting = model.get("waiting");
    waitRow.hidden = !waiting || isConnected;
    waitText.textContent = waiting;
    const rows = model.get("facts") || [];
    facts.replaceChildren(
      ...rows.map(([name, value]) => {
        const row = el("tr");
        row.append(el("th", "", name), el("td", "", value));
        return row;
      }),
    );
    status.textContent = model.get("status");
    status.dataset.tone = model.get("tone");
    status.hidden = !model.get("status");
  }

  function setLink(url) {
    if (url) link.href = url;
    else link.removeAttribute("href");
    link.hidden = !url;
    linkWait.hidden = Boolean(url);
  }

  // -- sending -------------------------------------------------------------------------------
  function submit(which) {
    if (pending !== null) return;
    const input = which === "key" ? key : address;
    pending = which;
    update();
    // The one time the value leaves this page: a message, not a trait.
    model.send({ type: which === "key" ? "connect_key" : "connect_address", value: input.value });
  }

  const onEnter = (which) => (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      submit(which);
    }
  };
  key.addEventListener("keydown", onEnter("key"));
  address.addEventListener("keydown", onEnter("address"));
  keyConnect.addEventListener("click", () => submit("key"));
  addressConnect.addEventListener("click", () => submit("address"));
  restart.addEventListener("click", () => model.send({ type: "restart" }));
  signOut.addEventListener("click", () => model.send({ type: "sign_out" }));
  stopWaiting.addEventListener("click", () => model.send({ type: "stop_waiting" }));
  oauthTab.addEventListener("click", () => showTab("oauth"));
  keyTab.addEventListener("click", () => showTab("key"));
  codeTab.addEventListener("click", () => showTab("device"));
  newCode.addEventListener("click", () => {
    codeEnded = false;
    code = null;
    showCode();
    askForCode(true);
  });
  copy.addEventListener("click", async () => {
    if (code === null) return;
    try {
      await navigator.clipboard.writeText(code.user_code);
      copy.textContent = "Copied";
    } catch (_err) {
      // no clipboard permission (e.g. an http:// page): select the code for Ctrl+C instead
      const range = document.createRange();
      range.selectNodeContents(userCode);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      copy.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { copy.textContent = "Copy"; }, 2000);
  });

  let ready = null;
  let greeted = false;
  function onMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "hello" || msg.type === "link") {
      if (msg.type === "hello") {
        greeted = true;
        if (ready !== null) clearTimeout(ready);
        ready = null;
      }
      setLink(msg.link);
      if (msg.type === "hello" && tab === "device" && code === null && !codeEnded) {
        askForCode(false);
      }
    } else if (msg.type === "device") {
      if (msg.user_code) {
        code = {
          link: msg.link,
          page: msg.page,
          user_code: msg.user_code,
          deadline: Date.now() + 1000 * msg.expires_in,
        };
        codeEnded = false;
        if (tick === null) tick = setInterval(showCode, 1000);
      } else {
        code = null;
        codeEnded = Boolean(msg.ended);
        if (tick !== null) clearInterval(tick);
        tick = null;
      }
      showCode();
    } else if (msg.type === "ping") {
      model.send({ type: "ready" }); // a cell started waiting: tell it this page is here
    } else if (msg.type === "result") {
      const input = msg.field === "key" ? key : address;
      if (msg.ok) input.value = ""; // a failed try keeps the text here, for a fix and retry
      pending = null;
      update();
      if (!msg.ok) input.focus();
    }
  }

  model.on("msg:custom", onMessage);
  for (const name of TRAITS) model.on(`change:${name}`, update);
  setLink(null);
  update();
  const started = Date.now();
  const hello = () => {
    if (greeted) return;
    model.send({ type: "ready" });
    const fast = Date.now() - started < READY_FAST_FOR_MS;
    ready = setTimeout(hello, fast ? READY_FAST_MS : READY_SLOW_MS);
  };
  hello();
  return () => {
    if (ready !== null) clearTimeout(ready);
    if (tick !== null) clearInterval(tick);
    model.off("msg:custom", onMessage);
    for (const name of TRAITS) model.off(`change:${name}`, update);
  };
}

export default { render };
