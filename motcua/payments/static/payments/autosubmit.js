// The sandbox gateway sends the payer back with the signed callback (no inline script: CSP).
(function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
})();
