/* Document uploads on the applicant's documents page (forms with data-upload).

   Before sending, the chosen files are checked in the browser against the limits the
   server sends in data attributes of [data-upload-settings] (one source: the settings):
   number of files, size of each, total size, type by extension or MIME type. A file that
   fails is refused at once, with the message in the page's language, and nothing is sent.
   Otherwise the form is sent with XMLHttpRequest, showing its progress in an accessible
   progress bar; the server (which checks everything again) answers JSON: on success the
   page is reloaded (it shows the new document and the message), on refusal the reasons
   are shown beside the form. Without this script the form posts normally. */
(function () {
  "use strict";

  var settings = document.querySelector("[data-upload-settings]");
  if (!settings) {
    return;
  }

  function number(name) {
    return parseInt(settings.getAttribute("data-" + name), 10) || 0;
  }

  function message(name, values) {
    var text = settings.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  var maxBytes = number("max-bytes");
  var maxTotal = number("max-total-bytes");
  var maxFiles = number("max-files");
  var extensions = (settings.getAttribute("data-extensions") || "").split(",");
  var types = (settings.getAttribute("data-types") || "").split(",");

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  }

  /* The first problem with `files` for `form`, or "". */
  function problem(form, files) {
    var existingFiles = parseInt(form.getAttribute("data-existing-files"), 10) || 0;
    var existingBytes = parseInt(form.getAttribute("data-existing-bytes"), 10) || 0;
    if (existingFiles + files.length > maxFiles) {
      return message("too-many");
    }
    var total = existingBytes;
    for (var i = 0; i < files.length; i += 1) {
      var file = files[i];
      var typeKnown = file.type && types.indexOf(file.type) >= 0;
      if (!typeKnown && extensions.indexOf(extension(file.name)) < 0) {
        return message("wrong-type", { name: file.name });
      }
      if (!file.size) {
        return message("empty", { name: file.name });
      }
      if (file.size > maxBytes) {
        return message("too-large", { name: file.name });
      }
      total += file.size;
    }
    if (total > maxTotal) {
      return message("total");
    }
    return "";
  }

  function show(form, text, isError) {
    var status = form.querySelector("[data-upload-status]");
    if (status) {
      status.textContent = text;
      status.classList.toggle("text-danger", Boolean(isError));
    }
    var input = form.querySelector("input[type=file]");
    if (input) {
      input.classList.toggle("is-invalid", Boolean(isError));
      input.setAttribute("aria-invalid", isError ? "true" : "false");
    }
  }

  function progress(form, percent) {
    var wrapper = form.querySelector("[data-upload-progress]");
    if (!wrapper) {
      return;
    }
    var bar = wrapper.querySelector("[role=progressbar]");
    var fill = wrapper.querySelector("[data-upload-bar]");
    wrapper.hidden = percent === null;
    if (percent === null) {
      return;
    }
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuetext", percent + "%");
    fill.style.width = percent + "%";
    fill.textContent = percent + "%";
  }

  function busy(form, isBusy) {
    form.querySelectorAll("button, input[type=file]").forEach(function (control) {
      control.disabled = isBusy;
    });
    form.setAttribute("aria-busy", isBusy ? "true" : "false");
  }

  function check(input) {
    var form = input.form;
    var text = problem(form, input.files);
    show(form, text, Boolean(text));
    return text;
  }

  function send(form) {
    var data = new FormData(form);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        var percent = Math.min(100, Math.round((event.loaded / event.total) * 100));
        progress(form, percent);
        show(form, message("progress", { percent: percent + "%" }), false);
      }
    });
    request.upload.addEventListener("load", function () {
      progress(form, 100);
      show(form, message("checking"), false);
    });
    request.addEventListener("load", function () {
      var answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = null;
      }
      if (answer && answer.ok) {
        window.location.assign(answer.redirect || window.location.href);
        return;
      }
      busy(form, false);
      progress(form, null);
      var errors = answer && answer.errors ? answer.errors : [message("failed")];
      show(form, errors.join(" "), true);
    });
    request.addEventListener("error", function () {
      busy(form, false);
      progress(form, null);
      show(form, message("failed"), true);
    });
    busy(form, true);
    progress(form, 0);
    request.send(data);
  }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    if (!input || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    input.addEventListener("change", function () {
      check(input);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.files.length) {
        input.focus();
        return;
      }
      if (check(input)) {
        input.focus();
        return;
      }
      send(form);
    });
  });
})();
