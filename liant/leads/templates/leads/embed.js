{% autoescape off %}/* Liant form helper: optional; the form works without it (one extra confirmation step). */
(function () {
  var forms = document.querySelectorAll('form[data-liant-form="{{ token|escapejs }}"]');
  var params = new URLSearchParams(window.location.search);
  var keys = [{% for k in utm_keys %}"{{ k }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
  forms.forEach(function (form) {
    var stamp = form.querySelector('input[name="ts"]');
    if (stamp) { stamp.value = "{{ stamp|escapejs }}"; }
    keys.forEach(function (key) {
      var input = form.querySelector('input[name="' + key + '"]');
      if (input && params.get(key)) { input.value = params.get(key).slice(0, 150); }
    });
  });
})();
{% endautoescape %}
