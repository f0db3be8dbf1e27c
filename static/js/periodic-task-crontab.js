// The admin's periodic task form: shows the crontab chosen in words under the field.
// (django-celery-beat's own inline script, moved here for the Content-Security-Policy.)
(function ($) {
  "use strict";
  $(function () {
    var readable = JSON.parse($("#readable-crontabs").text());
    var help = JSON.parse($("#crontab-help").text());
    var show = function () {
      var box = $(".field-crontab .help");
      box.text(help);
      var words = readable[$("#id_crontab").val()];
      if (words) {
        box.append($("<br>"), document.createTextNode("Translation: " + words));
      }
    };
    $(".field-crontab_translation").hide();
    $(".field-crontab").on("change", show);
  });
})(django.jQuery);
