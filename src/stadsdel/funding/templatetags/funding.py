from django import template

from stadsdel.funding.money import kr as format_kr

register = template.Library()


@register.filter
def kr(value) -> str:
    """Whole kronor, e.g. 1 250 000 kr; – for none."""
    return "–" if value is None or value == "" else format_kr(int(value))
