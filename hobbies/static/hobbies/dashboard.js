// The hobby dashboard: reads /hobby/dashboard and /hobby/metrics/summary with the admin session and draws the
// charts on <canvas> by hand (nothing beyond this server can be reached, so no CDN and no chart library).
(function () {
  "use strict";

  const root = document.querySelector(".hobby-dashboard");
  if (!root) return;
  const refreshMs = Math.max(5, Number(root.dataset.refreshSeconds) || 10) * 1000;

  function css(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function colours() {
    return {fg: css("--body-fg", "#333"), quiet: css("--body-quiet-color", "#666"),
            grid: css("--hairline-color", "#e8e8e8"), primary: css("--primary", "#79aec8"),
            secondary: css("--secondary", "#417690"), accent: css("--accent", "#f5dd5d")};
  }

  function label(name) {  // SKILL_PRACTICE -> Skill practice
    const words = name.toLowerCase().split("_");
    return words[0].charAt(0).toUpperCase() + words[0].slice(1) + (words.length > 1 ? " " + words.slice(1).join(" ") : "");
  }

  function percent(value) { return (100 * value).toFixed(1) + " %"; }

  // A figure nothing has measured yet comes as null: it is shown as such, never as 0.
  const NOT_MEASURED = "not measured";
  function measured(value, format) { return value === null || value === undefined ? NOT_MEASURED : format(value); }

  function setText(id, text) { document.getElementById(id).textContent = text; }

  // A 2D context sized for the screen's pixel density, with the canvas' attribute size as its coordinates.
  function context(canvas) {
    if (!canvas.dataset.w) { canvas.dataset.w = canvas.width; canvas.dataset.h = canvas.height; }
    const w = Number(canvas.dataset.w), h = Number(canvas.dataset.h), ratio = window.devicePixelRatio || 1;
    canvas.width = w * ratio;
    canvas.height = h * ratio;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = "12px system-ui, sans-serif";
    return {ctx: ctx, w: w, h: h};
  }

  function radar(canvas, labels, values) {
    const {ctx, w, h} = context(canvas), c = colours();
    const cx = w / 2, cy = h / 2, r = Math.min(w, h) / 2 - 44, n = labels.length;
    const point = (i, v) => [cx + r * v * Math.sin(2 * Math.PI * i / n), cy - r * v * Math.cos(2 * Math.PI * i / n)];
    ctx.strokeStyle = c.grid;
    for (const ring of [0.25, 0.5, 0.75, 1]) {
      ctx.beginPath();
      for (let i = 0; i <= n; i++) { const [x, y] = point(i % n, ring); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); }
      ctx.stroke();
    }
    ctx.fillStyle = c.quiet;
    ctx.textBaseline = "middle";
    for (let i = 0; i < n; i++) {
      const [x, y] = point(i, 1);
      ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(x, y); ctx.stroke();
      const [lx, ly] = point(i, 1.1);
      ctx.textAlign = Math.abs(lx - cx) < 4 ? "center" : (lx > cx ? "left" : "right");
      // Two lines (first word, the rest) keep the long names inside the canvas; a third says when the type
      // has not been measured (it has no point: a point at the centre would read as 0).
      const words = label(labels[i]).split(" "), lines = [words[0], words.slice(1).join(" ")].filter(Boolean);
      if (values[i] === null) lines.push(NOT_MEASURED);
      lines.forEach((line, k) => {
        const last = values[i] === null && k === lines.length - 1;
        ctx.font = last ? "italic 11px system-ui, sans-serif" : "12px system-ui, sans-serif";
        // Kept inside the canvas: a side label's extra line is wider than the margin left for names.
        const width = ctx.measureText(line).width, align = ctx.textAlign;
        const x = align === "left" ? Math.min(lx, w - 2 - width) : align === "right" ? Math.max(lx, 2 + width) : lx;
        ctx.fillText(line, x, ly + (k - (lines.length - 1) / 2) * 14);
      });
      ctx.font = "12px system-ui, sans-serif";
    }
    const shown = values.map((v, i) => [v, i]).filter(([v]) => v !== null)
      .map(([v, i]) => point(i, Math.max(0, Math.min(1, v))));
    if (!shown.length) return;
    ctx.beginPath();
    shown.forEach(([x, y], k) => { k ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.closePath();
    ctx.globalAlpha = 0.35; ctx.fillStyle = c.primary; ctx.fill();
    ctx.globalAlpha = 1; ctx.strokeStyle = c.secondary; ctx.lineWidth = 2; ctx.stroke(); ctx.lineWidth = 1;
    ctx.fillStyle = c.secondary;
    for (const [x, y] of shown) { ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI); ctx.fill(); }
  }

  // Vertical bars over time: labels are "YYYY-MM-DD HH:00" or "YYYY-MM-DD"; every few get a tick label.
  function columns(canvas, labels, values, tick) {
    const {ctx, w, h} = context(canvas), c = colours();
    const left = 34, bottom = 26, top = 10, plotW = w - left - 8, plotH = h - top - bottom;
    const max = Math.max(1, ...values), step = plotW / Math.max(1, values.length);
    ctx.strokeStyle = c.grid; ctx.fillStyle = c.quiet; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const f of [0, 0.5, 1]) {
      const y = top + plotH * (1 - f);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - 8, y); ctx.stroke();
      ctx.fillText(String(Math.round(max * f)), left - 4, y);
    }
    ctx.fillStyle = c.primary;
    values.forEach((v, i) => {
      const bh = plotH * v / max;
      ctx.fillRect(left + i * step + 1, top + plotH - bh, Math.max(1, step - 2), bh);
    });
    ctx.fillStyle = c.quiet; ctx.textAlign = "center"; ctx.textBaseline = "top";
    const every = Math.ceil(labels.length / 6);
    labels.forEach((l, i) => { if (i % every === 0) ctx.fillText(tick(l), left + (i + 0.5) * step, top + plotH + 6); });
  }

  // Horizontal bars per hobby type, the value written at the end of each bar.
  function bars(canvas, labels, values, format, max) {
    const {ctx, w, h} = context(canvas), c = colours();
    const left = Math.max(...labels.map((name) => ctx.measureText(label(name)).width)) + 12;
    const rowH = (h - 8) / Math.max(1, labels.length), plotW = w - left - 70;
    const top = Math.max(...values, 0), scale = max || (top > 0 ? top : 1);
    ctx.textBaseline = "middle";
    labels.forEach((name, i) => {
      const y = 4 + i * rowH, bw = plotW * Math.max(0, values[i]) / scale;
      ctx.fillStyle = c.quiet; ctx.textAlign = "right";
      ctx.fillText(label(name), left - 6, y + rowH / 2);
      ctx.fillStyle = c.primary; ctx.fillRect(left, y + 3, bw, rowH - 6);
      ctx.fillStyle = c.fg; ctx.textAlign = "left";
      ctx.fillText(format(values[i]), left + bw + 4, y + rowH / 2);
    });
  }

  function table(summary) {
    const body = document.querySelector("#hd-hobbies tbody");
    body.replaceChildren();
    for (const [name, hobby] of Object.entries(summary.summary.hobbies)) {
      const trend = summary.trends[name.toLowerCase()] || {};
      const row = body.insertRow();
      row.dataset.hobby = name;
      const cells = [[label(name), ""], [measured(hobby.proficiency, percent), "num"],
                     [measured(trend.improvement_rate, (v) => (v * 100).toFixed(2) + " pts"), "num"],
                     [percent(hobby.success_rate), "num"], [String(hobby.activities_completed), "num"],
                     [hobby.time_invested_hours.toFixed(2), "num"], [String(hobby.insights_gained), "num"],
                     [hobby.last_activity ? new Date(hobby.last_activity).toLocaleString() : "never", ""]];
      for (const [text, cls] of cells) {
        const cell = row.insertCell();
        cell.textContent = text;
        if (cls) cell.className = cls;
      }
    }
  }

  function now(system) {
    const current = system.current_activity;
    if (!current) { setText("hd-now-text", "Nothing is running."); return; }
    const minutes = (current.duration_seconds / 60).toFixed(1);
    setText("hd-now-text", label(current.hobby_type) + " (" + current.activity_id + "), running for " + minutes +
            " min since " + new Date(current.started_at).toLocaleTimeString() +
            (current.description ? ": " + current.description : ""));
  }

  function render(dashboard, summary) {
    const stats = dashboard.current_stats, system = summary.system;
    setText("stat-total-activities", String(stats.total_activities));
    setText("stat-engagement", percent(stats.overall_engagement));
    setText("stat-active-hobbies", String(stats.active_hobbies));
    setText("stat-learning", stats.is_learning ? "yes" : "no");
    setText("stat-system", !system.enabled ? "disabled" : (system.running ? "running" : "stopped") +
            (system.is_idle ? ", agents idle" : ", agents busy"));
    now(system);
    radar(document.getElementById("chart-proficiency"), dashboard.proficiency_radar.labels,
          dashboard.proficiency_radar.values);
    columns(document.getElementById("chart-hourly"), dashboard.activity_timeline.labels,
            dashboard.activity_timeline.values, (l) => l.slice(11, 16));
    const daily = summary.timeline.daily;
    columns(document.getElementById("chart-daily"), Object.keys(daily), Object.values(daily), (l) => l.slice(5));
    bars(document.getElementById("chart-time"), dashboard.time_invested_bars.labels,
         dashboard.time_invested_bars.values, (v) => v.toFixed(2) + " h");
    const names = Object.keys(summary.summary.hobbies);
    bars(document.getElementById("chart-success"), names, names.map((n) => summary.summary.hobbies[n].success_rate),
         percent, 1);
    table(summary);
  }

  async function fetchJson(url) {
    const response = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    if (!response.ok) {
      let message = response.statusText;
      try { message = (await response.json()).error.message; } catch (e) { /* not our error shape */ }
      throw new Error(response.status + " " + message);
    }
    return response.json();
  }

  const status = document.getElementById("hd-status");
  async function refresh() {
    try {
      const [dashboard, summary] = await Promise.all([fetchJson(root.dataset.dashboardUrl),
                                                      fetchJson(root.dataset.summaryUrl)]);
      render(dashboard, summary);
      status.classList.remove("hd-error");
      status.textContent = "As of " + new Date(summary.timestamp).toLocaleString();
      status.dataset.timestamp = summary.timestamp;
    } catch (error) {
      // Shown on the page, not thrown: an expired session or a restart should not look like a broken page.
      status.classList.add("hd-error");
      status.textContent = "Could not load the figures: " + error.message;
    }
    window.setTimeout(refresh, refreshMs);
  }
  refresh();
})();
