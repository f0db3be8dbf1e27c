/* A minimal stand-in for jQuery UI's tabs widget, enough for django-modeltranslation's
 * tabbed translation fields (the real jQuery UI would come from a CDN, which the site does
 * not use). Supports $(el).tabs({active: n}), .tabs("option", "active", n) and fires
 * "tabsactivate" with {newTab}. */
(function ($) {
  "use strict";
  function activate($container, index) {
    var $items = $container.children("ul").first().children("li");
    var $panels = $container.children("div");
    if (index < 0 || index >= $items.length || isNaN(index)) index = 0;
    $items.removeClass("ui-tabs-active ui-state-active").attr("aria-selected", "false");
    $panels.addClass("ui-tabs-hide").attr("hidden", "hidden");
    var $tab = $items.eq(index).addClass("ui-tabs-active ui-state-active").attr("aria-selected", "true");
    $panels.eq(index).removeClass("ui-tabs-hide").removeAttr("hidden");
    $container.data("tabs-active", index);
    $container.trigger("tabsactivate", [{ newTab: $tab }]);
  }
  $.fn.tabs = function (options, name, value) {
    return this.each(function () {
      var $container = $(this);
      if (options === "option") {
        if (name === "active") activate($container, value);
        return;
      }
      var $list = $container.children("ul").first();
      $container.addClass("ui-tabs ui-widget");
      $list.addClass("ui-tabs-nav ui-helper-reset ui-helper-clearfix").attr("role", "tablist");
      $container.children("div").addClass("ui-tabs-panel").attr("role", "tabpanel");
      $list.children("li").attr("role", "tab").each(function (index) {
        $(this).find("a").on("click", function (event) {
          event.preventDefault();
          activate($container, index);
        });
      });
      activate($container, (options && options.active) || 0);
    });
  };
})(window.django && window.django.jQuery ? window.django.jQuery : window.jQuery);
