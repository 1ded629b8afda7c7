// The CSV export needs the API key when the service has keys, and a plain link cannot send one:
// fetch the file with the key the workbench keeps (or ask for it once) and hand it to the browser.
(function () {
  "use strict";
  const KEY_STORAGE = "huashu.apiKey"; // the same place app.js keeps it

  // With keys configured the statistics are shown only to a browser holding one: keep it for
  // the API calls (localStorage) and for this page (a same-site cookie), then load the page.
  function rememberKey(key, cookieName) {
    localStorage.setItem(KEY_STORAGE, key);
    document.cookie =
      cookieName + "=" + encodeURIComponent(key) + "; path=/stats; SameSite=Strict; max-age=2592000";
  }

  const form = document.getElementById("stats-key-form");
  if (form) {
    const stored = localStorage.getItem(KEY_STORAGE);
    const input = document.getElementById("stats-key");
    if (stored) input.value = stored;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      rememberKey(key, form.dataset.cookie);
      window.location.reload();
    });
  }

  const link = document.getElementById("export-csv");
  if (!link) return;

  async function download(event) {
    event.preventDefault();
    let key = localStorage.getItem(KEY_STORAGE);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let response;
      try {
        response = await fetch(link.href, { headers: key ? { "X-API-Key": key } : {} });
      } catch (networkError) {
        window.alert(link.dataset.networkError);
        return;
      }
      if (response.status === 401 && attempt === 0) {
        key = (window.prompt(link.dataset.keyPrompt) || "").trim();
        if (!key) return;
        localStorage.setItem(KEY_STORAGE, key);
        continue;
      }
      if (!response.ok) {
        let message = link.dataset.failed;
        try {
          message = (await response.json()).error.message || message;
        } catch (parseError) {
          // not the error shape: keep the generic message
        }
        window.alert(message);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = link.getAttribute("download") || "huashu-replies.csv";
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      return;
    }
  }

  link.addEventListener("click", download);
})();
