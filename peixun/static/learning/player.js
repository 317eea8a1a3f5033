/* The course video player. It reports the intervals of media time really played every 10 s
   (and on pause, end and leaving), with the seconds its own clock says passed; the server
   merges them into unique seconds and refuses a report that plays faster than 1×, claims
   more than its clock allows, skips ahead where the course forbids it, or comes while
   another item plays. Nothing here is trusted: it only keeps an honest member's count right
   and says why a part was not counted. After the tenant's idle minutes it pauses and asks
   whether the member is still there; time after an unanswered check does not count. */
(function () {
  "use strict";
  var box = document.getElementById("player");
  if (!box) return;
  var data = box.dataset;
  var video = document.getElementById("video");
  var csrf = box.querySelector("input[name=csrfmiddlewaretoken]").value;
  var notice = document.getElementById("player-notice");
  var presenceBox = document.getElementById("presence");
  var allowSkip = data.allowSkip === "1";
  var furthest = parseFloat(data.furthest || "0");
  var idleSeconds = parseInt(data.idleSeconds || "600", 10);
  var token = null;
  var intervals = [];       // closed [start, end) pairs not yet reported
  var segStart = null;      // the open interval's start while playing
  var lastT = 0;            // media time last seen while playing
  var lastSent = performance.now();
  var lastPresence = performance.now();
  var lastTouch = 0;
  var sending = false;
  var done = false;

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }
  function say(text) {
    notice.textContent = text;
    notice.classList.toggle("d-none", !text);
  }
  function closeSegment() {
    if (segStart !== null && lastT > segStart) intervals.push([segStart, lastT]);
    segStart = video.paused ? null : lastT;
  }
  function report(final) {
    if (!token || sending) return;
    closeSegment();
    var now = performance.now();
    var body = {
      token: token, intervals: intervals, elapsed: (now - lastSent) / 1000,
      position: video.currentTime
    };
    intervals = [];
    lastSent = now;
    if (final) {
      // Leaving the page: a keepalive request outlives it; its answer is not awaited.
      fetch(data.reportUrl, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body)
      }).catch(function () {});
      return;
    }
    sending = true;
    post(data.reportUrl, body).then(function (r) {
      sending = false;
      document.getElementById("watched-bar").style.width = Math.min(r.watched_percent, 100) + "%";
      document.getElementById("watched-text").textContent = r.watched_percent + "%";
      if (r.accepted) {
        body.intervals.forEach(function (p) { if (p[1] > furthest) furthest = p[1]; });
        say("");
      } else if (r.reason === "presence") {
        say(data.msgPresence);
      } else {
        var key = { skip: "msgRefusedSkip", speed: "msgRefusedSpeed", wall_clock: "msgRefusedWall",
                    concurrent: "msgRefusedConcurrent", backwards: "msgRefusedBackwards" }[r.reason];
        say(data[key] || data.msgRefusedBackwards);
        if (r.reason === "concurrent") { token = null; video.pause(); }
      }
      if (r.completed && !done) {
        done = true;
        var ok = document.createElement("div");
        ok.className = "alert alert-success py-2 mt-2";
        ok.id = "player-done";
        ok.textContent = data.msgDone;
        box.appendChild(ok);
      }
    }).catch(function () {
      sending = false;
      say(data.msgOffline);
    });
  }
  function start() {
    return post(data.playUrl).then(function (r) {
      token = r.token;
      idleSeconds = Math.max(30, Math.round(r.presence_due_in)) || idleSeconds;
      lastSent = performance.now();
      lastPresence = performance.now();
      return r;
    });
  }
  function confirmPresence() {
    lastPresence = performance.now();
    if (token) post(data.presenceUrl, { token: token }).catch(function () {});
  }

  video.addEventListener("loadedmetadata", function () {
    var resume = parseFloat(data.resume || "0");
    if (resume > 0 && resume < video.duration - 1) video.currentTime = resume;
    lastT = video.currentTime;
  });
  video.addEventListener("play", function () {
    if (!token) start();
  });
  video.addEventListener("playing", function () {
    segStart = video.currentTime;
    lastT = video.currentTime;
  });
  video.addEventListener("timeupdate", function () {
    if (video.paused || video.seeking) return;
    var t = video.currentTime;
    if (segStart === null) { segStart = t; lastT = t; return; }
    // A jump (not a tick of playback): end the interval where playback really was.
    if (t < lastT || t - lastT > 2.5) { closeSegment(); segStart = t; }
    lastT = t;
  });
  video.addEventListener("seeking", function () {
    closeSegment();
    segStart = null;
    if (!allowSkip && video.currentTime > furthest + 3) {
      // The server would not count it: go back to the furthest point watched and say why.
      say(data.msgRefusedSkip);
      video.currentTime = Math.max(furthest, lastT);
    }
  });
  video.addEventListener("seeked", function () {
    lastT = video.currentTime;
    if (!video.paused) segStart = video.currentTime;
  });
  video.addEventListener("ratechange", function () {
    if (video.playbackRate !== 1) { video.playbackRate = 1; say(data.msgRefusedSpeed); }
  });
  video.addEventListener("pause", function () { report(false); segStart = null; });
  video.addEventListener("ended", function () { report(false); segStart = null; });
  window.addEventListener("pagehide", function () { if (!video.paused) report(true); });
  ["pointerdown", "keydown"].forEach(function (kind) {
    box.addEventListener(kind, function () {
      // Touching the player shows the member is there (at most once a minute to the server).
      var now = performance.now();
      if (now - lastTouch > 60000) { lastTouch = now; confirmPresence(); }
    });
  });
  document.getElementById("presence-yes").addEventListener("click", function () {
    presenceBox.classList.add("d-none");
    presenceBox.classList.remove("d-flex");
    confirmPresence();
    video.play();
  });
  setInterval(function () {
    if (!video.paused) {
      if ((performance.now() - lastPresence) / 1000 >= idleSeconds - 5) {
        video.pause();
        presenceBox.classList.remove("d-none");
        presenceBox.classList.add("d-flex");
        return;
      }
      if ((performance.now() - lastSent) / 1000 >= 10) report(false);
    }
  }, 1000);
  start();
})();
