// Media library, progressive enhancement: the forms work without this file.
// 1. Files dropped on the upload form are put in its file input and the form is sent.
// 2. A click on the image sets the focal point's two number fields.
(function () {
  document.querySelectorAll("[data-dropzone]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dragging"); });
    });
    form.addEventListener("dragleave", function () { form.classList.remove("dragging"); });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      form.classList.remove("dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });
  document.querySelectorAll("[data-focal]").forEach(function (box) {
    var x = document.getElementById("id_focal_x"), y = document.getElementById("id_focal_y");
    if (!x || !y) { return; }
    function show() { box.style.setProperty("--fx", x.value); box.style.setProperty("--fy", y.value); }
    box.querySelector("img").addEventListener("click", function (event) {
      var rect = event.target.getBoundingClientRect();
      x.value = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)).toFixed(3);
      y.value = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)).toFixed(3);
      show();
    });
    x.addEventListener("input", show);
    y.addEventListener("input", show);
  });
})();
