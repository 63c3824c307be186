"""Template filters for activity texts: pick the page's language, render Markdown."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from activities.markdown import render_html
from activities.schemas import Text

register = template.Library()


@register.filter
def in_language(text: Text | None) -> str:
    """Return an activity text in the page's language, falling back on French."""
    if text is None:
        return ""
    return text.get(get_language() or "fr")


@register.filter
def markdown(text: Text | None) -> SafeString:
    """Return an activity text in the page's language as HTML paragraphs and lists."""
    return render_html(in_language(text))
