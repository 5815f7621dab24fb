// The rating form's extras: keyboard shortcuts and star highlighting. The form works fully without this script.
// Keys: 1-5 choose the stars, h helpful, n not helpful, Enter submits (Ctrl+Enter inside a text box), s skips.
(function () {
  "use strict";

  const form = document.getElementById("rate-form");
  if (!form) return;
  const stars = Array.from(form.querySelectorAll("input.rate-star-input"));
  const labels = stars.map(function (input) { return form.querySelector('label[for="' + input.id + '"]'); });
  const skip = document.getElementById("rate-skip");

  function paint(upTo) {  // fill the stars up to `upTo` (0: none)
    labels.forEach(function (label, i) { label.classList.toggle("rate-star-on", i < upTo); });
  }

  function chosen() {
    const checked = stars.find(function (input) { return input.checked; });
    return checked ? Number(checked.value) : 0;
  }

  function choose(value) {
    const input = stars[value - 1];
    if (!input) return;
    input.checked = true;
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function check(id) {
    const input = document.getElementById(id);
    if (input) input.checked = true;
  }

  function submit() {
    if (typeof form.requestSubmit === "function") form.requestSubmit();  // runs the browser's validation
    else form.submit();
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    const tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) return true;
    return tag === "input" && !["radio", "checkbox", "button", "submit", "reset", "hidden"].includes(target.type);
  }

  form.classList.add("rate-js");
  stars.forEach(function (input) { input.addEventListener("change", function () { paint(chosen()); }); });
  labels.forEach(function (label, i) {
    label.addEventListener("mouseenter", function () { paint(i + 1); });
    label.addEventListener("mouseleave", function () { paint(chosen()); });
  });
  paint(chosen());

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey || event.isComposing) return;
    if (typing(event.target)) {
      if (event.key === "Enter" && event.ctrlKey && form.contains(event.target)) {
        event.preventDefault();
        submit();
      }
      return;
    }
    if (event.ctrlKey) return;
    const key = event.key;
    if (/^[1-5]$/.test(key)) {
      choose(Number(key));
    } else if (key === "h" || key === "H") {
      check("helpful-yes");
    } else if (key === "n" || key === "N") {
      check("helpful-no");
    } else if (key === "s" || key === "S") {
      if (skip) window.location.assign(skip.href);
    } else if (key === "Enter") {
      // On a link or a button Enter keeps its own meaning.
      const tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
      if (tag === "a" || tag === "button") return;
      submit();
    } else {
      return;
    }
    event.preventDefault();
  });
}());
