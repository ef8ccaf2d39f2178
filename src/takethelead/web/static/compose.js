// Live length counters for the post composer: each network counted the way it counts,
// mirroring takethelead/domain/text_rules.py (the server checks again on submit).
// Bluesky: grapheme clusters. Mastodon: graphemes, every link as 23, a remote mention as
// its local part. X: weighted (link 23, emoji 2, Latin 1, the rest 2). Discourse: code
// points of the trimmed text. LinkedIn, Facebook: UTF-16 code units.
(function () {
  "use strict";

  var LINK_WEIGHT = 23;
  var TRAILING = ".,;:!?)]}'\"";
  var URL = /https?:\/\/[^\s<>"']+/giu;
  var MASTODON_MENTION =
    /(?<![\p{L}\p{N}_/])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_])?)(@[\p{L}\p{N}_.-]+[\p{L}\p{N}_])?/giu;
  var EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
  var X_LIGHT = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
    : null;

  function graphemes(text) {
    if (!segmenter) return Array.from(text); // code points: an old browser's best guess
    return Array.from(segmenter.segment(text), function (s) { return s.segment; });
  }

  function trimTrailing(link) {
    var end = link.length;
    while (end > 0 && TRAILING.indexOf(link[end - 1]) !== -1) end -= 1;
    return link.slice(0, end);
  }

  function extractLinks(text) {
    var found = [];
    (text.match(URL) || []).forEach(function (raw) {
      var link = trimTrailing(raw);
      if (link.length > "https://".length) found.push(link);
    });
    return found;
  }

  function mastodonLength(text) {
    var countable = text.replace(URL, function (raw) {
      return "x".repeat(LINK_WEIGHT) + raw.slice(trimTrailing(raw).length);
    });
    countable = countable.replace(MASTODON_MENTION, function (_m, user) { return "@" + user; });
    return graphemes(countable).length;
  }

  function xWeight(text) {
    var weight = 0;
    graphemes(text.normalize("NFC")).forEach(function (cluster) {
      if (EMOJI.test(cluster)) { weight += 2; return; }
      Array.from(cluster).forEach(function (ch) {
        var cp = ch.codePointAt(0);
        var light = X_LIGHT.some(function (r) { return cp >= r[0] && cp <= r[1]; });
        weight += light ? 1 : 2;
      });
    });
    return weight;
  }

  function xLength(text) {
    var total = 0;
    var rest = text;
    extractLinks(text).forEach(function (link) {
      var at = rest.indexOf(link);
      total += xWeight(rest.slice(0, at)) + LINK_WEIGHT;
      rest = rest.slice(at + link.length);
    });
    return total + xWeight(rest);
  }

  function postLength(text, network) {
    if (network === "bluesky") return graphemes(text).length;
    if (network === "mastodon") return mastodonLength(text);
    if (network === "x") return xLength(text);
    if (network === "discourse" || network === "forum") return Array.from(text.trim()).length;
    return text.length; // UTF-16 code units, as web pages count
  }

  function utf8Bytes(text) {
    return new TextEncoder().encode(text).length;
  }

  function problem(text, network, length, limit, floor) {
    if (!text.trim()) return "empty";
    if (length > limit) return (length - limit) + " too many";
    if (length < floor) return "needs at least " + floor;
    if (network === "bluesky" && utf8Bytes(text) > 3000) return "over 3000 bytes";
    return "";
  }

  function isOn(input) {
    return input.type === "hidden" || input.checked;
  }

  function setUp(form) {
    var main = form.querySelector("[data-compose-text]");
    var inputs = Array.from(form.querySelectorAll("input[data-network]"));
    var summary = form.querySelector("[data-compose-summary]");
    if (!main) return;

    function chosenKinds() {
      var kinds = {};
      inputs.forEach(function (input) { if (isOn(input)) kinds[input.dataset.network] = true; });
      return kinds;
    }

    function textFor(kind) {
      var variant = form.querySelector('[data-variant="' + kind + '"]');
      return variant && variant.value.trim() ? variant.value : main.value;
    }

    function update() {
      var kinds = chosenKinds();
      var problems = [];
      form.querySelectorAll("[data-counter-for]").forEach(function (counter) {
        var kind = counter.dataset.counterFor;
        var input = counter.closest(".network-row");
        var box = input && input.querySelector("input[data-network]");
        var on = box ? isOn(box) : Boolean(kinds[kind]);
        counter.hidden = !on;
        if (!on) return;
        var text = textFor(kind);
        var limit = Number(counter.dataset.limit);
        var floor = Number(counter.dataset.min || 0);
        var length = postLength(text, kind);
        var wrong = problem(text, kind, length, limit, floor);
        counter.textContent = length + " / " + limit;
        counter.classList.toggle("over", Boolean(wrong) && wrong !== "empty");
        counter.title = wrong ? kind + ": " + wrong : length + " " + counter.dataset.unit;
        if (wrong && wrong !== "empty") problems.push(kind + ": " + wrong);
      });
      form.querySelectorAll("[data-variant-for]").forEach(function (label) {
        label.hidden = !kinds[label.dataset.variantFor];
      });
      form.querySelectorAll(".slot[data-networks]").forEach(function (slot) {
        var any = Object.keys(kinds).length === 0;
        var fits = any || slot.dataset.networks.split(" ").some(function (n) { return kinds[n]; });
        slot.classList.toggle("other", !fits);
      });
      if (summary) summary.textContent = problems.length ? "Too long: " + problems.join("; ") : "";
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // Typing a time picks "at a time I choose".
    var at = form.querySelector('input[name="at"]');
    var atChoice = form.querySelector('input[name="when"][value="at"]');
    if (at && atChoice) at.addEventListener("input", function () { atChoice.checked = true; });
    update();
  }

  function start() {
    document.querySelectorAll("form[data-compose]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
