// The CSV export needs the API key when the service has keys, and a plain link cannot send one:
// fetch the file with the key the workbench keeps (or ask for it once) and hand it to the browser.
(function () {
  "use strict";
  const KEY_STORAGE = "huashu.apiKey"; // the same place app.js keeps it
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
