// Pickers that search on the server (peixun/core/pickers.py): every <select data-picker> becomes
// a Tom Select that asks the page showing it (or its data-picker-url) for matches as the user
// types, twenty at a time, and loads the next twenty when the list is scrolled or arrowed to
// its end. Runs on page load and again on whatever htmx swaps in.
(function () {
  "use strict";

  function pickerUrl(select, query, page) {
    var base = select.dataset.pickerUrl || window.location.href;
    var url = new URL(base, window.location.href);
    url.searchParams.set("pick", select.dataset.picker);
    url.searchParams.set("pick_q", query);
    url.searchParams.set("pick_page", String(page));
    return url.toString();
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function setUp(select) {
    if (select.tomselect || typeof TomSelect === "undefined") {
      return;
    }
    var pages = {}; // query -> next page number
    var texts = select.dataset;
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      // The server has matched already (by name, code or mobile): show what it sent.
      score: function () {
        return function () {
          return 1;
        };
      },
      allowEmptyOption: !select.required,
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      shouldLoad: function () {
        return true;
      },
      // The search box sits in the dropdown, so the chosen label (a long path) never shares a
      // line with it and the control keeps its height when focus moves on.
      plugins: ["dropdown_input", "virtual_scroll"],
      firstUrl: function (query) {
        pages[query] = 1;
        return pickerUrl(select, query, 1);
      },
      load: function (query, callback) {
        var self = this;
        var url = self.getUrl(query);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(response.statusText);
            }
            return response.json();
          })
          .then(function (data) {
            var page = Number(new URL(url).searchParams.get("pick_page")) || 1;
            if (data.more) {
              self.setNextUrl(query, pickerUrl(select, query, page + 1));
            }
            callback(data.results);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">' + escapeHtml(texts.pickerNone || "—") + "</div>";
        },
        loading: function () {
          return '<div class="spinner-border spinner-border-sm m-2" role="status"></div>';
        },
        loading_more: function () {
          return '<div class="loading-more-results py-2 text-center text-secondary">' +
            escapeHtml(texts.pickerMore || "…") + "</div>";
        },
        no_more_results: function () {
          return "";
        },
      },
    });
  }

  function setUpAll(root) {
    if (root && root.querySelectorAll) {
      root.querySelectorAll("select[data-picker]").forEach(setUp);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.detail.elt);
  });
})();
