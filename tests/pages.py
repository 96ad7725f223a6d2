"""Reading a rendered list page back: what its filter form offers, as the visitor sees it."""


def facet_options(response, name):
    """The checkboxes a list page's filter form shows for one parameter: value, label, checked, count."""
    field = response.context["filterset"].form[name]
    return field.field.widget.get_context(field.html_name, field.value(), {})["widget"]["options"]


def facet(response, name):
    """{value: count} for one parameter's checkboxes."""
    return {option["value"]: option["count"] for option in facet_options(response, name)}
