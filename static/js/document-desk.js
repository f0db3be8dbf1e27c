/* The document desk: verdicts and previews in place (admin application page, the queue of
   documents awaiting verification, the review page).

   - Buttons with data-document-action ("verify", "reject", "verify-all") post their
     formaction with fetch (CSRF token from the page's form) and replace the cells the
     server sends back (data-document-cell + data-document-id): the page neither reloads
     nor moves. Without this script the same buttons post the page's form and the server
     redirects back to the row.
   - Links with data-document-preview open the file in the page's <dialog> (an <img> or an
     <iframe>); a modified click (new tab, new window) is left to the browser. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(text, isError) {
    var region = document.getElementById("document-desk-status");
    if (!region) {
      return;
    }
    region.textContent = text || "";
    region.classList.toggle("is-error", Boolean(isError));
    region.classList.toggle("is-visible", Boolean(text));
  }

  function replaceCells(documentId, cells) {
    Object.keys(cells).forEach(function (name) {
      var selector = '[data-document-cell="' + name + '"][data-document-id="' + documentId + '"]';
      document.querySelectorAll(selector).forEach(function (old) {
        var template = document.createElement("template");
        template.innerHTML = cells[name].trim();
        var fresh = template.content.firstElementChild;
        if (fresh) {
          old.replaceWith(fresh);
        } else {
          old.replaceChildren();
        }
      });
    });
  }

  function focusAfter(documentId) {
    // The pressed button may be gone (a verified document has no "Verify"): keep the
    // keyboard user on the same row.
    var cell = document.querySelector(
      '[data-document-cell="verdict"][data-document-id="' + documentId + '"]'
    );
    var target = cell && cell.querySelector("button, summary");
    if (!target) {
      target = document.querySelector(
        '[data-document-cell="status"][data-document-id="' + documentId + '"]'
      );
      if (target) {
        target.setAttribute("tabindex", "-1");
      }
    }
    if (target) {
      target.focus({ preventScroll: true });
    }
  }

  function send(button) {
    var action = button.dataset.documentAction;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (action === "reject") {
      var reason = document.getElementById("reason-" + button.dataset.documentId);
      body.append("reason", reason ? reason.value : "");
    } else if (action === "verify-all") {
      document.querySelectorAll("input[name=shown_document]").forEach(function (input) {
        body.append("shown_document", input.value);
      });
    }
    button.disabled = true;
    return fetch(button.formAction, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok && data.ok, data: data };
        });
      })
      .then(function (result) {
        button.disabled = false;
        if (!result.ok) {
          announce(result.data.message, true);
          return;
        }
        var ids = Object.keys(result.data.documents || {});
        ids.forEach(function (id) {
          replaceCells(id, result.data.documents[id]);
        });
        announce(result.data.message, false);
        if (action !== "verify-all" && ids.length) {
          focusAfter(ids[0]);
        }
      })
      .catch(function () {
        button.disabled = false;
        // The server could not be reached or answered no JSON: fall back to the plain post.
        button.form.requestSubmit(button);
      });
  }

  function openPreview(link) {
    var dialog = document.getElementById("document-preview");
    if (!dialog || typeof dialog.showModal !== "function") {
      return false;
    }
    var title = link.dataset.previewTitle || link.textContent;
    dialog.querySelector("#document-preview-title").textContent = title;
    var body = dialog.querySelector(".document-preview-body");
    var viewer;
    if (link.dataset.previewKind === "image") {
      viewer = document.createElement("img");
      viewer.alt = title;
    } else {
      viewer = document.createElement("iframe");
      viewer.title = title;
    }
    viewer.src = link.dataset.documentPreview;
    body.replaceChildren(viewer);
    dialog.showModal();
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-document-action]");
    if (button && window.fetch) {
      event.preventDefault();
      send(button);
      return;
    }
    var link = event.target.closest("a[data-document-preview]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (openPreview(link)) {
      event.preventDefault();
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target.id === "document-preview") {
      // Stop loading and free the file once the dialog is closed.
      event.target.querySelector(".document-preview-body").replaceChildren();
    }
  }, true);
})();
