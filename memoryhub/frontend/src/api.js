// The graph API as the page reads it: GET only, with the admin session cookie (same origin), so no CSRF token is
// needed. Keys hold ":" and "/" ("document:kb/d12"): always URL-encoded.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function createApi(base) {
  const root = base.endsWith("/") ? base : base + "/";

  async function get(path, params) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
    }
    const url = root + path + (query.toString() ? "?" + query : "");
    const response = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;  // an HTML error page (a proxy's 502): reported by status below
    }
    if (!response.ok) {
      const said = body && (body.error || body.detail || body.message);
      throw new ApiError(response.status, typeof said === "string" ? said : `${url} answered ${response.status}`);
    }
    return body;
  }

  return {
    visualize: (limit, kind) => get("visualize", {limit, kind}),
    search: (q, limit, kind) => get("search", {q, limit, kind}),
    concept: (key) => get("concepts/" + encodeURIComponent(key)),
    path: (from, to, weighted) => get("path", {from, to, weighted: weighted ? 1 : 0}),
  };
}
