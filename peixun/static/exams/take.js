/* Taking an exam on a phone: every answer is sent to the server as it is chosen; what has not
   reached the server yet is kept in localStorage and re-sent (after a reload too); the clock is
   the server's remaining time; at zero the attempt is handed in. */
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) return;
  var data = form.dataset;
  var attemptId = data.attempt;
  var storeKey = "peixun-exam-" + attemptId;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var seq = parseInt(data.maxSeq || "0", 10);
  var pending = {};
  try { pending = JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { pending = {}; }
  var inFlight = {};
  var submitting = false;
  var offline = document.getElementById("exam-offline");

  function keep() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function items() { return Array.prototype.slice.call(form.querySelectorAll(".exam-item")); }
  function itemOf(q) { return form.querySelector('.exam-item[data-q="' + q + '"]'); }
  function status(q, text, cls) {
    var el = itemOf(q).querySelector(".exam-status");
    el.textContent = text;
    el.className = "small mt-1 exam-status " + (cls || "text-muted");
  }
  function responseOf(item) {
    var kind = item.dataset.kind;
    var inputs = Array.prototype.slice.call(item.querySelectorAll("input"));
    if (kind === "blank") { return inputs[0].value === "" ? null : inputs[0].value; }
    var chosen = inputs.filter(function (i) { return i.checked; });
    if (!chosen.length) return null;
    if (kind === "judge") return chosen[0].value === "true";
    if (kind === "single") return parseInt(chosen[0].value, 10);
    return chosen.map(function (i) { return parseInt(i.value, 10); });
  }
  function show(item, response) {
    var kind = item.dataset.kind;
    var inputs = Array.prototype.slice.call(item.querySelectorAll("input"));
    if (kind === "blank") { inputs[0].value = response === null ? "" : response; return; }
    // The server stores a single choice as [i]; the page sends i.
    if (kind === "single" && Array.isArray(response)) response = response[0];
    inputs.forEach(function (i) {
      if (kind === "judge") i.checked = response !== null && String(response) === i.value;
      else if (kind === "single") i.checked = response !== null && parseInt(i.value, 10) === response;
      else i.checked = response !== null && response.indexOf(parseInt(i.value, 10)) >= 0;
    });
  }
  function progress() {
    var answered = items().filter(function (item) { return responseOf(item) !== null; }).length;
    document.getElementById("exam-progress").textContent =
      data.msgAnswered + " " + answered + "/" + items().length;
    return answered;
  }
  function send(q) {
    var entry = pending[q];
    if (!entry || inFlight[q]) return Promise.resolve();
    inFlight[q] = true;
    status(q, data.msgSaving);
    return fetch(data.saveUrl + q, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ response: entry.response, seq: entry.seq })
    }).then(function (r) {
      inFlight[q] = false;
      if (r.ok) {
        if (pending[q] && pending[q].seq === entry.seq) { delete pending[q]; keep(); }
        status(q, data.msgSaved);
        offline.classList.add("d-none");
        if (pending[q]) send(q);
        return;
      }
      if (r.status === 401 || r.status === 403) {
        // Signed out (a long exam outlives the session) or a stale CSRF token: keep the answer
        // on the phone and ask the taker to sign in again; it is sent when the page reloads.
        status(q, data.msgSignin, "text-danger");
        offline.textContent = data.msgSignin;
        offline.classList.remove("d-none");
        return;
      }
      if (r.status >= 400 && r.status < 500) {
        // Refused for good (time is up, not in the attempt): say so and stop retrying.
        delete pending[q]; keep();
        return r.json().then(function (body) {
          var first = (body.detail && body.detail[0]) || {};
          var msg = first.msg || (typeof body.detail === "string" ? body.detail : "");
          status(q, data.msgRefused + (msg ? ": " + msg : ""), "text-danger");
          // The attempt itself was refused (time is up, already handed in): the page reloads
          // and shows the result.
          if (r.status === 422 && first.loc && first.loc.indexOf("attempt") >= 0) {
            try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
            setTimeout(function () { location.reload(); }, 1500);
          }
        }, function () { status(q, data.msgRefused, "text-danger"); });
      }
      throw new Error("server " + r.status);
    }).catch(function () {
      inFlight[q] = false;
      status(q, data.msgFailed, "text-warning");
      offline.classList.remove("d-none");
      setTimeout(function () { send(q); }, 3000);
    });
  }
  function changed(item) {
    var q = item.dataset.q;
    seq += 1;
    pending[q] = { response: responseOf(item), seq: seq };
    keep();
    progress();
    send(q);
  }
  items().forEach(function (item) {
    var timer = null;
    item.addEventListener("change", function () { clearTimeout(timer); changed(item); });
    if (item.dataset.kind === "blank") {
      item.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { changed(item); }, 800);
      });
    }
  });
  // After a reload: what never reached the server is shown again and sent.
  Object.keys(pending).forEach(function (q) {
    var item = itemOf(q);
    if (!item) { delete pending[q]; return; }
    if (pending[q].seq > seq) seq = pending[q].seq;
    show(item, pending[q].response);
    send(q);
  });
  keep();
  progress();
  // A save still in flight from before a reload may land after the server rendered this page
  // (and after that page dropped it from the phone): ask the server once more for what it holds.
  fetch(data.attemptUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) {
      if (!body || !body.answers) return;
      Object.keys(body.answers).forEach(function (q) {
        var item = itemOf(q);
        if (!item || pending[q] || responseOf(item) !== null) return;
        show(item, body.answers[q]);
        status(q, data.msgSaved);
      });
      progress();
    })
    .catch(function () { /* offline: what the page shows is what the server rendered */ });
  window.addEventListener("online", function () { Object.keys(pending).forEach(send); });

  // Jump to the next question without an answer (after the one in view), for long papers.
  var next = document.getElementById("exam-next");
  next.addEventListener("click", function () {
    var list = items();
    var bar = document.querySelector(".exam-bar").getBoundingClientRect().bottom;
    var current = list.findIndex(function (i) { return i.getBoundingClientRect().top > bar + 1; });
    var order = list.slice(Math.max(current, 0)).concat(list.slice(0, Math.max(current, 0)));
    var target = order.find(function (i) { return responseOf(i) === null; });
    if (!target) { document.getElementById("exam-submit").scrollIntoView({ block: "center" }); return; }
    window.scrollTo({ top: window.scrollY + target.getBoundingClientRect().top - bar - 8 });
    var first = target.querySelector("input");
    if (first) first.focus({ preventScroll: true });
  });

  function flushThenSubmit() {
    if (submitting) return;
    submitting = true;
    var button = document.getElementById("exam-submit");
    button.disabled = true;
    button.textContent = data.msgFlushing;
    var deadline = Date.now() + 8000;
    (function wait() {
      var left = Object.keys(pending).filter(function (q) { return pending[q]; });
      left.forEach(send);
      if (!left.length || Date.now() > deadline) {
        try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
        HTMLFormElement.prototype.submit.call(form);
      } else {
        setTimeout(wait, 300);
      }
    })();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (progress() < items().length && !window.confirm(data.msgConfirm)) return;
    flushThenSubmit();
  });

  var endAt = Date.now() + parseInt(data.remaining, 10) * 1000;
  var clock = document.getElementById("exam-timer");
  (function tick() {
    var left = Math.max(0, Math.round((endAt - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) clock.classList.add("text-bg-warning");
    if (left === 0) { flushThenSubmit(); return; }
    setTimeout(tick, 1000);
  })();
})();
