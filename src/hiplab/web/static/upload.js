// Video upload with a progress bar. Without this script the form posts as usual (and the
// server answers with the job's page); with it, the file goes to the API by XHR so that the
// upload's progress can be shown, and the browser then opens the job's page.
(function () {
  "use strict";

  function message(xhr) {
    var body = xhr.response;
    if (body && typeof body.detail === "string") { return body.detail; }
    if (xhr.status === 0) { return "The upload did not reach the server; check the connection and try again."; }
    return "The upload failed (HTTP " + xhr.status + ").";
  }

  function enhance(form) {
    var status = form.querySelector(".upload-status");
    var bar = status.querySelector("progress");
    var text = status.querySelector(".upload-text");
    var errorBox = form.querySelector(".upload-error");
    var button = form.querySelector("button[type=submit]");

    function fail(why) {
      errorBox.textContent = why;
      errorBox.hidden = false;
      status.hidden = true;
      button.disabled = false;
      errorBox.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload-api"));
      xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.responseType = "json";
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        bar.value = e.loaded / e.total;
        text.textContent = Math.round(100 * e.loaded / e.total) + " % uploaded";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 202 && xhr.response && xhr.response.page_url) {
          text.textContent = "Uploaded; opening the analysis…";
          window.location.assign(xhr.response.page_url);
        } else {
          fail(message(xhr));
        }
      });
      xhr.addEventListener("error", function () { fail(message(xhr)); });
      errorBox.hidden = true;
      errorBox.setAttribute("tabindex", "-1");
      status.hidden = false;
      bar.value = 0;
      text.textContent = "Starting the upload…";
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  // The camera set-up guide of the task chosen is open, the others closed (without this
  // script the guide of the task first shown is open and the others open on a click).
  function followTask(form) {
    var select = form.querySelector("select[name=task]");
    var guides = form.querySelectorAll("details.setup-guide");
    if (!select || guides.length === 0) { return; }
    select.addEventListener("change", function () {
      for (var j = 0; j < guides.length; j += 1) {
        guides[j].open = guides[j].getAttribute("data-task") === select.value;
      }
    });
  }

  var forms = document.querySelectorAll("form.video-upload");
  for (var k = 0; k < forms.length; k += 1) { followTask(forms[k]); }
  if (!window.FormData || !window.XMLHttpRequest) { return; }
  for (var i = 0; i < forms.length; i += 1) { enhance(forms[i]); }
}());
