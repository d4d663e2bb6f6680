// Inputs marked data-select-on-click select all their text when clicked, ready to copy.
document.querySelectorAll("[data-select-on-click]").forEach(function (input) {
  input.addEventListener("click", function () {
    input.select();
  });
});
